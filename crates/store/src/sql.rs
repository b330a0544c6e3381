//! [`SqlStore`]: the [`Store`] over sqlx's `AnyPool` (SQLite or PostgreSQL).
//!
//! Queries are checked at run time (the compile-time macros do not work with `Any`) and use
//! `$n` placeholders, which both backends accept. Every type crossing the boundary is one the
//! `Any` driver carries on both backends: `BIGINT`/`INTEGER` as `i64`, `TEXT` as `String`.

use crate::model::*;
use crate::{migrate, password, DbUrl, Result, Store, StoreError};
use async_trait::async_trait;
use jixiao_core::Evaluation;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Row};
use std::fmt;

/// The store on a SQL database.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    url: DbUrl,
    postgres: bool,
}

impl fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlStore").field("url", &self.url).finish()
    }
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

const EVAL_COLUMNS: &str = "id, org_id, year, project, department, unit, status, version, \
                            total, grade, created_at, updated_at";

impl SqlStore {
    /// Connect and migrate. `sqlite://FILE` is created if missing and put in WAL mode.
    pub async fn connect(url: &DbUrl) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let postgres = url.is_postgres();
        if !postgres && !url.is_sqlite() {
            return Err(StoreError::Invalid(format!(
                "数据库地址须以 sqlite:// 或 postgres:// 开头 (the database URL must start with \
                 sqlite:// or postgres://): {url}"
            )));
        }
        let mut connect = url.expose().to_string();
        if url.is_sqlite() && !connect.contains("mode=") {
            connect.push(if connect.contains('?') { '&' } else { '?' });
            connect.push_str("mode=rwc");
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if postgres { 16 } else { 8 })
            .connect(&connect)
            .await
            .map_err(|e| StoreError::Database(format!("无法连接 {url} (cannot connect): {e}")))?;
        if !postgres {
            sqlx::raw_sql("PRAGMA journal_mode=WAL")
                .execute(&pool)
                .await?;
        }
        migrate::run(&pool, postgres).await?;
        tracing::info!(database = %url, "database ready");
        Ok(SqlStore {
            pool,
            url: url.clone(),
            postgres,
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// that a read-then-write transaction waits for the lock instead of failing.
    async fn write_tx(&self) -> Result<Tx> {
        Ok(if self.postgres {
            self.pool.begin().await?
        } else {
            self.pool.begin_with("BEGIN IMMEDIATE").await?
        })
    }
}

fn org_from(row: &AnyRow) -> Result<Org> {
    let kind: String = row.try_get("kind")?;
    Ok(Org {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        name: row.try_get("name")?,
        kind: OrgKind::parse(&kind).ok_or(StoreError::Invalid(kind))?,
    })
}

fn user_from(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: Role::parse(&role).ok_or(StoreError::Invalid(role))?,
        org_id: row.try_get("org_id")?,
    })
}

fn status_from(text: String) -> Result<Status> {
    Status::parse(&text).ok_or(StoreError::Invalid(text))
}

fn summary_from(row: &AnyRow) -> Result<EvaluationSummary> {
    Ok(EvaluationSummary {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        year: row.try_get("year")?,
        project: row.try_get("project")?,
        department: row.try_get("department")?,
        unit: row.try_get("unit")?,
        status: status_from(row.try_get("status")?)?,
        version: row.try_get("version")?,
        total: row.try_get("total")?,
        grade: row.try_get("grade")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn form_from_json(text: &str) -> Result<Evaluation> {
    serde_json::from_str(text).map_err(|e| StoreError::Invalid(format!("stored form: {e}")))
}

fn form_to_json(form: &Evaluation) -> Result<String> {
    serde_json::to_string(form).map_err(|e| StoreError::Invalid(e.to_string()))
}

async fn audit_in(
    tx: &mut Tx,
    actor: Option<i64>,
    action: &str,
    target: &str,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now_ms())
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn history_in(
    tx: &mut Tx,
    id: i64,
    version: i64,
    action: &str,
    status: Status,
    actor: i64,
    at: i64,
    reason: Option<&str>,
    data: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO evaluation_history (evaluation_id, version, action, status, actor_id, at, \
         reason, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(version)
    .bind(action)
    .bind(status.as_str())
    .bind(actor)
    .bind(at)
    .bind(reason)
    .bind(data)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A bind value of a dynamically built query.
enum Arg {
    I64(i64),
    Text(String),
}

/// `WHERE …` of a list filter, with its arguments.
fn where_clause(filter: &ListFilter) -> (String, Vec<Arg>) {
    let mut parts: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    let next = |args: &mut Vec<Arg>, arg: Arg| {
        args.push(arg);
        format!("${}", args.len())
    };
    if let Some(year) = filter.year {
        let p = next(&mut args, Arg::I64(year));
        parts.push(format!("year = {p}"));
    }
    if let Some(status) = filter.status {
        let p = next(&mut args, Arg::Text(status.as_str().into()));
        parts.push(format!("status = {p}"));
    }
    if let Some(statuses) = &filter.statuses {
        if statuses.is_empty() {
            parts.push("1 = 0".into());
        } else {
            let ps: Vec<String> = statuses
                .iter()
                .map(|s| next(&mut args, Arg::Text(s.as_str().into())))
                .collect();
            parts.push(format!("status IN ({})", ps.join(", ")));
        }
    }
    if let Some(orgs) = &filter.org_ids {
        if orgs.is_empty() {
            parts.push("1 = 0".into());
        } else {
            let ps: Vec<String> = orgs.iter().map(|o| next(&mut args, Arg::I64(*o))).collect();
            parts.push(format!("org_id IN ({})", ps.join(", ")));
        }
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let p = next(&mut args, Arg::Text(format!("%{escaped}%")));
        parts.push(format!(
            "(project LIKE {p} ESCAPE '\\' OR department LIKE {p} ESCAPE '\\' \
             OR unit LIKE {p} ESCAPE '\\')"
        ));
    }
    let clause = if parts.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", parts.join(" AND "))
    };
    (clause, args)
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for arg in args {
        query = match arg {
            Arg::I64(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
        };
    }
    query
}

impl SqlStore {
    async fn load_record(&self, tx: Option<&mut Tx>, id: i64) -> Result<Option<EvaluationRecord>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {EVAL_COLUMNS}, data FROM evaluations WHERE id = $1"
        ));
        let query = sqlx::query(sql).bind(id);
        let row = match tx {
            Some(tx) => query.fetch_optional(&mut **tx).await?,
            None => query.fetch_optional(&self.pool).await?,
        };
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data")?;
        Ok(Some(EvaluationRecord {
            summary: summary_from(&row)?,
            form: form_from_json(&data)?,
        }))
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn create_org(&self, name: &str, kind: OrgKind, parent_id: Option<i64>) -> Result<Org> {
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO orgs (parent_id, name, kind) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(parent_id)
        .bind(name)
        .bind(kind.as_str())
        .fetch_one(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            None,
            "org.create",
            &format!("org:{id}"),
            Some(name),
        )
        .await?;
        tx.commit().await?;
        Ok(Org {
            id,
            parent_id,
            name: name.to_owned(),
            kind,
        })
    }

    async fn list_orgs(&self) -> Result<Vec<Org>> {
        let rows = sqlx::query("SELECT id, parent_id, name, kind FROM orgs ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(org_from).collect()
    }

    async fn create_user(&self, user: NewUser<'_>, actor: Option<i64>) -> Result<User> {
        let username = user.username.trim();
        if username.is_empty() || username.len() > 64 {
            return Err(StoreError::Invalid(
                "用户名须为 1–64 个字符 (the username must have 1–64 characters)".into(),
            ));
        }
        let hash = password::hash(user.password).await?;
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, role, org_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(username)
        .bind(user.display_name)
        .bind(hash)
        .bind(user.role.as_str())
        .bind(user.org_id)
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Duplicate(_) => StoreError::Duplicate(format!("用户 {username}")),
            other => other,
        })?;
        audit_in(
            &mut tx,
            actor,
            "user.create",
            &format!("user:{id}"),
            Some(&format!("{username} {}", user.role)),
        )
        .await?;
        tx.commit().await?;
        Ok(User {
            id,
            username: username.to_owned(),
            display_name: user.display_name.to_owned(),
            role: user.role,
            org_id: user.org_id,
        })
    }

    async fn set_password(&self, username: &str, password: &str, actor: Option<i64>) -> Result<()> {
        let hash = password::hash(password).await?;
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(hash)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        audit_in(
            &mut tx,
            actor,
            "user.passwd",
            &format!("user:{username}"),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT id, username, display_name, role, org_id, password_hash FROM users \
             WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let stored = match &row {
            Some(row) => Some(row.try_get::<String, _>("password_hash")?),
            None => None,
        };
        if password::verify(password, stored).await {
            // A right password implies a row.
            row.as_ref().map(user_from).transpose()
        } else {
            Ok(None)
        }
    }

    async fn get_user(&self, id: i64) -> Result<Option<User>> {
        let row =
            sqlx::query("SELECT id, username, display_name, role, org_id FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(user_from).transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let rows =
            sqlx::query("SELECT id, username, display_name, role, org_id FROM users ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(user_from).collect()
    }

    async fn record_login_failure(&self, key: &str, at: i64) -> Result<()> {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn login_failures_since(&self, key: &str, since: i64) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2")
                .bind(key)
                .bind(since)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session_create(&self, id: &str, data: &str, expiry: i64) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO sessions (id, data, expiry) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(data)
        .bind(expiry)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn session_save(&self, id: &str, data: &str, expiry: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, data, expiry) VALUES ($1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry = excluded.expiry",
        )
        .bind(id)
        .bind(data)
        .bind(expiry)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_load(&self, id: &str, now: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT data FROM sessions WHERE id = $1 AND expiry > $2")
                .bind(id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn session_delete(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: i64) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expiry <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn create_evaluation(
        &self,
        org_id: i64,
        form: &Evaluation,
        scored: &Scored,
        actor: i64,
    ) -> Result<EvaluationRecord> {
        let data = form_to_json(form)?;
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO evaluations (org_id, year, project, department, unit, status, version, \
             data, total, grade, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, $11, $10, $11) RETURNING id",
        )
        .bind(org_id)
        .bind(form.year.map(i64::from))
        .bind(form.project.as_deref())
        .bind(form.department.as_deref())
        .bind(form.unit.as_deref())
        .bind(Status::Draft.as_str())
        .bind(&data)
        .bind(scored.total.as_deref())
        .bind(scored.grade.as_deref())
        .bind(actor)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        history_in(
            &mut tx,
            id,
            1,
            "create",
            Status::Draft,
            actor,
            now,
            None,
            &data,
        )
        .await?;
        audit_in(
            &mut tx,
            Some(actor),
            "evaluation.create",
            &format!("evaluation:{id}"),
            form.project.as_deref(),
        )
        .await?;
        let record = self.load_record(Some(&mut tx), id).await?;
        tx.commit().await?;
        record.ok_or(StoreError::NotFound)
    }

    async fn get_evaluation(&self, id: i64) -> Result<Option<EvaluationRecord>> {
        self.load_record(None, id).await
    }

    async fn list_evaluations(&self, filter: &ListFilter) -> Result<Vec<EvaluationSummary>> {
        let (clause, args) = where_clause(filter);
        let limit = filter.limit.unwrap_or(100).clamp(1, 10_000);
        let offset = filter.offset.unwrap_or(0).max(0);
        let sql = format!(
            "SELECT {EVAL_COLUMNS} FROM evaluations{clause} ORDER BY id DESC \
             LIMIT {limit} OFFSET {offset}"
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(summary_from).collect()
    }

    async fn count_evaluations(&self, filter: &ListFilter) -> Result<i64> {
        let (clause, args) = where_clause(filter);
        let sql = format!("SELECT COUNT(*) AS n FROM evaluations{clause}");
        let row = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn update_evaluation(
        &self,
        id: i64,
        version: i64,
        form: &Evaluation,
        scored: &Scored,
        actor: i64,
    ) -> Result<EvaluationRecord> {
        let data = form_to_json(form)?;
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let current = self
            .load_record(Some(&mut tx), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if current.summary.version != version {
            return Err(StoreError::Conflict {
                current: current.summary.version,
            });
        }
        if !current.summary.status.is_editable() {
            return Err(StoreError::NotEditable {
                status: current.summary.status,
            });
        }
        let done = sqlx::query(
            "UPDATE evaluations SET year = $1, project = $2, department = $3, unit = $4, \
             data = $5, total = $6, grade = $7, updated_by = $8, updated_at = $9, \
             version = version + 1 WHERE id = $10 AND version = $11",
        )
        .bind(form.year.map(i64::from))
        .bind(form.project.as_deref())
        .bind(form.department.as_deref())
        .bind(form.unit.as_deref())
        .bind(&data)
        .bind(scored.total.as_deref())
        .bind(scored.grade.as_deref())
        .bind(actor)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            // Another writer got in between (PostgreSQL, read committed).
            return Err(StoreError::Conflict {
                current: version + 1,
            });
        }
        let status = current.summary.status;
        history_in(
            &mut tx,
            id,
            version + 1,
            "update",
            status,
            actor,
            now,
            None,
            &data,
        )
        .await?;
        audit_in(
            &mut tx,
            Some(actor),
            "evaluation.update",
            &format!("evaluation:{id}"),
            Some(&format!("version {}", version + 1)),
        )
        .await?;
        let record = self.load_record(Some(&mut tx), id).await?;
        tx.commit().await?;
        record.ok_or(StoreError::NotFound)
    }

    async fn transition(
        &self,
        id: i64,
        version: Option<i64>,
        to: Status,
        actor: i64,
        reason: Option<&str>,
    ) -> Result<EvaluationRecord> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let current = self
            .load_record(Some(&mut tx), id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let from = current.summary.status;
        let at_version = current.summary.version;
        if version.is_some_and(|v| v != at_version) {
            return Err(StoreError::Conflict {
                current: at_version,
            });
        }
        if !from.can_become(to) {
            return Err(StoreError::InvalidTransition { from, to });
        }
        let done = sqlx::query(
            "UPDATE evaluations SET status = $1, updated_by = $2, updated_at = $3, \
             version = version + 1 WHERE id = $4 AND version = $5 AND status = $6",
        )
        .bind(to.as_str())
        .bind(actor)
        .bind(now)
        .bind(id)
        .bind(at_version)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                current: at_version + 1,
            });
        }
        let data = form_to_json(&current.form)?;
        history_in(
            &mut tx,
            id,
            at_version + 1,
            to.as_str(),
            to,
            actor,
            now,
            reason,
            &data,
        )
        .await?;
        audit_in(
            &mut tx,
            Some(actor),
            &format!("evaluation.{}", to.as_str()),
            &format!("evaluation:{id}"),
            reason,
        )
        .await?;
        let record = self.load_record(Some(&mut tx), id).await?;
        tx.commit().await?;
        record.ok_or(StoreError::NotFound)
    }

    async fn history(&self, id: i64) -> Result<Vec<HistoryEntry>> {
        let rows = sqlx::query(
            "SELECT h.id, h.evaluation_id, h.version, h.action, h.status, h.actor_id, \
             u.username, h.at, h.reason, h.data FROM evaluation_history h \
             LEFT JOIN users u ON u.id = h.actor_id WHERE h.evaluation_id = $1 ORDER BY h.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let data: String = row.try_get("data")?;
                Ok(HistoryEntry {
                    id: row.try_get("id")?,
                    evaluation_id: row.try_get("evaluation_id")?,
                    version: row.try_get("version")?,
                    action: row.try_get("action")?,
                    status: status_from(row.try_get("status")?)?,
                    actor_id: row.try_get("actor_id")?,
                    actor: row.try_get("username")?,
                    at: row.try_get("at")?,
                    reason: row.try_get("reason")?,
                    form: form_from_json(&data)?,
                })
            })
            .collect()
    }

    async fn add_comment(
        &self,
        evaluation_id: i64,
        indicator: Option<i64>,
        author: i64,
        body: &str,
    ) -> Result<Comment> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM evaluations WHERE id = $1")
            .bind(evaluation_id)
            .fetch_one(&mut *tx)
            .await?;
        if exists == 0 {
            return Err(StoreError::NotFound);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (evaluation_id, indicator, author_id, at, body) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(evaluation_id)
        .bind(indicator)
        .bind(author)
        .bind(now)
        .bind(body)
        .fetch_one(&mut *tx)
        .await?;
        audit_in(
            &mut tx,
            Some(author),
            "comment.create",
            &format!("evaluation:{evaluation_id}"),
            Some(body),
        )
        .await?;
        let username: String = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
            .bind(author)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Comment {
            id,
            evaluation_id,
            indicator,
            author_id: author,
            author: username,
            at: now,
            body: body.to_owned(),
        })
    }

    async fn comments(&self, evaluation_id: i64) -> Result<Vec<Comment>> {
        let rows = sqlx::query(
            "SELECT c.id, c.evaluation_id, c.indicator, c.author_id, u.username, c.at, c.body \
             FROM comments c JOIN users u ON u.id = c.author_id WHERE c.evaluation_id = $1 \
             ORDER BY c.id",
        )
        .bind(evaluation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Comment {
                    id: row.try_get("id")?,
                    evaluation_id: row.try_get("evaluation_id")?,
                    indicator: row.try_get("indicator")?,
                    author_id: row.try_get("author_id")?,
                    author: row.try_get("username")?,
                    at: row.try_get("at")?,
                    body: row.try_get("body")?,
                })
            })
            .collect()
    }

    async fn audit(
        &self,
        actor: Option<i64>,
        action: &str,
        target: &str,
        detail: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        audit_in(&mut tx, actor, action, target, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor_id, action, target, detail FROM audit_log ORDER BY id DESC \
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor_id: row.try_get("actor_id")?,
                    action: row.try_get("action")?,
                    target: row.try_get("target")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }
}
