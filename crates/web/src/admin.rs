//! Administration pages and routes (管理): users and organisations, for 管理员 only.
//!
//! - `GET /admin`: users (name, role, organisation, 停用) with a form per user to change role,
//!   organisation, name, to disable or enable, and to reset the password; a form to add a user;
//!   the organisation tree with a form to add an organisation.
//! - `POST /admin/users`, `POST /admin/users/{id}`, `POST /admin/users/{id}/password`,
//!   `POST /admin/orgs`: the same as plain form posts (CSRF token), answered by a redirect to
//!   `/admin` with a notice.
//! - API: `PUT /api/users/{id}` and `POST /api/users/{id}/password` (JSON).
//!
//! An administrator cannot disable themselves or take away their own 管理员 role: the last
//! way in would be gone.

use crate::api::{self, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::pages::{check_csrf, csrf_token, nav, PageUser};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use jixiao_store::{NewUser, OrgKind, Role, User, UserChange};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

fn admin_only(user: &User) -> ApiResult<()> {
    if crate::access::is_admin(user) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// The minimum password length for new and reset passwords.
pub const MIN_PASSWORD: usize = 8;

fn check_password(password: &str) -> ApiResult<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(ApiError::unprocessable(format!(
            "密码至少 {MIN_PASSWORD} 个字符 (the password needs at least {MIN_PASSWORD} characters)"
        )));
    }
    Ok(())
}

/// Apply a change to a user, refusing what would lock the administrator out.
pub async fn change_user(
    state: &AppState,
    admin: &User,
    id: i64,
    change: &UserChange,
) -> ApiResult<User> {
    admin_only(admin)?;
    if id == admin.id
        && (change.disabled == Some(true) || change.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(ApiError::unprocessable(
            "不能停用自己或取消自己的管理员角色 (you cannot disable yourself or drop your own admin role)",
        ));
    }
    Ok(state.store.update_user(id, change, admin.id).await?)
}

/// Reset a user's password (by an administrator; the user's old password is not needed).
pub async fn reset_password(
    state: &AppState,
    admin: &User,
    id: i64,
    password: &str,
) -> ApiResult<()> {
    admin_only(admin)?;
    check_password(password)?;
    let user = state
        .store
        .get_user(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    state
        .store
        .set_password(&user.username, password, Some(admin.id))
        .await?;
    Ok(())
}

fn parse_role(text: &str) -> ApiResult<Role> {
    Role::parse(text.trim()).ok_or_else(|| {
        ApiError::unprocessable("角色须为 filler|reviewer|finance|admin (unknown role)")
    })
}

// ---------------------------------------------------------------------------------------------
// API.

#[derive(Deserialize)]
struct UserChangeIn {
    display_name: Option<String>,
    role: Option<String>,
    /// `null` clears the organisation; absent keeps it.
    #[serde(default, deserialize_with = "double_option")]
    org_id: Option<Option<i64>>,
    disabled: Option<bool>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

#[utoipa::path(put, path = "/api/users/{id}", tag = "admin",
    params(("id" = i64, Path)),
    request_body(content = String, description = "{\"display_name\"?, \"role\"?, \"org_id\"? (null clears), \"disabled\"?}", content_type = "application/json"),
    responses((status = 200, description = "the changed user"), (status = 403, description = "管理员 only"),
              (status = 404, description = "no such user"), (status = 422, description = "unknown role or organisation, or locking yourself out")))]
pub async fn api_update_user(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    admin_only(&user)?;
    let input: UserChangeIn = api::parse(&api::body(raw)?)?;
    let change = UserChange {
        display_name: input.display_name,
        role: input.role.as_deref().map(parse_role).transpose()?,
        org_id: input.org_id,
        disabled: input.disabled,
    };
    let changed = change_user(&state, &user, id, &change).await?;
    Ok(Json(json!({ "user": api::UserOut::from(&changed) })).into_response())
}

#[derive(Deserialize)]
struct PasswordResetIn {
    password: String,
}

#[utoipa::path(post, path = "/api/users/{id}/password", tag = "admin",
    params(("id" = i64, Path)),
    request_body(content = String, description = "{\"password\"}", content_type = "application/json"),
    responses((status = 200, description = "password reset"), (status = 403, description = "管理员 only"),
              (status = 404, description = "no such user"), (status = 422, description = "too short")))]
pub async fn api_reset_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    raw: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    admin_only(&user)?;
    let input: PasswordResetIn = api::parse(&api::body(raw)?)?;
    reset_password(&state, &user, id, &input.password).await?;
    Ok(Json(json!({ "ok": true })).into_response())
}

// ---------------------------------------------------------------------------------------------
// Pages.

struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    role_label: &'static str,
    org_id: String,
    org: String,
    disabled: bool,
    is_me: bool,
}

struct OrgRow {
    id: i64,
    /// Indented by depth.
    name: String,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    nav_user: Option<String>,
    csrf: String,
    notice: Option<String>,
    users: Vec<UserRow>,
    orgs: Vec<OrgRow>,
    roles: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
}

fn kind_label(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Finance => "财政局",
        OrgKind::Department => "主管部门",
        OrgKind::Unit => "实施单位",
    }
}

#[derive(Deserialize, Default)]
pub struct AdminQuery {
    done: Option<String>,
}

pub async fn admin_page(
    State(state): State<AppState>,
    session: Session,
    PageUser(user): PageUser,
    Query(q): Query<AdminQuery>,
) -> ApiResult<Response> {
    render_admin(&state, &session, &user, q.done.as_deref()).await
}

/// The administration page (also an administrator's home page `/`).
pub async fn render_admin(
    state: &AppState,
    session: &Session,
    user: &User,
    done: Option<&str>,
) -> ApiResult<Response> {
    admin_only(user)?;
    let orgs = state.store.list_orgs().await?;
    let users = state.store.list_users().await?;
    let org_name = |id: Option<i64>| {
        id.and_then(|id| orgs.iter().find(|o| o.id == id))
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    // Depth-first, so that each organisation sits under its parent.
    let mut tree = Vec::new();
    let mut stack: Vec<(i64, usize)> = orgs
        .iter()
        .filter(|o| o.parent_id.is_none())
        .map(|o| (o.id, 0))
        .rev()
        .collect();
    while let Some((id, depth)) = stack.pop() {
        let Some(o) = orgs.iter().find(|o| o.id == id) else {
            continue;
        };
        tree.push(OrgRow {
            id,
            name: format!("{}{}", "　".repeat(depth), o.name),
            kind: kind_label(o.kind),
        });
        stack.extend(
            orgs.iter()
                .filter(|c| c.parent_id == Some(id))
                .map(|c| (c.id, depth + 1))
                .rev(),
        );
    }
    let notice = done.map(|d| match d {
        "user" => "已添加用户 (user added)".to_owned(),
        "org" => "已添加机构 (organisation added)".to_owned(),
        "password" => "已重置密码 (password reset)".to_owned(),
        _ => "已保存 (saved)".to_owned(),
    });
    let page = AdminPage {
        nav_user: nav(user),
        csrf: csrf_token(session).await?,
        notice,
        users: users
            .iter()
            .map(|u| UserRow {
                id: u.id,
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                role: u.role.as_str(),
                role_label: u.role.label_zh(),
                org_id: u.org_id.map(|o| o.to_string()).unwrap_or_default(),
                org: org_name(u.org_id),
                disabled: u.disabled,
                is_me: u.id == user.id,
            })
            .collect(),
        orgs: tree,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_zh()))
            .collect(),
        kinds: [OrgKind::Finance, OrgKind::Department, OrgKind::Unit]
            .iter()
            .map(|k| (k.as_str(), kind_label(*k)))
            .collect(),
    };
    match page.render() {
        Ok(html) => Ok(Html(html).into_response()),
        Err(e) => Err(ApiError::internal(e)),
    }
}

fn org_field(text: &str) -> ApiResult<Option<i64>> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::unprocessable("机构须为编号 (organisation must be an id)")),
    }
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    csrf: String,
    username: String,
    #[serde(default)]
    display_name: String,
    password: String,
    role: String,
    #[serde(default)]
    org_id: String,
}

pub async fn add_user_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    Form(form): Form<NewUserForm>,
) -> ApiResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    admin_only(&user)?;
    let role = parse_role(&form.role)?;
    check_password(&form.password)?;
    let org_id = org_field(&form.org_id)?;
    let display = form.display_name.trim();
    state
        .store
        .create_user(
            NewUser {
                username: &form.username,
                display_name: if display.is_empty() {
                    form.username.trim()
                } else {
                    display
                },
                password: &form.password,
                role,
                org_id,
            },
            Some(user.id),
        )
        .await?;
    Ok(Redirect::to("/admin?done=user").into_response())
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    role: String,
    #[serde(default)]
    org_id: String,
    /// `disable`, `enable`, or `save`.
    #[serde(default)]
    op: String,
}

pub async fn user_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> ApiResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    admin_only(&user)?;
    let display = form.display_name.trim();
    let change = UserChange {
        display_name: (!display.is_empty()).then(|| display.to_owned()),
        role: Some(parse_role(&form.role)?),
        org_id: Some(org_field(&form.org_id)?),
        disabled: match form.op.as_str() {
            "disable" => Some(true),
            "enable" => Some(false),
            _ => None,
        },
    };
    change_user(&state, &user, id, &change).await?;
    Ok(Redirect::to("/admin?done=saved").into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    password: String,
}

pub async fn password_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<PasswordForm>,
) -> ApiResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    reset_password(&state, &user, id, &form.password).await?;
    Ok(Redirect::to("/admin?done=password").into_response())
}

#[derive(Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    csrf: String,
    name: String,
    kind: String,
    #[serde(default)]
    parent_id: String,
}

pub async fn org_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    Form(form): Form<OrgForm>,
) -> ApiResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    admin_only(&user)?;
    let kind = OrgKind::parse(form.kind.trim()).ok_or_else(|| {
        ApiError::unprocessable("kind 须为 finance|department|unit (unknown kind)")
    })?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::unprocessable(
            "名称须为 1–200 个字符 (the name must have 1–200 characters)",
        ));
    }
    let parent = org_field(&form.parent_id)?;
    state.store.create_org(name, kind, parent).await?;
    Ok(Redirect::to("/admin?done=org").into_response())
}
