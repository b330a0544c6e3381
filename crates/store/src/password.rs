//! argon2 password hashes (密码). Hashing is slow on purpose, so it runs off the async
//! workers.

use crate::{Result, StoreError};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// A hash used when the user does not exist, so that an unknown user costs as much time as a
/// wrong password.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8rHSBkvI3YJ1yyV6iN/W1bEwyOqX8y6x6jGRVa5t8uI";

pub(crate) async fn hash(password: &str) -> Result<String> {
    if password.is_empty() {
        return Err(StoreError::Invalid(
            "密码不能为空 (the password is empty)".into(),
        ));
    }
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Invalid(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| StoreError::Database(e.to_string()))?
}

/// Check `password` against `stored` (or against a dummy hash when there is no user).
pub(crate) async fn verify(password: &str, stored: Option<String>) -> bool {
    let password = password.to_owned();
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| DUMMY.to_owned());
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && known
    })
    .await
    .unwrap_or(false)
}
