//! Helpers shared by the web tests (测试辅助): an in-process client with a cookie jar, the demo
//! world with a second department, and the page helpers (CSRF token, form posts, multipart).
//!
//! Every test file of the crate uses these (`api.rs`, `security.rs`, `hostile_upload.rs`).
#![allow(dead_code)] // each test file uses a different part of this module

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use jixiao_core::{Evaluation, Profile};
use jixiao_store::testing::{Backend, TestDb};
use jixiao_store::{NewUser, OrgKind, Role, Status, Store};
use jixiao_web::{app, demo, AppState, Config};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt as _;

pub const ORIGIN: &str = "http://jixiao.test";
pub const HOST: &str = "jixiao.test";

/// One browser: the application and a cookie jar of one cookie (the session).
#[derive(Clone)]
pub struct Client {
    pub app: Router,
    pub cookie: Option<String>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Client {
    pub fn new(app: Router) -> Self {
        Client { app, cookie: None }
    }

    /// The session id the cookie carries.
    pub fn session_id(&self) -> Option<String> {
        self.cookie
            .as_deref()
            .and_then(|c| c.split_once('='))
            .map(|(_, v)| v.to_owned())
    }

    pub async fn send(&mut self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(set) = headers.get(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap().to_string();
            if set.contains("Max-Age=0") || pair.ends_with('=') {
                self.cookie = None;
            } else {
                self.cookie = Some(pair);
            }
        }
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn request(&self, method: Method, uri: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, HOST);
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        b
    }

    pub async fn get(&mut self, uri: &str) -> Reply {
        let r = self.request(Method::GET, uri).body(Body::empty()).unwrap();
        self.send(r).await
    }

    pub async fn json(&mut self, method: Method, uri: &str, body: &Value) -> Reply {
        let r = self
            .request(method, uri)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(r).await
    }

    /// An import: `POST /api/evaluations` (with `?preview=true`: read and scored, nothing
    /// stored) of a file's bytes as `media`.
    pub async fn import(&mut self, media: &str, body: impl Into<Body>, preview: bool) -> Reply {
        let uri = if preview {
            "/api/evaluations?preview=true"
        } else {
            "/api/evaluations"
        };
        let r = self
            .request(Method::POST, uri)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, media)
            .body(body.into())
            .unwrap();
        self.send(r).await
    }

    pub async fn post(&mut self, uri: &str, body: Value) -> Reply {
        self.json(Method::POST, uri, &body).await
    }

    pub async fn put(&mut self, uri: &str, body: Value) -> Reply {
        self.json(Method::PUT, uri, &body).await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/login",
            json!({"username": username, "password": password}),
        )
        .await
    }

    /// A same-origin HTML form post (`application/x-www-form-urlencoded`).
    pub async fn form(&mut self, uri: &str, pairs: &[(String, String)]) -> Reply {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        let r = self
            .request(Method::POST, uri)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(r).await
    }

    /// A same-origin multipart post (the import page).
    pub async fn multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Reply {
        let (ctype, body) = multipart(fields, file);
        let r = self
            .request(Method::POST, uri)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, ctype)
            .body(Body::from(body))
            .unwrap();
        self.send(r).await
    }

    /// The CSRF token of this session, as the pages embed it.
    pub async fn csrf(&mut self) -> String {
        let page = if self.cookie.is_some() { "/" } else { "/login" };
        let html = self.get(page).await.text();
        token_of(&html)
    }
}

/// A multipart body with the given text fields and an optional file.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----jixiaoTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The CSRF token of a page.
pub fn token_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .expect("a csrf field")
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// The demo database plus a unit in another department (教育局 → 教育技术装备中心) with its
/// own filler (`filler2`) and reviewer (`reviewer2`), password `other-pass`.
pub struct World {
    pub db: TestDb,
    pub app: Router,
    pub store: Arc<dyn Store>,
    /// The demo unit's three drafts.
    pub seed_ids: Vec<i64>,
    /// A draft of the other department's unit.
    pub foreign_id: i64,
    /// The demo unit and the other unit.
    pub unit: i64,
    pub other_unit: i64,
}

pub async fn world(backend: Backend) -> World {
    world_with(backend, Config::default()).await
}

pub async fn world_with(backend: Backend, config: Config) -> World {
    let db = backend.fresh().await;
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let profile = Profile::default();
    demo::seed(store.as_ref(), &profile).await.unwrap();
    let orgs = store.list_orgs().await.unwrap();
    let edu_unit = orgs
        .iter()
        .find(|o| o.name.contains("教育技术装备中心"))
        .unwrap()
        .id;
    let edu = orgs.iter().find(|o| o.name.contains("教育局")).unwrap();
    assert_eq!(edu.kind, OrgKind::Department);
    let new = |username, role, org| NewUser {
        username,
        display_name: username,
        password: "other-pass",
        role,
        org_id: Some(org),
    };
    let filler2 = store
        .create_user(new("filler2", Role::Filler, edu_unit), None)
        .await
        .unwrap();
    store
        .create_user(new("reviewer2", Role::Reviewer, edu.id), None)
        .await
        .unwrap();
    let foreign = store
        .create_evaluation(edu_unit, &seed_form(1), &Default::default(), filler2.id)
        .await
        .unwrap();
    let mut seed_ids: Vec<i64> = store
        .list_evaluations(&Default::default())
        .await
        .unwrap()
        .iter()
        .map(|s| s.id)
        .filter(|id| *id != foreign.summary.id)
        .collect();
    seed_ids.sort();
    let unit = store.get_evaluation(seed_ids[0]).await.unwrap().unwrap();
    let state = AppState::new(store.clone(), profile, config);
    World {
        app: app(state),
        db,
        store,
        seed_ids,
        foreign_id: foreign.summary.id,
        unit: unit.summary.org_id,
        other_unit: edu_unit,
    }
}

/// One of the seed's three forms.
pub fn seed_form(i: usize) -> Evaluation {
    jixiao_formats::read_bytes(demo::SEED).forms[i]
        .evaluation
        .clone()
}

impl World {
    pub async fn user_id(&self, username: &str) -> i64 {
        self.store
            .list_users()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.username == username)
            .unwrap_or_else(|| panic!("no user {username}"))
            .id
    }

    /// A new form of `org` (the demo unit or the other unit), moved to `status` through the
    /// workflow by the store (the demo users act for the demo unit, `filler2`/`reviewer2` for
    /// the other).
    pub async fn form_in(&self, org: i64, status: Status) -> i64 {
        let (filler, reviewer) = if org == self.unit {
            ("filler", "reviewer")
        } else {
            ("filler2", "reviewer2")
        };
        let filler = self.user_id(filler).await;
        let reviewer = self.user_id(reviewer).await;
        let id = self
            .store
            .create_evaluation(org, &seed_form(0), &Default::default(), filler)
            .await
            .unwrap()
            .summary
            .id;
        let path: &[(Status, i64)] = match status {
            Status::Draft => &[],
            Status::Submitted => &[(Status::Submitted, filler)],
            Status::Returned => &[(Status::Submitted, filler), (Status::Returned, reviewer)],
            Status::Approved => &[(Status::Submitted, filler), (Status::Approved, reviewer)],
            Status::SpotChecked => &[
                (Status::Submitted, filler),
                (Status::Approved, reviewer),
                (Status::SpotChecked, self.user_id("finance").await),
            ],
        };
        for (to, actor) in path {
            let reason = (*to == Status::Returned).then_some("退回");
            self.store
                .transition(id, None, *to, *actor, reason)
                .await
                .unwrap();
        }
        id
    }

    pub async fn version(&self, id: i64) -> i64 {
        self.store
            .get_evaluation(id)
            .await
            .unwrap()
            .unwrap()
            .summary
            .version
    }
}

/// The password of a test user.
pub fn password_of(username: &str) -> &'static str {
    if username.ends_with('2') {
        "other-pass"
    } else {
        "demo"
    }
}

pub async fn as_user(w: &World, username: &str) -> Client {
    let mut c = Client::new(w.app.clone());
    let r = c.login(username, password_of(username)).await;
    assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.text());
    c
}

/// Run a test body on every backend (SQLite; PostgreSQL when configured, mandatory in CI).
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),*) => {$(
        #[tokio::test]
        async fn $name() {
            for backend in jixiao_store::testing::Backend::all() {
                eprintln!("{} on {backend:?}", stringify!($name));
                super::$name(backend).await;
            }
        }
    )*};
}
