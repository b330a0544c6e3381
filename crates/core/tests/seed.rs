//! What a reviewer finds on the real forms (fixtures/): the seed's three 2023 forms and the
//! published 02, 03, 07.

mod common;
use common::*;
use jixiao_core::{assess, Assessment, Evaluation, Finding, Profile, Severity};

fn run(ev: &Evaluation) -> Assessment {
    assess(ev, &Profile::default())
}
fn has(a: &Assessment, code: &str, name_part: &str) -> bool {
    a.findings
        .iter()
        .any(|f| f.code == code && f.message.contains(name_part))
}
fn count(a: &Assessment, code: &str) -> usize {
    a.findings.iter().filter(|f| f.code == code).count()
}
fn dump(a: &Assessment) -> String {
    a.findings
        .iter()
        .map(|f: &Finding| format!("{} {:?} {}\n", f.code, f.indicator, f.message))
        .collect()
}

const ARITHMETIC: &[&str] = &[
    "FUNDS_ROW_SUM",
    "EXEC_RATE_MISMATCH",
    "EXEC_SCORE_MISMATCH",
    "WEIGHT_SUM",
    "TOTAL_MISMATCH",
    "SCORE_OVER_WEIGHT",
];

fn seed_forms() -> Vec<Assessment> {
    seed().iter().map(run).collect()
}

#[test]
fn seed_has_no_arithmetic_error() {
    // The real seed forms are arithmetically consistent: weights 100, totals match, rates 100%.
    for a in seed_forms() {
        for code in ARITHMETIC {
            assert_eq!(count(&a, code), 0, "{code} on the seed:\n{}", dump(&a));
        }
        assert!(
            a.findings.iter().all(|f| f.severity != Severity::Error),
            "{}",
            dump(&a)
        );
    }
}

#[test]
fn seed_execution_rate_is_100_percent_and_budget_score_10() {
    for a in seed_forms() {
        let rate = a.scorecard.execution_rate.as_ref().unwrap();
        assert_eq!(rate.value, d("1"));
        assert!(rate.formula.to_string().contains("B / A"));
        let budget = a.scorecard.budget_score.as_ref().unwrap();
        assert_eq!(budget.value, d("10"));
        assert_eq!(budget.display(), "10.00");
    }
}

#[test]
fn seed_met_targets_deducted() {
    let a = seed_forms();
    assert!(
        has(
            &a[0],
            "MET_BUT_DEDUCTED",
            "「工伤鉴定认定准确送达率」实际 99% 已达到目标 ≥95%，却只得 5 分（分值 7）"
        ),
        "{}",
        dump(&a[0])
    );
    assert!(has(
        &a[0],
        "MET_BUT_DEDUCTED",
        "「群众满意度」实际 98% 已达到目标 ≥95%，却只得 7 分（分值 10）"
    ));
    assert!(has(&a[1], "MET_BUT_DEDUCTED", "数据库系统正常使用率"));
    assert_eq!(
        count(&a[2], "MET_BUT_DEDUCTED"),
        3,
        "业务培训: 85%≥80%, 96%≥95%, 95%≥95% all deducted"
    );
}

#[test]
fn seed_overachieved_equals_targets() {
    let a = seed_forms();
    assert!(has(&a[0], "OVERACHIEVED", "完成鉴定任务案件数"));
    assert!(
        !has(&a[0], "OVERACHIEVED", "工伤鉴定认定邮寄数"),
        "14321/13000 = 110% is below 130%"
    );
    assert!(has(&a[1], "OVERACHIEVED", "运维系统维护次数"));
    assert!(
        has(
            &a[0],
            "EQUALS_EXCEEDED",
            "「完成鉴定任务案件数」目标为「=3000件」"
        ),
        "{}",
        dump(&a[0])
    );
    assert!(has(&a[1], "EQUALS_EXCEEDED", "运维系统维护次数"));
}

#[test]
fn seed_proportional_mismatch() {
    let a = &seed_forms()[0];
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "PROPORTIONAL_MISMATCH")
        .expect("邮寄准确率");
    assert!(
        f.message.contains("工伤鉴定认定邮寄准确率") && f.message.contains("5.94"),
        "{}",
        f.message
    );
    assert_eq!(f.indicator, Some(8));
    assert_eq!(
        a.scorecard.indicators[8].computed.as_ref().unwrap().value,
        d("5.94")
    );
}

#[test]
fn seed_qualitative_band() {
    let a = &seed_forms()[1];
    assert!(has(a, "QUAL_BAND", "提高文档查阅效率"), "{}", dump(a));
    assert!(
        !has(a, "QUAL_BAND", "数据库系统使用便捷高效性"),
        "12/15 = 80% is inside 达成"
    );
}

#[test]
fn seed_goal_copy_on_forms_1_and_3() {
    let a = seed_forms();
    let copies = [
        count(&a[0], "GOAL_COPY"),
        count(&a[1], "GOAL_COPY"),
        count(&a[2], "GOAL_COPY"),
    ];
    assert_eq!(copies, [1, 0, 1]);
}

#[test]
fn seed_budgets_cut() {
    let a = seed_forms();
    assert!(
        has(&a[0], "BUDGET_ADJUSTED", "507500元 调整为 501010元"),
        "{}",
        dump(&a[0])
    );
    assert!(has(&a[1], "BUDGET_ADJUSTED", "13000元 调整为 7000元"));
    assert!(has(&a[2], "BUDGET_ADJUSTED", "18000元 调整为 12000元"));
}

#[test]
fn seed_misclassified_and_vague() {
    let a = seed_forms();
    assert!(has(&a[1], "MISCLASSIFIED", "有责投诉率"));
    assert!(has(&a[0], "TARGETS_VAGUE", "13 个指标中有 8 个"));
    assert_eq!(
        count(&a[1], "TARGETS_VAGUE") + count(&a[2], "TARGETS_VAGUE"),
        0
    );
}

#[test]
fn published_07_total_row_never_summed() {
    let a = run(&published("07"));
    let sums: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.code == "FUNDS_ROW_SUM")
        .collect();
    assert!(
        !sums.is_empty() && sums.iter().all(|f| f.severity == Severity::Error),
        "{}",
        dump(&a)
    );
    assert!(sums[0].message.contains("年度资金总额为 0") && sums[0].message.contains("90"));
    // The execution score 0 printed while execution is 100% of the appropriation.
    assert!(
        has(&a, "EXEC_SCORE_MISMATCH", "预算执行得分填报 0"),
        "{}",
        dump(&a)
    );
    assert!(a.scorecard.execution_rate.as_ref().unwrap().note.is_some());
    assert!(has(&a, "ACTUAL_NOT_MEASURED", "达成预期指标"));
    assert!(has(&a, "MISCLASSIFIED", "对控制基建项目成本影响程度"));
    assert_eq!(
        count(&a, "WEIGHT_SUM"),
        0,
        "07 is cut off before 满意度: no weight verdict"
    );
}

#[test]
fn published_02_yunnan_school() {
    let a = run(&published("02"));
    assert!(
        has(&a, "WEIGHT_SCHEME", "产出指标 40（方案 50）"),
        "{}",
        dump(&a)
    );
    assert!(a
        .findings
        .iter()
        .any(|f| f.code == "WEIGHT_SCHEME" && f.severity == Severity::Info));
    assert!(has(
        &a,
        "MET_BUT_DEDUCTED",
        "「资金到位及时率」实际 100% 已达到目标 ≥100%，却只得 7 分（分值 10）"
    ));
    assert!(has(&a, "REASON_MISSING", "资金到位及时率"));
    assert!(has(&a, "REASON_MISSING", "政策知晓率"));
    assert!(has(&a, "PROPORTIONAL_MISMATCH", "9.80"));
    assert_eq!(
        count(&a, "GRADE_MISMATCH") + count(&a, "TOTAL_MISMATCH"),
        0,
        "96 → 优 is right"
    );
}

#[test]
fn published_03_unfilled_form() {
    let a = run(&published("03"));
    assert_eq!(count(&a, "TARGET_MISSING"), 2, "{}", dump(&a));
    assert!(has(&a, "TARGET_MISSING", "未填写实际完成值"));
    assert!(a.scorecard.total.is_none());
    assert!(has(&a, "BUDGET_ADJUSTED", "238.93万元 调整为 251.89万元"));
    assert!(has(&a, "WEIGHT_SCHEME", "满意度指标 缺失"));
}

#[test]
fn every_builtin_profile_runs_on_every_fixture() {
    let mut forms = seed();
    forms.extend(["02", "03", "07"].map(published));
    for name in jixiao_core::BUILTIN_PROFILES {
        let p = Profile::builtin(name).unwrap();
        for ev in &forms {
            let a = assess(ev, &p);
            assert_eq!(a.scorecard.profile, *name);
            let complete = |f: &Finding| {
                !f.message.is_empty() && !f.message_en.is_empty() && !f.rule.is_empty()
            };
            assert!(a.findings.iter().all(complete));
        }
    }
}
