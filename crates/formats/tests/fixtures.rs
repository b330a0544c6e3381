//! The real forms in `fixtures/` read exactly as their hand transcriptions say: every value
//! the transcription has is read, and no value is read wrong (a value the transcription
//! leaves null is not invented either).

use jixiao_core::Evaluation;
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::PathBuf;
use std::str::FromStr;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

fn read(name: &str) -> jixiao_formats::ReadOutcome {
    let bytes = std::fs::read(fixture(name)).expect("fixture present");
    jixiao_formats::read_bytes(&bytes)
}

fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture present");
    serde_json::from_str(&text).expect("valid json")
}

fn no_space(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        Value::String(s) => Decimal::from_str(s).ok(),
        _ => None,
    }
}

/// Compare one form with its transcription; returns the list of differences.
fn compare(ev: &Evaluation, exp: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut text = |field: &str, got: Option<&str>, want: &Value| {
        let want = want.as_str();
        if got.map(no_space) != want.map(no_space) {
            diffs.push(format!("{field}: got {got:?}, want {want:?}"));
        }
    };
    text("project", ev.project.as_deref(), &exp["project"]);
    text("department", ev.department.as_deref(), &exp["department"]);
    text("unit", ev.unit.as_deref(), &exp["unit"]);
    text("money_unit", ev.money_unit.as_deref(), &exp["money_unit"]);
    text(
        "goal_expected",
        ev.goal_expected.as_deref(),
        &exp["goal_expected"],
    );
    text(
        "goal_actual",
        ev.goal_actual.as_deref(),
        &exp["goal_actual"],
    );
    text("grade", ev.grade.as_deref(), &exp["grade"]);
    let mut num = |field: String, got: Option<Decimal>, want: &Value| {
        let want = dec(want);
        if got.map(|d| d.normalize()) != want.map(|d| d.normalize()) {
            diffs.push(format!("{field}: got {got:?}, want {want:?}"));
        }
    };
    if ev.year != exp["year"].as_i64().map(|y| y as i32) {
        num("year".into(), ev.year.map(Decimal::from), &exp["year"]);
    }
    num(
        "total_score".into(),
        ev.total_score.map(|p| p.value),
        &exp["total_score"],
    );
    let f = &ev.funds;
    for (name, row) in [
        ("total", &f.total),
        ("appropriation", &f.appropriation),
        ("carryover", &f.carryover),
        ("other", &f.other),
    ] {
        let e = &exp["funds"][name];
        num(format!("funds.{name}.initial"), row.initial, &e["initial"]);
        num(
            format!("funds.{name}.adjusted"),
            row.adjusted,
            &e["adjusted"],
        );
        num(
            format!("funds.{name}.executed"),
            row.executed,
            &e["executed"],
        );
    }
    let t = &exp["funds"]["total"];
    num("funds.weight".into(), f.weight, &t["weight"]);
    num("funds.score".into(), f.score.map(|p| p.value), &t["score"]);
    if f.rate_printed.as_deref() != t["rate"].as_str() {
        diffs.push(format!(
            "funds.rate: got {:?}, want {:?}",
            f.rate_printed, t["rate"]
        ));
    }
    let want_inds = exp["indicators"].as_array().cloned().unwrap_or_default();
    if ev.indicators.len() != want_inds.len() {
        diffs.push(format!(
            "indicator count: got {}, want {}",
            ev.indicators.len(),
            want_inds.len()
        ));
    }
    for (i, (got, want)) in ev.indicators.iter().zip(&want_inds).enumerate() {
        let mut text = |field: &str, g: Option<&str>| {
            let w = want[field].as_str();
            if g.map(no_space) != w.map(no_space) {
                diffs.push(format!("indicator {i} {field}: got {g:?}, want {w:?}"));
            }
        };
        text("level1", got.level1.as_deref());
        text("level2", got.level2.as_deref());
        text("name", Some(&got.name));
        text("target", got.target.as_deref());
        text("actual", got.actual.as_deref());
        text("reason", got.reason.as_deref());
        for (field, g) in [("weight", got.weight), ("score", got.score)] {
            let w = dec(&want[field]);
            if g.map(|d| d.normalize()) != w.map(|d| d.normalize()) {
                diffs.push(format!("indicator {i} {field}: got {g:?}, want {w:?}"));
            }
        }
    }
    diffs
}

fn assert_reads_as(raw: &str, expected_file: &str) {
    let out = read(raw);
    let exp = expected(expected_file);
    let exps: Vec<Value> = match exp {
        Value::Array(a) => a,
        v => vec![v],
    };
    assert_eq!(out.forms.len(), exps.len(), "{raw}: number of forms");
    let mut all = Vec::new();
    for (n, (form, e)) in out.forms.iter().zip(&exps).enumerate() {
        for d in compare(&form.evaluation, e) {
            all.push(format!("form {n}: {d}"));
        }
    }
    assert!(
        all.is_empty(),
        "{raw} differs from {expected_file}:\n{}",
        all.join("\n")
    );
}

#[test]
fn seed_reads_exactly_as_transcribed() {
    assert_reads_as("songjiang-2023.tsv", "songjiang-2023.expected.json");
}

#[test]
fn yunnan_pipe_rows_read_as_transcribed() {
    assert_reads_as("published/02-raw.txt", "published/02-expected.json");
}

#[test]
fn sichuan_cell_per_line_reads_as_transcribed() {
    assert_reads_as("published/03-raw.txt", "published/03-expected.json");
}

#[test]
fn anhui_flattened_line_reads_as_transcribed() {
    assert_reads_as("published/07-raw.txt", "published/07-expected.json");
}
