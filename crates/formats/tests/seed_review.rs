//! The seed read from its real text and reviewed: the findings a reviewer would make, and
//! no false arithmetic errors.

use jixiao_core::engine::assess;
use jixiao_core::profile::Profile;
use jixiao_core::{Finding, Severity};
use std::path::PathBuf;

fn read(name: &str) -> jixiao_formats::ReadOutcome {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name);
    jixiao_formats::read_bytes(&std::fs::read(path).expect("fixture"))
}

/// Findings of each form of a file, reading diagnostics included.
fn findings(name: &str) -> Vec<(String, Vec<Finding>)> {
    let profile = Profile::default();
    read(name)
        .forms
        .iter()
        .map(|f| {
            let a = assess(&f.evaluation, &profile);
            let mut all = f.diagnostics.clone();
            all.extend(a.findings);
            (f.evaluation.project.clone().unwrap_or_default(), all)
        })
        .collect()
}

fn has(fs: &[Finding], code: &str, indicator_name_part: &str) -> bool {
    fs.iter().any(|f| {
        f.code == code
            && (indicator_name_part.is_empty() || f.message.contains(indicator_name_part))
    })
}

#[test]
fn seed_review_finds_what_a_reviewer_would() {
    let forms = findings("songjiang-2023.tsv");
    assert_eq!(forms.len(), 3);
    let (p1, f1) = &forms[0];
    let (p2, f2) = &forms[1];
    let (p3, f3) = &forms[2];
    assert_eq!(
        (p1.as_str(), p2.as_str(), p3.as_str()),
        ("工伤鉴定", "网络信息系统运行与维护", "业务培训")
    );

    // Targets met yet deducted.
    assert!(
        has(f1, "MET_BUT_DEDUCTED", "工伤鉴定认定准确送达率"),
        "{f1:#?}"
    );
    assert!(has(f1, "MET_BUT_DEDUCTED", "群众满意度"));
    assert!(has(f3, "MET_BUT_DEDUCTED", "参训人员出勤率"));
    // `=` targets far exceeded.
    assert!(has(f1, "OVERACHIEVED", "完成鉴定任务案件数"));
    assert!(has(f2, "OVERACHIEVED", "运维系统维护次数"));
    // A shortfall not scored by the formula: =100% vs 99%, 5 of 6 (formula 5.94).
    assert!(has(f1, "PROPORTIONAL_MISMATCH", "工伤鉴定认定邮寄准确率"));
    // A qualitative score outside its band: 高效/高效, 10 of 15.
    assert!(has(f2, "QUAL_BAND", "提高文档查阅效率"));
    // Goals copied as results (forms 1 and 3, not 2).
    assert!(has(f1, "GOAL_COPY", ""));
    assert!(!has(f2, "GOAL_COPY", ""));
    assert!(has(f3, "GOAL_COPY", ""));
    // Budgets cut during the year.
    for fs in [f1, f2, f3] {
        assert!(has(fs, "BUDGET_ADJUSTED", ""));
    }
    // The page-break split label is reported as repaired.
    assert!(has(f1, "READ_SPLIT_LABEL", ""));
    // No false arithmetic errors: the seed's sums, rates and totals are right.
    for (project, fs) in &forms {
        let errors: Vec<&Finding> = fs
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        assert!(
            errors.is_empty(),
            "{project}: unexpected errors {errors:#?}"
        );
    }
}

#[test]
fn seed_scores_as_printed_where_the_rules_agree() {
    let profile = Profile::default();
    for form in read("songjiang-2023.tsv").forms {
        let a = assess(&form.evaluation, &profile);
        let rate = a
            .scorecard
            .execution_rate
            .as_ref()
            .expect("rate computed")
            .value;
        assert_eq!(rate, rust_decimal::Decimal::ONE, "100% execution");
        let budget = a
            .scorecard
            .budget_score
            .as_ref()
            .expect("budget score")
            .value;
        assert_eq!(budget, rust_decimal::Decimal::TEN);
    }
}

#[test]
fn truncated_anhui_form_reports_its_funds_error() {
    let forms = findings("published/07-raw.txt");
    assert_eq!(forms.len(), 1);
    let (_, fs) = &forms[0];
    assert!(has(fs, "FUNDS_ROW_SUM", ""), "{fs:#?}");
    assert!(has(fs, "READ_TRUNCATED", ""));
    // Its 满意度 rows and 总分 are cut off: no total or grade is computed from what is left.
    let form = &read("published/07-raw.txt").forms[0];
    let card = assess(&form.evaluation, &Profile::default()).scorecard;
    assert!(card.total.is_none() && card.grade.is_none());
    assert!(card.budget_score.is_some(), "what is there is still scored");
}
