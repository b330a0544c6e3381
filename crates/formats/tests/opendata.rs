//! Open data and print view: CSV, JSON Lines, datapackage.json and the HTML print view, checked
//! on the seed.

use jixiao_core::{Evaluation, Profile};
use jixiao_formats::{html, opendata, read_bytes};
use std::path::PathBuf;

fn seed() -> Vec<Evaluation> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/songjiang-2023.tsv");
    read_bytes(&std::fs::read(path).unwrap())
        .forms
        .into_iter()
        .map(|f| f.evaluation)
        .collect()
}

/// A minimal RFC 4180 parser, enough to check what we write.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    rows
}

fn csvs(forms: &[Evaluation]) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let profile = Profile::builtin("central-2020").unwrap();
    let (mut ind, mut frm) = (Vec::new(), Vec::new());
    let mut w = opendata::CsvWriter::new(&mut ind, &mut frm, &profile).unwrap();
    for ev in forms {
        w.push(ev).unwrap();
    }
    assert_eq!(w.finish().unwrap(), forms.len());
    (
        parse_csv(&String::from_utf8(ind).unwrap()),
        parse_csv(&String::from_utf8(frm).unwrap()),
    )
}

#[test]
fn indicator_csv_has_one_row_per_indicator_with_the_form_keys() {
    let forms = seed();
    let (ind, _) = csvs(&forms);
    let header: Vec<&str> = opendata::INDICATOR_FIELDS.iter().map(|f| f.0).collect();
    assert_eq!(ind[0], header);
    let total: usize = forms.iter().map(|f| f.indicators.len()).sum();
    assert_eq!(ind.len(), 1 + total);
    assert!(ind.iter().all(|r| r.len() == header.len()));
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let first = &ind[1];
    assert_eq!(first[col("form")], "1");
    assert_eq!(first[col("year")], "2023");
    assert_eq!(first[col("project")], "工伤鉴定");
    assert_eq!(first[col("name")], forms[0].indicators[0].name);
    // Printed text verbatim, decimals as plain numbers.
    assert_eq!(first[col("target")], "=3000件");
    assert_eq!(first[col("weight")], "8");
    // Reasons with commas survive quoting.
    let with_reason = ind
        .iter()
        .find(|r| r[col("reason")].contains('，'))
        .expect("a reason");
    assert!(!with_reason[col("reason")].is_empty());
    // The last form's rows carry form 3.
    assert_eq!(ind.last().unwrap()[col("form")], "3");
}

#[test]
fn forms_csv_has_one_row_per_form_with_money_in_yuan() {
    let forms = seed();
    let (_, frm) = csvs(&forms);
    let header: Vec<&str> = opendata::FORM_FIELDS.iter().map(|f| f.0).collect();
    assert_eq!(frm[0], header);
    assert_eq!(frm.len(), 4);
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(frm[1][col("money_unit")], "元");
    assert_eq!(frm[1][col("total_adjusted_yuan")], "501010.00");
    assert_eq!(frm[1][col("total_reported")], "94");
    assert_eq!(
        frm[1][col("indicators")],
        forms[0].indicators.len().to_string()
    );
    assert!(frm[1][col("profile")].starts_with("central-2020"));
    // 万元 amounts are converted exactly.
    let mut wan = forms[0].clone();
    wan.money_unit = Some("万元".into());
    wan.funds.total.adjusted = Some("620.82".parse().unwrap());
    let (_, frm) = csvs(&[wan]);
    assert_eq!(frm[1][col("total_adjusted_yuan")], "6208200.00");
}

#[test]
fn datapackage_describes_both_csvs() {
    let text = opendata::datapackage("seed.csv", "seed-forms.csv");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["profile"], "fiscal-data-package");
    let resources = v["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 2);
    assert_eq!(resources[0]["path"], "seed.csv");
    assert_eq!(resources[1]["path"], "seed-forms.csv");
    let names = |r: &serde_json::Value| -> Vec<String> {
        r["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (ind, frm) = csvs(&seed());
    assert_eq!(names(&resources[0]), ind[0]);
    assert_eq!(names(&resources[1]), frm[0]);
    // Every measure points at a numeric column of the forms CSV.
    for (_, m) in v["model"]["measures"].as_object().unwrap() {
        let source = m["source"].as_str().unwrap();
        let field = resources[1]["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == source)
            .unwrap();
        assert_eq!(field["type"], "number");
    }
}

#[test]
fn json_lines_hold_one_canonical_form_per_line() {
    let forms = seed();
    let mut out = Vec::new();
    opendata::write_jsonl(&mut out, &forms).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    for (line, ev) in lines.iter().zip(&forms) {
        let back: Evaluation = serde_json::from_str(line).unwrap();
        assert_eq!(&back, ev);
    }
}

#[test]
fn print_view_is_standalone_with_one_page_per_form() {
    let mut forms = seed();
    forms[1].indicators[0].name = "<script>alert('x')</script>".into();
    let page = html::print_view(&forms);
    assert_eq!(page.matches("<section class=\"page\"").count(), 3);
    assert!(page.contains("size: A4 landscape"));
    assert!(page.contains("page-break-after: always"));
    assert!(page.contains("Noto Sans CJK SC"));
    assert!(!page.contains("<script"), "hostile text must be escaped");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    for external in ["<link", " src=", "@import", "url(", "http://", "https://"] {
        assert!(!page.contains(external), "external resource: {external}");
    }
    // The indicator table spans its 一级 cells over their rows.
    assert!(page.contains("rowspan=\"7\">产出指标"), "{}", &page[..200]);
}
