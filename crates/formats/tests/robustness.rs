//! Readers never fail and never guess: whatever bytes come in, `read_bytes` returns (no
//! panic, bounded work), every diagnostic is located and written in both languages, every
//! number it presents as read is printed in the input, and reading twice gives the same.
//!
//! Three families: proptest over arbitrary bytes and form-like text; mutations of the real
//! fixtures (lines deleted, text cut, cells swapped, rows duplicated, junk inserted); and
//! hostile inputs, each with the outcome a user should see. Numbers at the ends of
//! `Decimal`'s range in any cell are read, scored and reviewed without a panic
//! (rust_decimal's operators panic on overflow).

use jixiao_core::{assess, Evaluation, Finding, Profile, BUILTIN_PROFILES};
use jixiao_formats::{read_bytes, ReadOutcome};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::str::FromStr;

// ------------------------------------------------------------------ helpers

fn fixture_text(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name);
    std::fs::read_to_string(path).expect("fixture present")
}

const FIXTURES: [&str; 4] = [
    "songjiang-2023.tsv",
    "published/02-raw.txt",
    "published/03-raw.txt",
    "published/07-raw.txt",
];

fn seed() -> String {
    fixture_text("songjiang-2023.tsv")
}

/// Every number printed in `text`, as the reader could take it: maximal runs of digits,
/// `.`, `,`/`，` and a leading `-`, thousands separators removed, normalised.
fn printed_numbers(text: &str) -> BTreeSet<Decimal> {
    let mut out = BTreeSet::new();
    let mut run = String::new();
    let mut flush = |run: &mut String| {
        let cleaned: String = run.chars().filter(|c| *c != ',' && *c != '，').collect();
        // A run can hold several numbers only when separated by characters outside the class,
        // so the whole run is what a cell would hold; also try without a leading minus.
        for candidate in [cleaned.as_str(), cleaned.trim_start_matches('-')] {
            if let Ok(d) = Decimal::from_str(candidate) {
                out.insert(d.normalize());
            }
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || matches!(c, '.' | ',' | '，' | '-') {
            run.push(c);
        } else {
            flush(&mut run);
        }
    }
    flush(&mut run);
    out
}

/// The numbers a form presents as read, with where they come from.
fn numbers_read(ev: &Evaluation) -> Vec<(String, Decimal)> {
    let mut out = Vec::new();
    for (i, ind) in ev.indicators.iter().enumerate() {
        if let Some(w) = ind.weight {
            out.push((format!("indicator {i} weight"), w));
        }
        if let Some(s) = ind.score {
            out.push((format!("indicator {i} score"), s));
        }
    }
    if let Some(w) = ev.total_weight {
        out.push(("total weight".into(), w));
    }
    if let Some(s) = ev.total_score {
        out.push(("total score".into(), s.value));
    }
    if let Some(w) = ev.funds.weight {
        out.push(("funds weight".into(), w));
    }
    if let Some(s) = ev.funds.score {
        out.push(("funds score".into(), s.value));
    }
    out
}

/// Amounts may be converted between 元 and 万元 (`1.5万元` in a 元 form reads as 15000).
fn amounts_read(ev: &Evaluation) -> Vec<(String, Decimal)> {
    let f = &ev.funds;
    let mut rows: Vec<(String, &jixiao_core::FundRow)> = vec![
        ("total".into(), &f.total),
        ("appropriation".into(), &f.appropriation),
        ("carryover".into(), &f.carryover),
        ("other".into(), &f.other),
    ];
    for (label, row) in &f.extra {
        rows.push((label.clone(), row));
    }
    let mut out = Vec::new();
    for (name, row) in rows {
        for (col, v) in [
            ("initial", row.initial),
            ("adjusted", row.adjusted),
            ("executed", row.executed),
        ] {
            if let Some(v) = v {
                out.push((format!("funds {name} {col}"), v));
            }
        }
    }
    out
}

/// Remove what carriers strip between cells, so that read text can be found in the input.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '|')
        .collect()
}

fn check_diagnostic(d: &Finding, text: &str, form_level: bool) -> Result<(), String> {
    if !d.code.starts_with("READ_") {
        return Err(format!("diagnostic code {} is not a READ_ code", d.code));
    }
    if !d
        .message
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    {
        return Err(format!(
            "{}: Chinese message missing: {:?}",
            d.code, d.message
        ));
    }
    if !d.message_en.chars().any(|c| c.is_ascii_alphabetic()) {
        return Err(format!(
            "{}: English message missing: {:?}",
            d.code, d.message_en
        ));
    }
    // Only the encoding note is about the input as a whole; everything a form says is
    // about a place in it.
    let about_whole_input = d.code == "READ_ENCODING";
    match &d.location {
        None if form_level || !about_whole_input => {
            return Err(format!("{} has no location: {}", d.code, d.message_en))
        }
        None => {}
        Some(loc) => {
            let lines: Vec<&str> = text.split('\n').collect();
            let line = lines
                .get(loc.line.wrapping_sub(1) as usize)
                .ok_or_else(|| {
                    format!("{} points at line {} of {}", d.code, loc.line, lines.len())
                })?;
            let width = line.chars().count() as u32 + 1;
            if loc.column == 0 || loc.column > width {
                return Err(format!(
                    "{} points at column {} of a line of {} characters",
                    d.code,
                    loc.column,
                    width - 1
                ));
            }
        }
    }
    Ok(())
}

/// The invariants every outcome must meet, given the text the reader worked on.
fn check_outcome(out: &ReadOutcome, text: &str) -> Result<(), String> {
    for d in &out.diagnostics {
        check_diagnostic(d, text, false)?;
    }
    let printed = printed_numbers(text);
    let squeezed = squeeze(text);
    let check_texts = true;
    for form in &out.forms {
        for d in &form.diagnostics {
            check_diagnostic(d, text, true)?;
        }
        let ev = &form.evaluation;
        for (what, v) in numbers_read(ev) {
            if !printed.contains(&v.normalize()) {
                return Err(format!("{what} = {v} is not printed in the input"));
            }
        }
        let ten_thousand = Decimal::from(10_000);
        for (what, v) in amounts_read(ev) {
            let candidates = [v, v / ten_thousand, v * ten_thousand];
            if !candidates.iter().any(|c| printed.contains(&c.normalize())) {
                return Err(format!("{what} = {v} is not printed in the input"));
            }
        }
        if !check_texts {
            continue;
        }
        // Rate and grade are single cells: printed as read.
        for (what, value) in [
            ("rate", ev.funds.rate_printed.as_deref()),
            ("grade", ev.grade.as_deref()),
        ] {
            if let Some(v) = value {
                if !squeezed.contains(&squeeze(v)) {
                    return Err(format!("{what} {v:?} is not printed in the input"));
                }
            }
        }
        // A header value of flattened text runs over every cell up to the next label it
        // knows (skipping 分值/得分): its characters are printed in that order.
        for (what, value) in [
            ("project", ev.project.as_deref()),
            ("department", ev.department.as_deref()),
            ("unit", ev.unit.as_deref()),
        ] {
            if let Some(v) = value {
                if !in_order(&squeezed, v) {
                    return Err(format!("{what} {v:?} is not printed in the input"));
                }
            }
        }
        for (i, ind) in ev.indicators.iter().enumerate() {
            if !squeezed.contains(&squeeze(&ind.name)) {
                return Err(format!(
                    "indicator {i} name {:?} is not printed in the input",
                    ind.name
                ));
            }
            // Target, actual and reason may run over several cells and continuation rows
            // (wrapped by the PDF): their characters are printed in that order, though not
            // necessarily side by side.
            for (what, value) in [
                ("target", &ind.target),
                ("actual", &ind.actual),
                ("reason", &ind.reason),
            ] {
                if let Some(v) = value {
                    if !in_order(&squeezed, v) {
                        return Err(format!(
                            "indicator {i} {what} {v:?} is not printed in the input"
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The characters of `value` appear in `squeezed` in the same order (not necessarily side by
/// side): true of a value joined from several cells.
fn in_order(squeezed: &str, value: &str) -> bool {
    let mut rest = squeezed.chars();
    squeeze(value).chars().all(|c| rest.any(|s| s == c))
}

/// Everything a user can see of an outcome, for comparing two readings.
fn fingerprint(out: &ReadOutcome) -> String {
    format!(
        "{:?}|{}|{:?}|{:?}",
        out.shape,
        out.encoding,
        out.diagnostics,
        out.forms
            .iter()
            .map(|f| (&f.evaluation, &f.diagnostics))
            .collect::<Vec<_>>()
    )
}

/// Read `text` twice: the invariants hold and both readings agree.
fn read_checked(text: &str) -> Result<ReadOutcome, String> {
    let out = read_bytes(text.as_bytes());
    check_outcome(&out, text)?;
    let again = read_bytes(text.as_bytes());
    if fingerprint(&out) != fingerprint(&again) {
        return Err("reading the same input twice gave different results".into());
    }
    Ok(out)
}

fn prop(result: Result<ReadOutcome, String>) -> Result<ReadOutcome, TestCaseError> {
    result.map_err(TestCaseError::fail)
}

fn has_code(out: &ReadOutcome, code: &str) -> bool {
    out.diagnostics.iter().any(|d| d.code == code)
        || out
            .forms
            .iter()
            .any(|f| f.diagnostics.iter().any(|d| d.code == code))
}

fn all_codes(out: &ReadOutcome) -> Vec<String> {
    out.diagnostics
        .iter()
        .chain(out.forms.iter().flat_map(|f| f.diagnostics.iter()))
        .map(|d| d.code.to_string())
        .collect()
}

// ------------------------------------------------------------------ strategies

const WORDS: &[&str] = &[
    "项目名称",
    "主管部门",
    "实施单位",
    "项目资金 (元)",
    "项目资金(万元)",
    "年初预算数",
    "全年预算数",
    "全年执行数",
    "执行率",
    "年度资金总额",
    "其中：当年财政拨款",
    "上年结转资金",
    "其他资金",
    "年度总体目标",
    "预期目标",
    "实际完成情况",
    "绩效指标",
    "绩效指",
    "标",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "权重",
    "偏差原因分析及改进措施",
    "产出指标",
    "产出指标(50分)",
    "效益指标",
    "满意度指标",
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "社会效益指标",
    "服务对象满意度指标",
    "经济效益",
    "指标",
    "总分",
    "合计",
    "指标性质",
    "指标值",
    "度量单位",
    "完成值",
    "未完成原因分析",
    "财政项目支出绩效自评表",
    "(2023 年度)",
    "及时",
    "有效",
    "件",
    "人次",
    "元",
    "万元",
    "优",
    "良",
    "群众满意度",
    "—",
    "/",
    "100.00%",
    "507,500.00",
    "620.82万元",
];

const SYMBOLS: &[&str] = &[
    "\t", "\t", "\t", "|", "|", "\n", "\n", "\r\n", " ", " ", "0", "1", "5", "8", "9", "10", "100",
    ".", ",", "%", "≥", "≧", "=", "═", "≤", ">=", "-",
];

fn form_token() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(SYMBOLS).prop_map(str::to_string),
        2 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => "[0-9]{1,6}(\\.[0-9]{1,2})?",
    ]
}

/// Text made of the form's alphabet in any order.
fn form_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(form_token(), 0..300).prop_map(|v| v.concat())
}

/// Rows of cells joined by one separator: more often recognised as a form, so the
/// recogniser's deeper paths run.
fn form_rows() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        3 => proptest::sample::select(WORDS).prop_map(str::to_string),
        2 => "[0-9]{1,6}(\\.[0-9]{1,2})?%?",
        1 => Just(String::new()),
        1 => proptest::sample::select(&["=3000件", ">=95%", "≧", "及时", "4023件", "8", "7"][..])
            .prop_map(str::to_string),
    ];
    let row = prop::collection::vec(cell, 1..10);
    (
        prop::collection::vec(row, 1..40),
        proptest::sample::select(&["\t", " | ", "\n", " "][..]),
    )
        .prop_map(|(rows, sep)| {
            rows.iter()
                .map(|r| {
                    let joined = r.join(sep);
                    if sep == " | " {
                        format!("| {joined} |")
                    } else {
                        joined
                    }
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
}

// ------------------------------------------------------------------ proptest: any input

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_and_never_invent(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let out = read_bytes(&bytes);
        // The numbers must be in the text the reader decoded.
        let decoded = jixiao_formats::decode::decode(&bytes);
        prop(check_outcome(&out, &decoded.text).map(|_| out.clone()))?;
        prop_assert_eq!(fingerprint(&out), fingerprint(&read_bytes(&bytes)));
    }

    #[test]
    fn form_alphabet_soup_never_panics_and_never_invents(text in form_soup()) {
        prop(read_checked(&text))?;
    }

    #[test]
    fn form_like_rows_never_panic_and_never_invent(text in form_rows()) {
        prop(read_checked(&text))?;
    }

    #[test]
    fn read_text_on_any_string_never_panics(text in "\\PC{0,400}") {
        let out = jixiao_formats::text::read_text(&text);
        prop(check_outcome(&out, &text).map(|_| out))?;
    }
}

// ------------------------------------------------------------------ mutations of the fixtures

/// The separator between cells of each fixture's shape.
fn cell_separator(name: &str) -> char {
    match name {
        "songjiang-2023.tsv" => '\t',
        "published/02-raw.txt" => '|',
        "published/03-raw.txt" => '\n',
        _ => ' ',
    }
}

fn char_boundary_at(text: &str, fraction: f64) -> usize {
    let mut at = ((text.len() as f64) * fraction) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn deleting_a_line_never_panics(f in 0..FIXTURES.len(), pick in 0.0..1.0f64) {
        let text = fixture_text(FIXTURES[f]);
        let mut lines: Vec<&str> = text.split('\n').collect();
        let i = ((lines.len() as f64) * pick) as usize % lines.len();
        lines.remove(i);
        prop(read_checked(&lines.join("\n")))?;
    }

    #[test]
    fn swapping_two_cells_never_panics(f in 0..FIXTURES.len(), a in 0.0..1.0f64, b in 0.0..1.0f64) {
        let text = fixture_text(FIXTURES[f]);
        let sep = cell_separator(FIXTURES[f]);
        let mut cells: Vec<&str> = text.split(sep).collect();
        let n = cells.len();
        cells.swap(((n as f64) * a) as usize % n, ((n as f64) * b) as usize % n);
        prop(read_checked(&cells.join(&sep.to_string())))?;
    }

    #[test]
    fn duplicating_a_row_never_panics(f in 0..FIXTURES.len(), pick in 0.0..1.0f64) {
        let text = fixture_text(FIXTURES[f]);
        let mut lines: Vec<&str> = text.split('\n').collect();
        let i = ((lines.len() as f64) * pick) as usize % lines.len();
        lines.insert(i, lines[i]);
        prop(read_checked(&lines.join("\n")))?;
    }

    #[test]
    fn inserting_junk_lines_never_panics(
        f in 0..FIXTURES.len(),
        pick in 0.0..1.0f64,
        junk in prop::collection::vec(prop_oneof![form_soup(), "\\PC{0,80}"], 1..4),
    ) {
        let text = fixture_text(FIXTURES[f]);
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let i = ((lines.len() as f64) * pick) as usize % (lines.len() + 1);
        for j in junk {
            lines.insert(i, j);
        }
        prop(read_checked(&lines.join("\n")))?;
    }

    #[test]
    fn cutting_the_text_never_panics(f in 0..FIXTURES.len(), at in 0.0..1.0f64) {
        let text = fixture_text(FIXTURES[f]);
        let cut = &text[..char_boundary_at(&text, at)];
        prop(read_checked(cut))?;
    }
}

/// The values of a reading by a stable key, as printed (white space removed).
fn values(out: &ReadOutcome) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for (n, form) in out.forms.iter().enumerate() {
        let ev = &form.evaluation;
        let mut put = |k: String, val: Option<String>| {
            if let Some(val) = val {
                v.push((format!("form {n} {k}"), squeeze(&val)));
            }
        };
        put("project".into(), ev.project.clone());
        put("department".into(), ev.department.clone());
        put("unit".into(), ev.unit.clone());
        put("money unit".into(), ev.money_unit.clone());
        put("rate".into(), ev.funds.rate_printed.clone());
        put("goal expected".into(), ev.goal_expected.clone());
        put("goal actual".into(), ev.goal_actual.clone());
        for (k, d) in numbers_read(ev).into_iter().chain(amounts_read(ev)) {
            put(k, Some(d.to_string()));
        }
        for (i, ind) in ev.indicators.iter().enumerate() {
            put(format!("indicator {i} name"), Some(ind.name.to_string()));
            put(
                format!("indicator {i} level1"),
                ind.level1.as_deref().map(str::to_owned),
            );
            put(
                format!("indicator {i} level2"),
                ind.level2.as_deref().map(str::to_owned),
            );
            put(
                format!("indicator {i} target"),
                ind.target.as_deref().map(str::to_owned),
            );
            put(
                format!("indicator {i} actual"),
                ind.actual.as_deref().map(str::to_owned),
            );
            put(
                format!("indicator {i} reason"),
                ind.reason.as_deref().map(str::to_owned),
            );
        }
    }
    v
}

/// Compare the reading of a cut text with the reading of the whole: a value read from both
/// is the same, except that the very cell the cut went through may be shortened (the reader
/// cannot know that the last characters of an input are missing), so a value of the cut
/// reading may be a prefix of the full one.
fn cut_differences(full: &ReadOutcome, cut: &ReadOutcome) -> Vec<String> {
    let whole: std::collections::BTreeMap<String, String> = values(full).into_iter().collect();
    let mut diffs = Vec::new();
    for (k, v) in values(cut) {
        if let Some(w) = whole.get(&k) {
            if w != &v && !w.starts_with(&v) {
                diffs.push(format!("{k}: whole text reads {w:?}, cut text reads {v:?}"));
            }
        }
    }
    diffs
}

/// Move a cut back to just after a cell separator of the fixture's shape (or a line end), so
/// that the last cell of the cut text is whole.
fn cell_boundary_at(text: &str, fraction: f64, sep: char) -> usize {
    let at = char_boundary_at(text, fraction);
    text[..at].rfind([sep, '\n']).map(|i| i + 1).unwrap_or(0)
}

fn cut_property(f: usize, at: f64) -> Result<(), TestCaseError> {
    let text = fixture_text(FIXTURES[f]);
    let cut = &text[..cell_boundary_at(&text, at, cell_separator(FIXTURES[f]))];
    let full = read_bytes(text.as_bytes());
    let part = read_bytes(cut.as_bytes());
    let diffs = cut_differences(&full, &part);
    prop_assert!(
        diffs.is_empty(),
        "{} cut at byte {}:\n{}",
        FIXTURES[f],
        cut.len(),
        diffs.join("\n")
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// A cut between cells never turns a value into a different value (a value running over
    /// several cells may come out shorter).
    #[test]
    fn a_cut_never_changes_a_value_already_read(f in prop::sample::select(vec![0usize, 2]), at in 0.0..1.0f64) {
        cut_property(f, at)?;
    }

    #[test]
    fn a_cut_never_changes_a_value_already_read_in_pipe_rows_and_flattened_text(f in prop::sample::select(vec![1usize, 3]), at in 0.0..1.0f64) {
        cut_property(f, at)?;
    }
}

// ------------------------------------------------------------------ hostile inputs

#[test]
fn empty_input_is_unreadable_without_noise() {
    let out = read_bytes(b"");
    assert!(out.is_unreadable());
    assert!(out.diagnostics.is_empty(), "{:?}", all_codes(&out));
}

#[test]
fn white_space_only_is_unreadable() {
    let out = read_bytes(b" \t\r\n\n\t\t   \r\n\x0c\n");
    assert!(out.is_unreadable());
    check_outcome(&out, " \t\r\n\n\t\t   \r\n\x0c\n").unwrap();
}

#[test]
fn a_bom_then_nothing_is_unreadable() {
    for bytes in [
        &b"\xEF\xBB\xBF"[..],
        b"\xFF\xFE",
        b"\xFE\xFF",
        b"\xEF\xBB\xBF\n\n",
    ] {
        let out = read_bytes(bytes);
        assert!(out.is_unreadable(), "{bytes:?}");
    }
}

#[test]
fn only_nul_bytes_are_unreadable() {
    let out = read_bytes(&[0u8; 4096]);
    assert!(out.is_unreadable());
}

#[test]
fn nul_bytes_inside_the_seed_never_change_a_number() {
    // NULs at the start of every line (a bad export): the forms may or may not be read, but
    // no number is read that the text does not print.
    let text: String = seed()
        .split('\n')
        .map(|l| format!("\0{l}"))
        .collect::<Vec<_>>()
        .join("\n");
    let out = read_bytes(text.as_bytes());
    check_outcome(&out, &text).unwrap();
}

#[test]
fn a_million_tabs_is_unreadable() {
    let out = read_bytes(&vec![b'\t'; 1_000_000]);
    assert!(out.is_unreadable());
}

#[test]
fn a_30_mb_line_without_separators_is_unreadable() {
    let line = "绩".repeat(10_000_000); // 3 bytes each
    let out = read_bytes(line.as_bytes());
    assert!(out.is_unreadable());
}

#[test]
fn bare_project_labels_repeated_are_no_forms() {
    // Every 项目名称 starts a form; with nothing after any of them there is no form at all,
    // and one warning says how many starts were dropped (not 100 000 "clean" empty forms).
    let text = "项目名称 ".repeat(100_000);
    let out = read_bytes(text.as_bytes());
    assert!(out.is_unreadable(), "{} forms", out.forms.len());
    let empty: Vec<&Finding> = out
        .diagnostics
        .iter()
        .filter(|d| d.code == "READ_EMPTY_FORM")
        .collect();
    assert_eq!(empty.len(), 1, "{:?}", all_codes(&out));
    assert!(empty[0].message.contains("100000"), "{}", empty[0].message);
    assert!(empty[0].location.is_some());
}

#[test]
fn the_indicator_header_row_repeated_200_000_times_is_no_form() {
    let seed = seed();
    let header = seed
        .lines()
        .find(|l| l.contains("一级指标"))
        .expect("the seed has an indicator header");
    let text = format!("{header}\n").repeat(200_000);
    let out = read_bytes(text.as_bytes());
    assert!(out.is_unreadable(), "{} forms", out.forms.len());
    assert!(has_code(&out, "READ_EMPTY_FORM"), "{:?}", all_codes(&out));
}

#[test]
fn a_form_with_something_read_is_kept_beside_empty_starts() {
    // An empty start before a real form does not take the real form with it.
    let text = format!("项目名称\n{}", seed());
    let out = read_bytes(text.as_bytes());
    assert_eq!(out.forms.len(), 3);
    assert!(has_code(&out, "READ_EMPTY_FORM"), "{:?}", all_codes(&out));
}

/// The seed flattened to one line of space-separated cells, repeated to `bytes` long.
fn long_flattened_line(bytes: usize) -> String {
    let one: String = seed()
        .split(['\t', '\n'])
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.trim().replace(' ', ""))
        .collect::<Vec<_>>()
        .join(" ");
    let mut line = String::with_capacity(bytes + one.len());
    while line.len() < bytes {
        line.push_str(&one);
        line.push(' ');
    }
    line
}

#[test]
fn a_long_flattened_line_reads_its_forms() {
    // 200 KB, every invariant checked (the 30 MB line below checks only the outcome).
    let line = long_flattened_line(200_000);
    let out = read_bytes(line.as_bytes());
    assert!(!out.is_unreadable());
    assert!(out.forms.len() > 10, "{} forms", out.forms.len());
    check_outcome(&out, &line).unwrap();
}

#[test]
fn a_30_mb_flattened_line_reads_its_forms() {
    // Columns are counted as the line is walked (this was quadratic: it never finished).
    let line = long_flattened_line(30_000_000);
    let out = read_bytes(line.as_bytes());
    assert!(out.forms.len() > 1000, "{} forms", out.forms.len());
    let projects: BTreeSet<Option<&str>> = out
        .forms
        .iter()
        .map(|f| f.evaluation.project.as_deref())
        .collect();
    assert!(projects.contains(&Some("工伤鉴定")), "{projects:?}");
}

#[test]
fn a_pipe_row_of_a_million_cells_is_one_form_of_junk() {
    // One `|` row of a million cells: walked once (this was quadratic: 60 s in debug).
    let line = format!("| 项目名称 {}|\n", "| x ".repeat(1_000_000));
    let out = read_bytes(line.as_bytes());
    assert_eq!(out.forms.len(), 1);
    assert_eq!(out.forms[0].evaluation.project.as_deref(), Some("x"));
}

#[test]
fn a_million_tabs_between_cells_is_one_form_of_junk() {
    // One grid line of a million cells: the grid is walked once (this was quadratic).
    let line = format!("项目名称\t工伤鉴定{}", "\tx".repeat(1_000_000));
    let out = read_bytes(line.as_bytes());
    assert_eq!(out.forms.len(), 1);
    assert_eq!(out.forms[0].evaluation.project.as_deref(), Some("工伤鉴定"));
}

#[test]
fn the_seed_header_rows_repeated_are_read_as_many_headless_forms() {
    // The first five rows of the seed's first form (title, year, 项目名称, 主管部门, the funds
    // header), repeated 20 000 times (100 000 lines, ~9 MB): enough to show the work is linear
    // in a debug build; 200 000 times takes ~10× longer and proves nothing more.
    let seed = seed();
    let header: Vec<&str> = seed.split('\n').skip(2).take(5).collect();
    let block = header.join("\n") + "\n";
    let text = block.repeat(20_000);
    let out = read_bytes(text.as_bytes());
    assert_eq!(out.forms.len(), 20_000);
    let first = &out.forms[0].evaluation;
    assert_eq!(first.project.as_deref(), Some("工伤鉴定"));
    assert!(first.indicators.is_empty());
    // Each form stops before its 总分: each says it was cut off.
    assert!(out.forms.iter().all(
        |f| f.evaluation.truncated && f.diagnostics.iter().any(|d| d.code == "READ_TRUNCATED")
    ));
}

#[test]
fn the_seed_cut_mid_row_keeps_what_came_before_and_says_it_was_cut() {
    let seed = seed();
    // Cut inside the row of 工伤鉴定认定准确送达率, just after its target.
    let at = seed.find(">=95%\t99%").expect("row present") + ">=95%\t".len();
    let cut = &seed[..at];
    let full = read_bytes(seed.as_bytes());
    let out = read_bytes(cut.as_bytes());
    assert_eq!(out.forms.len(), 1);
    let ev = &out.forms[0].evaluation;
    assert!(ev.truncated);
    assert!(has_code(&out, "READ_TRUNCATED"), "{:?}", all_codes(&out));
    assert_eq!(ev.total_score, None);
    let whole = &full.forms[0].evaluation;
    assert_eq!(ev.funds, whole.funds);
    assert_eq!(ev.goal_expected, whole.goal_expected);
    assert_eq!(ev.indicators[..3], whole.indicators[..3]);
    // The cut row: its name and target are read, nothing after them is invented.
    assert_eq!(ev.indicators.len(), 4);
    let cut_row = &ev.indicators[3];
    assert_eq!(cut_row.name, "工伤鉴定认定准确送达率");
    assert_eq!(cut_row.target.as_deref(), Some(">=95%"));
    assert_eq!(
        (cut_row.actual.as_deref(), cut_row.weight, cut_row.score),
        (None, None, None)
    );
}

#[test]
fn invalid_utf8_is_repaired_with_a_diagnostic_and_the_forms_still_read() {
    let mut bytes = seed().into_bytes();
    // Break the project name 工伤鉴定 of the first form: an invalid byte inside a text cell.
    let at = bytes
        .windows("工伤鉴定".len())
        .position(|w| w == "工伤鉴定".as_bytes())
        .unwrap();
    bytes.insert(at + 3, 0xFF);
    let out = read_bytes(&bytes);
    assert!(has_code(&out, "READ_ENCODING"), "{:?}", all_codes(&out));
    assert_eq!(out.forms.len(), 3);
    let full = read_bytes(seed().as_bytes());
    for (a, b) in out.forms.iter().zip(&full.forms) {
        assert_eq!(a.evaluation.funds, b.evaluation.funds);
        assert_eq!(a.evaluation.total_score, b.evaluation.total_score);
    }
    assert_eq!(
        out.forms[0].evaluation.project.as_deref(),
        Some("工\u{FFFD}伤鉴定")
    );
}

#[test]
fn half_utf8_half_gb18030_reads_one_half_and_says_the_rest_was_repaired() {
    // One file, two encodings: the decoder picks one for the whole file, so the forms in
    // the other half cannot be read. What is read must be right, and the repair is said.
    let seed = seed();
    let title = "财政项目支出绩效自评表\t";
    let second = seed.find(title).unwrap() + title.len();
    let second = second + seed[second..].find(title).unwrap();
    let (head, tail) = seed.split_at(second);
    let (gb, _, _) = encoding_rs::GB18030.encode(tail);
    let mut bytes = head.as_bytes().to_vec();
    bytes.extend_from_slice(&gb);
    let out = read_bytes(&bytes);
    assert!(has_code(&out, "READ_ENCODING"), "{:?}", all_codes(&out));
    assert!(!out.is_unreadable());
    let full = read_bytes(seed.as_bytes());
    for form in &out.forms {
        let ev = &form.evaluation;
        let same = full
            .forms
            .iter()
            .map(|f| &f.evaluation)
            .find(|w| w.project == ev.project)
            .unwrap_or_else(|| panic!("a form not in the seed: {:?}", ev.project));
        assert_eq!(ev.funds, same.funds);
        assert_eq!(ev.indicators, same.indicators);
        assert_eq!(ev.total_score, same.total_score);
    }
    let decoded = jixiao_formats::decode::decode(&bytes);
    check_outcome(&out, &decoded.text).unwrap();
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

fn assert_reads_like_the_seed(bytes: &[u8]) {
    let out = read_bytes(bytes);
    let full = read_bytes(seed().as_bytes());
    assert_eq!(out.encoding, "UTF-16LE");
    assert_eq!(out.forms.len(), 3, "{:?}", all_codes(&out));
    for (a, b) in out.forms.iter().zip(&full.forms) {
        assert_eq!(a.evaluation, b.evaluation);
    }
}

#[test]
fn utf16_with_bom_reads_like_utf8() {
    assert_reads_like_the_seed(&utf16le(&seed(), true));
}

#[test]
fn utf16_without_bom_reads_like_utf8() {
    assert_reads_like_the_seed(&utf16le(&seed(), false));
}

#[test]
fn utf16_never_panics_nor_invents_even_when_not_decoded() {
    for bom in [true, false] {
        let bytes = utf16le(&seed(), bom);
        let out = read_bytes(&bytes);
        let decoded = jixiao_formats::decode::decode(&bytes);
        check_outcome(&out, &decoded.text).unwrap();
    }
}

#[test]
fn the_fixtures_meet_the_invariants() {
    for name in FIXTURES {
        let text = fixture_text(name);
        let out = read_checked(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!out.is_unreadable(), "{name}");
    }
}

// ------------------------------------------------------------------ reader bugs found
// Minimal inputs for the reader bugs these tests found (fixed on main in ab37d34 and
// 27e384b): each guards its fix.

#[test]
fn two_titled_forms_without_tables_stay_two_forms() {
    let out = read_bytes("自评表\n项目名称\tA\n自评表\n项目名称\tB\n".as_bytes());
    let projects: Vec<Option<&str>> = out
        .forms
        .iter()
        .map(|f| f.evaluation.project.as_deref())
        .collect();
    assert_eq!(projects, vec![Some("A"), Some("B")]);
}

#[test]
fn a_number_under_the_actual_column_is_not_read_as_the_weight() {
    let text = "项目名称\t测试\n\
        绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n\
        \t产出指标\t数量指标\t培训场次\t=10次\t12\n\
        \t\t\t培训人数\t=100人\t120\t10\t10\t\n\
        \t总分\t\t\t\t\t\t100\t90\n";
    let out = read_bytes(text.as_bytes());
    let ind = &out.forms[0].evaluation.indicators[0];
    assert_eq!(ind.name, "培训场次");
    // 12 stands under 实际完成值: it is the actual, and this row prints no weight.
    assert_eq!(ind.weight, None);
    assert_eq!(ind.actual.as_deref(), Some("12"));
}

#[test]
fn a_number_cut_by_the_end_of_the_text_is_not_presented_as_read() {
    let seed = seed();
    let at = seed.find("507500\t501010").unwrap() + "507500\t5010".len();
    let cut = &seed[..at];
    let out = read_bytes(cut.as_bytes());
    let ev = &out.forms[0].evaluation;
    assert!(ev.truncated);
    // `5010` is what is left of 501010: either not read, or read with a diagnostic at it.
    let flagged = out.forms[0].diagnostics.iter().any(|d| {
        d.code != "READ_TRUNCATED"
            && d.location
                .as_ref()
                .is_some_and(|l| l.line == 9 && l.column > 1)
    });
    assert!(
        ev.funds.appropriation.adjusted.is_none() || flagged,
        "adjusted read as {:?} with no diagnostic at it",
        ev.funds.appropriation.adjusted
    );
}

#[test]
fn a_split_target_without_weight_does_not_read_the_target_value_as_weight() {
    // Pipe rows drop blank cells: this is how a row with no actual, weight and score looks
    // (an unfilled form, or the published 02 cut after 度量单位).
    let text = "项目名称 | 测试 |\n\
        | 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |\n\
        | 产出指标 | 成本指标 | 生均补助标准达标率 | ═ | 100 | % |\n\
        | 总分 | 100 | 90 |\n";
    let out = read_bytes(text.as_bytes());
    let ind = &out.forms[0].evaluation.indicators[0];
    assert_eq!(ind.target.as_deref(), Some("═100%"));
    assert_eq!((ind.weight, ind.reason.as_deref()), (None, None));
}

#[test]
fn a_lone_number_after_the_target_in_flattened_text_is_not_taken_for_the_weight() {
    // 07 as the page capture would have cut it one cell later: 委托业务报告合格率's actual
    // (100) is the last cell. Actual or weight cannot be told apart here; the full text says
    // the weight is 8.
    let text = fixture_text("published/07-raw.txt");
    let at = text.find("≥100百分比 100 ").unwrap() + "≥100百分比 100 ".len();
    let out = read_bytes(&text.as_bytes()[..at]);
    let ind = &out.forms[0].evaluation.indicators[1];
    assert_eq!(ind.name, "委托业务报告合格率");
    assert_ne!(
        ind.weight,
        Some(Decimal::from(100)),
        "the actual read as the weight"
    );
}

#[test]
fn a_value_glued_to_its_label_reads_as_printed() {
    let out = read_bytes("项目名称：职业培训（第二期） 线上班\n".as_bytes());
    // Line-wrap spaces between CJK characters may go; the full-width brackets stay.
    let project = out.forms[0].evaluation.project.clone().unwrap_or_default();
    assert_eq!(squeeze_spaces(&project), "职业培训（第二期）线上班");
}

fn squeeze_spaces(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

// ------------------------------------------------------------------ numbers at the ends of the range

/// The spellings put in place of a printed number.
const EXTREMES: [&str; 9] = [
    "79228162514264337593543950335",
    "792281625142643375935439503350",
    "0.0000000000000000000000000001",
    "-79228162514264337593543950335",
    "79228162514264337593543950335万元",
    "79228162514264337593543950335%",
    "0.0000000000000000000000000001%",
    "100.00000000000000000000000000%",
    "9999999999999999999",
];

/// Byte ranges of the maximal runs of ASCII digits, `.` and `,` that hold a digit.
fn number_runs(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || matches!(bytes[i], b'.' | b','))
            {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn extreme_numbers_in_any_cell_are_read_scored_and_reviewed_without_panic() {
    let profiles: Vec<Profile> = BUILTIN_PROFILES
        .iter()
        .map(|name| Profile::builtin(name).expect("shipped profile"))
        .collect();
    let mut assessed = 0usize;
    let mut failures = Vec::new();
    for name in FIXTURES {
        let text = fixture_text(name);
        for (start, end) in number_runs(&text) {
            for extreme in EXTREMES {
                let mutated = format!("{}{}{}", &text[..start], extreme, &text[end..]);
                let outcome = std::panic::catch_unwind(|| read_bytes(mutated.as_bytes()));
                let Ok(outcome) = outcome else {
                    failures.push(format!("reading: {name}, bytes {start}..{end} → {extreme}"));
                    continue;
                };
                for form in &outcome.forms {
                    for profile in &profiles {
                        let run = std::panic::catch_unwind(|| assess(&form.evaluation, profile));
                        if run.is_err() {
                            failures.push(format!(
                                "assessing: {name}, bytes {start}..{end} → {extreme}, profile {}",
                                profile.name
                            ));
                        }
                        assessed += 1;
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} panics, the first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
    // Every fixture holds dozens of numbers: thousands of forms were assessed.
    assert!(assessed > 5_000, "{assessed}");
}
