//! Review checks (审核): what reviewers find in real forms (RULES.md §5). One check = one
//! entry in [`CHECKS`] with its code, severity and rule, and one small function below.

use crate::finding::{Finding, Severity};
use crate::measure::{MeasureKind, Operator};
use crate::model::{
    compact, compact_eq, compacted, contains_str, may_hold_whitespace, Evaluation, Indicator,
    Level1, Level2, Loc, PrintedDecimal,
};
use crate::num::{cmp, decimal_compact, digits_u64, sum_value, two_digits, ExactSum, POW10_U128};
use crate::profile::Profile;
use crate::score::{
    effective_total, pct_compact, Achievement, IndicatorKind, IndicatorScore, Scorecard,
};
use compact_str::CompactString;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::cmp::Ordering;

/// The text pieces joined into one `String`, allocated once at its exact size: what
/// `format!` gives for plain `{}` arguments, without the formatting machinery (the checks
/// that fire on many forms build their messages with it). Each piece is pushed by its own
/// statement, not copied from a slice of pieces in a loop: a literal piece's length is then
/// known to the compiler and its copy is a few stores instead of a call to `memcpy` (half
/// the pieces of a message are literals; ≈ 10 k findings a 2 000-form run, two messages each).
macro_rules! msg {
    ($($piece:expr),* $(,)?) => {{
        let mut len = 0usize;
        $(len += AsRef::<str>::as_ref(&$piece).len();)*
        let mut joined = String::with_capacity(len);
        $(joined.push_str(AsRef::<str>::as_ref(&$piece));)*
        joined
    }};
}

/// What every check sees.
pub struct Context<'a> {
    pub ev: &'a Evaluation,
    pub card: &'a Scorecard,
    pub profile: &'a Profile,
    /// Per indicator, computed once for all checks: the name without line-wrap spaces and
    /// the normalised categories.
    info: Vec<IndicatorInfo<'a>>,
    /// The sums WEIGHT_SUM, WEIGHT_SCHEME and TOTAL_MISMATCH decide on, gathered in the same
    /// pass.
    totals: Totals,
}

/// What WEIGHT_SUM, WEIGHT_SCHEME and TOTAL_MISMATCH need of every form, gathered in the one
/// pass over the indicators that builds [`IndicatorInfo`]: each of the three summed the
/// weights or scores on its own (≈ 2.7 k instructions a form together), and they fire on few
/// forms. The sums are [`ExactSum`]s with their terms added in the order each check added
/// them; a check whose sum is not exact takes rust_decimal's, as before.
struct Totals {
    /// Some indicator has no weight.
    weight_missing: bool,
    /// Some indicator has a weight.
    any_weight: bool,
    /// Some indicator has no score.
    score_missing: bool,
    /// The budget's weight (printed, else the profile's), then every indicator's weight.
    weights: ExactSum,
    /// The budget's printed score (when there is one), then every indicator's score.
    scores: ExactSum,
    /// Per [`Level1::ALL`]: the weight of the category's indicators, and whether it has any.
    by_category: [(ExactSum, bool); 3],
    /// Some 一级 label is not one of the template's three: only such a label can print its
    /// points (`产出指标(50分)`), so without one WEIGHT_SUM has no declared points to check.
    odd_level1: bool,
}

/// The index of a category in [`Level1::ALL`].
fn slot(l1: Level1) -> usize {
    match l1 {
        Level1::Output => 0,
        Level1::Effect => 1,
        Level1::Satisfaction => 2,
    }
}

/// What checks need of an indicator's printed labels, normalised once.
struct IndicatorInfo<'a> {
    /// The name without line-wrap spaces (borrowed when it has none).
    name: Cow<'a, str>,
    /// The 二级 category as printed.
    level2: Option<Level2>,
    /// The 一级 category: as printed, else implied by the 二级 ([`Indicator::category`]).
    category: Option<Level1>,
    /// The score against the weight, when both are printed: four checks ask (SCORE_OVER_WEIGHT,
    /// MET_BUT_DEDUCTED, UNMET_FULL_SCORE, REASON_MISSING), each compared them on its own.
    score_vs_weight: Option<Ordering>,
}

impl<'a> Context<'a> {
    pub fn new(ev: &'a Evaluation, card: &'a Scorecard, profile: &'a Profile) -> Self {
        let mut totals = Totals {
            weight_missing: false,
            any_weight: false,
            score_missing: false,
            weights: ExactSum::ZERO,
            scores: ExactSum::ZERO,
            by_category: [(ExactSum::ZERO, false); 3],
            odd_level1: false,
        };
        totals
            .weights
            .add(ev.funds.weight.unwrap_or(profile.budget.weight));
        if let Some(budget) = ev.funds.score {
            totals.scores.add(budget.value);
        }
        let info = ev
            .indicators
            .iter()
            .map(|i| {
                let level2 = i.level2.as_deref().and_then(level2_of);
                // The template's labels (most rows) are told apart here, as `from_label`
                // would first, so the odd ones are known without comparing again.
                let level1 = match i.level1.as_deref() {
                    None => None,
                    Some("产出指标") => Some(Level1::Output),
                    Some("效益指标") => Some(Level1::Effect),
                    Some("满意度指标") => Some(Level1::Satisfaction),
                    Some(other) => {
                        totals.odd_level1 = true;
                        Level1::from_label(other)
                    }
                };
                let category = level1.or_else(|| level2.map(Level2::level1));
                match i.weight {
                    Some(w) => {
                        totals.any_weight = true;
                        totals.weights.add(w);
                    }
                    None => totals.weight_missing = true,
                }
                if let Some(c) = category {
                    let (sum, any) = &mut totals.by_category[slot(c)];
                    *any = true;
                    if let Some(w) = i.weight {
                        sum.add(w);
                    }
                }
                match i.score {
                    Some(s) => totals.scores.add(s),
                    None => totals.score_missing = true,
                }
                IndicatorInfo {
                    name: if name_may_hold_whitespace(&i.name) {
                        compacted(&i.name)
                    } else {
                        Cow::Borrowed(i.name.as_str())
                    },
                    level2,
                    category,
                    score_vs_weight: match (i.score, i.weight) {
                        (Some(s), Some(w)) => Some(cmp(s, w)),
                        _ => None,
                    },
                }
            })
            .collect();
        Context {
            ev,
            card,
            profile,
            info,
            totals,
        }
    }

    /// Indicators with their scores and what `new` worked out of them, row by row.
    fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.ev
            .indicators
            .iter()
            .zip(&self.card.indicators)
            .zip(&self.info)
            .enumerate()
            .map(|(i, ((ind, is), info))| Row { i, ind, is, info })
    }

    /// Indicators with their 一级 category.
    fn categorised(&self) -> impl Iterator<Item = (&Indicator, Option<Level1>)> {
        self.ev
            .indicators
            .iter()
            .zip(&self.info)
            .map(|(ind, info)| (ind, info.category))
    }
}

/// Whether an indicator's name may hold white space, eight bytes at a time: `false` when no
/// byte is below `0x21` (ASCII white space among them) nor `C0`–`C3`/`E0`–`E3` (which hold the
/// lead bytes of every non-ASCII white space: `C2`, `E1`, `E2`, `E3`). Inlined into
/// [`Context::new`]: `compacted`'s own test is a call, with a `memset` for names under
/// sixteen bytes (≈ 95 instructions a name). A `true` goes to `compacted`, which tests exactly.
#[inline(always)]
fn name_may_hold_whitespace(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Per byte, "below n" for n ≤ 0x80 as the high bit of `(w − n) & !w`: no borrow crosses
    // into a byte unless a lower byte was itself below n, so there is no hit without one.
    let word = |w: u64| {
        let low = w.wrapping_sub(ONES * 0x21) & !w;
        let lead = (w & (ONES * 0xDC)) ^ (ONES * 0xC0);
        let lead = lead.wrapping_sub(ONES) & !lead;
        (low | lead) & HIGHS != 0
    };
    let bytes = text.as_bytes();
    let Some(last) = bytes.last_chunk::<8>() else {
        return bytes.iter().any(|&b| b < 0x21 || b & 0xDC == 0xC0);
    };
    // The last eight bytes overlap bytes already tested: the test of a byte does not depend
    // on its neighbours.
    bytes.chunks_exact(8).any(|c| {
        c.first_chunk::<8>()
            .is_none_or(|c| word(u64::from_le_bytes(*c)))
    }) || word(u64::from_le_bytes(*last))
}

/// [`Level2::from_label`], the template's nine labels (nearly every row) told apart by a
/// `match` first: each arm a length test and one or two word compares the compiler inlines,
/// where `from_label`'s search of [`Level2::ALL`] calls `bcmp` for every label of the same
/// length it passes (≈ 50 instructions a row). Any other text takes `from_label`.
#[inline]
fn level2_of(text: &str) -> Option<Level2> {
    match text {
        "数量指标" => Some(Level2::Quantity),
        "质量指标" => Some(Level2::Quality),
        "时效指标" => Some(Level2::Timeliness),
        "成本指标" => Some(Level2::Cost),
        "经济效益指标" => Some(Level2::Economic),
        "社会效益指标" => Some(Level2::Social),
        "生态效益指标" => Some(Level2::Ecological),
        "可持续影响指标" => Some(Level2::Sustainability),
        "服务对象满意度指标" => Some(Level2::ServiceSatisfaction),
        _ => Level2::from_label(text),
    }
}

/// One indicator as the per-indicator checks see it: its index, the row as printed, its
/// score and its [`IndicatorInfo`] (the compacted name among it).
#[derive(Clone, Copy)]
struct Row<'c> {
    i: usize,
    ind: &'c Indicator,
    is: &'c IndicatorScore,
    info: &'c IndicatorInfo<'c>,
}

/// One review check.
pub struct Check {
    pub code: &'static str,
    pub severity: Severity,
    /// The rule it rests on.
    pub rule: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    /// Pushes findings; `review` stamps code, severity and (when empty) rule on them.
    pub run: fn(&Context, &mut Vec<Finding>),
}

const MOF: &str = "财预〔2020〕10号";
const MOF_FULL: &str =
    "财预〔2020〕10号：完成指标值的记全部分值，未完成的按完成值与指标值的比例记分";
const MOF_BANDS: &str =
    "财预〔2020〕10号：定性指标按达成 80%–100%、部分达成 60%–80%、未达成 0–60% 记分";
const OURS: &str = "RULES.md §5 [ours]";

macro_rules! check {
    ($code:literal, $sev:ident, $rule:expr, $zh:literal, $en:literal, $run:path) => {
        Check {
            code: $code,
            severity: Severity::$sev,
            rule: $rule,
            title_zh: $zh,
            title_en: $en,
            run: $run,
        }
    };
}

/// Every check, in report order.
pub static CHECKS: &[Check] = &[
    check!("FUNDS_ROW_SUM", Error, "RULES.md §1：年度资金总额 = 财政拨款 + 上年结转 + 其他资金", "资金总额与分项合计不符", "funds total differs from the sum of its rows", funds_row_sum),
    check!("EXEC_RATE_MISMATCH", Warning, "RULES.md §3：执行率 = 全年执行数 / 全年预算数", "执行率计算有误", "printed execution rate differs from B/A", exec_rate_mismatch),
    check!("EXEC_SCORE_MISMATCH", Error, "RULES.md §3：预算执行得分 = 分值 × min(执行率, 100%)", "预算执行得分有误", "printed budget score differs from W × min(rate, 1)", exec_score_mismatch),
    check!("EXEC_LOW_NO_REASON", Warning, "预算执行率未达到90%的需说明原因", "执行率偏低未说明原因", "low execution rate without a reason", exec_low_no_reason),
    check!("BUDGET_ADJUSTED", Info, "年中发生预算调整的应单独说明理由（四川表注）", "年中调整预算", "budget adjusted during the year", budget_adjusted),
    check!("WEIGHT_SUM", Error, "RULES.md §2：分值合计 100，三级指标分值之和等于一级指标分值", "分值合计有误", "weights do not add up", weight_sum),
    check!("WEIGHT_SCHEME", Info, "财预〔2020〕10号：预算执行率 10、产出 50、效益 30、满意度 10", "一级指标权重与方案不同", "level-1 weights differ from the profile's scheme", weight_scheme),
    check!("TOTAL_MISMATCH", Error, "RULES.md §3：总分 = 预算执行得分 + Σ 指标得分", "总分与各项得分合计不符", "printed total differs from the sum of scores", total_mismatch),
    check!("SCORE_OVER_WEIGHT", Error, "得分不能超过分值", "得分超过分值", "score above weight", score_over_weight),
    check!("GRADE_MISMATCH", Error, "RULES.md §3：≥90 优，≥80 良，≥60 中，其余差（按配置）", "等级与总分不符", "printed grade does not match the total", grade_mismatch),
    check!("MET_BUT_DEDUCTED", Warning, MOF_FULL, "已完成指标却扣分", "target met yet points deducted", met_but_deducted),
    check!("UNMET_FULL_SCORE", Warning, MOF_FULL, "未完成指标却得满分", "target missed yet full score", unmet_full_score),
    check!("PROPORTIONAL_MISMATCH", Warning, MOF_FULL, "未完成指标的得分不符合比例", "shortfall not scored in proportion", proportional_mismatch),
    check!("QUAL_BAND", Warning, MOF_BANDS, "定性指标得分不在对应档次", "qualitative score outside its band", qual_band),
    check!("OVERACHIEVED", Warning, "财预〔2020〕10号：目标设定偏低、大幅超额完成的，按偏离度适度调减；超额 30% 以上须说明 [ours: threshold]", "大幅超额完成（目标可能偏低）", "target exceeded by far (set too low?)", overachieved),
    check!("EQUALS_EXCEEDED", Info, OURS, "「=」目标与实际值不等", "`=` target with a different actual", equals_exceeded),
    check!("REASON_MISSING", Warning, "财预〔2020〕10号：偏差须分析原因并提出改进措施", "有偏差未说明原因", "deviation without a reason", reason_missing),
    check!("TARGET_NO_OPERATOR", Info, OURS, "目标值未写比较符", "numeric target without operator", target_no_operator),
    check!("ACTUAL_NOT_MEASURED", Warning, OURS, "实际完成值不是实测值", "actual is boilerplate or copies the target", actual_not_measured),
    check!("TARGETS_VAGUE", Info, "财预〔2020〕10号：绩效指标应细化、量化，可衡量", "多数指标为定性（难以衡量）", "most targets are qualitative", targets_vague),
    check!("TARGET_MISSING", Warning, OURS, "指标值或完成值缺失", "target or actual missing", target_missing),
    check!("GOAL_COPY", Info, OURS, "实际完成情况照抄预期目标", "actual achievements copy the goal", goal_copy),
    check!("UNIT_MISMATCH", Warning, OURS, "单位不一致", "units differ", unit_mismatch),
    check!("MISCLASSIFIED", Info, "财预〔2020〕10号 指标体系：数量/质量/时效/成本，经济/社会/生态/可持续，满意度", "指标归类可能有误", "indicator filed under the wrong category", misclassified),
    check!("TEXT_CONTRADICTS_DATA", Info, OURS, "文字说明与数据矛盾", "text contradicts the data", text_contradicts_data),
];

/// Run every check. The findings are those of running the checks one after the other (see
/// [`review_by_check`]), in an order that sorts by location as theirs does (engine.rs): the
/// per-indicator checks are run in one walk of the indicators ([`review_walk`]), which the
/// check-by-check order is taken instead of whenever the two could sort differently.
pub fn review(ev: &Evaluation, card: &Scorecard, profile: &Profile) -> Vec<Finding> {
    let ctx = Context::new(ev, card, profile);
    // Room for the five findings of a typical form (≈ 10 k in a 2 000-form run), so the
    // vector is not grown from 4 to 8, moving the findings, on most forms.
    let mut out = Vec::with_capacity(8);
    if !review_walk(&ctx, &mut out) {
        out.clear();
        review_by_check(&ctx, &mut out);
    }
    out
}

/// The general path: every check in [`CHECKS`]'s order, each walking the indicators on its
/// own. Findings at one location keep this order through the engine's stable sort.
fn review_by_check(ctx: &Context, out: &mut Vec<Finding>) {
    for check in CHECKS {
        let start = out.len();
        (check.run)(ctx, out);
        stamp(check, &mut out[start..]);
    }
}

/// Code, severity and (when the check wrote none) rule of `check` on its findings.
#[inline]
fn stamp(check: &Check, found: &mut [Finding]) {
    for f in found {
        f.code = Cow::Borrowed(check.code);
        f.severity = check.severity;
        if f.rule.is_empty() {
            f.rule = Cow::Borrowed(check.rule);
        }
    }
}

/// Indices in [`CHECKS`] of the checks [`review_walk`] runs itself (a test holds them to the
/// codes). The checks before SCORE_OVER_WEIGHT look at the form, not at its indicators.
const SCORE_OVER_WEIGHT: usize = 8;
const MET_BUT_DEDUCTED: usize = 10;
const UNMET_FULL_SCORE: usize = 11;
const PROPORTIONAL_MISMATCH: usize = 12;
const QUAL_BAND: usize = 13;
const OVERACHIEVED: usize = 14;
const EQUALS_EXCEEDED: usize = 15;
const REASON_MISSING: usize = 16;
const TARGET_NO_OPERATOR: usize = 17;
const ACTUAL_NOT_MEASURED: usize = 18;
const TARGET_MISSING: usize = 20;
const UNIT_MISMATCH: usize = 22;
const MISCLASSIFIED: usize = 23;
/// The checks after SCORE_OVER_WEIGHT that look at the form: run after the walk.
const AFTER_WALK: [usize; 4] = [9, 19, 21, 24];

/// The checks of [`review_by_check`] with the thirteen per-indicator ones run in one walk of
/// the indicators (each walked them on its own: ≈ 13 × 16 k steps a 2 000-form run), each
/// indicator's findings in check order, and the form's checks after SCORE_OVER_WEIGHT after
/// the walk. The engine sorts findings by location (line first), stably; findings of equal
/// location (and severity) must keep the check order. They do when every indicator's findings
/// are located and lie on lines after those of the indicators before (no two indicators then
/// share a location, and one indicator's are in check order), and no finding of a form check
/// run after the walk lies on a line of the walk's findings. `false` when that does not hold
/// (damaged inputs): the caller runs [`review_by_check`] instead.
fn review_walk(cx: &Context, out: &mut Vec<Finding>) -> bool {
    for check in &CHECKS[..SCORE_OVER_WEIGHT] {
        let start = out.len();
        (check.run)(cx, out);
        stamp(check, &mut out[start..]);
    }
    let start = out.len();
    score_over_weight_budget(cx, out);
    stamp(&CHECKS[SCORE_OVER_WEIGHT], &mut out[start..]);
    let mut threshold_pct = None;
    // The lines of the walk's findings so far: the last line of the last indicator with
    // findings, and the range of all.
    let mut last_line: Option<u32> = None;
    let (mut lo, mut hi) = (u32::MAX, 0u32);
    for r in cx.rows() {
        let row_start = out.len();
        macro_rules! each {
            ($k:expr, $call:expr) => {{
                let start = out.len();
                $call;
                if out.len() != start {
                    stamp(&CHECKS[$k], &mut out[start..]);
                }
            }};
        }
        each!(SCORE_OVER_WEIGHT, score_over_weight_row(r, out));
        each!(MET_BUT_DEDUCTED, met_but_deducted_row(r, out));
        each!(UNMET_FULL_SCORE, unmet_full_score_row(r, out));
        each!(PROPORTIONAL_MISMATCH, proportional_mismatch_row(r, out));
        each!(QUAL_BAND, qual_band_row(r, out));
        each!(
            OVERACHIEVED,
            overachieved_row(cx, r, &mut threshold_pct, out)
        );
        each!(EQUALS_EXCEEDED, equals_exceeded_row(r, out));
        each!(REASON_MISSING, reason_missing_row(cx, r, out));
        each!(TARGET_NO_OPERATOR, target_no_operator_row(r, out));
        each!(ACTUAL_NOT_MEASURED, actual_not_measured_row(r, out));
        each!(TARGET_MISSING, target_missing_row(r, out));
        each!(UNIT_MISMATCH, unit_mismatch_row(r, out));
        each!(MISCLASSIFIED, misclassified_row(r, out));
        if out.len() != row_start {
            let (mut first, mut last) = (u32::MAX, 0u32);
            for f in &out[row_start..] {
                let Some(at) = &f.location else {
                    return false;
                };
                first = first.min(at.line);
                last = last.max(at.line);
            }
            if last_line.is_some_and(|l| first <= l) {
                return false;
            }
            last_line = Some(last);
            (lo, hi) = (lo.min(first), last);
        }
    }
    for k in AFTER_WALK {
        let check = &CHECKS[k];
        let start = out.len();
        (check.run)(cx, out);
        for f in &mut out[start..] {
            if f.location
                .as_ref()
                .is_some_and(|at| (lo..=hi).contains(&at.line))
            {
                return false;
            }
        }
        stamp(check, &mut out[start..]);
    }
    true
}

/// A finding whose code, severity and rule `review` fills in.
fn hit(zh: impl Into<String>, en: impl Into<String>) -> Finding {
    Finding::new("", Severity::Info, zh, en)
}

fn loc(a: &Option<Loc>, b: &Option<Loc>) -> Option<Loc> {
    a.clone().or_else(|| b.clone())
}

/// Is `computed` within half a unit of the printed precision of `printed`? A difference
/// too large to compute (both near `Decimal::MAX`, opposite signs) exceeds any tolerance:
/// they do not agree. Checked, not `-`: rust_decimal's operators panic on overflow, and
/// both values come from the form.
fn agrees(printed: PrintedDecimal, computed: Decimal) -> bool {
    printed
        .value
        .checked_sub(computed)
        .is_some_and(|d| cmp(d.abs(), tolerance(printed)).is_le())
}

/// [`PrintedDecimal::tolerance`], also for 28 printed decimals and more, where
/// `Decimal::new(5, decimals + 1)` would panic: half a unit beyond the smallest decimal there
/// is, so only an equal value agrees (a zero tolerance says the same).
fn tolerance(p: PrintedDecimal) -> Decimal {
    if p.decimals < 28 {
        p.tolerance()
    } else {
        Decimal::ZERO
    }
}

/// What a message shows for a number that cannot be computed: a sum or a percentage beyond
/// `Decimal::MAX` (rust_decimal's operators would panic). Chinese, English.
const TOO_LARGE: (&str, &str) = ("超出可计算范围", "too large to compute");

/// The sum of `terms` in their order, `None` when a partial sum overflows (`.sum()` would
/// panic).
fn checked_sum(mut terms: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    terms.try_fold(Decimal::ZERO, |acc, d| acc.checked_add(d))
}

/// [`n`] of a number that may not have been computable: the Chinese and the English text.
fn n_or(v: Option<Decimal>) -> (CompactString, CompactString) {
    match v {
        Some(v) => {
            let t = n(v);
            (t.clone(), t)
        }
        None => (TOO_LARGE.0.into(), TOO_LARGE.1.into()),
    }
}

/// `pct_compact(fraction)` when `fraction × 100` (which it computes) fits, else `None`.
fn pct_checked(fraction: Decimal) -> Option<CompactString> {
    if let Some(p) = pct_fast(fraction) {
        return Some(p);
    }
    if hundredfold_fits(fraction) {
        return Some(pct_compact(fraction));
    }
    fraction
        .checked_mul(Decimal::ONE_HUNDRED)
        .map(|_| pct_compact(fraction))
}

/// `fraction × 100` certainly fits, told from the scale and mantissa without rust_decimal's
/// multiplication (≈ 60 instructions for every percentage a message prints): with 2 decimals
/// or more the product is the same mantissa at 2 decimals fewer; with fewer, the whole
/// number `m × 10^(2 − scale)` fits when it is at most the largest mantissa. `false` only
/// means "ask `checked_mul`".
fn hundredfold_fits(fraction: Decimal) -> bool {
    const MAX_MANTISSA: u128 = (1 << 96) - 1;
    let (m, scale) = (fraction.mantissa().unsigned_abs(), fraction.scale());
    match scale {
        0 => m <= MAX_MANTISSA / 100,
        1 => m <= MAX_MANTISSA / 10,
        _ => true,
    }
}

/// [`pct_checked`] of a non-negative fraction from its mantissa, without rust_decimal's
/// multiplication and rounding or the general decimal writer (≈ 700 instructions a
/// percentage: OVERACHIEVED's ratios and EXEC_LOW_NO_REASON's rates are 28-decimal
/// quotients). rust_decimal's `× 100` of a mantissa below 2⁹⁶ is exact (at scale 2 or more
/// the product fits once divided by at most 10², which leaves no remainder; below, it is
/// exact or overflows), so `pct_compact` rounds the exact `m × 100 / 10^s` half away from
/// zero to 2 decimals: `m / 10^(s − 4)` rounded, or `m × 10^(4 − s)` below 4 decimals.
/// `None` (the general path) for a negative fraction (the sign of a zero result) and a
/// percentage beyond `u64`.
fn pct_fast(fraction: Decimal) -> Option<CompactString> {
    if fraction.is_sign_negative() {
        return None;
    }
    let (m, s) = (
        fraction.mantissa().unsigned_abs(),
        fraction.scale() as usize,
    );
    let r = if s >= 4 {
        let p = POW10_U128[s - 4];
        let (q, rem) = match (u64::try_from(m), u64::try_from(p)) {
            // Most rates and thresholds: a 64-bit division.
            (Ok(m), Ok(p)) => (u128::from(m / p), u128::from(m % p)),
            // One 128-bit division (a call), the remainder from the quotient.
            _ => {
                let q = m / p;
                (q, m - q * p)
            }
        };
        // Half away from zero: a remainder of at least half the divisor rounds up.
        q + u128::from(rem >= p - rem)
    } else {
        m.checked_mul(POW10_U128[4 - s])?
    };
    Some(percent_text(false, u64::try_from(r).ok()?))
}

/// The percentage `±r / 100` as `Display` writes a decimal of scale 2, then `%`
/// (`13333` → `133.33%`, `5` → `0.05%`): what `concat(&[Num(p), Text("%")])` writes for a
/// rounded percentage `p`, without the general writer.
fn percent_text(negative: bool, r: u64) -> CompactString {
    let mut buf = [0u8; 32];
    let end = buf.len();
    buf[end - 1] = b'%';
    buf[end - 3..end - 1].copy_from_slice(&two_digits((r % 100) as u32));
    buf[end - 4] = b'.';
    let mut start = digits_u64(r / 100, &mut buf, end - 4);
    if negative {
        start -= 1;
        buf[start] = b'-';
    }
    // Only ASCII digits, a sign, a point and `%` were written.
    CompactString::from_utf8(&buf[start..]).unwrap_or_default()
}

/// [`pct_checked`] as the Chinese and the English text.
fn pct_or(fraction: Option<Decimal>) -> (CompactString, CompactString) {
    match fraction.and_then(pct_checked) {
        Some(p) => (p.clone(), p),
        None => (TOO_LARGE.0.into(), TOO_LARGE.1.into()),
    }
}

/// A printed score carries its printed decimals in its scale.
fn printed_score(v: Decimal) -> PrintedDecimal {
    PrintedDecimal::new(v, v.scale())
}

/// A number as messages print it (trailing zeros dropped), inline: no allocation.
fn n(v: Decimal) -> CompactString {
    // A non-negative whole number (most weights and scores) has no trailing zeros to drop
    // (`normalize` would only turn a negative zero into zero): ≈ 30 instructions saved.
    if v.scale() == 0 && !v.is_sign_negative() {
        return decimal_compact(v);
    }
    decimal_compact(v.normalize())
}

/// What a reason cell holds when no reason is given.
const NO_TEXT: [&str; 4] = ["无", "/", "—", "-"];

#[inline]
fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|t| {
        let Some(&first) = t.as_bytes().first() else {
            return true;
        };
        // A text whose first character is neither white space nor the first of a
        // placeholder is not blank (compacted, it starts with that character): printable
        // ASCII but `/` and `-`, or a character from U+4000 on (no white space there) but 无.
        // Every reason given — and every reason cell of a form checked for it — is decided
        // here without a scan.
        if (first > b' ' && first < 0x80 && first != b'/' && first != b'-')
            || (first >= 0xE4 && !t.starts_with('无'))
        {
            return false;
        }
        blank_general(t)
    })
}

/// [`blank`] of a printed text, without the first-character shortcut.
fn blank_general(t: &str) -> bool {
    {
        if !may_hold_whitespace(t) {
            // No white space to compact away (most cells, checked for every indicator):
            // blank only when empty or exactly a placeholder.
            return t.is_empty() || NO_TEXT.contains(&t);
        }
        t.chars().all(char::is_whitespace) || NO_TEXT.iter().any(|w| compact_eq(t, w))
    }
}

/// `s.trim()`, without decoding when neither end can be white space: its first byte is
/// printable ASCII or leads a character from U+4000 on (`E4`–`F4`: no white space there), and
/// so is its last character (printable ASCII, or a three-byte character led by `E4`–`EF`).
/// Messages print the target and actual as printed, trimmed (≈ 80 instructions a `trim`).
#[inline]
fn trimmed(s: &str) -> &str {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return s;
    };
    let plain = |c: u8| c > b' ' && c < 0x80;
    let last_plain = plain(last)
        || b.len()
            .checked_sub(3)
            .is_some_and(|i| matches!(b[i], 0xE4..=0xEF));
    if (plain(first) || first >= 0xE4) && last_plain {
        return s;
    }
    s.trim()
}

// ---- funds -------------------------------------------------------------------------------

fn funds_row_sum(cx: &Context, out: &mut Vec<Finding>) {
    let [initial, adjusted, executed] = funds_sums(&cx.ev.funds);
    // One call per column, each with its own accessor (for the message's sum): the
    // accessors were `fn` pointers in an array, called through the pointer for every row.
    funds_column(cx, out, "年初预算数", "initial budget", initial, |r| {
        r.initial
    });
    funds_column(
        cx,
        out,
        "全年预算数",
        "adjusted budget",
        adjusted,
        |r| r.adjusted,
    );
    funds_column(cx, out, "全年执行数", "executed", executed, |r| {
        r.executed
    });
}

/// Per amount column (initial, adjusted, executed): whether some row under the total prints
/// an amount in it, and their exact sum, in one walk of the rows (each column's terms in the
/// order of its rows, as a walk per column added them). The walk per column went through a
/// chained iterator and an accessor for each of its three to four rows: ≈ 0.7 % of the run's
/// time for a check that fires on few forms.
fn funds_sums(f: &crate::model::Funds) -> [(bool, ExactSum); 3] {
    let mut sums = [(false, ExactSum::ZERO); 3];
    add_fund_row(&mut sums, &f.appropriation);
    add_fund_row(&mut sums, &f.carryover);
    add_fund_row(&mut sums, &f.other);
    for (_, r) in &f.extra {
        add_fund_row(&mut sums, r);
    }
    sums
}

/// [`funds_sums`] of one row, inlined (as a closure it was a call a row).
#[inline(always)]
fn add_fund_row(sums: &mut [(bool, ExactSum); 3], r: &crate::model::FundRow) {
    for ((printed, exact), v) in sums.iter_mut().zip([r.initial, r.adjusted, r.executed]) {
        if let Some(v) = v {
            *printed = true;
            exact.add(v);
        }
    }
}

/// FUNDS_ROW_SUM of one amount column (`get` picks it from a funds row), decided on
/// `(printed, exact)`: whether some row prints an amount in the column, and their exact sum.
fn funds_column(
    cx: &Context,
    out: &mut Vec<Finding>,
    zh: &str,
    en: &str,
    (printed, exact): (bool, ExactSum),
    get: impl Fn(&crate::model::FundRow) -> Option<Decimal> + Copy,
) {
    let f = &cx.ev.funds;
    // Walked once per column instead of collected: no allocation for every form.
    let parts = || {
        [&f.appropriation, &f.carryover, &f.other]
            .into_iter()
            .chain(f.extra.iter().map(|(_, r)| r))
    };
    // Blank cells are not zeros: with no printed part there is nothing to compare.
    if !printed {
        return;
    }
    // `None`: the rows add up beyond `Decimal::MAX`, so to more than any printed total.
    let sum = || checked_sum(parts().filter_map(get));
    let value = exact.value().or_else(sum);
    let total = get(&f.total);
    let wrong = match (total, value) {
        (_, None) => true,
        (Some(t), Some(value)) => cmp(t, value).is_ne(),
        // A blank total above money in its rows is a total never filled in.
        (None, Some(value)) => !value.is_zero(),
    };
    if wrong {
        let t = total.map(n).unwrap_or_else(|| "空".into());
        let (sum_zh, sum_en) = n_or(sum());
        out.push(
            hit(
                msg!(zh, "：年度资金总额为 ", t, "，而其中各项合计为 ", sum_zh),
                msg!(
                    en,
                    ": the total row prints ",
                    t,
                    " but its rows add up to ",
                    sum_en
                ),
            )
            .at(loc(&f.total.at, &cx.ev.at.funds_total)),
        );
    }
}

fn exec_rate_mismatch(cx: &Context, out: &mut Vec<Finding>) {
    let (Some(printed), Some(rate)) = (cx.ev.funds.rate, &cx.card.execution_rate) else {
        return;
    };
    let hundred = Decimal::ONE_HUNDRED;
    let agree = match (
        printed.value.checked_mul(hundred),
        rate.value.checked_mul(hundred),
    ) {
        (Some(p), Some(r)) => agrees(PrintedDecimal::new(p, printed.decimals), r),
        // A percentage beyond `Decimal::MAX`: the same comparison on the fractions, the
        // tolerance a hundredth (`|100 p − 100 r| ≤ t` ⇔ `|p − r| ≤ t / 100`).
        _ => agrees(
            PrintedDecimal::new(printed.value, printed.decimals.saturating_add(2)),
            rate.value,
        ),
    };
    if !agree {
        let (shown_zh, shown_en) = match &cx.ev.funds.rate_printed {
            Some(s) => (s.clone(), s.clone()),
            None => {
                let (zh, en) = pct_or(Some(printed.value));
                (zh.into_string(), en.into_string())
            }
        };
        let (rate_zh, rate_en) = pct_or(Some(rate.value));
        out.push(
            hit(
                format!("执行率填报 {shown_zh}，按 {} 应为 {rate_zh}", rate.formula,),
                format!(
                    "execution rate printed {shown_en}; {} gives {rate_en}",
                    rate.formula,
                ),
            )
            .at(loc(&cx.ev.at.funds_rate, &cx.ev.funds.total.at)),
        );
    }
}

fn exec_score_mismatch(cx: &Context, out: &mut Vec<Finding>) {
    let (Some(printed), Some(s)) = (cx.ev.funds.score, &cx.card.budget_score) else {
        return;
    };
    if !agrees(printed, s.value) {
        // The formula is kept as numbers (`Formula`); a firing check prints it once.
        let (p, shown, formula) = (n(printed.value), s.display(), s.formula.to_string());
        out.push(
            hit(
                msg!("预算执行得分填报 ", p, "，按 ", formula, " 应为 ", shown),
                msg!("budget score printed ", p, "; ", formula, " gives ", shown),
            )
            .at(loc(&cx.ev.at.funds_score, &cx.ev.funds.total.at)),
        );
    }
}

fn exec_low_no_reason(cx: &Context, out: &mut Vec<Finding>) {
    let Some(rate) = &cx.card.execution_rate else {
        return;
    };
    if cmp(rate.value, cx.profile.budget.reason_below).is_lt()
        && blank(cx.ev.funds.reason.as_deref())
    {
        let (rate_zh, rate_en) = pct_or(Some(rate.value));
        let (below_zh, below_en) = pct_or(Some(cx.profile.budget.reason_below));
        out.push(
            hit(
                msg!("执行率 ", rate_zh, " 低于 ", below_zh, "，未说明原因"),
                msg!(
                    "execution rate ",
                    rate_en,
                    " is below ",
                    below_en,
                    " with no reason given"
                ),
            )
            .at(loc(&cx.ev.at.funds_rate, &cx.ev.funds.total.at)),
        );
    }
}

fn budget_adjusted(cx: &Context, out: &mut Vec<Finding>) {
    if !cx.ev.funds.has_adjusted_column {
        return;
    }
    let (row, _) = effective_total(&cx.ev.funds);
    let (Some(initial), Some(adjusted)) = (row.initial, row.adjusted) else {
        return;
    };
    if initial == adjusted || initial.is_zero() {
        return;
    }
    let change = match adjusted.checked_sub(initial) {
        Some(d) => quotient_pct(d, initial),
        // The difference overflows: `adjusted / initial − 1` is the same change.
        None => adjusted
            .checked_div(initial)
            .and_then(|q| q.checked_sub(Decimal::ONE))
            .and_then(pct_checked),
    };
    let (change_zh, change_en) = match change {
        Some(c) => (c.clone(), c),
        None => (TOO_LARGE.0.into(), TOO_LARGE.1.into()),
    };
    let unit = cx.ev.money_unit.as_deref().unwrap_or_default();
    let (initial, adjusted) = (n(initial), n(adjusted));
    out.push(
        hit(
            msg!(
                "全年预算数由年初 ",
                initial,
                unit,
                " 调整为 ",
                adjusted,
                unit,
                "（",
                change_zh,
                "），应说明调整理由"
            ),
            msg!(
                "budget adjusted from ",
                initial,
                " to ",
                adjusted,
                " ",
                unit,
                " (",
                change_en,
                "); the change needs a reason"
            ),
        )
        .at(loc(&cx.ev.funds.total.at, &cx.ev.at.funds_total)),
    );
}

// ---- weights and totals ----------------------------------------------------------------------

fn weight_sum(cx: &Context, out: &mut Vec<Finding>) {
    let ev = cx.ev;
    if ev.truncated || ev.indicators.is_empty() || cx.totals.weight_missing {
        return;
    }
    let budget_w = ev.funds.weight.unwrap_or(cx.profile.budget.weight);
    let weights = || ev.indicators.iter().filter_map(|i| i.weight);
    let expected = ev.total_weight.unwrap_or(Decimal::ONE_HUNDRED);
    // Decided on the exact sum (`budget_w + Σ`, the same value, summed in `Context::new`);
    // the message prints rust_decimal's.
    // `None`: a sum beyond `Decimal::MAX`, more than any printed total weight.
    let value = cx
        .totals
        .weights
        .value()
        .or_else(|| checked_sum(std::iter::once(budget_w).chain(weights())));
    if value.is_none_or(|value| cmp(value, expected).is_ne()) {
        let sum = checked_sum(weights());
        let (sum_zh, sum_en) = n_or(sum);
        let (all_zh, all_en) = n_or(sum.and_then(|s| budget_w.checked_add(s)));
        out.push(
            hit(
                format!(
                    "分值合计为 {} + {sum_zh} = {all_zh}，应为 {}",
                    n(budget_w),
                    n(expected)
                ),
                format!(
                    "weights add up to {} + {sum_en} = {all_en}, not {}",
                    n(budget_w),
                    n(expected)
                ),
            )
            .at(ev.at.total.clone()),
        );
    }
    // Only a label other than the template's can print points.
    if !cx.totals.odd_level1 {
        return;
    }
    // A 一级 label printing its points (`产出指标(50分)`) must equal its 三级 weights. The
    // points a category declares are those of its first indicator whose label prints them:
    // found in one pass, each label read at most once (most print none).
    let mut declared: [Option<Decimal>; Level1::ALL.len()] = [None; Level1::ALL.len()];
    for (i, c) in cx.categorised() {
        let Some(k) = c.and_then(|c| Level1::ALL.iter().position(|l| *l == c)) else {
            continue;
        };
        if declared[k].is_none() {
            // The template's own label (most rows) prints no points: no scan of its bytes.
            declared[k] = i
                .level1
                .as_deref()
                .filter(|l| *l != Level1::ALL[k].label())
                .and_then(points);
        }
    }
    for (l1, declared) in Level1::ALL.into_iter().zip(declared) {
        let Some(declared) = declared else { continue };
        let weights = || {
            cx.categorised()
                .filter(move |(_, c)| *c == Some(l1))
                .filter_map(|(i, _)| i.weight)
        };
        if sum_value(weights).is_none_or(|s| cmp(s, declared).is_ne()) {
            let (s_zh, s_en) = n_or(checked_sum(weights()));
            out.push(hit(
                format!(
                    "{}标明 {} 分，三级指标分值合计 {s_zh}",
                    l1.label(),
                    n(declared),
                ),
                format!(
                    "{} declares {} points; its indicators weigh {s_en}",
                    l1.label(),
                    n(declared),
                ),
            ));
        }
    }
}

/// `产出指标(50分)` → 50.
fn points(label: &str) -> Option<Decimal> {
    // Bytes first: no `(` and no `EF` (the lead byte of `（`, U+FF08) means neither bracket,
    // without decoding the label of every indicator.
    if !label.bytes().any(|b| b == b'(' || b == 0xEF) || !label.contains(['(', '（']) {
        return None;
    }
    let t = compact(label);
    let start = t.find(['(', '（'])?;
    let digits: String = t[start..]
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    digits.parse().ok()
}

fn weight_scheme(cx: &Context, out: &mut Vec<Finding>) {
    let ev = cx.ev;
    if ev.truncated || ev.indicators.is_empty() || !cx.totals.any_weight {
        return;
    }
    let w = &cx.profile.weights;
    let scheme = [
        (Level1::Output, w.output),
        (Level1::Effect, w.effect),
        (Level1::Satisfaction, w.satisfaction),
    ];
    // (exact weight of the category's indicators, whether it has any), summed in
    // `Context::new` in `Level1::ALL`'s order, the scheme's: decided on the exact sums; the
    // message prints rust_decimal's.
    let exact = &cx.totals.by_category;
    // `None`: the category's weights add up beyond `Decimal::MAX`, more than its scheme's.
    let sum_of = |l1: Level1| -> Option<Decimal> {
        checked_sum(
            cx.categorised()
                .filter(|(_, c)| *c == Some(l1))
                .filter_map(|(i, _)| i.weight),
        )
    };
    let differs = scheme.iter().zip(exact).any(|((l1, want), (sum, any))| {
        !any || sum
            .value()
            .or_else(|| sum_of(*l1))
            .is_none_or(|s| cmp(s, *want).is_ne())
    });
    if differs {
        let have = [0, 1, 2].map(|k| (sum_of(scheme[k].0), exact[k].1));
        // Chinese and English parts: only a sum too large to compute reads differently.
        let parts: Vec<(String, String)> = scheme
            .iter()
            .zip(&have)
            .map(|((l1, want), (sum, any))| {
                if *any {
                    let (zh, en) = n_or(*sum);
                    let part = |s: &str| format!("{} {s}（方案 {}）", l1.label(), n(*want));
                    (part(&zh), part(&en))
                } else {
                    let part = format!("{} 缺失（应为 {}）", l1.label(), n(*want));
                    (part.clone(), part)
                }
            })
            .collect();
        let join = |en: bool, sep: &str| {
            parts
                .iter()
                .map(|(zh, e)| if en { e.as_str() } else { zh.as_str() })
                .collect::<Vec<_>>()
                .join(sep)
        };
        out.push(hit(
            format!(
                "一级指标分值与「{}」方案不同：{}",
                cx.profile.title,
                join(false, "，")
            ),
            format!(
                "level-1 weights differ from the {} scheme: {}",
                cx.profile.name,
                join(true, ", ")
            ),
        ));
    }
}

fn total_mismatch(cx: &Context, out: &mut Vec<Finding>) {
    let ev = cx.ev;
    let (Some(total), Some(budget)) = (ev.total_score, ev.funds.score) else {
        return;
    };
    if cx.totals.score_missing {
        return;
    }
    let scores = || ev.indicators.iter().filter_map(|i| i.score);
    // Decided on the exact sum (the same value, summed in `Context::new` from the budget's
    // score on); the message prints rust_decimal's.
    // `None`: the scores add up beyond `Decimal::MAX`, more than any printed total.
    let value = cx
        .totals
        .scores
        .value()
        .or_else(|| checked_sum(std::iter::once(budget.value).chain(scores())));
    if value.is_none_or(|value| !agrees(total, value)) {
        let sum = checked_sum(scores()).and_then(|s| budget.value.checked_add(s));
        let (total, (sum_zh, sum_en)) = (n(total.value), n_or(sum));
        out.push(
            hit(
                msg!(
                    "总分填报 ",
                    total,
                    "，而预算执行得分与各指标得分合计为 ",
                    sum_zh
                ),
                msg!(
                    "total printed ",
                    total,
                    " but the scores add up to ",
                    sum_en
                ),
            )
            .at(ev.at.total.clone()),
        );
    }
}

fn score_over_weight(cx: &Context, out: &mut Vec<Finding>) {
    score_over_weight_budget(cx, out);
    for r in cx.rows() {
        score_over_weight_row(r, out);
    }
}

/// SCORE_OVER_WEIGHT of the budget's score (before the indicators').
fn score_over_weight_budget(cx: &Context, out: &mut Vec<Finding>) {
    let f = &cx.ev.funds;
    if let (Some(s), Some(w)) = (f.score, f.weight) {
        if cmp(s.value, w).is_gt() {
            let (s, w) = (n(s.value), n(w));
            out.push(
                hit(
                    msg!("预算执行得分 ", s, " 超过分值 ", w),
                    msg!("budget score ", s, " exceeds its weight ", w),
                )
                .at(loc(&cx.ev.at.funds_score, &f.total.at)),
            );
        }
    }
}

/// SCORE_OVER_WEIGHT of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn score_over_weight_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, name) = (r.i, r.ind, &*r.info.name);
    let (Some(s), Some(w)) = (ind.score, ind.weight) else {
        return;
    };
    // `s < 0` is a negative sign on a non-zero mantissa (a negative zero is zero).
    if r.info.score_vs_weight.is_some_and(Ordering::is_gt) || (s.is_sign_negative() && !s.is_zero())
    {
        let (s, w) = (n(s), n(w));
        out.push(
            hit(
                msg!("「", name, "」得分 ", s, " 不在 0 到分值 ", w, " 之间"),
                msg!("“", name, "” scores ", s, " outside 0..", w),
            )
            .indicator(i)
            .at(loc(&ind.at.score, &ind.at.row)),
        );
    }
}

fn grade_mismatch(cx: &Context, out: &mut Vec<Finding>) {
    let (Some(grade), Some(total)) = (&cx.ev.grade, cx.ev.total_score) else {
        return;
    };
    let Some(want) = cx.profile.grade_for(total.value) else {
        return;
    };
    let printed = compact(grade);
    if !printed.starts_with(want) {
        out.push(
            hit(
                format!(
                    "等级填报「{printed}」，总分 {} 按规则应为「{want}」",
                    n(total.value)
                ),
                format!(
                    "grade printed “{printed}”; a total of {} is “{want}”",
                    n(total.value)
                ),
            )
            .at(loc(&cx.ev.at.grade, &cx.ev.at.total)),
        );
    }
}

// ---- indicator scores -------------------------------------------------------------------------

/// The check-by-check form of a per-indicator check (what [`CHECKS`] holds and
/// [`review_by_check`] runs): its row function over every indicator. [`review_walk`] calls the
/// row functions itself.
macro_rules! check_by_rows {
    ($check:ident, $row:ident) => {
        fn $check(cx: &Context, out: &mut Vec<Finding>) {
            for r in cx.rows() {
                $row(r, out);
            }
        }
    };
}

check_by_rows!(met_but_deducted, met_but_deducted_row);

/// MET_BUT_DEDUCTED of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn met_but_deducted_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    let (Some(true), Some(s), Some(w)) = (is.met, ind.score, ind.weight) else {
        return;
    };
    if r.info.score_vs_weight == Some(Ordering::Less) {
        let (a, t, s, w) = (
            trimmed(&is.actual.printed),
            is.target.canonical_compact(),
            n(s),
            n(w),
        );
        out.push(
            hit(
                msg!(
                    "「",
                    name,
                    "」实际 ",
                    a,
                    " 已达到目标 ",
                    t,
                    "，却只得 ",
                    s,
                    " 分（分值 ",
                    w,
                    "）"
                ),
                msg!(
                    "“",
                    name,
                    "”: actual ",
                    a,
                    " meets the target ",
                    t,
                    " yet scores ",
                    s,
                    " of ",
                    w
                ),
            )
            .indicator(i)
            .at(loc(&ind.at.score, &ind.at.row)),
        );
    }
}

check_by_rows!(unmet_full_score, unmet_full_score_row);

/// UNMET_FULL_SCORE of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn unmet_full_score_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    let (Some(false), Some(s), Some(_)) = (is.met, ind.score, ind.weight) else {
        return;
    };
    if r.info.score_vs_weight.is_some_and(Ordering::is_ge) {
        let (a, t, s) = (
            trimmed(&is.actual.printed),
            is.target.canonical_compact(),
            n(s),
        );
        out.push(
            hit(
                msg!(
                    "「",
                    name,
                    "」实际 ",
                    a,
                    " 未达到目标 ",
                    t,
                    "，却得满分 ",
                    s
                ),
                msg!(
                    "“",
                    name,
                    "”: actual ",
                    a,
                    " misses the target ",
                    t,
                    " yet scores the full ",
                    s
                ),
            )
            .indicator(i)
            .at(loc(&ind.at.score, &ind.at.row)),
        );
    }
}

check_by_rows!(proportional_mismatch, proportional_mismatch_row);

/// PROPORTIONAL_MISMATCH of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn proportional_mismatch_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    let (Some(false), Some(s), Some(c)) = (is.met, ind.score, &is.computed) else {
        return;
    };
    if is.kind != IndicatorKind::Quantitative {
        return;
    }
    let w = ind.weight.unwrap_or_default();
    if cmp(s, w).is_ge() {
        return; // UNMET_FULL_SCORE says it
    }
    if !agrees(printed_score(s), c.value) {
        out.push(
            hit(
                format!(
                    "「{name}」实际 {} 未达目标 {}，按 {} 应得 {}，填报 {}",
                    trimmed(&is.actual.printed),
                    is.target.canonical_compact(),
                    c.formula,
                    c.display(),
                    n(s)
                ),
                format!(
                    "“{name}”: actual {} vs target {}: {} gives {}, printed {}",
                    trimmed(&is.actual.printed),
                    is.target.canonical_compact(),
                    c.formula,
                    c.display(),
                    n(s)
                ),
            )
            .indicator(i)
            .at(loc(&ind.at.score, &ind.at.row)),
        );
    }
}

check_by_rows!(qual_band, qual_band_row);

/// QUAL_BAND of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn qual_band_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    let (Some((lo, hi)), Some(s), Some(ach)) = (is.band, ind.score, is.achievement) else {
        return;
    };
    if cmp(s, lo).is_lt() || cmp(s, hi).is_gt() {
        let w = ind.weight.unwrap_or_default();
        let share = if w.is_zero() {
            None
        } else {
            // A share beyond `Decimal::MAX` (a tiny weight) is shown as such.
            Some(quotient_pct(s, w).unwrap_or_else(|| TOO_LARGE.0.into()))
        };
        let (open, share, close) = match &share {
            Some(p) => ("（", p.as_str(), "）"),
            None => ("", "", ""),
        };
        let (a, lo, hi, s) = (trimmed(&is.actual.printed), n(lo), n(hi), n(s));
        out.push(
            hit(
                msg!(
                    "「",
                    name,
                    "」实际「",
                    a,
                    "」属「",
                    ach.label_zh(),
                    "」，得分应在 ",
                    lo,
                    "–",
                    hi,
                    " 分，填报 ",
                    s,
                    " 分",
                    open,
                    share,
                    close
                ),
                msg!(
                    "“",
                    name,
                    "”: actual “",
                    a,
                    "” is ",
                    debug_name(ach),
                    "; the score should lie in ",
                    lo,
                    "–",
                    hi,
                    ", printed ",
                    s
                ),
            )
            .indicator(i)
            .at(loc(&ind.at.score, &ind.at.row)),
        );
    }
}

/// `pct_compact(num / den)`: the share of its weight a score is (QUAL_BAND), the change of
/// a budget (BUDGET_ADJUSTED).
/// `None` when the quotient or its percentage is beyond `Decimal::MAX`.
fn quotient_pct(num: Decimal, den: Decimal) -> Option<CompactString> {
    quotient_pct_exact(num, den).or_else(|| num.checked_div(den).and_then(pct_checked))
}

/// [`quotient_pct`] from the mantissas, without rust_decimal's division (≈ 1 k instructions
/// with the percentage): `100 × num / den` rounded half away from zero to 2 decimals, one
/// integer division. With `num = N / 10^a` and `den = D / 10^b`, the general path rounds
/// twice, the quotient to its last digit (at most 10⁻²² for a quotient below 10⁴) and then
/// the percentage; an exact `num × 10⁴ / den = N × 10^(4 + b) / (D × 10^a)` that is not on
/// a rounding boundary is at least `1 / (2 D × 10^a) ≥ 5 × 10⁻¹³` away from one, so for
/// `D × 10^a ≤ 10¹²` both round alike, and one on a boundary is a short decimal the division
/// gives exactly. Both roundings are of the magnitude, the sign kept. `None` (the general
/// path) for a zero, negative or finer `den`, a quotient above 10⁴, or a negative one that
/// rounds to zero (the general path decides the sign of that zero).
fn quotient_pct_exact(num: Decimal, den: Decimal) -> Option<CompactString> {
    const MAX_MANTISSA: u128 = (1 << 96) - 1;
    if den.is_sign_negative() || den.is_zero() {
        return None;
    }
    let (nm, dm) = (num.mantissa().unsigned_abs(), den.mantissa().unsigned_abs());
    let d = dm.checked_mul(*POW10_U128.get(num.scale() as usize)?)?;
    let n = nm.checked_mul(*POW10_U128.get(4 + den.scale() as usize)?)?;
    if d > POW10_U128[12] || n > d * POW10_U128[8] {
        return None;
    }
    // Half away from zero: floor(n / d + 1/2) of the magnitude.
    let r = (2 * n + d) / (2 * d);
    if r > MAX_MANTISSA || (num.is_sign_negative() && r == 0) {
        return None;
    }
    // `r` ≤ 10⁶ (a quotient of at most 10⁴ in percent, 2 decimals).
    Some(percent_text(num.is_sign_negative(), u64::try_from(r).ok()?))
}

/// `format!("{:?}", a)`: the variant's name.
fn debug_name(a: Achievement) -> &'static str {
    match a {
        Achievement::Achieved => "Achieved",
        Achievement::Partial => "Partial",
        Achievement::Unmet => "Unmet",
        Achievement::Unknown => "Unknown",
    }
}

fn overachieved(cx: &Context, out: &mut Vec<Finding>) {
    // The threshold as a percentage, written once a form when the first finding needs it.
    let mut threshold_pct = None;
    for r in cx.rows() {
        overachieved_row(cx, r, &mut threshold_pct, out);
    }
}

/// OVERACHIEVED of one indicator (the walk of [`review`] calls it row by row);
/// `threshold_pct` keeps the threshold's percentage from the first finding of the form on.
#[inline(always)]
fn overachieved_row(
    cx: &Context,
    r: Row,
    threshold_pct: &mut Option<(CompactString, CompactString)>,
    out: &mut Vec<Finding>,
) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    let threshold = cx.profile.scoring.over_achievement;
    let Some(ratio) = is.ratio else { return };
    let upward = match &is.target.kind {
        MeasureKind::Quantity { op, .. } => !op.is_reverse(),
        MeasureKind::Range { .. } => true,
        _ => false,
    };
    // `≥100%` cannot be exceeded meaningfully; a percent target exceeded by 30% is rare.
    if upward && cmp(ratio, threshold).is_ge() {
        let (a, t) = (trimmed(&is.actual.printed), is.target.canonical_compact());
        let (r_zh, r_en) = pct_or(Some(ratio));
        let (th_zh, th_en) = threshold_pct.get_or_insert_with(|| pct_or(Some(threshold)));
        let (th_zh, th_en) = (th_zh.as_str(), th_en.as_str());
        out.push(
            hit(
                msg!(
                    "「",
                    name,
                    "」实际 ",
                    a,
                    " 为目标 ",
                    t,
                    " 的 ",
                    r_zh,
                    "（≥ ",
                    th_zh,
                    "），目标可能设定偏低"
                ),
                msg!(
                    "“",
                    name,
                    "”: actual ",
                    a,
                    " is ",
                    r_en,
                    " of the target ",
                    t,
                    " (≥ ",
                    th_en,
                    "): the target may be set too low"
                ),
            )
            .indicator(i)
            .at(loc(&ind.at.actual, &ind.at.row))
            .rule(msg!(
                MOF,
                "：目标明显偏低的，按照偏离度适度调减分值；超过 ",
                th_zh,
                " 须说明 [ours]"
            )),
        );
    }
}

check_by_rows!(equals_exceeded, equals_exceeded_row);

/// EQUALS_EXCEEDED of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn equals_exceeded_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    let MeasureKind::Quantity {
        op: Operator::Exact,
        number: t,
        ..
    } = is.target.kind
    else {
        return;
    };
    let Some(a) = is.actual.number() else {
        return;
    };
    if !is.actual.is_numeric() || cmp(a, t).is_eq() || is.met.is_none() {
        return;
    }
    let (zh, en) = if cmp(a, t).is_gt() {
        ("超过", "exceeds")
    } else {
        ("低于", "falls short of")
    };
    let (t, a) = (is.target.canonical_compact(), trimmed(&is.actual.printed));
    out.push(
        hit(
            msg!(
                "「",
                name,
                "」目标为「",
                t,
                "」，实际 ",
                a,
                " ",
                zh,
                "目标：「=」目标应写成「≥」或「≤」"
            ),
            msg!(
                "“",
                name,
                "”: target “",
                t,
                "”, actual ",
                a,
                " ",
                en,
                " it: an `=` target should be `≥` or `≤`"
            ),
        )
        .indicator(i)
        .at(loc(&ind.at.target, &ind.at.row)),
    );
}

fn reason_missing(cx: &Context, out: &mut Vec<Finding>) {
    for r in cx.rows() {
        reason_missing_row(cx, r, out);
    }
}

/// REASON_MISSING of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn reason_missing_row(cx: &Context, r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    if !blank(ind.reason.as_deref()) {
        return;
    }
    let over = cx.profile.scoring.over_achievement_reason_above;
    let deducted = r.info.score_vs_weight == Some(Ordering::Less);
    let short = is.met == Some(false)
        || matches!(
            is.achievement,
            Some(Achievement::Partial | Achievement::Unmet)
        );
    let exceeded = is.ratio.is_some_and(|r| cmp(r, over).is_ge())
        && is.target.operator().is_some_and(|o| !o.is_reverse());
    let why = if deducted {
        "扣分"
    } else if short {
        "未完成目标"
    } else if exceeded {
        "大幅超额完成"
    } else {
        return;
    };
    let (t, a) = (trimmed(&is.target.printed), trimmed(&is.actual.printed));
    let (s, w) = (
        ind.score.map(n).unwrap_or_default(),
        ind.weight.map(n).unwrap_or_default(),
    );
    out.push(
        hit(
            msg!(
                "「",
                name,
                "」",
                why,
                "（目标 ",
                t,
                "，实际 ",
                a,
                "，得分 ",
                s,
                "/",
                w,
                "），未填写偏差原因分析及改进措施"
            ),
            msg!(
                "“",
                name,
                "”: deviation (target ",
                t,
                ", actual ",
                a,
                ") with no reason or corrective action"
            ),
        )
        .indicator(i)
        .at(loc(&ind.at.reason, &ind.at.row)),
    );
}

// ---- how targets and actuals are written ---------------------------------------------------

check_by_rows!(target_no_operator, target_no_operator_row);

/// TARGET_NO_OPERATOR of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn target_no_operator_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    if is.target.operator() == Some(Operator::NoOperator) {
        let t = trimmed(&is.target.printed);
        out.push(
            hit(
                msg!(
                    "「",
                    name,
                    "」目标值「",
                    t,
                    "」未写比较符（≥、≤、=），按「≥」计分"
                ),
                msg!(
                    "“",
                    name,
                    "”: target “",
                    t,
                    "” has no operator; scored as ≥"
                ),
            )
            .indicator(i)
            .at(loc(&ind.at.target, &ind.at.row)),
        );
    }
}

/// Actual values that report nothing measured.
const BOILERPLATE: &[&str] = &[
    "达成预期指标",
    "达成预期目标",
    "达到预期",
    "达到预期目标",
    "完成",
    "已完成",
    "达成",
    "达标",
    "完成目标",
    "是",
];

/// The first character of every [`BOILERPLATE`] phrase.
const BOILERPLATE_FIRST: [char; 4] = ['达', '完', '已', '是'];

/// Is `printed`, without white space, one of the [`BOILERPLATE`] phrases? Its first
/// character without white space is the first of `printed.trim_start()` (the same
/// white space), so a text starting otherwise — most actuals are numbers — is not
/// compacted at all.
fn is_boilerplate(printed: &str) -> bool {
    // A first byte that is printable ASCII (most actuals are numbers or operators) is neither
    // white space nor the start of a phrase: no decoding.
    if printed
        .as_bytes()
        .first()
        .is_some_and(|&b| b > b' ' && b < 0x80)
    {
        return false;
    }
    if !printed
        .trim_start()
        .starts_with(|c: char| BOILERPLATE_FIRST.contains(&c))
    {
        return false;
    }
    // Compacted once, not once per boilerplate phrase.
    let printed = compacted(printed);
    BOILERPLATE.iter().any(|b| *printed == **b)
}

check_by_rows!(actual_not_measured, actual_not_measured_row);

/// ACTUAL_NOT_MEASURED of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn actual_not_measured_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    let copies_target = is
        .actual
        .operator()
        .is_some_and(|o| o != Operator::NoOperator);
    if copies_target || is_boilerplate(&is.actual.printed) {
        let a = compact(&is.actual.printed);
        out.push(
            hit(
                format!(
                    "「{name}」实际完成值「{a}」不是实际测得的值（目标 {}）",
                    trimmed(&is.target.printed)
                ),
                format!(
                    "“{name}”: the actual “{a}” is not a measured value (target {})",
                    trimmed(&is.target.printed)
                ),
            )
            .indicator(i)
            .at(loc(&ind.at.actual, &ind.at.row)),
        );
    }
}

fn targets_vague(cx: &Context, out: &mut Vec<Finding>) {
    // Counted, not collected: no allocation for every form.
    let (mut with_target, mut vague) = (0usize, 0usize);
    for i in cx.card.indicators.iter().filter(|i| !i.target.is_empty()) {
        with_target += 1;
        vague += usize::from(matches!(i.target.kind, MeasureKind::Text { .. }));
    }
    if with_target >= 3 && vague * 2 > with_target {
        out.push(hit(
            format!("{with_target} 个指标中有 {vague} 个为定性目标，难以衡量，应细化量化"),
            format!("{vague} of {with_target} targets are qualitative and hard to measure"),
        ));
    }
}

fn is_placeholder(name: &str) -> bool {
    // Every placeholder starts with one of these characters (the first character of the
    // name is that of the name without its trailing colons, when that is not empty): a
    // name starting otherwise — every real name — is decided by its first character.
    if !name.starts_with([':', '：', '…', '.', '。', '-', '—', '指']) && !name.is_empty() {
        return false;
    }
    is_placeholder_general(name)
}

/// [`is_placeholder`] without the first-character shortcut.
fn is_placeholder_general(name: &str) -> bool {
    let t = name.trim_end_matches([':', '：']);
    t.is_empty()
        || t.chars().all(|c| matches!(c, '…' | '.' | '。' | '-' | '—'))
        || t.strip_prefix("指标")
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
}

check_by_rows!(target_missing, target_missing_row);

/// TARGET_MISSING of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn target_missing_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    if is_placeholder(name) {
        out.push(
            hit(
                format!("第 {} 个指标「{name}」是模板占位行，未填写指标", i + 1),
                format!("indicator {} “{name}” is a template placeholder row", i + 1),
            )
            .indicator(i)
            .at(loc(&ind.at.name, &ind.at.row)),
        );
        return;
    }
    // Both written (most rows): nothing to report.
    if !is.target.is_empty() && !is.actual.is_empty() {
        return;
    }
    for (m, zh, en, at) in [
        (&is.target, "年度指标值", "target", &ind.at.target),
        (&is.actual, "实际完成值", "actual", &ind.at.actual),
    ] {
        if m.is_empty() {
            out.push(
                hit(
                    format!("「{name}」未填写{zh}"),
                    format!("“{name}”: no {en}"),
                )
                .indicator(i)
                .at(loc(at, &ind.at.row)),
            );
        }
    }
}

fn goal_copy(cx: &Context, out: &mut Vec<Finding>) {
    let (Some(e), Some(a)) = (&cx.ev.goal_expected, &cx.ev.goal_actual) else {
        return;
    };
    if is_goal_copy(e, a) {
        out.push(
            hit(
                "年度总体目标的实际完成情况照抄预期目标，未说明实际完成了什么",
                "the actual achievements repeat the expected goal verbatim",
            )
            .at(loc(&cx.ev.at.goal_actual, &cx.ev.at.goal_expected)),
        );
    }
}

/// The goal's text without white space: what GOAL_COPY compares.
fn words(t: &str) -> impl Iterator<Item = char> + '_ {
    t.chars().filter(|c| !c.is_whitespace())
}

/// Does the actual `a` repeat the expected goal `e` (not blank), white space aside?
fn is_goal_copy(e: &str, a: &str) -> bool {
    // Equal bytes before the first difference are equal characters: only the rest (from a
    // character boundary) needs comparing without white space. A copy is all prefix; a
    // different text usually differs early.
    let common = common_prefix(e.as_bytes(), a.as_bytes());
    let start = (0..=common)
        .rev()
        .find(|&i| e.is_char_boundary(i))
        .unwrap_or(0);
    let (e_rest, a_rest) = match (e.get(start..), a.get(start..)) {
        (Some(e_rest), Some(a_rest)) => (e_rest, a_rest),
        _ => (e, a),
    };
    words(e).next().is_some() && words(e_rest).eq(words(a_rest))
}

/// [`is_goal_copy`] without the common prefix.
#[cfg(test)]
fn is_goal_copy_general(e: &str, a: &str) -> bool {
    words(e).next().is_some() && words(e).eq(words(a))
}

/// The length of the longest common prefix of `a` and `b`, eight bytes at a time (the first
/// differing byte of a word is its lowest set byte of the XOR): GOAL_COPY compared a goal text
/// of ≈ 120 bytes byte by byte when it is a copy (half the forms), ≈ 0.5 % of the run's time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut done = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let (Some(x), Some(y)) = (x.first_chunk::<8>(), y.first_chunk::<8>()) else {
            break;
        };
        let diff = u64::from_le_bytes(*x) ^ u64::from_le_bytes(*y);
        if diff != 0 {
            return done + (diff.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    done + common_prefix_general(&a[done..], &b[done..])
}

/// [`common_prefix`] byte by byte (the tail of a word, and the general path).
fn common_prefix_general(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Units that count things, not shares: a 率 measured in them is misread or mistyped.
const COUNT_UNITS: &[&str] = &[
    "人", "人次", "件", "次", "个", "户", "场", "家", "项", "份", "篇", "台", "套", "所",
];

check_by_rows!(unit_mismatch, unit_mismatch_row);

/// UNIT_MISMATCH of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn unit_mismatch_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, is, name) = (r.i, r.ind, r.is, &*r.info.name);
    if is.kind != IndicatorKind::Quantitative {
        return;
    }
    let (t, a) = (is.target.unit(), is.actual.unit());
    let msg = match (t, a) {
        (Some(t), Some(a)) if t != a => Some((
            format!("「{name}」目标单位「{t}」与实际单位「{a}」不同，无法比较"),
            format!("“{name}”: target in “{t}”, actual in “{a}”: not comparable"),
        )),
        _ => None,
    };
    let rate_in_count = name.ends_with('率')
        && [t, a]
            .into_iter()
            .flatten()
            .any(|u| COUNT_UNITS.contains(&u));
    if let Some((zh, en)) = msg {
        out.push(
            hit(zh, en)
                .indicator(i)
                .at(loc(&ind.at.actual, &ind.at.row)),
        );
    } else if rate_in_count {
        out.push(
            hit(
                format!(
                    "「{name}」是比率，却以「{}」计量",
                    t.or(a).unwrap_or_default()
                ),
                format!(
                    "“{name}” is a rate but is measured in “{}”",
                    t.or(a).unwrap_or_default()
                ),
            )
            .indicator(i)
            .at(loc(&ind.at.target, &ind.at.row)),
        );
    }
}

/// Where a keyword in a name says an indicator belongs.
enum Fits {
    /// Only under these 二级.
    Only(&'static [Level2]),
    /// Anywhere but under these.
    Not(&'static [Level2]),
}

/// The small keyword table of MISCLASSIFIED: (keyword in the name, where it fits, suggestion).
const PLACEMENT: &[(&str, Fits, Level2)] = &[
    (
        "满意",
        Fits::Only(&[Level2::ServiceSatisfaction]),
        Level2::ServiceSatisfaction,
    ),
    (
        "投诉",
        Fits::Not(&[Level2::Timeliness, Level2::Quantity]),
        Level2::Quality,
    ),
    ("成本", Fits::Not(&[Level2::Ecological]), Level2::Cost),
    ("费用", Fits::Not(&[Level2::Ecological]), Level2::Cost),
    ("及时", Fits::Not(&[Level2::Quantity]), Level2::Timeliness),
];

/// `contains_str(name, keyword)`, scanning for the keyword's second byte rather than its
/// first: a keyword starts with a CJK character whose lead byte (`E5`, `E6`, `E8`) starts a
/// third of a name's characters, each a comparison of the rest, while its second byte is one
/// of 64 continuation bytes.
fn contains_keyword(name: &str, keyword: &str) -> bool {
    let (hay, needle) = (name.as_bytes(), keyword.as_bytes());
    let [first, second, rest @ ..] = needle else {
        return contains_str(name, keyword);
    };
    let Some(last_start) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    // `j` is where the keyword would start; `b` is the byte after it.
    hay[1..=last_start + 1]
        .iter()
        .enumerate()
        .any(|(j, &b)| b == *second && hay[j] == *first && hay[j + 2..].starts_with(rest))
}

check_by_rows!(misclassified, misclassified_row);

/// MISCLASSIFIED of one indicator (the walk of [`review`] calls it row by row).
#[inline(always)]
fn misclassified_row(r: Row, out: &mut Vec<Finding>) {
    let (i, ind, name) = (r.i, r.ind, &*r.info.name);
    let Some(l2) = r.info.level2 else {
        return;
    };
    for (kw, fits, suggest) in PLACEMENT {
        let misplaced = match fits {
            Fits::Only(ok) => !ok.contains(&l2),
            Fits::Not(bad) => bad.contains(&l2),
        };
        let wrong = misplaced && contains_keyword(name, kw);
        if wrong {
            out.push(
                hit(
                    format!(
                        "「{name}」归在{}下，按名称（含「{kw}」）更宜归入{}",
                        l2.label(),
                        suggest.label()
                    ),
                    format!(
                        "“{name}” is filed under {}; its name (“{kw}”) fits {}",
                        l2.label(),
                        suggest.label()
                    ),
                )
                .indicator(i)
                .at(loc(&ind.at.name, &ind.at.row)),
            );
            break;
        }
    }
}

/// Phrases claiming there was no deviation.
const NO_DEVIATION: &[&str] = &[
    "无偏差",
    "没有偏差",
    "未出现偏差",
    "未发生偏差",
    "全部完成",
    "均已完成",
    "圆满完成",
    "按计划完成",
    "全部执行",
    "足额执行",
    "执行率达到100%",
    "执行率100%",
];

/// The first of [`NO_DEVIATION`] (in its order) that `text` without white space contains.
/// One pass over the bytes: a byte that may start white space (`09`–`0D`, `20`, `C2`,
/// `E1`–`E3`) is decoded, and a text that really holds white space takes the general path
/// (compacted, then each phrase searched); a byte that leads a phrase's first character,
/// followed by a byte that is its second, is compared with the phrases. Twelve searches of a
/// goal text of ≈ 40 characters, and its compaction (every `。` may be white space to the
/// byte test), cost ≈ 3.7 k instructions a form below the rate.
fn no_deviation_claim(text: &str) -> Option<&'static str> {
    let b = text.as_bytes();
    let mut found = 0u32;
    for (i, &x) in b.iter().enumerate() {
        match BYTE_CLASS[usize::from(x)] {
            NOTHING => {}
            PHRASE_LEAD => {
                let second = b.get(i + 1).map_or(0, |&y| usize::from(y));
                // Only the phrases whose second byte this is can start here: most CJK
                // characters share their lead byte with some phrase, and comparing all
                // twelve at each was most of the check's time.
                let mut candidates = match second.checked_sub(0x80) {
                    Some(y) if y < 64 => PHRASES_BY_SECOND[y],
                    _ => 0,
                };
                if candidates != 0 {
                    let rest = &b[i..];
                    while candidates != 0 {
                        let k = candidates.trailing_zeros();
                        candidates &= candidates - 1;
                        if rest.starts_with(NO_DEVIATION[k as usize].as_bytes()) {
                            found |= 1 << k;
                        }
                    }
                }
            }
            _ => {
                // `i` starts a character: the byte is ASCII or a lead byte.
                if text
                    .get(i..)
                    .and_then(|t| t.chars().next())
                    .is_none_or(char::is_whitespace)
                {
                    return no_deviation_claim_general(text);
                }
            }
        }
    }
    (found != 0).then(|| NO_DEVIATION[found.trailing_zeros() as usize])
}

/// [`no_deviation_claim`]: the text compacted, each phrase searched in turn.
fn no_deviation_claim_general(text: &str) -> Option<&'static str> {
    let t = compacted(text);
    NO_DEVIATION.iter().find(|p| t.contains(*p)).copied()
}

const NOTHING: u8 = 0;
const PHRASE_LEAD: u8 = 1;
const SPACE_LEAD: u8 = 2;

/// Per byte: whether it may start white space, or is the first byte of a [`NO_DEVIATION`]
/// phrase (every phrase starts with a CJK character, so the two never meet).
const BYTE_CLASS: [u8; 256] = {
    let mut class = [NOTHING; 256];
    let mut k = 0;
    while k < NO_DEVIATION.len() {
        class[NO_DEVIATION[k].as_bytes()[0] as usize] = PHRASE_LEAD;
        k += 1;
    }
    let spaces = [0x09u8, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xC2, 0xE1, 0xE2, 0xE3];
    let mut k = 0;
    while k < spaces.len() {
        assert!(class[spaces[k] as usize] == NOTHING);
        class[spaces[k] as usize] = SPACE_LEAD;
        k += 1;
    }
    class
};

/// Per continuation byte `y` (`80`–`BF`, at `y - 0x80`): the [`NO_DEVIATION`] phrases whose
/// second byte it is, bit `k` for phrase `k` (every phrase starts with a CJK character, so
/// its second byte is a continuation byte).
const PHRASES_BY_SECOND: [u16; 64] = {
    let mut by_second = [0u16; 64];
    let mut k = 0;
    while k < NO_DEVIATION.len() {
        let y = NO_DEVIATION[k].as_bytes()[1];
        assert!(y >= 0x80 && y < 0xC0);
        by_second[(y - 0x80) as usize] |= 1 << k;
        k += 1;
    }
    by_second
};

fn text_contradicts_data(cx: &Context, out: &mut Vec<Finding>) {
    let Some(rate) = &cx.card.execution_rate else {
        return;
    };
    if cmp(rate.value, cx.profile.budget.reason_below).is_ge() {
        return;
    }
    let texts = [
        (&cx.ev.goal_actual, &cx.ev.at.goal_actual),
        (&cx.ev.funds.reason, &cx.ev.at.funds_rate),
    ];
    for (text, at) in texts {
        let Some(t) = text else { continue };
        if let Some(claim) = no_deviation_claim(t) {
            let (rate_zh, rate_en) = pct_or(Some(rate.value));
            out.push(
                hit(
                    msg!("文字称「", claim, "」，但执行率仅为 ", rate_zh),
                    msg!(
                        "the text claims “",
                        claim,
                        "” while the execution rate is ",
                        rate_en
                    ),
                )
                .at(at.clone()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::sum_value;

    /// The word-wise test never misses white space: for texts of every length up to 40 bytes
    /// drawn from ASCII, CJK, CJK punctuation and every Unicode white space, whenever the text
    /// holds white space the test says so, and the name `Context::new` keeps is `compacted`'s.
    #[test]
    fn name_test_never_misses_white_space() {
        let pool: Vec<char> = "a1.(（）、。「—…①中文指标率\u{7f}\u{80}\u{e000}\u{ffff}"
            .chars()
            .chain(
                (0u32..=0x3000)
                    .filter_map(char::from_u32)
                    .filter(|c| c.is_whitespace()),
            )
            .collect();
        let mut step = crate::lcg(7);
        let mut next = |n: usize| (step() >> 33) as usize % n;
        let mut with_space = 0;
        for round in 0..200_000 {
            let len = next(15);
            // Mostly CJK, sometimes one character from the whole pool.
            let text: String = (0..len)
                .map(|_| {
                    if round % 3 == 0 || next(8) == 0 {
                        pool[next(pool.len())]
                    } else {
                        pool[12 + next(5)]
                    }
                })
                .collect();
            let has = text.contains(char::is_whitespace);
            with_space += usize::from(has);
            assert!(!has || name_may_hold_whitespace(&text), "{text:?}");
            let kept = if name_may_hold_whitespace(&text) {
                compacted(&text)
            } else {
                Cow::Borrowed(text.as_str())
            };
            assert_eq!(kept, compacted(&text), "{text:?}");
        }
        assert!(with_space > 50_000);
    }

    /// The template labels' `match` gives what [`Level2::from_label`] gives, for the labels
    /// themselves and for texts made of their pieces (prefixes, suffixes, white space, points,
    /// `等`, other categories' words, truncated characters): tens of thousands of texts.
    #[test]
    fn level2_of_is_from_label() {
        let pieces = [
            "数量",
            "质量",
            "时效",
            "成本",
            "经济效益",
            "社会效益",
            "生态效益",
            "可持续影响",
            "可持续",
            "服务对象满意度",
            "满意度",
            "指标",
            "等",
            " ",
            "\u{3000}",
            "\n",
            "(10分)",
            "（20分）",
            "产出",
            "效益",
            "x",
            "",
            "指",
            "标",
        ];
        let mut texts: Vec<String> = Level2::ALL.iter().map(|l| l.label().to_string()).collect();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(format!("{a}{b}{c}"));
                }
            }
        }
        for l in Level2::ALL {
            let label = l.label();
            // Every prefix of the label's bytes that is text, and the label with a byte more.
            for cut in 0..=label.len() {
                if let Some(head) = label.get(..cut) {
                    texts.push(head.to_string());
                    texts.push(format!("{head}指标"));
                }
            }
            texts.push(format!("{label}等"));
            texts.push(format!(" {label}"));
        }
        assert!(texts.len() > 10_000);
        for t in &texts {
            assert_eq!(level2_of(t), Level2::from_label(t), "{t:?}");
        }
    }

    /// A form with money, a rate, weights and scores of every size there is: the review
    /// must not panic whatever the reader hands it (rust_decimal's `+ - * /` and `.sum()`
    /// do on overflow). The scorecard is scored from a plain form, then given the same kind
    /// of numbers by hand (rates, ratios, bands), so only the review's arithmetic is tried.
    #[test]
    fn extreme_numbers_never_panic() {
        use crate::model::{Evaluation, FundRow, Indicator};
        let values = [
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(1, 28),
            Decimal::new(-1, 28),
            Decimal::ZERO,
            Decimal::NEGATIVE_ONE,
            Decimal::new(-12345, 2),
            Decimal::new(7, 0),
            Decimal::ONE_HUNDRED,
            Decimal::new(i64::MAX, 3),
        ];
        let mut step = crate::lcg(29);
        let mut next = |n: u64| (step() >> 33) % n;
        let row = |a: i64, b: i64| FundRow {
            initial: Some(Decimal::new(a, 0)),
            adjusted: Some(Decimal::new(a, 0)),
            executed: Some(Decimal::new(b, 0)),
            ..FundRow::default()
        };
        let plain = || {
            let mut ev = Evaluation::default();
            ev.funds.total = row(100, 90);
            ev.funds.appropriation = row(100, 90);
            ev.funds.weight = Some(Decimal::TEN);
            ev.total_weight = Some(Decimal::ONE_HUNDRED);
            let labels = ["产出指标(50分)", "效益指标", "满意度指标"];
            for (k, l1) in labels.into_iter().enumerate() {
                ev.indicators.push(Indicator {
                    level1: Some(l1.into()),
                    name: format!("指标{k}").into(),
                    target: Some(["≥100件", "显著", "≥90%"][k].into()),
                    actual: Some(["130件", "一般", "80%"][k].into()),
                    weight: Some(Decimal::new(30, 0)),
                    score: Some(Decimal::new(20, 0)),
                    ..Indicator::default()
                });
            }
            ev
        };
        for name in ["central-2020", "shanghai", "sichuan", "yunnan-20"] {
            let profile = Profile::builtin(name).expect("a shipped profile");
            let base = crate::score::score(&plain(), &profile);
            for _ in 0..3_000 {
                let pick = |next: &mut dyn FnMut(u64) -> u64| {
                    let k = next(values.len() as u64 + 1) as usize;
                    values.get(k).copied()
                };
                let mut ev = plain();
                let f = &mut ev.funds;
                for r in [
                    &mut f.total,
                    &mut f.appropriation,
                    &mut f.carryover,
                    &mut f.other,
                ] {
                    (r.initial, r.adjusted, r.executed) =
                        (pick(&mut next), pick(&mut next), pick(&mut next));
                }
                f.weight = pick(&mut next);
                f.rate = pick(&mut next).map(|v| PrintedDecimal::new(v, next(31) as u32));
                f.rate_printed = None;
                f.score = pick(&mut next).map(|v| PrintedDecimal::new(v, next(31) as u32));
                ev.total_weight = pick(&mut next);
                ev.total_score = pick(&mut next).map(|v| PrintedDecimal::new(v, next(31) as u32));
                for ind in &mut ev.indicators {
                    (ind.weight, ind.score) = (pick(&mut next), pick(&mut next));
                }
                let mut card = base.clone();
                for c in [&mut card.execution_rate, &mut card.budget_score]
                    .into_iter()
                    .flatten()
                {
                    c.value = pick(&mut next).unwrap_or_default();
                }
                for is in &mut card.indicators {
                    is.ratio = pick(&mut next);
                    is.band = pick(&mut next).zip(pick(&mut next));
                    is.achievement = Some(Achievement::Unmet);
                }
                let _ = review(&ev, &card, &profile);
            }
        }
    }

    /// `hundredfold_fits` never says a product fits that `checked_mul` finds too large, and
    /// `pct_checked` agrees with `checked_mul` on every scale and size near the limit.
    #[test]
    fn hundredfold_fits_as_checked_mul() {
        let max = Decimal::MAX.mantissa();
        let mut step = crate::lcg(3);
        let mut next = |n: u64| (step() >> 33) % n;
        for _ in 0..50_000 {
            let scale = next(29) as u32;
            let m = match next(4) {
                0 => max - i128::from(next(1_000_000)),
                1 => max / 100 + i128::from(next(2_000)) - 1_000,
                2 => max / 10 + i128::from(next(2_000)) - 1_000,
                _ => i128::from(next(1 << 40)) << next(56),
            }
            .min(max);
            let sign = if next(2) == 0 { 1 } else { -1 };
            let d = Decimal::from_i128_with_scale(sign * m, scale);
            let general = d.checked_mul(Decimal::ONE_HUNDRED).is_some();
            if hundredfold_fits(d) {
                assert!(general, "{d}");
            }
            assert_eq!(pct_checked(d).is_some(), general, "{d}");
        }
    }

    /// A sum beyond `Decimal::MAX` is reported, shown as too large to compute.
    #[test]
    fn overflowing_sums_reported() {
        use crate::model::{Evaluation, Indicator};
        let profile = Profile::default();
        let max = Some(Decimal::MAX);
        let mut ev = Evaluation::default();
        ev.funds.appropriation.initial = max;
        ev.funds.carryover.initial = max;
        ev.funds.total.initial = Some(Decimal::ONE);
        ev.funds.score = Some(printed_score(Decimal::TEN));
        ev.total_score = Some(printed_score(Decimal::ONE_HUNDRED));
        for l1 in ["产出指标(50分)", "产出指标", "效益指标"] {
            ev.indicators.push(Indicator {
                level1: Some(l1.into()),
                name: "指标".into(),
                weight: max,
                score: max,
                ..Indicator::default()
            });
        }
        let card = Scorecard {
            profile: crate::ProfileTag::default(),
            profile_version: crate::ProfileTag::default(),
            execution_rate: None,
            budget_score: None,
            indicators: Vec::new(),
            indicator_total: None,
            total: None,
            grade: None,
            notes: Vec::new(),
        };
        let found = review(&ev, &card, &profile);
        for code in [
            "FUNDS_ROW_SUM",
            "WEIGHT_SUM",
            "WEIGHT_SCHEME",
            "TOTAL_MISMATCH",
        ] {
            let f: Vec<_> = found.iter().filter(|f| f.code == code).collect();
            assert!(!f.is_empty(), "{code}: {found:?}");
            assert!(
                f.iter()
                    .any(|f| f.message.contains(TOO_LARGE.0) && f.message_en.contains(TOO_LARGE.1)),
                "{code}: {f:?}"
            );
        }
    }

    /// Names built from the keywords' characters, their neighbours and the placeholder marks.
    fn generated_names() -> Vec<String> {
        let chars = [
            '满', '意', '投', '诉', '成', '本', '费', '用', '及', '时', '率', '指', '标', '1', ':',
            '：', '…', '.', '。', '-', '—', ' ', 'a', '度',
        ];
        let mut names = vec![String::new()];
        let mut step = crate::lcg(11);
        for _ in 0..20_000 {
            let seed = step();
            let len = (seed >> 60) as usize;
            let name: String = (0..len)
                .map(|k| chars[(seed >> (k * 4 % 56)) as usize % chars.len()])
                .collect();
            names.push(name);
        }
        names.extend(
            [
                "满意",
                "服务对象满意度",
                "群众投诉处理及时率",
                "成本费用",
                "指标1",
                "指标",
            ]
            .map(String::from),
        );
        names
    }

    /// The first-character shortcut decides placeholders as the general test does.
    #[test]
    fn placeholder_shortcut_as_general() {
        for name in generated_names() {
            assert_eq!(
                is_placeholder(&name),
                is_placeholder_general(&name),
                "{name:?}"
            );
        }
    }

    /// `msg!` is `concat` of its pieces, for pieces of every kind a message holds (literals,
    /// `&str`, `String`, `CompactString`, empty ones), at every length the capacity is
    /// computed from.
    #[test]
    fn msg_joins_as_concat() {
        let words = [
            "",
            "「",
            "」实际 ",
            "a",
            "指标名称很长的一个指标名称很长的一个",
            "≥95%",
            "12.5",
            "/",
        ];
        let mut step = crate::lcg(7);
        let mut next = |n: usize| (step() >> 33) as usize % n;
        for _ in 0..2_000 {
            let a = words[next(words.len())];
            let b = String::from(words[next(words.len())]).repeat(next(4));
            let c = CompactString::from(words[next(words.len())]);
            let d = n(Decimal::new(next(100_000) as i64 - 50_000, next(4) as u32));
            let joined = msg!("「", a, "」实际 ", b, c, "（", d, "）", a);
            let want = ["「", a, "」实际 ", &b, &c, "（", &d, "）", a].concat();
            assert_eq!(joined, want);
            assert_eq!(joined.capacity(), want.len());
        }
    }

    /// Texts built from white space of every kind, placeholders, ASCII and CJK characters,
    /// at both ends.
    fn generated_texts() -> Vec<String> {
        let pieces = [
            " ",
            "\t",
            "\n",
            "\u{0B}",
            "\u{1C}",
            "\u{85}",
            "\u{A0}",
            "\u{1680}",
            "\u{2000}",
            "\u{200A}",
            "\u{200B}",
            "\u{2028}",
            "\u{202F}",
            "\u{205F}",
            "\u{3000}",
            "\u{FEFF}",
            "无",
            "/",
            "—",
            "-",
            "--",
            "无 ",
            "98%",
            "≥95%",
            "=4878人次",
            "受客观因素影响",
            "a",
            "、",
            "。",
            "\u{10348}",
            "é",
            "「",
            "」",
        ];
        let mut texts = vec![String::new()];
        texts.extend(pieces.iter().map(|p| p.to_string()));
        let mut step = crate::lcg(29);
        for _ in 0..20_000 {
            let seed = step();
            let len = (seed >> 61) as usize;
            let text: String = (0..len)
                .map(|k| pieces[(seed >> (k * 5 % 50)) as usize % pieces.len()])
                .collect();
            texts.push(text);
        }
        texts
    }

    /// The shortcuts of `trimmed` and `blank` decide as `str::trim` and the general test.
    #[test]
    fn trimmed_and_blank_as_general() {
        for t in generated_texts() {
            assert_eq!(trimmed(&t), t.trim(), "{t:?}");
            assert_eq!(blank(Some(&t)), blank_general(&t), "{t:?}");
            let boiler = BOILERPLATE.iter().any(|b| compact(&t) == *b);
            assert_eq!(is_boilerplate(&t), boiler, "{t:?}");
        }
        assert!(blank(None));
    }

    /// The sums gathered in `Context::new` are those each check summed on its own, in its
    /// order, for forms with every mix of missing, large and fine-scaled weights and scores
    /// and of 一级/二级 labels; without an odd 一级 label no category declares points.
    #[test]
    fn shared_totals_as_each_check_summed() {
        use crate::model::{Evaluation, Indicator};
        let level1 = [
            None,
            Some("产出指标"),
            Some("效益指标"),
            Some("满意度指标"),
            Some("产出"),
            Some("产出指标(50分)"),
            Some(" 效益指标"),
            Some("其他"),
        ];
        let level2 = [
            None,
            Some("数量指标"),
            Some("服务对象满意度指标"),
            Some("社会效益指标"),
            Some("其他"),
        ];
        let mut step = crate::lcg(5);
        let mut next = |n: u64| (step() >> 33) % n;
        let profile = Profile::default();
        for _ in 0..3_000 {
            let number = |next: &mut dyn FnMut(u64) -> u64| -> Option<Decimal> {
                let m = match next(4) {
                    0 => return None,
                    1 => i64::MAX - next(1000) as i64,
                    2 => next(200) as i64 - 20,
                    _ => next(100_000) as i64,
                };
                Some(Decimal::new(m, next(29) as u32))
            };
            let mut ev = Evaluation::default();
            ev.funds.weight = number(&mut next);
            ev.funds.score = number(&mut next).map(printed_score);
            for _ in 0..next(10) {
                let ind = Indicator {
                    level1: level1[next(level1.len() as u64) as usize].map(Into::into),
                    level2: level2[next(level2.len() as u64) as usize].map(Into::into),
                    weight: number(&mut next),
                    score: number(&mut next),
                    ..Indicator::default()
                };
                ev.indicators.push(ind);
            }
            let card = crate::score::score(&ev, &profile);
            let cx = Context::new(&ev, &card, &profile);
            let t = &cx.totals;
            let inds = &ev.indicators;
            assert_eq!(t.weight_missing, inds.iter().any(|i| i.weight.is_none()));
            assert_eq!(t.any_weight, inds.iter().any(|i| i.weight.is_some()));
            assert_eq!(t.score_missing, inds.iter().any(|i| i.score.is_none()));
            for (i, info) in inds.iter().zip(&cx.info) {
                assert_eq!(info.category, i.category());
                let want = match (i.score, i.weight) {
                    (Some(s), Some(w)) => Some(s.cmp(&w)),
                    _ => None,
                };
                assert_eq!(info.score_vs_weight, want);
            }
            let budget_w = ev.funds.weight.unwrap_or(profile.budget.weight);
            if !t.weight_missing {
                let weights = || inds.iter().filter_map(|i| i.weight);
                let want = sum_value(|| std::iter::once(budget_w).chain(weights()));
                let general = || std::iter::once(budget_w).chain(weights()).sum::<Decimal>();
                assert_eq!(Some(t.weights.value().unwrap_or_else(general)), want);
            }
            if let (Some(budget), false) = (ev.funds.score, t.score_missing) {
                let scores = || inds.iter().filter_map(|i| i.score);
                let want = sum_value(|| std::iter::once(budget.value).chain(scores()));
                let general = || {
                    std::iter::once(budget.value)
                        .chain(scores())
                        .sum::<Decimal>()
                };
                assert_eq!(Some(t.scores.value().unwrap_or_else(general)), want);
            }
            // WEIGHT_SCHEME's own sums, as it computed them.
            let mut exact = [(ExactSum::ZERO, false); 3];
            for (ind, c) in cx.categorised() {
                if let Some(k) = Level1::ALL.iter().position(|l1| Some(*l1) == c) {
                    exact[k].1 = true;
                    if let Some(wt) = ind.weight {
                        exact[k].0.add(wt);
                    }
                }
            }
            for (mine, theirs) in t.by_category.iter().zip(&exact) {
                assert_eq!(mine.1, theirs.1);
                assert_eq!(mine.0.value(), theirs.0.value());
            }
            if !t.odd_level1 {
                for (i, c) in cx.categorised() {
                    let declared = c.and_then(|c| {
                        i.level1
                            .as_deref()
                            .filter(|l| *l != c.label())
                            .and_then(points)
                    });
                    assert_eq!(declared, None);
                }
            }
        }
    }

    #[test]
    fn no_deviation_claim_as_general() {
        let mut pieces: Vec<String> = NO_DEVIATION.iter().map(|p| p.to_string()).collect();
        for p in NO_DEVIATION {
            let chars: Vec<char> = p.chars().collect();
            let half = chars.len() / 2;
            pieces.push(chars[..half].iter().collect());
            pieces.push(chars[half..].iter().collect());
        }
        pieces.extend(
            [
                " ",
                "\u{3000}",
                "\u{A0}",
                "\n",
                "。",
                "，",
                "完成",
                "执行率",
                "100",
                "%",
                "偏差",
                "全",
                "未",
                "按计划",
                "a",
                "é",
                "\u{1680}",
                "、",
            ]
            .map(String::from),
        );
        let mut step = crate::lcg(13);
        let mut texts = vec![String::new()];
        texts.extend(pieces.iter().cloned());
        for _ in 0..30_000 {
            let seed = step();
            let len = (seed >> 60) as usize;
            texts.push(
                (0..len)
                    .map(|k| pieces[(seed >> (k * 4 % 56)) as usize % pieces.len()].as_str())
                    .collect(),
            );
        }
        let mut claims = 0;
        for t in texts {
            let want = no_deviation_claim_general(&t);
            claims += usize::from(want.is_some());
            assert_eq!(no_deviation_claim(&t), want, "{t:?}");
        }
        assert!(claims > 1_000, "{claims}");
    }

    /// GOAL_COPY's common prefix eight bytes at a time is the byte-by-byte one, and its
    /// decision is the whole texts' comparison without white space.
    #[test]
    fn goal_copy_as_general() {
        let texts = generated_texts();
        let goal = "完成年度培训计划，提升业务人员能力和服务水平。";
        let mut copies = 0;
        for (k, t) in texts.iter().enumerate() {
            let u = &texts[(k * 7 + 3) % texts.len()];
            let pairs = [
                (format!("{goal}{t}"), format!("{goal}{u}")),
                (format!("{t}{goal}"), format!("{t}{goal}{u}")),
                (format!("{goal}{t}"), format!("{goal}{t}")),
                (t.clone(), u.clone()),
                (format!("{t}{goal}"), format!("{u}{goal}")),
                (goal[..goal.len() - 3].to_string(), format!("{goal}{t}")),
            ];
            for (e, a) in &pairs {
                let (e, a) = (e.as_bytes(), a.as_bytes());
                assert_eq!(common_prefix(e, a), common_prefix_general(e, a));
                assert_eq!(common_prefix(a, e), common_prefix_general(a, e));
            }
            for (e, a) in pairs {
                let want = is_goal_copy_general(&e, &a);
                copies += usize::from(want);
                assert_eq!(is_goal_copy(&e, &a), want, "{e:?} {a:?}");
            }
        }
        assert!(copies > 20_000, "{copies}");
    }

    /// FUNDS_ROW_SUM's three sums in one walk of the rows are each column's own walk.
    #[test]
    fn funds_sums_as_each_column() {
        use crate::model::{FundRow, Funds};
        let values = [
            None,
            Some(Decimal::ZERO),
            Some(Decimal::new(558_219, 0)),
            Some(Decimal::new(63_628_833, 2)),
            Some(Decimal::new(-5, 1)),
            Some(Decimal::new(1, 28)),
            Some(Decimal::MAX),
            Some(Decimal::MIN),
            Some(Decimal::new(i64::MAX, 3)),
        ];
        let mut step = crate::lcg(41);
        let mut next = || (step() >> 33) as usize;
        for _ in 0..5_000 {
            let mut rows: Vec<FundRow> = (0..3 + next() % 3)
                .map(|_| FundRow {
                    initial: values[next() % values.len()],
                    adjusted: values[next() % values.len()],
                    executed: values[next() % values.len()],
                    at: None,
                })
                .collect();
            let extra = rows.split_off(3);
            let [appropriation, carryover, other]: [FundRow; 3] =
                rows.try_into().expect("three rows");
            let f = Funds {
                appropriation,
                carryover,
                other,
                extra: extra.into_iter().map(|r| (String::from("x"), r)).collect(),
                ..Funds::default()
            };
            let got = funds_sums(&f);
            let getters: [fn(&FundRow) -> Option<Decimal>; 3] =
                [|r| r.initial, |r| r.adjusted, |r| r.executed];
            for (k, get) in getters.into_iter().enumerate() {
                let (mut printed, mut exact) = (false, ExactSum::ZERO);
                let rows = [&f.appropriation, &f.carryover, &f.other]
                    .into_iter()
                    .chain(f.extra.iter().map(|(_, r)| r));
                for v in rows.filter_map(get) {
                    printed = true;
                    exact.add(v);
                }
                assert_eq!(got[k].0, printed);
                assert_eq!(got[k].1.value(), exact.value());
            }
        }
    }

    /// `n` without `normalize` for whole numbers writes what it wrote with it.
    #[test]
    fn n_as_normalized() {
        let mut step = crate::lcg(23);
        for k in 0..50_000u64 {
            let seed = step();
            let m = match k % 3 {
                0 => (seed >> 40) as i64 - (1 << 23),
                1 => (seed >> 1) as i64,
                _ => (seed >> 50) as i64 * 100,
            };
            let scale = if k % 2 == 0 { 0 } else { (seed % 29) as u32 };
            let v = Decimal::new(m, scale);
            assert_eq!(n(v), decimal_compact(v.normalize()), "{v}");
            assert_eq!(n(-v), decimal_compact((-v).normalize()), "{v}");
        }
        let mut negative_zero = Decimal::ZERO;
        negative_zero.set_sign_negative(true);
        assert_eq!(n(negative_zero), decimal_compact(negative_zero.normalize()));
    }

    /// The percentage from the mantissas is `pct_compact(num / den)` for scores, weights and
    /// amounts of every scale, size and sign, and for quotients on a rounding boundary.
    #[test]
    fn quotient_pct_as_division() {
        let mut step = crate::lcg(31);
        let mut next = |n: u64| (step() >> 29) % n;
        let (mut exact, mut negative) = (0, 0);
        for k in 0..300_000u64 {
            let number = |next: &mut dyn FnMut(u64) -> u64| {
                let m = match next(7) {
                    0 => next(1 << 62) as i64,
                    1 => next(100_000_000) as i64,
                    2 => next(20) as i64 - 2,
                    3 => next(100_000_000_000) as i64 - 50_000_000_000,
                    _ => next(2_000) as i64,
                };
                Decimal::new(m, next(12) as u32)
            };
            let den = number(&mut next);
            if den.is_zero() {
                continue;
            }
            // Every third quotient sits on a rounding boundary: den × ±(k + 0.5) / 10⁴.
            let num = if k % 3 == 0 {
                den * Decimal::new(2 * next(20_000) as i64 + 1 - 20_000, 5)
            } else if k % 3 == 1 {
                // A budget's change: adjusted − initial.
                number(&mut next) - den
            } else {
                number(&mut next)
            };
            if let Some(fast) = quotient_pct_exact(num, den) {
                exact += 1;
                negative += usize::from(num.is_sign_negative());
                assert_eq!(fast, pct_compact(num / den), "{num} / {den}");
            }
        }
        assert!(exact > 50_000 && negative > 10_000, "{exact} {negative}");
    }

    /// The percentage from the mantissa is `pct_compact` for fractions of every scale and
    /// size: rates and ratios of 28 decimals, thresholds, mantissas near 2⁹⁶, whole numbers,
    /// and values on a rounding boundary of the percentage.
    #[test]
    fn pct_fast_as_pct_compact() {
        use crate::num::{concat, Piece};
        let mut step = crate::lcg(47);
        let mut next = |n: u64| (step() >> 17) % n;
        let mut fast = 0;
        for k in 0..200_000u64 {
            let scale = next(29) as u32;
            let m: i128 = match k % 5 {
                0 => i128::from(next(1 << 40)),
                1 => i128::from(next(u64::MAX >> 17)) << next(33),
                // On a boundary: ±(j + 0.5) units of the percentage's last digit.
                2 => i128::from(2 * next(1 << 30) + 1) * 5 * 10i128.pow(scale.saturating_sub(5)),
                3 => i128::from(next(2_000)),
                _ => ((1i128 << 96) - 1) - i128::from(next(1 << 20)),
            };
            let m = m.min((1i128 << 96) - 1);
            let d = Decimal::from_i128_with_scale(m, scale);
            for d in [d, -d] {
                if let Some(p) = pct_fast(d) {
                    fast += 1;
                    assert_eq!(Some(p), hundredfold_fits(d).then(|| pct_compact(d)), "{d}");
                }
            }
        }
        assert!(fast > 150_000, "{fast}");
        for (negative, r) in [
            (false, 0),
            (false, 5),
            (false, 99),
            (false, 100),
            (true, 150),
        ]
        .into_iter()
        .chain((0..5_000u64).map(|k| (k % 2 == 0, k * k * 7919 + k)))
        .chain([(false, u64::MAX), (true, u64::MAX)])
        {
            let mut d = Decimal::from_i128_with_scale(i128::from(r), 2);
            d.set_sign_negative(negative && r != 0);
            let want = concat(&[Piece::Num(d), Piece::Text("%")]);
            assert_eq!(percent_text(negative && r != 0, r), want, "{r}");
        }
    }

    /// The walk's constants name the checks they stand for.
    #[test]
    fn walk_indices_name_their_checks() {
        for (k, code) in [
            (SCORE_OVER_WEIGHT, "SCORE_OVER_WEIGHT"),
            (MET_BUT_DEDUCTED, "MET_BUT_DEDUCTED"),
            (UNMET_FULL_SCORE, "UNMET_FULL_SCORE"),
            (PROPORTIONAL_MISMATCH, "PROPORTIONAL_MISMATCH"),
            (QUAL_BAND, "QUAL_BAND"),
            (OVERACHIEVED, "OVERACHIEVED"),
            (EQUALS_EXCEEDED, "EQUALS_EXCEEDED"),
            (REASON_MISSING, "REASON_MISSING"),
            (TARGET_NO_OPERATOR, "TARGET_NO_OPERATOR"),
            (ACTUAL_NOT_MEASURED, "ACTUAL_NOT_MEASURED"),
            (TARGET_MISSING, "TARGET_MISSING"),
            (UNIT_MISMATCH, "UNIT_MISMATCH"),
            (MISCLASSIFIED, "MISCLASSIFIED"),
        ] {
            assert_eq!(CHECKS[k].code, code);
        }
        let after = AFTER_WALK.map(|k| CHECKS[k].code);
        assert_eq!(
            after,
            [
                "GRADE_MISMATCH",
                "TARGETS_VAGUE",
                "GOAL_COPY",
                "TEXT_CONTRADICTS_DATA"
            ]
        );
        // Every check after SCORE_OVER_WEIGHT is walked or run after the walk, once.
        assert_eq!(CHECKS.len(), SCORE_OVER_WEIGHT + 1 + 12 + AFTER_WALK.len());
    }

    /// `review` (the walk, or the check-by-check order when they could sort differently)
    /// gives the findings of `review_by_check`, in an order the engine's stable sort by
    /// location and severity makes the same, for generated forms whose checks fire often:
    /// rows on increasing lines (the walk), and rows sharing a line, going back, unlocated,
    /// or with the form's cells among them (the check-by-check order).
    #[test]
    fn walk_as_check_by_check() {
        use crate::model::{Evaluation, FundRow, Indicator, IndicatorLocs};
        fn sorted(mut f: Vec<Finding>) -> Vec<Finding> {
            crate::engine::sort_general(&mut f);
            f
        }
        let names = [
            "培训人次",
            "群众满意度",
            "投诉处理及时率",
            "成本控制",
            "费用节约率",
            "…",
            "指标1",
            "项目 完成率",
            "覆盖率",
            "",
        ];
        let targets = [
            "≥100人次",
            "=50件",
            "100",
            "达到预期",
            "",
            "≤3天",
            "≥95%",
            "良好",
            "=100%",
            "≥1.5万元",
        ];
        let actuals = [
            "120人次",
            "50件",
            "40件",
            "达成",
            "",
            "≥100",
            "90%",
            "完成",
            "良好",
            "3000人次",
            "2天",
            "部分达成",
        ];
        let level2 = [
            None,
            Some("数量指标"),
            Some("质量指标"),
            Some("时效指标"),
            Some("成本指标"),
            Some("服务对象满意度指标"),
            Some("生态效益指标"),
        ];
        let mut step = crate::lcg(61);
        let mut next = |n: u64| (step() >> 33) % n;
        let profile = Profile::default();
        let (mut walked, mut fell_back, mut found) = (0, 0, 0);
        for _ in 0..4_000 {
            let mut ev = Evaluation::default();
            let shape = next(6);
            let at = |line: u32, column: u32| Some(Loc::text(line, column));
            ev.funds.total = FundRow {
                initial: Some(Decimal::new(100 + next(3) as i64 * 10, 0)),
                adjusted: Some(Decimal::new(110, 0)),
                executed: Some(Decimal::new(next(110) as i64, 0)),
                at: at(3, 1),
            };
            ev.funds.has_adjusted_column = true;
            ev.funds.score = Some(printed_score(Decimal::new(next(12) as i64, 0)));
            ev.funds.weight = Some(Decimal::TEN);
            ev.total_score = Some(printed_score(Decimal::new(next(100) as i64, 0)));
            ev.grade = Some(["优", "良", "中", "差"][next(4) as usize].into());
            ev.goal_expected = Some("完成培训".into());
            ev.goal_actual = Some(
                if next(2) == 0 {
                    "完成培训"
                } else {
                    "全部完成"
                }
                .into(),
            );
            // The form's cells: above the table, or (shape 5) on a line of its rows.
            let form_line = if shape == 5 { 12 } else { 40 };
            ev.at.total = at(form_line, 2);
            ev.at.grade = at(form_line, 4);
            ev.at.goal_actual = at(if shape == 5 { 11 } else { 5 }, 2);
            let mut line = 10u32;
            for k in 0..next(12) {
                line = match shape {
                    // Two rows on one line now and then.
                    1 if next(3) == 0 => line,
                    // Going back.
                    2 if next(4) == 0 => line.saturating_sub(2),
                    _ => line + 1,
                };
                let row = if shape == 3 && next(3) == 0 {
                    None
                } else {
                    at(line, 1)
                };
                let cell = |column: u32| row.as_ref().map(|_| Loc::text(line, column));
                let ind = Indicator {
                    level1: None,
                    level2: level2[next(level2.len() as u64) as usize].map(Into::into),
                    name: names[next(names.len() as u64) as usize].into(),
                    target: Some(targets[next(targets.len() as u64) as usize].into())
                        .filter(|t: &CompactString| !t.is_empty()),
                    actual: Some(actuals[next(actuals.len() as u64) as usize].into())
                        .filter(|t: &CompactString| !t.is_empty()),
                    weight: (next(5) != 0).then(|| Decimal::new(next(3) as i64 * 5 + 5, 0)),
                    score: (next(5) != 0).then(|| Decimal::new(next(17) as i64 - 1, 0)),
                    reason: [None, Some("无"), Some("原因：天气")][next(3) as usize]
                        .map(Into::into),
                    at: IndicatorLocs {
                        name: cell(3),
                        target: cell(4),
                        actual: if shape == 4 && k == 1 {
                            at(9, 1)
                        } else {
                            cell(5)
                        },
                        weight: cell(6),
                        score: cell(7),
                        reason: cell(8),
                        row,
                    },
                };
                ev.indicators.push(ind);
            }
            let card = crate::score::score(&ev, &profile);
            let cx = Context::new(&ev, &card, &profile);
            let mut want = Vec::new();
            review_by_check(&cx, &mut want);
            let mut walk = Vec::new();
            if review_walk(&cx, &mut walk) {
                walked += 1;
                assert_eq!(sorted(walk), sorted(want.clone()));
            } else {
                fell_back += 1;
            }
            let have = review(&ev, &card, &profile);
            found += want.len();
            assert_eq!(sorted(have), sorted(want));
        }
        assert!(
            walked > 1_500 && fell_back > 1_000 && found > 50_000,
            "{walked} {fell_back} {found}"
        );
    }

    /// The second-byte scan finds each keyword where `contains_str` does.
    #[test]
    fn keyword_scan_as_contains() {
        let mut names = generated_names();
        names.extend(["满", "满意", "a满意", "满意a", "满满意", "意满意"].map(String::from));
        for name in names {
            for (kw, _, _) in PLACEMENT {
                assert_eq!(
                    contains_keyword(&name, kw),
                    contains_str(&name, kw),
                    "{name:?}"
                );
            }
        }
    }

    #[test]
    fn boilerplate_is_recognised_by_its_first_character() {
        for b in BOILERPLATE {
            assert!(b.starts_with(BOILERPLATE_FIRST), "{b}");
            assert!(is_boilerplate(b), "{b}");
            let spaced: String = b.chars().flat_map(|c| [' ', c, '\u{3000}']).collect();
            assert!(is_boilerplate(&spaced), "{spaced:?}");
            assert!(is_boilerplate(&format!("\n {b}\t")), "{b}");
            assert!(!is_boilerplate(&format!("{b}了")), "{b}");
        }
        for text in [
            "",
            " ",
            "98%",
            "≥95%",
            "完成率98%",
            "已",
            "达到",
            "100 次",
            "是否",
        ] {
            let want = BOILERPLATE.iter().any(|b| compact(text) == *b);
            assert_eq!(is_boilerplate(text), want, "{text:?}");
        }
    }
}
