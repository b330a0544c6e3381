//! Scoring (评分): the rule-based score of a form under a profile, every number with its
//! derivation.

use crate::measure::{Measure, MeasureKind, Operator};
use crate::model::{compact, Evaluation, FundRow, Funds, Indicator};
use crate::profile::{Denominator, Profile, ReverseFormula};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// A computed number with its derivation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Computed {
    /// Exact value; round only for display.
    pub value: Decimal,
    /// e.g. `W × A/T = 7 × 99/100`.
    pub formula: String,
    pub inputs: Vec<(String, String)>,
    pub profile: String,
    pub profile_version: String,
    pub note: Option<String>,
}

impl Computed {
    /// The value rounded half-up (四舍五入) to 2 decimals.
    pub fn display(&self) -> String {
        display_decimal(self.value, 2)
    }
}

/// Round half-up (四舍五入, not banker's) and print with exactly `decimals` decimals.
pub fn display_decimal(value: Decimal, decimals: u32) -> String {
    let mut v = value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(decimals);
    v.to_string()
}

/// The grade (等级) computed from the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeResult {
    pub grade: String,
    /// e.g. `94 ≥ 90 → 优`.
    pub formula: String,
    pub profile: String,
    pub profile_version: String,
}

/// How an indicator is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    Quantitative,
    Qualitative,
    Deadline,
    Unknown,
}

/// 达成 / 部分达成 / 未达成 / 未知 for a qualitative indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Achievement {
    /// 达成年度指标
    Achieved,
    /// 部分达成并具有一定效果
    Partial,
    /// 未达成且效果较差
    Unmet,
    /// 未知
    Unknown,
}

impl Achievement {
    pub fn label_zh(self) -> &'static str {
        match self {
            Achievement::Achieved => "达成",
            Achievement::Partial => "部分达成",
            Achievement::Unmet => "未达成",
            Achievement::Unknown => "未知",
        }
    }
}

/// The rule-based score of one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorScore {
    /// 0-based index into the form's indicators.
    pub index: usize,
    pub kind: IndicatorKind,
    pub target: Measure,
    pub actual: Measure,
    /// Whether the target was met (quantitative and deadline indicators).
    pub met: Option<bool>,
    /// A / T.
    pub ratio: Option<Decimal>,
    pub computed: Option<Computed>,
    /// Allowed score range for a qualitative indicator (absolute points).
    pub band: Option<(Decimal, Decimal)>,
    pub achievement: Option<Achievement>,
    /// Why `computed` is `None`, or what was assumed.
    pub note: Option<String>,
}

/// The rule-based score of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scorecard {
    pub profile: String,
    pub profile_version: String,
    pub execution_rate: Option<Computed>,
    pub budget_score: Option<Computed>,
    pub indicators: Vec<IndicatorScore>,
    pub indicator_total: Option<Computed>,
    pub total: Option<Computed>,
    pub grade: Option<GradeResult>,
    /// Why something could not be computed.
    pub notes: Vec<String>,
}

/// Score a form under a profile. Never panics; what cannot be computed is `None` with a note.
pub fn score(ev: &Evaluation, profile: &Profile) -> Scorecard {
    let mut notes = Vec::new();
    let cx = Cx { profile };
    let execution_rate = execution_rate(&ev.funds, &cx, &mut notes);
    let budget_score = execution_rate.as_ref().map(|rate| {
        let w = profile.budget.weight;
        let capped = rate.value.min(Decimal::ONE).max(Decimal::ZERO);
        cx.computed(
            w * capped,
            format!("W × min(执行率, 100%) = {} × {}", w, pct(capped)),
            vec![
                ("W".into(), w.to_string()),
                ("执行率".into(), pct(rate.value)),
            ],
            None,
        )
    });
    let indicators: Vec<IndicatorScore> = ev
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| score_indicator(i, ind, &cx))
        .collect();

    // Σ indicator scores: the computed score, else the printed one (noted), else unknown.
    let mut sum = Decimal::ZERO;
    let mut substituted = Vec::new();
    let mut unknown = false;
    for (is, ind) in indicators.iter().zip(&ev.indicators) {
        match (&is.computed, ind.score) {
            (Some(c), _) => sum += c.value,
            (None, Some(printed)) => {
                sum += printed;
                substituted.push(format!("「{}」", compact(&ind.name)));
            }
            (None, None) => unknown = true,
        }
    }
    let indicator_total = if unknown || indicators.is_empty() {
        notes.push("部分指标既无法按规则计算也未填报得分，指标合计无法得出 (some indicators have neither a computed nor a printed score)".into());
        None
    } else {
        let note = (!substituted.is_empty()).then(|| {
            format!(
                "{} 无法按规则计算，按填报得分计入 (printed score used where no rule applies)",
                substituted.join("、")
            )
        });
        Some(cx.computed(
            sum,
            "Σ 三级指标得分".into(),
            vec![("指标数".into(), indicators.len().to_string())],
            note,
        ))
    };
    if ev.truncated {
        // The form is cut off before its end: rows are missing, so a total or grade computed
        // from what is left would be a wrong number presented as the form's.
        notes.push("表格不完整（在总分之前中断），不计算总分和等级 (the form is cut off: no total or grade)".into());
    }
    let total = match (&budget_score, &indicator_total) {
        _ if ev.truncated => None,
        (Some(b), Some(t)) => Some(cx.computed(
            b.value + t.value,
            format!("预算执行得分 + Σ 指标得分 = {} + {}", b.value, t.value),
            vec![
                ("预算执行得分".into(), b.value.to_string()),
                ("指标得分合计".into(), t.value.to_string()),
            ],
            t.note.clone(),
        )),
        _ => None,
    };
    let grade = total.as_ref().and_then(|t| {
        let band = profile.grades.iter().find(|g| t.value >= g.min)?;
        Some(GradeResult {
            grade: band.label.clone(),
            formula: format!(
                "{} ≥ {} → {}",
                display_decimal(t.value, 2),
                band.min,
                band.label
            ),
            profile: profile.name.clone(),
            profile_version: profile.version.clone(),
        })
    });
    Scorecard {
        profile: profile.name.clone(),
        profile_version: profile.version.clone(),
        execution_rate,
        budget_score,
        indicators,
        indicator_total,
        total,
        grade,
        notes,
    }
}

struct Cx<'a> {
    profile: &'a Profile,
}

impl Cx<'_> {
    fn computed(
        &self,
        value: Decimal,
        formula: String,
        inputs: Vec<(String, String)>,
        note: Option<String>,
    ) -> Computed {
        Computed {
            value,
            formula,
            inputs,
            profile: self.profile.name.clone(),
            profile_version: self.profile.version.clone(),
            note,
        }
    }
}

/// A fraction shown as a percent, 2 decimals half-up.
pub fn pct(fraction: Decimal) -> String {
    format!("{}%", display_decimal(fraction * Decimal::ONE_HUNDRED, 2))
}

/// The amounts the execution rate is computed from: the 年度资金总额 row, or — when that row
/// is blank or all zero while the component rows carry money (a total never summed) — the sum
/// of the component rows. Returns the row and whether it was summed.
pub fn effective_total(funds: &Funds) -> (FundRow, bool) {
    let parts: Vec<&FundRow> = [&funds.appropriation, &funds.carryover, &funds.other]
        .into_iter()
        .chain(funds.extra.iter().map(|(_, r)| r))
        .collect();
    let zeroish = |v: Option<Decimal>| v.is_none_or(|d| d.is_zero());
    let total = &funds.total;
    let total_blank = zeroish(total.initial) && zeroish(total.adjusted) && zeroish(total.executed);
    let parts_have_money = parts.iter().any(|r| {
        [r.initial, r.adjusted, r.executed]
            .iter()
            .any(|v| v.is_some_and(|d| !d.is_zero()))
    });
    if !(total_blank && parts_have_money) {
        return (total.clone(), false);
    }
    let sum = |f: fn(&FundRow) -> Option<Decimal>| -> Option<Decimal> {
        let vals: Vec<Decimal> = parts.iter().filter_map(|r| f(r)).collect();
        (!vals.is_empty()).then(|| vals.iter().copied().sum())
    };
    (
        FundRow {
            initial: sum(|r| r.initial),
            adjusted: sum(|r| r.adjusted),
            executed: sum(|r| r.executed),
            at: total.at.clone(),
        },
        true,
    )
}

fn execution_rate(funds: &Funds, cx: &Cx, notes: &mut Vec<String>) -> Option<Computed> {
    let (row, summed) = effective_total(funds);
    let mut note = summed.then(|| {
        "年度资金总额行为空或为零，按其中各行合计计算 (the total row is blank or zero; the component rows were summed)".to_string()
    });
    let (budget, label) = match cx.profile.budget.denominator {
        Denominator::Adjusted if funds.has_adjusted_column && row.adjusted.is_some() => {
            (row.adjusted, "全年预算数")
        }
        Denominator::Adjusted => {
            if funds.has_adjusted_column {
                let n = "全年预算数未填，按年初预算数计算 (no adjusted budget printed; the initial budget was used)";
                note = Some(match note {
                    Some(prev) => format!("{prev}；{n}"),
                    None => n.to_string(),
                });
            }
            (row.initial, "年初预算数")
        }
        Denominator::Initial => (row.initial, "年初预算数"),
    };
    let Some(budget) = budget else {
        notes.push("预算数未填，执行率无法计算 (no budget printed: no execution rate)".into());
        return None;
    };
    let Some(executed) = row.executed else {
        notes.push(
            "全年执行数未填，执行率无法计算 (no executed amount printed: no execution rate)".into(),
        );
        return None;
    };
    if budget <= Decimal::ZERO {
        notes.push(format!(
            "{label}为 {budget}，执行率无定义（不作除法） (budget is {budget}: the execution rate is undefined)"
        ));
        return None;
    }
    let rate = executed.checked_div(budget)?;
    Some(cx.computed(
        rate,
        format!("B / A = {executed} / {budget}"),
        vec![
            (format!("A（{label}）"), budget.to_string()),
            ("B（全年执行数）".into(), executed.to_string()),
        ],
        note,
    ))
}

/// Words that say a qualitative target was reached, partly reached, or missed (RULES.md §3).
const ACHIEVED_WORDS: &[&str] = &[
    "达成", "完成", "达到", "是", "有效", "合规", "及时", "完整", "正常", "符合", "良好", "高效",
    "明显", "显著", "按时", "准确", "提高", "提升", "满意", "定期", "缩短", "规范", "保障",
];
const PARTIAL_WORDS: &[&str] = &["基本", "部分", "较好", "一般"];
const UNMET_WORDS: &[&str] = &[
    "未", "否", "不", "差", "没有", "无法", "滞后", "延期", "超期",
];

/// Judge a qualitative actual against its target: 达成 / 部分达成 / 未达成 / 未知.
pub fn judge_text(target: &Measure, actual: &Measure) -> Achievement {
    let Some(a) = actual.text() else {
        return Achievement::Unknown;
    };
    if target.text() == Some(a) {
        return Achievement::Achieved;
    }
    if PARTIAL_WORDS.iter().any(|w| a.contains(w)) {
        return Achievement::Partial;
    }
    if UNMET_WORDS.iter().any(|w| a.contains(w)) {
        return Achievement::Unmet;
    }
    if target
        .text()
        .is_some_and(|t| !t.is_empty() && a.contains(t))
        || ACHIEVED_WORDS.iter().any(|w| a.contains(w))
    {
        return Achievement::Achieved;
    }
    Achievement::Unknown
}

fn score_indicator(index: usize, ind: &Indicator, cx: &Cx) -> IndicatorScore {
    let target = Measure::parse_opt(ind.target.as_deref());
    let actual = Measure::parse_opt(ind.actual.as_deref());
    let kind = match (&target.kind, &actual.kind) {
        (MeasureKind::Empty, _) | (_, MeasureKind::Empty) => IndicatorKind::Unknown,
        (MeasureKind::Quantity { .. } | MeasureKind::Range { .. }, _) => {
            IndicatorKind::Quantitative
        }
        (MeasureKind::Deadline { .. }, _) => IndicatorKind::Deadline,
        (MeasureKind::Text { .. }, _) => IndicatorKind::Qualitative,
    };
    let mut out = IndicatorScore {
        index,
        kind,
        target,
        actual,
        met: None,
        ratio: None,
        computed: None,
        band: None,
        achievement: None,
        note: None,
    };
    let Some(w) = ind.weight else {
        // Without a weight nothing can be scored; the met/unmet judgement still helps.
        match kind {
            IndicatorKind::Quantitative => {
                let _ = quantitative(&mut out, Decimal::ZERO, cx);
                out.computed = None;
            }
            IndicatorKind::Qualitative | IndicatorKind::Deadline => {
                out.achievement = Some(judge_text(&out.target, &out.actual));
            }
            IndicatorKind::Unknown => {}
        }
        out.note = Some("未填分值，不计算得分 (no weight: not scored)".into());
        return out;
    };
    match kind {
        IndicatorKind::Quantitative => {
            out.computed = quantitative(&mut out, w, cx);
        }
        IndicatorKind::Qualitative => {
            qualitative(&mut out, w, ind.score, cx);
        }
        IndicatorKind::Deadline => {
            let ach = judge_deadline(&out.target, &out.actual);
            if ach == Achievement::Achieved {
                out.met = Some(true);
                out.achievement = Some(ach);
                out.computed = Some(cx.computed(
                    w,
                    format!("按时完成 → W = {w}"),
                    vec![
                        ("W".into(), w.to_string()),
                        ("T".into(), out.target.printed.clone()),
                        ("A".into(), out.actual.printed.clone()),
                    ],
                    Some("时限指标按时完成记满分 (on time → full weight) [ours]".into()),
                ));
            } else {
                if ach == Achievement::Unmet {
                    out.met = Some(false);
                }
                qualitative(&mut out, w, ind.score, cx);
            }
        }
        IndicatorKind::Unknown => {
            out.note = Some(
                "目标值或实际完成值未填，不计算得分 (target or actual missing: not scored)".into(),
            );
        }
    }
    out
}

fn judge_deadline(target: &Measure, actual: &Measure) -> Achievement {
    if actual.text().is_some() && actual.text() == target.text() {
        return Achievement::Achieved;
    }
    judge_text(target, actual)
}

/// The qualitative band and the score inside it (RULES.md §3: the evaluator's choice, checked).
fn qualitative(out: &mut IndicatorScore, w: Decimal, printed: Option<Decimal>, cx: &Cx) {
    let ach = judge_text(&out.target, &out.actual);
    out.achievement = Some(ach);
    let bands = &cx.profile.qualitative;
    let band = match ach {
        Achievement::Achieved => Some(bands.achieved),
        Achievement::Partial => Some(bands.partial),
        Achievement::Unmet => Some(bands.unmet),
        Achievement::Unknown => None,
    };
    let inputs = vec![
        ("W".into(), w.to_string()),
        ("T".into(), out.target.printed.clone()),
        ("A".into(), out.actual.printed.clone()),
    ];
    let Some((lo, hi)) = band else {
        out.computed = printed.map(|p| {
            cx.computed(
                p,
                format!("按填报得分 {p}"),
                inputs,
                Some(
                    "无法判断完成情况，沿用填报得分 (achievement unknown: printed score kept)"
                        .into(),
                ),
            )
        });
        return;
    };
    let (lo, hi) = (w * lo, w * hi);
    out.band = Some((lo, hi));
    let label = ach.label_zh();
    out.computed = Some(match printed {
        Some(p) if p >= lo && p <= hi => cx.computed(
            p,
            format!("{label}：得分在 [{lo}, {hi}] 内，按填报 {p}"),
            inputs,
            None,
        ),
        Some(p) => {
            let c = p.max(lo).min(hi);
            cx.computed(
                c,
                format!("{label}：得分限于 [{lo}, {hi}]，填报 {p} → {c}"),
                inputs,
                Some(format!(
                    "填报得分 {p} 不在「{label}」档 [{lo}, {hi}] 内，按档限调整 (printed score outside the band, clamped)"
                )),
            )
        }
        None => cx.computed(
            hi,
            format!("{label}：未填报得分，取档上限 {hi}"),
            inputs,
            Some("未填报得分，取该档上限 (no printed score: top of the band)".into()),
        ),
    });
}

/// Quantitative scoring (RULES.md §3). Sets `met` and `ratio`; returns the computed score.
fn quantitative(out: &mut IndicatorScore, w: Decimal, cx: &Cx) -> Option<Computed> {
    let rules = &cx.profile.scoring;
    let (t_unit, a_unit) = (out.target.unit(), out.actual.unit());
    let inputs = vec![
        ("W".into(), w.to_string()),
        ("T".into(), out.target.printed.clone()),
        ("A".into(), out.actual.printed.clone()),
    ];
    let MeasureKind::Quantity { number: a, .. } = out.actual.kind else {
        out.note = Some(format!(
            "实际完成值「{}」不是数值，不作计算 (the actual is not a number: not scored)",
            out.actual.printed
        ));
        return None;
    };
    // Units must agree. A target without a unit (`=0`) takes the actual's; an actual
    // printed as a bare number (`735` for `≧735人次`, common in published forms) is read in
    // the target's unit, and the derivation says so.
    let mut assumed_unit_note = None;
    let unit_note = match (t_unit, a_unit) {
        (Some(t), Some(a)) if t != a => Some(format!(
            "目标单位「{t}」与实际单位「{a}」不同，不作计算 (units differ: not scored)"
        )),
        (Some(t), None) => {
            assumed_unit_note = Some(format!(
                "实际完成值未注明单位，按目标单位「{t}」计算 (the actual has no unit: taken in the target's unit)"
            ));
            None
        }
        _ => None,
    };
    // A range target is met from its low end up (above it is over-achievement, a finding).
    let (op, t) = match &out.target.kind {
        MeasureKind::Quantity { op, number, .. } => (*op, *number),
        MeasureKind::Range { low, .. } => (Operator::AtLeast, *low),
        _ => return None,
    };
    if !t.is_zero() {
        out.ratio = a.checked_div(t);
    }
    let computed = |value: Decimal, formula: String, note: Option<String>| {
        let value = value.max(Decimal::ZERO).min(w);
        Some(cx.computed(value, formula, inputs.clone(), note))
    };
    let no_op_note = (op == Operator::NoOperator)
        .then(|| "目标未写比较符，按正向指标（≥）计分 (no operator: scored as ≥)".to_string());
    let positive_like = op.is_positive()
        || op == Operator::NoOperator
        || (op == Operator::Exact && rules.exact_as_positive);
    let result = if (op == Operator::Exact || op == Operator::NoOperator)
        && t.is_zero()
        && rules.zero_target_all_or_nothing
    {
        // 事故 0次, 有责投诉率=0: any occurrence misses the whole target.
        let met = a <= Decimal::ZERO;
        out.met = Some(met);
        let v = if met { w } else { Decimal::ZERO };
        computed(
            v,
            format!("T = 0：A ≤ 0 → W，否则 0；A = {a} → {v}"),
            no_op_note,
        )
    } else if positive_like {
        let met = match op {
            Operator::Greater => a > t,
            _ => a >= t,
        };
        out.met = Some(met);
        if met {
            computed(w, format!("A ≥ T → W = {w}"), no_op_note)
        } else if t > Decimal::ZERO {
            let v = w * a / t;
            computed(v, format!("W × A/T = {w} × {a}/{t}"), no_op_note)
        } else {
            None
        }
    } else if op.is_reverse() {
        let met = match op {
            Operator::Less => a < t,
            _ => a <= t,
        };
        out.met = Some(met);
        if met {
            computed(w, format!("A ≤ T → W = {w}"), None)
        } else {
            match rules.reverse_formula {
                ReverseFormula::Ratio if a > Decimal::ZERO && t >= Decimal::ZERO => {
                    computed(w * t / a, format!("W × T/A = {w} × {t}/{a}"), None)
                }
                ReverseFormula::Linear if t > Decimal::ZERO => computed(
                    w * (Decimal::ONE - (a - t) / t),
                    format!("W × max(0, 1 − (A−T)/T) = {w} × max(0, 1 − ({a}−{t})/{t})"),
                    None,
                ),
                _ => computed(Decimal::ZERO, format!("T = {t}，A = {a} → 0"), None),
            }
        }
    } else {
        // `=` scored by deviation when the profile does not treat it as `≥`.
        let met = a == t;
        out.met = Some(met);
        if met {
            computed(w, format!("A = T → W = {w}"), None)
        } else if t > Decimal::ZERO {
            let dev = (a - t).abs() / t;
            computed(
                w * (Decimal::ONE - dev),
                format!("W × (1 − |A−T|/T) = {w} × (1 − |{a}−{t}|/{t})"),
                None,
            )
        } else {
            None
        }
    };
    if let Some(n) = unit_note {
        // The judgement above assumed the same unit; without it nothing is claimed.
        out.met = None;
        out.ratio = None;
        out.note = Some(n);
        return None;
    }
    let mut result = result;
    if let Some(n) = assumed_unit_note {
        if let Some(c) = result.as_mut() {
            c.note = Some(match c.note.take() {
                Some(earlier) => format!("{earlier}；{n}"),
                None => n.clone(),
            });
        }
        out.note = Some(n);
    }
    if result.is_none() && out.note.is_none() {
        out.note = Some(format!(
            "目标值 {t} 无法按比例计分 (target {t}: no proportional rule applies)"
        ));
    }
    result
}
