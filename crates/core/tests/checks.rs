//! One test per review check (RULES.md §5): a minimal form that trips it, one that does not.

mod common;
use common::*;
use jixiao_core::{assess, Evaluation, Finding, PrintedDecimal, Profile, Severity, CHECKS};

fn findings(ev: &Evaluation) -> Vec<Finding> {
    assess(ev, &Profile::default()).findings
}
fn codes(ev: &Evaluation, code: &str) -> Vec<Finding> {
    findings(ev)
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}
fn trips(ev: &Evaluation, code: &str) -> Finding {
    let found = codes(ev, code);
    assert!(
        !found.is_empty(),
        "{code} not found; got {:#?}",
        findings(ev)
    );
    found.into_iter().next().unwrap()
}
fn clean(ev: &Evaluation, code: &str) {
    let found = codes(ev, code);
    assert!(found.is_empty(), "{code} unexpected: {found:#?}");
}

#[test]
fn registry_has_every_rules_code_once() {
    let want = [
        "FUNDS_ROW_SUM",
        "EXEC_RATE_MISMATCH",
        "EXEC_SCORE_MISMATCH",
        "EXEC_LOW_NO_REASON",
        "BUDGET_ADJUSTED",
        "WEIGHT_SUM",
        "WEIGHT_SCHEME",
        "TOTAL_MISMATCH",
        "SCORE_OVER_WEIGHT",
        "GRADE_MISMATCH",
        "MET_BUT_DEDUCTED",
        "UNMET_FULL_SCORE",
        "PROPORTIONAL_MISMATCH",
        "QUAL_BAND",
        "OVERACHIEVED",
        "EQUALS_EXCEEDED",
        "REASON_MISSING",
        "TARGET_NO_OPERATOR",
        "ACTUAL_NOT_MEASURED",
        "TARGETS_VAGUE",
        "TARGET_MISSING",
        "GOAL_COPY",
        "UNIT_MISMATCH",
        "MISCLASSIFIED",
        "TEXT_CONTRADICTS_DATA",
    ];
    let have: Vec<&str> = CHECKS.iter().map(|c| c.code).collect();
    assert_eq!(have, want);
    assert!(CHECKS
        .iter()
        .all(|c| !c.rule.is_empty() && !c.title_zh.is_empty() && !c.title_en.is_empty()));
}

#[test]
fn the_standard_form_is_clean() {
    let ev = Form::standard().build();
    assert_eq!(findings(&ev), vec![]);
}

#[test]
fn funds_row_sum() {
    // published/07: a total row of zeros above 90 of appropriation.
    let ev = Form::standard()
        .with(|ev| {
            ev.funds.total.initial = Some(d("0"));
            ev.funds.total.adjusted = Some(d("0"));
            ev.funds.total.executed = Some(d("0"));
        })
        .build();
    let f = trips(&ev, "FUNDS_ROW_SUM");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message.contains("年度资金总额为 0") && f.message.contains("100"),
        "{}",
        f.message
    );
    // Blank executed cells under zero budgets (the seed's 上年结转资金) are not an error.
    let ok = Form::standard()
        .with(|ev| {
            ev.funds.carryover.initial = Some(d("0"));
            ev.funds.carryover.adjusted = Some(d("0"));
        })
        .build();
    clean(&ok, "FUNDS_ROW_SUM");
}

fn with_rate(exec: &str, printed: &str, decimals: u32) -> Evaluation {
    Form::standard()
        .with(|ev| {
            ev.funds.total.adjusted = Some(d("10000"));
            ev.funds.total.initial = Some(d("10000"));
            ev.funds.total.executed = Some(d(exec));
            ev.funds.appropriation = ev.funds.total.clone();
            ev.funds.rate = Some(PrintedDecimal::new(d(printed), decimals));
            ev.funds.reason = Some("部分合同年底未结算".into());
        })
        .build()
}

#[test]
fn exec_rate_mismatch() {
    // 8618.4/10000 = 86.184%: printing 86.19% is off by more than half a unit of 0.01%.
    let f = trips(&with_rate("8618.4", "0.8619", 2), "EXEC_RATE_MISMATCH");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("86.18%"), "{}", f.message);
    clean(&with_rate("8618.4", "0.8618", 2), "EXEC_RATE_MISMATCH");
    // Printed with no decimals, 86% is within half a percent.
    clean(&with_rate("8618.4", "0.86", 0), "EXEC_RATE_MISMATCH");
}

#[test]
fn exec_score_mismatch() {
    let mut ev = with_rate("8618.4", "0.8618", 2);
    ev.funds.score = Some(PrintedDecimal::new(d("8.63"), 2));
    let f = trips(&ev, "EXEC_SCORE_MISMATCH");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("8.62"), "{}", f.message);
    ev.funds.score = Some(PrintedDecimal::new(d("8.62"), 2));
    clean(&ev, "EXEC_SCORE_MISMATCH");
}

#[test]
fn exec_low_no_reason() {
    let mut ev = with_rate("8000", "0.8", 2);
    clean(&ev, "EXEC_LOW_NO_REASON");
    ev.funds.reason = None;
    assert_eq!(trips(&ev, "EXEC_LOW_NO_REASON").severity, Severity::Warning);
    clean(&with_rate("9500", "0.95", 2), "EXEC_LOW_NO_REASON");
}

#[test]
fn budget_adjusted() {
    let ev = Form::standard()
        .with(|ev| ev.funds.total.initial = Some(d("130")))
        .build();
    let f = trips(&ev, "BUDGET_ADJUSTED");
    assert_eq!(f.severity, Severity::Info);
    assert!(f.message.contains("130") && f.message.contains("100"));
    clean(&Form::standard().build(), "BUDGET_ADJUSTED");
}

#[test]
fn weight_sum() {
    let ev = Form::standard()
        .with(|ev| ev.indicators[0].weight = Some(d("30")))
        .build();
    let f = trips(&ev, "WEIGHT_SUM");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("110"), "{}", f.message);
    clean(&Form::standard().build(), "WEIGHT_SUM");
}

#[test]
fn weight_scheme() {
    // published/02: 产出 40, 效益 30, 满意度 20.
    let ev = form()
        .ind("数量指标", "人数", "≥10人", "10人", "40", "40")
        .ind("社会效益指标", "知晓率", "≥90%", "95%", "30", "30")
        .ind("服务对象满意度指标", "满意度", "≥90%", "95%", "20", "20")
        .build();
    let f = trips(&ev, "WEIGHT_SCHEME");
    assert_eq!(f.severity, Severity::Info);
    assert!(
        f.message.contains("产出指标 40（方案 50）"),
        "{}",
        f.message
    );
    clean(&Form::standard().build(), "WEIGHT_SCHEME");
}

#[test]
fn total_mismatch() {
    let ev = Form::standard()
        .with(|ev| ev.total_score = Some(PrintedDecimal::new(d("99"), 0)))
        .keep_total()
        .build();
    assert_eq!(trips(&ev, "TOTAL_MISMATCH").severity, Severity::Error);
    clean(&Form::standard().build(), "TOTAL_MISMATCH");
}

#[test]
fn score_over_weight() {
    let ev = Form::standard()
        .with(|ev| ev.indicators[1].score = Some(d("16")))
        .build();
    let f = trips(&ev, "SCORE_OVER_WEIGHT");
    assert_eq!((f.severity, f.indicator), (Severity::Error, Some(1)));
    clean(&Form::standard().build(), "SCORE_OVER_WEIGHT");
}

#[test]
fn grade_mismatch() {
    let mut ev = Form::standard().build();
    ev.grade = Some("良".into());
    assert_eq!(trips(&ev, "GRADE_MISMATCH").severity, Severity::Error);
    ev.grade = Some("优".into());
    clean(&ev, "GRADE_MISMATCH");
}

#[test]
fn met_but_deducted() {
    let ev = form()
        .ind(
            "质量指标",
            "工伤鉴定认定准确送达率",
            ">=95%",
            "99%",
            "7",
            "5",
        )
        .build();
    let f = trips(&ev, "MET_BUT_DEDUCTED");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.message,
        "「工伤鉴定认定准确送达率」实际 99% 已达到目标 ≥95%，却只得 5 分（分值 7）"
    );
    assert_eq!(f.indicator, Some(0));
    assert!(f.rule.contains("完成指标值的记全部分值"));
    assert!(f.location.is_some());
    let ok = form()
        .ind("质量指标", "送达率", ">=95%", "99%", "7", "7")
        .build();
    clean(&ok, "MET_BUT_DEDUCTED");
}

#[test]
fn unmet_full_score() {
    let ev = form()
        .ind("数量指标", "服务人次", "≥38508人次", "37442人次", "3", "3")
        .build();
    assert_eq!(trips(&ev, "UNMET_FULL_SCORE").severity, Severity::Warning);
    let ok = form()
        .ind("数量指标", "服务人次", "≥38508人次", "38508人次", "3", "3")
        .build();
    clean(&ok, "UNMET_FULL_SCORE");
}

#[test]
fn proportional_mismatch() {
    let ev = form()
        .ind("社会效益指标", "邮寄准确率", "=100%", "99%", "6", "5")
        .build();
    let f = trips(&ev, "PROPORTIONAL_MISMATCH");
    assert!(f.message.contains("5.94"), "{}", f.message);
    let ok = form()
        .ind("社会效益指标", "邮寄准确率", "=100%", "99%", "6", "5.94")
        .build();
    clean(&ok, "PROPORTIONAL_MISMATCH");
}

#[test]
fn qual_band() {
    let ev = form()
        .ind(
            "社会效益指标",
            "提高文档查阅效率",
            "高效",
            "高效",
            "15",
            "10",
        )
        .build();
    let f = trips(&ev, "QUAL_BAND");
    assert!(f.message.contains("12–15"), "{}", f.message);
    let ok = form()
        .ind(
            "社会效益指标",
            "数据库系统使用便捷高效性",
            "高效",
            "高效",
            "15",
            "12",
        )
        .build();
    clean(&ok, "QUAL_BAND");
}

#[test]
fn overachieved() {
    let ev = form()
        .ind(
            "数量指标",
            "完成鉴定任务案件数",
            "=3000件",
            "4023件",
            "8",
            "8",
        )
        .build();
    let f = trips(&ev, "OVERACHIEVED");
    assert!(f.message.contains("134.10%"), "{}", f.message);
    let ok = form()
        .ind(
            "数量指标",
            "工伤鉴定认定邮寄数",
            "=13000件",
            "14321件",
            "8",
            "8",
        )
        .build();
    clean(&ok, "OVERACHIEVED");
}

#[test]
fn equals_exceeded() {
    let ev = form()
        .ind("数量指标", "运维系统维护次数", "=4次", "12次", "10", "10")
        .build();
    assert_eq!(trips(&ev, "EQUALS_EXCEEDED").severity, Severity::Info);
    clean(
        &form()
            .ind("数量指标", "培训场次", "=3场", "3场", "10", "10")
            .build(),
        "EQUALS_EXCEEDED",
    );
}

#[test]
fn reason_missing() {
    let ev = form()
        .ind("时效指标", "资金到位及时率", "≧100%", "100%", "10", "7")
        .build();
    assert_eq!(trips(&ev, "REASON_MISSING").severity, Severity::Warning);
    let ok = form()
        .ind("时效指标", "资金到位及时率", "≧100%", "100%", "10", "7")
        .reason("资金分两批到位")
        .build();
    clean(&ok, "REASON_MISSING");
}

#[test]
fn target_no_operator() {
    let ev = form()
        .ind("数量指标", "受益户数", "5000户", "5000户", "10", "10")
        .build();
    assert_eq!(trips(&ev, "TARGET_NO_OPERATOR").severity, Severity::Info);
    clean(
        &form()
            .ind("数量指标", "受益户数", "≥5000户", "5000户", "10", "10")
            .build(),
        "TARGET_NO_OPERATOR",
    );
}

#[test]
fn actual_not_measured() {
    let boiler = form()
        .ind(
            "质量指标",
            "经费支出合规性",
            "严格执行相关制度规定",
            "达成预期指标",
            "8",
            "8",
        )
        .build();
    assert_eq!(
        trips(&boiler, "ACTUAL_NOT_MEASURED").severity,
        Severity::Warning
    );
    let copy = form()
        .ind("数量指标", "新建道路长度", "≥266米", "≥266米", "8", "8")
        .build();
    trips(&copy, "ACTUAL_NOT_MEASURED");
    clean(
        &form()
            .ind("数量指标", "新建道路长度", "≥266米", "270米", "8", "8")
            .build(),
        "ACTUAL_NOT_MEASURED",
    );
}

#[test]
fn targets_vague() {
    let ev = form()
        .ind("时效指标", "a", "及时", "及时", "10", "10")
        .ind("质量指标", "b", "有效", "有效", "10", "10")
        .ind("数量指标", "c", "≥3场", "3场", "10", "10")
        .build();
    assert_eq!(trips(&ev, "TARGETS_VAGUE").severity, Severity::Info);
    clean(&Form::standard().build(), "TARGETS_VAGUE");
}

#[test]
fn target_missing() {
    let ev = form()
        .ind("数量指标", "指标1:", "", "", "", "")
        .ind("数量指标", "覆盖率", "=100%", "", "60", "")
        .build();
    let found = codes(&ev, "TARGET_MISSING");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].indicator, Some(0));
    assert!(found[1].message.contains("实际完成值"));
    clean(&Form::standard().build(), "TARGET_MISSING");
}

#[test]
fn goal_copy() {
    let ev = Form::standard()
        .with(|ev| ev.goal_actual = Some(" 完成年度任务".into()))
        .build();
    assert_eq!(trips(&ev, "GOAL_COPY").severity, Severity::Info);
    clean(&Form::standard().build(), "GOAL_COPY");
}

#[test]
fn unit_mismatch() {
    let ev = form()
        .ind("数量指标", "培训人数", "≥100人", "120人次", "10", "10")
        .build();
    assert_eq!(trips(&ev, "UNIT_MISMATCH").severity, Severity::Warning);
    let rate = form()
        .ind("质量指标", "覆盖率", "≥100人", "120人", "10", "10")
        .build();
    trips(&rate, "UNIT_MISMATCH");
    clean(
        &form()
            .ind("数量指标", "培训人数", "≥100人", "120人", "10", "10")
            .build(),
        "UNIT_MISMATCH",
    );
    // A bare number is read in the target's unit (published forms print `735` for ≧735人次).
    clean(
        &form()
            .ind("数量指标", "学生受资助人数", "≧735人次", "735", "10", "10")
            .build(),
        "UNIT_MISMATCH",
    );
}

#[test]
fn misclassified() {
    let ev = form()
        .ind("时效指标", "有责投诉率", "=0", "0", "10", "10")
        .build();
    let f = trips(&ev, "MISCLASSIFIED");
    assert!(f.message.contains("时效指标"));
    let eco = form()
        .ind(
            "生态效益指标",
            "对控制基建项目成本影响程度",
            "效果明显",
            "效果明显",
            "10",
            "10",
        )
        .build();
    trips(&eco, "MISCLASSIFIED");
    let sat = form()
        .ind("社会效益指标", "群众满意度", "≥95%", "98%", "10", "10")
        .build();
    trips(&sat, "MISCLASSIFIED");
    clean(
        &form()
            .ind("质量指标", "有责投诉率", "=0", "0", "10", "10")
            .build(),
        "MISCLASSIFIED",
    );
}

#[test]
fn text_contradicts_data() {
    let mut ev = with_rate("8000", "0.8", 2);
    ev.goal_actual = Some("项目按计划完成，资金全部执行".into());
    assert_eq!(trips(&ev, "TEXT_CONTRADICTS_DATA").severity, Severity::Info);
    let ok = with_rate("9500", "0.95", 2);
    clean(&ok, "TEXT_CONTRADICTS_DATA");
}

#[test]
fn findings_are_sorted_by_location_then_severity() {
    let ev = form()
        .ind("时效指标", "有责投诉率", "=0", "1", "10", "10")
        .ind("质量指标", "送达率", ">=95%", "99%", "7", "5")
        .with(|ev| ev.funds.total.initial = Some(d("130")))
        .build();
    let f = findings(&ev);
    let locs: Vec<_> = f.iter().map(|f| f.location.clone()).collect();
    let mut sorted = locs.clone();
    sorted.sort_by_key(|l| (l.is_none(), l.clone()));
    assert_eq!(locs, sorted);
}

proptest::proptest! {
    /// No input makes scoring or review panic (blank, zero, negative, text where numbers go).
    #[test]
    fn assess_never_panics(t in "\\PC{0,8}", a in "\\PC{0,8}", w in -5i64..30, s in -5i64..30,
        exec in -10i64..300, budget in -10i64..300) {
        let ev = form()
            .ind("数量指标", "x", &t, &a, &w.to_string(), &s.to_string())
            .with(|ev| {
                ev.funds.total.executed = Some(rust_decimal::Decimal::from(exec));
                ev.funds.total.adjusted = Some(rust_decimal::Decimal::from(budget));
            })
            .build();
        for name in jixiao_core::BUILTIN_PROFILES {
            let _ = assess(&ev, &Profile::builtin(name).unwrap());
        }
    }
}
