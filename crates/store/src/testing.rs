//! Fresh databases for tests (测试), so that one test body runs on every backend (atuin's
//! pattern): [`Backend::all`] gives SQLite always and PostgreSQL when
//! `JIXIAO_TEST_POSTGRES_URL` is set.
//!
//! In CI (`CI=true`) the PostgreSQL variable is mandatory: without it [`Backend::all`] panics,
//! so a CI run can never pass by silently skipping PostgreSQL. Locally it prints why
//! PostgreSQL is skipped.

use crate::{DbUrl, SqlStore};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming an (empty, throwaway) PostgreSQL server for tests; the
/// user must be allowed to `CREATE DATABASE`. `scripts/test-postgres.sh` sets it.
pub const POSTGRES_ENV: &str = "JIXIAO_TEST_POSTGRES_URL";

/// A backend to test on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh, migrated database; a SQLite file is removed when this is dropped.
#[derive(Debug)]
pub struct TestDb {
    pub store: SqlStore,
    pub url: DbUrl,
    pub backend: Backend,
    dir: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Backend {
    /// The backends to run on: SQLite, and PostgreSQL when configured (mandatory in CI).
    pub fn all() -> Vec<Backend> {
        let mut all = vec![Backend::Sqlite];
        if postgres_url().is_some() {
            all.push(Backend::Postgres);
        }
        all
    }

    /// A fresh database on this backend.
    pub async fn fresh(self) -> TestDb {
        match self {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique("jixiao-test"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = DbUrl::new(format!("sqlite://{}", dir.join("test.db").display()));
                let store = SqlStore::connect(&url).await.expect("sqlite store");
                TestDb {
                    store,
                    url,
                    backend: self,
                    dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let base = postgres_url().expect("PostgreSQL URL");
                let name = unique("jixiao_test");
                create_database(&base, &name).await;
                let url = DbUrl::new(with_database(&base, &name));
                let store = SqlStore::connect(&url).await.expect("postgres store");
                TestDb {
                    store,
                    url,
                    backend: self,
                    dir: None,
                }
            }
        }
    }
}

/// The PostgreSQL URL for tests, if any. Panics when `CI=true` and it is missing; prints the
/// skip reason once otherwise.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "{POSTGRES_ENV} is not set, but CI=true: the PostgreSQL tests are mandatory \
                     in CI (run them under scripts/test-postgres.sh)"
                );
            }
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                // Straight to the process's stderr: the test harness captures `eprintln!` of a
                // passing test, and this note is for the person running the tests.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "note: PostgreSQL tests skipped: {POSTGRES_ENV} is not set \
                     (run `scripts/test-postgres.sh cargo test --workspace` to include them)"
                );
            });
            None
        }
    }
}

/// `postgres://u:p@h:5/db?x` with the database replaced by `name`.
fn with_database(base: &str, name: &str) -> String {
    let (url, query) = match base.split_once('?') {
        Some((u, q)) => (u, Some(q)),
        None => (base, None),
    };
    let scheme_end = url.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = url[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(url.len());
    let mut out = format!("{}/{name}", &url[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

async fn create_database(base: &str, name: &str) {
    use sqlx::Connection as _;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(base)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    let _ = conn.close().await;
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=disable"
        );
        assert_eq!(
            super::with_database("postgres://h", "t1"),
            "postgres://h/t1"
        );
    }
}
