//! HTML pages (页面), Chinese first with English beside: login, the list with counts and
//! filters, a form laid out like the official table with the engine's scores and findings,
//! workflow actions, comments and history, and the public pages. askama templates escape
//! every value. Form posts carry the session's CSRF token besides the same-origin check.

use crate::access;
use crate::api::{self, CurrentUser, ListQuery, TransitionIn, CSRF_KEY};
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jixiao_core::{assess, Evaluation, Profile, Severity};
use jixiao_formats::contract::location_string;
use jixiao_store::{ListFilter, Status, User};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_post))
        .route("/logout", post(logout_post))
        .route("/evaluations/{id}", get(form_page))
        .route("/evaluations/{id}/action", post(action_post))
        .route("/evaluations/{id}/comment", post(comment_post))
        .route("/evaluations/{id}/edit", post(crate::editor::edit_post))
        .route(
            "/evaluations/{id}/preview",
            post(crate::editor::preview_post),
        )
        .route(
            "/import",
            get(crate::import::import_page).post(crate::import::import_post),
        )
        .route("/import/save", post(crate::import::save_post))
        .route("/public/", get(public_list))
        .route("/public", get(|| async { Redirect::permanent("/public/") }))
        .route("/public/{id}", get(public_form))
        .route("/api/docs", get(docs))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
}

/// A fresh random token (hex, 128 bits).
pub fn new_token() -> String {
    use rand::RngCore as _;
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// The session's CSRF token, created on first use.
pub async fn csrf_token(session: &Session) -> ApiResult<String> {
    if let Some(t) = session.get::<String>(CSRF_KEY).await? {
        return Ok(t);
    }
    let t = new_token();
    session.insert(CSRF_KEY, &t).await?;
    Ok(t)
}

pub async fn check_csrf(session: &Session, sent: &str) -> ApiResult<()> {
    match session.get::<String>(CSRF_KEY).await? {
        Some(t) if !sent.is_empty() && t == sent => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "表单已过期或来源不明，请刷新页面 (the form's token is missing or stale; reload the page)",
        )),
    }
}

/// A page's user: logged in, or a redirect to the login page.
pub struct PageUser(pub User);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match api::current_user(parts, state).await {
            Ok(Some(user)) => Ok(PageUser(user)),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

pub fn nav(user: &User) -> Option<String> {
    Some(format!("{}（{}）", user.display_name, user.role.label_zh()))
}

// ---------------------------------------------------------------------------------------------
// Login.

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav_user: Option<String>,
    csrf: String,
    error: Option<String>,
}

async fn login_page(session: Session) -> ApiResult<Response> {
    Ok(render(&LoginPage {
        nav_user: None,
        csrf: csrf_token(&session).await?,
        error: None,
    }))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login_post(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<LoginForm>,
) -> ApiResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    match api::authenticate(&state, &form.username, &form.password).await {
        Ok(user) => {
            api::start_session(&session, &user).await?;
            Ok(Redirect::to("/").into_response())
        }
        Err(e) => {
            let status = e.status;
            let page = LoginPage {
                nav_user: None,
                csrf: csrf_token(&session).await?,
                error: Some(e.message),
            };
            Ok((status, render(&page)).into_response())
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout_post(session: Session, Form(form): Form<CsrfForm>) -> ApiResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    session.flush().await?;
    Ok(Redirect::to("/login").into_response())
}

// ---------------------------------------------------------------------------------------------
// Lists.

struct Row {
    year: String,
    project: String,
    department: String,
    unit: String,
    status: &'static str,
    status_label: &'static str,
    total: String,
    grade: String,
    href: String,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    nav_user: Option<String>,
    csrf: String,
    heading: String,
    counts: Vec<(String, i64)>,
    year: String,
    status: String,
    q: String,
    statuses: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    total: i64,
    notice: Option<String>,
    can_import: bool,
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    imported: Option<usize>,
}

fn rows(items: &[jixiao_store::EvaluationSummary], prefix: &str) -> Vec<Row> {
    items
        .iter()
        .map(|s| Row {
            year: s.year.map(|y| y.to_string()).unwrap_or_default(),
            project: s.project.clone().unwrap_or_else(|| "（无名称）".into()),
            department: s.department.clone().unwrap_or_default(),
            unit: s.unit.clone().unwrap_or_default(),
            status: s.status.as_str(),
            status_label: s.status.label_zh(),
            total: s.total.clone().unwrap_or_default(),
            grade: s.grade.clone().unwrap_or_default(),
            href: format!("{prefix}{}", s.id),
        })
        .collect()
}

fn all_statuses() -> Vec<(&'static str, &'static str)> {
    Status::ALL
        .iter()
        .map(|s| (s.as_str(), s.label_zh()))
        .collect()
}

async fn home(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Query(q): Query<ListQuery>,
    Query(extra): Query<HomeQuery>,
) -> ApiResult<Response> {
    let csrf = csrf_token(&session).await?;
    let notice = extra
        .imported
        .map(|n| format!("已导入 {n} 张草稿 (imported {n} draft(s))"));
    let can_import = access::can_create(&user);
    if access::is_admin(&user) {
        let users = state.store.list_users().await?;
        let page = ListPage {
            nav_user: nav(&user),
            csrf,
            heading: format!(
                "管理员：{} 个用户 (admin: {} users; see /api/users)",
                users.len(),
                users.len()
            ),
            counts: Vec::new(),
            year: String::new(),
            status: String::new(),
            q: String::new(),
            statuses: all_statuses(),
            rows: Vec::new(),
            total: 0,
            notice: None,
            can_import: false,
        };
        return Ok(render(&page));
    }
    let filter = api::list_filter(&state, &user, &q).await?;
    let items = state.store.list_evaluations(&filter).await?;
    let total = state.store.count_evaluations(&filter).await?;
    let mut counts = Vec::new();
    for s in Status::ALL {
        let f = ListFilter {
            status: Some(s),
            q: None,
            limit: None,
            offset: None,
            ..filter.clone()
        };
        if filter.statuses.as_ref().is_none_or(|v| v.contains(&s)) {
            counts.push((
                s.label_zh().to_owned(),
                state.store.count_evaluations(&f).await?,
            ));
        }
    }
    let page = ListPage {
        nav_user: nav(&user),
        csrf,
        heading: "自评表 (forms)".into(),
        counts,
        year: q.year.unwrap_or_default(),
        status: q.status.unwrap_or_default(),
        q: q.q.unwrap_or_default(),
        statuses: all_statuses(),
        rows: rows(&items, "/evaluations/"),
        total,
        notice,
        can_import,
    };
    Ok(render(&page))
}

async fn public_list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let year = q.year.as_deref().and_then(|y| y.trim().parse().ok());
    let filter = ListFilter {
        year,
        q: q.q.clone(),
        statuses: Some(vec![Status::Approved, Status::SpotChecked]),
        limit: Some(200),
        ..ListFilter::default()
    };
    let items = state.store.list_evaluations(&filter).await?;
    let total = state.store.count_evaluations(&filter).await?;
    let page = ListPage {
        nav_user: None,
        csrf: String::new(),
        heading: "已公开的绩效自评表 (published forms)".into(),
        counts: Vec::new(),
        year: q.year.unwrap_or_default(),
        status: String::new(),
        q: q.q.unwrap_or_default(),
        statuses: Vec::new(),
        rows: rows(&items, "/public/"),
        total,
        notice: None,
        can_import: false,
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------------------------------------
// One form.

pub struct FundView {
    label: &'static str,
    initial: String,
    adjusted: String,
    executed: String,
}

pub struct IndicatorView {
    level1: String,
    level2: String,
    name: String,
    target: String,
    actual: String,
    weight: String,
    reported: String,
    computed: String,
    reason: String,
    flag: bool,
}

pub struct FindingView {
    severity: &'static str,
    severity_label: &'static str,
    code: String,
    message: String,
    message_en: String,
    location: String,
}

/// The official table with the engine's numbers beside the printed ones.
pub struct FormView {
    year: String,
    project: String,
    department: String,
    unit: String,
    money_unit: String,
    funds: Vec<FundView>,
    budget_weight: String,
    rate_reported: String,
    rate_computed: String,
    budget_reported: String,
    budget_computed: String,
    goal_expected: String,
    goal_actual: String,
    indicators: Vec<IndicatorView>,
    total_weight: String,
    total_reported: String,
    total_computed: String,
    grade_computed: String,
    findings: Vec<FindingView>,
}

fn d(v: Option<Decimal>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn shown(v: Decimal) -> String {
    v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

pub fn form_view(ev: &Evaluation, profile: &Profile, source: &str) -> FormView {
    let a = assess(ev, profile);
    let card = &a.scorecard;
    let row = |label, r: &jixiao_core::FundRow| FundView {
        label,
        initial: d(r.initial),
        adjusted: d(r.adjusted),
        executed: d(r.executed),
    };
    let mut computed = vec![None; ev.indicators.len()];
    for sc in &card.indicators {
        if let Some(slot) = computed.get_mut(sc.index) {
            *slot = sc.computed.as_ref().map(|c| c.value);
        }
    }
    let flagged: Vec<usize> = a.findings.iter().filter_map(|f| f.indicator).collect();
    FormView {
        year: ev.year.map(|y| y.to_string()).unwrap_or_default(),
        project: s(&ev.project),
        department: s(&ev.department),
        unit: s(&ev.unit),
        money_unit: ev.money_unit.clone().unwrap_or_else(|| "元".into()),
        funds: vec![
            row("年度资金总额", &ev.funds.total),
            row("其中：当年财政拨款", &ev.funds.appropriation),
            row("上年结转资金", &ev.funds.carryover),
            row("其他资金", &ev.funds.other),
        ],
        budget_weight: d(ev.funds.weight),
        rate_reported: s(&ev.funds.rate_printed),
        rate_computed: card
            .execution_rate
            .as_ref()
            .map(|c| format!("{}%", shown(c.value * Decimal::ONE_HUNDRED)))
            .unwrap_or_default(),
        budget_reported: d(ev.funds.score.map(|p| p.value)),
        budget_computed: card
            .budget_score
            .as_ref()
            .map(|c| shown(c.value))
            .unwrap_or_default(),
        goal_expected: s(&ev.goal_expected),
        goal_actual: s(&ev.goal_actual),
        indicators: ev
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| IndicatorView {
                level1: s(&ind.level1),
                level2: s(&ind.level2),
                name: ind.name.clone(),
                target: s(&ind.target),
                actual: s(&ind.actual),
                weight: d(ind.weight),
                reported: d(ind.score),
                computed: computed[i].map(shown).unwrap_or_default(),
                reason: s(&ind.reason),
                flag: flagged.contains(&i),
            })
            .collect(),
        total_weight: d(ev.total_weight),
        total_reported: d(ev.total_score.map(|p| p.value)),
        total_computed: card
            .total
            .as_ref()
            .map(|c| shown(c.value))
            .unwrap_or_default(),
        grade_computed: card
            .grade
            .as_ref()
            .map(|g| g.grade.clone())
            .unwrap_or_default(),
        findings: a
            .findings
            .iter()
            .map(|f| FindingView {
                severity: f.severity.as_str(),
                severity_label: match f.severity {
                    Severity::Error => "错误",
                    Severity::Warning => "警告",
                    _ => "提示",
                },
                code: f.code.clone(),
                message: f.message.clone(),
                message_en: f.message_en.clone(),
                location: f
                    .location
                    .as_ref()
                    .map(|l| location_string(source, l))
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// Unix milliseconds as Beijing time, `2024-03-01 09:30`.
pub fn beijing(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

struct CommentView {
    author: String,
    at: String,
    /// `第 3 行 名称`, or empty for the whole form.
    indicator: String,
    body: String,
}

/// The editor's part of the form page.
pub struct EditorView {
    pub version: i64,
    pub error: Option<String>,
    pub input: crate::editor::EditorInput,
    pub c: crate::editor::Computed,
    pub funds: Vec<FundFields>,
    pub rows: Vec<RowView>,
}

pub struct FundFields {
    label: &'static str,
    /// (field name, value)
    cells: Vec<(String, String)>,
}

pub struct RowView {
    r: crate::editor::RowInput,
    /// 0-based.
    i: usize,
    /// 1-based, shown.
    n: usize,
    computed: String,
    flagged: bool,
}

impl EditorView {
    pub fn new(
        state: &AppState,
        base: &Evaluation,
        input: crate::editor::EditorInput,
        version: i64,
        error: Option<String>,
    ) -> Self {
        let (_, c) = crate::editor::assess_input(state, &input, Some(base));
        let funds = crate::editor::FUND_ROWS
            .iter()
            .enumerate()
            .map(|(r, (key, label))| FundFields {
                label,
                cells: ["initial", "adjusted", "executed"]
                    .iter()
                    .enumerate()
                    .map(|(col, name)| (format!("funds.{key}.{name}"), input.funds[r][col].clone()))
                    .collect(),
            })
            .collect();
        let rows = input
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| RowView {
                r: r.clone(),
                i,
                n: i + 1,
                computed: c.indicators.get(i).cloned().unwrap_or_default(),
                flagged: c.flagged.contains(&i),
            })
            .collect();
        EditorView {
            version,
            error,
            input,
            c,
            funds,
            rows,
        }
    }
}

struct HistoryView {
    version: i64,
    action: String,
    actor: String,
    at: String,
    reason: String,
    changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    nav_user: Option<String>,
    csrf: String,
    id: i64,
    status: &'static str,
    status_label: &'static str,
    version: i64,
    notice: Option<String>,
    f: FormView,
    /// (action, label, needs a reason)
    actions: Vec<(&'static str, &'static str, bool)>,
    can_comment: bool,
    /// (index, `第 n 行 名称`) for the comment form.
    indicator_options: Vec<(usize, String)>,
    comments: Vec<CommentView>,
    history: Vec<HistoryView>,
    editor: Option<EditorView>,
    /// The latest return's reason, who and when, while the form is returned.
    returned: Option<String>,
}

fn action_label(to: Status) -> (&'static str, &'static str, bool) {
    match to {
        Status::Submitted => ("submit", "提交 (submit)", false),
        Status::Returned => ("return", "退回 (return)", true),
        Status::Approved => ("approve", "审核通过 (approve)", false),
        Status::SpotChecked => ("spot-check", "抽查完成 (spot-checked)", false),
        Status::Draft => ("", "", false),
    }
}

#[derive(Deserialize, Default)]
pub struct FormPageQuery {
    saved: Option<String>,
}

async fn form_page(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<FormPageQuery>,
) -> ApiResult<Response> {
    let record = api::readable(&state, &user, id).await?;
    let notice = q.saved.is_some().then(|| "已保存 (saved)".to_owned());
    let editor = editable(&user, &record).then(|| {
        EditorView::new(
            &state,
            &record.form,
            crate::editor::EditorInput::from_evaluation(&record.form),
            record.summary.version,
            None,
        )
    });
    let page = build_form_page(&state, &session, &user, &record, editor, notice).await?;
    Ok(render(&page))
}

/// Whether `user` gets the editor for this form: their unit's draft or returned form.
fn editable(user: &User, record: &jixiao_store::EvaluationRecord) -> bool {
    access::can_edit(user, &record.summary) && record.summary.status.is_editable()
}

/// The form page with the editor showing `input` (a re-render after a row operation, a
/// recompute, an invalid or a stale save). `version` is the one the next save carries.
pub async fn editor_page(
    state: &AppState,
    session: &Session,
    user: &User,
    record: &jixiao_store::EvaluationRecord,
    input: crate::editor::EditorInput,
    version: Option<i64>,
    error: Option<String>,
) -> ApiResult<Response> {
    let version = version.unwrap_or(record.summary.version);
    let editor = EditorView::new(state, &record.form, input, version, error);
    let page = build_form_page(state, session, user, record, Some(editor), None).await?;
    Ok(render(&page))
}

async fn build_form_page(
    state: &AppState,
    session: &Session,
    user: &User,
    record: &jixiao_store::EvaluationRecord,
    editor: Option<EditorView>,
    notice: Option<String>,
) -> ApiResult<FormPage> {
    let id = record.summary.id;
    let sum = &record.summary;
    let actions = Status::ALL
        .into_iter()
        .filter(|to| sum.status.can_become(*to) && access::can_transition(user, sum, *to))
        .map(action_label)
        .collect();
    let indicator_name = |i: i64| -> String {
        usize::try_from(i)
            .ok()
            .and_then(|i| record.form.indicators.get(i))
            .map(|ind| format!("第 {} 行 {}", i + 1, ind.name))
            .unwrap_or_else(|| format!("第 {} 行", i + 1))
    };
    let comments = state
        .store
        .comments(id)
        .await?
        .into_iter()
        .map(|c| CommentView {
            author: c.author,
            at: beijing(c.at),
            indicator: c.indicator.map(indicator_name).unwrap_or_default(),
            body: c.body,
        })
        .collect();
    let entries = state.store.history(id).await?;
    let history = entries
        .iter()
        .enumerate()
        .map(|(i, h)| HistoryView {
            version: h.version,
            action: match Status::parse(&h.action) {
                Some(s) => s.label_zh().to_owned(),
                None if h.action == "create" => "创建".into(),
                None => "保存".into(),
            },
            actor: h.actor.clone().unwrap_or_default(),
            at: beijing(h.at),
            reason: h.reason.clone().unwrap_or_default(),
            changes: i
                .checked_sub(1)
                .and_then(|p| entries.get(p))
                .map(|prev| api::diff(&prev.form, &h.form))
                .unwrap_or_default(),
        })
        .collect();
    // A returned form says why at the top, where the filler looks first.
    let returned = (sum.status == Status::Returned)
        .then(|| {
            entries
                .iter()
                .rev()
                .find(|h| h.action == Status::Returned.as_str())
        })
        .flatten()
        .map(|h| {
            format!(
                "{}（{} {}）",
                h.reason.clone().unwrap_or_default(),
                h.actor.clone().unwrap_or_default(),
                beijing(h.at)
            )
        });
    Ok(FormPage {
        returned,
        nav_user: nav(user),
        csrf: csrf_token(session).await?,
        id,
        status: sum.status.as_str(),
        status_label: sum.status.label_zh(),
        version: sum.version,
        notice,
        f: form_view(&record.form, &state.profile, &format!("evaluation:{id}")),
        actions,
        can_comment: access::can_comment(user),
        indicator_options: record
            .form
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| (i, format!("第 {} 行 {}", i + 1, ind.name)))
            .collect(),
        comments,
        history,
        editor,
    })
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    csrf: String,
    action: String,
    version: Option<i64>,
    reason: Option<String>,
}

async fn action_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> ApiResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let to = match form.action.as_str() {
        "submit" => Status::Submitted,
        "return" => Status::Returned,
        "approve" => Status::Approved,
        "spot-check" => Status::SpotChecked,
        _ => return Err(ApiError::bad_request("未知操作 (unknown action)")),
    };
    let input = TransitionIn {
        version: form.version,
        reason: form.reason,
    };
    api::apply_transition(&state, &user, id, to, &input).await?;
    Ok(Redirect::to(&format!("/evaluations/{id}")).into_response())
}

#[derive(Deserialize)]
struct CommentForm {
    #[serde(default)]
    csrf: String,
    indicator: Option<String>,
    body: String,
}

async fn comment_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<CommentForm>,
) -> ApiResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let record = api::readable(&state, &user, id).await?;
    if !access::can_comment(&user) {
        return Err(ApiError::forbidden());
    }
    let indicator = match form
        .indicator
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(t) => Some(
            t.parse::<i64>()
                .ok()
                .filter(|i| *i >= 0 && (*i as usize) < record.form.indicators.len())
                .ok_or_else(|| ApiError::unprocessable("没有这个指标 (no such indicator)"))?,
        ),
    };
    let body = form.body.trim();
    if body.is_empty() {
        return Err(ApiError::unprocessable(
            "意见不能为空 (the comment is empty)",
        ));
    }
    state
        .store
        .add_comment(id, indicator, user.id, body)
        .await?;
    Ok(Redirect::to(&format!("/evaluations/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "public_form.html")]
struct PublicFormPage {
    nav_user: Option<String>,
    csrf: String,
    status: &'static str,
    status_label: &'static str,
    f: FormView,
}

async fn public_form(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Response> {
    let record = state
        .store
        .get_evaluation(id)
        .await?
        .filter(|r| r.summary.status.is_public())
        .ok_or_else(ApiError::not_found)?;
    let page = PublicFormPage {
        nav_user: None,
        csrf: String::new(),
        status: record.summary.status.as_str(),
        status_label: record.summary.status.label_zh(),
        f: form_view(&record.form, &state.profile, &format!("evaluation:{id}")),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "docs.html")]
struct DocsPage {
    nav_user: Option<String>,
    csrf: String,
    routes: Vec<(String, String, String)>,
}

/// The API's own docs page, drawn from the OpenAPI document (no Swagger UI download).
async fn docs() -> Response {
    use utoipa::OpenApi as _;
    let doc = api::ApiDoc::openapi();
    let mut routes = Vec::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op
                    .responses
                    .responses
                    .iter()
                    .filter_map(|(code, r)| match r {
                        utoipa::openapi::RefOr::T(r) => Some(format!("{code}: {}", r.description)),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                routes.push((method.to_owned(), path.clone(), summary));
            }
        }
    }
    render(&DocsPage {
        nav_user: None,
        csrf: String::new(),
        routes,
    })
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/app.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../static/app.js"),
    )
        .into_response()
}
