//! [`SqlStore`]: the [`Store`] over sqlx's `AnyPool` (SQLite or PostgreSQL).
//!
//! Queries are checked at run time (the compile-time macros do not work with `Any`) and use
//! `$n` placeholders, which both backends accept. Every type crossing the boundary is one the
//! `Any` driver carries on both backends: `BIGINT`/`INTEGER` as `i64`, `TEXT` as `String`.

use crate::model::*;
use crate::PAGE_HISTORY;
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
                            total, grade, error_count, warning_count, created_at, updated_at";
const USER_COLUMNS: &str = "id, username, display_name, role, org_id, disabled";

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
        // 200 clients share these. SQLite: one worker thread per connection and WAL readers in
        // parallel; more threads than cores only add context switches. PostgreSQL: a few more
        // than its cores, to keep them busy while others wait on the network; 32 backends
        // cost more CPU per query than 8 (measured on 2 cores: docs/BENCHMARKS.md, Web).
        // `JIXIAO_POOL_SIZE` overrides (for measuring, or a database server with more cores).
        let size = std::env::var("JIXIAO_POOL_SIZE")
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
            .filter(|n| (1..=1000).contains(n))
            .unwrap_or(if postgres { 8 } else { 4 });
        let pool = AnyPoolOptions::new()
            .max_connections(size)
            .min_connections(size.min(if postgres { 8 } else { 2 }))
            // A ping before every query doubles the round trips (a broken connection still
            // fails its query and is replaced).
            .test_before_acquire(false)
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

    /// An aggregate giving the rows it runs over as one JSON array (`[{…}, …]`, in `order`).
    /// A page of 50 forms is then one row on the wire instead of 50: sqlx's SQLite driver
    /// hands every row over from its worker thread on its own, and on 2 cores under 200
    /// clients those hand-overs (context switches, one `AnyRow` each) cost more than the
    /// queries. `pairs` is `'key', column, …` (SQLite `json_object`, PostgreSQL
    /// `json_build_object`).
    fn json_agg(&self, pairs: &str, order: &str) -> String {
        if self.postgres {
            format!("COALESCE(json_agg(json_build_object({pairs}) ORDER BY {order}), '[]')::text")
        } else {
            format!("COALESCE(json_group_array(json_object({pairs}) ORDER BY {order}), '[]')")
        }
    }

    /// The rows of `from` as one JSON array, decoded (see [`Self::json_agg`]).
    async fn json_rows<T: serde::de::DeserializeOwned>(
        &self,
        pairs: &str,
        order: &str,
        from: &str,
        args: Vec<Arg>,
    ) -> Result<Vec<T>> {
        let sql = format!("SELECT {} AS rows FROM {from}", self.json_agg(pairs, order));
        let text: String = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_one(&self.pool)
            .await?
            .try_get("rows")?;
        decode_json(&text)
    }

    /// The page of [`Self::page_from`] as one JSON array of [`EvaluationSummary`] objects.
    ///
    /// PostgreSQL aggregates the page's rows themselves (`json_agg(page)`, the columns named as
    /// the JSON keys): `json_build_object` looks up the output function of each argument on
    /// every call, and with 50 rows × 14 columns that was half of PostgreSQL's CPU per list
    /// view (`perf record`; with `pgbench`, 0.33 → 0.22 ms per query: docs/BENCHMARKS.md, Web).
    fn summary_agg(&self, order: &str) -> String {
        if self.postgres {
            format!("COALESCE(json_agg(page ORDER BY {order}), '[]')::text")
        } else {
            self.json_agg(SUMMARY_PAIRS, order)
        }
    }

    /// `FROM …` of a page of a filter's forms, numbering its placeholders after `args`.
    fn page_from(&self, filter: &ListFilter, args: &mut Vec<Arg>) -> (String, String) {
        let clause = where_clause_with(filter, false, args);
        let limit = filter.limit.unwrap_or(100).clamp(1, 10_000);
        let offset = filter.offset.unwrap_or(0).max(0);
        let dir = if filter.ascending { "ASC" } else { "DESC" };
        // Nulls last on both backends (SQLite puts them first, PostgreSQL last, by default);
        // ties by id so that paging is stable.
        let order = match filter.sort {
            Sort::Id => format!("id {dir}"),
            sort => {
                let col = sort.column();
                format!("({col} IS NULL), {col} {dir}, id {dir}")
            }
        };
        (
            format!(
                "(SELECT {}, total_e4 FROM evaluations{clause} ORDER BY {order} \
                 LIMIT {limit} OFFSET {offset}) page",
                if self.postgres {
                    SUMMARY_KEYS
                } else {
                    EVAL_COLUMNS
                }
            ),
            order,
        )
    }

    /// `SELECT status, n …` of a filter's counts by status (the status filter ignored),
    /// numbering its placeholders after `args`.
    fn counts_select(filter: &ListFilter, args: &mut Vec<Arg>) -> String {
        let filter = ListFilter {
            status: None,
            ..filter.clone()
        };
        if countable(&filter) {
            let clause = where_clause_with(&filter, true, args);
            format!(
                "SELECT status, CAST(SUM(n) AS BIGINT) AS n FROM evaluation_counts{clause} \
                 GROUP BY status HAVING SUM(n) > 0"
            )
        } else {
            let clause = where_clause_with(&filter, false, args);
            format!("SELECT status, COUNT(*) AS n FROM evaluations{clause} GROUP BY status")
        }
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

fn user_from(row: &AnyRow) -> Result<User> {
    user_from_columns(
        row,
        [
            "id",
            "username",
            "display_name",
            "role",
            "org_id",
            "disabled",
        ],
    )
}

/// The names [`session_and_page`] gives the user's columns beside a page's.
const USER_COLUMNS_PREFIXED: [&str; 6] = [
    "user_id",
    "user_username",
    "user_display_name",
    "user_role",
    "user_org_id",
    "user_disabled",
];

/// One statement for a page and the request's session: the session `$1` alive at `$2`, its
/// user if not disabled, and the page (`page`, a `SELECT`, its `columns` taken from alias `p`)
/// joined only when that user exists — a request without a live user reads no page.
fn session_and_page(page: &str, columns: &str) -> String {
    format!(
        "SELECT s.data AS session_data, u.id AS user_id, u.username AS user_username, \
         u.display_name AS user_display_name, u.role AS user_role, \
         u.org_id AS user_org_id, u.disabled AS user_disabled, {columns} \
         FROM sessions s LEFT JOIN users u ON u.id = s.user_id AND u.disabled = 0 \
         LEFT JOIN ({page}) p ON u.id IS NOT NULL \
         WHERE s.id = $1 AND s.expiry > $2"
    )
}

/// The session's data and its live user from a row of [`session_and_page`].
fn session_of(row: &AnyRow) -> Result<(String, Option<User>)> {
    let data: String = row.try_get("session_data")?;
    let user = match row.try_get::<Option<i64>, _>("user_id")? {
        Some(_) => Some(user_from_columns(row, USER_COLUMNS_PREFIXED)?),
        None => None,
    };
    Ok((data, user))
}

/// A user from the columns named `[id, username, display_name, role, org_id, disabled]`.
fn user_from_columns(
    row: &AnyRow,
    [id, username, display_name, role, org_id, disabled]: [&str; 6],
) -> Result<User> {
    let role: String = row.try_get(role)?;
    Ok(User {
        id: row.try_get(id)?,
        username: row.try_get(username)?,
        display_name: row.try_get(display_name)?,
        role: Role::parse(&role).ok_or(StoreError::Invalid(role))?,
        org_id: row.try_get(org_id)?,
        disabled: row.try_get::<i64, _>(disabled)? != 0,
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
        errors: row.try_get("error_count")?,
        warnings: row.try_get("warning_count")?,
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

/// A computed total as an exact integer in ten-thousandths, for sorting (`98.5` → 985000).
fn total_e4(total: Option<&str>) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive as _;
    let d: rust_decimal::Decimal = total?.trim().parse().ok()?;
    // A total too large for the key (it was typed, or read from a form) has none.
    d.checked_mul(rust_decimal::Decimal::from(10_000))?
        .round()
        .to_i64()
}

/// Keep a verdict with the current version: its columns and its finding codes.
async fn verdict_in(tx: &mut Tx, id: i64, scored: &Scored) -> Result<()> {
    sqlx::query(
        "UPDATE evaluations SET total = $1, grade = $2, error_count = $3, warning_count = $4, \
         total_e4 = $5, derived = $6, derived_profile = $7 WHERE id = $8",
    )
    .bind(scored.total.as_deref())
    .bind(scored.grade.as_deref())
    .bind(scored.errors)
    .bind(scored.warnings)
    .bind(total_e4(scored.total.as_deref()))
    .bind(scored.derived.as_deref())
    .bind(scored.profile.as_deref())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM evaluation_findings WHERE evaluation_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (code, n) in &scored.codes {
        sqlx::query("INSERT INTO evaluation_findings (evaluation_id, code, n) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(code.as_str())
            .bind(*n)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The list page from a row of [`SqlStore::list_page_select`].
fn list_page_of(row: &AnyRow) -> Result<ListPage> {
    let items: String = row.try_get("items")?;
    let counts: String = row.try_get("counts")?;
    let orgs: String = row.try_get("orgs")?;
    Ok(ListPage {
        items: decode_json(&items)?,
        counts: counts_from(decode_json(&counts)?)?,
        orgs: orgs_from(decode_json(&orgs)?)?,
    })
}

fn decode_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Invalid(format!("json rows: {e}")))
}

const SUMMARY_PAIRS: &str = "'id', id, 'org_id', org_id, 'year', year, 'project', project, \
     'department', department, 'unit', unit, 'status', status, 'version', version, \
     'total', total, 'grade', grade, 'errors', error_count, 'warnings', warning_count, \
     'created_at', created_at, 'updated_at', updated_at";
/// The columns of [`EVAL_COLUMNS`] named as [`SUMMARY_PAIRS`]' keys (for `json_agg(page)`).
const SUMMARY_KEYS: &str = "id, org_id, year, project, department, unit, status, version, \
     total, grade, error_count AS errors, warning_count AS warnings, created_at, updated_at";
const ORG_PAIRS: &str =
    "'id', id, 'parent_id', parent_id, 'name', name, 'kind', kind, 'path', path";
const COMMENT_PAIRS: &str = "'id', c.id, 'evaluation_id', c.evaluation_id, \
     'indicator', c.indicator, 'author_id', c.author_id, 'author', u.username, 'at', c.at, \
     'body', c.body";
const HISTORY_PAIRS: &str = "'version', h.version, 'action', h.action, 'status', h.status, \
     'actor', u.username, 'at', h.at, 'reason', h.reason, 'changes', h.changes";

#[derive(serde::Deserialize)]
struct OrgJson {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    kind: String,
    path: Option<String>,
}

fn orgs_from(rows: Vec<OrgJson>) -> Result<Vec<Org>> {
    rows.into_iter()
        .map(|o| {
            Ok(Org {
                id: o.id,
                parent_id: o.parent_id,
                name: o.name,
                kind: OrgKind::parse(&o.kind).ok_or(StoreError::Invalid(o.kind))?,
                path: o.path.unwrap_or_else(|| format!("/{}/", o.id)),
            })
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct HistoryJson {
    version: i64,
    action: String,
    status: String,
    actor: Option<String>,
    at: i64,
    reason: Option<String>,
    changes: Option<String>,
}

/// History lines; `None` when an entry was saved before changes were kept (migration 0003).
fn history_from(rows: Vec<HistoryJson>) -> Result<Option<Vec<HistoryLine>>> {
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(changes) = row.changes else {
            return Ok(None);
        };
        lines.push(HistoryLine {
            version: row.version,
            action: row.action,
            status: status_from(row.status)?,
            actor: row.actor,
            at: row.at,
            reason: row.reason,
            changes: serde_json::from_str(&changes)
                .map_err(|e| StoreError::Invalid(format!("stored changes: {e}")))?,
        });
    }
    Ok(Some(lines))
}

#[derive(serde::Deserialize)]
struct CountJson {
    status: String,
    n: i64,
}

fn counts_from(rows: Vec<CountJson>) -> Result<Counts> {
    let mut by_status = Vec::new();
    for row in rows {
        by_status.push((status_from(row.status)?, row.n));
    }
    by_status.sort_by_key(|(s, _)| Status::ALL.iter().position(|x| x == s));
    Ok(Counts { by_status })
}

fn changes_json(changes: &[String]) -> Result<String> {
    serde_json::to_string(changes).map_err(|e| StoreError::Invalid(e.to_string()))
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
    changes: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO evaluation_history (evaluation_id, version, action, status, actor_id, at, \
         reason, data, changes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(version)
    .bind(action)
    .bind(status.as_str())
    .bind(actor)
    .bind(at)
    .bind(reason)
    .bind(data)
    .bind(changes)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A bind value of a dynamically built query.
enum Arg {
    I64(i64),
    Text(String),
}

/// Add `delta` to the count of forms of (organisation, year, status, grade).
async fn count_in(
    tx: &mut Tx,
    org_id: i64,
    year: Option<i64>,
    status: Status,
    grade: Option<&str>,
    delta: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO evaluation_counts (org_id, year, status, grade, n) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, year, status, grade) \
         DO UPDATE SET n = evaluation_counts.n + excluded.n",
    )
    .bind(org_id)
    .bind(year.unwrap_or(0))
    .bind(status.as_str())
    .bind(grade.unwrap_or(""))
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether the counts table can answer this filter (no text search, no finding code).
fn countable(filter: &ListFilter) -> bool {
    filter.q.as_deref().is_none_or(|q| q.trim().is_empty())
        && filter.code.as_deref().is_none_or(|c| c.trim().is_empty())
}

/// `WHERE …` of a list filter, with its arguments.
fn where_clause(filter: &ListFilter) -> (String, Vec<Arg>) {
    where_clause_on(filter, false)
}

/// `WHERE …` of a list filter on `evaluations`, or on `evaluation_counts` (`counts`: where no
/// year and no grade are stored as 0 and '').
fn where_clause_on(filter: &ListFilter, counts: bool) -> (String, Vec<Arg>) {
    let mut args = Vec::new();
    let clause = where_clause_with(filter, counts, &mut args);
    (clause, args)
}

/// [`where_clause_on`] numbering its placeholders after the `args` already there (for one
/// query made of several filtered parts).
fn where_clause_with(filter: &ListFilter, counts: bool, args: &mut Vec<Arg>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let next = |args: &mut Vec<Arg>, arg: Arg| {
        args.push(arg);
        format!("${}", args.len())
    };
    if let Some(year) = filter.year {
        let p = next(args, Arg::I64(year));
        parts.push(format!("year = {p}"));
    }
    if let Some(status) = filter.status {
        let p = next(args, Arg::Text(status.as_str().into()));
        parts.push(format!("status = {p}"));
    }
    if let Some(statuses) = &filter.statuses {
        if statuses.is_empty() {
            parts.push("1 = 0".into());
        } else {
            let ps: Vec<String> = statuses
                .iter()
                .map(|s| next(args, Arg::Text(s.as_str().into())))
                .collect();
            parts.push(format!("status IN ({})", ps.join(", ")));
        }
    }
    if let Some(orgs) = &filter.org_ids {
        if orgs.is_empty() {
            parts.push("1 = 0".into());
        } else {
            let ps: Vec<String> = orgs.iter().map(|o| next(args, Arg::I64(*o))).collect();
            parts.push(format!("org_id IN ({})", ps.join(", ")));
        }
    }
    if let Some(org) = filter.within {
        let p = next(args, Arg::Text(format!("%/{org}/%")));
        parts.push(format!(
            "org_id IN (SELECT id FROM orgs WHERE path LIKE {p})"
        ));
    }
    for org in &filter.under {
        let p = next(args, Arg::Text(format!("%/{org}/%")));
        parts.push(format!(
            "org_id IN (SELECT id FROM orgs WHERE path LIKE {p})"
        ));
    }
    match filter.grade.as_deref().map(str::trim) {
        None => {}
        Some("") if counts => parts.push("grade = ''".into()),
        Some("") => parts.push("grade IS NULL".into()),
        Some(g) => {
            let p = next(args, Arg::Text(g.to_owned()));
            parts.push(format!("grade = {p}"));
        }
    }
    if let Some(code) = filter
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let p = next(args, Arg::Text(code.to_owned()));
        parts.push(format!(
            "id IN (SELECT evaluation_id FROM evaluation_findings WHERE code = {p})"
        ));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let p = next(args, Arg::Text(format!("%{escaped}%")));
        parts.push(format!(
            "(project LIKE {p} ESCAPE '\\' OR department LIKE {p} ESCAPE '\\' \
             OR unit LIKE {p} ESCAPE '\\')"
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", parts.join(" AND "))
    }
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
    /// A new draft in `tx` (with its verdict, counts, first history entry and audit line).
    async fn insert_evaluation(
        &self,
        tx: &mut Tx,
        org_id: i64,
        form: &Evaluation,
        scored: &Scored,
        actor: i64,
    ) -> Result<EvaluationRecord> {
        let data = form_to_json(form)?;
        let now = now_ms();
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
        .fetch_one(&mut **tx)
        .await?;
        verdict_in(&mut *tx, id, scored).await?;
        count_in(
            &mut *tx,
            org_id,
            form.year.map(i64::from),
            Status::Draft,
            scored.grade.as_deref(),
            1,
        )
        .await?;
        history_in(
            &mut *tx,
            id,
            1,
            "create",
            Status::Draft,
            actor,
            now,
            None,
            &data,
            "[]",
        )
        .await?;
        audit_in(
            &mut *tx,
            Some(actor),
            "evaluation.create",
            &format!("evaluation:{id}"),
            form.project.as_deref(),
        )
        .await?;
        let record = self.load_record(Some(tx), id).await?;
        record.ok_or(StoreError::NotFound)
    }

    async fn load_record(&self, tx: Option<&mut Tx>, id: i64) -> Result<Option<EvaluationRecord>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {EVAL_COLUMNS}, data, derived, derived_profile, \
             (SELECT path FROM orgs WHERE orgs.id = evaluations.org_id) AS org_path \
             FROM evaluations WHERE id = $1"
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
            derived: row.try_get("derived")?,
            derived_profile: row.try_get("derived_profile")?,
            org_path: row.try_get("org_path")?,
        }))
    }

    /// History lines of entries saved before their changes were kept (migration 0003): the
    /// stored forms are decoded and compared.
    /// The list page's query (one row: `items`, `counts`, `orgs`), numbering its placeholders
    /// after `args`.
    fn list_page_select(&self, filter: &ListFilter, args: &mut Vec<Arg>) -> String {
        let (from, order) = self.page_from(filter, args);
        let counts = Self::counts_select(filter, args);
        format!(
            "SELECT (SELECT {} FROM {from}) AS items, (SELECT {} FROM ({counts}) c) AS counts, \
             (SELECT {} FROM orgs) AS orgs",
            self.summary_agg(&order),
            self.json_agg("'status', status, 'n', n", "status"),
            self.json_agg(ORG_PAIRS, "id"),
        )
    }

    /// The form page's query: the form of id `param`, its organisation's path, its comments
    /// and its latest history entries as JSON.
    fn evaluation_page_select(&self, param: &str) -> String {
        format!(
            "SELECT {EVAL_COLUMNS}, data, derived, derived_profile, \
             (SELECT path FROM orgs WHERE orgs.id = evaluations.org_id) AS org_path, \
             (SELECT {} FROM comments c JOIN users u ON u.id = c.author_id \
              WHERE c.evaluation_id = evaluations.id) AS comments_json, \
             (SELECT {} FROM evaluation_history h LEFT JOIN users u ON u.id = h.actor_id \
              WHERE h.evaluation_id = evaluations.id \
              AND h.version > evaluations.version - {PAGE_HISTORY}) AS history_json \
             FROM evaluations WHERE id = {param}",
            self.json_agg(COMMENT_PAIRS, "c.id"),
            self.json_agg(HISTORY_PAIRS, "h.id"),
        )
    }

    /// The form page from a row of [`Self::evaluation_page_select`].
    async fn evaluation_page_of(&self, row: &AnyRow, id: i64) -> Result<EvaluationPage> {
        let data: String = row.try_get("data")?;
        let comments: String = row.try_get("comments_json")?;
        let history: String = row.try_get("history_json")?;
        let history = match history_from(decode_json(&history)?)? {
            Some(lines) => lines,
            None => self.legacy_history(id).await?,
        };
        Ok(EvaluationPage {
            record: EvaluationRecord {
                summary: summary_from(row)?,
                form: form_from_json(&data)?,
                derived: row.try_get("derived")?,
                derived_profile: row.try_get("derived_profile")?,
                org_path: row.try_get("org_path")?,
            },
            comments: decode_json(&comments)?,
            history,
        })
    }

    async fn legacy_history(&self, id: i64) -> Result<Vec<HistoryLine>> {
        let full = self.history(id).await?;
        Ok(full
            .iter()
            .enumerate()
            .map(|(i, h)| HistoryLine {
                version: h.version,
                action: h.action.clone(),
                status: h.status,
                actor: h.actor.clone(),
                at: h.at,
                reason: h.reason.clone(),
                changes: match i.checked_sub(1).and_then(|p| full.get(p)) {
                    Some(prev) => crate::diff::diff(&prev.form, &h.form),
                    None => Vec::new(),
                },
            })
            .collect())
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
        let parent_path: Option<String> = match parent_id {
            Some(parent) => sqlx::query_scalar("SELECT path FROM orgs WHERE id = $1")
                .bind(parent)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    StoreError::Invalid(format!("没有上级机构 {parent} (no such parent)"))
                })?,
            None => None,
        };
        let path = format!("{}{id}/", parent_path.as_deref().unwrap_or("/"));
        sqlx::query("UPDATE orgs SET path = $1 WHERE id = $2")
            .bind(&path)
            .bind(id)
            .execute(&mut *tx)
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
            path,
        })
    }

    async fn list_orgs(&self) -> Result<Vec<Org>> {
        orgs_from(self.json_rows(ORG_PAIRS, "id", "orgs", Vec::new()).await?)
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
            disabled: false,
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
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        let stored = match &row {
            Some(row) => Some(row.try_get::<String, _>("password_hash")?),
            None => None,
        };
        if password::verify(password, stored).await {
            // A right password implies a row; a disabled user is refused like a wrong password.
            Ok(row
                .as_ref()
                .map(user_from)
                .transpose()?
                .filter(|u| !u.disabled))
        } else {
            Ok(None)
        }
    }

    async fn get_user(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    async fn update_user(&self, id: i64, change: &UserChange, actor: i64) -> Result<User> {
        let mut tx = self.write_tx().await?;
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut user = user_from(&row)?;
        if let Some(name) = &change.display_name {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 64 {
                return Err(StoreError::Invalid(
                    "姓名须为 1–64 个字符 (the name must have 1–64 characters)".into(),
                ));
            }
            user.display_name = name.to_owned();
        }
        if let Some(role) = change.role {
            user.role = role;
        }
        if let Some(org) = change.org_id {
            if let Some(org) = org {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE id = $1")
                    .bind(org)
                    .fetch_one(&mut *tx)
                    .await?;
                if n == 0 {
                    return Err(StoreError::Invalid(
                        "没有这个机构 (no such organisation)".into(),
                    ));
                }
            }
            user.org_id = org;
        }
        if let Some(disabled) = change.disabled {
            user.disabled = disabled;
        }
        sqlx::query(
            "UPDATE users SET display_name = $1, role = $2, org_id = $3, disabled = $4 \
             WHERE id = $5",
        )
        .bind(&user.display_name)
        .bind(user.role.as_str())
        .bind(user.org_id)
        .bind(i64::from(user.disabled))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if user.disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        audit_in(
            &mut tx,
            Some(actor),
            "user.update",
            &format!("user:{id}"),
            Some(&format!(
                "{} {} org={} disabled={}",
                user.username,
                user.role,
                user.org_id
                    .map_or_else(|| "-".to_owned(), |o| o.to_string()),
                user.disabled
            )),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY id");
        let rows = sqlx::query(AssertSqlSafe(sql))
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

    async fn session_create(
        &self,
        id: &str,
        data: &str,
        expiry: i64,
        user_id: Option<i64>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO sessions (id, data, expiry, user_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(data)
        .bind(expiry)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn session_save(
        &self,
        id: &str,
        data: &str,
        expiry: i64,
        user_id: Option<i64>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, data, expiry, user_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry = excluded.expiry, \
             user_id = excluded.user_id",
        )
        .bind(id)
        .bind(data)
        .bind(expiry)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_load(&self, id: &str, now: i64) -> Result<Option<(String, Option<User>)>> {
        let row = sqlx::query(
            "SELECT s.data, u.id, u.username, u.display_name, u.role, u.org_id, u.disabled \
             FROM sessions s LEFT JOIN users u ON u.id = s.user_id AND u.disabled = 0 \
             WHERE s.id = $1 AND s.expiry > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data")?;
        let user_id: Option<i64> = row.try_get("id")?;
        let user = match user_id {
            Some(_) => Some(user_from(&row)?),
            None => None,
        };
        Ok(Some((data, user)))
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
        let mut tx = self.write_tx().await?;
        let record = self
            .insert_evaluation(&mut tx, org_id, form, scored, actor)
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn create_evaluations(
        &self,
        org_id: i64,
        forms: &[(&Evaluation, Scored)],
        actor: i64,
    ) -> Result<Vec<EvaluationRecord>> {
        let mut tx = self.write_tx().await?;
        let mut records = Vec::with_capacity(forms.len());
        for (form, scored) in forms {
            records.push(
                self.insert_evaluation(&mut tx, org_id, form, scored, actor)
                    .await?,
            );
        }
        tx.commit().await?;
        Ok(records)
    }

    async fn get_evaluation(&self, id: i64) -> Result<Option<EvaluationRecord>> {
        self.load_record(None, id).await
    }

    async fn evaluation_page(&self, id: i64) -> Result<Option<EvaluationPage>> {
        let sql = self.evaluation_page_select("$1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(Some(self.evaluation_page_of(&row, id).await?)),
            None => Ok(None),
        }
    }

    async fn session_evaluation_page(
        &self,
        session: &str,
        now: i64,
        id: i64,
    ) -> Result<Option<(String, Option<User>, Option<EvaluationPage>)>> {
        let sql = session_and_page(&self.evaluation_page_select("$3"), "p.*");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(session)
            .bind(now)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let (data, user) = session_of(&row)?;
        let page = match row.try_get::<Option<i64>, _>("id")? {
            Some(_) => Some(self.evaluation_page_of(&row, id).await?),
            None => None,
        };
        Ok(Some((data, user, page)))
    }

    async fn list_evaluations(&self, filter: &ListFilter) -> Result<Vec<EvaluationSummary>> {
        let mut args = Vec::new();
        let (from, order) = self.page_from(filter, &mut args);
        let sql = format!("SELECT {} AS rows FROM {from}", self.summary_agg(&order));
        let text: String = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_one(&self.pool)
            .await?
            .try_get("rows")?;
        decode_json(&text)
    }

    async fn list_page(&self, filter: &ListFilter) -> Result<ListPage> {
        let mut args = Vec::new();
        let sql = self.list_page_select(filter, &mut args);
        let row = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_one(&self.pool)
            .await?;
        list_page_of(&row)
    }

    async fn session_list_page(
        &self,
        session: &str,
        now: i64,
        filter: &ListFilter,
    ) -> Result<Option<(String, Option<User>, Option<ListPage>)>> {
        let mut args = vec![Arg::Text(session.to_owned()), Arg::I64(now)];
        let list = self.list_page_select(filter, &mut args);
        let sql = session_and_page(&list, "p.items, p.counts, p.orgs");
        let row = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let (data, user) = session_of(&row)?;
        let page = match user {
            Some(_) => Some(list_page_of(&row)?),
            None => None,
        };
        Ok(Some((data, user, page)))
    }

    async fn count_evaluations(&self, filter: &ListFilter) -> Result<i64> {
        let (clause, args) = where_clause(filter);
        let sql = format!("SELECT COUNT(*) AS n FROM evaluations{clause}");
        let row = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    async fn count_by_status(&self, filter: &ListFilter) -> Result<Counts> {
        let mut args = Vec::new();
        let select = Self::counts_select(filter, &mut args);
        let rows: Vec<CountJson> = self
            .json_rows(
                "'status', status, 'n', n",
                "status",
                &format!("({select}) c"),
                args,
            )
            .await?;
        counts_from(rows)
    }

    async fn count_by_grade(&self, filter: &ListFilter) -> Result<Vec<(Option<String>, i64)>> {
        let (sql, args) = if countable(filter) {
            let (clause, args) = where_clause_on(filter, true);
            (
                format!(
                    "SELECT grade, CAST(SUM(n) AS BIGINT) AS n FROM evaluation_counts{clause} GROUP BY grade \
                     HAVING SUM(n) > 0 ORDER BY grade"
                ),
                args,
            )
        } else {
            let (clause, args) = where_clause(filter);
            (
                format!(
                    "SELECT COALESCE(grade, '') AS grade, COUNT(*) AS n FROM evaluations{clause} \
                     GROUP BY COALESCE(grade, '') ORDER BY COALESCE(grade, '')"
                ),
                args,
            )
        };
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let grade: String = row.try_get("grade")?;
                Ok(((!grade.is_empty()).then_some(grade), row.try_get("n")?))
            })
            .collect()
    }

    async fn years(&self, filter: &ListFilter) -> Result<Vec<i64>> {
        let filter = ListFilter {
            year: None,
            q: None,
            code: None,
            ..filter.clone()
        };
        let (clause, args) = where_clause_on(&filter, true);
        let sql = format!(
            "SELECT year FROM evaluation_counts{clause} GROUP BY year HAVING SUM(n) > 0 \
             ORDER BY year DESC"
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_all(&self.pool)
            .await?;
        let mut years = Vec::new();
        for row in &rows {
            let y: i64 = row.try_get("year")?;
            if y != 0 {
                years.push(y);
            }
        }
        Ok(years)
    }

    async fn top_codes(&self, filter: &ListFilter, limit: i64) -> Result<Vec<(String, i64)>> {
        let (clause, args) = where_clause(filter);
        let limit = limit.clamp(1, 1000);
        let sql = format!(
            "SELECT code, COUNT(*) AS n FROM evaluation_findings \
             WHERE evaluation_id IN (SELECT id FROM evaluations{clause}) \
             GROUP BY code ORDER BY COUNT(*) DESC, code LIMIT {limit}"
        );
        let rows = bind_all(sqlx::query(AssertSqlSafe(sql)), args)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("code")?, row.try_get("n")?)))
            .collect()
    }

    async fn needs_derive(&self, profile: &str, after: i64, limit: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM evaluations WHERE id > $1 \
             AND (derived_profile IS NULL OR derived_profile <> $2) ORDER BY id LIMIT $3",
        )
        .bind(after)
        .bind(profile)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn set_derived(&self, id: i64, version: i64, scored: &Scored) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT org_id, year, status, grade, version FROM evaluations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(false) };
        if row.try_get::<i64, _>("version")? != version {
            return Ok(false);
        }
        let org_id: i64 = row.try_get("org_id")?;
        let year: Option<i64> = row.try_get("year")?;
        let status = status_from(row.try_get("status")?)?;
        let grade: Option<String> = row.try_get("grade")?;
        verdict_in(&mut tx, id, scored).await?;
        count_in(&mut tx, org_id, year, status, grade.as_deref(), -1).await?;
        count_in(&mut tx, org_id, year, status, scored.grade.as_deref(), 1).await?;
        tx.commit().await?;
        Ok(true)
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
        verdict_in(&mut tx, id, scored).await?;
        let status = current.summary.status;
        let was = &current.summary;
        count_in(
            &mut tx,
            was.org_id,
            was.year,
            status,
            was.grade.as_deref(),
            -1,
        )
        .await?;
        count_in(
            &mut tx,
            was.org_id,
            form.year.map(i64::from),
            status,
            scored.grade.as_deref(),
            1,
        )
        .await?;
        let changes = changes_json(&crate::diff::diff(&current.form, form))?;
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
            &changes,
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
        let was = &current.summary;
        count_in(
            &mut tx,
            was.org_id,
            was.year,
            from,
            was.grade.as_deref(),
            -1,
        )
        .await?;
        count_in(&mut tx, was.org_id, was.year, to, was.grade.as_deref(), 1).await?;
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
            "[]",
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

    async fn history_lines(&self, id: i64) -> Result<Vec<HistoryLine>> {
        let rows: Vec<HistoryJson> = self
            .json_rows(
                HISTORY_PAIRS,
                "h.id",
                "evaluation_history h LEFT JOIN users u ON u.id = h.actor_id \
                 WHERE h.evaluation_id = $1",
                vec![Arg::I64(id)],
            )
            .await?;
        match history_from(rows)? {
            Some(lines) => Ok(lines),
            None => self.legacy_history(id).await,
        }
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
        self.json_rows(
            COMMENT_PAIRS,
            "c.id",
            "comments c JOIN users u ON u.id = c.author_id WHERE c.evaluation_id = $1",
            vec![Arg::I64(evaluation_id)],
        )
        .await
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
