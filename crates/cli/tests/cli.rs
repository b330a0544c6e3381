//! The `jixiao` binary as a user runs it: exit codes, the JSON contract, stdin, folders,
//! convert round trips, compiler-style diagnostics.

use serde_json::Value;
use std::io::Write;
mod common;
use common::{run, scratch, seed, seed_path, BIN};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json(o: &Output) -> Vec<Value> {
    match serde_json::from_slice::<Value>(&o.stdout) {
        Ok(Value::Array(items)) => items,
        other => panic!("not a JSON array: {other:?}\n{}", stdout(o)),
    }
}

fn codes(form: &Value) -> Vec<String> {
    form["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn help_is_chinese_with_english_for_every_command() {
    for args in [
        &["--help"][..],
        &["check", "--help"],
        &["show", "--help"],
        &["convert", "--help"],
        &["gen-corpus", "--help"],
    ] {
        let o = run(args);
        assert!(o.status.success(), "{args:?}");
        let text = stdout(&o);
        assert!(text.contains("用法 (Usage)"), "{args:?}: {text}");
        assert!(text.contains("显示帮助 (print help)"), "{args:?}: {text}");
    }
    let text = stdout(&run(&["check", "--help"]));
    for word in ["--format", "--profile", "标准输入", "stdin", "central-2020"] {
        assert!(text.contains(word), "check --help lacks {word}");
    }
}

#[test]
fn seed_json_has_the_contract_keys() {
    let path = seed_path();
    let o = run(&["check", "--format", "json", path.to_str().unwrap()]);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{}",
        stderr(&o)
    );
    let forms = json(&o);
    assert_eq!(forms.len(), 3);
    let projects: Vec<&str> = forms
        .iter()
        .map(|f| f["project"].as_str().unwrap())
        .collect();
    assert_eq!(projects, ["工伤鉴定", "网络信息系统运行与维护", "业务培训"]);
    for (i, form) in forms.iter().enumerate() {
        assert_eq!(form["form_index"], i);
        for key in [
            "source",
            "form_index",
            "year",
            "project",
            "department",
            "unit",
            "money_unit",
            "profile",
            "funds",
            "reported",
            "computed",
            "indicators",
            "findings",
        ] {
            assert!(form.get(key).is_some(), "form {i} lacks {key}");
        }
        assert_eq!(form["profile"], "central-2020");
        for row in ["total", "appropriation", "carryover", "other"] {
            for amount in ["initial", "adjusted", "executed"] {
                assert!(
                    form["funds"][row].get(amount).is_some(),
                    "funds.{row}.{amount}"
                );
            }
        }
        for key in ["execution_rate", "budget_score", "total", "grade"] {
            assert!(form["reported"].get(key).is_some(), "reported.{key}");
        }
        for key in [
            "execution_rate",
            "budget_score",
            "indicator_score",
            "total",
            "grade",
        ] {
            assert!(form["computed"].get(key).is_some(), "computed.{key}");
        }
        for ind in form["indicators"].as_array().unwrap() {
            for key in [
                "level1",
                "level2",
                "name",
                "target",
                "actual",
                "weight",
                "reported_score",
                "computed_score",
                "reason",
            ] {
                assert!(ind.get(key).is_some(), "indicator lacks {key}");
            }
        }
        for f in form["findings"].as_array().unwrap() {
            for key in ["code", "severity", "message", "indicator", "location"] {
                assert!(f.get(key).is_some(), "finding lacks {key}");
            }
            assert!(["error", "warning", "info"].contains(&f["severity"].as_str().unwrap()));
            if let Some(loc) = f["location"].as_str() {
                let parts: Vec<&str> = loc.rsplitn(3, ':').collect();
                assert_eq!(parts.len(), 3, "{loc}");
                assert!(parts[2].ends_with("songjiang-2023.tsv"), "{loc}");
                assert!(
                    parts[0].parse::<u32>().is_ok() && parts[1].parse::<u32>().is_ok(),
                    "{loc}"
                );
            }
        }
    }
    // The first form as printed: 100.00% executed, reported total 94.
    assert_eq!(forms[0]["reported"]["total"], 94);
    // Exact decimals as JSON numbers, as printed (serde_json's Value would go through f64).
    let raw = stdout(&o);
    assert!(raw.contains("\"execution_rate\":100.00,"), "{raw}");
    assert!(raw.contains("\"initial\":507500.00,"), "{raw}");
    // Real findings of the seed (RULES.md §5).
    let first = codes(&forms[0]);
    assert!(first.contains(&"OVERACHIEVED".to_string()), "{first:?}");
    assert!(first.contains(&"MET_BUT_DEDUCTED".to_string()), "{first:?}");
}

#[test]
fn human_output_points_at_the_cell() {
    let path = seed_path();
    let o = run(&["check", path.to_str().unwrap()]);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("warning[MET_BUT_DEDUCTED]: "))
        .unwrap_or_else(|| panic!("no MET_BUT_DEDUCTED in\n{text}"));
    let arrow = lines[at + 1].trim_start();
    assert!(arrow.starts_with("--> "), "{arrow}");
    assert!(arrow.contains("songjiang-2023.tsv:"), "{arrow}");
    // The source line, then a caret line under it.
    let line_no: u32 = arrow.rsplit(':').nth(1).unwrap().parse().unwrap();
    assert!(
        lines[at + 3].starts_with(&format!("{line_no} | ")),
        "{}",
        lines[at + 3]
    );
    assert!(lines[at + 4].trim_end().ends_with('^'), "{}", lines[at + 4]);
    assert!(lines[at + 5..at + 9].iter().any(|l| l.contains("= note: ")));
    assert!(text.contains("自报总分 94"), "{text}");
    assert!(text.contains("总计 检查了 1 个输入、3 张表"), "{text}");
}

#[test]
fn exit_codes_zero_one_two() {
    let dir = scratch("exit-codes");
    // 0: a form whose only findings are warnings and infos (the seed).
    let seed_file = seed_path();
    let o = run(&["check", seed_file.to_str().unwrap()]);
    let errors_in_seed = stdout(&o).lines().any(|l| l.starts_with("error["));
    assert_eq!(o.status.code(), Some(if errors_in_seed { 1 } else { 0 }));

    // 1: the printed total no longer matches the scores (TOTAL_MISMATCH is an error).
    let broken = seed().replacen("100\t94", "100\t95", 1);
    let file = dir.join("broken.tsv");
    std::fs::write(&file, broken).unwrap();
    let o = run(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("error[TOTAL_MISMATCH]"),
        "{}",
        stdout(&o)
    );

    // 2: a missing file, with a message naming it; the other input is still checked.
    let o = run(&[
        "check",
        "--format",
        "json",
        "no/such/file.tsv",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/file.tsv"), "{}", stderr(&o));
    assert!(stderr(&o).contains("无法打开"), "{}", stderr(&o));
    assert_eq!(json(&o).len(), 3);

    // 2: nothing recognisable.
    let junk = dir.join("junk.txt");
    std::fs::write(&junk, "just some notes\nnothing here\n").unwrap();
    let o = run(&["check", junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("没有可识别的绩效自评表"),
        "{}",
        stderr(&o)
    );

    // 2: a bad profile.
    let o = run(&[
        "check",
        "--profile",
        "atlantis",
        seed_file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("atlantis") && stderr(&o).contains("central-2020"));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let o = run_stdin(&["check", "--format", "json", "-"], seed().as_bytes());
    let forms = json(&o);
    assert_eq!(forms.len(), 3);
    assert_eq!(forms[0]["source"], "<stdin>");
    // GB18030 on stdin reads the same.
    let seed = seed();
    let (gb, _, _) = encoding_rs::GB18030.encode(&seed);
    let o = run_stdin(&["check", "--format", "json", "-"], &gb);
    let gb_forms = json(&o);
    assert_eq!(gb_forms.len(), 3);
    assert_eq!(gb_forms[0]["encoding"], "GB18030");
    assert_eq!(gb_forms[0]["computed"], forms[0]["computed"]);
}

#[test]
fn folders_are_recursed_in_order_skipping_unsupported_files() {
    let dir = scratch("folder");
    std::fs::create_dir_all(dir.join("b/deeper")).unwrap();
    std::fs::write(dir.join("b/deeper/z.tsv"), seed()).unwrap();
    std::fs::write(dir.join("a.tsv"), seed()).unwrap();
    std::fs::write(dir.join("report.xls"), b"\xD0\xCF\x11\xE0 not really").unwrap();
    std::fs::write(dir.join(".hidden.tsv"), seed()).unwrap();
    let o = run(&["check", "--format", "json", dir.to_str().unwrap()]);
    assert!(o.status.code() != Some(2), "{}", stderr(&o));
    let forms = json(&o);
    assert_eq!(forms.len(), 6);
    let sources: Vec<String> = forms
        .iter()
        .map(|f| f["source"].as_str().unwrap().to_string())
        .collect();
    assert!(sources[0].ends_with("a.tsv"), "{sources:?}");
    assert!(sources[5].ends_with("z.tsv"), "{sources:?}");
    assert!(stderr(&o).contains("report.xls"), "{}", stderr(&o));
    assert!(!sources.iter().any(|s| s.contains(".hidden")));
}

#[test]
fn convert_to_json_round_trips_through_check() {
    let dir = scratch("convert");
    let out = dir.join("seed.json");
    let seed_file = seed_path();
    let o = run(&[
        "convert",
        seed_file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let canonical: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(canonical["format"], "jixiao-evaluation/1");

    let from_text = json(&run(&[
        "check",
        "--format",
        "json",
        seed_file.to_str().unwrap(),
    ]));
    let from_json = json(&run(&["check", "--format", "json", out.to_str().unwrap()]));
    assert_eq!(from_text.len(), from_json.len());
    for (a, b) in from_text.iter().zip(&from_json) {
        for key in [
            "year",
            "project",
            "funds",
            "reported",
            "computed",
            "indicators",
        ] {
            assert_eq!(a[key], b[key], "{key} differs after convert");
        }
        assert_eq!(b["shape"], "json");
        // Reading diagnostics belong to the text; the engine's findings are the same.
        let engine = |f: &Value| {
            let mut c: Vec<String> = codes(f)
                .into_iter()
                .filter(|c| !c.starts_with("READ_"))
                .collect();
            c.sort();
            c
        };
        assert_eq!(engine(a), engine(b));
    }
    // Converting the JSON again gives the same document.
    let again = dir.join("again.json");
    run(&[
        "convert",
        out.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn convert_refuses_unsupported_formats_clearly() {
    let seed_file = seed_path();
    let o = run(&["convert", seed_file.to_str().unwrap(), "-o", "/tmp/x.pdf"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains(".pdf") && err.contains(".json"), "{err}");
}

#[test]
fn show_prints_the_scorecard() {
    let seed_file = seed_path();
    let o = run(&["show", "--profile", "shanghai", seed_file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("规则 (profile): shanghai"), "{text}");
    assert!(text.contains("工伤鉴定认定准确送达率"), "{text}");
    assert!(text.contains("总分 (total): 自报 reported 94"), "{text}");
    assert!(text.contains("依据 why"), "{text}");
}

#[test]
fn profile_from_a_toml_file() {
    let toml = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/profiles/yunnan-20.toml");
    let seed_file = seed_path();
    let o = run(&[
        "check",
        "--format",
        "json",
        "--profile",
        toml.to_str().unwrap(),
        seed_file.to_str().unwrap(),
    ]);
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(json(&o)[0]["profile"], "yunnan-20");
    let bad = scratch("bad-profile").join("bad.toml");
    std::fs::write(&bad, "name = 3\n").unwrap();
    let o = run(&[
        "check",
        "--profile",
        bad.to_str().unwrap(),
        seed_file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.toml"), "{}", stderr(&o));
}

#[test]
fn generated_corpus_is_checked_across_chunks_with_true_line_numbers() {
    let dir = scratch("corpus");
    let file = dir.join("corpus.tsv");
    // About 2 MB: more than one chunk.
    let o = run(&[
        "gen-corpus",
        "--forms",
        "1500",
        "--seed",
        "7",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.len() > 2 * (1 << 20) - 200_000, "{}", text.len());
    let lines: Vec<&str> = text.lines().collect();
    let o = run(&["check", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the corpus carries deliberate errors"
    );
    let forms = json(&o);
    assert_eq!(forms.len(), 1500);
    let mut checked = 0;
    for (i, form) in forms.iter().enumerate() {
        assert_eq!(form["form_index"], i);
        for f in form["findings"].as_array().unwrap() {
            if f["code"] == "TOTAL_MISMATCH" {
                let loc = f["location"].as_str().unwrap();
                let line: usize = loc.rsplit(':').nth(1).unwrap().parse().unwrap();
                assert!(
                    lines[line - 1].starts_with("总分"),
                    "{loc}: {}",
                    lines[line - 1]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 10, "only {checked} total mismatches seen");
}

#[test]
fn a_closed_pipe_stops_quietly() {
    use std::io::Read;
    let dir = scratch("pipe");
    let file = dir.join("corpus.tsv");
    run(&[
        "gen-corpus",
        "--forms",
        "3000",
        "-o",
        file.to_str().unwrap(),
    ]);
    let mut child = Command::new(BIN)
        .args(["check", "--format", "json", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(141));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}
