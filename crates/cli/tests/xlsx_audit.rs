//! `jixiao convert` to every format, `check` on .xlsx, and `jixiao audit`, as a user runs them.

use serde_json::Value;
mod common;
use common::{run, scratch};
use std::path::Path;
use std::process::Output;

fn seed_path() -> String {
    common::seed_path().to_string_lossy().into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn check_json(input: &str) -> Vec<Value> {
    let o = run(&["check", "--format", "json", input]);
    match serde_json::from_slice::<Value>(&o.stdout) {
        Ok(Value::Array(items)) => items,
        other => panic!("{other:?} {}", stderr(&o)),
    }
}

#[test]
fn convert_to_xlsx_then_check_gives_the_same_scores() {
    let dir = scratch("to-xlsx");
    let xlsx = dir.join("seed.xlsx");
    let o = run(&["convert", &seed_path(), "-o", p(&xlsx)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK\x03\x04"));
    let from_text = check_json(&seed_path());
    let from_xlsx = check_json(p(&xlsx));
    assert_eq!(from_text.len(), 3);
    assert_eq!(from_xlsx.len(), 3);
    for (a, b) in from_text.iter().zip(&from_xlsx) {
        for key in [
            "year",
            "project",
            "funds",
            "reported",
            "computed",
            "indicators",
        ] {
            assert_eq!(a[key], b[key], "{key} differs");
        }
        assert_eq!(b["shape"], "xlsx");
    }
    // Locations point at cells.
    let loc = from_xlsx[0]["findings"][0]["location"].as_str().unwrap();
    assert!(loc.contains("seed.xlsx#表1 工伤鉴定!"), "{loc}");
    // Human output too.
    let o = run(&["check", p(&xlsx)]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("!H"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn convert_with_review_adds_scores_and_findings_and_still_reads_back() {
    let dir = scratch("review");
    let xlsx = dir.join("r.xlsx");
    let o = run(&[
        "convert",
        "--with-review",
        "--profile",
        "shanghai",
        &seed_path(),
        "-o",
        p(&xlsx),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let back = check_json(p(&xlsx));
    assert_eq!(back.len(), 3);
    assert_eq!(
        back[0]["indicators"],
        check_json(&seed_path())[0]["indicators"]
    );
}

#[test]
fn convert_to_html_csv_jsonl() {
    let dir = scratch("formats");
    for ext in ["html", "jsonl", "csv"] {
        let out = dir.join(format!("seed.{ext}"));
        let o = run(&["convert", &seed_path(), "-o", p(&out)]);
        assert_eq!(o.status.code(), Some(0), "{ext}: {}", stderr(&o));
    }
    let html = std::fs::read_to_string(dir.join("seed.html")).unwrap();
    assert_eq!(html.matches("class=\"page\"").count(), 3);
    let jsonl = std::fs::read_to_string(dir.join("seed.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), 3);
    // .csv writes three files.
    let ind = std::fs::read_to_string(dir.join("seed.csv")).unwrap();
    let forms = std::fs::read_to_string(dir.join("seed-forms.csv")).unwrap();
    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("datapackage.json")).unwrap())
            .unwrap();
    assert!(ind.starts_with("form,year,project"));
    assert_eq!(forms.lines().count(), 4);
    assert_eq!(package["resources"][0]["path"], "seed.csv");
    assert_eq!(package["resources"][1]["path"], "seed-forms.csv");
}

#[test]
fn audit_writes_a_report_from_text_and_xlsx_inputs() {
    let dir = scratch("audit");
    let inputs = dir.join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::copy(seed_path(), inputs.join("a.tsv")).unwrap();
    let o = run(&["convert", &seed_path(), "-o", p(&inputs.join("b.xlsx"))]);
    assert_eq!(o.status.code(), Some(0));
    let report = dir.join("report.html");
    let book = dir.join("report.xlsx");
    let o = run(&[
        "audit",
        p(&inputs),
        "-o",
        p(&report),
        "--xlsx",
        p(&book),
        "--jobs",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("6 张表"), "{}", stderr(&o));
    // stderr is not a terminal: no progress bar drawn.
    assert!(!stderr(&o).contains('\r'));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<div class=\"v\">6</div>"));
    assert!(html.contains("b.xlsx 表1 工伤鉴定!A1"), "xlsx places");
    assert!(std::fs::read(&book).unwrap().starts_with(b"PK\x03\x04"));
    // The xlsx report reads as a workbook with no form in it (and says so).
    let o = run(&["check", p(&book)]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn audit_of_nothing_readable_exits_2() {
    let dir = scratch("audit-bad");
    let bad = dir.join("bad.xlsx");
    std::fs::write(&bad, b"PK\x03\x04 broken").unwrap();
    let o = run(&["audit", p(&bad), "-o", p(&dir.join("r.html"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.xlsx"), "{}", stderr(&o));
}

#[test]
fn generated_forms_stacked_on_one_sheet_read_back_as_from_text() {
    let dir = scratch("stacked");
    let tsv = dir.join("c.tsv");
    let xlsx = dir.join("c.xlsx");
    assert_eq!(
        run(&["gen-corpus", "--forms", "150", "-o", p(&tsv)])
            .status
            .code(),
        Some(0)
    );
    let o = run(&["convert", "--one-sheet", p(&tsv), "-o", p(&xlsx)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a = check_json(p(&tsv));
    let b = check_json(p(&xlsx));
    assert_eq!(a.len(), 150);
    assert_eq!(b.len(), 150);
    for (x, y) in a.iter().zip(&b) {
        for key in [
            "year",
            "project",
            "funds",
            "reported",
            "computed",
            "indicators",
        ] {
            assert_eq!(x[key], y[key], "{key} differs for {}", x["project"]);
        }
    }
}
