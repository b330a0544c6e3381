//! Every route of the web application, run on SQLite and (when `JIXIAO_TEST_POSTGRES_URL` is
//! set; mandatory in CI) PostgreSQL through the same test code.

mod common;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use axum::Router;
use common::{token_of, Client, ORIGIN};
use jixiao_core::Profile;
use jixiao_store::testing::{Backend, TestDb};
use jixiao_store::{NewUser, OrgKind, Role, Status, Store};
use jixiao_web::editor::EditorInput;
use jixiao_web::{app, demo, AppState, Config};
use serde_json::{json, Value};
use std::sync::Arc;

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
    let r = filler
        .import("text/plain; charset=utf-8", demo::SEED, true)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["forms"].as_array().unwrap().len(), 3);
    assert_eq!(
        filler.get("/api/evaluations").await.json()["total"],
        4,
        "preview stores nothing"
    );
    let r = filler.import("text/plain", demo::SEED, false).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["created"].as_array().unwrap().len(), 3);
    assert_eq!(
        filler
            .import("text/plain", &b"nothing here"[..], false)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        filler
            .import("application/json", &b"{not json"[..], false)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

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
        // The dashboard: every role with forms; not 管理员.
        (
            "filler",
            Method::GET,
            "/api/dashboard".into(),
            json!(null),
            S::OK,
        ),
        (
            "reviewer",
            Method::GET,
            "/api/dashboard".into(),
            json!(null),
            S::OK,
        ),
        (
            "finance",
            Method::GET,
            "/api/dashboard?year=2023".into(),
            json!(null),
            S::OK,
        ),
        (
            "admin",
            Method::GET,
            "/api/dashboard".into(),
            json!(null),
            S::FORBIDDEN,
        ),
        (
            "filler",
            Method::GET,
            "/api/dashboard?year=x".into(),
            json!(null),
            S::BAD_REQUEST,
        ),
        // Changing users and resetting passwords: 管理员 only (user 5 is filler2).
        (
            "filler",
            Method::PUT,
            "/api/users/5".into(),
            json!({"display_name": "x"}),
            S::FORBIDDEN,
        ),
        (
            "reviewer",
            Method::PUT,
            "/api/users/5".into(),
            json!({"role": "admin"}),
            S::FORBIDDEN,
        ),
        (
            "finance",
            Method::PUT,
            "/api/users/5".into(),
            json!({"disabled": true}),
            S::FORBIDDEN,
        ),
        (
            "admin",
            Method::PUT,
            "/api/users/5".into(),
            json!({"display_name": "教育 填报"}),
            S::OK,
        ),
        (
            "admin",
            Method::PUT,
            "/api/users/5".into(),
            json!({"org_id": 999999}),
            S::UNPROCESSABLE_ENTITY,
        ),
        (
            "admin",
            Method::PUT,
            "/api/users/5".into(),
            json!({"role": "king"}),
            S::UNPROCESSABLE_ENTITY,
        ),
        (
            "admin",
            Method::PUT,
            "/api/users/999999".into(),
            json!({"display_name": "x"}),
            S::NOT_FOUND,
        ),
        (
            "admin",
            Method::PUT,
            "/api/users/1".into(),
            json!({"disabled": true}),
            S::UNPROCESSABLE_ENTITY,
        ),
        (
            "filler",
            Method::POST,
            "/api/users/5/password".into(),
            json!({"password": "other-pass"}),
            S::FORBIDDEN,
        ),
        (
            "finance",
            Method::POST,
            "/api/users/5/password".into(),
            json!({"password": "other-pass"}),
            S::FORBIDDEN,
        ),
        (
            "admin",
            Method::POST,
            "/api/users/5/password".into(),
            json!({"password": "short"}),
            S::UNPROCESSABLE_ENTITY,
        ),
        (
            "admin",
            Method::POST,
            "/api/users/5/password".into(),
            json!({"password": "other-pass"}),
            S::OK,
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

/// The hidden `version` of the editor form.
fn editor_version(html: &str) -> i64 {
    let editor = html.split("id=\"editor\"").nth(1).expect("the editor");
    editor
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn pairs(csrf: &str, version: i64, op: &str, input: &EditorInput) -> Vec<(String, String)> {
    let mut p = vec![
        ("csrf".to_string(), csrf.to_string()),
        ("version".to_string(), version.to_string()),
        ("op".to_string(), op.to_string()),
    ];
    p.extend(input.to_pairs());
    p
}

/// The editor by plain form posts: save with the version, a stale save (409, input kept),
/// invalid numbers (422), row operations, the live preview, and who may edit.
async fn editor(backend: Backend) {
    let w = world(backend).await;
    let mut filler = as_user(&w, "filler").await;
    // The seed form holding 工伤鉴定认定准确送达率 (reported 5 of 7 although met).
    let mut id = 0;
    let mut form = None;
    for sid in &w.seed_ids {
        let r = w.db.store.get_evaluation(*sid).await.unwrap().unwrap();
        if r.form
            .indicators
            .iter()
            .any(|i| i.name == "工伤鉴定认定准确送达率")
        {
            id = *sid;
            form = Some(r.form);
        }
    }
    let form = form.expect("the seed has the indicator");
    let uri = format!("/evaluations/{id}");
    let html = filler.get(&uri).await.text();
    assert!(html.contains("id=\"editor\"") && html.contains("name=\"ind.name\""));
    assert!(html.contains("/static/app.js") && !html.contains("<script>"));
    assert!(html.contains("MET_BUT_DEDUCTED") && html.contains("却只得 5 分"));
    let csrf = token_of(&html);
    assert_eq!(editor_version(&html), 1);
    let mut input = EditorInput::from_evaluation(&form);
    let row = input
        .rows
        .iter()
        .position(|r| r.name == "工伤鉴定认定准确送达率")
        .unwrap();
    assert_eq!(input.rows[row].score, "5");

    // The live preview: the engine's numbers for what is typed; nothing stored.
    let preview = format!("{uri}/preview");
    let r = filler.form(&preview, &pairs(&csrf, 1, "", &input)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let before = r.json();
    assert!(before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "MET_BUT_DEDUCTED" && f["row"] == row));
    assert_eq!(before["indicators"][row], "7");
    let total_before = before["total"].as_str().unwrap().to_owned();
    let mut lower = input.clone();
    lower.rows[row].actual = "90%".into();
    let r = filler.form(&preview, &pairs(&csrf, 1, "", &lower)).await;
    let after = r.json();
    assert_eq!(after["indicators"][row], "6.63", "7 × 90/95");
    assert_ne!(after["total"].as_str().unwrap(), total_before);
    let mut bad = input.clone();
    bad.rows[row].weight = "七".into();
    let r = filler.form(&preview, &pairs(&csrf, 1, "", &bad)).await;
    assert!(r.json()["errors"][0].as_str().unwrap().contains("不是数字"));
    let r = filler.form(&preview, &pairs("wrong", 1, "", &input)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Save: the full 7 points; the finding is gone, the version moves on.
    input.rows[row].score = "7".into();
    input.project = format!("{}（修订）", input.project);
    let r = filler
        .form(&format!("{uri}/edit"), &pairs(&csrf, 1, "save", &input))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.headers[header::LOCATION], format!("{uri}?saved=1"));
    let got = filler.get(&format!("/api/evaluations/{id}")).await.json();
    assert_eq!(got["version"], 2);
    assert_eq!(got["indicators"][row]["reported_score"], json!(7));
    assert!(got["project"].as_str().unwrap().ends_with("（修订）"));
    let deducted = |v: &Value| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "MET_BUT_DEDUCTED" && f["indicator"] == row)
    };
    assert!(!deducted(&got), "the finding is fixed");
    let html = filler.get(&format!("{uri}?saved=1")).await.text();
    assert!(html.contains("已保存"));
    assert_eq!(editor_version(&html), 2);
    assert!(!html.contains("却只得 5 分"));

    // A stale save (version 1): 409, a clear message, the input still on the page, nothing
    // saved; saving again from that page (now carrying version 2) goes through.
    let mut mine = input.clone();
    mine.rows[row].reason = "邮件退回已逐件跟踪".into();
    let r = filler
        .form(&format!("{uri}/edit"), &pairs(&csrf, 1, "save", &mine))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let html = r.text();
    assert!(
        html.contains("已被他人修改") && html.contains("尚未保存"),
        "{html}"
    );
    assert!(html.contains("邮件退回已逐件跟踪"), "the input is kept");
    assert_eq!(editor_version(&html), 2);
    let got = filler.get(&format!("/api/evaluations/{id}")).await.json();
    assert_eq!(got["version"], 2);
    assert_ne!(got["indicators"][row]["reason"], "邮件退回已逐件跟踪");
    let r = filler
        .form(&format!("{uri}/edit"), &pairs(&csrf, 2, "save", &mine))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let got = filler.get(&format!("/api/evaluations/{id}")).await.json();
    assert_eq!(got["version"], 3);
    assert_eq!(got["indicators"][row]["reason"], "邮件退回已逐件跟踪");

    // Not a number: 422, the typed text kept, nothing saved.
    let mut bad = mine.clone();
    bad.funds[0][2] = "五十万".into();
    let r = filler
        .form(&format!("{uri}/edit"), &pairs(&csrf, 3, "save", &bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("五十万") && r.text().contains("不是数字"));
    assert_eq!(
        filler.get(&format!("/api/evaluations/{id}")).await.json()["version"],
        3
    );

    // Row operations without JavaScript: re-rendered, not saved.
    // The rows, less the blank row of the <template> the script clones.
    let count = |html: &str| html.matches("name=\"ind.name\"").count() - 1;
    let n = mine.rows.len();
    let r = filler
        .form(&format!("{uri}/edit"), &pairs(&csrf, 3, "add", &mine))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(count(&r.text()), n + 1);
    let r = filler
        .form(&format!("{uri}/edit"), &pairs(&csrf, 3, "remove:0", &mine))
        .await;
    assert_eq!(count(&r.text()), n - 1);
    let r = filler
        .form(&format!("{uri}/edit"), &pairs(&csrf, 3, "down:0", &mine))
        .await;
    let html = r.text();
    let first = html.find(&mine.rows[0].name).unwrap();
    let second = html.find(&mine.rows[1].name).unwrap();
    assert!(second < first, "row 0 moved down");
    // Saving the removal really removes the row.
    let mut fewer = mine.clone();
    fewer.rows.remove(0);
    let r = filler
        .form(&format!("{uri}/edit"), &pairs(&csrf, 3, "save", &fewer))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let got = filler.get(&format!("/api/evaluations/{id}")).await.json();
    assert_eq!(got["indicators"].as_array().unwrap().len(), n - 1);

    // Who may edit: no token 403; another unit's filler and the reviewer (a draft) 404;
    // finance (may read, not edit) 403; a submitted form 409 and no editor on its page.
    let r = filler
        .form(&format!("{uri}/edit"), &pairs("", 4, "save", &fewer))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (name, status) in [
        ("filler2", StatusCode::NOT_FOUND),
        ("reviewer", StatusCode::NOT_FOUND),
        ("finance", StatusCode::FORBIDDEN),
    ] {
        let mut c = as_user(&w, name).await;
        let html = c.get("/").await.text();
        let t = token_of(&html);
        let r = c
            .form(&format!("{uri}/edit"), &pairs(&t, 4, "save", &fewer))
            .await;
        assert_eq!(r.status, status, "{name}: {}", r.text());
        if name == "finance" {
            let page = c.get(&uri).await.text();
            assert!(!page.contains("id=\"editor\""), "finance reads, not edits");
        }
    }
    let r = filler
        .post(&format!("/api/evaluations/{id}/submit"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = filler.get(&uri).await.text();
    assert!(!html.contains("id=\"editor\"") && html.contains("已提交"));
    let r = filler
        .form(&format!("{uri}/edit"), &pairs(&csrf, 5, "save", &fewer))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["error"], "not_editable");
}

/// The import page: paste or upload → preview with findings → save as drafts.
async fn import(backend: Backend) {
    let w = world(backend).await;
    let seed = std::str::from_utf8(demo::SEED).unwrap();
    let mut filler = as_user(&w, "filler").await;
    let html = filler.get("/").await.text();
    assert!(
        html.contains("href=\"/import\""),
        "the list links the import page"
    );
    let r = filler.get("/import").await;
    assert_eq!(r.status, StatusCode::OK);
    let csrf = token_of(&r.text());
    let before = filler.get("/api/evaluations").await.json()["total"]
        .as_i64()
        .unwrap();

    // Pasted text: a preview of the three forms with their findings; nothing stored yet.
    let r = filler
        .multipart("/import", &[("csrf", &csrf), ("text", seed)], None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("读出 3 张表") && html.contains("保存为 3 张草稿"),
        "{html}"
    );
    assert!(html.contains("MET_BUT_DEDUCTED") && html.contains("工伤鉴定认定准确送达率"));
    assert_eq!(
        filler.get("/api/evaluations").await.json()["total"]
            .as_i64()
            .unwrap(),
        before
    );
    let payload = html
        .split("name=\"payload\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let save = |csrf: &str, payload: &str| {
        vec![
            ("csrf".to_string(), csrf.to_string()),
            ("payload".to_string(), payload.to_string()),
        ]
    };
    let r = filler.form("/import/save", &save(&csrf, &payload)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.headers[header::LOCATION], "/?imported=3");
    let list = filler.get("/api/evaluations").await.json();
    assert_eq!(list["total"].as_i64().unwrap(), before + 3);
    assert!(filler
        .get("/?imported=3")
        .await
        .text()
        .contains("已导入 3 张草稿"));

    // An uploaded file reads the same way.
    let r = filler
        .multipart(
            "/import",
            &[("csrf", &csrf)],
            Some(("songjiang.tsv", demo::SEED)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("songjiang.tsv") && r.text().contains("读出 3 张表"));

    // Nothing readable, nothing at all, a bad token, a damaged payload.
    let r = filler
        .multipart(
            "/import",
            &[("csrf", &csrf), ("text", "这不是自评表")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("未能读出任何自评表") && r.text().contains("这不是自评表"));
    let r = filler
        .multipart("/import", &[("csrf", &csrf), ("text", "  ")], None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = filler
        .multipart("/import", &[("csrf", "bad"), ("text", seed)], None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = filler.form("/import/save", &save(&csrf, "***")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Only a 填报人 imports.
    for name in ["reviewer", "finance", "admin"] {
        let mut c = as_user(&w, name).await;
        assert_eq!(
            c.get("/import").await.status,
            StatusCode::FORBIDDEN,
            "{name}"
        );
        let t = token_of(&c.get("/login").await.text());
        let r = c.form("/import/save", &save(&t, &payload)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");
    }
    let mut anon = Client::new(w.app.clone());
    assert_eq!(anon.get("/import").await.status, StatusCode::SEE_OTHER);
}

/// Review on the pages: a comment on an indicator, return with a reason (required), approve.
async fn review(backend: Backend) {
    let w = world(backend).await;
    let id = w.seed_ids[0];
    let uri = format!("/evaluations/{id}");
    let mut filler = as_user(&w, "filler").await;
    filler
        .post(&format!("/api/evaluations/{id}/submit"), json!({}))
        .await;
    let mut reviewer = as_user(&w, "reviewer").await;
    let html = reviewer.get(&uri).await.text();
    let csrf = token_of(&html);
    assert!(
        html.contains("<option value=\"3\">第 4 行"),
        "indicators to comment on"
    );
    let f = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let r = reviewer
        .form(
            &format!("{uri}/comment"),
            &f(&[
                ("csrf", &csrf),
                ("indicator", "3"),
                ("body", "请核实送达率的得分"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = reviewer
        .form(
            &format!("{uri}/comment"),
            &f(&[("csrf", &csrf), ("indicator", "99"), ("body", "x")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = reviewer.get(&uri).await.text();
    assert!(html.contains("请核实送达率的得分") && html.contains("第 4 行"));
    // Return needs a reason.
    let r = reviewer
        .form(
            &format!("{uri}/action"),
            &f(&[
                ("csrf", &csrf),
                ("action", "return"),
                ("version", "2"),
                ("reason", " "),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = reviewer
        .form(
            &format!("{uri}/action"),
            &f(&[
                ("csrf", &csrf),
                ("action", "return"),
                ("version", "2"),
                ("reason", "得分与完成值不符"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // The filler sees the reason and the comment, and the editor again.
    let html = filler.get(&uri).await.text();
    assert!(html.contains("已退回") && html.contains("得分与完成值不符"));
    assert!(html.contains("请核实送达率的得分") && html.contains("id=\"editor\""));
    let fcsrf = token_of(&html);
    let r = filler
        .form(
            &format!("{uri}/action"),
            &f(&[("csrf", &fcsrf), ("action", "submit"), ("version", "3")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // A stale approve is refused; the current one goes through; then it is public.
    let r = reviewer
        .form(
            &format!("{uri}/action"),
            &f(&[("csrf", &csrf), ("action", "approve"), ("version", "3")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = reviewer
        .form(
            &format!("{uri}/action"),
            &f(&[("csrf", &csrf), ("action", "approve"), ("version", "4")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut public = Client::new(w.app.clone());
    let r = public.get(&format!("/public/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(public
        .get("/public/")
        .await
        .text()
        .contains(&format!("/public/{id}")));
}

/// Lists: filters (year, department, unit, status, grade, finding code), sorting, paging, in
/// the API and on the page; the dashboard; the public .xlsx download.
async fn lists(backend: Backend) {
    let w = world(backend).await;
    let mut filler = as_user(&w, "filler").await;
    // The dashboard of the filler's unit and year.
    let d = filler.get("/api/dashboard").await.json();
    assert_eq!(d["year"], 2023);
    assert_eq!(d["total"], 3);
    assert_eq!(d["by_status"][0], json!(["draft", 3]));
    let grades: i64 = d["by_grade"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g[1].as_i64().unwrap())
        .sum();
    assert_eq!(grades, 3);
    let top = d["top_codes"].as_array().unwrap();
    assert!(!top.is_empty(), "the seed has findings: {d}");
    let code = top[0][0].as_str().unwrap().to_owned();
    let with_code = top[0][2].as_i64().unwrap();
    assert!(
        !top[0][1].as_str().unwrap().is_ascii(),
        "a Chinese name: {}",
        top[0][1]
    );
    // The finding code filter agrees with the dashboard.
    let r = filler
        .get(&format!("/api/evaluations?code={code}&year=2023"))
        .await
        .json();
    assert_eq!(r["total"].as_i64(), Some(with_code), "{r}");
    assert_eq!(r["items"].as_array().unwrap().len() as i64, with_code);
    // Sorting by the computed total, both ways, exactly.
    let totals = |v: &Value| -> Vec<rust_decimal::Decimal> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["total"].to_string().trim_matches('"').parse().unwrap())
            .collect()
    };
    let up = totals(
        &filler
            .get("/api/evaluations?sort=total&dir=asc")
            .await
            .json(),
    );
    let down = totals(&filler.get("/api/evaluations?sort=total").await.json());
    assert_eq!(up.len(), 3);
    assert!(up.windows(2).all(|w| w[0] <= w[1]), "{up:?}");
    assert_eq!(down.iter().rev().cloned().collect::<Vec<_>>(), up);
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["project"].as_str().unwrap().to_owned())
            .collect()
    };
    let by_name = names(&filler.get("/api/evaluations?sort=project").await.json());
    let mut sorted = by_name.clone();
    sorted.sort();
    assert_eq!(by_name, sorted);
    // Paging: page 2 of size 1 is the second of the sorted list; the total stays 3.
    let r = filler
        .get("/api/evaluations?sort=project&size=1&page=2")
        .await
        .json();
    assert_eq!(
        (r["total"].as_i64(), r["offset"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(names(&r), vec![by_name[1].clone()]);
    // Grade, status, department and unit filters combine.
    let grade = d["by_grade"][0][0].as_str().unwrap_or("none").to_owned();
    let n = d["by_grade"][0][1].as_i64().unwrap();
    let r = filler
        .get(&format!("/api/evaluations?grade={grade}&status=draft"))
        .await
        .json();
    assert_eq!(r["total"].as_i64(), Some(n));
    let orgs = filler.get("/api/orgs").await.json();
    let id_of = |name: &str| {
        orgs["orgs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"].as_str().unwrap().contains(name))
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (hr, edu, unit) = (
        id_of("人力资源"),
        id_of("教育局"),
        id_of("社会保障服务中心"),
    );
    let total_of = |v: Value| v["total"].as_i64().unwrap();
    assert_eq!(
        total_of(
            filler
                .get(&format!("/api/evaluations?dept={hr}"))
                .await
                .json()
        ),
        3
    );
    assert_eq!(
        total_of(
            filler
                .get(&format!("/api/evaluations?dept={edu}"))
                .await
                .json()
        ),
        0
    );
    assert_eq!(
        total_of(
            filler
                .get(&format!("/api/evaluations?dept={hr}&unit={unit}"))
                .await
                .json()
        ),
        3
    );
    assert_eq!(
        total_of(
            filler
                .get(&format!("/api/evaluations?dept={edu}&unit={unit}"))
                .await
                .json()
        ),
        0
    );
    assert_eq!(
        total_of(filler.get("/api/evaluations?status=approved").await.json()),
        0
    );
    // A form stored without a verdict (the other department's, made by the test's setup, as
    // a database from before verdicts were kept) is brought up to date by the backfill that
    // `serve` runs, and then counts in the finding filter and the dashboard.
    let profile = Profile::default();
    let stale =
        w.db.store
            .needs_derive(&jixiao_web::derived::profile_key(&profile), 0, 100)
            .await
            .unwrap();
    assert_eq!(stale, vec![w.foreign_id]);
    assert_eq!(
        jixiao_web::derived::backfill(&w.db.store, &profile)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        jixiao_web::derived::backfill(&w.db.store, &profile)
            .await
            .unwrap(),
        0
    );
    let foreign =
        w.db.store
            .get_evaluation(w.foreign_id)
            .await
            .unwrap()
            .unwrap();
    assert!(foreign.summary.grade.is_some() && foreign.summary.warnings.is_some());
    assert!(foreign.derived.is_some());
    let mut finance = as_user(&w, "finance").await;
    assert_eq!(
        total_of(
            finance
                .get(&format!("/api/evaluations?dept={edu}"))
                .await
                .json()
        ),
        1
    );
    assert_eq!(
        total_of(finance.get("/api/evaluations?year=2023").await.json()),
        4
    );
    // What cannot be read is a 400 with a message.
    for bad in [
        "sort=bogus",
        "dir=up",
        "year=abc",
        "code=a%20b",
        "dept=x",
        "page=y",
    ] {
        let r = filler.get(&format!("/api/evaluations?{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text());
        assert!(r.json()["message"].is_string());
    }
    // The OpenAPI document names the filters.
    let doc = filler.get("/api/openapi.json").await.json();
    let params: Vec<&str> = doc["paths"]["/api/evaluations"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in [
        "year", "dept", "unit", "status", "grade", "code", "sort", "dir", "page", "size",
    ] {
        assert!(params.contains(&name), "{name} in {params:?}");
    }
    assert!(doc["paths"]["/api/dashboard"]["get"].is_object());
    assert!(doc["paths"]["/api/users/{id}"]["put"].is_object());

    // The list page: filters kept in the sort and paging links.
    let html = filler
        .get(&format!("/?size=1&code={code}&sort=project"))
        .await
        .text()
        .replace("&#38;", "&");
    assert!(html.contains(&format!("第 1 / {with_code} 页")), "{html}");
    if with_code > 1 {
        assert!(
            html.contains(&format!("/?code={code}&sort=project&size=1&page=2")),
            "next page link keeps the filters: {}",
            html.split("class=\"pager\"").nth(1).unwrap_or_default()
        );
    }
    assert!(html.contains(&format!("/?code={code}&sort=total&dir=desc&size=1\"")));
    assert!(
        html.contains("项目名称 ▲"),
        "the sorted column shows its direction"
    );
    assert!(html.contains(&format!("<option value=\"{code}\" selected>")));
    // The dashboard page: SVG charts linking to the filtered list, the top findings.
    let html = filler.get("/dashboard").await.text().replace("&#38;", "&");
    assert!(html.contains("<svg"), "{html}");
    assert!(html.contains("/?year=2023&status=draft"));
    assert!(html.contains(&format!("/?year=2023&code={code}")));
    assert!(html.contains(&jixiao_web::api::code_title(&code)));
    let mut admin = as_user(&w, "admin").await;
    assert_eq!(
        admin.get("/api/dashboard").await.status,
        StatusCode::FORBIDDEN
    );

    // The public .xlsx: an approved form only; what starts with `=` stays text.
    let id = w.seed_ids[0];
    let r = filler
        .post(&format!("/api/evaluations/{id}/submit"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let mut public = Client::new(w.app.clone());
    assert_eq!(
        public.get(&format!("/public/{id}/xlsx")).await.status,
        StatusCode::NOT_FOUND
    );
    let mut reviewer = as_user(&w, "reviewer").await;
    let r = reviewer
        .post(&format!("/api/evaluations/{id}/approve"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = public.get(&format!("/public/{id}/xlsx")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(r.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let stored = w.db.store.get_evaluation(id).await.unwrap().unwrap().form;
    let back = jixiao_formats::read_bytes(&r.body);
    assert_eq!(back.forms.len(), 1, "{:?}", back.diagnostics);
    let read = &back.forms[0].evaluation;
    assert_eq!(read.project, stored.project);
    let targets: Vec<_> = read.indicators.iter().map(|i| i.target.clone()).collect();
    let expected: Vec<_> = stored.indicators.iter().map(|i| i.target.clone()).collect();
    assert_eq!(targets, expected);
    assert!(
        targets.iter().flatten().any(|t| t.starts_with('=')),
        "a target starting with = read back as text"
    );
    assert!(public
        .get(&format!("/public/{id}"))
        .await
        .text()
        .contains(&format!("/public/{id}/xlsx")));
    assert_eq!(
        public
            .get(&format!("/public/{}/xlsx", w.foreign_id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The administration pages: users and organisations, 管理员 only; disabling a user ends
/// their sessions and their logins.
async fn admin_pages(backend: Backend) {
    let w = world(backend).await;
    for user in ["filler", "reviewer", "finance"] {
        let mut c = as_user(&w, user).await;
        assert_eq!(
            c.get("/admin").await.status,
            StatusCode::FORBIDDEN,
            "{user}"
        );
        let html = c.get("/").await.text();
        let csrf = token_of(&html);
        let r = c
            .form(
                "/admin/users",
                &[
                    ("csrf".into(), csrf.clone()),
                    ("username".into(), "sneaky".into()),
                    ("password".into(), "12345678".into()),
                    ("role".into(), "admin".into()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let r = c
            .form(
                "/admin/users/5",
                &[
                    ("csrf".into(), csrf.clone()),
                    ("role".into(), "admin".into()),
                    ("op".into(), "save".into()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
    let mut anon = Client::new(w.app.clone());
    assert_eq!(anon.get("/admin").await.status, StatusCode::SEE_OTHER);
    let mut admin = as_user(&w, "admin").await;
    // An administrator's home is the administration page.
    let home = admin.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("添加用户"));
    let html = admin.get("/admin").await.text();
    assert!(
        html.contains("filler2") && html.contains("上海市松江区教育局"),
        "{html}"
    );
    let csrf = token_of(&html);
    let f = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    // Add an organisation and a user in it.
    let r = admin
        .form(
            "/admin/orgs",
            &f(&[
                ("csrf", &csrf),
                ("name", "上海市松江区职业培训中心"),
                ("kind", "unit"),
                ("parent_id", "2"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let orgs = w.db.store.list_orgs().await.unwrap();
    let new_org = orgs
        .iter()
        .find(|o| o.name == "上海市松江区职业培训中心")
        .unwrap();
    assert!(new_org.is_under(2));
    let org = new_org.id.to_string();
    let r = admin
        .form(
            "/admin/users",
            &f(&[
                ("csrf", &csrf),
                ("username", "trainer"),
                ("display_name", "培训 王填报"),
                ("password", "train-pass-1"),
                ("role", "filler"),
                ("org_id", &org),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut trainer = Client::new(w.app.clone());
    assert_eq!(
        trainer.login("trainer", "train-pass-1").await.status,
        StatusCode::OK
    );
    let users = w.db.store.list_users().await.unwrap();
    let t = users
        .iter()
        .find(|u| u.username == "trainer")
        .unwrap()
        .clone();
    assert_eq!((t.role, t.org_id), (Role::Filler, Some(new_org.id)));
    // The list, twice: the second view reads session and page in one statement, on the user
    // this process saw (crate::SessionHints); a role change below must still show at once.
    for _ in 0..2 {
        let list = trainer.get("/").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.text().contains("导入自评表"), "a filler may import");
    }
    // A bad token, a short password, an unknown role are refused.
    let r = admin
        .form(
            "/admin/users",
            &f(&[
                ("csrf", "nope"),
                ("username", "x"),
                ("password", "12345678"),
                ("role", "filler"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = admin
        .form(
            "/admin/users",
            &f(&[
                ("csrf", &csrf),
                ("username", "x"),
                ("password", "short"),
                ("role", "filler"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Change the role: a reviewer of the department now.
    let uri = format!("/admin/users/{}", t.id);
    let r = admin
        .form(
            &uri,
            &f(&[
                ("csrf", &csrf),
                ("display_name", "培训 王审核"),
                ("role", "reviewer"),
                ("org_id", "2"),
                ("op", "save"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let me = trainer.get("/api/me").await.json();
    assert_eq!(
        me["user"]["role"], "reviewer",
        "the next request sees the new role"
    );
    assert_eq!(me["user"]["display_name"], "培训 王审核");
    let list = trainer.get("/").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list.text().contains("导入自评表") && list.text().contains("培训 王审核"),
        "the list is the reviewer's at once"
    );
    // Disable: the session stops working and the password no longer logs in.
    let r = admin
        .form(
            &uri,
            &f(&[
                ("csrf", &csrf),
                ("role", "reviewer"),
                ("org_id", "2"),
                ("op", "disable"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        trainer.get("/api/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    let list = trainer.get("/").await;
    assert_eq!(list.status, StatusCode::SEE_OTHER, "a disabled user's list");
    assert!(!list.text().contains("培训"));
    assert_eq!(
        Client::new(w.app.clone())
            .login("trainer", "train-pass-1")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert!(admin.get("/admin").await.text().contains("已停用"));
    // Enable and reset the password.
    let r = admin
        .form(
            &uri,
            &f(&[
                ("csrf", &csrf),
                ("role", "reviewer"),
                ("org_id", "2"),
                ("op", "enable"),
            ]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = admin
        .form(
            &format!("{uri}/password"),
            &f(&[("csrf", &csrf), ("password", "new-pass-22")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut again = Client::new(w.app.clone());
    assert_eq!(
        again.login("trainer", "train-pass-1").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        again.login("trainer", "new-pass-22").await.status,
        StatusCode::OK
    );
    // An administrator cannot lock themselves out.
    let r = admin
        .form(
            "/admin/users/1",
            &f(&[("csrf", &csrf), ("role", "admin"), ("op", "disable")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .form(
            "/admin/users/1",
            &f(&[("csrf", &csrf), ("role", "filler"), ("op", "save")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let log = w.db.store.audit_log(50).await.unwrap();
    assert!(log.iter().any(|e| e.action == "user.update"));
}

mod run {
    crate::on_every_backend!(
        api_story,
        role_route_matrix,
        guards,
        pages,
        editor,
        import,
        review,
        lists,
        admin_pages
    );
}
