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

/// Whether a URL-encoded text (a query string, a form body) carries a NUL (`%00`).
fn encoded_nul(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00"))
}

/// Whether a JSON text has a string with a NUL (`\u0000` not itself escaped as `\\u0000`).
pub fn json_nul(bytes: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1 && b == b'u' && bytes.get(i + 1..i + 5) == Some(b"0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// A NUL in text (U+0000) is refused: no form has one, readers remove them, and PostgreSQL
/// cannot store one in TEXT (it would be a 500 there and a silently shortened search on
/// SQLite).
pub fn nul_refused() -> Response {
    ApiError::bad_request("文字中不能含有空字符 U+0000 (text must not contain NUL characters)")
        .into_response()
}

/// CSRF and content-type guard; NULs in query strings and form posts are refused.
pub async fn guard(request: Request, next: Next) -> Response {
    if request
        .uri()
        .query()
        .is_some_and(|q| encoded_nul(q.as_bytes()))
    {
        return nul_refused();
    }
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
    if media_type(request.headers()) == "application/x-www-form-urlencoded" {
        // Read the (small) form body here to look for `%00`, within the body limit.
        let limit = request
            .extensions()
            .get::<FormLimit>()
            .map_or(8 * 1024 * 1024, |l| l.0);
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, limit).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "请求体过大 (the request body is too large)",
                )
                .into_response()
            }
        };
        if encoded_nul(&bytes) {
            return nul_refused();
        }
        return next
            .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
            .await;
    }
    next.run(request).await
}

/// The body limit for the form posts [`guard`] reads (set by `app` from `Config`).
#[derive(Clone, Copy, Debug)]
pub struct FormLimit(pub usize);

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
