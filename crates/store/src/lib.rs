//! Jixiao's storage (存储): one small [`Store`] trait — organisations, users, sessions,
//! evaluations with their workflow status, version and history, comments, the audit log — and
//! its implementation [`SqlStore`] over sqlx's `AnyPool`, for SQLite (the embedded default) and
//! PostgreSQL (shared deployments).
//!
//! Invariants:
//! - Every write is one transaction, and writes its audit-log line in the same transaction.
//! - Saves use optimistic locking: a stale `version` is [`StoreError::Conflict`], never a lost
//!   update.
//! - Money is never a float: forms are stored as canonical JSON (decimals as strings) and the
//!   computed total as canonical decimal text.
//! - The store does not score: the caller passes the engine's verdict ([`Scored`]).
//! - Database URLs are redacted in `Debug` and in logs ([`DbUrl`]).
#![forbid(unsafe_code)]

pub mod backup;
mod migrate;
pub mod model;
mod password;
mod sql;
pub mod testing;

/// How many of its latest versions a form page shows. A form edited all year can have
/// thousands; loading them all made each view slower and bigger as the history grew (the soak
/// in docs/RELIABILITY.md §4). The whole history stays in `history` / `history_lines`.
pub const PAGE_HISTORY: i64 = 50;

/// The diff of two versions of a form, kept with each history entry.
pub mod diff;

pub use model::{
    now_ms, path_contains, AuditEntry, Comment, Counts, EvaluationPage, EvaluationRecord,
    EvaluationSummary, HistoryEntry, HistoryLine, ListFilter, ListPage, NewUser, Org, OrgKind,
    Role, Scored, Sort, Status, User, UserChange,
};
pub use sql::SqlStore;

use async_trait::async_trait;
use jixiao_core::Evaluation;
use std::fmt;

/// What can go wrong in the store. Messages are Chinese first, English beside.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("未找到 (not found)")]
    NotFound,
    #[error("数据已被他人修改，当前版本为 {current}，请刷新后重试 (stale version: the record is now at version {current}; reload and retry)")]
    Conflict { current: i64 },
    #[error("状态为「{}」的表不能修改 (a form in status {status} cannot be edited)", .status.label_zh())]
    NotEditable { status: Status },
    #[error("不能从「{}」转为「{}」 (no transition from {from} to {to})", .from.label_zh(), .to.label_zh())]
    InvalidTransition { from: Status, to: Status },
    #[error("已存在：{0} (already exists)")]
    Duplicate(String),
    #[error("无效的数据：{0} (invalid data)")]
    Invalid(String),
    #[error("数据库错误 (database error): {0}")]
    Database(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            if db.is_unique_violation() {
                return StoreError::Duplicate(db.message().to_string());
            }
        }
        // sqlx errors do not carry the connection URL; keep only their message.
        StoreError::Database(error.to_string())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A database URL whose password never shows in `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl(String);

impl DbUrl {
    pub fn new(url: impl Into<String>) -> Self {
        DbUrl(url.into())
    }
    /// The real URL, for connecting only.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_sqlite(&self) -> bool {
        self.0.starts_with("sqlite:")
    }
    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres:") || self.0.starts_with("postgresql:")
    }
    /// `postgres://user:***@host/db`; query parameters dropped (they may hold a password too).
    pub fn redacted(&self) -> String {
        let url = self.0.split('?').next().unwrap_or_default();
        let Some((scheme, rest)) = url.split_once("://") else {
            return url.to_string();
        };
        match rest.rsplit_once('@') {
            Some((auth, host)) => {
                let user = auth.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}:***@{host}")
            }
            None => format!("{scheme}://{rest}"),
        }
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({})", self.redacted())
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The storage interface of the web application and the `jixiao user` commands.
///
/// `actor` arguments are user ids recorded in history and the audit log.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    // Organisations.
    async fn create_org(&self, name: &str, kind: OrgKind, parent_id: Option<i64>) -> Result<Org>;
    async fn list_orgs(&self) -> Result<Vec<Org>>;

    // Users.
    async fn create_user(&self, user: NewUser<'_>, actor: Option<i64>) -> Result<User>;
    async fn set_password(&self, username: &str, password: &str, actor: Option<i64>) -> Result<()>;
    /// The user, when the password is right; `None` for an unknown user or a wrong password
    /// (the same time is spent on both).
    async fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>>;
    async fn get_user(&self, id: i64) -> Result<Option<User>>;
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Change a user's name, role, organisation or 停用 flag; disabling ends their sessions.
    async fn update_user(&self, id: i64, change: &UserChange, actor: i64) -> Result<User>;

    // Login throttling.
    async fn record_login_failure(&self, key: &str, at: i64) -> Result<()>;
    async fn login_failures_since(&self, key: &str, since: i64) -> Result<i64>;
    async fn clear_login_failures(&self, key: &str) -> Result<()>;

    // Sessions (opaque data, expiry in Unix seconds, the logged-in user's id if any).
    /// Insert a new session; `Ok(false)` when the id is taken.
    async fn session_create(
        &self,
        id: &str,
        data: &str,
        expiry: i64,
        user_id: Option<i64>,
    ) -> Result<bool>;
    async fn session_save(
        &self,
        id: &str,
        data: &str,
        expiry: i64,
        user_id: Option<i64>,
    ) -> Result<()>;
    /// The session's data if it exists and has not expired at `now`, with its user when that
    /// user exists and is not disabled: one indexed query.
    async fn session_load(&self, id: &str, now: i64) -> Result<Option<(String, Option<User>)>>;
    /// [`Store::session_load`] and, when the session has a user, [`Store::evaluation_page`]
    /// of form `id`, in one statement (the form page: one round trip instead of two). The
    /// page is `None` when the form does not exist or the session has no user.
    async fn session_evaluation_page(
        &self,
        session: &str,
        now: i64,
        id: i64,
    ) -> Result<Option<(String, Option<User>, Option<EvaluationPage>)>>;
    /// [`Store::session_load`] and, when the session has a user, [`Store::list_page`] of
    /// `filter`, in one statement. The caller guesses the filter (it depends on the user) and
    /// must check it against the user returned before using the page.
    async fn session_list_page(
        &self,
        session: &str,
        now: i64,
        filter: &ListFilter,
    ) -> Result<Option<(String, Option<User>, Option<ListPage>)>>;
    async fn session_delete(&self, id: &str) -> Result<()>;
    async fn delete_expired_sessions(&self, now: i64) -> Result<u64>;

    // Evaluations.
    async fn create_evaluation(
        &self,
        org_id: i64,
        form: &Evaluation,
        scored: &Scored,
        actor: i64,
    ) -> Result<EvaluationRecord>;
    /// Several new drafts in one transaction: all are stored or none (an import request).
    async fn create_evaluations(
        &self,
        org_id: i64,
        forms: &[(&Evaluation, Scored)],
        actor: i64,
    ) -> Result<Vec<EvaluationRecord>>;
    async fn get_evaluation(&self, id: i64) -> Result<Option<EvaluationRecord>>;
    /// The form with its comments and its latest [`PAGE_HISTORY`] history entries (the form
    /// page), in one query.
    async fn evaluation_page(&self, id: i64) -> Result<Option<EvaluationPage>>;
    /// A page of the filter's forms, its counts by status and the organisations (the list
    /// page), in one query.
    async fn list_page(&self, filter: &ListFilter) -> Result<ListPage>;
    async fn list_evaluations(&self, filter: &ListFilter) -> Result<Vec<EvaluationSummary>>;
    async fn count_evaluations(&self, filter: &ListFilter) -> Result<i64>;
    /// The filtered forms counted by status, in one `GROUP BY` (the filter's own status is
    /// ignored, so that the counts show every status).
    async fn count_by_status(&self, filter: &ListFilter) -> Result<Counts>;
    /// The filtered forms counted by computed grade (`None`: no grade).
    async fn count_by_grade(&self, filter: &ListFilter) -> Result<Vec<(Option<String>, i64)>>;
    /// The years that have forms under the filter, latest first.
    async fn years(&self, filter: &ListFilter) -> Result<Vec<i64>>;
    /// The finding codes most forms of the filter have, with how many forms have each.
    async fn top_codes(&self, filter: &ListFilter, limit: i64) -> Result<Vec<(String, i64)>>;
    /// Forms after id `after` whose stored verdict is missing or was computed with another
    /// profile, in id order.
    async fn needs_derive(&self, profile: &str, after: i64, limit: i64) -> Result<Vec<i64>>;
    /// Store a recomputed verdict for `version` (not a new version: the content is
    /// unchanged); `Ok(false)` when the form has moved on meanwhile.
    async fn set_derived(&self, id: i64, version: i64, scored: &Scored) -> Result<bool>;
    /// Save a new content. Fails with [`StoreError::Conflict`] when `version` is stale and with
    /// [`StoreError::NotEditable`] unless the form is a draft or returned.
    async fn update_evaluation(
        &self,
        id: i64,
        version: i64,
        form: &Evaluation,
        scored: &Scored,
        actor: i64,
    ) -> Result<EvaluationRecord>;
    /// Move a form to `to`, checked against [`Status::can_become`]; `version`, when given, must
    /// be current. Recorded in the history with `reason`.
    async fn transition(
        &self,
        id: i64,
        version: Option<i64>,
        to: Status,
        actor: i64,
        reason: Option<&str>,
    ) -> Result<EvaluationRecord>;
    async fn history(&self, id: i64) -> Result<Vec<HistoryEntry>>;
    /// The history without the stored forms, each entry with its changes (kept at save time).
    async fn history_lines(&self, id: i64) -> Result<Vec<HistoryLine>>;

    // Comments.
    async fn add_comment(
        &self,
        evaluation_id: i64,
        indicator: Option<i64>,
        author: i64,
        body: &str,
    ) -> Result<Comment>;
    async fn comments(&self, evaluation_id: i64) -> Result<Vec<Comment>>;

    // Audit log.
    async fn audit(
        &self,
        actor: Option<i64>,
        action: &str,
        target: &str,
        detail: Option<&str>,
    ) -> Result<()>;
    async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        let url = DbUrl::new("postgres://jixiao:s3cret@db.example:5432/jixiao?password=x");
        assert_eq!(
            url.redacted(),
            "postgres://jixiao:***@db.example:5432/jixiao"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        assert!(!format!("{url}").contains("s3cret"));
        assert_eq!(
            DbUrl::new("sqlite://jixiao.db").redacted(),
            "sqlite://jixiao.db"
        );
    }

    #[test]
    fn the_state_machine() {
        use Status::*;
        assert!(Draft.can_become(Submitted));
        assert!(Returned.can_become(Submitted));
        assert!(Submitted.can_become(Approved));
        assert!(Submitted.can_become(Returned));
        assert!(Approved.can_become(SpotChecked));
        assert!(!Draft.can_become(Approved));
        assert!(!SpotChecked.can_become(Draft));
        assert!(Draft.is_editable() && Returned.is_editable() && !Submitted.is_editable());
    }
}
