//! What the store keeps: organisations, users, evaluations with their workflow status,
//! history, comments and the audit log.

use jixiao_core::Evaluation;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A user's role (角色). What each role may reach is decided in `jixiao-web`; the store only
/// keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 填报人: fills in the forms of their own unit.
    Filler,
    /// 审核人: reviews the forms of the units under their department.
    Reviewer,
    /// 财政: sees everything, spot-checks approved forms.
    Finance,
    /// 管理员: users and organisations.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Filler, Role::Reviewer, Role::Finance, Role::Admin];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Filler => "filler",
            Role::Reviewer => "reviewer",
            Role::Finance => "finance",
            Role::Admin => "admin",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Filler => "填报人",
            Role::Reviewer => "审核人",
            Role::Finance => "财政",
            Role::Admin => "管理员",
        }
    }
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of an organisation in the tree 财政局 → 主管部门 → 实施单位.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 财政局
    Finance,
    /// 主管部门
    Department,
    /// 实施单位 / 预算单位
    Unit,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Finance => "finance",
            OrgKind::Department => "department",
            OrgKind::Unit => "unit",
        }
    }
    pub fn parse(text: &str) -> Option<OrgKind> {
        [OrgKind::Finance, OrgKind::Department, OrgKind::Unit]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// Workflow status (状态): 草稿 → 已提交 → 已退回 / 已审核 → 已抽查.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 草稿
    Draft,
    /// 已提交
    Submitted,
    /// 已退回
    Returned,
    /// 已审核
    Approved,
    /// 已抽查
    SpotChecked,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Approved,
        Status::SpotChecked,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Returned => "returned",
            Status::Approved => "approved",
            Status::SpotChecked => "spot_checked",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Submitted => "已提交",
            Status::Returned => "已退回",
            Status::Approved => "已审核",
            Status::SpotChecked => "已抽查",
        }
    }
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
    /// Only drafts and returned forms can be edited.
    pub fn is_editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
    /// Approved and spot-checked forms are public.
    pub fn is_public(self) -> bool {
        matches!(self, Status::Approved | Status::SpotChecked)
    }
    /// The state machine, regardless of who asks (roles are checked by the web tier).
    pub fn can_become(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Draft, Submitted)
                | (Returned, Submitted)
                | (Submitted, Returned)
                | (Submitted, Approved)
                | (Approved, Returned)
                | (Approved, SpotChecked)
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: OrgKind,
    /// Its ancestors and itself, `/1/2/3/` (路径): "under department 2" is `contains("/2/")`.
    pub path: String,
}

impl Org {
    /// Whether this organisation is `ancestor` or lies below it.
    pub fn is_under(&self, ancestor: i64) -> bool {
        path_contains(&self.path, ancestor)
    }
}

/// Whether an organisation path (`/1/2/3/`) names `id`.
pub fn path_contains(path: &str, id: i64) -> bool {
    path.contains(&format!("/{id}/"))
}

/// A user, without the password hash (which never leaves the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: Option<i64>,
    /// 停用: cannot log in; their sessions no longer count.
    #[serde(default)]
    pub disabled: bool,
}

/// What an administrator changes about a user (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    /// `Some(None)` clears the organisation.
    pub org_id: Option<Option<i64>>,
    pub disabled: Option<bool>,
}

/// A user to create. The password is hashed with argon2 by the store.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub org_id: Option<i64>,
}

impl fmt::Debug for NewUser<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("password", &"<redacted>")
            .field("role", &self.role)
            .field("org_id", &self.org_id)
            .finish()
    }
}

/// The engine's verdict kept beside each saved version, so that lists, filters, the dashboard
/// and the form page never run the engine (computed by the caller through
/// `jixiao_core::assess`; the store never scores). `total` is canonical decimal text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scored {
    pub total: Option<String>,
    pub grade: Option<String>,
    /// Findings of severity error / warning.
    pub errors: i64,
    pub warnings: i64,
    /// Each finding code with how often it occurs.
    pub codes: Vec<(String, i64)>,
    /// The caller's view of the assessment (opaque to the store; the web tier keeps JSON).
    pub derived: Option<String>,
    /// The rule profile `derived` was computed with (a fingerprint chosen by the caller).
    pub profile: Option<String>,
}

/// One stored evaluation, with its form.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRecord {
    pub summary: EvaluationSummary,
    pub form: Evaluation,
    /// [`Scored::derived`] of this version, and its profile.
    pub derived: Option<String>,
    pub derived_profile: Option<String>,
    /// The owning organisation's path (`/1/2/3/`), for scope checks without the org list.
    pub org_path: Option<String>,
}

/// A stored evaluation without its form (for lists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationSummary {
    pub id: i64,
    pub org_id: i64,
    pub year: Option<i64>,
    pub project: Option<String>,
    pub department: Option<String>,
    pub unit: Option<String>,
    pub status: Status,
    pub version: i64,
    /// Computed total (canonical decimal text).
    pub total: Option<String>,
    pub grade: Option<String>,
    /// Findings of severity error / warning of this version (`None`: not yet derived).
    pub errors: Option<i64>,
    pub warnings: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Filters of [`crate::Store::list_evaluations`].
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub year: Option<i64>,
    pub status: Option<Status>,
    /// Free text matched in project, department and unit.
    pub q: Option<String>,
    /// Only these organisations (`None`: all).
    pub org_ids: Option<Vec<i64>>,
    /// Only these statuses (`None`: all), e.g. the public list.
    pub statuses: Option<Vec<Status>>,
    /// The scope: only organisations at or below this one (a 审核人's department), besides
    /// `org_ids`.
    pub within: Option<i64>,
    /// The user's filter: only organisations at or below each of these (a 主管部门, a 实施单位).
    pub under: Vec<i64>,
    /// Computed grade (`优` …); `Some("")` means forms without a grade.
    pub grade: Option<String>,
    /// Only forms with this finding code.
    pub code: Option<String>,
    pub sort: Sort,
    /// Ascending; by default lists are descending (newest, highest, latest first).
    pub ascending: bool,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The column a list is sorted by (排序); ties are broken by id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// Creation order.
    #[default]
    Id,
    /// 项目名称
    Project,
    /// 实施单位
    Unit,
    /// 计算总分 (exact: a scaled integer)
    Total,
    /// 等级
    Grade,
    /// 状态
    Status,
    /// 最后修改
    Updated,
}

impl Sort {
    pub const ALL: [Sort; 7] = [
        Sort::Id,
        Sort::Project,
        Sort::Unit,
        Sort::Total,
        Sort::Grade,
        Sort::Status,
        Sort::Updated,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Id => "id",
            Sort::Project => "project",
            Sort::Unit => "unit",
            Sort::Total => "total",
            Sort::Grade => "grade",
            Sort::Status => "status",
            Sort::Updated => "updated",
        }
    }
    pub fn parse(text: &str) -> Option<Sort> {
        Sort::ALL.into_iter().find(|s| s.as_str() == text)
    }
    pub(crate) fn column(self) -> &'static str {
        match self {
            Sort::Id => "id",
            Sort::Project => "project",
            Sort::Unit => "unit",
            Sort::Total => "total_e4",
            Sort::Grade => "grade",
            Sort::Status => "status",
            Sort::Updated => "updated_at",
        }
    }
}

/// Counts of a filtered list for the list header and the dashboard (one query each).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_status: Vec<(Status, i64)>,
}

impl Counts {
    pub fn total(&self) -> i64 {
        self.by_status.iter().map(|(_, n)| n).sum()
    }
    pub fn of(&self, status: Status) -> i64 {
        self.by_status
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

/// One line of an evaluation's history without the stored form: what the history table shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub version: i64,
    /// `create`, `update`, or the status reached.
    pub action: String,
    pub status: Status,
    pub actor: Option<String>,
    pub at: i64,
    pub reason: Option<String>,
    /// What changed in this entry (`indicators[3].score: 5 → 7`).
    pub changes: Vec<String>,
}

/// One line of an evaluation's history: a creation, a save or a transition.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub id: i64,
    pub evaluation_id: i64,
    /// The version this entry produced.
    pub version: i64,
    /// `create`, `update`, or the status reached (`submitted`, `returned` …).
    pub action: String,
    pub status: Status,
    pub actor_id: Option<i64>,
    pub actor: Option<String>,
    pub at: i64,
    pub reason: Option<String>,
    /// The form as it was after this entry.
    pub form: Evaluation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub evaluation_id: i64,
    pub indicator: Option<i64>,
    pub author_id: i64,
    pub author: String,
    pub at: i64,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub detail: Option<String>,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// What the list page shows, read in one query: a page of forms, the counts by status of the
/// whole filter, and the organisations (for the filter's choices).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    pub items: Vec<EvaluationSummary>,
    pub counts: Counts,
    pub orgs: Vec<Org>,
}

/// What a form's page shows, read in one query: the form, its comments and its history.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationPage {
    pub record: EvaluationRecord,
    pub comments: Vec<Comment>,
    pub history: Vec<HistoryLine>,
}
