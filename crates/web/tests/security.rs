//! Attacks on the web application (攻击测试), issue 5 item 2, on SQLite and (when
//! `JIXIAO_TEST_POSTGRES_URL` is set; mandatory in CI) PostgreSQL:
//!
//! - the role × route matrix over **every** route the router declares (a route added without
//!   being classified here fails `every_route_is_classified`), each cell against forms of the
//!   user's own unit and of another department, in every status, and a missing id;
//! - guessing ids: the answer for a form one may not read is the same as for no form at all;
//! - CSRF on every unsafe route: no Origin, a foreign Origin, `Sec-Fetch-Site: cross-site`,
//!   a missing or wrong page token, a "simple" content type — all refused, nothing changed;
//! - stored XSS in every text field: pages, editor, history, public pages, import preview, the
//!   print view, the audit report, and the xlsx (a cell starting with `=` stays text);
//! - SQL metacharacters in every field and query parameter: stored and read back verbatim,
//!   searched literally, never a 500;
//! - sessions: a new id at login (fixation), the old one dead; expiry enforced by the server;
//!   logout ends the session in the database;
//! - login throttling per user name, whatever the session or the spelling;
//! - upload and body size limits: 413 with a message, on every kind of body;
//! - security headers on every response the matrix saw.

mod common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, StatusCode};
use base64::Engine as _;
use common::*;
use jixiao_store::testing::Backend;
use jixiao_store::Status;
use jixiao_web::editor::EditorInput;
use jixiao_web::Config;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

// ---------------------------------------------------------------------------------------------
// The routes.

/// Who a route is for; decides which probes it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// No login needed (login, public pages, static files, the API's docs).
    Public,
    /// Any logged-in user.
    LoggedIn,
    /// One form, `{id}` in the path: the matrix runs it against every kind of form.
    Form,
    /// Forms roles only (the lists, creating).
    Forms,
    /// 管理员 only.
    Admin,
}

/// Every route of the application, by method and path, with its class. Keep in step with
/// `src/lib.rs` and `src/pages.rs`: `every_route_is_classified` compares this list with the
/// routes declared in the sources, both ways.
const ROUTES: &[(&str, &str, Class)] = &[
    ("POST", "/api/login", Class::Public),
    ("POST", "/api/logout", Class::Public),
    ("GET", "/api/me", Class::LoggedIn),
    ("POST", "/api/password", Class::LoggedIn),
    ("GET", "/api/evaluations", Class::Forms),
    ("POST", "/api/evaluations", Class::Forms),
    ("GET", "/api/evaluations/{id}", Class::Form),
    ("PUT", "/api/evaluations/{id}", Class::Form),
    ("POST", "/api/evaluations/{id}/submit", Class::Form),
    ("POST", "/api/evaluations/{id}/return", Class::Form),
    ("POST", "/api/evaluations/{id}/approve", Class::Form),
    ("POST", "/api/evaluations/{id}/spot-check", Class::Form),
    ("POST", "/api/evaluations/{id}/comments", Class::Form),
    ("GET", "/api/evaluations/{id}/history", Class::Form),
    ("GET", "/api/users", Class::Admin),
    ("POST", "/api/users", Class::Admin),
    ("GET", "/api/orgs", Class::LoggedIn),
    ("POST", "/api/orgs", Class::Admin),
    ("GET", "/api/openapi.json", Class::Public),
    ("GET", "/", Class::Forms),
    ("GET", "/login", Class::Public),
    ("POST", "/login", Class::Public),
    ("POST", "/logout", Class::Public),
    ("GET", "/evaluations/{id}", Class::Form),
    ("POST", "/evaluations/{id}/action", Class::Form),
    ("POST", "/evaluations/{id}/comment", Class::Form),
    ("POST", "/evaluations/{id}/edit", Class::Form),
    ("POST", "/evaluations/{id}/preview", Class::Form),
    ("GET", "/import", Class::Forms),
    ("POST", "/import", Class::Forms),
    ("POST", "/import/save", Class::Forms),
    ("GET", "/public/", Class::Public),
    ("GET", "/public", Class::Public),
    ("GET", "/public/{id}", Class::Form),
    ("GET", "/api/docs", Class::Public),
    ("GET", "/static/app.css", Class::Public),
    ("GET", "/static/app.js", Class::Public),
    ("GET", "/api/dashboard", Class::Forms),
    ("PUT", "/api/users/{id}", Class::Admin),
    ("POST", "/api/users/{id}/password", Class::Admin),
    ("GET", "/dashboard", Class::Forms),
    ("GET", "/admin", Class::Admin),
    ("POST", "/admin/users", Class::Admin),
    ("POST", "/admin/users/{id}", Class::Admin),
    ("POST", "/admin/users/{id}/password", Class::Admin),
    ("POST", "/admin/orgs", Class::Admin),
    ("GET", "/public/{id}/xlsx", Class::Form),
];

/// The routes the sources declare: every `.route("PATH", get(..).post(..))` in `src/*.rs`.
/// Routes in `lib.rs` are those of the `api` router, nested under `/api`.
fn declared_routes() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeSet::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        let prefix = if file.ends_with("lib.rs") { "/api" } else { "" };
        let mut rest = src.as_str();
        while let Some(at) = rest.find(".route(") {
            rest = &rest[at + ".route(".len()..];
            // The arguments up to the matching parenthesis.
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let args = &rest[..end];
            let path = args
                .split('"')
                .nth(1)
                .unwrap_or_else(|| panic!("a route without a literal path in {file:?}: {args}"));
            let after = &args[args.find(',').unwrap_or(0)..];
            let bytes = after.as_bytes();
            for method in ["get", "post", "put", "delete", "patch", "any"] {
                let pat = format!("{method}(");
                let mut from = 0;
                while let Some(i) = after[from..].find(&pat) {
                    let i = from + i;
                    let prev = if i == 0 { b' ' } else { bytes[i - 1] };
                    if !(prev.is_ascii_alphanumeric() || prev == b'_' || prev == b':') {
                        out.insert((method.to_uppercase(), format!("{prefix}{path}")));
                    }
                    from = i + pat.len();
                }
            }
        }
    }
    out
}

#[test]
fn every_route_is_classified() {
    let declared = declared_routes();
    assert!(
        declared.len() >= 30,
        "the scan found too few routes: {declared:?}"
    );
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let unclassified: Vec<_> = declared.difference(&listed).collect();
    assert!(
        unclassified.is_empty(),
        "routes without a row in ROUTES and MATRIX (classify them: who may reach them?): \
         {unclassified:?}"
    );
    let gone: Vec<_> = listed.difference(&declared).collect();
    assert!(
        gone.is_empty(),
        "ROUTES lists routes that no longer exist: {gone:?}"
    );
    // Every route has at least one matrix row.
    for (m, p, _) in ROUTES {
        assert!(
            MATRIX.iter().any(|(mm, pp, _, _)| mm == m && pp == p),
            "{m} {p} has no row in MATRIX"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The matrix.

const ROLES: [&str; 7] = [
    "anon",
    "filler",
    "filler2",
    "reviewer",
    "reviewer2",
    "finance",
    "admin",
];

/// The forms a form route is tried on: of the demo unit a draft (D), a submitted (S) and an
/// approved (A) form; of the other department's unit a draft (F) and a submitted (G) form; an
/// id that does not exist (N).
const TARGETS: [char; 6] = ['D', 'S', 'A', 'F', 'G', 'N'];

/// (method, path, variant, expected statuses). For a `{id}` route: one group of six (targets
/// D S A F G N) per role, groups in the order of [`ROLES`], separated by `|`; otherwise one
/// status per role. The variant names what is sent (see [`probe`]).
const MATRIX: &[(&str, &str, &str, &str)] = &[
    (
        "POST",
        "/api/login",
        "wrong password",
        "401 401 401 401 401 401 401",
    ),
    ("POST", "/api/logout", "", "200 200 200 200 200 200 200"),
    ("GET", "/api/me", "", "401 200 200 200 200 200 200"),
    (
        "POST",
        "/api/password",
        "too short",
        "401 422 422 422 422 422 422",
    ),
    ("GET", "/api/evaluations", "", "401 200 200 200 200 200 403"),
    (
        "POST",
        "/api/evaluations",
        "json form",
        "401 201 201 403 403 403 403",
    ),
    (
        "POST",
        "/api/evaluations",
        "text import",
        "401 201 201 403 403 403 403",
    ),
    (
        "GET",
        "/api/evaluations/{id}",
        "",
        "401 401 401 401 401 401 | 200 200 200 404 404 404 | 404 404 404 200 200 404 | \
      404 200 200 404 404 404 | 404 404 404 404 200 404 | 200 200 200 200 200 404 | \
      404 404 404 404 404 404",
    ),
    (
        "PUT",
        "/api/evaluations/{id}",
        "",
        "401 401 401 401 401 401 | 200 409 409 404 404 404 | 404 404 404 200 409 404 | \
      404 403 403 404 404 404 | 404 404 404 404 403 404 | 403 403 403 403 403 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/api/evaluations/{id}/submit",
        "",
        "401 401 401 401 401 401 | 200 409 409 404 404 404 | 404 404 404 200 409 404 | \
      404 403 403 404 404 404 | 404 404 404 404 403 404 | 403 403 403 403 403 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/api/evaluations/{id}/return",
        "",
        "401 401 401 401 401 401 | 403 403 403 404 404 404 | 404 404 404 403 403 404 | \
      404 200 403 404 404 404 | 404 404 404 404 200 404 | 403 403 200 403 403 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/api/evaluations/{id}/approve",
        "",
        "401 401 401 401 401 401 | 403 403 403 404 404 404 | 404 404 404 403 403 404 | \
      404 200 409 404 404 404 | 404 404 404 404 200 404 | 403 403 403 403 403 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/api/evaluations/{id}/spot-check",
        "",
        "401 401 401 401 401 401 | 403 403 403 404 404 404 | 404 404 404 403 403 404 | \
      404 403 403 404 404 404 | 404 404 404 404 403 404 | 409 409 200 409 409 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/api/evaluations/{id}/comments",
        "",
        "401 401 401 401 401 401 | 201 201 201 404 404 404 | 404 404 404 201 201 404 | \
      404 201 201 404 404 404 | 404 404 404 404 201 404 | 201 201 201 201 201 404 | \
      404 404 404 404 404 404",
    ),
    (
        "GET",
        "/api/evaluations/{id}/history",
        "",
        "401 401 401 401 401 401 | 200 200 200 404 404 404 | 404 404 404 200 200 404 | \
      404 200 200 404 404 404 | 404 404 404 404 200 404 | 200 200 200 200 200 404 | \
      404 404 404 404 404 404",
    ),
    ("GET", "/api/users", "", "401 403 403 403 403 403 200"),
    ("POST", "/api/users", "", "401 403 403 403 403 403 201"),
    ("GET", "/api/orgs", "", "401 200 200 200 200 200 200"),
    ("POST", "/api/orgs", "", "401 403 403 403 403 403 201"),
    (
        "GET",
        "/api/openapi.json",
        "",
        "200 200 200 200 200 200 200",
    ),
    ("GET", "/", "", "303 200 200 200 200 200 200"),
    ("GET", "/login", "", "200 200 200 200 200 200 200"),
    (
        "POST",
        "/login",
        "wrong password",
        "401 401 401 401 401 401 401",
    ),
    ("POST", "/logout", "", "303 303 303 303 303 303 303"),
    (
        "GET",
        "/evaluations/{id}",
        "",
        "303 303 303 303 303 303 | 200 200 200 404 404 404 | 404 404 404 200 200 404 | \
      404 200 200 404 404 404 | 404 404 404 404 200 404 | 200 200 200 200 200 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/evaluations/{id}/action",
        "submit",
        "401 401 401 401 401 401 | 303 409 409 404 404 404 | 404 404 404 303 409 404 | \
      404 403 403 404 404 404 | 404 404 404 404 403 404 | 403 403 403 403 403 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/evaluations/{id}/action",
        "return",
        "401 401 401 401 401 401 | 403 403 403 404 404 404 | 404 404 404 403 403 404 | \
      404 303 403 404 404 404 | 404 404 404 404 303 404 | 403 403 303 403 403 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/evaluations/{id}/action",
        "approve",
        "401 401 401 401 401 401 | 403 403 403 404 404 404 | 404 404 404 403 403 404 | \
      404 303 409 404 404 404 | 404 404 404 404 303 404 | 403 403 403 403 403 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/evaluations/{id}/action",
        "spot-check",
        "401 401 401 401 401 401 | 403 403 403 404 404 404 | 404 404 404 403 403 404 | \
      404 403 403 404 404 404 | 404 404 404 404 403 404 | 409 409 303 409 409 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/evaluations/{id}/comment",
        "",
        "401 401 401 401 401 401 | 303 303 303 404 404 404 | 404 404 404 303 303 404 | \
      404 303 303 404 404 404 | 404 404 404 404 303 404 | 303 303 303 303 303 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/evaluations/{id}/edit",
        "save",
        "401 401 401 401 401 401 | 303 409 409 404 404 404 | 404 404 404 303 409 404 | \
      404 403 403 404 404 404 | 404 404 404 404 403 404 | 403 403 403 403 403 404 | \
      404 404 404 404 404 404",
    ),
    (
        "POST",
        "/evaluations/{id}/preview",
        "",
        "401 401 401 401 401 401 | 200 200 200 404 404 404 | 404 404 404 200 200 404 | \
      404 200 200 404 404 404 | 404 404 404 404 200 404 | 200 200 200 200 200 404 | \
      404 404 404 404 404 404",
    ),
    ("GET", "/import", "", "303 200 200 403 403 403 403"),
    ("POST", "/import", "", "401 200 200 403 403 403 403"),
    ("POST", "/import/save", "", "401 303 303 403 403 403 403"),
    ("GET", "/public/", "", "200 200 200 200 200 200 200"),
    ("GET", "/public", "", "308 308 308 308 308 308 308"),
    (
        "GET",
        "/public/{id}",
        "",
        "404 404 200 404 404 404 | 404 404 200 404 404 404 | 404 404 200 404 404 404 | \
      404 404 200 404 404 404 | 404 404 200 404 404 404 | 404 404 200 404 404 404 | \
      404 404 200 404 404 404",
    ),
    ("GET", "/api/docs", "", "200 200 200 200 200 200 200"),
    ("GET", "/static/app.css", "", "200 200 200 200 200 200 200"),
    ("GET", "/static/app.js", "", "200 200 200 200 200 200 200"),
    ("GET", "/api/dashboard", "", "401 200 200 200 200 200 403"),
    ("PUT", "/api/users/{id}", "", "401 403 403 403 403 403 200"),
    (
        "POST",
        "/api/users/{id}/password",
        "",
        "401 403 403 403 403 403 200",
    ),
    ("GET", "/dashboard", "", "303 200 200 200 200 200 303"),
    ("GET", "/admin", "", "303 403 403 403 403 403 200"),
    ("POST", "/admin/users", "", "401 403 403 403 403 403 303"),
    (
        "POST",
        "/admin/users/{id}",
        "",
        "401 403 403 403 403 403 303",
    ),
    (
        "POST",
        "/admin/users/{id}/password",
        "",
        "401 403 403 403 403 403 303",
    ),
    ("POST", "/admin/orgs", "", "401 403 403 403 403 403 303"),
    (
        "GET",
        "/public/{id}/xlsx",
        "",
        "404 404 200 404 404 404 | 404 404 200 404 404 404 | 404 404 200 404 404 404 | \
      404 404 200 404 404 404 | 404 404 200 404 404 404 | 404 404 200 404 404 404 | \
      404 404 200 404 404 404",
    ),
];

/// The statuses of a matrix row, per role (and per target for a form route).
fn expected(spec: &str, form_route: bool) -> Vec<Vec<u16>> {
    let groups: Vec<Vec<u16>> = if form_route {
        spec.split('|')
            .map(|g| g.split_whitespace().map(|s| s.parse().unwrap()).collect())
            .collect()
    } else {
        spec.split_whitespace()
            .map(|s| vec![s.parse().unwrap()])
            .collect()
    };
    assert_eq!(groups.len(), ROLES.len(), "{spec}");
    for g in &groups {
        assert_eq!(
            g.len(),
            if form_route { TARGETS.len() } else { 1 },
            "{spec}"
        );
    }
    groups
}

/// The security headers every response carries.
fn assert_security_headers(headers: &HeaderMap, what: &str) {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name} header"))
            .to_owned()
    };
    let csp = get("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("object-src 'none'"), "{what}: {csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    let referrer = get("referrer-policy");
    assert!(
        [
            "same-origin",
            "no-referrer",
            "strict-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&referrer.as_str()),
        "{what}: {referrer}"
    );
}

/// Logged-in clients per role and their page tokens.
struct Clients {
    by_role: HashMap<&'static str, (Client, String)>,
}

impl Clients {
    async fn new(w: &World) -> Self {
        let mut by_role = HashMap::new();
        for role in ROLES {
            let mut c = if role == "anon" {
                Client::new(w.app.clone())
            } else {
                as_user(w, role).await
            };
            let token = c.csrf().await;
            by_role.insert(role, (c, token));
        }
        Clients { by_role }
    }
}

/// A client of `role` with a session of its own (for the logout routes).
async fn fresh_client(w: &World, role: &str) -> (Client, String) {
    let mut c = if role == "anon" {
        Client::new(w.app.clone())
    } else {
        as_user(w, role).await
    };
    let token = c.csrf().await;
    (c, token)
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Send the probe of one matrix cell.
#[allow(clippy::too_many_arguments)]
async fn probe(
    c: &mut Client,
    token: &str,
    method: &str,
    path: &str,
    variant: &str,
    id: i64,
    version: i64,
    n: usize,
) -> Reply {
    let uri = path.replace("{id}", &id.to_string());
    let seed = std::str::from_utf8(jixiao_web::demo::SEED).unwrap();
    let v = version.to_string();
    let unique = format!("probe{n}");
    if method == "GET" {
        return c.get(&uri).await;
    }
    let m = if method == "PUT" {
        Method::PUT
    } else {
        Method::POST
    };
    match (path, variant) {
        ("/api/login", _) => c.login(&format!("nobody-{unique}"), "wrong").await,
        ("/api/logout", _) => c.post(&uri, json!({})).await,
        ("/api/password", _) => {
            c.post(&uri, json!({"old_password": "x", "new_password": "short"}))
                .await
        }
        ("/api/evaluations", "json form") => {
            c.post(&uri, json!({"year": 2024, "project": "矩阵 (matrix)"}))
                .await
        }
        ("/api/evaluations", "text import") => {
            let r = c
                .request(Method::POST, &uri)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(Body::from(seed))
                .unwrap();
            c.send(r).await
        }
        ("/api/evaluations/{id}", _) => {
            c.json(
                m,
                &uri,
                &json!({"version": version, "project": "改名 (renamed)"}),
            )
            .await
        }
        ("/api/evaluations/{id}/return", _) => {
            c.post(&uri, json!({"reason": "理由 (reason)", "version": version}))
                .await
        }
        ("/api/evaluations/{id}/comments", _) => {
            c.post(&uri, json!({"body": "意见 (comment)"})).await
        }
        (p, _) if p.starts_with("/api/evaluations/{id}/") => {
            c.post(&uri, json!({"version": version})).await
        }
        ("/api/users", _) => {
            c.post(
                &uri,
                json!({"username": unique, "password": "12345678", "role": "filler"}),
            )
            .await
        }
        ("/api/orgs", _) => {
            c.post(
                &uri,
                json!({"name": format!("新单位 {unique}"), "kind": "unit"}),
            )
            .await
        }
        ("/login", _) => {
            let user = format!("nobody-{unique}");
            c.form(
                &uri,
                &pairs(&[("csrf", token), ("username", &user), ("password", "x")]),
            )
            .await
        }
        ("/logout", _) => c.form(&uri, &pairs(&[("csrf", token)])).await,
        ("/evaluations/{id}/action", action) => {
            c.form(
                &uri,
                &pairs(&[
                    ("csrf", token),
                    ("action", action),
                    ("version", &v),
                    ("reason", "理由 (reason)"),
                ]),
            )
            .await
        }
        ("/evaluations/{id}/comment", _) => {
            c.form(&uri, &pairs(&[("csrf", token), ("body", "意见 (comment)")]))
                .await
        }
        ("/evaluations/{id}/edit", _) | ("/evaluations/{id}/preview", _) => {
            let mut p = pairs(&[("csrf", token), ("version", &v), ("op", "save")]);
            p.extend(EditorInput::from_evaluation(&seed_form(0)).to_pairs());
            c.form(&uri, &p).await
        }
        ("/import", _) => {
            c.multipart(&uri, &[("csrf", token), ("text", seed)], None)
                .await
        }
        ("/import/save", _) => {
            let payload = base64::engine::general_purpose::STANDARD.encode(seed);
            c.form(&uri, &pairs(&[("csrf", token), ("payload", &payload)]))
                .await
        }
        ("/api/users/{id}", _) => {
            c.json(m, &uri, &json!({"display_name": format!("矩阵 {unique}")}))
                .await
        }
        ("/api/users/{id}/password", _) => {
            c.post(&uri, json!({"password": "matrix-password-1"})).await
        }
        ("/admin/users", _) => {
            c.form(
                &uri,
                &pairs(&[
                    ("csrf", token),
                    ("username", &unique),
                    ("password", "matrix-password-1"),
                    ("role", "filler"),
                ]),
            )
            .await
        }
        ("/admin/users/{id}", _) => {
            c.form(
                &uri,
                &pairs(&[
                    ("csrf", token),
                    ("display_name", &unique),
                    ("role", "filler"),
                    ("op", "save"),
                ]),
            )
            .await
        }
        ("/admin/users/{id}/password", _) => {
            c.form(
                &uri,
                &pairs(&[("csrf", token), ("password", "matrix-password-1")]),
            )
            .await
        }
        ("/admin/orgs", _) => {
            c.form(
                &uri,
                &pairs(&[
                    ("csrf", token),
                    ("name", &format!("新单位 {unique}")),
                    ("kind", "unit"),
                ]),
            )
            .await
        }
        _ => panic!("no probe for {method} {path} {variant}"),
    }
}

/// Every role against every route (and every kind of form for `{id}` routes): the status is
/// the one the access rules promise, and every response carries the security headers.
async fn role_route_matrix(backend: Backend) {
    let w = world(backend).await;
    let mut clients = Clients::new(&w).await;
    // Shared targets for reading routes; writing routes get a fresh form per cell.
    let mut shared = HashMap::new();
    for t in TARGETS {
        shared.insert(t, make_target(&w, t).await);
    }
    let matrix_user = w
        .store
        .create_user(
            jixiao_store::NewUser {
                username: "matrix-target",
                display_name: "matrix-target",
                password: "matrix-target-pass",
                role: jixiao_store::Role::Filler,
                org_id: Some(w.unit),
            },
            None,
        )
        .await
        .unwrap()
        .id;
    let mut cells = 0;
    let mut failures = Vec::new();
    for (method, path, variant, spec) in MATRIX {
        // `{id}` is a form, except under `/users/`, where it is a throwaway user of the
        // matrix's own (so that changing it changes nobody the other cells log in as).
        let user_route = path.contains("/users/{id}");
        let form_route = path.contains("{id}") && !user_route;
        let want = expected(spec, form_route);
        for (r, role) in ROLES.iter().enumerate() {
            let targets: Vec<char> = if form_route {
                TARGETS.to_vec()
            } else {
                vec!['-']
            };
            for (t, target) in targets.iter().enumerate() {
                let id = if user_route {
                    matrix_user
                } else if *method == "GET" || !form_route {
                    shared.get(target).copied().unwrap_or(0)
                } else {
                    make_target(&w, *target).await
                };
                let version = if id > 0 && *target != 'N' {
                    w.version(id).await
                } else {
                    1
                };
                let logout = path.ends_with("logout");
                let mut own = if logout {
                    Some(fresh_client(&w, role).await)
                } else {
                    None
                };
                let (c, token) = match own.as_mut() {
                    Some((c, t)) => (c, t.clone()),
                    None => {
                        let (c, t) = clients.by_role.get_mut(role).unwrap();
                        (c, t.clone())
                    }
                };
                let reply = probe(c, &token, method, path, variant, id, version, cells).await;
                cells += 1;
                let what = format!("{role} {method} {path} {variant} on {target} (id {id})");
                assert_security_headers(&reply.headers, &what);
                let expect = want[r][t];
                if reply.status.as_u16() != expect {
                    failures.push(format!(
                        "{what}: got {}, expected {expect}: {}",
                        reply.status,
                        reply.text().chars().take(200).collect::<String>()
                    ));
                }
                if reply.status.is_client_error() && path.starts_with("/api/") {
                    let e = reply.json();
                    assert!(
                        e["error"].is_string() && e["message"].is_string(),
                        "{what}: {e}"
                    );
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!("role × route matrix: {cells} cells, {} rows", MATRIX.len());
    assert!(cells > 800, "{cells}");
}

/// A form for a matrix cell: D S A (the demo unit), F G (the other unit), N (no such form).
async fn make_target(w: &World, t: char) -> i64 {
    match t {
        'D' => w.form_in(w.unit, Status::Draft).await,
        'S' => w.form_in(w.unit, Status::Submitted).await,
        'A' => w.form_in(w.unit, Status::Approved).await,
        'F' => w.form_in(w.other_unit, Status::Draft).await,
        'G' => w.form_in(w.other_unit, Status::Submitted).await,
        'N' => 9_000_000,
        '-' => 0,
        _ => unreachable!(),
    }
}

// ---------------------------------------------------------------------------------------------
// Guessing ids.

/// A user walking every id finds exactly the forms they may read, and a form they may not
/// read answers exactly like no form at all (no oracle in status, body or length).
async fn guessing_ids(backend: Backend) {
    let w = world(backend).await;
    let mut extra = Vec::new();
    for s in [
        Status::Draft,
        Status::Submitted,
        Status::Returned,
        Status::Approved,
    ] {
        extra.push(w.form_in(w.unit, s).await);
        extra.push(w.form_in(w.other_unit, s).await);
    }
    let max = *extra.iter().max().unwrap();
    let missing = 9_000_001;
    for (user, visible) in [
        (
            "filler2",
            vec![
                Status::Draft,
                Status::Submitted,
                Status::Returned,
                Status::Approved,
            ],
        ),
        (
            "reviewer2",
            vec![Status::Submitted, Status::Returned, Status::Approved],
        ),
    ] {
        let mut c = as_user(&w, user).await;
        let nothing_api = c.get(&format!("/api/evaluations/{missing}")).await;
        let nothing_page = c.get(&format!("/evaluations/{missing}")).await;
        let mut seen = 0;
        for id in 1..=max + 3 {
            let record = w.store.get_evaluation(id).await.unwrap();
            let may = record.as_ref().is_some_and(|r| {
                r.summary.org_id == w.other_unit && visible.contains(&r.summary.status)
            });
            for (uri, nothing) in [
                (format!("/api/evaluations/{id}"), &nothing_api),
                (format!("/evaluations/{id}"), &nothing_page),
                (format!("/api/evaluations/{id}/history"), &nothing_api),
            ] {
                let r = c.get(&uri).await;
                if may {
                    assert_eq!(r.status, StatusCode::OK, "{user} {uri}");
                } else {
                    assert_eq!(r.status, StatusCode::NOT_FOUND, "{user} {uri}");
                    assert_eq!(
                        r.body, nothing.body,
                        "{user} {uri}: the same answer as no form"
                    );
                }
            }
            seen += usize::from(may);
        }
        assert!(seen >= visible.len(), "{user} saw {seen}");
        // The list shows the same forms, and no other unit's.
        let list = c.get("/api/evaluations?limit=500").await.json();
        for item in list["items"].as_array().unwrap() {
            assert_eq!(item["org_id"], w.other_unit, "{user}: {item}");
        }
        assert_eq!(list["total"].as_u64().unwrap() as usize, seen, "{user}");
        // A negative or absurd id is a 4xx, never a 500.
        for id in [
            "-1",
            "0",
            "99999999999999999999",
            "1.5",
            "1%20OR%201=1",
            "%27",
        ] {
            let r = c.get(&format!("/api/evaluations/{id}")).await;
            assert!(r.status.is_client_error(), "{id}: {}", r.status);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// CSRF.

/// Every unsafe route refuses a cross-site request — no Origin, a foreign Origin,
/// `Sec-Fetch-Site: cross-site`, a lookalike host — before doing anything; page posts also
/// refuse a missing or wrong token; API routes refuse the "simple" content types a cross-site
/// form can send. Nothing changed.
async fn csrf_on_every_unsafe_route(backend: Backend) {
    let w = world(backend).await;
    let draft = w.form_in(w.unit, Status::Draft).await;
    let submitted = w.form_in(w.unit, Status::Submitted).await;
    let before_versions = (w.version(draft).await, w.version(submitted).await);
    let before_comments = w.store.comments(draft).await.unwrap().len();
    let before_forms = w
        .store
        .count_evaluations(&Default::default())
        .await
        .unwrap();
    let mut filler = as_user(&w, "filler").await;
    let token = filler.csrf().await;
    let mut refused = 0;
    for (method, path, _) in ROUTES.iter().filter(|(m, _, _)| *m != "GET") {
        let id = if path.contains("/action") || path.ends_with("/approve") {
            submitted
        } else {
            draft
        };
        let uri = path.replace("{id}", &id.to_string());
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let page = !path.starts_with("/api/");
        let ctype = if page {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        };
        let body = if page {
            format!(
                "csrf={token}&action=submit&body=x&version=1&op=save&username=filler&password=demo"
            )
        } else {
            r#"{"body":"x","reason":"x","version":1,"username":"filler","password":"demo"}"#.into()
        };
        let origins: [(Option<&str>, Option<&str>); 6] = [
            (None, None),
            (Some("http://evil.example"), None),
            (Some("http://jixiao.test.evil.example"), None),
            (Some("null"), None),
            (Some(ORIGIN), Some("cross-site")),
            (None, Some("same-site")),
        ];
        for (origin, site) in origins {
            let mut b = filler
                .request(m.clone(), &uri)
                .header(header::CONTENT_TYPE, ctype);
            if let Some(o) = origin {
                b = b.header(header::ORIGIN, o);
            }
            if let Some(s) = site {
                b = b.header("sec-fetch-site", s);
            }
            let r = filler.send(b.body(Body::from(body.clone())).unwrap()).await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "{method} {path} {origin:?} {site:?}"
            );
            assert_eq!(r.json()["error"], "csrf", "{method} {path}");
            assert_security_headers(&r.headers, path);
            refused += 1;
        }
        if page {
            // Same origin, but without the session's token or with another one.
            for bad in ["", "forged", "00000000000000000000000000000000"] {
                let body = format!("csrf={bad}&action=submit&body=x&version=1&op=save&username=filler&password=demo&role=filler&name=x&kind=unit");
                let b = filler
                    .request(m.clone(), &uri)
                    .header(header::ORIGIN, ORIGIN);
                let (ct, bytes) = if *path == "/import" {
                    multipart(&[("csrf", bad), ("text", "x")], None)
                } else {
                    (ctype.to_owned(), body.into_bytes())
                };
                let r = filler
                    .send(
                        b.header(header::CONTENT_TYPE, ct)
                            .body(Body::from(bytes))
                            .unwrap(),
                    )
                    .await;
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} token {bad:?}: {}",
                    r.text()
                );
                refused += 1;
            }
        } else if *path != "/api/evaluations" {
            // What a cross-site HTML form or a no-preflight fetch can send is refused.
            for ct in [
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
            ] {
                let b = filler
                    .request(m.clone(), &uri)
                    .header(header::ORIGIN, ORIGIN)
                    .header(header::CONTENT_TYPE, ct);
                let r = filler.send(b.body(Body::from(body.clone())).unwrap()).await;
                assert_eq!(
                    r.status,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "{method} {path} {ct}"
                );
                refused += 1;
            }
        }
    }
    // Still logged in (logout was refused), nothing changed.
    assert_eq!(filler.get("/api/me").await.status, StatusCode::OK);
    assert_eq!(
        (w.version(draft).await, w.version(submitted).await),
        before_versions
    );
    assert_eq!(
        w.store.comments(draft).await.unwrap().len(),
        before_comments
    );
    assert_eq!(
        w.store
            .count_evaluations(&Default::default())
            .await
            .unwrap(),
        before_forms
    );
    // A token of another session is no token.
    let mut other = as_user(&w, "filler").await;
    let other_token = other.csrf().await;
    assert_ne!(other_token, token);
    let r = filler
        .form(
            &format!("/evaluations/{draft}/comment"),
            &pairs(&[("csrf", &other_token), ("body", "x")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    eprintln!("csrf: {refused} cross-site or tokenless requests refused");
    assert!(refused > 150, "{refused}");
}

// ---------------------------------------------------------------------------------------------
// Stored XSS.

const XSS: &str = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"点我\")";

fn hostile(i: usize) -> String {
    format!("{XSS}#{i}")
}

/// No raw markup of the payload, and the payload shown (escaped) at least `min` times.
fn assert_escaped(html: &str, what: &str, min: usize) {
    assert!(!html.contains("<script>alert"), "{what}: raw <script>");
    assert!(!html.contains("<img src=x"), "{what}: raw <img>");
    assert!(
        !html.contains("\"'><"),
        "{what}: an attribute broken out of"
    );
    let shown = html.matches("alert(1)").count();
    assert!(
        shown >= min,
        "{what}: the payload shown {shown} times, expected ≥ {min}"
    );
}

/// A payload in every text field of a form, a comment, a return reason and a user's display
/// name: escaped on every page that shows them, in the print view, the audit report, and the
/// xlsx (where a cell starting with `=` must stay text).
async fn stored_xss(backend: Backend) {
    let w = world(backend).await;
    let mut filler = as_user(&w, "filler").await;
    let form = json!({
        "year": 2024,
        "project": hostile(1), "department": hostile(2), "unit": hostile(3),
        "money_unit": hostile(4), "goal_expected": hostile(5), "goal_actual": hostile(6),
        "funds": {"total": {"initial": 100, "adjusted": 100, "executed": 90}},
        "reported": {"grade": hostile(7)},
        "indicators": [
            {"level1": hostile(8), "level2": hostile(9), "name": hostile(10),
             "target": hostile(11), "actual": hostile(12), "weight": 50, "reported_score": 40,
             "reason": hostile(13)},
            {"level1": "产出指标", "level2": "数量指标", "name": FORMULA,
             "target": "=1+1", "actual": "@SUM(A1)", "weight": 40, "reported_score": 40,
             "reason": "+cmd|' /C calc'!A0"}
        ]
    });
    let r = filler.post("/api/evaluations", form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["created"][0]["id"].as_i64().unwrap();
    // Stored verbatim.
    let back = filler.get(&format!("/api/evaluations/{id}")).await.json();
    assert_eq!(back["project"], hostile(1));
    assert_eq!(back["indicators"][0]["reason"], hostile(13));
    assert_eq!(back["indicators"][1]["name"], FORMULA);
    assert_eq!(
        filler.get(&format!("/api/evaluations/{id}")).await.headers["content-type"],
        "application/json"
    );

    // The editor (fields in attributes and textareas), the list, the history after a save.
    let html = filler.get(&format!("/evaluations/{id}")).await.text();
    assert!(html.contains("id=\"editor\""));
    assert_escaped(&html, "editor page", 13);
    let mut edited = back.clone();
    edited["goal_actual"] = json!(hostile(14));
    assert_eq!(
        filler
            .put(&format!("/api/evaluations/{id}"), edited)
            .await
            .status,
        StatusCode::OK
    );
    let html = filler.get("/").await.text();
    assert_escaped(&html, "list", 3);
    let html = filler
        .get(&format!("/api/evaluations?q={}", "%3Cscript%3E"))
        .await
        .text();
    assert!(
        html.contains(&format!("\"id\":{id}")),
        "searching for <script> finds it"
    );

    // Comments and a return reason, as the reviewer sees the form.
    assert_eq!(
        filler
            .post(&format!("/api/evaluations/{id}/submit"), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let mut reviewer = as_user(&w, "reviewer").await;
    let r = reviewer
        .post(
            &format!("/api/evaluations/{id}/comments"),
            json!({"indicator": 0, "body": hostile(15)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = reviewer
        .post(
            &format!("/api/evaluations/{id}/return"),
            json!({"reason": hostile(16)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = filler.get(&format!("/evaluations/{id}")).await.text();
    assert_escaped(&html, "returned form with comment and reason", 16);
    assert!(html.contains("#16") && html.contains("#15") && html.contains("#14"));
    // Through the workflow to the public pages.
    filler
        .post(&format!("/api/evaluations/{id}/submit"), json!({}))
        .await;
    let r = reviewer
        .post(&format!("/api/evaluations/{id}/approve"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = reviewer.get(&format!("/evaluations/{id}")).await.text();
    assert_escaped(&html, "read-only form page", 12);
    let mut anon = Client::new(w.app.clone());
    let html = anon.get("/public/").await.text();
    assert_escaped(&html, "public list", 3);
    let html = anon.get(&format!("/public/{id}")).await.text();
    assert_escaped(&html, "public form", 10);

    // A display name and an organisation name with markup, shown in the navigation.
    let mut admin = as_user(&w, "admin").await;
    let r = admin
        .post("/api/users", json!({"username": "xss", "display_name": hostile(17), "password": "12345678", "role": "filler", "org_id": w.unit}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mut xss = Client::new(w.app.clone());
    assert_eq!(xss.login("xss", "12345678").await.status, StatusCode::OK);
    let html = xss.get("/").await.text();
    assert_escaped(&html, "nav with a hostile display name", 1);

    // The import preview echoes the pasted text and shows what it read.
    let seed = std::str::from_utf8(jixiao_web::demo::SEED).unwrap();
    let pasted = seed.replacen("工伤鉴定", &hostile(18), 1);
    let token = filler.csrf().await;
    let r = filler
        .multipart("/import", &[("csrf", &token), ("text", &pasted)], None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_escaped(&r.text(), "import preview", 2);

    // The writers, on the form as stored.
    let stored = w.store.get_evaluation(id).await.unwrap().unwrap().form;
    let print = jixiao_formats::html::print_view(std::slice::from_ref(&stored));
    assert_escaped(&print, "print view", 10);
    let profile = jixiao_core::Profile::default();
    let xlsx = jixiao_formats::xlsx::write_xlsx(
        std::slice::from_ref(&stored),
        jixiao_formats::xlsx::XlsxOptions {
            review: Some(&profile),
            one_sheet: false,
        },
    )
    .unwrap();
    assert_no_formulas(&xlsx, &[FORMULA, "=1+1", "@SUM(A1)", "+cmd|"]);
    let report = audit_report(&stored);
    assert_escaped(&report, "audit report", 1);
}

/// The xlsx's sheets contain no formula (`<f>`) and the given texts appear as strings.
fn assert_no_formulas(xlsx: &[u8], texts: &[&str]) {
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut all = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if !name.starts_with("xl/") || !name.ends_with(".xml") {
            continue;
        }
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        if name.starts_with("xl/worksheets/") {
            assert!(
                !s.contains("<f>") && !s.contains("<f "),
                "{name} has a formula"
            );
        }
        all.push_str(&s);
    }
    for t in texts {
        let escaped = t
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            all.contains(t) || all.contains(&escaped),
            "{t} not written as text"
        );
    }
}

/// The batch audit's HTML report of one form.
fn audit_report(form: &jixiao_core::Evaluation) -> String {
    use jixiao_audit::report::{write_report, FormList, Meta};
    let profile = jixiao_core::Profile::default();
    let bytes = jixiao_formats::json::write_json(std::slice::from_ref(form)).into_bytes();
    let counters = jixiao_audit::Counters::default();
    let mut list = FormList::new(100).unwrap();
    let outcome = jixiao_audit::run(
        &profile,
        1,
        &counters,
        move |send| {
            send(jixiao_audit::Job {
                source: std::sync::Arc::from("hostile.json"),
                bytes,
                first_line: 1,
            })
        },
        &mut |line| list.push(&line).unwrap(),
    );
    assert_eq!(outcome.aggregate.forms, 1, "the audit read the form");
    let mut html = Vec::new();
    let meta = Meta {
        profile: "central-2020".into(),
        inputs: 1,
        elapsed_secs: 0.1,
        threads: 1,
    };
    write_report(
        &mut html,
        &outcome.aggregate,
        &outcome.unreadable,
        &meta,
        list,
    )
    .unwrap();
    String::from_utf8(html).unwrap()
}

// ---------------------------------------------------------------------------------------------
// SQL metacharacters.

const SQL: &[&str] = &[
    "'; DROP TABLE evaluations; --",
    "\" OR \"1\"=\"1",
    "' OR '1'='1' --",
    "100% 完成_率 \\ 反斜杠",
    "$1 ? :name @p1 %s",
    "`; DELETE FROM users; /*",
    "Robert'); DROP TABLE sessions;--",
];

/// SQL metacharacters in every text field and every query parameter: stored and read back
/// verbatim, found by a literal search (a `%` or `_` is not a wildcard), never a 500, and
/// the tables are all still there.
async fn sql_metacharacters(backend: Backend) {
    let w = world(backend).await;
    let mut filler = as_user(&w, "filler").await;
    let mut ids = Vec::new();
    for (i, s) in SQL.iter().enumerate() {
        let text = format!("{s} #{i}");
        let form = json!({
            "year": 2024, "project": text, "department": text, "unit": text,
            "goal_expected": text, "goal_actual": text,
            "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": text,
                            "target": text, "actual": text, "weight": 10, "reported_score": 10,
                            "reason": text}]
        });
        let r = filler.post("/api/evaluations", form).await;
        assert_eq!(r.status, StatusCode::CREATED, "{s:?}: {}", r.text());
        let id = r.json()["created"][0]["id"].as_i64().unwrap();
        let back = filler.get(&format!("/api/evaluations/{id}")).await.json();
        for key in [
            "project",
            "department",
            "unit",
            "goal_expected",
            "goal_actual",
        ] {
            assert_eq!(back[key], text, "{key} of {s:?}");
        }
        for key in ["name", "target", "actual", "reason"] {
            assert_eq!(back["indicators"][0][key], text, "indicator {key} of {s:?}");
        }
        // Comments and reasons too.
        let r = filler
            .post(
                &format!("/api/evaluations/{id}/comments"),
                json!({"body": text}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{s:?}");
        let back = filler.get(&format!("/api/evaluations/{id}")).await.json();
        assert_eq!(back["comments"][0]["body"], text);
        ids.push((id, text));
    }
    // Searching for each finds exactly its form (literal match, not a pattern).
    for (id, text) in &ids {
        let q: String = url_encode(text);
        let r = filler
            .get(&format!("/api/evaluations?q={q}&limit=500"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{text:?}: {}", r.text());
        let found: Vec<i64> = r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(found, vec![*id], "searching {text:?}");
        let r = filler.get(&format!("/?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "list page q={text:?}");
        let r = Client::new(w.app.clone())
            .get(&format!("/public/?q={q}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "public list q={text:?}");
    }
    for q in ["%", "_", "\\", "%25%25", "'"] {
        let r = filler
            .get(&format!("/api/evaluations?q={}&limit=500", url_encode(q)))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        for item in r.json()["items"].as_array().unwrap() {
            let p = item["project"].as_str().unwrap_or_default();
            let dept = item["department"].as_str().unwrap_or_default();
            let unit = item["unit"].as_str().unwrap_or_default();
            let q = q.replace("%25", "%");
            assert!(
                p.contains(&q) || dept.contains(&q) || unit.contains(&q),
                "{q:?} matched {p:?}"
            );
        }
    }
    // Every query parameter with metacharacters: a 4xx or a 200, never a 500.
    for s in SQL {
        let e = url_encode(s);
        for uri in [
            format!("/api/evaluations?year={e}"),
            format!("/api/evaluations?status={e}"),
            format!("/api/evaluations?limit={e}"),
            format!("/api/evaluations?offset={e}"),
            format!("/api/evaluations/{e}"),
            format!("/?year={e}&status={e}&q={e}"),
            format!("/public/?year={e}&q={e}"),
            format!("/evaluations/{e}"),
            format!("/public/{e}"),
        ] {
            let r = filler.get(&uri).await;
            assert!(
                r.status.is_success() || r.status.is_client_error(),
                "{uri}: {} {}",
                r.status,
                r.text()
            );
        }
        // A user name with metacharacters: a wrong login, nothing else.
        let r = Client::new(w.app.clone()).login(s, s).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{s:?}");
    }
    // A NUL (U+0000) cannot be stored on PostgreSQL and shortens a pattern on SQLite: refused
    // everywhere with a 4xx and a message, on both backends alike.
    let draft = w.seed_ids[0];
    let version = w.version(draft).await;
    let nul = "零\u{0}字节";
    let token = filler.csrf().await;
    for r in [
        filler
            .post("/api/evaluations", json!({"project": nul}))
            .await,
        filler
            .put(
                &format!("/api/evaluations/{draft}"),
                json!({"version": version, "project": nul}),
            )
            .await,
        filler
            .post(
                &format!("/api/evaluations/{draft}/comments"),
                json!({"body": nul}),
            )
            .await,
        filler.get("/api/evaluations?q=%00").await,
        filler.get("/?q=a%00b").await,
        Client::new(w.app.clone()).get("/public/?q=%00").await,
        filler
            .form(
                &format!("/evaluations/{draft}/comment"),
                &pairs(&[("csrf", &token), ("body", nul)]),
            )
            .await,
        Client::new(w.app.clone()).login(nul, "x").await,
    ] {
        assert!(
            r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::UNPROCESSABLE_ENTITY,
            "{} {}",
            r.status,
            r.text()
        );
        assert!(r.text().contains("空字符"), "{}", r.text());
    }
    assert_eq!(w.version(draft).await, version);
    // A literal backslash-u-zero text is text, not a NUL.
    let r = filler
        .post("/api/evaluations", json!({"project": "C:\\u0000 路径"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    // All there still.
    assert_eq!(filler.get("/api/me").await.status, StatusCode::OK);
    let total = w
        .store
        .count_evaluations(&Default::default())
        .await
        .unwrap();
    assert!(total as usize >= 4 + SQL.len());
    assert_eq!(w.store.list_users().await.unwrap().len(), 6);
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Sessions.

/// Logging in gives a new session id and the one before is worthless (fixation); a session
/// id the server never issued is ignored; logout deletes the session in the database; an
/// expired session is refused by the server whatever the browser sends.
async fn sessions(backend: Backend) {
    let w = world(backend).await;
    // Page login: the anonymous session (with its CSRF token) is replaced.
    let mut c = Client::new(w.app.clone());
    let token = c.csrf().await;
    let before = c
        .cookie
        .clone()
        .expect("a session before login (it holds the token)");
    let r = c
        .form(
            "/login",
            &pairs(&[
                ("csrf", &token),
                ("username", "filler"),
                ("password", "demo"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = c.cookie.clone().expect("a session after login");
    assert_ne!(before, after, "a new session id at login");
    let mut planted = Client::new(w.app.clone());
    planted.cookie = Some(before.clone());
    assert_eq!(
        planted.get("/api/me").await.status,
        StatusCode::UNAUTHORIZED,
        "the old id is dead"
    );
    assert_eq!(c.get("/api/me").await.status, StatusCode::OK);

    // API login with an attacker-chosen cookie: a new id, the chosen one not logged in.
    let mut victim = Client::new(w.app.clone());
    victim.cookie = Some("jixiao_session=AAAAAAAAAAAAAAAAAAAAAA".into());
    assert_eq!(victim.login("filler", "demo").await.status, StatusCode::OK);
    assert_ne!(
        victim.cookie.as_deref(),
        Some("jixiao_session=AAAAAAAAAAAAAAAAAAAAAA")
    );
    let mut attacker = Client::new(w.app.clone());
    attacker.cookie = Some("jixiao_session=AAAAAAAAAAAAAAAAAAAAAA".into());
    assert_eq!(
        attacker.get("/api/me").await.status,
        StatusCode::UNAUTHORIZED
    );

    // The cookie: HttpOnly, SameSite, a lifetime.
    let mut d = Client::new(w.app.clone());
    let r = d.login("reviewer", "demo").await;
    let set = r.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(
        set.contains(&format!(
            "Max-Age={}",
            Config::default().session_minutes * 60
        )),
        "{set}"
    );

    // Logout deletes the session server-side: replaying the old cookie does not work.
    let old = d.cookie.clone();
    assert_eq!(
        d.post("/api/logout", json!({})).await.status,
        StatusCode::OK
    );
    let mut replay = Client::new(w.app.clone());
    replay.cookie = old;
    assert_eq!(replay.get("/api/me").await.status, StatusCode::UNAUTHORIZED);

    // Expiry is the server's: a session past its expiry is refused even if the cookie is sent.
    let id = c.session_id().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (data, user) = w
        .store
        .session_load(&id, now)
        .await
        .unwrap()
        .expect("the session is stored");
    w.store
        .session_save(&id, &data, now - 1, user.map(|u| u.id))
        .await
        .unwrap();
    assert_eq!(
        c.get("/api/me").await.status,
        StatusCode::UNAUTHORIZED,
        "expired"
    );
    let r = c.get("/").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "an expired session goes to the login page"
    );
    // And the expired rows are swept.
    assert!(w.store.delete_expired_sessions(now).await.unwrap() >= 1);

    // A session of a short-lived server expires by itself.
    let short = world_with(
        backend,
        Config {
            session_minutes: 0,
            ..Config::default()
        },
    )
    .await;
    let mut s = Client::new(short.app.clone());
    let r = s.login("filler", "demo").await;
    assert_eq!(r.status, StatusCode::OK);
    // The browser would drop a `Max-Age=0` cookie; a hostile client keeps sending it.
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    s.cookie = Some(set.split(';').next().unwrap().to_owned());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        s.get("/api/me").await.status,
        StatusCode::UNAUTHORIZED,
        "expired by time, refused by the server"
    );
}

// ---------------------------------------------------------------------------------------------
// Login throttling.

/// After five failures for a user name within the window, logins for that name are refused
/// (429, with a message) whatever the session, the door (API or page) or the spelling of the
/// name, even with the right password; another user is not affected.
async fn login_throttling(backend: Backend) {
    let w = world(backend).await;
    for i in 0..5 {
        let mut c = Client::new(w.app.clone()); // a new session each time
        let name = ["reviewer", "REVIEWER", " reviewer ", "Reviewer", "reviewer"][i];
        let r = c.login(name, "guess").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name:?}");
    }
    let mut c = Client::new(w.app.clone());
    let r = c.login("reviewer", "demo").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("登录失败次数过多"));
    assert_eq!(c.get("/api/me").await.status, StatusCode::UNAUTHORIZED);
    // The page door is throttled too.
    let mut p = Client::new(w.app.clone());
    let token = p.csrf().await;
    let r = p
        .form(
            "/login",
            &pairs(&[
                ("csrf", &token),
                ("username", "reviewer"),
                ("password", "demo"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().contains("登录失败次数过多"));
    // Another user logs in.
    assert_eq!(
        Client::new(w.app.clone())
            .login("finance", "demo")
            .await
            .status,
        StatusCode::OK
    );
    // Every failure is in the audit log.
    let log = w.store.audit_log(1000).await.unwrap();
    assert!(log.iter().filter(|e| e.action == "login.fail").count() >= 5);
    // Failed password changes count as failures of that user.
    let mut f = as_user(&w, "filler").await;
    for _ in 0..5 {
        let r = f
            .post(
                "/api/password",
                json!({"old_password": "guess", "new_password": "long-enough-1"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = f
        .post(
            "/api/password",
            json!({"old_password": "demo", "new_password": "long-enough-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

// ---------------------------------------------------------------------------------------------
// Body size limits.

/// Over the body limit, every kind of body — JSON, a text or xlsx import, a multipart upload,
/// a form post — is refused with 413 and a message, and
/// nothing is stored.
async fn upload_limits(backend: Backend) {
    let limit = 64 * 1024;
    let w = world_with(
        backend,
        Config {
            max_body_bytes: limit,
            ..Config::default()
        },
    )
    .await;
    let mut filler = as_user(&w, "filler").await;
    let token = filler.csrf().await;
    let draft = w.seed_ids[0];
    let before = w
        .store
        .count_evaluations(&Default::default())
        .await
        .unwrap();
    let big = "字".repeat(limit); // 3 bytes each: three times the limit
    let check = |r: &Reply, what: &str| {
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{what}: {}",
            r.text()
        );
        let text = r.text();
        assert!(
            text.contains("过大") || text.contains("too large") || text.contains("limit"),
            "{what}: a message: {text}"
        );
        assert_security_headers(&r.headers, what);
    };
    let r = filler
        .post("/api/evaluations", json!({"project": big}))
        .await;
    check(&r, "JSON create");
    let r = filler
        .put(
            &format!("/api/evaluations/{draft}"),
            json!({"version": 1, "project": big}),
        )
        .await;
    check(&r, "JSON update");
    for ct in [
        "text/plain",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ] {
        let req = filler
            .request(Method::POST, "/api/evaluations")
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(big.clone()))
            .unwrap();
        let r = filler.send(req).await;
        check(&r, ct);
    }
    let r = filler
        .multipart(
            "/import",
            &[("csrf", &token)],
            Some(("big.xlsx", big.as_bytes())),
        )
        .await;
    check(&r, "multipart upload");
    let r = filler
        .form(
            "/import/save",
            &pairs(&[("csrf", &token), ("payload", &big)]),
        )
        .await;
    check(&r, "form post");
    let r = filler
        .form(
            &format!("/evaluations/{draft}/comment"),
            &pairs(&[("csrf", &token), ("body", &big)]),
        )
        .await;
    check(&r, "comment form post");
    assert_eq!(
        w.store
            .count_evaluations(&Default::default())
            .await
            .unwrap(),
        before
    );
    // Just under the limit is fine.
    let seed = std::str::from_utf8(jixiao_web::demo::SEED).unwrap();
    assert!(seed.len() < limit);
    let req = filler
        .request(Method::POST, "/api/evaluations")
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(seed))
        .unwrap();
    assert_eq!(filler.send(req).await.status, StatusCode::CREATED);
}

// ---------------------------------------------------------------------------------------------

mod run {
    crate::on_every_backend!(
        role_route_matrix,
        guessing_ids,
        csrf_on_every_unsafe_route,
        stored_xss,
        sql_metacharacters,
        sessions,
        login_throttling,
        upload_limits
    );
}
