//! Numbers at the end of `Decimal`'s range typed into a form (a weight, a score or an amount
//! of 79228162514264337593543950335, a budget of 10⁻²⁸): every command ends normally (exit 0
//! or 1, never 101 with "panicked" on stderr), and says the number is too large to compute
//! with instead of printing one.

mod common;
use common::{run, scratch, seed};
use std::path::{Path, PathBuf};
use std::process::Output;

const MAX: &str = "79228162514264337593543950335";
const TINY: &str = "0.0000000000000000000000000001";
const NOTE: &str = "数值过大，无法计算 (a number is too large to compute with)";

/// The seed form with the first `from` replaced by `to` (cells are separated by tabs).
fn seed_with(from: &str, to: &str) -> String {
    let seed = seed();
    assert!(seed.contains(from), "{from:?} is in the seed");
    seed.replacen(from, to, 1)
}

/// Every command on the file: it ends with exit code 0 or 1, no panic, and its output.
fn every_command(dir: &Path, file: &Path) -> Vec<(String, Output)> {
    let out = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let file = file.to_string_lossy().into_owned();
    let runs: Vec<Vec<String>> = vec![
        vec!["check".into()],
        vec!["check".into(), "--format".into(), "json".into()],
        vec!["show".into()],
        vec!["convert".into(), "-o".into(), out("out.json")],
        vec!["convert".into(), "-o".into(), out("out.xlsx")],
        vec![
            "convert".into(),
            "--with-review".into(),
            "-o".into(),
            out("review.xlsx"),
        ],
        vec!["convert".into(), "-o".into(), out("out.html")],
        vec!["convert".into(), "-o".into(), out("out.csv")],
        vec!["convert".into(), "-o".into(), out("out.jsonl")],
        vec![
            "audit".into(),
            "-o".into(),
            out("report.html"),
            "--xlsx".into(),
            out("report.xlsx"),
        ],
    ];
    let mut outputs = Vec::new();
    for mut args in runs {
        args.push(file.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "jixiao {args:?}: exit {:?}\n{stderr}",
            o.status.code()
        );
        assert!(!stderr.contains("panicked"), "jixiao {args:?}:\n{stderr}");
        outputs.push((args.join(" "), o));
    }
    outputs
}

fn stdout_of(outputs: &[(String, Output)], command: &str) -> String {
    let (_, o) = outputs
        .iter()
        .find(|(c, _)| c.starts_with(command))
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The first form of `check --format json`.
fn json_form(outputs: &[(String, Output)]) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_str(&stdout_of(outputs, "check --format json")).unwrap();
    v[0].clone()
}

#[test]
fn a_proportional_score_too_large_is_not_computed() {
    // Target ≥ MAX, actual 10²⁸, weight 8: W × A = 8 × 10²⁸ does not fit.
    let dir = scratch("overflow-proportional");
    let file = dir.join("form.tsv");
    let big = format!("≥{MAX}件\t10000000000000000000000000000件\t8\t8");
    std::fs::write(&file, seed_with("=13000件\t14321件\t8\t8", &big)).unwrap();
    let outputs = every_command(&dir, &file);
    let form = json_form(&outputs);
    let ind = &form["indicators"][1];
    assert_eq!(ind["name"], "工伤鉴定认定邮寄数");
    assert!(ind["computed_score"].is_null(), "{ind}");
    // The printed score stands in for it: the form still has a total and a grade.
    assert!(
        form["computed"]["total"].is_number(),
        "{}",
        form["computed"]
    );
    assert!(stdout_of(&outputs, "show").contains("工伤鉴定认定邮寄数"));
}

#[test]
fn an_execution_rate_too_large_for_a_percent_is_shown_as_missing() {
    // Budget 1, executed MAX: the rate is MAX, its percent (× 100) does not fit.
    let dir = scratch("overflow-rate");
    let file = dir.join("form.tsv");
    let row = format!("1\t1\t{MAX}\t10\t\t10");
    std::fs::write(
        &file,
        seed_with("507,500.00\t501,010.00\t501,010\t10\t100.00%\t10", &row),
    )
    .unwrap();
    let outputs = every_command(&dir, &file);
    let form = json_form(&outputs);
    assert!(
        form["computed"]["budget_score"].is_null(),
        "{}",
        form["computed"]
    );
    assert!(form["computed"]["total"].is_null(), "{}", form["computed"]);
    assert!(form.to_string().contains(NOTE), "{form}");
    let show = stdout_of(&outputs, "show");
    assert!(show.contains("计算 computed —"), "{show}");
    assert!(show.contains(NOTE), "{show}");
    // The open-data row of the form is written, its rate blank like any rate not computed.
    let csv = std::fs::read_to_string(dir.join("out-forms.csv")).unwrap();
    assert!(csv.contains("工伤鉴定"), "{csv}");
}

/// The reproductions of the bug report: a weight, a printed score or the budget weight of MAX,
/// a budget of 10⁻²⁸ against an execution of MAX.
fn reproductions(dir: &Path) -> Vec<PathBuf> {
    let cases = [
        (
            "=13000件\t14321件\t8\t8",
            format!("=13000件\t14321件\t{MAX}\t8"),
        ),
        ("14321件\t8\t8", format!("14321件\t8\t{MAX}")),
        (
            "507,500.00\t501,010.00\t501,010",
            format!("{TINY}\t{MAX}\t{MAX}"),
        ),
        (
            "507,500.00\t501,010.00\t501,010\t10",
            format!("507500\t501010\t501010\t{MAX}"),
        ),
    ];
    cases
        .iter()
        .enumerate()
        .map(|(i, (from, to))| {
            let file = dir.join(format!("np{}.tsv", i + 1));
            std::fs::write(&file, seed_with(from, to)).unwrap();
            file
        })
        .collect()
}

#[test]
fn the_reproductions_end_normally() {
    let dir = scratch("overflow-reproductions");
    for file in reproductions(&dir) {
        let outputs = every_command(&dir, &file);
        assert_eq!(
            json_form(&outputs)["project"],
            "工伤鉴定",
            "{}",
            file.display()
        );
    }
}

#[test]
fn an_audit_whose_money_does_not_add_up_leaves_it_out_and_says_so() {
    // Two forms executing MAX each: their sum does not fit a Decimal.
    let dir = scratch("overflow-audit-sum");
    let form = seed_with(
        "507,500.00\t501,010.00\t501,010\t10\t100.00%\t10",
        &format!("1\t1\t{MAX}\t10\t\t10"),
    );
    let (a, b) = (dir.join("a.tsv"), dir.join("b.tsv"));
    std::fs::write(&a, &form).unwrap();
    std::fs::write(&b, &form).unwrap();
    let report = dir.join("report.html");
    let o = run(&[
        "audit",
        "--jobs",
        "1",
        "-o",
        report.to_str().unwrap(),
        "--xlsx",
        dir.join("report.xlsx").to_str().unwrap(),
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let html = std::fs::read_to_string(report).unwrap();
    assert!(
        html.contains("金额过大无法合计"),
        "the report says money was left out"
    );
}
