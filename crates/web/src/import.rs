//! The import page (导入): paste text or upload a file (text, .xlsx, JSON) → a preview of every
//! form read, with the engine's scores and all findings (the reader's included) → save them as
//! drafts of the user's unit.
//!
//! The preview carries the uploaded bytes forward in the page (base64 in a hidden field), so
//! the save reads exactly what was previewed and nothing is kept on the server in between.
//! Reading and saving go through the API's own logic (`api::import_forms`,
//! `api::create_drafts`).

use crate::access;
use crate::api::{self, CurrentUser};
use crate::editor::severity_label;
use crate::error::{ApiError, ApiResult};
use crate::pages::{self, check_csrf, PageUser};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use base64::Engine as _;
use jixiao_core::assess;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;
use tower_sessions::Session;

struct FindingRow {
    severity: &'static str,
    severity_label: &'static str,
    code: String,
    message: String,
    place: String,
}

struct FormPreview {
    n: usize,
    year: String,
    project: String,
    unit: String,
    indicators: usize,
    reported: String,
    total: String,
    grade: String,
    errors: usize,
    warnings: usize,
    findings: Vec<FindingRow>,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    nav_user: Option<String>,
    csrf: String,
    error: Option<String>,
    text: String,
    /// The bytes previewed, base64 (empty before a preview).
    payload: String,
    source: String,
    forms: Vec<FormPreview>,
}

fn shown(v: Decimal) -> String {
    v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

fn render(page: &ImportPage, status: StatusCode) -> Response {
    match page.render() {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

/// `GET /import`.
pub async fn import_page(session: Session, PageUser(user): PageUser) -> ApiResult<Response> {
    if !access::can_create(&user) {
        return Err(ApiError::forbidden());
    }
    let page = ImportPage {
        nav_user: pages::nav(&user),
        csrf: pages::csrf_token(&session).await?,
        error: None,
        text: String::new(),
        payload: String::new(),
        source: String::new(),
        forms: Vec::new(),
    };
    Ok(render(&page, StatusCode::OK))
}

/// The text shown back in the textarea: the pasted text, or a text upload (not an xlsx).
fn echo_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(t) if bytes.len() <= 512 * 1024 => t.to_owned(),
        _ => String::new(),
    }
}

/// `POST /import` (multipart: `csrf`, `text`, `file`): the preview.
pub async fn import_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    mut multipart: Multipart,
) -> ApiResult<Response> {
    let mut csrf = String::new();
    let mut text = String::new();
    let mut file: Vec<u8> = Vec::new();
    let mut file_name = String::new();
    loop {
        let field = multipart.next_field().await.map_err(multipart_error)?;
        let Some(field) = field else { break };
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(multipart_error)?,
            "text" => text = field.text().await.map_err(multipart_error)?,
            "file" => {
                file_name = field.file_name().unwrap_or_default().to_owned();
                file = field.bytes().await.map_err(multipart_error)?.to_vec();
            }
            _ => {}
        }
    }
    check_csrf(&session, &csrf).await?;
    if !access::can_create(&user) {
        return Err(ApiError::forbidden());
    }
    let (bytes, source) = if !file.is_empty() {
        (
            file,
            if file_name.is_empty() {
                "上传文件".to_owned()
            } else {
                file_name
            },
        )
    } else {
        (text.into_bytes(), "粘贴的文本".to_owned())
    };
    let mut page = ImportPage {
        nav_user: pages::nav(&user),
        csrf: pages::csrf_token(&session).await?,
        error: None,
        text: echo_text(&bytes),
        payload: String::new(),
        source,
        forms: Vec::new(),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        page.error = Some("请粘贴文本或选择文件 (paste a text or choose a file)".into());
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let forms = match api::import_forms_off_thread(String::new(), bytes.clone()).await {
        Ok(forms) => forms,
        Err(e) => {
            page.error = Some(e.message);
            return Ok(render(&page, e.status));
        }
    };
    page.payload = base64::engine::general_purpose::STANDARD.encode(&bytes);
    page.forms = forms
        .iter()
        .enumerate()
        .map(|(i, (ev, diags))| {
            let a = assess(ev, &state.profile);
            let all: Vec<&jixiao_core::Finding> = diags.iter().chain(&a.findings).collect();
            let count = |s: jixiao_core::Severity| all.iter().filter(|f| f.severity == s).count();
            FormPreview {
                n: i + 1,
                year: ev.year.map(|y| y.to_string()).unwrap_or_default(),
                project: ev.project.clone().unwrap_or_else(|| "（无名称）".into()),
                unit: ev.unit.clone().unwrap_or_default(),
                indicators: ev.indicators.len(),
                reported: ev
                    .total_score
                    .map(|p| p.value.to_string())
                    .unwrap_or_default(),
                total: a
                    .scorecard
                    .total
                    .as_ref()
                    .map(|c| shown(c.value))
                    .unwrap_or_default(),
                grade: a
                    .scorecard
                    .grade
                    .as_ref()
                    .map(|g| g.grade.clone())
                    .unwrap_or_default(),
                errors: count(jixiao_core::Severity::Error),
                warnings: count(jixiao_core::Severity::Warning),
                findings: all
                    .iter()
                    .map(|f| FindingRow {
                        severity: f.severity.as_str(),
                        severity_label: severity_label(f.severity),
                        code: f.code.to_string(),
                        message: f.message.clone(),
                        place: f
                            .indicator
                            .and_then(|i| ev.indicators.get(i))
                            .map(|ind| ind.name.to_string())
                            .unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(render(&page, StatusCode::OK))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "文件过大 (the upload is too large)",
        )
    } else {
        ApiError::bad_request(format!("无法读取上传内容 (cannot read the upload): {e}"))
    }
}

#[derive(Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    payload: String,
}

/// `POST /import/save`: store the previewed forms as drafts, then the list.
pub async fn save_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    Form(form): Form<SaveForm>,
) -> ApiResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    if !access::can_create(&user) {
        return Err(ApiError::forbidden());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(form.payload.trim())
        .map_err(|_| {
            ApiError::bad_request("导入内容已损坏，请重新预览 (the payload is damaged)")
        })?;
    let forms = api::import_forms_off_thread(String::new(), bytes).await?;
    let created = api::create_drafts(&state, &user, &forms).await?;
    Ok(Redirect::to(&format!("/?imported={}", created.len())).into_response())
}
