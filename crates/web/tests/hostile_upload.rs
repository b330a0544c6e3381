//! Hostile files uploaded to the import routes (issue 5 item 1), on SQLite and PostgreSQL:
//! each is answered with a 4xx and the reader's reasons in Chinese, nothing is stored, no
//! 500, and the server keeps serving. (Sizes over the body limit: `security.rs`
//! `upload_limits`.)

mod common;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::*;
use jixiao_store::testing::Backend;

/// Deterministic pseudo-random bytes (xorshift).
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn hostile_files() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let text = "text/plain";
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let mut fake_zip = b"PK\x03\x04".to_vec();
    fake_zip.extend(noise(20_000, 3));
    let header_row = "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n";
    vec![
        ("empty", text, Vec::new()),
        ("random bytes", text, noise(100_000, 0x5eed)),
        ("NUL bytes", text, vec![0; 50_000]),
        ("a million tabs", text, vec![b'\t'; 1_000_000]),
        ("bare labels", text, "项目名称 ".repeat(50_000).into_bytes()),
        ("header rows", text, header_row.repeat(20_000).into_bytes()),
        (
            "nested JSON",
            "application/json",
            format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)).into_bytes(),
        ),
        ("not a zip", xlsx, fake_zip),
        ("random bytes as xlsx", xlsx, noise(30_000, 11)),
    ]
}

async fn hostile_imports_are_refused_with_reasons(backend: Backend) {
    let w = world(backend).await;
    let before = w
        .store
        .count_evaluations(&Default::default())
        .await
        .unwrap();
    let mut filler = as_user(&w, "filler").await;
    for (what, media, bytes) in hostile_files() {
        for preview in [true, false] {
            let r = filler.import(media, bytes.clone(), preview).await;
            assert!(
                r.status.is_client_error(),
                "{what} (preview {preview}): {} {}",
                r.status,
                r.text()
            );
            let body = r.json();
            let message = body["message"].as_str().unwrap_or_default();
            assert!(
                message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{what}: a Chinese message: {body}"
            );
        }
        // The import page too: a 4xx or the page with the reasons, never a 500.
        let token = filler.csrf().await;
        let r = filler
            .multipart("/import", &[("csrf", &token)], Some(("upload.bin", &bytes)))
            .await;
        assert!(
            r.status.is_success() || r.status.is_client_error(),
            "{what} via /import: {}",
            r.status
        );
    }
    let after = w
        .store
        .count_evaluations(&Default::default())
        .await
        .unwrap();
    assert_eq!(before, after, "nothing stored");
    // Still serving: the seed imports.
    let req = filler
        .request(Method::POST, "/api/evaluations")
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(jixiao_web::demo::SEED))
        .unwrap();
    assert_eq!(filler.send(req).await.status, StatusCode::CREATED);
}

mod run {
    crate::on_every_backend!(hostile_imports_are_refused_with_reasons);
}
