//! Scoring (评分): the rule-based score of a form under a profile, every number with its
//! derivation.

use crate::measure::{Measure, MeasureKind, Operator};
use crate::model::{compact, contains_str, Evaluation, FundRow, Funds, Indicator};
use crate::num::{cmp, concat, decimal_string, max, min, Piece::Num, Piece::Text};
use crate::profile::{Denominator, Profile, ProfileTag, ReverseFormula};
use compact_str::CompactString;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use smallvec::{smallvec, SmallVec};
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

/// A derivation's named inputs, in order: at most three, so kept inline (no allocation).
pub type NamedInputs = SmallVec<[(&'static str, CompactString); 3]>;

/// A derivation's named inputs, in order (`W`, `T`, `A` …), values as printed or computed.
#[derive(Debug, Clone)]
pub enum Inputs {
    /// Names and texts. Boxed: no derivation of the scorer has them (they come from tests
    /// and other writers), and inline they made every `Computed` 40 bytes wider, moved with
    /// each indicator's score.
    Named(Box<NamedInputs>),
    /// An indicator's `W`, `T` and `A`: the weight (its text is its `Display`), the target
    /// and the actual as printed. Most derivations: the weight is not written until printed.
    Wta {
        w: Decimal,
        t: CompactString,
        a: CompactString,
    },
    /// Names and numbers, each as its `Display` writes it, followed by `%` when the flag is
    /// set (the head's derivations: amounts, scores, a rate, a count).
    Numbers(SmallVec<[(&'static str, Decimal, bool); 2]>),
}

/// An input's value: a text, or a number as its `Display` writes it.
#[derive(Debug, Clone, Copy)]
pub enum InputValue<'a> {
    Text(&'a str),
    Num(Decimal),
    /// `{d}%`
    Percent(Decimal),
}

impl fmt::Display for InputValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            InputValue::Text(text) => f.write_str(text),
            InputValue::Num(d) => {
                let mut buf = [0u8; crate::num::DECIMAL_BUF];
                f.write_str(crate::num::decimal_str(d, &mut buf))
            }
            InputValue::Percent(d) => {
                let mut buf = [0u8; crate::num::DECIMAL_BUF];
                f.write_str(crate::num::decimal_str(d, &mut buf))?;
                f.write_str("%")
            }
        }
    }
}

impl Serialize for InputValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            InputValue::Text(text) => serializer.serialize_str(text),
            InputValue::Num(_) | InputValue::Percent(_) => serializer.collect_str(self),
        }
    }
}

impl Inputs {
    /// The names and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, InputValue<'_>)> + '_ {
        let (named, wta, numbers) = match self {
            Inputs::Named(named) => (&named[..], None, &[][..]),
            Inputs::Wta { w, t, a } => (&[][..], Some((*w, t.as_str(), a.as_str())), &[][..]),
            Inputs::Numbers(numbers) => (&[][..], None, &numbers[..]),
        };
        named
            .iter()
            .map(|(k, v)| (*k, InputValue::Text(v)))
            .chain(numbers.iter().map(|&(k, d, percent)| {
                (
                    k,
                    if percent {
                        InputValue::Percent(d)
                    } else {
                        InputValue::Num(d)
                    },
                )
            }))
            .chain(wta.into_iter().flat_map(|(w, t, a)| {
                [
                    ("W", InputValue::Num(w)),
                    ("T", InputValue::Text(t)),
                    ("A", InputValue::Text(a)),
                ]
            }))
    }

    pub fn len(&self) -> usize {
        match self {
            Inputs::Named(named) => named.len(),
            Inputs::Wta { .. } => 3,
            Inputs::Numbers(numbers) => numbers.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for Inputs {
    /// The same names and texts (a number's representation counts).
    fn eq(&self, other: &Inputs) -> bool {
        self.len() == other.len()
            && self
                .iter()
                .zip(other.iter())
                .all(|((k, v), (l, u))| k == l && v.to_string() == u.to_string())
    }
}

impl Eq for Inputs {}

impl From<Vec<(&'static str, CompactString)>> for Inputs {
    fn from(named: Vec<(&'static str, CompactString)>) -> Self {
        Inputs::Named(Box::new(named.into()))
    }
}

impl Serialize for Inputs {
    /// An object of the names and texts, in order.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, &v)?;
        }
        map.end()
    }
}

/// A computed number with its derivation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Computed {
    /// Exact value; round only for display.
    pub value: Decimal,
    /// e.g. `W × A/T = 7 × 99/100`, kept as its numbers until printed.
    pub formula: Formula,
    /// Named inputs in order (`W`, `T`, `A` …), values as printed or computed.
    pub inputs: Inputs,
    /// Rule profile name and version, shared by every number of a scorecard.
    pub profile: ProfileTag,
    pub profile_version: ProfileTag,
    /// Mostly one of a few fixed sentences: borrowed then.
    pub note: Option<Cow<'static, str>>,
}

impl Computed {
    /// The value rounded half-up (四舍五入) to 2 decimals.
    pub fn display(&self) -> String {
        display_decimal(self.value, 2)
    }
}

/// The fixed words of the formulas, shared by [`Formula`]'s `Display` and the writers that
/// print a formula straight from its numbers (`check --format json`). None needs a JSON
/// escape (a test holds it).
pub mod words {
    pub const EXECUTION_RATE: &str = "B / A = ";
    pub const OVER: &str = " / ";
    pub const BUDGET_SCORE: &str = "W × min(执行率, 100%) = ";
    pub const TIMES: &str = " × ";
    pub const PERCENT: &str = "%";
    pub const INDICATOR_SUM: &str = "Σ 三级指标得分";
    pub const TOTAL: &str = "预算执行得分 + Σ 指标得分 = ";
    pub const PLUS: &str = " + ";
    pub const ZERO_TARGET: &str = "T = 0：A ≤ 0 → W，否则 0；A = ";
    pub const ARROW: &str = " → ";
    pub const MET_AT_LEAST: &str = "A ≥ T → W = ";
    pub const PROPORTIONAL: &str = "W × A/T = ";
    pub const SLASH: &str = "/";
    pub const MET_AT_MOST: &str = "A ≤ T → W = ";
    pub const REVERSE_RATIO: &str = "W × T/A = ";
    pub const REVERSE_LINEAR: &str = "W × max(0, 1 − (A−T)/T) = ";
    pub const REVERSE_LINEAR_OPEN: &str = " × max(0, 1 − (";
    pub const MINUS: &str = "−";
    pub const CLOSE_OVER: &str = ")/";
    pub const CLOSE: &str = ")";
    pub const REVERSE_ZERO: &str = "T = ";
    pub const REVERSE_ZERO_A: &str = "，A = ";
    pub const REVERSE_ZERO_END: &str = " → 0";
    pub const MET_EXACT: &str = "A = T → W = ";
    pub const DEVIATION: &str = "W × (1 − |A−T|/T) = ";
    pub const DEVIATION_OPEN: &str = " × (1 − |";
    pub const BAR_OVER: &str = "|/";
    pub const ON_TIME: &str = "按时完成 → W = ";
    pub const PRINTED: &str = "按填报得分 ";
    pub const IN_BAND: &str = "：得分在 [";
    pub const COMMA: &str = ", ";
    pub const IN_BAND_END: &str = "] 内，按填报 ";
    pub const CLAMPED: &str = "：得分限于 [";
    pub const CLAMPED_END: &str = "]，填报 ";
    pub const TOP_OF_BAND: &str = "：未填报得分，取档上限 ";
    pub const AT_LEAST: &str = " ≥ ";
    pub const ACHIEVED: &str = "达成";
    pub const PARTIAL: &str = "部分达成";
    pub const UNMET: &str = "未达成";
    pub const UNKNOWN: &str = "未知";

    /// Every word above, for the test that none needs an escape.
    #[rustfmt::skip]
    pub const ALL: &[&str] = &[
        EXECUTION_RATE, OVER, BUDGET_SCORE, TIMES, PERCENT, INDICATOR_SUM, TOTAL, PLUS,
        ZERO_TARGET, ARROW, MET_AT_LEAST, PROPORTIONAL, SLASH, MET_AT_MOST, REVERSE_RATIO,
        REVERSE_LINEAR, REVERSE_LINEAR_OPEN, MINUS, CLOSE_OVER, CLOSE, REVERSE_ZERO,
        REVERSE_ZERO_A, REVERSE_ZERO_END, MET_EXACT, DEVIATION, DEVIATION_OPEN, BAR_OVER,
        ON_TIME, PRINTED, IN_BAND, COMMA, IN_BAND_END, CLAMPED, CLAMPED_END, TOP_OF_BAND,
        AT_LEAST, ACHIEVED, PARTIAL, UNMET, UNKNOWN,
    ];
}

/// A derivation's formula, kept as its shape and its numbers until it is printed
/// (`W × A/T = 7 × 99/100`): writing the text for every number of every form cost more than
/// scoring it, and most formulas are never printed but by the JSON writer, which prints them
/// straight from the numbers. `Display` (and so `to_string`, `format!`, serde) gives the text,
/// each number as its `Display` writes it; two formulas are equal when their texts are.
#[derive(Debug, Clone)]
pub enum Formula {
    /// A formula given as text.
    Text(CompactString),
    /// `B / A = {executed} / {budget}`
    ExecutionRate { executed: Decimal, budget: Decimal },
    /// `W × min(执行率, 100%) = {w} × {capped}%`, `capped` the capped rate in percent as
    /// printed (2 decimals).
    BudgetScore { w: Decimal, capped: Decimal },
    /// `Σ 三级指标得分`
    IndicatorSum,
    /// `预算执行得分 + Σ 指标得分 = {b} + {t}`
    Total { b: Decimal, t: Decimal },
    /// `T = 0：A ≤ 0 → W，否则 0；A = {a} → {v}`
    ZeroTarget { a: Decimal, v: Decimal },
    /// `A ≥ T → W = {w}`
    MetAtLeast { w: Decimal },
    /// `W × A/T = {w} × {a}/{t}`
    Proportional { w: Decimal, a: Decimal, t: Decimal },
    /// `A ≤ T → W = {w}`
    MetAtMost { w: Decimal },
    /// `W × T/A = {w} × {t}/{a}`
    ReverseRatio { w: Decimal, a: Decimal, t: Decimal },
    /// `W × max(0, 1 − (A−T)/T) = {w} × max(0, 1 − ({a}−{t})/{t})`
    ReverseLinear { w: Decimal, a: Decimal, t: Decimal },
    /// `T = {t}，A = {a} → 0`
    ReverseZero { a: Decimal, t: Decimal },
    /// `A = T → W = {w}`
    MetExact { w: Decimal },
    /// `W × (1 − |A−T|/T) = {w} × (1 − |{a}−{t}|/{t})`
    Deviation { w: Decimal, a: Decimal, t: Decimal },
    /// `按时完成 → W = {w}`
    OnTime { w: Decimal },
    /// `按填报得分 {p}`
    Printed { p: Decimal },
    /// `{achievement}：得分在 [{lo}, {hi}] 内，按填报 {p}`
    InBand {
        achievement: Achievement,
        lo: Decimal,
        hi: Decimal,
        p: Decimal,
    },
    /// `{achievement}：得分限于 [{lo}, {hi}]，填报 {p} → {c}`, `c` the printed score `p`
    /// clamped to the band ([`Formula::clamped`]).
    Clamped {
        achievement: Achievement,
        lo: Decimal,
        hi: Decimal,
        p: Decimal,
    },
    /// `{achievement}：未填报得分，取档上限 {hi}`
    TopOfBand {
        achievement: Achievement,
        hi: Decimal,
    },
}

/// A piece of a formula's text: fixed words, a number as `Display` writes it, or other text.
#[derive(Debug, Clone, Copy)]
pub enum FormulaPiece<'a> {
    Words(&'static str),
    Num(Decimal),
    Text(&'a str),
}

impl Formula {
    /// The score of [`Formula::Clamped`]: the printed score within the band.
    pub fn clamped(p: Decimal, lo: Decimal, hi: Decimal) -> Decimal {
        min(max(p, lo), hi)
    }

    /// The formula's text piece by piece, in order, to `out` (stops at the first error).
    pub fn pieces<E>(
        &self,
        mut out: impl FnMut(FormulaPiece<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        use words as w;
        use FormulaPiece::{Num as N, Words as W};
        match self {
            Formula::Text(text) => out(FormulaPiece::Text(text)),
            Formula::ExecutionRate { executed, budget } => {
                out(W(w::EXECUTION_RATE))?;
                out(N(*executed))?;
                out(W(w::OVER))?;
                out(N(*budget))
            }
            Formula::BudgetScore { w: weight, capped } => {
                out(W(w::BUDGET_SCORE))?;
                out(N(*weight))?;
                out(W(w::TIMES))?;
                out(N(*capped))?;
                out(W(w::PERCENT))
            }
            Formula::IndicatorSum => out(W(w::INDICATOR_SUM)),
            Formula::Total { b, t } => {
                out(W(w::TOTAL))?;
                out(N(*b))?;
                out(W(w::PLUS))?;
                out(N(*t))
            }
            Formula::ZeroTarget { a, v } => {
                out(W(w::ZERO_TARGET))?;
                out(N(*a))?;
                out(W(w::ARROW))?;
                out(N(*v))
            }
            Formula::MetAtLeast { w: weight } => {
                out(W(w::MET_AT_LEAST))?;
                out(N(*weight))
            }
            Formula::Proportional { w: weight, a, t } => {
                out(W(w::PROPORTIONAL))?;
                out(N(*weight))?;
                out(W(w::TIMES))?;
                out(N(*a))?;
                out(W(w::SLASH))?;
                out(N(*t))
            }
            Formula::MetAtMost { w: weight } => {
                out(W(w::MET_AT_MOST))?;
                out(N(*weight))
            }
            Formula::ReverseRatio { w: weight, a, t } => {
                out(W(w::REVERSE_RATIO))?;
                out(N(*weight))?;
                out(W(w::TIMES))?;
                out(N(*t))?;
                out(W(w::SLASH))?;
                out(N(*a))
            }
            Formula::ReverseLinear { w: weight, a, t } => {
                out(W(w::REVERSE_LINEAR))?;
                out(N(*weight))?;
                out(W(w::REVERSE_LINEAR_OPEN))?;
                out(N(*a))?;
                out(W(w::MINUS))?;
                out(N(*t))?;
                out(W(w::CLOSE_OVER))?;
                out(N(*t))?;
                out(W(w::CLOSE))
            }
            Formula::ReverseZero { a, t } => {
                out(W(w::REVERSE_ZERO))?;
                out(N(*t))?;
                out(W(w::REVERSE_ZERO_A))?;
                out(N(*a))?;
                out(W(w::REVERSE_ZERO_END))
            }
            Formula::MetExact { w: weight } => {
                out(W(w::MET_EXACT))?;
                out(N(*weight))
            }
            Formula::Deviation { w: weight, a, t } => {
                out(W(w::DEVIATION))?;
                out(N(*weight))?;
                out(W(w::DEVIATION_OPEN))?;
                out(N(*a))?;
                out(W(w::MINUS))?;
                out(N(*t))?;
                out(W(w::BAR_OVER))?;
                out(N(*t))?;
                out(W(w::CLOSE))
            }
            Formula::OnTime { w: weight } => {
                out(W(w::ON_TIME))?;
                out(N(*weight))
            }
            Formula::Printed { p } => {
                out(W(w::PRINTED))?;
                out(N(*p))
            }
            Formula::InBand {
                achievement,
                lo,
                hi,
                p,
            } => {
                out(W(achievement.label_zh()))?;
                out(W(w::IN_BAND))?;
                out(N(*lo))?;
                out(W(w::COMMA))?;
                out(N(*hi))?;
                out(W(w::IN_BAND_END))?;
                out(N(*p))
            }
            Formula::Clamped {
                achievement,
                lo,
                hi,
                p,
            } => {
                out(W(achievement.label_zh()))?;
                out(W(w::CLAMPED))?;
                out(N(*lo))?;
                out(W(w::COMMA))?;
                out(N(*hi))?;
                out(W(w::CLAMPED_END))?;
                out(N(*p))?;
                out(W(w::ARROW))?;
                out(N(Formula::clamped(*p, *lo, *hi)))
            }
            Formula::TopOfBand { achievement, hi } => {
                out(W(achievement.label_zh()))?;
                out(W(w::TOP_OF_BAND))?;
                out(N(*hi))
            }
        }
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; crate::num::DECIMAL_BUF];
        self.pieces(|piece| match piece {
            FormulaPiece::Words(text) => f.write_str(text),
            FormulaPiece::Text(text) => f.write_str(text),
            FormulaPiece::Num(d) => f.write_str(crate::num::decimal_str(d, &mut buf)),
        })
    }
}

impl PartialEq for Formula {
    /// Equal texts (a number's representation counts: `7` is not `7.0` here).
    fn eq(&self, other: &Formula) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Formula {}

impl PartialEq<&str> for Formula {
    /// The text is `other` (compared as it is written, without building it).
    fn eq(&self, other: &&str) -> bool {
        /// What is left of the text to match.
        struct Rest<'a>(&'a str);
        impl fmt::Write for Rest<'_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                self.0 = self.0.strip_prefix(s).ok_or(fmt::Error)?;
                Ok(())
            }
        }
        let mut rest = Rest(other);
        fmt::write(&mut rest, format_args!("{self}")).is_ok() && rest.0.is_empty()
    }
}

impl From<&str> for Formula {
    fn from(text: &str) -> Self {
        Formula::Text(CompactString::new(text))
    }
}

impl Serialize for Formula {
    /// The text, as a string.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The grade's formula, `{total} ≥ {min} → {label}` (`94.00 ≥ 90 → 优`), kept as its
/// numbers and label until it is printed, like [`Formula`].
#[derive(Debug, Clone)]
pub struct GradeFormula {
    /// The total, rounded half-up to 2 decimals.
    pub total: Decimal,
    /// The band's lower bound.
    pub min: Decimal,
    /// The band's label (from the profile: any text).
    pub label: CompactString,
}

impl fmt::Display for GradeFormula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; crate::num::DECIMAL_BUF];
        f.write_str(crate::num::decimal_str(self.total, &mut buf))?;
        f.write_str(words::AT_LEAST)?;
        f.write_str(crate::num::decimal_str(self.min, &mut buf))?;
        f.write_str(words::ARROW)?;
        f.write_str(&self.label)
    }
}

impl PartialEq for GradeFormula {
    /// Equal texts, as [`Formula`].
    fn eq(&self, other: &GradeFormula) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for GradeFormula {}

impl Serialize for GradeFormula {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Round half-up (四舍五入, not banker's) and print with exactly `decimals` decimals.
pub fn display_decimal(value: Decimal, decimals: u32) -> String {
    decimal_string(rounded(value, decimals))
}

/// The grade (等级) computed from the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GradeResult {
    pub grade: String,
    /// e.g. `94.00 ≥ 90 → 优`, kept as its numbers until printed.
    pub formula: GradeFormula,
    pub profile: ProfileTag,
    pub profile_version: ProfileTag,
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
            Achievement::Achieved => words::ACHIEVED,
            Achievement::Partial => words::PARTIAL,
            Achievement::Unmet => words::UNMET,
            Achievement::Unknown => words::UNKNOWN,
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
    pub profile: ProfileTag,
    pub profile_version: ProfileTag,
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
    let (name, version) = profile_ids(profile);
    let cx = Cx {
        profile,
        name,
        version,
    };
    let execution_rate = execution_rate(&ev.funds, &cx, &mut notes);
    let budget_score = execution_rate.as_ref().and_then(|rate| {
        let w = profile.budget.weight;
        let capped = max(min(rate.value, Decimal::ONE), Decimal::ZERO);
        // Each number written once, for its input, and copied into the formula: the capped
        // rate is the rate itself (the same representation) from 0 to 100%.
        // A rate or weight read from the form or a user's profile may be too large to take
        // in percent or to multiply: then there is no budget score, never a wrong one.
        let (Some(rate_percent), Some(value)) = (percent_2(rate.value), w.checked_mul(capped))
        else {
            notes.push(OVERFLOW_NOTE.into());
            return None;
        };
        let capped_percent = if capped.serialize() == rate.value.serialize() {
            rate_percent
        } else {
            // Within [0, 100]: cannot overflow.
            percent_2(capped).unwrap_or(rate_percent)
        };
        Some(cx.computed(
            value,
            Formula::BudgetScore {
                w,
                capped: capped_percent,
            },
            Inputs::Numbers(smallvec![("W", w, false), ("执行率", rate_percent, true)]),
            None,
        ))
    });
    // Every score made unscored in its place first (constants stored straight into the
    // vector: a score pushed whole was built aside and copied, 496 bytes by `memcpy` each),
    // then scored there.
    touch(&ev.indicators);
    let mut indicators: Vec<IndicatorScore> = (0..ev.indicators.len()).map(unscored).collect();
    for (out, ind) in indicators.iter_mut().zip(&ev.indicators) {
        score_indicator(out, ind, &cx);
    }

    // Σ indicator scores: the computed score, else the printed one (noted), else unknown.
    let mut sum = Decimal::ZERO;
    let mut substituted = Vec::new();
    let mut unknown = false;
    // Printed scores and weights come from the form: their sum may not fit a Decimal.
    let mut overflowed = false;
    for (is, ind) in indicators.iter().zip(&ev.indicators) {
        let add = match (&is.computed, ind.score) {
            (Some(c), _) => c.value,
            (None, Some(printed)) => {
                substituted.push(format!("「{}」", compact(&ind.name)));
                printed
            }
            (None, None) => {
                unknown = true;
                continue;
            }
        };
        match sum.checked_add(add) {
            Some(s) => sum = s,
            None => overflowed = true,
        }
    }
    let indicator_total = if unknown || indicators.is_empty() {
        notes.push("部分指标既无法按规则计算也未填报得分，指标合计无法得出 (some indicators have neither a computed nor a printed score)".into());
        None
    } else if overflowed {
        notes.push(OVERFLOW_NOTE.into());
        None
    } else {
        let note = (!substituted.is_empty()).then(|| {
            Cow::Owned(format!(
                "{} 无法按规则计算，按填报得分计入 (printed score used where no rule applies)",
                substituted.join("、")
            ))
        });
        Some(cx.computed(
            sum,
            Formula::IndicatorSum,
            Inputs::Numbers(smallvec![(
                "指标数",
                Decimal::from(indicators.len()),
                false
            )]),
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
        (Some(b), Some(t)) => match b.value.checked_add(t.value) {
            Some(v) => Some(v),
            None => {
                notes.push(OVERFLOW_NOTE.into());
                None
            }
        }
        .map(|v| {
            cx.computed(
                v,
                Formula::Total {
                    b: b.value,
                    t: t.value,
                },
                Inputs::Numbers(smallvec![
                    ("预算执行得分", b.value, false),
                    ("指标得分合计", t.value, false)
                ]),
                t.note.clone(),
            )
        }),
        _ => None,
    };
    let grade = total.as_ref().and_then(|t| {
        let band = profile
            .grades
            .iter()
            .find(|g| cmp(t.value, g.min).is_ge())?;
        Some(GradeResult {
            grade: band.label.clone(),
            formula: GradeFormula {
                total: rounded(t.value, 2),
                min: band.min,
                label: CompactString::new(&band.label),
            },
            profile: cx.name.clone(),
            profile_version: cx.version.clone(),
        })
    });
    Scorecard {
        profile: cx.name.clone(),
        profile_version: cx.version.clone(),
        execution_rate,
        budget_score,
        indicators,
        indicator_total,
        total,
        grade,
        notes,
    }
}

thread_local! {
    /// The last profile's name and version as tags: a run scores every form under one
    /// profile, and looking its texts up in the interned table is a lock a form.
    static PROFILE_IDS: Cell<Option<(ProfileTag, ProfileTag)>> = const { Cell::new(None) };
}

/// The profile's name and version as tags: the ones kept from the last form when they spell
/// the same texts, else looked up (and kept for the next form).
fn profile_ids(profile: &Profile) -> (ProfileTag, ProfileTag) {
    let fresh = || {
        (
            ProfileTag::new(&profile.name),
            ProfileTag::new(&profile.version),
        )
    };
    // `try_with`: while the thread is being torn down the slot is gone; make new ones then.
    PROFILE_IDS
        .try_with(|slot| {
            let ids = match slot.take() {
                Some((n, v)) if *n == *profile.name && *v == *profile.version => (n, v),
                _ => fresh(),
            };
            slot.set(Some(ids.clone()));
            ids
        })
        .unwrap_or_else(|_| fresh())
}

struct Cx<'a> {
    profile: &'a Profile,
    /// The profile's name and version, shared by every number of the form.
    name: ProfileTag,
    version: ProfileTag,
}

impl Cx<'_> {
    #[inline(always)]
    fn computed(
        &self,
        value: Decimal,
        formula: Formula,
        inputs: Inputs,
        note: Option<Cow<'static, str>>,
    ) -> Computed {
        Computed {
            value,
            formula,
            inputs,
            profile: self.name.clone(),
            profile_version: self.version.clone(),
            note,
        }
    }
}

/// The inputs of an indicator's score: weight, target and actual as printed.
fn wta(w: Decimal, out: &IndicatorScore) -> Inputs {
    Inputs::Wta {
        w,
        t: out.target.printed.clone(),
        a: out.actual.printed.clone(),
    }
}

/// Why a number is not computed when an operation on numbers read from the form (or a
/// user's profile) does not fit a `Decimal` (about ±7.9 × 10^28, 28 decimals).
pub const OVERFLOW_NOTE: &str = "数值过大，无法计算 (a number is too large to compute with)";

/// A fraction in percent, rounded half-up to 2 decimals (the number [`pct`] prints); `None`
/// when the percent does not fit a `Decimal`.
fn percent_2(fraction: Decimal) -> Option<Decimal> {
    Some(rounded(fraction.checked_mul(Decimal::ONE_HUNDRED)?, 2))
}

/// [`pct`] as a `CompactString` (inline: no allocation). A fraction too large to take in
/// percent is written as its exact value times 100 (`7.9E+28 × 100%` would be invented).
pub fn pct_compact(fraction: Decimal) -> CompactString {
    match percent_2(fraction) {
        Some(p) => concat(&[Num(p), Text("%")]),
        None => concat(&[Num(fraction), Text(" × 100%")]),
    }
}

/// `value` rounded half-up to `decimals`, rescaled to exactly that many decimals.
fn rounded(value: Decimal, decimals: u32) -> Decimal {
    if let Some(v) = rounded_fast(value, decimals) {
        return v;
    }
    let mut v = value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    v.rescale(decimals);
    v
}

/// [`rounded`] of a non-negative value from its mantissa: one division (and remainder) by a
/// power of ten, half rounded up, or a multiplication when the value has fewer decimals.
/// Percentages are rounded from ratios of up to 28 decimals, where rust_decimal's rounding
/// costs ≈ 300 instructions. `None` (the general path) for negative values (the sign of a
/// zero result) and results that would not fit.
fn rounded_fast(value: Decimal, decimals: u32) -> Option<Decimal> {
    const MAX_MANTISSA: u128 = (1 << 96) - 1;
    if value.is_sign_negative() || decimals > 28 {
        return None;
    }
    let m = value.mantissa().unsigned_abs();
    let scale = value.scale();
    let m = if scale > decimals {
        let power = 10u128.checked_pow(scale - decimals)?;
        let (q, r) = match (u64::try_from(m), u64::try_from(power)) {
            // Most values: 64-bit division.
            (Ok(m), Ok(p)) => (u128::from(m / p), u128::from(m % p)),
            _ => (m / power, m % power),
        };
        // Half away from zero: a remainder of at least half the divisor rounds up.
        q + u128::from(r >= power - r)
    } else {
        m.checked_mul(10u128.checked_pow(decimals - scale)?)?
    };
    (m <= MAX_MANTISSA).then(|| Decimal::from_i128_with_scale(m as i128, decimals))
}

/// The largest mantissa of a `Decimal` (96 bits).
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// `a.checked_div(b)`, by [`quotient_fast`] for the common shapes. Inlined: a call takes
/// both decimals and gives the quotient back through memory, stored in 4-byte pieces and
/// loaded whole, which the processor cannot forward (a stall each way).
#[inline]
fn checked_quotient(a: Decimal, b: Decimal) -> Option<Decimal> {
    quotient_fast(a, b).or_else(|| a.checked_div(b))
}

/// rust_decimal's division, bit for bit (value, scale and sign), for a divisor whose mantissa
/// fits 32 bits and a dividend whose mantissa fits 64, and while no step comes near 96 bits:
/// ratios A/T, scores W×A/T and the execution rate, ≈ 400 instructions each through
/// `div_impl` (most quotients do not terminate: 28 decimals, three or four rounds of nine
/// digits). The steps are those of rust_decimal's 32-bit divisor path (`div_remainder_32`): a
/// remainder scales the quotient up by nine digits at a time (fewer to stop at scale 28), the
/// last remainder rounds half to even, and a result that had a remainder drops trailing zeros
/// by 10⁸, 10⁴, 10², 10 in that order and under the same tests (so not always all of them).
/// `None` (the caller takes rust_decimal's path) for other shapes, a zero divisor, and any
/// step where rust_decimal would scale by fewer digits or overflow.
#[inline]
fn quotient_fast(a: Decimal, b: Decimal) -> Option<Decimal> {
    let divisor = u64::from(u32::try_from(b.mantissa().unsigned_abs()).ok()?);
    if divisor == 0 {
        return None;
    }
    if a.is_zero() {
        return Some(Decimal::ZERO);
    }
    let dividend = u64::try_from(a.mantissa().unsigned_abs()).ok()?;
    let negative = a.is_sign_negative() != b.is_sign_negative();
    // Scales are 0..=28: the difference is −28..=28.
    let mut scale = a.scale() as i32 - b.scale() as i32;
    // One division for the reciprocal; each round then divides by a multiplication (the
    // rounds are serial, and the compiler made two `div`s of each: a third of the samples).
    let reciprocal = Reciprocal::new(divisor);
    let (q0, mut r) = reciprocal.div_rem(dividend);
    let mut q = u128::from(q0);
    let mut require_unscale = false;
    loop {
        let x = if r == 0 {
            if scale >= 0 {
                break;
            }
            (-scale).min(9)
        } else {
            require_unscale = true;
            if scale == 28 {
                // Half to even on the exact remainder (r < divisor < 2³²: no overflow).
                let twice = r * 2;
                if twice > divisor || (twice == divisor && q & 1 == 1) {
                    q += 1;
                    if q > MAX_MANTISSA {
                        return None;
                    }
                }
                break;
            }
            (28 - scale).min(9)
        };
        let power = crate::num::POW10_U64[x as usize];
        // rust_decimal scales by the most digits (up to `x`) that keep the quotient within 96
        // bits: when that is fewer than `x`, or when adding the remainder's digits overflows,
        // its path differs (and is rare): take it.
        let scaled = q * u128::from(power);
        if scaled > MAX_MANTISSA {
            return None;
        }
        // r < 2³², power ≤ 10⁹ < 2³⁰: the product fits 64 bits.
        let (digits, rest) = reciprocal.div_rem(r * power);
        q = scaled + u128::from(digits);
        if q > MAX_MANTISSA {
            return None;
        }
        r = rest;
        scale += x;
    }
    let mut scale = scale as u32;
    if require_unscale {
        // Most quotients that end early are short: their zeros are dropped in 64 bits, where
        // a division by a constant is a multiplication (in 128 bits it is a call).
        (q, scale) = match u64::try_from(q) {
            Ok(q) => {
                let (q, scale) = unscale_64(q, scale);
                (u128::from(q), scale)
            }
            Err(_) => unscale_128(q, scale),
        };
    }
    Some(Decimal::from_parts(
        q as u32,
        (q >> 32) as u32,
        (q >> 64) as u32,
        negative,
        scale,
    ))
}

/// Division by a fixed divisor below 2³² as a multiplication: `inverse` = ⌊(2⁶⁴ − 1) / d⌋, so
/// for any 64-bit `n` the high half of `n × inverse` is ⌊n / d⌋ or one less (the estimate
/// n/d − n × (2⁶⁴/d − inverse)/2⁶⁴ is below n/d and above n/d − 1, for 2⁶⁴/d − inverse ≤ 1);
/// one comparison corrects it. A multiply takes a few cycles where a 64-bit `div` takes tens.
#[derive(Clone, Copy)]
struct Reciprocal {
    divisor: u64,
    inverse: u64,
}

impl Reciprocal {
    /// `divisor` is 1..2³² (the caller checked).
    #[inline]
    fn new(divisor: u64) -> Self {
        debug_assert!(divisor != 0 && divisor <= u64::from(u32::MAX));
        Reciprocal {
            divisor,
            inverse: u64::MAX / divisor.max(1),
        }
    }

    /// `(n / divisor, n % divisor)`.
    #[inline]
    fn div_rem(self, n: u64) -> (u64, u64) {
        let q = ((u128::from(n) * u128::from(self.inverse)) >> 64) as u64;
        // q ≤ n / divisor: the product does not pass n, nothing wraps.
        let r = n - q * self.divisor;
        let carry = u64::from(r >= self.divisor);
        (q + carry, r - carry * self.divisor)
    }
}

/// rust_decimal's `unscale` (after a division that had a remainder), test for test: trailing
/// zeros dropped by 10⁸ while the low 32 bits are zero, then by 10⁴, 10², 10 once each when
/// the low bits allow, never below scale 0. [`unscale_128`] is the same in 128 bits.
fn unscale_64(mut q: u64, mut scale: u32) -> (u64, u32) {
    while q as u32 == 0 && scale >= 8 && q % 100_000_000 == 0 {
        q /= 100_000_000;
        scale -= 8;
    }
    if q & 0xF == 0 && scale >= 4 && q % 10_000 == 0 {
        q /= 10_000;
        scale -= 4;
    }
    if q & 0x3 == 0 && scale >= 2 && q % 100 == 0 {
        q /= 100;
        scale -= 2;
    }
    if q & 0x1 == 0 && scale >= 1 && q % 10 == 0 {
        q /= 10;
        scale -= 1;
    }
    (q, scale)
}

/// [`unscale_64`] for a quotient past 64 bits (below 2⁹⁶), each division in two 64-bit
/// steps as rust_decimal's `div32_const` does them: a 128-bit division is a call, and the
/// compiler made all four of them on every quotient, ahead of the tests.
fn unscale_128(mut q: u128, mut scale: u32) -> (u128, u32) {
    /// `q / power` if it divides exactly.
    fn exact(q: u128, power: u64) -> Option<u128> {
        // q < 2⁹⁶: its top 64 bits, then the remainder's 32 and the low 32.
        let high = (q >> 32) as u64;
        let (q_high, r_high) = (high / power, high % power);
        let low = r_high << 32 | (q as u32 as u64);
        let (q_low, r_low) = (low / power, low % power);
        (r_low == 0).then_some(u128::from(q_high) << 32 | u128::from(q_low))
    }
    while q as u32 == 0 && scale >= 8 {
        let Some(d) = exact(q, 100_000_000) else {
            break;
        };
        q = d;
        scale -= 8;
    }
    for (mask, power, digits) in [(0xF, 10_000, 4), (0x3, 100, 2), (0x1, 10, 1)] {
        if q & mask == 0 && scale >= digits {
            if let Some(d) = exact(q, power) {
                q = d;
                scale -= digits;
            }
        }
    }
    (q, scale)
}

/// A fraction shown as a percent, 2 decimals half-up.
pub fn pct(fraction: Decimal) -> String {
    pct_compact(fraction).into_string()
}

/// [`pct`] appended to `out`.
pub fn push_pct(out: &mut String, fraction: Decimal) {
    let Some(p) = percent_2(fraction) else {
        out.push_str(&pct_compact(fraction));
        return;
    };
    let mut buf = [0u8; crate::num::DECIMAL_BUF];
    out.push_str(crate::num::decimal_str(p, &mut buf));
    out.push('%');
}

/// The amounts the execution rate is computed from: the 年度资金总额 row, or — when that row
/// is blank or all zero while the component rows carry money (a total never summed) — the sum
/// of the component rows. Returns the row and whether it was summed.
pub fn effective_total(funds: &Funds) -> (FundRow, bool) {
    let parts = || {
        [&funds.appropriation, &funds.carryover, &funds.other]
            .into_iter()
            .chain(funds.extra.iter().map(|(_, r)| r))
    };
    let zeroish = |v: Option<Decimal>| v.is_none_or(|d| d.is_zero());
    let total = &funds.total;
    let total_blank = zeroish(total.initial) && zeroish(total.adjusted) && zeroish(total.executed);
    if !total_blank {
        return (total.clone(), false);
    }
    let parts_have_money = parts().any(|r| {
        [r.initial, r.adjusted, r.executed]
            .iter()
            .any(|v| v.is_some_and(|d| !d.is_zero()))
    });
    if !parts_have_money {
        return (total.clone(), false);
    }
    let sum = |f: fn(&FundRow) -> Option<Decimal>| -> Option<Decimal> {
        let mut sum: Option<Decimal> = None;
        for v in parts().filter_map(f) {
            // An amount too large to sum is not known (the rate is then not computed).
            sum = Some(sum.unwrap_or(Decimal::ZERO).checked_add(v)?);
        }
        sum
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
    let mut note: Option<Cow<'static, str>> = summed.then_some(Cow::Borrowed(
        "年度资金总额行为空或为零，按其中各行合计计算 (the total row is blank or zero; the component rows were summed)",
    ));
    let (budget, label) = match cx.profile.budget.denominator {
        Denominator::Adjusted if funds.has_adjusted_column && row.adjusted.is_some() => {
            (row.adjusted, "全年预算数")
        }
        Denominator::Adjusted => {
            if funds.has_adjusted_column {
                let n = "全年预算数未填，按年初预算数计算 (no adjusted budget printed; the initial budget was used)";
                note = Some(match note {
                    Some(prev) => Cow::Owned(format!("{prev}；{n}")),
                    None => Cow::Borrowed(n),
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
    let Some(rate) = checked_quotient(executed, budget) else {
        notes.push(OVERFLOW_NOTE.into());
        return None;
    };
    Some(cx.computed(
        rate,
        Formula::ExecutionRate { executed, budget },
        Inputs::Numbers(smallvec![
            (
                if label == "全年预算数" {
                    "A（全年预算数）"
                } else {
                    "A（年初预算数）"
                },
                budget,
                false,
            ),
            ("B（全年执行数）", executed, false),
        ]),
        note,
    ))
}

/// Words that say a qualitative target was reached, partly reached, or missed (RULES.md §3).
/// [`word_classes`] matches them character by character; these lists are the general
/// search's, which the test holds it to.
#[cfg(test)]
const ACHIEVED_WORDS: &[&str] = &[
    "达成", "完成", "达到", "是", "有效", "合规", "及时", "完整", "正常", "符合", "良好", "高效",
    "明显", "显著", "按时", "准确", "提高", "提升", "满意", "定期", "缩短", "规范", "保障",
];
#[cfg(test)]
const PARTIAL_WORDS: &[&str] = &["基本", "部分", "较好", "一般"];
#[cfg(test)]
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
    let words = word_classes(a);
    if words & PARTIAL != 0 {
        return Achievement::Partial;
    }
    if words & UNMET != 0 {
        return Achievement::Unmet;
    }
    if words & ACHIEVED != 0
        || target
            .text()
            .is_some_and(|t| !t.is_empty() && contains_str(a, t))
    {
        return Achievement::Achieved;
    }
    Achievement::Unknown
}

/// The classes of [`word_classes`].
const PARTIAL: u8 = 1;
const UNMET: u8 = 2;
const ACHIEVED: u8 = 4;

/// A CJK character's three UTF-8 bytes as one number.
const fn key(c: &str) -> u32 {
    let b = c.as_bytes();
    (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32
}

/// Which of the partial, unmet and achieved words (RULES.md §3) occur in `text`, as
/// bits, in one pass over its characters: every word starts with a three-byte character, and
/// the first character picks the word (no two lists share one), so each character is one
/// `match` and at most a comparison of the next. Searching for each of the 36 words in turn
/// cost ≈ 200 instructions a judgement. `judge_text_general` is the word-by-word search (a
/// test holds the two to the same judgement, over the word lists kept beside it).
fn word_classes(text: &str) -> u8 {
    macro_rules! keys {
        ($($name:ident = $c:literal),* $(,)?) => { $(const $name: u32 = key($c);)* };
    }
    keys!(
        DA = "达",
        WAN = "完",
        SHI = "是",
        YOU = "有",
        HE = "合",
        JI = "及",
        ZHENG = "正",
        FU = "符",
        LIANG = "良",
        GAO = "高",
        MING = "明",
        XIAN = "显",
        AN = "按",
        ZHUN = "准",
        TI = "提",
        MAN = "满",
        DING = "定",
        SUO = "缩",
        GUI = "规",
        BAO = "保",
        JI1 = "基",
        BU4 = "部",
        JIAO = "较",
        YI = "一",
        WEI = "未",
        FOU = "否",
        BU = "不",
        CHA = "差",
        MEI = "没",
        WU = "无",
        ZHI = "滞",
        YAN = "延",
        CHAO = "超",
    );
    let b = text.as_bytes();
    let mut classes = 0;
    let mut i = 0;
    while let Some(&[b0, b1, b2]) = b.get(i..i + 3) {
        if b0 & 0xF0 != 0xE0 {
            // Not the start of a three-byte character (ASCII, another width, or inside one).
            i += 1;
            continue;
        }
        let next = b.get(i + 3..i + 6);
        let then = |c: &str| next == Some(c.as_bytes());
        classes |= match u32::from(b0) << 16 | u32::from(b1) << 8 | u32::from(b2) {
            JI1 if then("本") => PARTIAL,
            BU4 if then("分") => PARTIAL,
            JIAO if then("好") => PARTIAL,
            YI if then("般") => PARTIAL,
            WEI | FOU | BU | CHA => UNMET,
            MEI if then("有") => UNMET,
            WU if then("法") => UNMET,
            ZHI if then("后") => UNMET,
            YAN | CHAO if then("期") => UNMET,
            SHI => ACHIEVED,
            DA if then("成") || then("到") => ACHIEVED,
            WAN if then("成") || then("整") => ACHIEVED,
            YOU if then("效") => ACHIEVED,
            HE if then("规") => ACHIEVED,
            JI if then("时") => ACHIEVED,
            ZHENG if then("常") => ACHIEVED,
            FU if then("合") => ACHIEVED,
            LIANG if then("好") => ACHIEVED,
            GAO if then("效") => ACHIEVED,
            MING if then("显") => ACHIEVED,
            XIAN if then("著") => ACHIEVED,
            AN if then("时") => ACHIEVED,
            ZHUN if then("确") => ACHIEVED,
            TI if then("高") || then("升") => ACHIEVED,
            MAN if then("意") => ACHIEVED,
            DING if then("期") => ACHIEVED,
            SUO if then("短") => ACHIEVED,
            GUI if then("范") => ACHIEVED,
            BAO if then("障") => ACHIEVED,
            _ => 0,
        };
        i += 3;
    }
    classes
}

/// [`judge_text`] by searching for each word in turn (the general path, kept for the test).
#[cfg(test)]
fn judge_text_general(target: &Measure, actual: &Measure) -> Achievement {
    let Some(a) = actual.text() else {
        return Achievement::Unknown;
    };
    if target.text() == Some(a) {
        return Achievement::Achieved;
    }
    if PARTIAL_WORDS.iter().any(|w| contains_str(a, w)) {
        return Achievement::Partial;
    }
    if UNMET_WORDS.iter().any(|w| contains_str(a, w)) {
        return Achievement::Unmet;
    }
    if target
        .text()
        .is_some_and(|t| !t.is_empty() && contains_str(a, t))
        || ACHIEVED_WORDS.iter().any(|w| contains_str(a, w))
    {
        return Achievement::Achieved;
    }
    Achievement::Unknown
}

/// Reads the fields the scorer reads of every indicator (target, actual, weight, score), in
/// one short loop ahead of the scoring. The reader wrote them a whole chunk of forms ago, so
/// they are out of the near caches: read one indicator at a time, between the scorings, each
/// load waited alone (a third of `score`'s own time went to the first loads of the target
/// and the actual); in one loop the loads are independent and the processor overlaps them.
#[inline]
fn touch(indicators: &[Indicator]) {
    let mut sum = 0usize;
    for ind in indicators {
        sum = sum
            .wrapping_add(ind.target.as_ref().map_or(0, |t| t.len()))
            .wrapping_add(ind.actual.as_ref().map_or(0, |t| t.len()))
            .wrapping_add(usize::from(ind.weight.is_some()))
            .wrapping_add(usize::from(ind.score.is_some()));
    }
    // Kept: the loop is there for its loads, which the optimiser would otherwise drop.
    std::hint::black_box(sum);
}

/// Indicator `index` before it is scored: nothing parsed, nothing computed.
#[inline]
fn unscored(index: usize) -> IndicatorScore {
    IndicatorScore {
        index,
        kind: IndicatorKind::Unknown,
        target: Measure::EMPTY,
        actual: Measure::EMPTY,
        met: None,
        ratio: None,
        computed: None,
        band: None,
        achievement: None,
        note: None,
    }
}

/// Scores an indicator into its entry `out` (made by [`unscored`]), in its place: the score
/// is several hundred bytes, and each move of it was a copy.
fn score_indicator(out: &mut IndicatorScore, ind: &Indicator, cx: &Cx) {
    // Parsed in their place (the memo's copy written once, straight into the score).
    out.target.parse_into(ind.target.as_deref().unwrap_or(""));
    out.actual.parse_into(ind.actual.as_deref().unwrap_or(""));
    let kind = match (&out.target.kind, &out.actual.kind) {
        (MeasureKind::Empty, _) | (_, MeasureKind::Empty) => IndicatorKind::Unknown,
        (MeasureKind::Quantity { .. } | MeasureKind::Range { .. }, _) => {
            IndicatorKind::Quantitative
        }
        (MeasureKind::Deadline { .. }, _) => IndicatorKind::Deadline,
        (MeasureKind::Text { .. }, _) => IndicatorKind::Qualitative,
    };
    out.kind = kind;
    let Some(w) = ind.weight else {
        // Without a weight nothing can be scored; the met/unmet judgement still helps.
        match kind {
            IndicatorKind::Quantitative => {
                quantitative(out, Decimal::ZERO, cx, false);
                out.computed = None;
            }
            IndicatorKind::Qualitative | IndicatorKind::Deadline => {
                out.achievement = Some(judge_text(&out.target, &out.actual));
            }
            IndicatorKind::Unknown => {}
        }
        out.note = Some("未填分值，不计算得分 (no weight: not scored)".into());
        return;
    };
    match kind {
        IndicatorKind::Quantitative => {
            quantitative(out, w, cx, true);
        }
        IndicatorKind::Qualitative => {
            qualitative(out, w, ind.score, cx);
        }
        IndicatorKind::Deadline => {
            let ach = judge_deadline(&out.target, &out.actual);
            if ach == Achievement::Achieved {
                out.met = Some(true);
                out.achievement = Some(ach);
                out.computed = Some(cx.computed(
                    w,
                    Formula::OnTime { w },
                    wta(w, out),
                    Some(Cow::Borrowed(
                        "时限指标按时完成记满分 (on time → full weight) [ours]",
                    )),
                ));
            } else {
                if ach == Achievement::Unmet {
                    out.met = Some(false);
                }
                qualitative(out, w, ind.score, cx);
            }
        }
        IndicatorKind::Unknown => {
            out.note = Some(
                "目标值或实际完成值未填，不计算得分 (target or actual missing: not scored)".into(),
            );
        }
    }
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
    let inputs = wta(w, out);
    let Some((lo, hi)) = band else {
        out.computed = printed.map(|p| {
            cx.computed(
                p,
                Formula::Printed { p },
                inputs,
                Some(Cow::Borrowed(
                    "无法判断完成情况，沿用填报得分 (achievement unknown: printed score kept)",
                )),
            )
        });
        return;
    };
    // The band's ends are fractions of the weight: a weight too large (a user's profile may
    // widen a band past 1) gives no band and no score.
    let (Some(lo), Some(hi)) = (w.checked_mul(lo), w.checked_mul(hi)) else {
        out.note = Some(OVERFLOW_NOTE.into());
        return;
    };
    out.band = Some((lo, hi));
    let label = ach.label_zh();
    out.computed = Some(match printed {
        Some(p) if cmp(p, lo).is_ge() && cmp(p, hi).is_le() => cx.computed(
            p,
            Formula::InBand {
                achievement: ach,
                lo,
                hi,
                p,
            },
            inputs,
            None,
        ),
        Some(p) => {
            let c = Formula::clamped(p, lo, hi);
            cx.computed(
                c,
                Formula::Clamped {
                    achievement: ach,
                    lo,
                    hi,
                    p,
                },
                inputs,
                // `format!` with the numbers' Display, without the formatter.
                Some(Cow::Owned(
                    concat(&[
                        Text("填报得分 "),
                        Num(p),
                        Text(" 不在「"),
                        Text(label),
                        Text("」档 ["),
                        Num(lo),
                        Text(", "),
                        Num(hi),
                        Text("] 内，按档限调整 (printed score outside the band, clamped)"),
                    ])
                    .into_string(),
                )),
            )
        }
        None => cx.computed(
            hi,
            Formula::TopOfBand {
                achievement: ach,
                hi,
            },
            inputs,
            Some(Cow::Borrowed(
                "未填报得分，取该档上限 (no printed score: top of the band)",
            )),
        ),
    });
}

const NO_OP_NOTE: &str = "目标未写比较符，按正向指标（≥）计分 (no operator: scored as ≥)";

/// Quantitative scoring (RULES.md §3). Sets `met` and `ratio`, and the computed score when
/// `explained` (i.e. when the score is kept; its caller leaves `computed` unset otherwise).
fn quantitative(out: &mut IndicatorScore, w: Decimal, cx: &Cx, explained: bool) {
    let rules = &cx.profile.scoring;
    let (t_unit, a_unit) = (out.target.unit(), out.actual.unit());
    let MeasureKind::Quantity { number: a, .. } = out.actual.kind else {
        out.note = Some(format!(
            "实际完成值「{}」不是数值，不作计算 (the actual is not a number: not scored)",
            out.actual.printed
        ));
        return;
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
        _ => return,
    };
    if !t.is_zero() {
        out.ratio = checked_quotient(a, t);
    }
    let no_op = op == Operator::NoOperator;
    // Set when a formula's arithmetic does not fit a Decimal (numbers read from the form):
    // the score is then not computed, and the note says why.
    let mut overflowed = false;
    let mut too_large = || {
        overflowed = true;
        None
    };
    let positive_like = op.is_positive()
        || op == Operator::NoOperator
        || (op == Operator::Exact && rules.exact_as_positive);
    // (value, formula, whether the no-operator note applies)
    let result: Option<(Decimal, Formula, bool)> = if (op == Operator::Exact
        || op == Operator::NoOperator)
        && t.is_zero()
        && rules.zero_target_all_or_nothing
    {
        // 事故 0次, 有责投诉率=0: any occurrence misses the whole target.
        let met = cmp(a, Decimal::ZERO).is_le();
        out.met = Some(met);
        let v = if met { w } else { Decimal::ZERO };
        Some((v, Formula::ZeroTarget { a, v }, no_op))
    } else if positive_like {
        let met = match op {
            Operator::Greater => cmp(a, t).is_gt(),
            _ => cmp(a, t).is_ge(),
        };
        out.met = Some(met);
        if met {
            Some((w, Formula::MetAtLeast { w }, no_op))
        } else if cmp(t, Decimal::ZERO).is_gt() {
            w.checked_mul(a)
                .and_then(|wa| checked_quotient(wa, t))
                .map(|v| (v, Formula::Proportional { w, a, t }, no_op))
                .or_else(&mut too_large)
        } else {
            None
        }
    } else if op.is_reverse() {
        let met = match op {
            Operator::Less => cmp(a, t).is_lt(),
            _ => cmp(a, t).is_le(),
        };
        out.met = Some(met);
        if met {
            Some((w, Formula::MetAtMost { w }, false))
        } else {
            match rules.reverse_formula {
                ReverseFormula::Ratio
                    if cmp(a, Decimal::ZERO).is_gt() && cmp(t, Decimal::ZERO).is_ge() =>
                {
                    w.checked_mul(t)
                        .and_then(|wt| wt.checked_div(a))
                        .map(|v| (v, Formula::ReverseRatio { w, a, t }, false))
                        .or_else(&mut too_large)
                }
                ReverseFormula::Linear if cmp(t, Decimal::ZERO).is_gt() => a
                    .checked_sub(t)
                    .and_then(|d| d.checked_div(t))
                    .and_then(|d| Decimal::ONE.checked_sub(d))
                    .and_then(|f| w.checked_mul(f))
                    .map(|v| (v, Formula::ReverseLinear { w, a, t }, false))
                    .or_else(&mut too_large),
                _ => Some((Decimal::ZERO, Formula::ReverseZero { a, t }, false)),
            }
        }
    } else {
        // `=` scored by deviation when the profile does not treat it as `≥`.
        let met = cmp(a, t).is_eq();
        out.met = Some(met);
        if met {
            Some((w, Formula::MetExact { w }, false))
        } else if cmp(t, Decimal::ZERO).is_gt() {
            a.checked_sub(t)
                .and_then(|d| d.abs().checked_div(t))
                .and_then(|dev| Decimal::ONE.checked_sub(dev))
                .and_then(|f| w.checked_mul(f))
                .map(|v| (v, Formula::Deviation { w, a, t }, false))
                .or_else(&mut too_large)
        } else {
            None
        }
    };
    if let Some(n) = unit_note {
        // The judgement above assumed the same unit; without it nothing is claimed.
        out.met = None;
        out.ratio = None;
        out.note = Some(n);
        return;
    }
    let scored = match result {
        Some((value, formula, no_op_note)) if explained => {
            let value = min(max(value, Decimal::ZERO), w);
            let note = match (no_op_note, &assumed_unit_note) {
                (true, Some(n)) => Some(Cow::Owned(format!("{NO_OP_NOTE}；{n}"))),
                (true, None) => Some(Cow::Borrowed(NO_OP_NOTE)),
                (false, Some(n)) => Some(Cow::Owned(n.clone())),
                (false, None) => None,
            };
            let inputs = wta(w, out);
            // Stored in its place here, not returned: the score is a few hundred bytes, and
            // each move of it was a `memcpy` call.
            out.computed = Some(cx.computed(value, formula, inputs, note));
            true
        }
        Some(_) => {
            // Not kept (no weight): only `met` and `ratio` matter; the caller sets the note.
            out.note = assumed_unit_note;
            return;
        }
        None => false,
    };
    if let Some(n) = assumed_unit_note {
        out.note = Some(n);
    }
    if !scored && out.note.is_none() && overflowed {
        out.note = Some(OVERFLOW_NOTE.into());
    } else if !scored && out.note.is_none() {
        out.note = Some(format!(
            "目标值 {t} 无法按比例计分 (target {t}: no proportional rule applies)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept name and version are those of the profile scored, whichever profiles come
    /// one after the other (or a profile renamed in place), and a kept pair is reused.
    #[test]
    fn profile_ids_follow_the_profile() {
        let mut profiles: Vec<Profile> = crate::profile::BUILTIN_PROFILES
            .iter()
            .filter_map(|n| Profile::builtin(n))
            .collect();
        let mut renamed = Profile {
            name: "central-2020x".into(),
            ..Profile::default()
        };
        profiles.push(renamed.clone());
        renamed.version = "2020.1x".into();
        profiles.push(renamed);
        for round in 0..3 {
            for (i, p) in profiles.iter().enumerate() {
                for _ in 0..=(i + round) % 3 {
                    let (n, v) = profile_ids(p);
                    assert_eq!((&*n, &*v), (p.name.as_str(), p.version.as_str()));
                    let card = score(&Evaluation::default(), p);
                    assert_eq!(card.profile, p.name);
                }
                let (a, _) = profile_ids(p);
                let (b, _) = profile_ids(p);
                assert!(a.same_copy(&b));
            }
        }
    }

    /// Inputs kept as numbers (an indicator's weight, the head's amounts, scores, rate and
    /// count) are the names and texts the scoring wrote before, as `Named` inputs would be,
    /// in iteration, equality and serde.
    #[test]
    fn inputs_of_numbers_are_their_texts() {
        let numbers: Vec<Decimal> = crate::num::spread(0x51_7CC1_B727_220A, 2000)
            .map(|(x, mut d)| {
                if x % 3 == 0 {
                    d.set_sign_negative(true);
                }
                d
            })
            .chain((0..120).map(|n| Decimal::new(n, (n % 3) as u32)))
            .collect();
        for (i, &a) in numbers.iter().enumerate() {
            let b = numbers[(i * 7 + 1) % numbers.len()];
            let cases = [
                (
                    Inputs::Wta {
                        w: a,
                        t: "≥95%".into(),
                        a: "很长的实际完成值文字，超过二十四字节".into(),
                    },
                    vec![
                        ("W", a.to_string()),
                        ("T", "≥95%".to_string()),
                        ("A", "很长的实际完成值文字，超过二十四字节".to_string()),
                    ],
                ),
                (
                    Inputs::Numbers(smallvec![("W", a, false), ("执行率", b, true)]),
                    vec![("W", a.to_string()), ("执行率", format!("{b}%"))],
                ),
                (
                    Inputs::Numbers(smallvec![("指标数", a, false)]),
                    vec![("指标数", a.to_string())],
                ),
            ];
            for (inputs, texts) in cases {
                let named = Inputs::Named(Box::new(
                    texts
                        .iter()
                        .map(|(k, v)| (*k, CompactString::new(v)))
                        .collect(),
                ));
                let got: Vec<(&str, String)> =
                    inputs.iter().map(|(k, v)| (k, v.to_string())).collect();
                assert_eq!(got, texts);
                assert_eq!(inputs, named);
                assert_eq!(
                    serde_json::to_string(&inputs).unwrap(),
                    serde_json::to_string(&named).unwrap()
                );
            }
        }
    }

    /// Each formula's text is what the scoring wrote with `format!` before formulas were kept
    /// as numbers, for numbers of every width, scale and sign; equality is the texts'.
    #[test]
    fn formulas_display_as_format_wrote_them() {
        let numbers: Vec<Decimal> = crate::num::spread(0x2545_F491_4F6C_DD1D, 800)
            .map(|(x, mut d)| {
                if x % 3 == 0 {
                    d.set_sign_negative(true);
                }
                d
            })
            .chain((0..120).map(|n| Decimal::new(n, (n % 3) as u32)))
            .collect();
        for (i, &a) in numbers.iter().enumerate() {
            let (b, c) = (
                numbers[(i * 7 + 1) % numbers.len()],
                numbers[(i * 13 + 5) % numbers.len()],
            );
            let ach = [
                Achievement::Achieved,
                Achievement::Partial,
                Achievement::Unmet,
                Achievement::Unknown,
            ][i % 4];
            let label = ach.label_zh();
            let clamped = a.max(b).min(c);
            let cases = [
                (Formula::Text("任意 text".into()), "任意 text".to_string()),
                (
                    Formula::ExecutionRate {
                        executed: a,
                        budget: b,
                    },
                    format!("B / A = {a} / {b}"),
                ),
                (
                    Formula::BudgetScore { w: a, capped: b },
                    format!("W × min(执行率, 100%) = {a} × {b}%"),
                ),
                (Formula::IndicatorSum, "Σ 三级指标得分".to_string()),
                (
                    Formula::Total { b: a, t: b },
                    format!("预算执行得分 + Σ 指标得分 = {a} + {b}"),
                ),
                (
                    Formula::ZeroTarget { a, v: b },
                    format!("T = 0：A ≤ 0 → W，否则 0；A = {a} → {b}"),
                ),
                (Formula::MetAtLeast { w: a }, format!("A ≥ T → W = {a}")),
                (
                    Formula::Proportional { w: a, a: b, t: c },
                    format!("W × A/T = {a} × {b}/{c}"),
                ),
                (Formula::MetAtMost { w: a }, format!("A ≤ T → W = {a}")),
                (
                    Formula::ReverseRatio { w: a, a: b, t: c },
                    format!("W × T/A = {a} × {c}/{b}"),
                ),
                (
                    Formula::ReverseLinear { w: a, a: b, t: c },
                    format!("W × max(0, 1 − (A−T)/T) = {a} × max(0, 1 − ({b}−{c})/{c})"),
                ),
                (
                    Formula::ReverseZero { a, t: b },
                    format!("T = {b}，A = {a} → 0"),
                ),
                (Formula::MetExact { w: a }, format!("A = T → W = {a}")),
                (
                    Formula::Deviation { w: a, a: b, t: c },
                    format!("W × (1 − |A−T|/T) = {a} × (1 − |{b}−{c}|/{c})"),
                ),
                (Formula::OnTime { w: a }, format!("按时完成 → W = {a}")),
                (Formula::Printed { p: a }, format!("按填报得分 {a}")),
                (
                    Formula::InBand {
                        achievement: ach,
                        lo: a,
                        hi: b,
                        p: c,
                    },
                    format!("{label}：得分在 [{a}, {b}] 内，按填报 {c}"),
                ),
                (
                    Formula::Clamped {
                        achievement: ach,
                        lo: b,
                        hi: c,
                        p: a,
                    },
                    format!("{label}：得分限于 [{b}, {c}]，填报 {a} → {clamped}"),
                ),
                (
                    Formula::TopOfBand {
                        achievement: ach,
                        hi: a,
                    },
                    format!("{label}：未填报得分，取档上限 {a}"),
                ),
            ];
            for (formula, want) in cases {
                assert_eq!(formula.to_string(), want, "{formula:?}");
                assert_eq!(formula, want.as_str());
                assert_eq!(formula, Formula::from(want.as_str()));
            }
            let g = GradeFormula {
                total: a,
                min: b,
                label: "良".into(),
            };
            assert_eq!(g.to_string(), format!("{a} ≥ {b} → 良"));
        }
        // A number's representation counts.
        assert_ne!(
            Formula::MetAtLeast {
                w: Decimal::new(7, 0)
            },
            Formula::MetAtLeast {
                w: Decimal::new(70, 1)
            }
        );
    }

    /// The one-pass judgement is the word-by-word search, for texts made of the words'
    /// characters, their second characters and others (ASCII, two- and four-byte characters)
    /// in any order, against targets equal to them, containing them and not.
    #[test]
    fn judge_text_is_the_word_search() {
        let pieces: Vec<&str> = ACHIEVED_WORDS
            .iter()
            .chain(PARTIAL_WORDS)
            .chain(UNMET_WORDS)
            .flat_map(|w| {
                let mut cut = w.char_indices().map(|(i, _)| &w[i..]).collect::<Vec<_>>();
                cut.push(w);
                cut.push(&w[..3]);
                cut
            })
            .chain([
                "的", "年", "效果", "a", "1", "é", "😀", " ", "好", "期", "成",
            ])
            .collect();
        let text = |s: String| Measure {
            printed: s.as_str().into(),
            kind: MeasureKind::Text { text: s.into() },
        };
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as usize % n
        };
        let mut judged = [0usize; 4];
        for _ in 0..60_000 {
            let len = next(5);
            let a: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            let t: String = match next(4) {
                0 => a.clone(),
                1 => format!("{}{}", pieces[next(pieces.len())], a),
                2 => String::new(),
                _ => (0..next(3)).map(|_| pieces[next(pieces.len())]).collect(),
            };
            let (target, actual) = (text(t.clone()), text(a.clone()));
            let got = judge_text(&target, &actual);
            assert_eq!(got, judge_text_general(&target, &actual), "{t:?} / {a:?}");
            judged[got as usize] += 1;
            // A deadline target, and an actual that is no text.
            let deadline = Measure {
                printed: t.as_str().into(),
                kind: MeasureKind::Deadline { text: t.into() },
            };
            assert_eq!(
                judge_text(&deadline, &actual),
                judge_text_general(&deadline, &actual)
            );
            let number = Measure::parse("95%");
            assert_eq!(judge_text(&number, &number), Achievement::Unknown);
            assert_eq!(
                judge_text(&number, &actual),
                judge_text_general(&number, &actual)
            );
        }
        assert!(judged.iter().all(|&n| n > 1000), "{judged:?}");
    }

    /// Dropping zeros in 64 bits is dropping them in 128, for numbers with any number of
    /// trailing zeros (or low zero bits) at every scale.
    #[test]
    fn unscale_64_is_unscale_128() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let zeros = (x >> 59) as u32 % 20;
            let base = (x >> 24) % 1_000_000;
            for q in [
                base.checked_mul(10u64.pow(zeros)),
                Some((x >> (x % 64)) << (x % 40)),
                Some(x),
                Some(0),
            ]
            .into_iter()
            .flatten()
            {
                for scale in 0..=28 {
                    let (q64, s64) = unscale_64(q, scale);
                    assert_eq!((u128::from(q64), s64), unscale_128(u128::from(q), scale));
                }
            }
            // Past 64 bits, against the plain 128-bit divisions.
            let reference = |mut q: u128, mut scale: u32| {
                while q as u32 == 0 && scale >= 8 && q % 100_000_000 == 0 {
                    q /= 100_000_000;
                    scale -= 8;
                }
                for (mask, power, digits) in [(0xF, 10_000, 4), (0x3, 100, 2), (0x1, 10, 1)] {
                    if q & mask == 0 && scale >= digits && q % power == 0 {
                        q /= power;
                        scale -= digits;
                    }
                }
                (q, scale)
            };
            let wide = u128::from(x) << 32 | u128::from(x >> 13);
            for q in [
                u128::from(base) * 10u128.pow(zeros + 9),
                wide,
                wide >> (x % 64),
                wide / 10_000 * 10_000,
                (1 << 96) - 1,
            ] {
                let q = q & ((1 << 96) - 1);
                for scale in 0..=28 {
                    assert_eq!(unscale_128(q, scale), reference(q, scale), "{q} {scale}");
                }
            }
        }
    }

    /// The reciprocal's quotient and remainder are `/` and `%`, for divisors of every width
    /// below 2³² (1, powers of two and ten, primes, the largest) and dividends of every
    /// width, the products of the quotient's rounds (remainder × 10⁹) and the limits.
    #[test]
    fn reciprocal_is_division() {
        let mut divisors: Vec<u64> = vec![1, 2, 3, 7, 10, 100, 4878, 65_535, 65_536, 65_537];
        divisors.extend([
            1_000_000_007,
            (1 << 31) - 1,
            1 << 31,
            u64::from(u32::MAX) - 1,
        ]);
        divisors.push(u64::from(u32::MAX));
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            // xorshift: a spread of bits, reproducible.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..2000 {
            let v = next();
            divisors.push((v >> (32 + v % 32)).max(1));
        }
        for &d in &divisors {
            let reciprocal = Reciprocal::new(d);
            let mut dividends = vec![0, 1, d - 1, d, d + 1, u64::MAX, u64::MAX - 1, u64::MAX - d];
            dividends.extend([
                (d - 1) * 1_000_000_000,
                u64::MAX / d * d,
                u64::MAX / d * d - 1,
            ]);
            for _ in 0..200 {
                let v = next();
                dividends.push(v >> (v % 64));
                dividends.push((v % d) * crate::num::POW10_U64[(v >> 60) as usize % 10]);
            }
            for n in dividends {
                assert_eq!(reciprocal.div_rem(n), (n / d, n % d), "{n} / {d}");
            }
        }
    }

    /// The fast quotient is rust_decimal's, value, scale and sign (its `serialize`d bytes),
    /// over the shapes the scoring divides (percentages, counts, amounts, weights times
    /// actuals) and over decimals of every width and scale, near the limits too; and it is
    /// taken for the common shapes.
    #[test]
    fn quotient_fast_is_rust_decimals_division() {
        let mut values: Vec<Decimal> = vec![
            Decimal::ZERO,
            Decimal::new(0, 3),
            Decimal::NEGATIVE_ONE,
            Decimal::ONE,
            Decimal::MAX,
            Decimal::MIN,
            Decimal::from(u32::MAX),
            Decimal::from(u64::MAX),
            Decimal::from(u64::MAX) + Decimal::ONE,
            Decimal::from_i128_with_scale(1, 28),
            Decimal::from_i128_with_scale(i128::from(u32::MAX), 28),
            Decimal::from_i128_with_scale(792_281_625_142_643_375, 17),
            Decimal::from_i128_with_scale(396_140_812_571_321_687, 17),
        ];
        for n in 0..400 {
            values.push(Decimal::new(n, 0));
            values.push(Decimal::new(n, 1));
            values.push(Decimal::new(n * 25, 2));
            values.push(Decimal::new(-n, (n % 5) as u32));
        }
        for (x, mut d) in crate::num::spread(0xD1B5_4A32_D192_ED03, 3000) {
            if x % 4 == 0 {
                d.set_sign_negative(true);
            }
            values.push(d);
            // Counts, amounts and percentages as forms print them.
            let small = ((x >> 40) % 100_000) as i64;
            values.push(Decimal::new(small, ((x >> 60) % 3) as u32));
            values.push(Decimal::new(
                ((x >> 20) % 10_000_000_000) as i64,
                ((x >> 70) % 7) as u32,
            ));
        }
        // Quotients around 2⁹⁶ / 10²⁸ ≈ 7.92, where rust_decimal stops scaling early.
        for t in [
            1i64,
            3,
            7,
            9,
            11,
            13,
            17,
            99,
            101,
            4878,
            65_537,
            4_294_967_295,
        ] {
            for k in [3, 4, 7, 8, 15, 79, 80] {
                for e in -40i64..40 {
                    values.push(Decimal::new(t * k + e, 0));
                    values.push(Decimal::new((t * k * 1000 + e).abs(), 3));
                }
            }
        }
        let (mut taken, mut pairs) = (0u64, 0u64);
        let n = values.len();
        for (i, &a) in values.iter().enumerate() {
            // Every value against a spread of divisors (all pairs would take too long).
            for j in 0..60 {
                let b = values[(i * 31 + j * 977 + j * j) % n];
                pairs += 1;
                let want = a.checked_div(b);
                if let Some(got) = quotient_fast(a, b) {
                    taken += 1;
                    let want = want.unwrap_or_else(|| panic!("{a:?} / {b:?}: fast {got:?}, none"));
                    assert_eq!(got.serialize(), want.serialize(), "{a:?} / {b:?}");
                }
                assert_eq!(
                    checked_quotient(a, b).map(|q| q.serialize()),
                    want.map(|q| q.serialize())
                );
            }
            // Ratios near one, exact and not, and the weight-times-actual products.
            for t in [100, 95, 98, 3, 7, 60, 4878, 1000] {
                let t = Decimal::new(t, (i % 3) as u32);
                let products = [
                    Some(a),
                    a.checked_mul(Decimal::new(7, 0)),
                    a.checked_mul(Decimal::new(125, 1)),
                ];
                for a in products.into_iter().flatten() {
                    pairs += 1;
                    let want = a.checked_div(t);
                    if let Some(got) = quotient_fast(a, t) {
                        taken += 1;
                        assert_eq!(
                            Some(got.serialize()),
                            want.map(|q| q.serialize()),
                            "{a:?} / {t:?}"
                        );
                    }
                }
            }
        }
        assert!(taken * 3 > pairs, "fast path taken {taken} of {pairs}");
        // Dividends just around 7.9228… times the divisor: the quotient at 28 decimals is
        // about 2⁹⁶, where rust_decimal scales by fewer digits, rounds into an overflow or
        // unscales from one.
        let limit = Decimal::MAX / Decimal::from_i128_with_scale(10_i128.pow(28), 0);
        for b in (1..3000i64).chain([65_535, 65_536, 999_999_937, 4_294_967_295]) {
            let b = Decimal::new(b, (b % 4) as u32);
            let Some(a) = limit.checked_mul(b) else {
                continue;
            };
            for decimals in 0..18 {
                for e in -3i64..=3 {
                    let a = a.round_dp(decimals) + Decimal::new(e, decimals);
                    if let Some(got) = quotient_fast(a, b) {
                        let want = a.checked_div(b).map(|q| q.serialize());
                        assert_eq!(Some(got.serialize()), want, "{a:?} / {b:?}");
                    }
                }
            }
        }
        // The forms' shapes take it: counts, percentages and amounts with decimals, up to
        // nearly eight times the target (beyond it a quotient at 28 decimals passes 96 bits).
        for n in 0..5000i64 {
            let t = n % 997 + 1;
            let a = Decimal::new(n * 37 % (7 * t + 1), (n % 3) as u32);
            let t = Decimal::new(t, (n % 3) as u32);
            assert!(quotient_fast(a, t).is_some(), "{a} / {t}");
        }
    }

    #[test]
    fn rounded_fast_is_rust_decimals_rounding() {
        let general = |value: Decimal, decimals: u32| {
            let mut v =
                value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
            v.rescale(decimals);
            v
        };
        let mut values = vec![
            Decimal::ZERO,
            Decimal::new(0, 5),
            Decimal::new(5, 3),
            Decimal::new(4999, 5),
            Decimal::new(5000, 5),
            Decimal::new(12345, 3),
            Decimal::new(995, 1),
            Decimal::MAX,
            Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 28),
            Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 0),
            Decimal::ONE_HUNDRED / Decimal::new(3, 0),
            Decimal::new(2, 0) / Decimal::new(3, 0),
        ];
        for (x, mut d) in crate::num::spread(0x9E37_79B9_7F4A_7C15, 20_000) {
            if x % 5 == 0 {
                d.set_sign_negative(true);
            }
            values.push(d);
            // Exact halves at every scale.
            values.push(Decimal::from_i128_with_scale(
                i128::from(((x >> 20) % 10_000) as u32) * 10 + 5,
                ((x >> 40) % 8) as u32 + 1,
            ));
        }
        for v in values {
            for decimals in 0..=28 {
                let (got, want) = (rounded(v, decimals), general(v, decimals));
                assert_eq!(
                    (got, got.scale(), got.is_sign_negative()),
                    (want, want.scale(), want.is_sign_negative()),
                    "{v:?} to {decimals}"
                );
            }
        }
    }
}
