//! HTML pages (页面), Chinese first with English beside: login, the list with counts and
//! filters, a form laid out like the official table with the engine's scores and findings,
//! workflow actions, comments and history, and the public pages. askama templates escape
//! every value. Form posts carry the session's CSRF token besides the same-origin check.

use crate::access;
use crate::api::{self, CurrentUser, ListQuery, TransitionIn, CSRF_KEY};
use crate::derived::{self, Derived};
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use jixiao_core::Evaluation;
use jixiao_formats::contract::location_string;
use jixiao_store::{ListFilter, Status, User};
use rust_decimal::Decimal;
use serde::Deserialize;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/dashboard", get(dashboard_page))
        .route("/admin", get(crate::admin::admin_page))
        .route("/admin/users", post(crate::admin::add_user_post))
        .route("/admin/users/{id}", post(crate::admin::user_post))
        .route(
            "/admin/users/{id}/password",
            post(crate::admin::password_post),
        )
        .route("/admin/orgs", post(crate::admin::org_post))
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
        .route("/public/{id}/xlsx", get(public_xlsx))
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
    /// `2 错 · 5 警`, or empty.
    findings: String,
    updated: String,
    href: String,
}

/// A sortable column header: its label, the link that sorts by it, and the arrow shown.
struct Header {
    label: &'static str,
    en: &'static str,
    href: String,
    arrow: &'static str,
    class: &'static str,
}

/// A link with a label (paging, counts, page sizes).
struct Link {
    label: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    nav_user: Option<String>,
    csrf: String,
    heading: String,
    /// (label, count, link to the list of that status, is the current filter)
    counts: Vec<Link>,
    all_count: Option<Link>,
    /// The filter form's current values.
    f: ListQuery,
    statuses: Vec<(&'static str, &'static str)>,
    depts: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    grades: Vec<(&'static str, &'static str)>,
    codes: Vec<(&'static str, &'static str)>,
    headers: Vec<Header>,
    rows: Vec<Row>,
    total: i64,
    /// first, prev, next, last (an empty href: not a link).
    pages: Vec<Link>,
    page_label: String,
    sizes: Vec<Link>,
    /// Hidden fields that keep sort and size through the filter form.
    hidden: Vec<(&'static str, String)>,
    notice: Option<String>,
    can_import: bool,
    base: &'static str,
    public: bool,
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    imported: Option<usize>,
}

fn row_of(s: &jixiao_store::EvaluationSummary, prefix: &str) -> Row {
    let findings = match (s.errors.unwrap_or(0), s.warnings.unwrap_or(0)) {
        (0, 0) => String::new(),
        (0, w) => format!("{w} 警"),
        (e, 0) => format!("{e} 错"),
        (e, w) => format!("{e} 错 · {w} 警"),
    };
    Row {
        year: s.year.map(|y| y.to_string()).unwrap_or_default(),
        project: s.project.clone().unwrap_or_else(|| "（无名称）".into()),
        department: s.department.clone().unwrap_or_default(),
        unit: s.unit.clone().unwrap_or_default(),
        status: s.status.as_str(),
        status_label: s.status.label_zh(),
        total: s.total.clone().unwrap_or_default(),
        grade: s.grade.clone().unwrap_or_default(),
        findings,
        updated: beijing(s.updated_at),
        href: format!("{prefix}{}", s.id),
    }
}

fn all_statuses() -> Vec<(&'static str, &'static str)> {
    Status::ALL
        .iter()
        .map(|s| (s.as_str(), s.label_zh()))
        .collect()
}

/// The list's query string with some parameters replaced (`""` removes one); empty
/// parameters are left out, so links stay short.
pub fn list_href(base: &str, q: &ListQuery, set: &[(&str, &str)]) -> String {
    let fields: [(&str, &Option<String>); 11] = [
        ("year", &q.year),
        ("dept", &q.dept),
        ("unit", &q.unit),
        ("status", &q.status),
        ("grade", &q.grade),
        ("code", &q.code),
        ("q", &q.q),
        ("sort", &q.sort),
        ("dir", &q.dir),
        ("size", &q.size),
        ("page", &q.page),
    ];
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (name, value) in fields {
        let value = match set.iter().find(|(k, _)| *k == name) {
            Some((_, v)) => v.to_string(),
            None => value
                .as_deref()
                .map(str::trim)
                .unwrap_or_default()
                .to_owned(),
        };
        if !value.is_empty() {
            pairs.push((name, value));
        }
    }
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if qs.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{qs}")
    }
}

const GRADES: [(&str, &str); 5] = [
    ("优", "优"),
    ("良", "良"),
    ("中", "中"),
    ("差", "差"),
    ("none", "无等级 (none)"),
];

const SORTABLE: [(&str, &str, &str, &str); 6] = [
    ("project", "项目名称", "Project", ""),
    ("unit", "实施单位", "Unit", ""),
    ("total", "计算总分", "Total", "num"),
    ("grade", "等级", "Grade", ""),
    ("status", "状态", "Status", ""),
    ("updated", "最后修改", "Updated", ""),
];

/// Build the list page for a filter (the home list and the public list).
#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    q: ListQuery,
    filter: ListFilter,
    base: &'static str,
    heading: String,
    nav_user: Option<String>,
    csrf: String,
    notice: Option<String>,
    can_import: bool,
    prefetched: Option<jixiao_store::ListPage>,
) -> ApiResult<Response> {
    let public = base.starts_with("/public");
    // One query: the page, the counts by status, the organisations for the choices.
    let jixiao_store::ListPage {
        items,
        counts,
        orgs,
    } = match prefetched {
        Some(page) => page,
        None => state.store.list_page(&filter).await?,
    };
    let total = match filter.status {
        Some(s) => counts.of(s),
        None => counts.total(),
    };
    let current_status = q.status.clone().unwrap_or_default();
    let counts_links: Vec<Link> = Status::ALL
        .into_iter()
        .filter(|s| filter.statuses.as_ref().is_none_or(|v| v.contains(s)))
        .map(|s| Link {
            label: format!("{} {}", s.label_zh(), counts.of(s)),
            href: list_href(base, &q, &[("status", s.as_str()), ("page", "")]),
            current: current_status == s.as_str(),
        })
        .collect();
    let all_count = Some(Link {
        label: format!("全部 {}", counts.total()),
        href: list_href(base, &q, &[("status", ""), ("page", "")]),
        current: current_status.is_empty(),
    });
    let (sort, asc) = (filter.sort, filter.ascending);
    let headers = SORTABLE
        .iter()
        .map(|(key, label, en, class)| {
            let active = sort.as_str() == *key;
            // A click on the sorted column flips it; another column starts in its natural
            // direction (names A→Z, numbers and dates high→low).
            let dir = if active {
                if asc {
                    "desc"
                } else {
                    "asc"
                }
            } else if matches!(*key, "project" | "unit" | "status") {
                "asc"
            } else {
                "desc"
            };
            Header {
                label,
                en,
                href: list_href(base, &q, &[("sort", key), ("dir", dir), ("page", "")]),
                arrow: match (active, asc) {
                    (false, _) => "",
                    (true, true) => " ▲",
                    (true, false) => " ▼",
                },
                class,
            }
        })
        .collect();
    let size = filter.limit.unwrap_or(50).max(1);
    let offset = filter.offset.unwrap_or(0);
    let page = offset / size + 1;
    let last = ((total + size - 1) / size).max(1);
    // A link that leads nowhere (the first page's "previous") is shown greyed, without href.
    let page_link = |label: &str, p: i64, enabled: bool| Link {
        label: label.to_owned(),
        href: if enabled {
            list_href(base, &q, &[("page", &p.to_string())])
        } else {
            String::new()
        },
        current: false,
    };
    let pages = vec![
        page_link("« 首页 First", 1, page > 1),
        page_link("‹ 上一页 Prev", page - 1, page > 1),
        page_link("下一页 Next ›", page + 1, page < last),
        page_link("末页 Last »", last, page < last),
    ];
    let sizes = api::PAGE_SIZES
        .iter()
        .map(|n| Link {
            label: n.to_string(),
            href: list_href(base, &q, &[("size", &n.to_string()), ("page", "")]),
            current: *n == size,
        })
        .collect();
    let mut hidden = Vec::new();
    for (name, v) in [("sort", &q.sort), ("dir", &q.dir), ("size", &q.size)] {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            hidden.push((name, v.to_owned()));
        }
    }
    // The choices: the units of the scope and the departments above them.
    let visible: Vec<&jixiao_store::Org> = orgs
        .iter()
        .filter(|o| o.kind == jixiao_store::OrgKind::Unit)
        .filter(|o| {
            filter
                .org_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&o.id))
        })
        .filter(|o| filter.within.is_none_or(|w| o.is_under(w)))
        .collect();
    let depts = orgs
        .iter()
        .filter(|o| o.kind == jixiao_store::OrgKind::Department)
        .filter(|d| visible.iter().any(|u| u.is_under(d.id)))
        .map(|o| (o.id, o.name.clone()))
        .collect();
    let units = visible.iter().map(|o| (o.id, o.name.clone())).collect();
    let prefix = if public { "/public/" } else { "/evaluations/" };
    let page = ListPage {
        nav_user,
        csrf,
        heading,
        counts: counts_links,
        all_count,
        f: q,
        statuses: all_statuses(),
        depts,
        units,
        grades: GRADES.to_vec(),
        codes: jixiao_core::CHECKS
            .iter()
            .map(|c| (c.code, c.title_zh))
            .collect(),
        headers,
        rows: items.iter().map(|s| row_of(s, prefix)).collect(),
        total,
        pages,
        page_label: format!("第 {page} / {last} 页 (page {page} of {last})"),
        sizes,
        hidden,
        notice,
        can_import,
        base,
        public,
    };
    Ok(render(&page))
}

async fn home(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<ListQuery>, QueryRejection>,
    extra: Result<Query<HomeQuery>, QueryRejection>,
) -> ApiResult<Response> {
    crate::session::with_preload(home_in(state, session, query, extra)).await
}

/// The list, reading the session and the page in one statement when this process has seen the
/// session's user before ([`crate::SessionHints`]); the user is then taken from the session
/// exactly as [`PageUser`] does, and the page is used only if it was read for that very user.
async fn home_in(
    state: AppState,
    session: Session,
    query: Result<Query<ListQuery>, QueryRejection>,
    extra: Result<Query<HomeQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let sid = session.id();
    let guess = sid.and_then(|sid| state.hints.get(&sid));
    let mut fetched = None;
    if let (Some(sid), Some(guess), Ok(Query(q))) = (sid, &guess, &query) {
        if let Ok(filter) = api::list_filter(guess, q) {
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let found = state
                .store
                .session_list_page(&sid.to_string(), now, &filter)
                .await?;
            fetched = crate::session::preload_with(sid, found)
                .map_err(ApiError::internal)?
                .flatten();
        }
    }
    let Some(user) = api::session_user(&session, &state).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let (Query(q), Query(extra)) = match (query, extra) {
        (Ok(q), Ok(extra)) => (q, extra),
        (Err(r), _) | (_, Err(r)) => return Ok(r.into_response()),
    };
    // The filter is a function of the user and the query: a page read for the guessed user is
    // this user's page only if the guess was this user.
    let prefetched = fetched.filter(|_| guess.as_ref() == Some(&user));
    if let Some(sid) = session.id() {
        state.hints.set(sid, &user);
    }
    if access::is_admin(&user) {
        // An administrator has no forms: their home is the administration page.
        return crate::admin::render_admin(&state, &session, &user, None).await;
    }
    let csrf = csrf_token(&session).await?;
    let notice = extra
        .imported
        .map(|n| format!("已导入 {n} 张草稿 (imported {n} draft(s))"));
    let can_import = access::can_create(&user);
    let filter = api::list_filter(&user, &q)?;
    list_page(
        &state,
        q,
        filter,
        "/",
        "自评表 (forms)".into(),
        nav(&user),
        csrf,
        notice,
        can_import,
        prefetched,
    )
    .await
}

async fn public_list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    // The public list: approved and spot-checked forms of every organisation.
    let public = User {
        id: 0,
        username: String::new(),
        display_name: String::new(),
        role: jixiao_store::Role::Finance,
        org_id: None,
        disabled: false,
    };
    let q = ListQuery { status: None, ..q };
    let mut filter = api::list_filter(&public, &q)?;
    filter.statuses = Some(vec![Status::Approved, Status::SpotChecked]);
    list_page(
        &state,
        q,
        filter,
        "/public/",
        "已公开的绩效自评表 (published forms)".into(),
        None,
        String::new(),
        None,
        false,
        None,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Dashboard.

/// One bar of an SVG bar chart (coordinates in the chart's own units).
struct Bar {
    label: String,
    n: i64,
    href: String,
    y: i64,
    width: i64,
    class: String,
}

/// A horizontal bar chart drawn on the server as SVG (no script).
struct Chart {
    title: &'static str,
    bars: Vec<Bar>,
    height: i64,
}

const CHART_WIDTH: i64 = 300;
const BAR_STEP: i64 = 28;

fn chart(title: &'static str, data: Vec<(String, i64, String, String)>) -> Chart {
    let max = data.iter().map(|(_, n, _, _)| *n).max().unwrap_or(0).max(1);
    let bars = data
        .into_iter()
        .enumerate()
        .map(|(i, (label, n, href, class))| Bar {
            label,
            n,
            href,
            y: i as i64 * BAR_STEP,
            // Integer arithmetic: a count's share of the widest bar, at least a sliver when > 0.
            width: if n > 0 {
                (n * CHART_WIDTH / max).max(2)
            } else {
                0
            },
            class,
        })
        .collect::<Vec<_>>();
    Chart {
        title,
        height: (bars.len() as i64 * BAR_STEP).max(BAR_STEP),
        bars,
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav_user: Option<String>,
    csrf: String,
    year: String,
    years: Vec<Link>,
    total: i64,
    total_href: String,
    charts: Vec<Chart>,
    /// (code, 中文名称, forms, link)
    top: Vec<(String, String, i64, String)>,
}

async fn dashboard_page(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Query(q): Query<api::DashboardQuery>,
) -> ApiResult<Response> {
    if access::is_admin(&user) {
        return Ok(Redirect::to("/admin").into_response());
    }
    let year = api::number("year", &q.year)?;
    let d = api::dashboard_of(&state, &user, year).await?;
    let y = d.year.map(|y| y.to_string()).unwrap_or_default();
    let with_year = ListQuery {
        year: Some(y.clone()),
        ..ListQuery::default()
    };
    let href = |k: &str, v: &str| list_href("/", &with_year, &[(k, v)]);
    let status_chart = chart(
        "按状态 (by status)",
        d.by_status
            .iter()
            .map(|(s, n)| {
                (
                    s.label_zh().to_owned(),
                    *n,
                    href("status", s.as_str()),
                    format!("bar {}", s.as_str()),
                )
            })
            .collect(),
    );
    let grade_chart = chart(
        "按等级 (by grade)",
        d.by_grade
            .iter()
            .map(|(g, n)| match g {
                Some(g) => (g.clone(), *n, href("grade", g), format!("bar grade-{g}")),
                None => (
                    "无等级".to_owned(),
                    *n,
                    href("grade", "none"),
                    "bar grade-none".to_owned(),
                ),
            })
            .collect(),
    );
    let page = DashboardPage {
        nav_user: nav(&user),
        csrf: csrf_token(&session).await?,
        years: d
            .years
            .iter()
            .map(|yy| Link {
                label: yy.to_string(),
                href: format!("/dashboard?year={yy}"),
                current: Some(*yy) == d.year,
            })
            .collect(),
        total: d.total,
        total_href: list_href("/", &with_year, &[]),
        charts: vec![status_chart, grade_chart],
        top: d
            .top_codes
            .iter()
            .map(|(code, title, n)| (code.clone(), title.clone(), *n, href("code", code)))
            .collect(),
        year: y,
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
    severity: String,
    severity_label: String,
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

fn d_(v: Option<Decimal>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn s<T: AsRef<str>>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(String::new, |t| t.as_ref().to_owned())
}

/// The official table of a form with its verdict (stored with the version: no engine run).
pub fn form_view(ev: &Evaluation, d: &Derived, source: &str) -> FormView {
    let c = &d.computed;
    let row = |label, r: &jixiao_core::FundRow| FundView {
        label,
        initial: d_(r.initial),
        adjusted: d_(r.adjusted),
        executed: d_(r.executed),
    };
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
        budget_weight: d_(ev.funds.weight),
        rate_reported: s(&ev.funds.rate_printed),
        rate_computed: c.rate.clone(),
        budget_reported: d_(ev.funds.score.map(|p| p.value)),
        budget_computed: c.budget_score.clone(),
        goal_expected: s(&ev.goal_expected),
        goal_actual: s(&ev.goal_actual),
        indicators: ev
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| IndicatorView {
                level1: s(&ind.level1),
                level2: s(&ind.level2),
                name: ind.name.to_string(),
                target: s(&ind.target),
                actual: s(&ind.actual),
                weight: d_(ind.weight),
                reported: d_(ind.score),
                computed: c.indicators.get(i).cloned().unwrap_or_default(),
                reason: s(&ind.reason),
                flag: c.flagged.contains(&i),
            })
            .collect(),
        total_weight: d_(ev.total_weight),
        total_reported: d_(ev.total_score.map(|p| p.value)),
        total_computed: c.total.clone(),
        grade_computed: c.grade.clone(),
        findings: c
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| FindingView {
                severity: f.severity.clone(),
                severity_label: f.severity_label.clone(),
                code: f.code.clone(),
                message: f.message.clone(),
                message_en: f.message_en.clone(),
                location: d
                    .locations
                    .get(i)
                    .and_then(|l| l.as_ref())
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
        Self::with_computed(input, c, version, error)
    }

    /// The editor with numbers already computed (the stored verdict of the saved version).
    pub fn with_computed(
        input: crate::editor::EditorInput,
        c: crate::editor::Computed,
        version: i64,
        error: Option<String>,
    ) -> Self {
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
    /// How many versions the history shows at most ([`jixiao_store::PAGE_HISTORY`]).
    history_shown: i64,
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
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    query: Result<Query<FormPageQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    crate::session::with_preload(form_page_in(state, session, path, query)).await
}

/// The form page, reading the session, its user and the page in one statement
/// ([`jixiao_store::Store::session_evaluation_page`]); the user is then taken from the
/// session exactly as [`PageUser`] does, and the access check is the same.
async fn form_page_in(
    state: AppState,
    session: Session,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    query: Result<Query<FormPageQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    // The id is needed for the query, but a bad one is answered only after the login check,
    // as when `PageUser` came first.
    let mut fetched = None;
    if let (Some(sid), Ok(Path(id))) = (session.id(), &path) {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let found = state
            .store
            .session_evaluation_page(&sid.to_string(), now, *id)
            .await?;
        fetched = crate::session::preload_with(sid, found).map_err(ApiError::internal)?;
    }
    let Some(user) = api::session_user(&session, &state).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let id = match path {
        Ok(Path(id)) => id,
        Err(r) => return Ok(r.into_response()),
    };
    let Query(q) = match query {
        Ok(q) => q,
        Err(r) => return Ok(r.into_response()),
    };
    let page = match fetched {
        Some(page) => page,
        // No user came with the session row (a login during this request, a race with a
        // re-enabled user): read the page on its own.
        None => state.store.evaluation_page(id).await?,
    };
    let jixiao_store::EvaluationPage {
        record,
        comments,
        history,
    } = page
        .filter(|p| access::can_read_at(&user, &p.record.summary, p.record.org_path.as_deref()))
        .ok_or_else(ApiError::not_found)?;
    let notice = q.saved.is_some().then(|| "已保存 (saved)".to_owned());
    let verdict = derived::of_record(&record, &state.profile, &state.profile_key);
    let editor = editable(&user, &record).then(|| {
        EditorView::with_computed(
            crate::editor::EditorInput::from_evaluation(&record.form),
            verdict.computed.clone(),
            record.summary.version,
            None,
        )
    });
    let extras = (comments, history);
    let page = build_form_page(&session, &user, &record, extras, &verdict, editor, notice).await?;
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
    let verdict = derived::of_record(record, &state.profile, &state.profile_key);
    let id = record.summary.id;
    let extras = (
        state.store.comments(id).await?,
        state.store.history_lines(id).await?,
    );
    let page = build_form_page(session, user, record, extras, &verdict, Some(editor), None).await?;
    Ok(render(&page))
}

#[allow(clippy::too_many_arguments)]
async fn build_form_page(
    session: &Session,
    user: &User,
    record: &jixiao_store::EvaluationRecord,
    (comments, entries): (Vec<jixiao_store::Comment>, Vec<jixiao_store::HistoryLine>),
    verdict: &Derived,
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
    let comments = comments
        .into_iter()
        .map(|c| CommentView {
            author: c.author,
            at: beijing(c.at),
            indicator: c.indicator.map(indicator_name).unwrap_or_default(),
            body: c.body,
        })
        .collect();
    let history = entries
        .iter()
        .map(|h| HistoryView {
            version: h.version,
            action: match Status::parse(&h.action) {
                Some(s) => s.label_zh().to_owned(),
                None if h.action == "create" => "创建".into(),
                None => "保存".into(),
            },
            actor: h.actor.clone().unwrap_or_default(),
            at: beijing(h.at),
            reason: h.reason.clone().unwrap_or_default(),
            changes: h.changes.clone(),
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
        f: form_view(&record.form, verdict, &format!("evaluation:{id}")),
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
        history_shown: jixiao_store::PAGE_HISTORY,
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
    id: i64,
    status: &'static str,
    status_label: &'static str,
    f: FormView,
}

/// A form the public may see (an approved or spot-checked one); any other id is 404.
async fn public_record(state: &AppState, id: i64) -> ApiResult<jixiao_store::EvaluationRecord> {
    state
        .store
        .get_evaluation(id)
        .await?
        .filter(|r| r.summary.status.is_public())
        .ok_or_else(ApiError::not_found)
}

async fn public_form(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Response> {
    let record = public_record(&state, id).await?;
    let page = PublicFormPage {
        nav_user: None,
        csrf: String::new(),
        status: record.summary.status.as_str(),
        status_label: record.summary.status.label_zh(),
        f: form_view(
            &record.form,
            &derived::of_record(&record, &state.profile, &state.profile_key),
            &format!("evaluation:{id}"),
        ),
        id,
    };
    Ok(render(&page))
}

/// `GET /public/{id}/xlsx`: an approved form as .xlsx in the official layout, with the
/// engine's computed scores in a column beside and the findings on a sheet of their own
/// (written by `jixiao_formats::xlsx`, as `jixiao convert … -o X.xlsx --with-review`: text that
/// starts with `=` is written as text, never as a formula).
async fn public_xlsx(State(state): State<AppState>, Path(id): Path<i64>) -> ApiResult<Response> {
    let record = public_record(&state, id).await?;
    let profile = state.profile.clone();
    let form = record.form;
    let bytes = tokio::task::spawn_blocking(move || {
        jixiao_formats::xlsx::write_xlsx(
            std::slice::from_ref(&form),
            jixiao_formats::xlsx::XlsxOptions {
                review: Some(&profile),
                one_sheet: false,
            },
        )
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let name = format!(
        "attachment; filename=\"jixiao-{id}{}.xlsx\"",
        record
            .summary
            .year
            .map(|y| format!("-{y}"))
            .unwrap_or_default()
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, name),
        ],
        bytes,
    )
        .into_response())
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
