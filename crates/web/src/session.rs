//! Sessions in the database (会话): a tower-sessions [`SessionStore`] over the same
//! [`Store`], so that two `jixiao serve` processes on one PostgreSQL behave as one.
//!
//! The logged-in user's id is kept in its own column, so that loading a session also loads
//! its user (when not disabled) in the same indexed query. The user read with the session is
//! put in the session's data under [`LOADED_USER_KEY`] for this request only: it is never
//! written back, so a change of role or a 停用 shows on the very next request.

use async_trait::async_trait;
use jixiao_store::Store;
use jixiao_store::User;
use std::cell::RefCell;
use std::sync::Arc;
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

#[derive(Debug, Clone)]
pub struct DbSessions {
    store: Arc<dyn Store>,
}

impl DbSessions {
    pub fn new(store: Arc<dyn Store>) -> Self {
        DbSessions { store }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// Session key of the user loaded with the session (never stored).
pub const LOADED_USER_KEY: &str = "_user";

/// The data to store (without the loaded user) and the logged-in user's id.
fn encode(record: &Record) -> session_store::Result<(String, Option<i64>)> {
    let user_id = record
        .data
        .get(crate::api::USER_KEY)
        .and_then(serde_json::Value::as_i64);
    let text = if record.data.contains_key(LOADED_USER_KEY) {
        let mut data = record.data.clone();
        data.remove(LOADED_USER_KEY);
        serde_json::to_string(&data)
    } else {
        serde_json::to_string(&record.data)
    }
    .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    Ok((text, user_id))
}

#[async_trait]
impl SessionStore for DbSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let (data, user_id) = encode(record)?;
        let expiry = record.expiry_date.unix_timestamp();
        // Ids are random 128-bit numbers; on the unlikely collision draw another.
        while !self
            .store
            .session_create(&record.id.to_string(), &data, expiry, user_id)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (data, user_id) = encode(record)?;
        self.store
            .session_save(
                &record.id.to_string(),
                &data,
                record.expiry_date.unix_timestamp(),
                user_id,
            )
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        if let Some(record) = take_preloaded(id) {
            return Ok(record);
        }
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let Some((data, user)) = self
            .store
            .session_load(&id.to_string(), now)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        record_of(id, &data, user).map(Some)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)
    }
}

/// The session's record from its stored data and the user loaded with it.
fn record_of(id: &Id, data: &str, user: Option<User>) -> session_store::Result<Record> {
    let mut data: std::collections::HashMap<String, serde_json::Value> =
        serde_json::from_str(data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
    data.remove(LOADED_USER_KEY);
    if let Some(user) = user {
        let user =
            serde_json::to_value(user).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        data.insert(LOADED_USER_KEY.to_owned(), user);
    }
    // The stored expiry is re-set by the session layer on save; a loaded session is alive.
    Ok(Record {
        id: *id,
        data,
        expiry_date: OffsetDateTime::now_utc() + time::Duration::minutes(1),
    })
}

tokio::task_local! {
    /// A session read by a handler together with its page (one statement instead of two),
    /// handed to [`DbSessions::load`] in this request's task only. Nothing outlives the
    /// request: the next one reads the database again.
    static PRELOADED: RefCell<Option<(Id, Option<Record>)>>;
}

/// Run a handler's body where [`preload`] can hand a session to [`DbSessions::load`].
pub async fn with_preload<F: std::future::Future>(f: F) -> F::Output {
    PRELOADED.scope(RefCell::new(None), f).await
}

/// The session `id` as just read from the database (`None`: it does not exist or has expired);
/// the next load of `id` in this request takes it instead of querying. Outside
/// [`with_preload`] it is dropped (and the session is read as usual).
fn preload(id: Id, record: Option<Record>) {
    let _ = PRELOADED.try_with(|p| *p.borrow_mut() = Some((id, record)));
}

/// Hands a session read together with a page (`found`, as the store's `session_*_page` methods
/// return it: the session's data, its live user, what was read with it) to the session layer
/// for this request ([`preload`]), and returns what was read when the session has a live user
/// (`None` otherwise: without one nothing was read with it).
pub fn preload_with<T>(
    id: Id,
    found: Option<(String, Option<User>, T)>,
) -> session_store::Result<Option<T>> {
    let Some((data, user, page)) = found else {
        preload(id, None);
        return Ok(None);
    };
    let live = user.is_some();
    preload(id, Some(record_of(&id, &data, user)?));
    Ok(live.then_some(page))
}

fn take_preloaded(id: &Id) -> Option<Option<Record>> {
    PRELOADED
        .try_with(|p| {
            let mut p = p.borrow_mut();
            match p.as_ref() {
                Some((pid, _)) if pid == id => p.take().map(|(_, r)| r),
                _ => None,
            }
        })
        .ok()
        .flatten()
}
