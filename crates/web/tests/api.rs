//! Every route of the web application, run on SQLite and (when `JIXIAO_TEST_POSTGRES_URL` is
//! set; mandatory in CI) PostgreSQL through the same test code.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use jixiao_core::Profile;
use jixiao_store::testing::{Backend, TestDb};
use jixiao_store::{NewUser, OrgKind, Role, Status, Store};
use jixiao_web::{app, demo, AppState, Config};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt as _;

const ORIGIN: &str = "http://jixiao.test";
const HOST: &str = "jixiao.test";

struct Client {
    app: Router,
    cookie: Option<String>,
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Client {
    fn new(app: Router) -> Self {
        Client { app, cookie: None }
    }

    async fn send(&mut self, request: Request<Body>) -> Reply {
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

    fn request(&self, method: Method, uri: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, HOST);
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        b
    }

    async fn get(&mut self, uri: &str) -> Reply {
        let r = self.request(Method::GET, uri).body(Body::empty()).unwrap();
        self.send(r).await
    }

    async fn json(&mut self, method: Method, uri: &str, body: &Value) -> Reply {
        let r = self
            .request(method, uri)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(r).await
    }

    async fn post(&mut self, uri: &str, body: Value) -> Reply {
        self.json(Method::POST, uri, &body).await
    }

    async fn put(&mut self, uri: &str, body: Value) -> Reply {
        self.json(Method::PUT, uri, &body).await
    }

    async fn login(&mut self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/login",
            json!({"username": username, "password": password}),
        )
        .await
    }
}

/// The demo database plus a unit in another department with its own filler and a draft, and a
/// reviewer of that other department.
struct World {
    db: TestDb,
    app: Router,
    /// The demo unit's three drafts.
    seed_ids: Vec<i64>,
    /// A draft of the other department's unit.
    foreign_id: i64,
}

async fn world(backend: Backend) -> World {
    let db = backend.fresh().await;
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let profile = Profile::default();
    demo::seed(store.as_ref(), &profile).await.unwrap();
    let orgs = store.list_orgs().await.unwrap();
    let edu_unit = orgs
        .iter()
        .find(|o| o.name.contains("教育技术装备中心"))
        .unwrap();
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
        .create_user(new("filler2", Role::Filler, edu_unit.id), None)
        .await
        .unwrap();
    store
        .create_user(new("reviewer2", Role::Reviewer, edu.id), None)
        .await
        .unwrap();
    let form = jixiao_formats::read_bytes(demo::SEED).forms[1]
        .evaluation
        .clone();
    let foreign = store
        .create_evaluation(edu_unit.id, &form, &Default::default(), filler2.id)
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
    let state = AppState::new(store, profile, Config::default());
    World {
        app: app(state),
        db,
        seed_ids,
        foreign_id: foreign.summary.id,
    }
}

async fn as_user(w: &World, username: &str) -> Client {
    let mut c = Client::new(w.app.clone());
    let password = if username.ends_with('2') {
        "other-pass"
    } else {
        "demo"
    };
    let r = c.login(username, password).await;
    assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.text());
    c
}

async fn api_story(backend: Backend) {
    let w = world(backend).await;
    let mut anon = Client::new(w.app.clone());
    assert_eq!(
        anon.get("/api/evaluations").await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = anon.login("filler", "wrong").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "bad_credentials");
    assert!(r.json()["message"].as_str().unwrap().contains("密码"));

    // Log in: an HttpOnly, SameSite session cookie with an expiry.
    let mut filler = Client::new(w.app.clone());
    let r = filler.login("filler", "demo").await;
    assert_eq!(r.status, StatusCode::OK);
    let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(set.starts_with("jixiao_session="), "{set}");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(
        set.contains("Max-Age=") || set.contains("Expires="),
        "{set}"
    );
    assert_eq!(r.json()["user"]["role"], "filler");
    assert_eq!(
        filler.get("/api/me").await.json()["user"]["username"],
        "filler"
    );

    // The list and one form, as the engine sees it.
    let r = filler.get("/api/evaluations?year=2023&status=draft").await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    assert_eq!(list["total"], 3);
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    let r = filler.get("/api/evaluations?q=培训").await.json();
    assert_eq!(r["total"], 1);
    assert_eq!(r["items"][0]["project"], "业务培训");
    assert_eq!(
        filler.get("/api/evaluations?status=bogus").await.status,
        StatusCode::BAD_REQUEST
    );
    let id = w.seed_ids[0];
    let r = filler.get(&format!("/api/evaluations/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("\"initial\":507500.00"), "exact money");
    let form = r.json();
    assert_eq!(form["status"], "draft");
    assert_eq!(form["version"], 1);
    assert_eq!(form["project"], "工伤鉴定");
    for key in ["computed", "findings", "indicators", "funds", "reported"] {
        assert!(form.get(key).is_some(), "{key}");
    }
    assert!(form["computed"]["total"].is_number());
    assert!(!form["findings"].as_array().unwrap().is_empty());

    // GET, change, PUT: the engine recomputes; read-only keys are ignored.
    let mut changed = form.clone();
    changed["indicators"][3]["reported_score"] = json!(7);
    changed["computed"] = json!({"total": 1});
    changed["status"] = json!("approved");
    let r = filler
        .put(&format!("/api/evaluations/{id}"), changed.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let saved = r.json();
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["status"], "draft");
    assert_eq!(saved["indicators"][3]["reported_score"], 7);
    assert_ne!(saved["computed"]["total"], 1);
    // The same stale representation again: 409, and nothing is lost.
    let r = filler
        .put(&format!("/api/evaluations/{id}"), changed.clone())
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "conflict");
    let mut no_version = saved.clone();
    no_version.as_object_mut().unwrap().remove("version");
    assert_eq!(
        filler
            .put(&format!("/api/evaluations/{id}"), no_version)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        filler
            .put(&format!("/api/evaluations/{id}"), json!({"version": "x"}))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Create: a JSON form, a text import, a preview, nothing readable.
    let r = filler
        .post(
            "/api/evaluations",
            json!({"year": 2024, "project": "新项目 <script>alert(1)</script>", "funds": {"total": {"initial": "100.50", "adjusted": 100.50, "executed": 50}},
                   "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "培训人次", "target": "≥100人次", "actual": "120人次", "weight": 50, "reported_score": 50}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let new_id = r.json()["created"][0]["id"].as_i64().unwrap();
    let r = filler.get(&format!("/api/evaluations/{new_id}")).await;
    assert!(r.text().contains("\"initial\":100.50"), "{}", r.text());
    assert_eq!(r.json()["computed"]["execution_rate"], json!(49.7512));
    let import = |client: &mut Client, uri: &str, body: &'static [u8], ct: &str| {
        client
            .request(Method::POST, uri)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let req = import(
        &mut filler,
        "/api/evaluations?preview=true",
        demo::SEED,
        "text/plain; charset=utf-8",
    );
    let r = filler.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["forms"].as_array().unwrap().len(), 3);
    assert_eq!(
        filler.get("/api/evaluations").await.json()["total"],
        4,
        "preview stores nothing"
    );
    let req = import(&mut filler, "/api/evaluations", demo::SEED, "text/plain");
    let r = filler.send(req).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["created"].as_array().unwrap().len(), 3);
    let req = import(
        &mut filler,
        "/api/evaluations",
        b"nothing here",
        "text/plain",
    );
    assert_eq!(
        filler.send(req).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let req = import(
        &mut filler,
        "/api/evaluations",
        b"{not json",
        "application/json",
    );
    assert_eq!(filler.send(req).await.status, StatusCode::BAD_REQUEST);

    // The workflow: submit → (not editable) → return needs a reason → resubmit → approve →
    // public → spot-check; the history says who, when and why.
    let uri = format!("/api/evaluations/{id}");
    let r = filler
        .post(&format!("{uri}/submit"), json!({"version": 2}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "submitted");
    let mut edit = r.json();
    edit["project"] = json!("改名");
    assert_eq!(
        filler.put(&uri, edit).await.status,
        StatusCode::CONFLICT,
        "not editable"
    );
    assert_eq!(
        filler
            .post(&format!("{uri}/approve"), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut reviewer = as_user(&w, "reviewer").await;
    assert_eq!(
        reviewer
            .post(&format!("{uri}/return"), json!({}))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        reviewer
            .post(
                &format!("{uri}/return"),
                json!({"reason": "满意度得分依据不足", "version": 2})
            )
            .await
            .status,
        StatusCode::CONFLICT,
        "stale version on a transition"
    );
    let r = reviewer
        .post(
            &format!("{uri}/return"),
            json!({"reason": "满意度得分依据不足"}),
        )
        .await;
    assert_eq!(r.json()["status"], "returned");
    let r = reviewer
        .post(
            &format!("{uri}/comments"),
            json!({"indicator": 3, "body": "请补充 <b>依据</b>"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let mut fix = filler.get(&uri).await.json();
    assert_eq!(fix["comments"][0]["body"], "请补充 <b>依据</b>");
    fix["indicators"][3]["reason"] = json!("已补充依据");
    let r = filler.put(&uri, fix).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        filler
            .post(&format!("{uri}/submit"), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let r = reviewer.post(&format!("{uri}/approve"), json!({})).await;
    assert_eq!(r.json()["status"], "approved");
    assert_eq!(
        reviewer
            .post(&format!("{uri}/approve"), json!({}))
            .await
            .status,
        StatusCode::CONFLICT,
        "approved twice"
    );
    let r = anon.get("/public/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("工伤鉴定"));
    assert!(!r.text().contains("业务培训"), "drafts are not public");
    assert_eq!(
        anon.get(&format!("/public/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        anon.get(&format!("/public/{}", w.seed_ids[1])).await.status,
        StatusCode::NOT_FOUND
    );
    let mut finance = as_user(&w, "finance").await;
    let r = finance
        .post(&format!("{uri}/spot-check"), json!({"reason": "抽查无误"}))
        .await;
    assert_eq!(r.json()["status"], "spot_checked");
    let h = filler.get(&format!("{uri}/history")).await.json();
    let steps: Vec<(String, String)> = h["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("create", "filler"),
        ("update", "filler"),
        ("submitted", "filler"),
        ("returned", "reviewer"),
        ("update", "filler"),
        ("submitted", "filler"),
        ("approved", "reviewer"),
        ("spot_checked", "finance"),
    ];
    assert_eq!(
        steps,
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(h["history"][3]["reason"], "满意度得分依据不足");
    assert!(
        h["history"][1]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().contains("indicators[3].score: 5 → 7")),
        "{}",
        h["history"][1]
    );

    // Password change, logout.
    assert_eq!(
        filler
            .post(
                "/api/password",
                json!({"old_password": "demo", "new_password": "short"})
            )
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = filler
        .post(
            "/api/password",
            json!({"old_password": "demo", "new_password": "a-longer-one"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        filler.post("/api/logout", json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(filler.get("/api/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        filler.login("filler", "a-longer-one").await.status,
        StatusCode::OK
    );

    // The OpenAPI document and the docs page.
    let doc = anon.get("/api/openapi.json").await.json();
    assert!(doc["paths"]["/api/evaluations/{id}"]["put"].is_object());
    assert_eq!(anon.get("/api/docs").await.status, StatusCode::OK);
    assert_eq!(anon.get("/api/nope").await.json()["error"], "not_found");
}

/// Each role reaches exactly what it should: the matrix of role × route × form.
async fn role_route_matrix(backend: Backend) {
    let w = world(backend).await;
    let draft = w.seed_ids[0];
    let submitted = w.seed_ids[1];
    let foreign = w.foreign_id;
    // Put one of the demo unit's forms in the reviewers' queue.
    let mut filler = as_user(&w, "filler").await;
    assert_eq!(
        filler
            .post(&format!("/api/evaluations/{submitted}/submit"), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    use StatusCode as S;
    // (user, method, path, body, expected status)
    let d = |p: &str| format!("/api/evaluations/{draft}{p}");
    let s = |p: &str| format!("/api/evaluations/{submitted}{p}");
    let f = |p: &str| format!("/api/evaluations/{foreign}{p}");
    let cases: Vec<(&str, Method, String, Value, StatusCode)> = vec![
        // Reading.
        ("filler", Method::GET, d(""), json!(null), S::OK),
        ("filler", Method::GET, s(""), json!(null), S::OK),
        ("filler", Method::GET, f(""), json!(null), S::NOT_FOUND),
        ("filler2", Method::GET, d(""), json!(null), S::NOT_FOUND),
        ("filler2", Method::GET, f(""), json!(null), S::OK),
        ("reviewer", Method::GET, d(""), json!(null), S::NOT_FOUND),
        ("reviewer", Method::GET, s(""), json!(null), S::OK),
        ("reviewer", Method::GET, f(""), json!(null), S::NOT_FOUND),
        ("reviewer2", Method::GET, s(""), json!(null), S::NOT_FOUND),
        ("finance", Method::GET, d(""), json!(null), S::OK),
        ("finance", Method::GET, f(""), json!(null), S::OK),
        ("admin", Method::GET, d(""), json!(null), S::NOT_FOUND),
        (
            "admin",
            Method::GET,
            "/api/evaluations".into(),
            json!(null),
            S::FORBIDDEN,
        ),
        (
            "filler",
            Method::GET,
            "/api/evaluations/999999".into(),
            json!(null),
            S::NOT_FOUND,
        ),
        // History follows reading.
        (
            "filler2",
            Method::GET,
            d("/history"),
            json!(null),
            S::NOT_FOUND,
        ),
        ("reviewer", Method::GET, s("/history"), json!(null), S::OK),
        // Writing: only the unit's filler, only editable forms.
        (
            "filler2",
            Method::PUT,
            d(""),
            json!({"version": 1}),
            S::NOT_FOUND,
        ),
        (
            "reviewer",
            Method::PUT,
            s(""),
            json!({"version": 2}),
            S::FORBIDDEN,
        ),
        (
            "finance",
            Method::PUT,
            d(""),
            json!({"version": 1}),
            S::FORBIDDEN,
        ),
        (
            "filler",
            Method::PUT,
            s(""),
            json!({"version": 2}),
            S::CONFLICT,
        ),
        (
            "reviewer",
            Method::POST,
            "/api/evaluations".into(),
            json!({"project": "x"}),
            S::FORBIDDEN,
        ),
        (
            "finance",
            Method::POST,
            "/api/evaluations".into(),
            json!({"project": "x"}),
            S::FORBIDDEN,
        ),
        (
            "admin",
            Method::POST,
            "/api/evaluations".into(),
            json!({"project": "x"}),
            S::FORBIDDEN,
        ),
        // Workflow.
        (
            "filler2",
            Method::POST,
            d("/submit"),
            json!({}),
            S::NOT_FOUND,
        ),
        (
            "reviewer",
            Method::POST,
            d("/submit"),
            json!({}),
            S::NOT_FOUND,
        ),
        (
            "finance",
            Method::POST,
            d("/submit"),
            json!({}),
            S::FORBIDDEN,
        ),
        (
            "filler",
            Method::POST,
            s("/approve"),
            json!({}),
            S::FORBIDDEN,
        ),
        (
            "filler",
            Method::POST,
            s("/return"),
            json!({"reason": "x"}),
            S::FORBIDDEN,
        ),
        (
            "reviewer2",
            Method::POST,
            s("/approve"),
            json!({}),
            S::NOT_FOUND,
        ),
        (
            "finance",
            Method::POST,
            s("/approve"),
            json!({}),
            S::FORBIDDEN,
        ),
        (
            "finance",
            Method::POST,
            s("/return"),
            json!({"reason": "x"}),
            S::FORBIDDEN,
        ),
        (
            "reviewer",
            Method::POST,
            s("/spot-check"),
            json!({}),
            S::FORBIDDEN,
        ),
        (
            "finance",
            Method::POST,
            s("/spot-check"),
            json!({}),
            S::CONFLICT,
        ),
        (
            "admin",
            Method::POST,
            s("/approve"),
            json!({}),
            S::NOT_FOUND,
        ),
        // Comments.
        (
            "filler2",
            Method::POST,
            s("/comments"),
            json!({"body": "x"}),
            S::NOT_FOUND,
        ),
        (
            "finance",
            Method::POST,
            s("/comments"),
            json!({"body": "x"}),
            S::CREATED,
        ),
        (
            "reviewer",
            Method::POST,
            s("/comments"),
            json!({"body": "x", "indicator": 999}),
            S::UNPROCESSABLE_ENTITY,
        ),
        // Administration.
        (
            "admin",
            Method::GET,
            "/api/users".into(),
            json!(null),
            S::OK,
        ),
        (
            "finance",
            Method::GET,
            "/api/users".into(),
            json!(null),
            S::FORBIDDEN,
        ),
        (
            "filler",
            Method::GET,
            "/api/users".into(),
            json!(null),
            S::FORBIDDEN,
        ),
        (
            "reviewer",
            Method::POST,
            "/api/users".into(),
            json!({"username": "x", "password": "12345678", "role": "admin"}),
            S::FORBIDDEN,
        ),
        (
            "filler",
            Method::POST,
            "/api/orgs".into(),
            json!({"name": "x", "kind": "unit"}),
            S::FORBIDDEN,
        ),
        (
            "admin",
            Method::POST,
            "/api/orgs".into(),
            json!({"name": "新单位", "kind": "unit", "parent_id": 2}),
            S::CREATED,
        ),
        (
            "admin",
            Method::POST,
            "/api/users".into(),
            json!({"username": "filler3", "password": "12345678", "role": "filler", "org_id": 3}),
            S::CREATED,
        ),
        (
            "admin",
            Method::POST,
            "/api/users".into(),
            json!({"username": "filler3", "password": "12345678", "role": "filler", "org_id": 3}),
            S::CONFLICT,
        ),
        (
            "admin",
            Method::POST,
            "/api/users".into(),
            json!({"username": "x", "password": "12345678", "role": "king"}),
            S::UNPROCESSABLE_ENTITY,
        ),
    ];
    let mut clients = std::collections::HashMap::new();
    for (user, method, path, body, want) in cases {
        if !clients.contains_key(user) {
            clients.insert(user, as_user(&w, user).await);
        }
        let c = clients.get_mut(user).unwrap();
        let r = if method == Method::GET {
            c.get(&path).await
        } else {
            c.json(method.clone(), &path, &body).await
        };
        assert_eq!(r.status, want, "{user} {method} {path}: {}", r.text());
        if !r.status.is_success() {
            let e = r.json();
            assert!(e["error"].is_string() && e["message"].is_string(), "{e}");
        }
    }
    // Lists are scoped the same way.
    let count = |v: Value| v["total"].as_i64().unwrap();
    assert_eq!(
        count(
            clients
                .get_mut("filler")
                .unwrap()
                .get("/api/evaluations")
                .await
                .json()
        ),
        3
    );
    assert_eq!(
        count(
            clients
                .get_mut("filler2")
                .unwrap()
                .get("/api/evaluations")
                .await
                .json()
        ),
        1
    );
    assert_eq!(
        count(
            clients
                .get_mut("reviewer")
                .unwrap()
                .get("/api/evaluations")
                .await
                .json()
        ),
        1
    );
    assert_eq!(
        count(
            clients
                .get_mut("reviewer2")
                .unwrap()
                .get("/api/evaluations")
                .await
                .json()
        ),
        0
    );
    assert_eq!(
        count(
            clients
                .get_mut("finance")
                .unwrap()
                .get("/api/evaluations")
                .await
                .json()
        ),
        4
    );
    let _ = Status::Draft;
}

/// CSRF, content types, limits, headers, throttling.
async fn guards(backend: Backend) {
    let w = world(backend).await;
    let mut c = as_user(&w, "filler").await;
    let id = w.seed_ids[0];
    let uri = format!("/api/evaluations/{id}/submit");
    let no_origin = c
        .request(Method::POST, &uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let r = c.send(no_origin).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "csrf");
    let evil = c
        .request(Method::POST, &uri)
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(c.send(evil).await.status, StatusCode::FORBIDDEN);
    let cross = c
        .request(Method::POST, &uri)
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "cross-site")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(c.send(cross).await.status, StatusCode::FORBIDDEN);
    let form_post = c
        .request(Method::POST, &uri)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("a=b"))
        .unwrap();
    assert_eq!(
        c.send(form_post).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let text_put = c
        .request(Method::PUT, &format!("/api/evaluations/{id}"))
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("x"))
        .unwrap();
    assert_eq!(
        c.send(text_put).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    // Nothing happened to the form.
    assert_eq!(
        c.get(&format!("/api/evaluations/{id}")).await.json()["status"],
        "draft"
    );
    // Same-origin by Sec-Fetch-Site works without Origin.
    let fetch = c
        .request(Method::POST, &uri)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(c.send(fetch).await.status, StatusCode::OK);

    // HTML form posts need the session's token.
    let page_post = |c: &Client, body: &'static str| {
        c.request(Method::POST, &format!("/evaluations/{}/comment", id))
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let r = c.send(page_post(&c, "body=hi&csrf=forged")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Body limit: 413 as JSON.
    let big = vec![b'x'; 9 * 1024 * 1024];
    let req = c
        .request(Method::POST, "/api/evaluations")
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(big))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"], "too_large");

    // Security headers on every response.
    let r = c.get("/public/").await;
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["referrer-policy"], "same-origin");

    // Login throttling: after 5 failures even the right password waits.
    let mut t = Client::new(w.app.clone());
    for _ in 0..5 {
        assert_eq!(
            t.login("reviewer", "nope").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let r = t.login("reviewer", "demo").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["error"], "too_many_attempts");
    // The audit log saw it all.
    let log = w.db.store.audit_log(500).await.unwrap();
    assert!(log.iter().any(|e| e.action == "login.fail"));
    assert!(log.iter().any(|e| e.action == "evaluation.submitted"));
}

/// HTML pages: status, access, escaping, the token-carrying form posts.
async fn pages(backend: Backend) {
    let w = world(backend).await;
    let mut anon = Client::new(w.app.clone());
    let r = anon.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login");
    let r = anon.get("/login").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("登录") && html.contains("Log in"));
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let form = |c: &Client, uri: &str, body: String| {
        c.request(Method::POST, uri)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    let r = anon
        .send(form(
            &anon,
            "/login",
            "username=filler&password=demo&csrf=bad".into(),
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = anon
        .send(form(
            &anon,
            "/login",
            format!("username=filler&password=x&csrf={token}"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("用户名或密码错误"));
    let r = anon
        .send(form(
            &anon,
            "/login",
            format!("username=filler&password=demo&csrf={token}"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut filler = anon;
    let r = filler.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("工伤鉴定") && r.text().contains("草稿"));
    let token = r
        .text()
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(token, "", "a fresh token after login");

    // A form with markup in it is escaped everywhere.
    let r = filler
        .post(
            "/api/evaluations",
            json!({"year": 2024, "project": "<script>alert(1)</script>"}),
        )
        .await;
    let id = r.json()["created"][0]["id"].as_i64().unwrap();
    for uri in ["/".to_string(), format!("/evaluations/{id}")] {
        let html = filler.get(&uri).await.text();
        assert!(!html.contains("<script>alert(1)"), "{uri} escapes");
        assert!(
            html.contains("&lt;script&gt;alert(1)") || html.contains("&#60;script&#62;alert(1)"),
            "{uri}: {html}"
        );
    }
    let r = filler.get(&format!("/evaluations/{}", w.seed_ids[0])).await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("项目支出绩效自评表") && html.contains("完成鉴定任务案件数"));
    assert!(html.contains("value=\"submit\""), "the filler may submit");
    assert_eq!(
        filler
            .get(&format!("/evaluations/{}", w.foreign_id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Submit by a plain form post, then the reviewer sees it with approve/return buttons.
    let seed = w.seed_ids[0];
    let r = filler
        .send(form(
            &filler,
            &format!("/evaluations/{seed}/action"),
            format!("action=submit&version=1&csrf={token}"),
        ))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut reviewer = as_user(&w, "reviewer").await;
    let html = reviewer.get(&format!("/evaluations/{seed}")).await.text();
    assert!(html.contains("value=\"approve\"") && html.contains("value=\"return\""));
    assert!(!html.contains("value=\"submit\""));
    assert!(html.contains("已提交"));

    // Public pages: no login, approved only.
    let mut public = Client::new(w.app.clone());
    assert_eq!(
        public.get(&format!("/public/{seed}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(public.get("/static/app.css").await.status, StatusCode::OK);
    assert_eq!(public.get("/static/app.js").await.status, StatusCode::OK);
}

macro_rules! on_every_backend {
    ($($name:ident),*) => {$(
        #[tokio::test]
        async fn $name() {
            for backend in Backend::all() {
                eprintln!("{} on {backend:?}", stringify!($name));
                super::$name(backend).await;
            }
        }
    )*};
}

mod run {
    use super::*;
    on_every_backend!(api_story, role_route_matrix, guards, pages);
}
