//! The REST API (接口) of DESIGN.md §3 under `/api`. Every handler goes through the same
//! engine (`jixiao_core::assess`) and the same access rules (`access.rs`).

use crate::access;
use crate::error::{ApiError, ApiResult};
use crate::repr::{self, FormIn, SummaryOut};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use jixiao_core::Evaluation;
use jixiao_formats::contract::FormReport;
use jixiao_store::{
    now_ms, EvaluationRecord, ListFilter, NewUser, OrgKind, Role, Sort, Status, User,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_sessions::Session;

/// Session key of the logged-in user's id.
pub const USER_KEY: &str = "user_id";
/// Session key of the CSRF token of HTML forms.
pub const CSRF_KEY: &str = "csrf";

/// The logged-in user (401 otherwise).
pub struct CurrentUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        match current_user(parts, state).await? {
            Some(user) => Ok(CurrentUser(user)),
            None => Err(ApiError::unauthorized()),
        }
    }
}

pub async fn current_user(parts: &mut Parts, state: &AppState) -> ApiResult<Option<User>> {
    let session = Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, e)| ApiError::internal(e))?;
    session_user(&session, state).await
}

/// The session's logged-in user, if any and not disabled.
pub async fn session_user(session: &Session, state: &AppState) -> ApiResult<Option<User>> {
    let Some(id) = session.get::<i64>(USER_KEY).await? else {
        return Ok(None);
    };
    // Loaded with the session in one query (session.rs); read again only for a session
    // started during this request.
    if let Some(user) = session
        .get::<User>(crate::session::LOADED_USER_KEY)
        .await?
        .filter(|u| u.id == id)
    {
        return Ok(Some(user));
    }
    Ok(state.store.get_user(id).await?.filter(|u| !u.disabled))
}

/// The body, or a JSON error (413 when over the limit).
pub fn body(result: Result<Bytes, BytesRejection>) -> ApiResult<Bytes> {
    result.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "请求体过大 (the request body is too large)",
            )
        } else {
            ApiError::bad_request(format!("无法读取请求体 (cannot read the body): {r}"))
        }
    })
}

/// Parse JSON: a syntax error is 400, a well-formed body of the wrong shape 422.
pub fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    if crate::security::json_nul(bytes) {
        return Err(ApiError::unprocessable(
            "文字中不能含有空字符 U+0000 (text must not contain NUL characters)",
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => {
                ApiError::unprocessable(format!("JSON 内容不符合要求 (invalid JSON content): {e}"))
            }
            _ => ApiError::bad_request(format!("JSON 语法错误 (JSON syntax error): {e}")),
        }
    })
}

fn json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

#[derive(Serialize)]
pub struct UserOut<'a> {
    id: i64,
    username: &'a str,
    display_name: &'a str,
    role: Role,
    role_label: &'static str,
    org_id: Option<i64>,
}

impl<'a> From<&'a User> for UserOut<'a> {
    fn from(u: &'a User) -> Self {
        UserOut {
            id: u.id,
            username: &u.username,
            display_name: &u.display_name,
            role: u.role,
            role_label: u.role.label_zh(),
            org_id: u.org_id,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Login, logout, password.

#[derive(Deserialize)]
struct LoginIn {
    username: String,
    password: String,
}

/// Failed logins allowed per user name in the window before logins are refused (429).
pub const MAX_FAILURES: i64 = 5;
/// The throttling window.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;

/// Check a password with throttling; the outcome is audited.
pub async fn authenticate(state: &AppState, username: &str, password: &str) -> ApiResult<User> {
    let key = format!("login:{}", username.trim().to_lowercase());
    let now = now_ms();
    if state
        .store
        .login_failures_since(&key, now - WINDOW_MS)
        .await?
        >= MAX_FAILURES
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "登录失败次数过多，请 15 分钟后再试 (too many failed logins; try again in 15 minutes)",
        ));
    }
    match state
        .store
        .verify_password(username.trim(), password)
        .await?
    {
        Some(user) => {
            state.store.clear_login_failures(&key).await?;
            state
                .store
                .audit(Some(user.id), "login", &format!("user:{}", user.id), None)
                .await?;
            Ok(user)
        }
        None => {
            state.store.record_login_failure(&key, now).await?;
            state.store.audit(None, "login.fail", &key, None).await?;
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "用户名或密码错误 (wrong user name or password)",
            ))
        }
    }
}

/// Start a fresh session for `user` (a new id, so a planted session id is useless).
pub async fn start_session(session: &Session, user: &User) -> ApiResult<()> {
    session.cycle_id().await?;
    session.insert(USER_KEY, user.id).await?;
    session.insert(CSRF_KEY, crate::pages::new_token()).await?;
    Ok(())
}

#[utoipa::path(post, path = "/api/login", tag = "auth",
    request_body(content = String, description = "{\"username\", \"password\"}", content_type = "application/json"),
    responses((status = 200, description = "logged in; session cookie set"),
              (status = 401, description = "wrong user name or password"),
              (status = 429, description = "too many failed logins")))]
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let input: LoginIn = parse(&body(raw)?)?;
    let user = authenticate(&state, &input.username, &input.password).await?;
    start_session(&session, &user).await?;
    Ok(Json(json!({ "user": UserOut::from(&user) })).into_response())
}

#[utoipa::path(post, path = "/api/logout", tag = "auth",
    responses((status = 200, description = "session ended")))]
pub async fn logout(session: Session) -> ApiResult<Response> {
    session.flush().await?;
    Ok(Json(json!({ "ok": true })).into_response())
}

#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses((status = 200, description = "the logged-in user"), (status = 401, description = "not logged in")))]
pub async fn me(CurrentUser(user): CurrentUser) -> ApiResult<Response> {
    Ok(Json(json!({ "user": UserOut::from(&user) })).into_response())
}

#[derive(Deserialize)]
struct PasswordIn {
    old_password: String,
    new_password: String,
}

#[utoipa::path(post, path = "/api/password", tag = "auth",
    request_body(content = String, description = "{\"old_password\", \"new_password\"}", content_type = "application/json"),
    responses((status = 200, description = "changed"), (status = 401, description = "wrong old password")))]
pub async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let input: PasswordIn = parse(&body(raw)?)?;
    if input.new_password.chars().count() < 8 {
        return Err(ApiError::unprocessable(
            "新密码至少 8 个字符 (the new password needs at least 8 characters)",
        ));
    }
    authenticate(&state, &user.username, &input.old_password).await?;
    state
        .store
        .set_password(&user.username, &input.new_password, Some(user.id))
        .await?;
    Ok(Json(json!({ "ok": true })).into_response())
}

// ---------------------------------------------------------------------------------------------
// Evaluations.

#[derive(Deserialize, Default, Clone, Debug)]
pub struct ListQuery {
    pub year: Option<String>,
    pub status: Option<String>,
    pub q: Option<String>,
    /// 主管部门: an organisation id; forms of the units below it.
    pub dept: Option<String>,
    /// 实施单位: an organisation id.
    pub unit: Option<String>,
    /// Computed grade (优, 良, 中, 差); `none` for forms without one.
    pub grade: Option<String>,
    /// A finding code (`MET_BUT_DEDUCTED` …).
    pub code: Option<String>,
    /// project | unit | total | grade | status | updated | id
    pub sort: Option<String>,
    /// asc | desc
    pub dir: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// Pages: 1-based page number and page size (instead of offset and limit).
    pub page: Option<String>,
    pub size: Option<String>,
}

/// The page sizes offered on the list page.
pub const PAGE_SIZES: [i64; 4] = [20, 50, 100, 200];

fn some_text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub fn number(name: &str, v: &Option<String>) -> ApiResult<Option<i64>> {
    match some_text(v) {
        None => Ok(None),
        Some(t) => t.parse::<i64>().map(Some).map_err(|_| {
            ApiError::bad_request(format!("{name} 须为数字 ({name} must be a number): {t}"))
        }),
    }
}

/// The list filter for `user`, within their scope (checked by the database: no organisation
/// list needed); 403 for roles without forms, 400 for a value that cannot be read.
pub fn list_filter(user: &User, q: &ListQuery) -> ApiResult<ListFilter> {
    if access::is_admin(user) {
        return Err(ApiError::forbidden());
    }
    let year = number("year", &q.year)?;
    let status = match some_text(&q.status) {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::bad_request(format!(
                "未知状态 (unknown status) {s}; draft|submitted|returned|approved|spot_checked"
            ))
        })?),
    };
    // Both a department and a unit: the unit's forms if it lies under the department.
    let under: Vec<i64> = [number("dept", &q.dept)?, number("unit", &q.unit)?]
        .into_iter()
        .flatten()
        .collect();
    let (org_ids, within) = access::scope_filter(user);
    let grade = match some_text(&q.grade) {
        None => None,
        Some("none") => Some(String::new()),
        Some(g) if g.chars().count() <= 8 => Some(g.to_owned()),
        Some(g) => {
            return Err(ApiError::bad_request(format!(
                "未知等级 (unknown grade) {g}"
            )))
        }
    };
    let code = match some_text(&q.code) {
        None => None,
        Some(c) if c.len() <= 64 && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
            Some(c.to_owned())
        }
        Some(c) => {
            return Err(ApiError::bad_request(format!(
                "未知发现代码 (unknown finding code) {c}"
            )))
        }
    };
    let sort = match some_text(&q.sort) {
        None => Sort::Id,
        Some(s) => Sort::parse(s).ok_or_else(|| {
            ApiError::bad_request(format!(
                "未知排序 (unknown sort) {s}; project|unit|total|grade|status|updated|id"
            ))
        })?,
    };
    let ascending = match some_text(&q.dir) {
        None => matches!(sort, Sort::Project | Sort::Unit | Sort::Status),
        Some("asc") => true,
        Some("desc") => false,
        Some(d) => {
            return Err(ApiError::bad_request(format!(
                "dir 须为 asc 或 desc (dir must be asc or desc): {d}"
            )))
        }
    };
    let (limit, offset) = match (number("page", &q.page)?, number("size", &q.size)?) {
        (None, None) => (
            q.limit.unwrap_or(50).clamp(1, 500),
            q.offset.unwrap_or(0).max(0),
        ),
        (page, size) => {
            let size = size.unwrap_or(50).clamp(1, 500);
            let page = page.unwrap_or(1).clamp(1, 1_000_000);
            (size, (page - 1) * size)
        }
    };
    Ok(ListFilter {
        year,
        status,
        q: some_text(&q.q).map(str::to_owned),
        org_ids,
        within,
        statuses: access::visible_statuses(user.role),
        under,
        grade,
        code,
        sort,
        ascending,
        limit: Some(limit),
        offset: Some(offset),
    })
}

#[utoipa::path(get, path = "/api/evaluations", tag = "evaluations",
    params(("year" = Option<i64>, Query, description = "年度"),
           ("status" = Option<String>, Query, description = "draft|submitted|returned|approved|spot_checked"),
           ("q" = Option<String>, Query, description = "text in project, department or unit"),
           ("dept" = Option<i64>, Query, description = "主管部门: organisation id; forms of the units below it"),
           ("unit" = Option<i64>, Query, description = "实施单位: organisation id"),
           ("grade" = Option<String>, Query, description = "computed grade 优|良|中|差, or none"),
           ("code" = Option<String>, Query, description = "forms with this finding code, e.g. MET_BUT_DEDUCTED"),
           ("sort" = Option<String>, Query, description = "project|unit|total|grade|status|updated|id (default id: newest first)"),
           ("dir" = Option<String>, Query, description = "asc|desc"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50"), ("offset" = Option<i64>, Query),
           ("page" = Option<i64>, Query, description = "1-based page (with size, instead of offset)"),
           ("size" = Option<i64>, Query, description = "page size, 1–500")),
    responses((status = 200, description = "{\"items\": [...], \"total\": n, \"counts\": {status: n}, \"limit\", \"offset\"}"),
              (status = 400, description = "a filter that cannot be read"),
              (status = 401, description = "not logged in"), (status = 403, description = "role without forms")))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let filter = list_filter(&user, &q)?;
    let page = state.store.list_page(&filter).await?;
    let (items, counts) = (page.items, page.counts);
    let total = match filter.status {
        Some(s) => counts.of(s),
        None => counts.total(),
    };
    let by_status: serde_json::Map<String, serde_json::Value> = counts
        .by_status
        .iter()
        .map(|(s, n)| (s.as_str().to_owned(), json!(n)))
        .collect();
    let items: Vec<SummaryOut> = items.iter().map(SummaryOut::from).collect();
    let bytes = serde_json::to_vec(&json!({
        "items": items, "total": total, "counts": by_status,
        "limit": filter.limit, "offset": filter.offset,
    }))
    .map_err(ApiError::internal)?;
    Ok(json_response(StatusCode::OK, bytes))
}

/// The record, if `user` may read it (404 otherwise, whether it exists or not).
pub async fn readable(state: &AppState, user: &User, id: i64) -> ApiResult<EvaluationRecord> {
    let record = state
        .store
        .get_evaluation(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !access::can_read_at(user, &record.summary, record.org_path.as_deref()) {
        return Err(ApiError::not_found());
    }
    Ok(record)
}

async fn representation(state: &AppState, record: &EvaluationRecord) -> ApiResult<Vec<u8>> {
    let assessment = repr::assess_form(&record.form, &state.profile);
    let comments = state.store.comments(record.summary.id).await?;
    repr::evaluation_json(record, &assessment, &state.profile, &comments)
}

#[utoipa::path(get, path = "/api/evaluations/{id}", tag = "evaluations",
    params(("id" = i64, Path)),
    responses((status = 200, description = "the form with computed, findings, status, version (DESIGN.md §3)"),
              (status = 404, description = "no such form, or not yours to see")))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let record = readable(&state, &user, id).await?;
    Ok(json_response(
        StatusCode::OK,
        representation(&state, &record).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct CreateQuery {
    /// `true`: read, score and review, but store nothing (the import preview).
    pub preview: Option<bool>,
}

/// Read an import body (text, xlsx, canonical JSON) through `read_bytes`.
pub fn read_import(bytes: &[u8]) -> jixiao_formats::ReadOutcome {
    jixiao_formats::read_bytes(bytes)
}

/// The forms of a create request, with the reader's diagnostics per form.
async fn forms_of(
    headers: &HeaderMap,
    bytes: Bytes,
) -> ApiResult<Vec<(Evaluation, Vec<jixiao_core::Finding>)>> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    import_forms_off_thread(media, bytes).await
}

/// Imports being read at once. Reading runs off the async workers: a hostile upload within
/// the body limit can take seconds of CPU and, while it is read, about a gigabyte
/// (docs/RELIABILITY.md §1); it must not stall the pages other users are loading, and a
/// burst of such uploads must not multiply that memory. Others wait their turn.
static READING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// [`import_forms`] on a blocking thread, at most [`READING`] at a time.
pub async fn import_forms_off_thread(
    media: String,
    bytes: impl AsRef<[u8]> + Send + 'static,
) -> ApiResult<Vec<(Evaluation, Vec<jixiao_core::Finding>)>> {
    let _turn = READING.acquire().await.map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(move || import_forms(&media, bytes.as_ref()))
        .await
        .map_err(ApiError::internal)?
}

/// The forms in an import body of media type `media` (JSON as `GET` returns it, canonical
/// JSON, text, xlsx …), each with the reader's diagnostics; 422 when none can be read.
pub fn import_forms(
    media: &str,
    bytes: &[u8],
) -> ApiResult<Vec<(Evaluation, Vec<jixiao_core::Finding>)>> {
    let is_json = media.starts_with("application/json");
    if is_json {
        let value: serde_json::Value = parse(bytes)?;
        let canonical = value.get("forms").is_some() || value.get("format").is_some();
        if !canonical {
            let input: FormIn = parse(bytes)?;
            return Ok(vec![(input.to_evaluation(None)?, Vec::new())]);
        }
    }
    let outcome = read_import(bytes);
    if outcome.forms.is_empty() {
        let reasons: Vec<String> = outcome
            .diagnostics
            .iter()
            .map(|f| format!("{}: {}", f.code, f.message))
            .collect();
        return Err(ApiError::unprocessable(format!(
            "未能读出任何自评表 (no form could be read){}{}",
            if reasons.is_empty() { "" } else { ": " },
            reasons.join("; ")
        )));
    }
    let mut input_diags = outcome.diagnostics;
    Ok(outcome
        .forms
        .into_iter()
        .map(|f| {
            let mut diags = std::mem::take(&mut input_diags);
            diags.extend(f.diagnostics);
            (f.evaluation, diags)
        })
        .collect())
}

#[utoipa::path(post, path = "/api/evaluations", tag = "evaluations",
    params(("preview" = Option<bool>, Query, description = "true: only read, score and review")),
    request_body(content = String, description = "a form as GET returns it (application/json), canonical JSON, or text/plain / xlsx to import",
        content_type = "application/json"),
    responses((status = 201, description = "created drafts"), (status = 200, description = "preview"),
              (status = 403, description = "only a 填报人 creates forms"), (status = 413, description = "too large"),
              (status = 422, description = "nothing readable")))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<CreateQuery>,
    headers: HeaderMap,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    if !access::can_create(&user) {
        return Err(ApiError::forbidden());
    }
    let bytes = body(raw)?;
    let forms = forms_of(&headers, bytes).await?;
    if q.preview == Some(true) {
        let assessed: Vec<_> = forms
            .iter()
            .map(|(f, _)| repr::assess_form(f, &state.profile))
            .collect();
        let reports: Vec<FormReport> = forms
            .iter()
            .zip(&assessed)
            .enumerate()
            .map(|(i, ((f, d), a))| FormReport::new("import", i, f, a, d, &state.profile))
            .collect();
        let bytes = serde_json::to_vec(&json!({ "forms": reports })).map_err(ApiError::internal)?;
        return Ok(json_response(StatusCode::OK, bytes));
    }
    let created = create_drafts(&state, &user, &forms).await?;
    let items: Vec<SummaryOut> = created.iter().map(SummaryOut::from).collect();
    let bytes = serde_json::to_vec(&json!({ "created": items })).map_err(ApiError::internal)?;
    Ok(json_response(StatusCode::CREATED, bytes))
}

/// Store `forms` as drafts of `user`'s unit (the API's create and the import page).
pub async fn create_drafts(
    state: &AppState,
    user: &User,
    forms: &[(Evaluation, Vec<jixiao_core::Finding>)],
) -> ApiResult<Vec<jixiao_store::EvaluationSummary>> {
    if !access::can_create(user) {
        return Err(ApiError::forbidden());
    }
    let org_id = user.org_id.ok_or_else(ApiError::forbidden)?;
    let scored: Vec<_> = forms
        .iter()
        .map(|(form, _)| {
            let assessment = repr::assess_form(form, &state.profile);
            (
                form,
                crate::derived::scored(form, &assessment, &state.profile),
            )
        })
        .collect();
    // One transaction for the whole request: a crash or an error leaves all of its forms or
    // none, so a client that got no answer can simply send the request again.
    let records = state
        .store
        .create_evaluations(org_id, &scored, user.id)
        .await?;
    Ok(records.into_iter().map(|r| r.summary).collect())
}

#[utoipa::path(put, path = "/api/evaluations/{id}", tag = "evaluations",
    params(("id" = i64, Path)),
    request_body(content = String, description = "the representation GET returned, changed, with its version", content_type = "application/json"),
    responses((status = 200, description = "saved; the new representation"),
              (status = 409, description = "stale version, or not editable in this status"),
              (status = 403, description = "not the unit's 填报人"), (status = 404, description = "not found")))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let record = readable(&state, &user, id).await?;
    if !access::can_edit(&user, &record.summary) {
        return Err(ApiError::forbidden());
    }
    let input: FormIn = parse(&body(raw)?)?;
    let version = input
        .version
        .ok_or_else(|| ApiError::unprocessable("缺少 version（乐观锁）(version is required)"))?;
    let form = input.to_evaluation(Some(&record.form))?;
    let assessment = repr::assess_form(&form, &state.profile);
    let saved = state
        .store
        .update_evaluation(
            id,
            version,
            &form,
            &crate::derived::scored(&form, &assessment, &state.profile),
            user.id,
        )
        .await?;
    Ok(json_response(
        StatusCode::OK,
        representation(&state, &saved).await?,
    ))
}

#[derive(Deserialize, Default)]
pub struct TransitionIn {
    pub version: Option<i64>,
    pub reason: Option<String>,
}

/// Apply a workflow action for `user` (shared by the API and the pages).
pub async fn apply_transition(
    state: &AppState,
    user: &User,
    id: i64,
    to: Status,
    input: &TransitionIn,
) -> ApiResult<EvaluationRecord> {
    let record = readable(state, user, id).await?;
    if !access::can_transition(user, &record.summary, to) {
        return Err(ApiError::forbidden());
    }
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if to == Status::Returned && reason.is_none() {
        return Err(ApiError::unprocessable(
            "退回须说明理由 (returning a form needs a reason)",
        ));
    }
    Ok(state
        .store
        .transition(id, input.version, to, user.id, reason)
        .await?)
}

async fn transition_route(
    state: AppState,
    user: User,
    id: i64,
    to: Status,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let input: TransitionIn = parse(&body(raw)?)?;
    let record = apply_transition(&state, &user, id, to, &input).await?;
    Ok(json_response(
        StatusCode::OK,
        representation(&state, &record).await?,
    ))
}

#[utoipa::path(post, path = "/api/evaluations/{id}/submit", tag = "workflow",
    params(("id" = i64, Path)),
    request_body(content = String, description = "{\"version\"?}", content_type = "application/json"),
    responses((status = 200, description = "已提交"), (status = 403, description = "role"), (status = 409, description = "state or version")))]
pub async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    transition_route(state, user, id, Status::Submitted, raw).await
}

#[utoipa::path(post, path = "/api/evaluations/{id}/return", tag = "workflow",
    params(("id" = i64, Path)),
    request_body(content = String, description = "{\"reason\", \"version\"?}", content_type = "application/json"),
    responses((status = 200, description = "已退回"), (status = 422, description = "no reason"), (status = 403, description = "role"), (status = 409, description = "state or version")))]
pub async fn return_(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    transition_route(state, user, id, Status::Returned, raw).await
}

#[utoipa::path(post, path = "/api/evaluations/{id}/approve", tag = "workflow",
    params(("id" = i64, Path)),
    request_body(content = String, description = "{\"version\"?}", content_type = "application/json"),
    responses((status = 200, description = "已审核"), (status = 403, description = "role"), (status = 409, description = "state or version")))]
pub async fn approve(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    transition_route(state, user, id, Status::Approved, raw).await
}

#[utoipa::path(post, path = "/api/evaluations/{id}/spot-check", tag = "workflow",
    params(("id" = i64, Path)),
    request_body(content = String, description = "{\"reason\"?, \"version\"?}", content_type = "application/json"),
    responses((status = 200, description = "已抽查"), (status = 403, description = "only 财政"), (status = 409, description = "state or version")))]
pub async fn spot_check(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    transition_route(state, user, id, Status::SpotChecked, raw).await
}

#[derive(Deserialize)]
struct CommentIn {
    indicator: Option<i64>,
    body: String,
}

#[utoipa::path(post, path = "/api/evaluations/{id}/comments", tag = "workflow",
    params(("id" = i64, Path)),
    request_body(content = String, description = "{\"body\", \"indicator\"?}", content_type = "application/json"),
    responses((status = 201, description = "comment added")))]
pub async fn comment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let input: CommentIn = parse(&body(raw)?)?;
    let record = readable(&state, &user, id).await?;
    if !access::can_comment(&user) {
        return Err(ApiError::forbidden());
    }
    let text = input.body.trim();
    if text.is_empty() || text.chars().count() > 5000 {
        return Err(ApiError::unprocessable(
            "意见须为 1–5000 个字符 (a comment has 1–5000 characters)",
        ));
    }
    if let Some(i) = input.indicator {
        if i < 0 || i as usize >= record.form.indicators.len() {
            return Err(ApiError::unprocessable("没有这个指标 (no such indicator)"));
        }
    }
    let c = state
        .store
        .add_comment(id, input.indicator, user.id, text)
        .await?;
    let bytes = serde_json::to_vec(&c).map_err(ApiError::internal)?;
    Ok(json_response(StatusCode::CREATED, bytes))
}

#[utoipa::path(get, path = "/api/evaluations/{id}/history", tag = "workflow",
    params(("id" = i64, Path)),
    responses((status = 200, description = "who changed what, when and why")))]
pub async fn history(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    readable(&state, &user, id).await?;
    let out: Vec<_> = state
        .store
        .history_lines(id)
        .await?
        .into_iter()
        .map(|h| {
            json!({
                "version": h.version, "action": h.action, "status": h.status,
                "status_label": h.status.label_zh(), "actor": h.actor, "at": h.at,
                "reason": h.reason, "changes": h.changes,
            })
        })
        .collect();
    Ok(Json(json!({ "history": out })).into_response())
}

/// The dashboard of a scope and year (概览): counts by status and by grade, the most frequent
/// finding codes. Shared by `/dashboard` and `/api/dashboard`.
#[derive(Debug, Serialize)]
pub struct Dashboard {
    pub year: Option<i64>,
    /// Years with forms in the scope, latest first.
    pub years: Vec<i64>,
    pub by_status: Vec<(Status, i64)>,
    /// (`优` …, or `None` for no grade, count)
    pub by_grade: Vec<(Option<String>, i64)>,
    /// (code, 中文名称, forms with it)
    pub top_codes: Vec<(String, String, i64)>,
    pub total: i64,
}

/// The Chinese name of a finding code (the engine's checks; a reader code stays as is).
pub fn code_title(code: &str) -> String {
    jixiao_core::CHECKS
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.title_zh.to_owned())
        .unwrap_or_else(|| match code {
            c if c.starts_with("READ_") => "读取问题 (reader)".to_owned(),
            c => c.to_owned(),
        })
}

/// The dashboard for `user`, for `year` (default: the latest year with forms).
pub async fn dashboard_of(
    state: &AppState,
    user: &User,
    year: Option<i64>,
) -> ApiResult<Dashboard> {
    let mut filter = list_filter(user, &ListQuery::default())?;
    let years = state.store.years(&filter).await?;
    let year = year.or_else(|| years.first().copied());
    filter.year = year;
    let counts = state.store.count_by_status(&filter).await?;
    let by_grade = state.store.count_by_grade(&filter).await?;
    let top_codes = state
        .store
        .top_codes(&filter, 10)
        .await?
        .into_iter()
        .map(|(code, n)| {
            let title = code_title(&code);
            (code, title, n)
        })
        .collect();
    let by_status = Status::ALL
        .into_iter()
        .filter(|s| filter.statuses.as_ref().is_none_or(|v| v.contains(s)))
        .map(|s| (s, counts.of(s)))
        .collect();
    Ok(Dashboard {
        year,
        years,
        by_status,
        by_grade,
        top_codes,
        total: counts.total(),
    })
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    pub year: Option<String>,
}

#[utoipa::path(get, path = "/api/dashboard", tag = "evaluations",
    params(("year" = Option<i64>, Query, description = "年度 (default: the latest year with forms)")),
    responses((status = 200, description = "{year, years, by_status, by_grade, top_codes: [[code, 中文名称, forms]], total} in my scope"),
              (status = 400, description = "year is not a number"),
              (status = 401, description = "not logged in"), (status = 403, description = "role without forms")))]
pub async fn dashboard(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<DashboardQuery>,
) -> ApiResult<Response> {
    let year = number("year", &q.year)?;
    let d = dashboard_of(&state, &user, year).await?;
    let bytes = serde_json::to_vec(&d).map_err(ApiError::internal)?;
    Ok(json_response(StatusCode::OK, bytes))
}

// ---------------------------------------------------------------------------------------------
// Administration: users and organisations.

fn admin_only(user: &User) -> ApiResult<()> {
    if access::is_admin(user) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

#[utoipa::path(get, path = "/api/users", tag = "admin",
    responses((status = 200, description = "users"), (status = 403, description = "管理员 only")))]
pub async fn users(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Response> {
    admin_only(&user)?;
    let users = state.store.list_users().await?;
    let out: Vec<UserOut> = users.iter().map(UserOut::from).collect();
    Ok(Json(json!({ "users": out })).into_response())
}

#[derive(Deserialize)]
struct UserIn {
    username: String,
    display_name: Option<String>,
    password: String,
    role: String,
    org_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/users", tag = "admin",
    request_body(content = String, description = "{\"username\", \"password\", \"role\", \"org_id\", \"display_name\"?}", content_type = "application/json"),
    responses((status = 201, description = "created"), (status = 403, description = "管理员 only"), (status = 409, description = "exists")))]
pub async fn create_user(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    admin_only(&user)?;
    let input: UserIn = parse(&body(raw)?)?;
    let role = Role::parse(&input.role).ok_or_else(|| {
        ApiError::unprocessable("角色须为 filler|reviewer|finance|admin (unknown role)")
    })?;
    if input.password.chars().count() < 8 {
        return Err(ApiError::unprocessable(
            "密码至少 8 个字符 (the password needs at least 8 characters)",
        ));
    }
    if let Some(org) = input.org_id {
        if !state.store.list_orgs().await?.iter().any(|o| o.id == org) {
            return Err(ApiError::unprocessable(
                "没有这个机构 (no such organisation)",
            ));
        }
    }
    let created = state
        .store
        .create_user(
            NewUser {
                username: &input.username,
                display_name: input.display_name.as_deref().unwrap_or(&input.username),
                password: &input.password,
                role,
                org_id: input.org_id,
            },
            Some(user.id),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "user": UserOut::from(&created) })),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/orgs", tag = "admin",
    responses((status = 200, description = "the organisation tree (flat, with parent ids)")))]
pub async fn orgs(
    State(state): State<AppState>,
    CurrentUser(_user): CurrentUser,
) -> ApiResult<Response> {
    let orgs = state.store.list_orgs().await?;
    Ok(Json(json!({ "orgs": orgs })).into_response())
}

#[derive(Deserialize)]
struct OrgIn {
    name: String,
    kind: String,
    parent_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/orgs", tag = "admin",
    request_body(content = String, description = "{\"name\", \"kind\": finance|department|unit, \"parent_id\"?}", content_type = "application/json"),
    responses((status = 201, description = "created"), (status = 403, description = "管理员 only")))]
pub async fn create_org(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    admin_only(&user)?;
    let input: OrgIn = parse(&body(raw)?)?;
    let kind = OrgKind::parse(&input.kind).ok_or_else(|| {
        ApiError::unprocessable("kind 须为 finance|department|unit (unknown kind)")
    })?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(ApiError::unprocessable("名称不能为空 (the name is empty)"));
    }
    let org = state.store.create_org(name, kind, input.parent_id).await?;
    Ok((StatusCode::CREATED, Json(json!({ "org": org }))).into_response())
}

/// The OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Jixiao 绩效自评 API",
        description = "项目支出绩效自评表：填报、审核、抽查 (DESIGN.md §3)"
    ),
    paths(
        login,
        logout,
        me,
        change_password,
        list,
        get,
        create,
        update,
        submit,
        return_,
        approve,
        spot_check,
        comment,
        history,
        dashboard,
        users,
        create_user,
        crate::admin::api_update_user,
        crate::admin::api_reset_password,
        orgs,
        create_org
    )
)]
pub struct ApiDoc;

pub async fn openapi() -> Response {
    use utoipa::OpenApi as _;
    match ApiDoc::openapi().to_json() {
        Ok(text) => json_response(StatusCode::OK, text.into_bytes()),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// Any other `/api/…` path.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}
