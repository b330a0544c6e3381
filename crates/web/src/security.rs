//! Request guards (安全): CSRF by same-origin checks on every unsafe request, the API's content
//! types, and the security headers of every response.
//!
//! An unsafe request (anything but GET/HEAD/OPTIONS) is accepted only when the browser says it
//! is same-origin (`Sec-Fetch-Site: same-origin`) or, without that header, when its `Origin`
//! names this very host. API clients outside a browser send `Origin` themselves. Session
//! cookies are `SameSite=Lax` on top, and HTML form posts carry a token as well (see
//! `pages.rs`).

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
                       img-src 'self' data:; object-src 'none'; base-uri 'none'; \
                       form-action 'self'; frame-ancestors 'none'";

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request comes from a page of this site.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST))
    else {
        return false;
    };
    let (Ok(origin), Ok(host)) = (origin.to_str(), host.to_str()) else {
        return false;
    };
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    authority.is_some_and(|a| a.eq_ignore_ascii_case(host))
}

/// The content types the import route takes besides JSON.
pub const IMPORT_TYPES: &[&str] = &[
    "text/plain",
    "text/tab-separated-values",
    "text/csv",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// CSRF and content-type guard.
pub async fn guard(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if is_safe(&method) {
        return next.run(request).await;
    }
    let headers = request.headers();
    if !same_origin(headers) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "跨站请求被拒绝：须为同源请求（Origin 或 Sec-Fetch-Site: same-origin）\
             (cross-site request refused: a same-origin Origin or Sec-Fetch-Site is required)",
        )
        .into_response();
    }
    let path = request.uri().path();
    if path.starts_with("/api/") {
        let media = media_type(headers);
        let import = method == Method::POST && path == "/api/evaluations";
        let empty_body_ok = headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|l| l.as_bytes() == b"0")
            && path.ends_with("/logout");
        let ok = media == "application/json"
            || (import && IMPORT_TYPES.contains(&media.as_str()))
            || empty_body_ok;
        if !ok {
            return ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求须为 Content-Type: application/json \
                 (the request must be Content-Type: application/json)",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// Security headers on every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
