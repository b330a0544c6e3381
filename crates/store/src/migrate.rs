//! Per-backend migrations (迁移), embedded in the binary and applied on start.
//!
//! The DDL differs between SQLite and PostgreSQL (`INTEGER PRIMARY KEY` vs `BIGSERIAL`), so each
//! backend has its own folder under `crates/store/migrations/`; both list the same versions.
//! A small runner rather than `sqlx::migrate!`: the macro needs sqlx's `macros` feature and a
//! build-time view of one backend; this keeps both folders in the binary.

use crate::Result;
use sqlx::AnyPool;

pub(crate) struct Migration {
    pub version: i64,
    pub description: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        description: "list indexes",
        sqlite: include_str!("../migrations/sqlite/0002_list_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0002_list_indexes.sql"),
    },
    Migration {
        version: 3,
        description: "derived verdicts, finding codes, history changes, session users, org paths",
        sqlite: include_str!("../migrations/sqlite/0003_derived.sql"),
        postgres: include_str!("../migrations/postgres/0003_derived.sql"),
    },
    Migration {
        version: 4,
        description: "covering index of a unit's list page (SQLite)",
        sqlite: include_str!("../migrations/sqlite/0004_list_covering.sql"),
        postgres: include_str!("../migrations/postgres/0004_list_covering.sql"),
    },
];

/// Apply the migrations not yet applied. On PostgreSQL an advisory lock serialises two
/// processes starting at once.
pub(crate) async fn run(pool: &AnyPool, postgres: bool) -> Result<()> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS jixiao_migrations (
             version BIGINT PRIMARY KEY,
             description TEXT NOT NULL,
             applied_at BIGINT NOT NULL
         )",
    )
    .execute(pool)
    .await?;
    for m in MIGRATIONS {
        let mut tx = pool.begin().await?;
        if postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7413001)")
                .execute(&mut *tx)
                .await?;
        }
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM jixiao_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_one(&mut *tx)
                .await?;
        if applied > 0 {
            tx.commit().await?;
            continue;
        }
        let sql = if postgres { m.postgres } else { m.sqlite };
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO jixiao_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.description)
        .bind(crate::now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(
            version = m.version,
            description = m.description,
            "migration applied"
        );
    }
    Ok(())
}
