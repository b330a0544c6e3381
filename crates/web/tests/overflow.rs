//! Numbers at the end of `Decimal`'s range in an uploaded or edited form (an indicator whose
//! W × A does not fit, an execution rate whose percent does not fit): the server answers (2xx
//! or 4xx with a JSON body), never drops the request on a panic or answers 500, and the form
//! shows no number where none could be computed.

mod common;

use axum::http::StatusCode;
use common::*;
use jixiao_store::testing::Backend;
use serde_json::json;

const MAX: &str = "79228162514264337593543950335";

fn seed_with(from: &str, to: &str) -> Vec<u8> {
    let seed = String::from_utf8(jixiao_web::demo::SEED.to_vec()).unwrap();
    assert!(seed.contains(from), "{from:?} is in the seed");
    seed.replacen(from, to, 1).into_bytes()
}

fn hostile_forms() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "W × A too large",
            seed_with(
                "=13000件\t14321件\t8\t8",
                &format!("≥{MAX}件\t10000000000000000000000000000件\t8\t8"),
            ),
        ),
        (
            "rate too large for a percent",
            seed_with(
                "507,500.00\t501,010.00\t501,010\t10\t100.00%\t10",
                &format!("1\t1\t{MAX}\t10\t\t10"),
            ),
        ),
    ]
}

async fn numbers_too_large_are_answered_not_dropped(backend: Backend) {
    let w = world(backend).await;
    let mut filler = as_user(&w, "filler").await;
    let mut created = Vec::new();
    for (what, bytes) in hostile_forms() {
        for preview in [true, false] {
            let r = filler.import("text/plain", bytes.clone(), preview).await;
            assert!(
                r.status.is_success() || r.status.is_client_error(),
                "{what} (preview {preview}): {} {}",
                r.status,
                r.text()
            );
            let body = r.json();
            assert!(
                body.is_object() || body.is_array(),
                "{what}: JSON: {}",
                r.text()
            );
            if !preview && r.status == StatusCode::CREATED {
                created.push((what, body));
            }
        }
    }
    assert_eq!(created.len(), 2, "both forms are stored: {created:?}");
    let text = |v: &serde_json::Value| v.to_string();
    // The stored forms: the indicator has no computed score; the rate none in percent and no
    // budget score.
    for (what, body) in &created {
        // The changed form is the seed's first.
        let ids: Vec<i64> = body["created"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v["id"].as_i64()).collect())
            .unwrap_or_default();
        assert!(!ids.is_empty(), "{what}: the created ids in {}", text(body));
        let r = filler.get(&format!("/api/evaluations/{}", ids[0])).await;
        assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text());
        let form = r.json();
        if *what == "W × A too large" {
            assert!(form["indicators"][1]["computed_score"].is_null(), "{form}");
        } else {
            assert!(form["computed"]["budget_score"].is_null(), "{form}");
            assert!(form["computed"]["total"].is_null(), "{form}");
        }
    }

    // An edit (PUT) of a stored form that makes W × A too large.
    let id = w.seed_ids[0];
    let form = filler.get(&format!("/api/evaluations/{id}")).await.json();
    let mut changed = form.clone();
    changed["indicators"][1]["target"] = json!(format!("≥{MAX}件"));
    changed["indicators"][1]["actual"] = json!("10000000000000000000000000000件");
    let r = filler.put(&format!("/api/evaluations/{id}"), changed).await;
    assert!(
        r.status.is_success() || r.status.is_client_error(),
        "PUT: {} {}",
        r.status,
        r.text()
    );
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let saved = r.json();
    assert!(
        saved["indicators"][1]["computed_score"].is_null(),
        "{saved}"
    );

    // Still serving.
    assert_eq!(filler.get("/api/me").await.status, StatusCode::OK);
}

mod run {
    crate::on_every_backend!(numbers_too_large_are_answered_not_dropped);
}
