//! Sessions in the database (会话): a tower-sessions [`SessionStore`] over the same
//! [`Store`], so that two `jixiao serve` processes on one PostgreSQL behave as one.

use async_trait::async_trait;
use jixiao_store::Store;
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

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait]
impl SessionStore for DbSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = encode(record)?;
        let expiry = record.expiry_date.unix_timestamp();
        // Ids are random 128-bit numbers; on the unlikely collision draw another.
        while !self
            .store
            .session_create(&record.id.to_string(), &data, expiry)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        self.store
            .session_save(
                &record.id.to_string(),
                &data,
                record.expiry_date.unix_timestamp(),
            )
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let Some(data) = self
            .store
            .session_load(&id.to_string(), now)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        // The stored expiry is re-set by the session layer on save; a loaded session is alive.
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: OffsetDateTime::now_utc() + time::Duration::minutes(1),
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store
            .session_delete(&id.to_string())
            .await
            .map_err(backend)
    }
}
