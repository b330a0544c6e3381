//! The JSON contract of `jixiao check --format json` (DESIGN.md §3, 对外 JSON 约定): one element
//! per form, the keys of the design plus a few that help (`profile_version`, `message_en`,
//! `rule`, `explain`, parsed targets and actuals).
//!
//! Number convention: every amount, weight, score and rate is a JSON **number** written from
//! the exact decimal (never through a float): `507500.00` stays `507500.00`. Rates are percent
//! (`100.00` means 100%). Reported values keep the precision they were printed with; computed
//! values are rounded half-up to 4 decimals (trailing zeros dropped), and `explain.exact`
//! holds the exact value as a string. A value not read or not computable is `null`.

use crate::InputShape;
use jixiao_core::measure::{Measure, MeasureKind, Operator};
use jixiao_core::num::{
    decimal_bytes, digit_count, digits_u64, two_digits, DECIMAL_BUF, POW10_U128, POW10_U64,
};
use jixiao_core::score::{words as w, FormulaPiece};
use jixiao_core::{
    Achievement, Assessment, Computed, Evaluation, Finding, Formula, FundRow, GradeFormula, Loc,
    Profile, Severity,
};
use rust_decimal::Decimal;
use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use std::io::{self, Write};

/// Decimals kept on computed values in the contract.
const COMPUTED_DECIMALS: u32 = 4;

/// An exact decimal written as a JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Num(pub Decimal);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Most numbers in a form are whole (weights, scores, amounts in 元): write those
        // without allocating.
        if self.0.scale() == 0 {
            if let Ok(n) = i64::try_from(self.0) {
                return serializer.serialize_i64(n);
            }
        }
        // rust_decimal prints plain digits (no exponent), which is valid JSON number syntax.
        let raw = serde_json::value::RawValue::from_string(self.0.to_string())
            .map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

fn computed_num(value: Decimal) -> Num {
    // Most computed values (weights, whole scores) have no more decimals than are kept:
    // rounding would leave them as they are.
    if value.scale() <= COMPUTED_DECIMALS {
        return Num(normalized(value));
    }
    Num(round_computed(value))
}

/// `value` (with more than [`COMPUTED_DECIMALS`] decimals) rounded half away from zero to
/// them and normalised: what `round_dp_with_strategy(COMPUTED_DECIMALS,
/// MidpointAwayFromZero).normalize()` gives (a test holds them equal), by one division of the
/// mantissa by a power of ten from a table (`pow` multiplied it out every call) and the
/// trailing zeros stripped from the quotient as an integer, instead of rust_decimal's general
/// rounding and `normalize`.
fn round_computed(value: Decimal) -> Decimal {
    // `drop` is 1..=24: the scale is at most 28.
    let drop = (value.scale() - COMPUTED_DECIMALS) as usize;
    let m = value.mantissa().unsigned_abs();
    let q = match u64::try_from(m) {
        Ok(m) if drop < 20 => {
            let p = POW10_U64[drop];
            let (q, r) = (m / p, m % p);
            u128::from(q + u64::from(r >= p - r))
        }
        _ => {
            let p = POW10_U128[drop.min(POW10_U128.len() - 1)];
            let (q, r) = (m / p, m % p);
            q + u128::from(r >= p - r)
        }
    };
    if q == 0 {
        // `normalize` turns `-0.0000` into `0`.
        return Decimal::ZERO;
    }
    // `q` < 2^96 / 10: a valid mantissa. Its trailing zeros go with as many decimals (at
    // most the four kept), as `normalize` strips them.
    let (mut q, mut scale) = (q, COMPUTED_DECIMALS);
    if let Ok(mut small) = u64::try_from(q) {
        while scale > 0 && small % 10 == 0 {
            small /= 10;
            scale -= 1;
        }
        q = u128::from(small);
    } else {
        while scale > 0 && q % 10 == 0 {
            q /= 10;
            scale -= 1;
        }
    }
    Decimal::from_parts(
        q as u32,
        (q >> 32) as u32,
        (q >> 64) as u32,
        value.is_sign_negative(),
        scale,
    )
}

/// `computed_num(percent(fraction))`. A fraction of two or more decimals is that value in
/// percent with its mantissa unchanged and two decimals fewer; `computed_num` depends on the
/// value only, not on its scale (a test holds the two paths equal), so the multiplication
/// (≈ 100 instructions on the execution rate's 28-digit ratio, whose product overflows 96
/// bits and is scaled back) is not made.
fn computed_percent(fraction: Decimal) -> Num {
    let scale = fraction.scale();
    if scale >= 2 {
        let m = fraction.mantissa().unsigned_abs();
        return computed_num(Decimal::from_parts(
            m as u32,
            (m >> 32) as u32,
            (m >> 64) as u32,
            fraction.is_sign_negative(),
            scale - 2,
        ));
    }
    computed_num(percent(fraction))
}

/// The printed execution rate in percent at its printed decimals: `percent(value)`
/// rescaled. A fraction of two or more decimals is taken to percent by its scale alone (the
/// mantissa kept, two decimals fewer: the same value), not by rust_decimal's multiplication;
/// `rescale` gives the same for equal values (a test holds the two paths equal).
fn reported_percent(value: Decimal, decimals: u32) -> Num {
    let scale = value.scale();
    let mut p = if scale >= 2 {
        let m = value.mantissa().unsigned_abs();
        Decimal::from_parts(
            m as u32,
            (m >> 32) as u32,
            (m >> 64) as u32,
            value.is_sign_negative(),
            scale - 2,
        )
    } else {
        percent(value)
    };
    p.rescale(decimals);
    Num(p)
}

fn percent(fraction: Decimal) -> Decimal {
    fraction
        .checked_mul(Decimal::ONE_HUNDRED)
        .unwrap_or(fraction)
}

/// `file:17:5` for text, `file#Sheet1!C12` for a spreadsheet cell.
pub fn location_string(source: &str, loc: &Loc) -> String {
    Location { source, loc }.to_string()
}

/// One element of the `check --format json` array.
#[derive(Serialize)]
pub struct FormReport<'a> {
    pub source: &'a str,
    pub form_index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shape: Option<InputShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'a str>,
    pub year: Option<i32>,
    pub project: Option<&'a str>,
    pub department: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub money_unit: Option<&'a str>,
    pub profile: &'a str,
    pub profile_version: &'a str,
    /// The form was cut off before its 总分 row.
    pub truncated: bool,
    pub funds: FundsOut,
    pub reported: Reported<'a>,
    pub computed: ComputedOut<'a>,
    pub indicators: Vec<IndicatorOut<'a>>,
    pub findings: Vec<FindingOut<'a>>,
    /// Why something could not be computed (from the scorecard).
    pub notes: &'a [String],
}

#[derive(Serialize)]
pub struct FundsOut {
    pub total: RowOut,
    pub appropriation: RowOut,
    pub carryover: RowOut,
    pub other: RowOut,
}

#[derive(Serialize)]
pub struct RowOut {
    pub initial: Option<Num>,
    pub adjusted: Option<Num>,
    pub executed: Option<Num>,
}

impl From<&FundRow> for RowOut {
    fn from(row: &FundRow) -> Self {
        RowOut {
            initial: row.initial.map(Num),
            adjusted: row.adjusted.map(Num),
            executed: row.executed.map(Num),
        }
    }
}

#[derive(Serialize)]
pub struct Reported<'a> {
    /// Percent, with the decimals printed (`100.00%` → `100.00`).
    pub execution_rate: Option<Num>,
    pub budget_weight: Option<Num>,
    pub budget_score: Option<Num>,
    pub total_weight: Option<Num>,
    pub total: Option<Num>,
    pub grade: Option<&'a str>,
}

#[derive(Serialize)]
pub struct ComputedOut<'a> {
    pub execution_rate: Option<Num>,
    pub budget_score: Option<Num>,
    pub indicator_score: Option<Num>,
    pub total: Option<Num>,
    pub grade: Option<&'a str>,
    /// How each computed value was derived.
    pub explain: ExplainAll<'a>,
}

#[derive(Serialize)]
pub struct ExplainAll<'a> {
    pub execution_rate: Option<Explain<'a>>,
    pub budget_score: Option<Explain<'a>>,
    pub indicator_score: Option<Explain<'a>>,
    pub total: Option<Explain<'a>>,
    pub grade: Option<&'a GradeFormula>,
}

/// The derivation of a computed number.
#[derive(Serialize)]
pub struct Explain<'a> {
    /// Serialised as its text.
    pub formula: &'a Formula,
    pub inputs: Inputs<'a>,
    /// The exact value, as a decimal string.
    pub exact: Exact,
    pub note: Option<&'a str>,
}

impl<'a> From<&'a Computed> for Explain<'a> {
    fn from(c: &'a Computed) -> Self {
        Explain {
            formula: &c.formula,
            inputs: Inputs(&c.inputs),
            exact: Exact(c.value),
            note: c.note.as_deref(),
        }
    }
}

/// An exact decimal written as a JSON string (trailing zeros dropped), without an intermediate
/// `String`.
pub struct Exact(pub Decimal);

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.normalize())
    }
}

/// A finding's location, `file:line:col` or `file#Sheet!C12`, written straight into the output.
pub struct Location<'a> {
    pub source: &'a str,
    pub loc: &'a Loc,
}

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sep = if self.loc.sheet.is_some() { '#' } else { ':' };
        write!(f, "{}{sep}{}", self.source, self.loc)
    }
}

impl Serialize for Location<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Named inputs written as a JSON object in their order.
pub struct Inputs<'a>(&'a jixiao_core::score::Inputs);

impl Serialize for Inputs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

#[derive(Serialize)]
pub struct IndicatorOut<'a> {
    pub level1: Option<&'a str>,
    pub level2: Option<&'a str>,
    pub name: &'a str,
    pub target: Option<&'a str>,
    pub actual: Option<&'a str>,
    pub weight: Option<Num>,
    pub reported_score: Option<Num>,
    pub computed_score: Option<Num>,
    pub reason: Option<&'a str>,
    /// `quantitative`, `qualitative`, `deadline`, `unknown`.
    pub kind: Option<&'static str>,
    pub target_parsed: Option<Parsed<'a>>,
    pub actual_parsed: Option<Parsed<'a>>,
    pub met: Option<bool>,
    /// Allowed score range of a qualitative indicator, in points.
    pub band: Option<[Num; 2]>,
    pub achievement: Option<&'static str>,
    pub explain: Option<Explain<'a>>,
}

/// A parsed target or actual.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Parsed<'a> {
    Empty,
    Quantity {
        op: &'static str,
        number: Num,
        unit: Option<&'a str>,
    },
    Range {
        low: Num,
        high: Num,
        unit: Option<&'a str>,
    },
    Deadline {
        text: &'a str,
    },
    Text {
        text: &'a str,
    },
}

impl<'a> From<&'a Measure> for Parsed<'a> {
    fn from(m: &'a Measure) -> Self {
        match &m.kind {
            MeasureKind::Empty => Parsed::Empty,
            MeasureKind::Quantity { op, number, unit } => Parsed::Quantity {
                op: operator_str(*op),
                number: Num(*number),
                unit: unit.as_deref(),
            },
            MeasureKind::Range { low, high, unit } => Parsed::Range {
                low: Num(*low),
                high: Num(*high),
                unit: unit.as_deref(),
            },
            MeasureKind::Deadline { text } => Parsed::Deadline { text },
            MeasureKind::Text { text } => Parsed::Text { text },
        }
    }
}

fn operator_str(op: Operator) -> &'static str {
    match op {
        Operator::AtLeast => ">=",
        Operator::Greater => ">",
        Operator::AtMost => "<=",
        Operator::Less => "<",
        Operator::Exact => "=",
        Operator::NoOperator => "",
    }
}

#[derive(Serialize)]
pub struct FindingOut<'a> {
    pub code: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    pub message_en: &'a str,
    pub indicator: Option<usize>,
    pub location: Option<Location<'a>>,
    pub rule: &'a str,
}

impl<'a> FormReport<'a> {
    /// Build the element for form `form_index` of `source`. `diagnostics` are the reader's
    /// findings about this form (and about the input, for its first form); they are merged
    /// with the engine's findings in location order.
    pub fn new(
        source: &'a str,
        form_index: usize,
        ev: &'a Evaluation,
        assessment: &'a Assessment,
        diagnostics: &'a [Finding],
        profile: &'a Profile,
    ) -> Self {
        let mut report = Self::frame(source, form_index, ev, assessment, profile);
        let by_index = scores_by_index(ev, &assessment.scorecard);
        report.indicators = ev
            .indicators
            .iter()
            .zip(&by_index)
            .map(|(ind, score)| indicator_out(ind, *score))
            .collect();
        let mut all = Vec::new();
        sorted_findings(&mut all, diagnostics, &assessment.findings);
        report.findings = all.into_iter().map(|f| finding_out(f, source)).collect();
        report
    }

    /// Everything but the indicator and finding rows (left empty: no allocation).
    fn frame(
        source: &'a str,
        form_index: usize,
        ev: &'a Evaluation,
        assessment: &'a Assessment,
        profile: &'a Profile,
    ) -> Self {
        let card = &assessment.scorecard;
        let funds = &ev.funds;
        FormReport {
            source,
            form_index,
            shape: None,
            encoding: None,
            year: ev.year,
            project: ev.project.as_deref(),
            department: ev.department.as_deref(),
            unit: ev.unit.as_deref(),
            money_unit: ev.money_unit.as_deref(),
            profile: &profile.name,
            profile_version: &profile.version,
            truncated: ev.truncated,
            funds: FundsOut {
                total: (&funds.total).into(),
                appropriation: (&funds.appropriation).into(),
                carryover: (&funds.carryover).into(),
                other: (&funds.other).into(),
            },
            reported: Reported {
                execution_rate: funds.rate.map(|r| {
                    let mut p = percent(r.value);
                    p.rescale(r.decimals);
                    Num(p)
                }),
                budget_weight: funds.weight.map(Num),
                budget_score: funds.score.map(|s| Num(s.value)),
                total_weight: ev.total_weight.map(Num),
                total: ev.total_score.map(|s| Num(s.value)),
                grade: ev.grade.as_deref(),
            },
            computed: ComputedOut {
                execution_rate: card
                    .execution_rate
                    .as_ref()
                    .map(|c| computed_num(percent(c.value))),
                budget_score: card.budget_score.as_ref().map(|c| computed_num(c.value)),
                indicator_score: card.indicator_total.as_ref().map(|c| computed_num(c.value)),
                total: card.total.as_ref().map(|c| computed_num(c.value)),
                grade: card.grade.as_ref().map(|g| g.grade.as_str()),
                explain: ExplainAll {
                    execution_rate: card.execution_rate.as_ref().map(Explain::from),
                    budget_score: card.budget_score.as_ref().map(Explain::from),
                    indicator_score: card.indicator_total.as_ref().map(Explain::from),
                    total: card.total.as_ref().map(Explain::from),
                    grade: card.grade.as_ref().map(|g| &g.formula),
                },
            },
            indicators: Vec::new(),
            findings: Vec::new(),
            notes: &card.notes,
        }
    }

    /// Say how the input was read (extra keys `shape` and `encoding`).
    pub fn read_as(mut self, shape: InputShape, encoding: &'a str) -> Self {
        self.shape = Some(shape);
        self.encoding = Some(encoding);
        self
    }
}

/// Each indicator's score, by the index it carries (a scorecard from `score` lists them in
/// order: then no table is built).
fn scores_by_index<'a>(
    ev: &Evaluation,
    card: &'a jixiao_core::Scorecard,
) -> Vec<Option<&'a jixiao_core::IndicatorScore>> {
    let mut by_index = vec![None; ev.indicators.len()];
    for s in &card.indicators {
        if let Some(slot) = by_index.get_mut(s.index) {
            *slot = Some(s);
        }
    }
    by_index
}

/// Is `card.indicators[i]` the score of indicator `i`, for every indicator?
fn scores_in_order(ev: &Evaluation, card: &jixiao_core::Scorecard) -> bool {
    card.indicators.len() == ev.indicators.len()
        && card
            .indicators
            .iter()
            .enumerate()
            .all(|(i, s)| s.index == i)
}

fn indicator_out<'a>(
    ind: &'a jixiao_core::Indicator,
    score: Option<&'a jixiao_core::IndicatorScore>,
) -> IndicatorOut<'a> {
    let computed = score.and_then(|s| s.computed.as_ref());
    IndicatorOut {
        level1: ind.level1.as_deref(),
        level2: ind.level2.as_deref(),
        name: &ind.name,
        target: ind.target.as_deref(),
        actual: ind.actual.as_deref(),
        weight: ind.weight.map(Num),
        reported_score: ind.score.map(Num),
        computed_score: computed.map(|c| computed_num(c.value)),
        reason: ind.reason.as_deref(),
        kind: score.map(|s| kind_str(s.kind)),
        target_parsed: score.map(|s| Parsed::from(&s.target)),
        actual_parsed: score.map(|s| Parsed::from(&s.actual)),
        met: score.and_then(|s| s.met),
        band: score
            .and_then(|s| s.band)
            .map(|(lo, hi)| [Num(lo), Num(hi)]),
        achievement: score.and_then(|s| s.achievement).map(achievement_str),
        explain: computed.map(Explain::from),
    }
}

/// The reader's diagnostics and the engine's findings in location order (stable: reader
/// diagnostics stay before engine findings at the same place), into `all`.
fn sorted_findings<'a>(
    all: &mut Vec<&'a Finding>,
    diagnostics: &'a [Finding],
    engine: &'a [Finding],
) {
    all.clear();
    all.extend(diagnostics.iter().chain(engine));
    all.sort_by(|a, b| {
        (a.location.is_none(), &a.location).cmp(&(b.location.is_none(), &b.location))
    });
}

fn finding_out<'a>(f: &'a Finding, source: &'a str) -> FindingOut<'a> {
    FindingOut {
        code: &f.code,
        severity: f.severity,
        message: &f.message,
        message_en: &f.message_en,
        indicator: f.indicator,
        location: f.location.as_ref().map(|loc| Location { source, loc }),
        rule: &f.rule,
    }
}

/// One form of `check --format json`, to be written straight from the model and the
/// assessment: the bytes of [`FormReport`] without building its rows.
pub struct FormSource<'a> {
    pub source: &'a str,
    pub form_index: usize,
    pub evaluation: &'a Evaluation,
    pub assessment: &'a Assessment,
    /// The reader's findings about this form (see [`FormReport::new`]).
    pub diagnostics: &'a [Finding],
    pub profile: &'a Profile,
    /// How the input was read (`shape`, `encoding`), as [`FormReport::read_as`].
    pub read_as: Option<(InputShape, &'a str)>,
}

impl FormSource<'_> {
    /// Append the element's JSON to `buf`; `order` is scratch space for the findings' order.
    ///
    /// Written in a few pieces (the head, each row, each finding, the end), each straight into
    /// the buffer's room through an [`Out`]; a piece that does not fit is written again after
    /// the buffer has grown.
    pub fn write_json(&self, buf: &mut JsonBuf, order: &mut Vec<usize>) {
        let ev = self.evaluation;
        let card = &self.assessment.scorecard;
        buf.put(|o| self.write_head(o));
        // All rows as one piece (written again whole in the rare case the room runs out).
        if scores_in_order(ev, card) {
            buf.put(|mut o| {
                for (i, (ind, score)) in ev.indicators.iter().zip(&card.indicators).enumerate() {
                    o = write_indicator(o.comma(i)?, ind, Some(score))?;
                }
                Some(o)
            });
        } else {
            buf.put(|mut o| {
                for (i, (ind, score)) in ev
                    .indicators
                    .iter()
                    .zip(scores_by_index(ev, card))
                    .enumerate()
                {
                    o = write_indicator(o.comma(i)?, ind, score)?;
                }
                Some(o)
            });
        }
        // As `sorted_findings`, by index: a stable sort of the same sequence.
        let (diagnostics, engine) = (self.diagnostics, &self.assessment.findings);
        let get = |i: usize| match diagnostics.get(i) {
            Some(f) => f,
            None => &engine[i - diagnostics.len()],
        };
        order.clear();
        order.extend(0..diagnostics.len() + engine.len());
        order.sort_by(|&a, &b| {
            let (a, b) = (get(a), get(b));
            (a.location.is_none(), &a.location).cmp(&(b.location.is_none(), &b.location))
        });
        buf.put(|o| {
            let mut o = o.lit(b"],\"findings\":[")?;
            for (n, &i) in order.iter().enumerate() {
                o = write_finding(o.comma(n)?, get(i), self.source)?;
            }
            o = o.lit(b"],\"notes\":[")?;
            for (i, n) in card.notes.iter().enumerate() {
                o = o.comma(i)?.str(n)?;
            }
            o.lit(b"]}")
        });
    }

    /// Everything before the indicator rows, up to `"indicators":[`: the bytes of the
    /// frame's [`FormReport::write_head`], straight from the model.
    fn write_head<'o>(&self, o: Out<'o>) -> Option<Out<'o>> {
        let ev = self.evaluation;
        let card = &self.assessment.scorecard;
        let funds = &ev.funds;
        let mut o = o
            .lit(b"{\"source\":")?
            .str(self.source)?
            .lit(b",\"form_index\":")?
            .uint(self.form_index as u64)?;
        if let Some((shape, encoding)) = self.read_as {
            o = o
                .key_str(b",\"shape\":", shape_str(shape))?
                .key_str(b",\"encoding\":", encoding)?;
        }
        o = match ev.year {
            Some(y) => o.lit(b",\"year\":")?.int(i64::from(y))?,
            None => o.lit(b",\"year\":null")?,
        };
        o = o
            .key_opt_str(b",\"project\":", ev.project.as_deref())?
            .key_opt_str(b",\"department\":", ev.department.as_deref())?
            .key_opt_str(b",\"unit\":", ev.unit.as_deref())?
            .key_opt_str(b",\"money_unit\":", ev.money_unit.as_deref())?
            .key_str(b",\"profile\":", &self.profile.name)?
            .key_str(b",\"profile_version\":", &self.profile.version)?;
        o = if ev.truncated {
            o.lit(b",\"truncated\":true,\"funds\":{\"total\":")?
        } else {
            o.lit(b",\"truncated\":false,\"funds\":{\"total\":")?
        };
        o = write_fund_row(o, &funds.total)?.lit(b",\"appropriation\":")?;
        o = write_fund_row(o, &funds.appropriation)?.lit(b",\"carryover\":")?;
        o = write_fund_row(o, &funds.carryover)?.lit(b",\"other\":")?;
        o = write_fund_row(o, &funds.other)?;

        o = o
            .lit(b"},\"reported\":{\"execution_rate\":")?
            .opt_num(funds.rate.map(|r| reported_percent(r.value, r.decimals)))?
            .lit(b",\"budget_weight\":")?
            .opt_num(funds.weight.map(Num))?
            .lit(b",\"budget_score\":")?
            .opt_num(funds.score.map(|s| Num(s.value)))?
            .lit(b",\"total_weight\":")?
            .opt_num(ev.total_weight.map(Num))?
            .lit(b",\"total\":")?
            .opt_num(ev.total_score.map(|s| Num(s.value)))?
            .key_opt_str(b",\"grade\":", ev.grade.as_deref())?;

        // Each derivation's exact value, normalised once for the computed number and for
        // `explain.exact`.
        let (rate, budget) = (
            with_exact(&card.execution_rate),
            with_exact(&card.budget_score),
        );
        let (indicators, total) = (with_exact(&card.indicator_total), with_exact(&card.total));
        o = o
            .lit(b"},\"computed\":{\"execution_rate\":")?
            .opt_num(rate.map(|(c, _)| computed_percent(c.value)))?
            .lit(b",\"budget_score\":")?;
        o = write_computed_num(o, budget)?.lit(b",\"indicator_score\":")?;
        o = write_computed_num(o, indicators)?.lit(b",\"total\":")?;
        o = write_computed_num(o, total)?
            .key_opt_str(
                b",\"grade\":",
                card.grade.as_ref().map(|g| g.grade.as_str()),
            )?
            .lit(b",\"explain\":{\"execution_rate\":")?;
        o = write_opt_explain(o, rate)?.lit(b",\"budget_score\":")?;
        o = write_opt_explain(o, budget)?.lit(b",\"indicator_score\":")?;
        o = write_opt_explain(o, indicators)?.lit(b",\"total\":")?;
        o = write_opt_explain(o, total)?;
        o = match &card.grade {
            Some(g) => write_grade_formula(o.lit(b",\"grade\":\"")?, &g.formula)?,
            None => o.lit(b",\"grade\":null")?,
        };
        o.lit(b"}},\"indicators\":[")
    }
}

/// A derivation and its exact value normalised (computed once for the number and for
/// `explain.exact`).
fn with_exact(c: &Option<Computed>) -> Option<(&Computed, Decimal)> {
    c.as_ref().map(|c| (c, normalized(c.value)))
}

/// `d.normalize()`, with the common cases inline: a non-zero whole number (most scores) is
/// its own normal form, and so is a fraction whose last digit is not a zero (the 28-digit
/// ratios and thirds): `normalize` only strips a fraction's trailing zeros and turns `-0`
/// into `0`.
#[inline(always)]
fn normalized(d: Decimal) -> Decimal {
    if d.scale() == 0 {
        if !d.is_zero() {
            return d;
        }
    } else if last_digit(d) != 0 {
        return d;
    }
    d.normalize()
}

/// The last decimal digit of `d`'s mantissa, from its two 64-bit halves (2⁶⁴ ≡ 6 mod 10):
/// no 128-bit division.
#[inline(always)]
fn last_digit(d: Decimal) -> u64 {
    let m = d.mantissa().unsigned_abs();
    let (high, low) = ((m >> 64) as u64, m as u64);
    (high % 10 * 6 + low % 10) % 10
}

/// A funds row: the bytes serde writes for `RowOut::from(row)`.
fn write_fund_row<'o>(o: Out<'o>, row: &FundRow) -> Option<Out<'o>> {
    o.lit(b"{\"initial\":")?
        .opt_num(row.initial.map(Num))?
        .lit(b",\"adjusted\":")?
        .opt_num(row.adjusted.map(Num))?
        .lit(b",\"executed\":")?
        .opt_num(row.executed.map(Num))?
        .byte(b'}')
}

/// `computed_num(c.value)` of a derivation and its normalised exact value: the exact value
/// itself when rounding to the kept decimals would not change it.
#[inline(always)]
fn write_computed_num<'o>(o: Out<'o>, c: Option<(&Computed, Decimal)>) -> Option<Out<'o>> {
    match c {
        Some((c, exact)) if c.value.scale() <= COMPUTED_DECIMALS => o.num(Num(exact)),
        Some((c, _)) => o.num(computed_num(c.value)),
        None => o.lit(b"null"),
    }
}

fn write_opt_explain<'o>(o: Out<'o>, c: Option<(&Computed, Decimal)>) -> Option<Out<'o>> {
    match c {
        Some((c, exact)) => write_explain(o, c, exact),
        None => o.lit(b"null"),
    }
}

// ---- rows straight from the model ------------------------------------------------------------
//
// `check` writes each form from the model and the assessment (`FormSource`): the bytes serde
// writes for the `IndicatorOut` / `FindingOut` rows (tests hold them equal) without
// building the rows, and each fixed word (`kind`, `op`, `met`, `achievement`, `severity`)
// written together with the keys around it as one constant, chosen by a `match`.

/// One indicator row: the bytes serde writes for `indicator_out(ind, score)`.
fn write_indicator<'o>(
    o: Out<'o>,
    ind: &jixiao_core::Indicator,
    score: Option<&jixiao_core::IndicatorScore>,
) -> Option<Out<'o>> {
    let mut o = o
        .key_opt_str(b"{\"level1\":", ind.level1.as_deref())?
        .key_opt_str(b",\"level2\":", ind.level2.as_deref())?
        .key_str(b",\"name\":", &ind.name)?
        .key_opt_str(b",\"target\":", ind.target.as_deref())?
        .key_opt_str(b",\"actual\":", ind.actual.as_deref())?
        .lit(b",\"weight\":")?
        .opt_num(ind.weight.map(Num))?
        .lit(b",\"reported_score\":")?
        .opt_num(ind.score.map(Num))?
        .lit(b",\"computed_score\":")?;
    // `explain.exact` is the value normalised; so is `computed_score` when rounding to the
    // kept decimals would not change it (nearly always): normalise once.
    let computed = score
        .and_then(|s| s.computed.as_ref())
        .map(|c| (c, normalized(c.value)));
    o = write_computed_num(o, computed)?.key_opt_str(b",\"reason\":", ind.reason.as_deref())?;
    let Some(s) = score else {
        return o.lit(
            b",\"kind\":null,\"target_parsed\":null,\"actual_parsed\":null,\"met\":null,\
              \"band\":null,\"achievement\":null,\"explain\":null}",
        );
    };
    {
        use jixiao_core::IndicatorKind as K;
        o = match s.kind {
            K::Quantitative => o.lit(b",\"kind\":\"quantitative\",\"target_parsed\":")?,
            K::Qualitative => o.lit(b",\"kind\":\"qualitative\",\"target_parsed\":")?,
            K::Deadline => o.lit(b",\"kind\":\"deadline\",\"target_parsed\":")?,
            K::Unknown => o.lit(b",\"kind\":\"unknown\",\"target_parsed\":")?,
        };
    }
    o = write_measure(o, &s.target)?.lit(b",\"actual_parsed\":")?;
    o = write_measure(o, &s.actual)?;
    o = match s.met {
        Some(true) => o.lit(b",\"met\":true")?,
        Some(false) => o.lit(b",\"met\":false")?,
        None => o.lit(b",\"met\":null")?,
    };
    o = match s.band {
        Some((lo, hi)) => o
            .lit(b",\"band\":[")?
            .num(Num(lo))?
            .byte(b',')?
            .num(Num(hi))?
            .byte(b']')?,
        None => o.lit(b",\"band\":null")?,
    };
    {
        use jixiao_core::Achievement as A;
        o = match s.achievement {
            Some(A::Achieved) => o.lit(b",\"achievement\":\"achieved\",\"explain\":")?,
            Some(A::Partial) => o.lit(b",\"achievement\":\"partial\",\"explain\":")?,
            Some(A::Unmet) => o.lit(b",\"achievement\":\"unmet\",\"explain\":")?,
            Some(A::Unknown) => o.lit(b",\"achievement\":\"unknown\",\"explain\":")?,
            None => o.lit(b",\"achievement\":null,\"explain\":")?,
        };
    }
    write_opt_explain(o, computed)?.byte(b'}')
}

/// The bytes of the texts one after another, as one array (`N` their total length, checked
/// when the constant is built): a formula's fixed words and the JSON around them written by
/// one copy of constant size.
const fn joined<const N: usize>(texts: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let (mut at, mut t) = (0, 0);
    while t < texts.len() {
        let b = texts[t].as_bytes();
        let mut i = 0;
        while i < b.len() {
            out[at] = b[i];
            at += 1;
            i += 1;
        }
        t += 1;
    }
    assert!(at == N, "the texts' length");
    out
}

/// `&[u8; N]` of the texts joined, a constant (see [`joined`]).
macro_rules! words {
    ($($text:expr),+) => {{
        const TEXTS: &[&str] = &[$($text),+];
        const LEN: usize = {
            let mut len = 0;
            let mut t = 0;
            while t < TEXTS.len() {
                len += TEXTS[t].len();
                t += 1;
            }
            len
        };
        const BYTES: [u8; LEN] = joined::<LEN>(TEXTS);
        &BYTES
    }};
}

/// `{"formula":"…"`: a formula straight from its numbers, the bytes serde writes for its text
/// (tests hold them equal). Its fixed words need no escape (a test holds it) and are written
/// with the key as constants; numbers are ASCII digits. The shapes most forms have are
/// written here; the rest go piece by piece.
fn write_formula<'o>(o: Out<'o>, f: &Formula) -> Option<Out<'o>> {
    const KEY: &str = "{\"formula\":\"";
    let o = match *f {
        Formula::MetAtLeast { w: weight } => {
            o.lit(words!(KEY, w::MET_AT_LEAST))?.decimal(weight)?
        }
        Formula::InBand {
            achievement,
            lo,
            hi,
            p,
        } => {
            let o = match achievement {
                Achievement::Achieved => o.lit(words!(KEY, w::ACHIEVED, w::IN_BAND))?,
                Achievement::Partial => o.lit(words!(KEY, w::PARTIAL, w::IN_BAND))?,
                Achievement::Unmet => o.lit(words!(KEY, w::UNMET, w::IN_BAND))?,
                Achievement::Unknown => o.lit(words!(KEY, w::UNKNOWN, w::IN_BAND))?,
            };
            o.decimal(lo)?
                .lit(words!(w::COMMA))?
                .decimal(hi)?
                .lit(words!(w::IN_BAND_END))?
                .decimal(p)?
        }
        Formula::ExecutionRate { executed, budget } => o
            .lit(words!(KEY, w::EXECUTION_RATE))?
            .decimal(executed)?
            .lit(words!(w::OVER))?
            .decimal(budget)?,
        Formula::BudgetScore { w: weight, capped } => o
            .lit(words!(KEY, w::BUDGET_SCORE))?
            .decimal(weight)?
            .lit(words!(w::TIMES))?
            .decimal(capped)?
            .lit(words!(w::PERCENT))?,
        Formula::IndicatorSum => o.lit(words!(KEY, w::INDICATOR_SUM))?,
        Formula::Total { b, t } => o
            .lit(words!(KEY, w::TOTAL))?
            .decimal(b)?
            .lit(words!(w::PLUS))?
            .decimal(t)?,
        Formula::Proportional { w: weight, a, t } => o
            .lit(words!(KEY, w::PROPORTIONAL))?
            .decimal(weight)?
            .lit(words!(w::TIMES))?
            .decimal(a)?
            .lit(words!(w::SLASH))?
            .decimal(t)?,
        Formula::Clamped {
            achievement,
            lo,
            hi,
            p,
        } => {
            let o = match achievement {
                Achievement::Achieved => o.lit(words!(KEY, w::ACHIEVED, w::CLAMPED))?,
                Achievement::Partial => o.lit(words!(KEY, w::PARTIAL, w::CLAMPED))?,
                Achievement::Unmet => o.lit(words!(KEY, w::UNMET, w::CLAMPED))?,
                Achievement::Unknown => o.lit(words!(KEY, w::UNKNOWN, w::CLAMPED))?,
            };
            o.decimal(lo)?
                .lit(words!(w::COMMA))?
                .decimal(hi)?
                .lit(words!(w::CLAMPED_END))?
                .decimal(p)?
                .lit(words!(w::ARROW))?
                .decimal(Formula::clamped(p, lo, hi))?
        }
        Formula::ReverseRatio { w: weight, a, t } => o
            .lit(words!(KEY, w::REVERSE_RATIO))?
            .decimal(weight)?
            .lit(words!(w::TIMES))?
            .decimal(t)?
            .lit(words!(w::SLASH))?
            .decimal(a)?,
        Formula::Printed { p } => o.lit(words!(KEY, w::PRINTED))?.decimal(p)?,
        Formula::OnTime { w: weight } => o.lit(words!(KEY, w::ON_TIME))?.decimal(weight)?,
        Formula::MetAtMost { w: weight } => o.lit(words!(KEY, w::MET_AT_MOST))?.decimal(weight)?,
        Formula::Text(ref text) => return o.lit(b"{\"formula\":")?.str(text),
        _ => {
            // Every other shape, piece by piece (no `Text` piece: that is the case above).
            let mut room = Some(o.lit(words!(KEY))?);
            let written = f.pieces(|piece| {
                let o = room.take().ok_or(())?;
                room = match piece {
                    FormulaPiece::Words(words) => o.raw(words.as_bytes()),
                    FormulaPiece::Num(d) => o.decimal(d),
                    FormulaPiece::Text(text) => o.str_body(text),
                };
                room.as_ref().map(|_| ()).ok_or(())
            });
            written.ok()?;
            room?
        }
    };
    o.byte(b'"')
}

/// The grade's formula after its opening quote, with the closing quote: the bytes serde
/// writes for its text.
fn write_grade_formula<'o>(o: Out<'o>, g: &GradeFormula) -> Option<Out<'o>> {
    o.decimal(g.total)?
        .lit(words!(w::AT_LEAST))?
        .decimal(g.min)?
        .lit(words!(w::ARROW))?
        .str_body(&g.label)?
        .byte(b'"')
}

/// A derivation: the bytes serde writes for `Explain::from(c)`, with `exact` the value
/// normalised.
fn write_explain<'o>(o: Out<'o>, c: &Computed, exact: Decimal) -> Option<Out<'o>> {
    let mut o = write_formula(o, &c.formula)?;
    o = match &c.inputs {
        // An indicator's: the keys are constants and the weight a number.
        jixiao_core::score::Inputs::Wta { w, t, a } => o
            .lit(b",\"inputs\":{\"W\":\"")?
            .decimal(*w)?
            .key_str(b"\",\"T\":", t)?
            .key_str(b",\"A\":", a)?,
        jixiao_core::score::Inputs::Numbers(numbers) => {
            o = o.lit(b",\"inputs\":{")?;
            for (i, &(k, d, percent)) in numbers.iter().enumerate() {
                o = o.comma(i)?.str(k)?.lit(b":\"")?.decimal(d)?;
                if percent {
                    o = o.byte(b'%')?;
                }
                o = o.byte(b'"')?;
            }
            o
        }
        jixiao_core::score::Inputs::Named(named) => {
            o = o.lit(b",\"inputs\":{")?;
            for (i, (k, v)) in named.iter().enumerate() {
                o = o.comma(i)?.pair_str(k, v)?;
            }
            o
        }
    };
    o = o.lit(b"},\"exact\":\"")?.decimal(exact)?;
    match c.note.as_deref() {
        None => o.lit(b"\",\"note\":null}"),
        Some(note) => o.key_str(b"\",\"note\":", note)?.byte(b'}'),
    }
}

/// A parsed target or actual: the bytes serde writes for `Parsed::from(m)`.
fn write_measure<'o>(o: Out<'o>, m: &Measure) -> Option<Out<'o>> {
    match &m.kind {
        MeasureKind::Empty => o.lit(b"{\"type\":\"empty\"}"),
        MeasureKind::Quantity { op, number, unit } => {
            let o = match op {
                Operator::AtLeast => o.lit(b"{\"type\":\"quantity\",\"op\":\">=\",\"number\":")?,
                Operator::Greater => o.lit(b"{\"type\":\"quantity\",\"op\":\">\",\"number\":")?,
                Operator::AtMost => o.lit(b"{\"type\":\"quantity\",\"op\":\"<=\",\"number\":")?,
                Operator::Less => o.lit(b"{\"type\":\"quantity\",\"op\":\"<\",\"number\":")?,
                Operator::Exact => o.lit(b"{\"type\":\"quantity\",\"op\":\"=\",\"number\":")?,
                Operator::NoOperator => o.lit(b"{\"type\":\"quantity\",\"op\":\"\",\"number\":")?,
            };
            o.num(Num(*number))?
                .key_opt_str(b",\"unit\":", unit.as_deref())?
                .byte(b'}')
        }
        MeasureKind::Range { low, high, unit } => o
            .lit(b"{\"type\":\"range\",\"low\":")?
            .num(Num(*low))?
            .lit(b",\"high\":")?
            .num(Num(*high))?
            .key_opt_str(b",\"unit\":", unit.as_deref())?
            .byte(b'}'),
        MeasureKind::Deadline { text } => o
            .key_str(b"{\"type\":\"deadline\",\"text\":", text)?
            .byte(b'}'),
        MeasureKind::Text { text } => o.key_str(b"{\"type\":\"text\",\"text\":", text)?.byte(b'}'),
    }
}

/// One finding: the bytes serde writes for `finding_out(f, source)`. `code` and `rule` are
/// only read as `&str`.
fn write_finding<'o>(o: Out<'o>, f: &Finding, source: &str) -> Option<Out<'o>> {
    let mut o = o.key_str(b"{\"code\":", &f.code)?;
    o = match f.severity {
        Severity::Info => o.lit(b",\"severity\":\"info\",\"message\":")?,
        Severity::Warning => o.lit(b",\"severity\":\"warning\",\"message\":")?,
        Severity::Error => o.lit(b",\"severity\":\"error\",\"message\":")?,
    };
    o = o
        .str(&f.message)?
        .key_str(b",\"message_en\":", &f.message_en)?
        .lit(b",\"indicator\":")?
        .opt_usize(f.indicator)?;
    o = match &f.location {
        Some(loc) if loc.sheet.is_none() => o
            .lit(b",\"location\":")?
            .str_open(source)?
            .byte(b':')?
            .uint(u64::from(loc.line))?
            .byte(b':')?
            .uint(u64::from(loc.column))?
            .lit(b"\",\"rule\":")?,
        Some(loc) => Location { source, loc }
            .write_json(o.lit(b",\"location\":")?)?
            .lit(b",\"rule\":")?,
        None => o.lit(b",\"location\":null,\"rule\":")?,
    };
    o.str(&f.rule)?.byte(b'}')
}

fn kind_str(kind: jixiao_core::IndicatorKind) -> &'static str {
    use jixiao_core::IndicatorKind as K;
    match kind {
        K::Quantitative => "quantitative",
        K::Qualitative => "qualitative",
        K::Deadline => "deadline",
        K::Unknown => "unknown",
    }
}

fn achievement_str(a: jixiao_core::Achievement) -> &'static str {
    use jixiao_core::Achievement as A;
    match a {
        A::Achieved => "achieved",
        A::Partial => "partial",
        A::Unmet => "unmet",
        A::Unknown => "unknown",
    }
}

// ---- the direct writer ------------------------------------------------------------------------
//
// `check --format json` writes hundreds of megabytes; going through serde's data model costs
// more than reading the forms. `FormSource::write_json` writes, straight from the model and
// the assessment, the same bytes as `serde_json::to_writer` of the form's `FormReport` (tests
// hold the two equal; the web serialises `FormReport` with serde) into the writer's buffer.

/// JSON being written. The buffer's bytes are initialised beyond what is written (`len`);
/// pieces are written into the room after `len` through an [`Out`] by [`JsonBuf::put`]. Only
/// `bytes[..len]` is the output.
#[derive(Debug, Default)]
pub struct JsonBuf {
    bytes: Vec<u8>,
    len: usize,
}

/// The least the buffer grows by, so that growing is rare.
const MIN_GROW: usize = 64 * 1024;

impl JsonBuf {
    /// A buffer with `capacity` bytes of room before it first grows.
    pub fn with_capacity(capacity: usize) -> Self {
        JsonBuf {
            bytes: vec![0; capacity],
            len: 0,
        }
    }

    /// Continue after the bytes of `v`.
    pub fn from_vec(v: Vec<u8>) -> Self {
        JsonBuf {
            len: v.len(),
            bytes: v,
        }
    }

    /// The bytes written, as a vector.
    pub fn into_vec(mut self) -> Vec<u8> {
        self.bytes.truncate(self.len);
        self.bytes
    }

    /// The bytes written.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forget what was written; the room stays.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// At least double the room (so a piece that did not fit soon does).
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let size = (self.bytes.len() * 2).max(MIN_GROW);
        self.bytes.resize(size, 0);
    }

    /// Write one piece (a head, a row, a finding) with `f` into the room after the written
    /// bytes. When it does not fit (`f` gives `None`: some store found too little room), the
    /// buffer grows and the whole piece is written again from the same place, so nothing
    /// written in the failed attempt counts.
    #[inline(always)]
    fn put(&mut self, f: impl Fn(Out<'_>) -> Option<Out<'_>>) {
        loop {
            let total = self.bytes.len();
            // `len <= bytes.len()` always: `len` only moves within the room `put` hands out.
            if let Some(rest) = f(Out(&mut self.bytes[self.len..])) {
                self.len = total - rest.0.len();
                return;
            }
            self.grow();
        }
    }
}

/// The room after the bytes written so far. Each piece is stored at its start and the room
/// after it is handed on by value, so the write position is the slice's pointer and length
/// in registers from piece to piece (a cursor behind `&mut self` is reloaded after every
/// byte store, which may alias it) and each piece costs one test of the room left. A piece
/// is stored with fixed-size copies — a few register moves instead of a `memcpy` call per
/// key, string or number — that may run past it into the room after it, which the next piece
/// overwrites. `None`: not enough room (see [`JsonBuf::put`]).
pub struct Out<'a>(&'a mut [u8]);

impl<'a> Out<'a> {
    /// The room after the first `n` bytes of `s`.
    #[inline(always)]
    fn skip(s: &'a mut [u8], n: usize) -> Option<Self> {
        s.get_mut(n..).map(Out)
    }

    /// Constant text (keys, punctuation, `null`): a copy of constant size.
    #[inline(always)]
    fn lit<const N: usize>(self, text: &[u8; N]) -> Option<Self> {
        let (dst, rest) = self.0.split_first_chunk_mut::<N>()?;
        *dst = *text;
        Some(Out(rest))
    }

    #[inline(always)]
    fn byte(self, b: u8) -> Option<Self> {
        let (dst, rest) = self.0.split_first_mut()?;
        *dst = b;
        Some(Out(rest))
    }

    /// The `,` before every element of a sequence but the first (`i` is its index).
    #[inline(always)]
    fn comma(self, i: usize) -> Option<Self> {
        if i > 0 {
            self.byte(b',')
        } else {
            Some(self)
        }
    }

    /// Bytes of any length (one `memcpy`), for rare pieces.
    fn raw(self, b: &[u8]) -> Option<Self> {
        let (dst, rest) = self.0.split_at_mut_checked(b.len())?;
        dst.copy_from_slice(b);
        Some(Out(rest))
    }

    /// A JSON string: `s` quoted and escaped as serde_json escapes it.
    #[inline(always)]
    fn str(self, s: &str) -> Option<Self> {
        self.string::<1>(s.as_bytes())
    }

    /// [`str`](Self::str) without the closing quote, for a string that goes on (a location).
    #[inline(always)]
    fn str_open(self, s: &str) -> Option<Self> {
        self.string::<0>(s.as_bytes())
    }

    /// `"b"` (`"b` when `CLOSE` is 0).
    #[inline(always)]
    fn string<const CLOSE: usize>(self, b: &[u8]) -> Option<Self> {
        if b.len() > 16 {
            return self.long::<CLOSE>(b);
        }
        let s = self.0;
        if short_string(s.first_chunk_mut::<18>()?, b) == 0 {
            Self::skip(s, b.len() + 1 + CLOSE)
        } else {
            Out(s).escaped::<CLOSE>(b)
        }
    }

    /// `key` (a constant: `,"name":`) then `s` as a JSON string: for a short `s`, stored in
    /// one piece of room.
    #[inline(always)]
    fn key_str<const K: usize>(self, key: &[u8; K], s: &str) -> Option<Self> {
        const { assert!(K <= KEY_MAX) };
        let b = s.as_bytes();
        if b.len() > 16 {
            return self.lit(key)?.long::<1>(b);
        }
        let s = self.0;
        let dst = s.first_chunk_mut::<{ KEY_MAX + 18 }>()?;
        *<&mut [u8; K]>::try_from(&mut dst[..K]).expect("K bytes") = *key;
        let string = <&mut [u8; 18]>::try_from(&mut dst[K..K + 18]).expect("18 bytes");
        if short_string(string, b) == 0 {
            Self::skip(s, K + b.len() + 2)
        } else {
            Out(s).lit(key)?.escaped::<1>(b)
        }
    }

    /// `"k":"v"` (a derivation's input): one piece of room when both are short.
    #[inline(always)]
    fn pair_str(self, k: &str, v: &str) -> Option<Self> {
        let (kb, vb) = (k.as_bytes(), v.as_bytes());
        if kb.len() <= 16 && vb.len() <= 16 {
            let s = self.0;
            let dst = s.first_chunk_mut::<37>()?;
            let hits = short_string(
                <&mut [u8; 18]>::try_from(&mut dst[..18]).expect("18 bytes"),
                kb,
            );
            let at = kb.len() + 2;
            dst[at] = b':';
            let value = <&mut [u8; 18]>::try_from(&mut dst[at + 1..at + 19]).expect("18 bytes");
            if hits | short_string(value, vb) == 0 {
                return Self::skip(s, at + 1 + vb.len() + 2);
            }
            return Out(s).str(k)?.byte(b':')?.str(v);
        }
        self.str(k)?.byte(b':')?.str(v)
    }

    /// [`key_str`](Self::key_str), or the key and `null`.
    #[inline(always)]
    fn key_opt_str<const K: usize>(self, key: &[u8; K], s: Option<&str>) -> Option<Self> {
        match s {
            Some(s) => self.key_str(key, s),
            None => {
                const { assert!(K <= KEY_MAX) };
                let s = self.0;
                let dst = s.first_chunk_mut::<{ KEY_MAX + 4 }>()?;
                *<&mut [u8; K]>::try_from(&mut dst[..K]).expect("K bytes") = *key;
                *<&mut [u8; 4]>::try_from(&mut dst[K..K + 4]).expect("4 bytes") = *b"null";
                Self::skip(s, K + 4)
            }
        }
    }

    /// `"b"` for `b` longer than 16 bytes: sixteen bytes at a time, each block copied and its
    /// escape flags OR-ed into one vector without an early exit (so the loop vectorises), the
    /// tail by the overlapping last block; escaped by the general path if a byte needs it.
    /// The first block is taken before the loop and the loop is entered only past 32 bytes:
    /// most long texts (names, rules, messages) are 17–32 bytes, the first block and the
    /// overlapping last one, and skip the loop's setup.
    #[inline(never)]
    fn long<const CLOSE: usize>(self, b: &[u8]) -> Option<Self> {
        let n = b.len();
        let s = self.0;
        let Some(&head) = b.first_chunk::<16>() else {
            // Never on the hot path (callers pass more than 16 bytes); any text is right here.
            return Out(s).escaped::<CLOSE>(b);
        };
        let dst = s.get_mut(..n + 2)?;
        dst[0] = b'"';
        dst[n + 1] = b'"';
        let body = &mut dst[1..n + 1];
        let mut acc = [0u8; 16];
        or_escape_flags(&mut acc, &head);
        *body.first_chunk_mut::<16>()? = head;
        if n > 32 {
            for (d, src) in body[16..]
                .chunks_exact_mut(16)
                .zip(b[16..].chunks_exact(16))
            {
                // One load: the block is tested before it is stored (stored first, it was
                // loaded again for the test, as the store might have changed it).
                let block = *<&[u8; 16]>::try_from(src).expect("16 bytes");
                or_escape_flags(&mut acc, &block);
                *<&mut [u8; 16]>::try_from(d).expect("16 bytes") = block;
            }
        }
        let tail = *b.last_chunk::<16>()?;
        or_escape_flags(&mut acc, &tail);
        *body.last_chunk_mut::<16>()? = tail;
        // Folded as one vector (`u128::from_le_bytes(acc)` was reassembled byte by byte).
        if acc.iter().fold(0, |all, &a| all | a) == 0 {
            Self::skip(s, n + 1 + CLOSE)
        } else {
            Out(s).escaped::<CLOSE>(b)
        }
    }

    /// `s` escaped, without quotes (text inside a string being written).
    fn str_body(self, s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.iter().all(|&c| ESCAPE[c as usize] == 0) {
            return self.raw(b);
        }
        let mut buf = Vec::with_capacity(b.len() + 16);
        push_escaped(&mut buf, b);
        self.raw(&buf)
    }

    /// A string with something to escape: the general path, byte by byte where needed.
    #[cold]
    #[inline(never)]
    fn escaped<const CLOSE: usize>(self, bytes: &[u8]) -> Option<Self> {
        let mut buf = Vec::with_capacity(bytes.len() + 16);
        buf.push(b'"');
        push_escaped(&mut buf, bytes);
        if CLOSE == 1 {
            buf.push(b'"');
        }
        self.raw(&buf)
    }

    #[inline(always)]
    fn uint(self, n: u64) -> Option<Self> {
        if n < 10 {
            return self.byte(b'0' + n as u8);
        }
        if n < 100 {
            // Most weights, scores, indices, columns: two digits.
            return self.lit(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]);
        }
        self.uint_wide(n)
    }

    /// Any `n` (at least 100 on the hot path: amounts, targets, line numbers): the digits
    /// counted first, then stored in place from the last pair back (no scratch buffer to
    /// clear and move, no call).
    #[inline]
    fn uint_wide(self, n: u64) -> Option<Self> {
        let s = self.0;
        let len = digit_count(n);
        digits_u64(n, s.first_chunk_mut::<20>()?, len);
        Self::skip(s, len)
    }

    fn int(self, n: i64) -> Option<Self> {
        if n < 0 {
            self.byte(b'-')?.uint(n.unsigned_abs())
        } else {
            self.uint(n.unsigned_abs())
        }
    }

    /// A decimal exactly as its `Display` writes it (`507500.00`, `0.05`, `-0`), no exponent.
    #[inline(always)]
    fn decimal(self, d: Decimal) -> Option<Self> {
        // Most exact scores (`explain.exact`): a whole number of one or two digits, written
        // here without the call.
        if !d.is_sign_negative() {
            let m = d.mantissa();
            match d.scale() {
                0 if (0..100).contains(&m) => return self.uint(m as u64),
                // A tenth below 100: the bounds of most qualitative bands (`8.0`, `7.2`),
                // printed in their formulas.
                1 if (0..1000).contains(&m) => {
                    let m = m as u32;
                    return self
                        .uint(u64::from(m / 10))?
                        .lit(&[b'.', b'0' + (m % 10) as u8]);
                }
                _ => {}
            }
        }
        self.decimal_general(d)
    }

    /// [`decimal`](Self::decimal) for any decimal.
    fn decimal_general(self, d: Decimal) -> Option<Self> {
        let scale = d.scale();
        if scale <= 4 && !d.is_sign_negative() {
            // Nearly every amount, rate and score: the whole part as an integer, then the
            // point and the fraction's digits.
            if let Ok(m) = u64::try_from(d.mantissa()) {
                // The fraction's digits from the pair table (two digits a lookup), stored
                // with the point as one piece of the scale's size.
                return match scale {
                    0 => self.uint(m),
                    1 => {
                        let s = self.uint(m / 10)?.0;
                        *s.first_chunk_mut::<2>()? = [b'.', b'0' + (m % 10) as u8];
                        Self::skip(s, 2)
                    }
                    2 => {
                        let s = self.uint(m / 100)?.0;
                        let [a, b] = two_digits((m % 100) as u32);
                        *s.first_chunk_mut::<3>()? = [b'.', a, b];
                        Self::skip(s, 3)
                    }
                    3 => {
                        let (s, f) = (self.uint(m / 1000)?.0, (m % 1000) as u32);
                        let [a, b] = two_digits(f % 100);
                        *s.first_chunk_mut::<4>()? = [b'.', b'0' + (f / 100) as u8, a, b];
                        Self::skip(s, 4)
                    }
                    _ => {
                        let (s, f) = (self.uint(m / 10_000)?.0, (m % 10_000) as u32);
                        let ([a, b], [c, e]) = (two_digits(f / 100), two_digits(f % 100));
                        *s.first_chunk_mut::<5>()? = [b'.', a, b, c, e];
                        Self::skip(s, 5)
                    }
                };
            }
        }
        let s = self.0;
        let len = decimal_bytes(d, s.first_chunk_mut::<DECIMAL_BUF>()?).len();
        Self::skip(s, len)
    }

    #[inline(always)]
    fn num(self, n: Num) -> Option<Self> {
        // As `Num` serialises: a whole number that fits an i64 as an integer (`-0` as `0`).
        if n.0.scale() == 0 {
            let m = n.0.mantissa();
            if (0..100).contains(&m) {
                // Most weights and scores: one or two digits, written here.
                return self.uint(m as u64);
            }
            if let Ok(i) = i64::try_from(m) {
                return self.int(i);
            }
        }
        self.decimal_general(n.0)
    }

    #[inline(always)]
    fn opt_num(self, n: Option<Num>) -> Option<Self> {
        match n {
            Some(n) => self.num(n),
            None => self.lit(b"null"),
        }
    }

    fn opt_usize(self, n: Option<usize>) -> Option<Self> {
        match n {
            Some(n) => self.uint(n as u64),
            None => self.lit(b"null"),
        }
    }
}

/// The longest key given to [`Out::key_str`].
const KEY_MAX: usize = 32;

/// `"b"` into `dst` for `b` of at most 16 bytes, copied by two overlapping loads and stores
/// (bytes past the closing quote are scratch); non-zero when a byte needs an escape — tested
/// by words, or by the escape table for a string of up to three bytes.
#[inline(always)]
fn short_string(dst: &mut [u8; 18], b: &[u8]) -> u64 {
    let n = b.len();
    dst[0] = b'"';
    let hits = if n >= 8 {
        let lo = word8(b, 0);
        let hi = word8(b, n - 8);
        dst[1..9].copy_from_slice(&lo.to_le_bytes());
        dst[n - 7..n + 1].copy_from_slice(&hi.to_le_bytes());
        if lo & hi & HIGH_BITS == HIGH_BITS {
            // Every byte non-ASCII (Chinese text: most labels, names, texts) needs no escape:
            // one test instead of two full ones.
            0
        } else {
            escape_hits(lo) | escape_hits(hi)
        }
    } else if n >= 4 {
        let lo = word4(b, 0);
        let hi = word4(b, n - 4);
        dst[1..5].copy_from_slice(&lo.to_le_bytes());
        dst[n - 3..n + 1].copy_from_slice(&hi.to_le_bytes());
        let w = u64::from(lo) | u64::from(hi) << 32;
        if w & HIGH_BITS == HIGH_BITS {
            0
        } else {
            escape_hits(w)
        }
    } else if n > 0 {
        let (x, y, z) = (b[0], b[n / 2], b[n - 1]);
        dst[1] = x;
        dst[1 + n / 2] = y;
        dst[n] = z;
        u64::from(ESCAPE[x as usize] | ESCAPE[y as usize] | ESCAPE[z as usize])
    } else {
        0
    };
    dst[n + 1] = b'"';
    hits
}

/// The high bit of every byte of a word.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Eight bytes of `b` from `i` (there are).
#[inline(always)]
fn word8(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"))
}

/// Four bytes of `b` from `i` (there are).
#[inline(always)]
fn word4(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"))
}

/// Mark in `acc` the bytes of `chunk` that need an escape (`< 0x20`, `"` or `\`).
#[inline(always)]
fn or_escape_flags(acc: &mut [u8; 16], chunk: &[u8; 16]) {
    for (a, &c) in acc.iter_mut().zip(chunk) {
        // All ones for a hit (the compare's own mask: no AND with 1 before the fold).
        // `c ^ 2` maps `"` (0x22) to 0x20 and the controls among themselves: two compares
        // for the three tests.
        *a |= 0u8.wrapping_sub(u8::from((c ^ 2) <= 0x20 || c == b'\\'));
    }
}

/// JSON escapes as serde_json writes them: `"` `\\` and control characters; `u` means
/// `\u00XX`. Everything else, U+007F and non-ASCII included, is written as is.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = b'u';
        i += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Non-zero when a byte of the word needs an escape (`< 0x20`, `"` or `\`). Exact as a test
/// of the whole word (a borrow can only mark bytes above one that is already marked).
///
/// The three tests (below 0x20, equal to `"`, equal to `\`) each keep the high bit of a
/// borrow where the byte's own high bit is clear; `"` and `\` have a clear high bit, so a
/// byte XOR-ed with them keeps its high bit and the three share one `& !w & HIGH`: the same
/// bits as three separate tests (`escape_hits_separately` in the tests), in fewer operations.
/// A control and a quote share one subtraction too (`c ^ 2 < 0x21`): marked bytes may differ
/// from the three tests' only above a byte both mark, so the word is non-zero exactly when
/// theirs is.
#[inline(always)]
fn escape_hits(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // `c ^ 2` maps `"` (0x22) to 0x20 and the controls among themselves: below 0x21 after
    // the XOR is "a control or a quote", one subtraction for two tests.
    let control_or_quote = (w ^ (ONES * 2)).wrapping_sub(ONES * 0x21);
    let backslash = (w ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES);
    (control_or_quote | backslash) & !w & HIGH
}

/// The bytes of `s`, escaped, without the quotes: the general path, for a string known to
/// need an escape.
fn push_escaped(buf: &mut Vec<u8>, bytes: &[u8]) {
    let mut start = 0; // the first byte not copied yet
    for (j, &b) in bytes.iter().enumerate() {
        let esc = ESCAPE[b as usize];
        if esc == 0 {
            continue;
        }
        buf.extend_from_slice(&bytes[start..j]);
        if esc == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xF) as usize],
            ]);
        } else {
            buf.extend_from_slice(&[b'\\', esc]);
        }
        start = j + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
}

fn shape_str(shape: InputShape) -> &'static str {
    match shape {
        InputShape::TabGrid => "tab_grid",
        InputShape::PipeRows => "pipe_rows",
        InputShape::CellPerLine => "cell_per_line",
        InputShape::Flattened => "flattened",
        InputShape::Json => "json",
        InputShape::Xlsx => "xlsx",
        InputShape::Unknown => "unknown",
    }
}

impl Location<'_> {
    fn write_json<'o>(&self, o: Out<'o>) -> Option<Out<'o>> {
        match &self.loc.sheet {
            None => o
                .str_open(self.source)?
                .byte(b':')?
                .uint(u64::from(self.loc.line))?
                .byte(b':')?
                .uint(u64::from(self.loc.column))?
                .byte(b'"'),
            // Rare (spreadsheet cells): through `Display`.
            Some(_) => o.str(&self.to_string()),
        }
    }
}

/// Writes one JSON array element by element, so that a run over 100 000 forms never holds
/// more than one form's report in memory. Elements are compact, one per line.
///
/// Elements are written straight into one output buffer that is handed to `out` when it
/// holds [`FLUSH_AT`] bytes: a form's bytes are copied once (into the buffer), not once into
/// a per-form buffer and again into `out`'s.
pub struct JsonArrayWriter<W: Write> {
    out: W,
    count: usize,
    /// Elements not yet handed to `out`.
    buf: JsonBuf,
    /// The order of one element's findings, reused from element to element.
    order: Vec<usize>,
}

/// Hand the buffered elements to the output once they reach this size (a form is ≈ 8 KB).
pub const FLUSH_AT: usize = 1 << 20;

impl<W: Write> JsonArrayWriter<W> {
    pub fn new(out: W) -> io::Result<Self> {
        // Made once: room for the flush size and a large form beyond it.
        let mut buf = JsonBuf::with_capacity(FLUSH_AT + FLUSH_AT / 4);
        buf.put(|o| o.byte(b'['));
        Ok(JsonArrayWriter {
            out,
            count: 0,
            buf,
            order: Vec::new(),
        })
    }

    fn separator(&mut self) {
        if self.count == 0 {
            self.buf.put(|o| o.lit(b"\n"));
        } else {
            self.buf.put(|o| o.lit(b",\n"));
        }
    }

    /// After an element: pass the buffer on when it is full.
    fn written(&mut self) -> io::Result<()> {
        self.count += 1;
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(self.buf.as_bytes())?;
            self.buf.clear();
        }
        Ok(())
    }

    /// [`push`](Self::push) for a form, written straight from the model (same bytes as its
    /// [`FormReport`]).
    pub fn push_form(&mut self, form: &FormSource) -> io::Result<()> {
        self.separator();
        form.write_json(&mut self.buf, &mut self.order);
        self.written()
    }

    pub fn push<T: Serialize>(&mut self, element: &T) -> io::Result<()> {
        self.separator();
        let text = serde_json::to_vec(element).map_err(io::Error::from)?;
        self.buf.put(|o| o.raw(&text));
        self.written()
    }

    /// Elements written so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Close the array and hand the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.buf.put(|o| o.lit(b"\n]\n"));
        self.out.write_all(self.buf.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jixiao_core::{Indicator, PrintedDecimal};
    use rust_decimal::RoundingStrategy;
    use rust_decimal_macros::dec;

    /// A deterministic spread of decimals over every mantissa width, with scales
    /// `min_scale..min_scale + scales`, each with its generator state (for a sign). Core's
    /// `num::spread` is the same generator (test-only, so not reachable from here).
    fn spread(count: usize, min_scale: u32, scales: u128) -> Vec<(u128, Decimal)> {
        let mut x: u128 = 0x9E37_79B9_7F4A_7C15;
        (0..count)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let bits = (x >> 32) % (1u128 << 96);
                let mantissa = (bits >> (x % 96)) as i128;
                let scale = min_scale + ((x >> 8) % scales) as u32;
                (x, Decimal::from_i128_with_scale(mantissa, scale))
            })
            .collect()
    }

    fn form() -> Evaluation {
        let mut e = Evaluation {
            year: Some(2023),
            project: Some("工伤鉴定".into()),
            money_unit: Some("元".into()),
            total_score: Some(PrintedDecimal::new(dec!(94), 0)),
            ..Evaluation::default()
        };
        e.funds.total.initial = Some(dec!(507500.00));
        e.funds.rate = Some(PrintedDecimal::new(dec!(1.0000), 2));
        e.indicators.push(Indicator {
            name: "完成鉴定任务案件数".into(),
            target: Some("=3000件".into()),
            actual: Some("4023件".into()),
            weight: Some(dec!(8)),
            score: Some(dec!(8)),
            ..Indicator::default()
        });
        e
    }

    fn computed(value: Decimal) -> Computed {
        Computed {
            value,
            formula: "B/A".into(),
            inputs: vec![("A", "3".into()), ("B", "1".into())].into(),
            profile: "central-2020".into(),
            profile_version: "1".into(),
            note: None,
        }
    }

    fn to_value(report: &FormReport) -> serde_json::Value {
        serde_json::from_str(&serde_json::to_string(report).unwrap()).unwrap()
    }

    #[test]
    fn has_exactly_the_contract_keys_and_exact_numbers() {
        let ev = form();
        let profile = Profile::default();
        let mut assessment = jixiao_core::assess(&ev, &profile);
        assessment.scorecard.execution_rate = Some(computed(dec!(1) / dec!(3)));
        let diag =
            vec![Finding::new("READ_X", Severity::Info, "中", "en").at(Some(Loc::text(3, 5)))];
        let report = FormReport::new("a.tsv", 0, &ev, &assessment, &diag, &profile);
        let text = serde_json::to_string(&report).unwrap();
        assert!(text.contains("\"initial\":507500.00"), "{text}");
        let v = to_value(&report);
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
            assert!(v.get(key).is_some(), "missing {key}");
        }
        for key in ["total", "appropriation", "carryover", "other"] {
            for amount in ["initial", "adjusted", "executed"] {
                assert!(
                    v["funds"][key].get(amount).is_some(),
                    "funds.{key}.{amount}"
                );
            }
        }
        for key in ["execution_rate", "budget_score", "total", "grade"] {
            assert!(v["reported"].get(key).is_some(), "reported.{key}");
        }
        for key in [
            "execution_rate",
            "budget_score",
            "indicator_score",
            "total",
            "grade",
        ] {
            assert!(v["computed"].get(key).is_some(), "computed.{key}");
        }
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
            assert!(v["indicators"][0].get(key).is_some(), "indicators[0].{key}");
        }
        let f = &v["findings"][0];
        for key in ["code", "severity", "message", "indicator", "location"] {
            assert!(f.get(key).is_some(), "findings[0].{key}");
        }
        assert_eq!(f["location"], "a.tsv:3:5");
        assert_eq!(f["severity"], "info");
        // Printed 100.00% stays 100.00 percent; a computed third is rounded to 4 decimals.
        assert!(text.contains("\"execution_rate\":100.00,"), "{text}");
        assert!(text.contains("\"execution_rate\":33.3333"), "{text}");
        assert_eq!(
            v["computed"]["explain"]["execution_rate"]["inputs"]["A"],
            "3"
        );
    }

    #[test]
    fn numbers_are_written_exactly() {
        let cases = [
            (dec!(8), "8"),
            (dec!(-3), "-3"),
            (dec!(507500.00), "507500.00"),
            (dec!(0.05), "0.05"),
            (Decimal::MAX, "79228162514264337593543950335"),
        ];
        for (value, text) in cases {
            assert_eq!(serde_json::to_string(&Num(value)).unwrap(), text);
        }
        assert_eq!(
            serde_json::to_string(&computed_num(dec!(2) / dec!(3))).unwrap(),
            "0.6667"
        );
    }

    #[test]
    fn computed_values_round_as_rust_decimal_rounds() {
        let mut values = vec![
            dec!(0.00005),
            dec!(-0.00005),
            dec!(0.000049999),
            dec!(-0.00004),
            dec!(2.99995),
            dec!(1) / dec!(3),
            dec!(2) / dec!(3),
            dec!(-2) / dec!(3),
            Decimal::MAX / dec!(7),
            Decimal::new(5, 28),
        ];
        for (x, mut d) in spread(20_000, 5, 24) {
            d.set_sign_negative(x & 1 == 1);
            values.push(d);
        }
        for d in values {
            let expected = d
                .round_dp_with_strategy(COMPUTED_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
                .normalize();
            let got = computed_num(d).0;
            assert_eq!(
                (got.to_string(), got.is_sign_negative()),
                (expected.to_string(), expected.is_sign_negative()),
                "{d:?}"
            );
        }
    }

    /// The percent of a fraction by its scale alone gives the computed number the
    /// multiplication gives, bit for bit, for values of every width, scale and sign.
    #[test]
    fn computed_percent_as_by_multiplication() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut values = vec![Decimal::ZERO, Decimal::MAX, Decimal::MIN, Decimal::ONE];
        for _ in 0..60_000 {
            let (a, b) = (next(), next());
            let bits = (a % 97) as u32;
            let m = (u128::from(a) << 64 | u128::from(b)) >> (128 - bits.max(1));
            let m = m & ((1u128 << 96) - 1);
            let scale = (b % 29) as u32;
            let d = Decimal::from_parts(
                m as u32,
                (m >> 32) as u32,
                (m >> 64) as u32,
                a & 1 == 1,
                scale,
            );
            values.push(d);
            // Ratios as the scorer makes them: quotients of amounts.
            let (p, q) = (
                Decimal::from(a % 100_000_000),
                Decimal::new((b % 100_000_000) as i64 + 1, (a % 5) as u32),
            );
            if let Some(r) = p.checked_div(q) {
                values.push(r);
            }
        }
        for d in values {
            assert_eq!(
                computed_percent(d).0.serialize(),
                computed_num(percent(d)).0.serialize(),
                "{d:?}"
            );
            // The reported rate at every printed precision (rescaled down, kept, or up
            // until the mantissa would overflow).
            for decimals in [0, 1, 2, 3, 4, 6, 9, 12, 20, 28] {
                let mut want = percent(d);
                want.rescale(decimals);
                assert_eq!(
                    reported_percent(d, decimals).0.serialize(),
                    want.serialize(),
                    "{d:?} {decimals}"
                );
            }
        }
    }

    /// `normalized` (whole numbers and fractions not ending in a zero kept as they are) is
    /// `normalize`, bit for bit, over every width, scale, sign and trailing zeros.
    #[test]
    fn normalized_is_rust_decimals_normalize() {
        let mut values = vec![
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::new(0, 5),
            Decimal::new(-0, 5),
            Decimal::new(10, 1),
            Decimal::new(-1000, 3),
            Decimal::new(1234500, 2),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(5, 28),
            Decimal::from_i128_with_scale((1 << 96) - 1, 28),
        ];
        let mut negative_zero = Decimal::new(0, 3);
        negative_zero.set_sign_negative(true);
        values.push(negative_zero);
        for (x, mut d) in spread(20_000, 0, 29) {
            d.set_sign_negative(x & 1 == 1);
            values.push(d);
            // The same digits with trailing zeros.
            let m = d.mantissa();
            if m.unsigned_abs() < 1 << 80 {
                let scale = (d.scale() + 3).min(28);
                values.push(Decimal::from_i128_with_scale(m * 1000, scale));
            }
        }
        for d in values {
            assert_eq!(
                normalized(d).serialize(),
                d.normalize().serialize(),
                "{d:?}"
            );
        }
    }

    #[test]
    fn spreadsheet_locations_use_a_hash() {
        assert_eq!(
            location_string("f.xlsx", &Loc::cell("表1", 12, 3)),
            "f.xlsx#表1!C12"
        );
        assert_eq!(location_string("f.tsv", &Loc::text(17, 5)), "f.tsv:17:5");
    }

    /// The writer from the model (no rows built) against serde on the report.
    #[allow(clippy::too_many_arguments)]
    fn same_bytes_from_source(
        source: &str,
        form_index: usize,
        ev: &Evaluation,
        assessment: &jixiao_core::Assessment,
        diagnostics: &[Finding],
        profile: &Profile,
        read_as: Option<(InputShape, &str)>,
    ) {
        let mut report = FormReport::new(source, form_index, ev, assessment, diagnostics, profile);
        if let Some((shape, encoding)) = read_as {
            report = report.read_as(shape, encoding);
        }
        let form = FormSource {
            source,
            form_index,
            evaluation: ev,
            assessment,
            diagnostics,
            profile,
            read_as,
        };
        let mut direct = JsonBuf::default();
        form.write_json(&mut direct, &mut Vec::new());
        assert_eq!(
            String::from_utf8(direct.into_vec()).unwrap(),
            serde_json::to_string(&report).unwrap()
        );
    }

    #[test]
    fn direct_writer_writes_what_serde_writes() {
        let mut ev = form();
        ev.department = Some("引号\"反斜杠\\ 控制\u{1}\u{8}\t\n\r\u{c}\u{1f}\u{7f} 完".into());
        ev.indicators[0].reason = Some("a\"b".into());
        ev.indicators.push(Indicator {
            name: "及时性".into(),
            target: Some("及时".into()),
            actual: Some("基本及时".into()),
            weight: Some(dec!(10)),
            score: Some(dec!(7.5)),
            ..Indicator::default()
        });
        ev.indicators.push(Indicator {
            name: "区间".into(),
            target: Some("90%-100%".into()),
            actual: Some("12月底前".into()),
            ..Indicator::default()
        });
        ev.indicators.push(Indicator::default());
        let profile = Profile::default();
        let assessment = jixiao_core::assess(&ev, &profile);
        let diag = vec![
            Finding::new("READ_X", Severity::Warning, "中", "en").at(Some(Loc::text(3, 5))),
            Finding::new("READ_Y", Severity::Error, "表", "sheet")
                .at(Some(Loc::cell("表\"1", 12, 30))),
        ];
        for source in ["a.tsv", "路径/带\"引号\\.tsv"] {
            same_bytes_from_source(source, 7, &ev, &assessment, &diag, &profile, None);
            let read_as = Some((InputShape::CellPerLine, "GB18030"));
            same_bytes_from_source(source, 7, &ev, &assessment, &diag, &profile, read_as);
            let read_as = Some((InputShape::Flattened, "UTF-8"));
            same_bytes_from_source(source, 7, &ev, &assessment, &diag, &profile, read_as);
            // A scorecard whose rows are not in order (or missing) goes by their index.
            let mut shuffled = assessment.clone();
            shuffled.scorecard.indicators.reverse();
            shuffled.scorecard.indicators.pop();
            same_bytes_from_source(source, 7, &ev, &shuffled, &diag, &profile, None);
        }
        let empty = Evaluation::default();
        let assessment = jixiao_core::assess(&empty, &profile);
        same_bytes_from_source("e", 0, &empty, &assessment, &[], &profile, None);
    }

    /// A piece that runs out of room anywhere in it (every first capacity from nothing to
    /// past the whole element) is written again whole after the buffer grows: the bytes are
    /// those written into ample room.
    #[test]
    fn pieces_cut_off_anywhere_are_written_again_whole() {
        let mut ev = form();
        ev.department = Some("引号\"反斜杠\\ 控制\u{1} 一个长到要走长路径的部门名称".into());
        let profile = Profile::default();
        let assessment = jixiao_core::assess(&ev, &profile);
        let form = FormSource {
            source: "路径/带\"引号.tsv",
            form_index: 3,
            evaluation: &ev,
            assessment: &assessment,
            diagnostics: &[],
            profile: &profile,
            read_as: Some((InputShape::TabGrid, "UTF-8")),
        };
        let mut ample = JsonBuf::with_capacity(1 << 20);
        form.write_json(&mut ample, &mut Vec::new());
        let expected = ample.into_vec();
        // After a prefix longer than the least growth, so that room runs out at `room` and
        // not only in the first piece.
        const PREFIX: usize = MIN_GROW + 7;
        for room in 0..expected.len() + 64 {
            let mut buf = JsonBuf {
                bytes: vec![b' '; PREFIX + room],
                len: PREFIX,
            };
            form.write_json(&mut buf, &mut Vec::new());
            assert_eq!(&buf.as_bytes()[PREFIX..], &expected[..], "{room}");
        }
    }

    #[test]
    fn direct_writer_matches_serde_on_the_fixtures() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut files = vec![dir.join("songjiang-2023.tsv")];
        for entry in std::fs::read_dir(dir.join("published")).unwrap() {
            files.push(entry.unwrap().path());
        }
        let mut forms = 0;
        for name in jixiao_core::BUILTIN_PROFILES {
            let profile = Profile::builtin(name).unwrap();
            for file in &files {
                let outcome = crate::read_bytes(&std::fs::read(file).unwrap());
                for (i, form) in outcome.forms.iter().enumerate() {
                    let assessment = jixiao_core::assess(&form.evaluation, &profile);
                    same_bytes_from_source(
                        "f.tsv",
                        i,
                        &form.evaluation,
                        &assessment,
                        &form.diagnostics,
                        &profile,
                        Some((outcome.shape, outcome.encoding)),
                    );
                    forms += 1;
                }
            }
        }
        assert!(forms >= 4 * 4, "{forms}");

        // Spreadsheet locations (`file#Sheet!C12`): the seed written to xlsx and read back.
        let seed = crate::read_bytes(&std::fs::read(&files[0]).unwrap());
        let evaluations: Vec<Evaluation> =
            seed.forms.iter().map(|f| f.evaluation.clone()).collect();
        let options = crate::xlsx::XlsxOptions {
            review: None,
            one_sheet: false,
        };
        let book = crate::xlsx::write_xlsx(&evaluations, options).unwrap();
        let outcome = crate::read_bytes(&book);
        assert_eq!(outcome.forms.len(), evaluations.len());
        let profile = Profile::default();
        for (i, form) in outcome.forms.iter().enumerate() {
            let assessment = jixiao_core::assess(&form.evaluation, &profile);
            assert!(assessment
                .findings
                .iter()
                .any(|f| f.location.as_ref().is_some_and(|l| l.sheet.is_some())));
            same_bytes_from_source(
                "seed.xlsx",
                i,
                &form.evaluation,
                &assessment,
                &form.diagnostics,
                &profile,
                Some((outcome.shape, outcome.encoding)),
            );
        }
    }

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        let mut values = vec![
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::new(0, 2),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(5, 28),
            Decimal::new(-5, 28),
            Decimal::new(i64::MAX, 0),
            Decimal::new(i64::MIN, 0),
            Decimal::from_i128_with_scale(10_000_000_000_000_000_000, 0),
            Decimal::from_i128_with_scale(10_000_000_000_000_000_000, 19),
            Decimal::from_i128_with_scale(18_446_744_073_709_551_616, 3),
        ];
        let mut negative_zero = Decimal::new(0, 3);
        negative_zero.set_sign_negative(true);
        values.push(negative_zero);
        // Around the inline path of small whole numbers.
        for m in -120..=120 {
            values.extend([Decimal::new(m, 0), Decimal::new(m, 1)]);
        }
        for m in -1100..=1100 {
            values.push(Decimal::new(m, 1));
        }
        // Every fraction of the pair-table path (scales 1 to 4), and whole parts of every
        // width up to the edge of a `u64` mantissa.
        for scale in 1..=4 {
            for m in 0..=20_000 {
                values.push(Decimal::new(m, scale));
            }
            for m in [
                u64::MAX - 1,
                u64::MAX,
                10_000_000_000_000_000_000,
                9_999_999_999,
            ] {
                values.push(Decimal::from_i128_with_scale(i128::from(m), scale));
                values.push(Decimal::from_i128_with_scale(i128::from(m) + 1, scale));
            }
        }
        // A deterministic spread over mantissas and scales.
        for (x, mut d) in spread(20_000, 0, 29) {
            if x & 1 == 1 {
                d.set_sign_negative(true);
            }
            values.push(d);
        }
        for d in values {
            let mut buf = JsonBuf::default();
            buf.put(|o| o.decimal(d));
            assert_eq!(
                String::from_utf8(buf.into_vec()).unwrap(),
                d.to_string(),
                "{d:?}"
            );
            let mut buf = JsonBuf::default();
            buf.put(|o| o.num(Num(d)));
            assert_eq!(
                String::from_utf8(buf.into_vec()).unwrap(),
                serde_json::to_string(&Num(d)).unwrap()
            );
        }
    }

    /// Every shape of formula, with numbers of every width, scale and sign, and the grade's
    /// formula with labels that need escapes: the bytes serde writes for their texts.
    #[test]
    fn formulas_are_written_as_serde_writes_their_texts() {
        for word in w::ALL {
            assert!(word.bytes().all(|c| ESCAPE[c as usize] == 0), "{word}");
        }
        let numbers: Vec<Decimal> = spread(600, 0, 29)
            .into_iter()
            .map(|(x, mut d)| {
                if x % 3 == 0 {
                    d.set_sign_negative(true);
                }
                d
            })
            .chain((0..120).map(|n| Decimal::new(n, (n % 3) as u32)))
            .collect();
        let achievements = [
            Achievement::Achieved,
            Achievement::Partial,
            Achievement::Unmet,
            Achievement::Unknown,
        ];
        for (i, &a) in numbers.iter().enumerate() {
            let (b, c, d) = (
                numbers[(i * 7 + 1) % numbers.len()],
                numbers[(i * 13 + 5) % numbers.len()],
                numbers[(i * 31 + 11) % numbers.len()],
            );
            let achievement = achievements[i % 4];
            let formulas = [
                Formula::Text("W × A/T = \"x\"\n".into()),
                Formula::ExecutionRate {
                    executed: a,
                    budget: b,
                },
                Formula::BudgetScore { w: a, capped: b },
                Formula::IndicatorSum,
                Formula::Total { b: a, t: b },
                Formula::ZeroTarget { a, v: b },
                Formula::MetAtLeast { w: a },
                Formula::Proportional { w: a, a: b, t: c },
                Formula::MetAtMost { w: a },
                Formula::ReverseRatio { w: a, a: b, t: c },
                Formula::ReverseLinear { w: a, a: b, t: c },
                Formula::ReverseZero { a, t: b },
                Formula::MetExact { w: a },
                Formula::Deviation { w: a, a: b, t: c },
                Formula::OnTime { w: a },
                Formula::Printed { p: a },
                Formula::InBand {
                    achievement,
                    lo: a,
                    hi: b,
                    p: c,
                },
                Formula::Clamped {
                    achievement,
                    lo: a,
                    hi: b,
                    p: d,
                },
                Formula::TopOfBand { achievement, hi: a },
            ];
            for f in formulas {
                let mut buf = JsonBuf::default();
                buf.put(|o| write_formula(o, &f));
                let want = format!("{{\"formula\":{}", serde_json::to_string(&f).unwrap());
                assert_eq!(String::from_utf8(buf.into_vec()).unwrap(), want, "{f:?}");
            }
            for label in ["优", "良好", "\"差\"\t", ""] {
                let g = GradeFormula {
                    total: a,
                    min: b,
                    label: label.into(),
                };
                let mut buf = JsonBuf::default();
                buf.put(|o| write_grade_formula(o.byte(b'"')?, &g));
                assert_eq!(
                    String::from_utf8(buf.into_vec()).unwrap(),
                    serde_json::to_string(&g).unwrap()
                );
            }
        }
    }

    #[test]
    fn shapes_are_named_as_serde_names_them() {
        use InputShape as S;
        // A new shape fails to compile in `shape_str` until it is named there; name it as here.
        for shape in [
            S::TabGrid,
            S::PipeRows,
            S::CellPerLine,
            S::Flattened,
            S::Json,
            S::Xlsx,
            S::Unknown,
        ] {
            let mut buf = JsonBuf::default();
            buf.put(|o| o.str(shape_str(shape)));
            assert_eq!(
                String::from_utf8(buf.into_vec()).unwrap(),
                serde_json::to_string(&shape).unwrap()
            );
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_escapes_them() {
        let mut all: String = (0u8..0x80).map(char::from).collect();
        all.push_str("中文“”\u{2028}\u{feff}");
        let mut cases = vec![all.clone(), String::new(), "\"".into(), "\\".into()];
        for (start, _) in all.char_indices() {
            cases.push(all[start..].to_string());
            cases.push(format!("前缀八个字节{}", &all[..start]));
        }
        for s in cases {
            let mut buf = JsonBuf::default();
            buf.put(|o| o.str(&s));
            assert_eq!(
                String::from_utf8(buf.into_vec()).unwrap(),
                serde_json::to_string(&s).unwrap()
            );
        }
    }

    /// Every length the short and long paths split on (0–3, 4–7, 8–16, whole and partial
    /// blocks of 16), clean and with each byte in turn needing an escape, written after
    /// other pieces and followed by more, into a buffer that has to grow.
    #[test]
    fn strings_of_every_length_are_copied_and_escaped_exactly() {
        let alphabet: Vec<char> = "ab中文“”\u{7f}é".chars().collect();
        let mut out = JsonBuf::with_capacity(3);
        let mut expected = String::new();
        for len in 0..70 {
            let clean: String = (0..len).map(|i| alphabet[i % alphabet.len()]).collect();
            let mut cases = vec![clean.clone()];
            for (at, _) in clean.char_indices() {
                for bad in ['"', '\\', '\n', '\u{0}', '\u{1f}'] {
                    let mut s = clean.clone();
                    s.insert(at, bad);
                    cases.push(s);
                }
            }
            for s in cases {
                // Each entry point of the short and long paths: a string, a key and a string,
                // a string left open.
                out.put(|o| o.str(&s)?.key_str(b",\"k\":", &s)?.str_open(&s)?.lit(b","));
                let json = serde_json::to_string(&s).unwrap();
                expected.push_str(&json);
                expected.push_str(",\"k\":");
                expected.push_str(&json);
                expected.push_str(&json[..json.len() - 1]);
                expected.push(',');
            }
        }
        assert_eq!(String::from_utf8(out.into_vec()).unwrap(), expected);
    }

    /// [`escape_hits`] as three separate tests.
    fn escape_hits_separately(w: u64) -> u64 {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let q = w ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q & HIGH;
        let b = w ^ (ONES * u64::from(b'\\'));
        let backslash = b.wrapping_sub(ONES) & !b & HIGH;
        control | quote | backslash
    }

    #[test]
    fn the_shared_escape_test_is_the_three_tests() {
        // Words of bytes that matter (the escapes, their neighbours, the high half) and a
        // spread of arbitrary words.
        let edges = [
            0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0x9f, 0xa2,
            0xdc, 0xe4, 0xff,
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let mut w = x;
            if x & 1 == 1 {
                let mut bytes = [0u8; 8];
                for (i, b) in bytes.iter_mut().enumerate() {
                    *b = edges[((x >> (i * 5 + 3)) % edges.len() as u64) as usize];
                }
                w = u64::from_le_bytes(bytes);
            }
            assert_eq!(
                escape_hits(w) != 0,
                escape_hits_separately(w) != 0,
                "{w:#018x}"
            );
            let needs = w.to_le_bytes().iter().any(|&b| ESCAPE[b as usize] != 0);
            assert_eq!(escape_hits(w) != 0, needs, "{w:#018x}");
            // The shortcut of `short_string`: a word of non-ASCII bytes needs no escape.
            assert!(w & HIGH_BITS != HIGH_BITS || !needs);
            let high = w | HIGH_BITS;
            assert_eq!(escape_hits(high), 0, "{high:#018x}");
        }
    }

    #[test]
    fn the_block_escape_flags_are_the_escape_table() {
        for c in 0..=255u8 {
            let mut acc = [0u8; 16];
            let mut block = [b'a'; 16];
            block[usize::from(c) % 16] = c;
            or_escape_flags(&mut acc, &block);
            let hit = acc.iter().any(|&a| a != 0);
            assert_eq!(hit, ESCAPE[usize::from(c)] != 0, "{c:#x}");
            assert!(acc.iter().all(|&a| a == 0 || a == 0xFF));
        }
    }

    #[test]
    fn wide_integers_are_written_as_display_writes_them() {
        // `uint_wide` for any `u64` (also below 100, which `uint` keeps for itself), around
        // every power of ten and over a spread of widths.
        let mut values = vec![0, 1, 9, 10, 99, u64::MAX, u64::MAX - 1];
        for power in 1..20 {
            let p = 10u64.pow(power);
            values.extend([p - 1, p, p + 1]);
            // 2p − 1 and 10p − 1 where they fit (10¹⁹ × 2 does not: checked, as debug builds
            // panic on overflow).
            values.extend(
                [2, 10]
                    .into_iter()
                    .filter_map(|k| p.checked_mul(k))
                    .map(|v| v - 1),
            );
        }
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1442695040888963407);
            values.push(x >> (x % 64));
        }
        for n in values {
            assert_eq!(digit_count(n), n.to_string().len(), "{n}");
            let mut out = JsonBuf::default();
            out.put(|o| o.uint_wide(n)?.byte(b' '));
            assert_eq!(String::from_utf8(out.into_vec()).unwrap(), format!("{n} "));
        }
    }

    #[test]
    fn integers_are_written_as_display_writes_them() {
        let mut values = vec![0, 1, 9, 10, 99, 100, 12345, i64::MAX, i64::MIN, -1, -10];
        for power in 2..=9 {
            let p = 10i64.pow(power);
            values.extend([p - 1, p, p + 1, 2 * p - 1, -p]);
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2_000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            values.push((x >> (x % 64)) as i64);
        }
        let mut out = JsonBuf::default();
        let mut expected = String::new();
        for n in values {
            out.put(|o| o.int(n)?.byte(b' '));
            expected.push_str(&format!("{n} "));
        }
        assert_eq!(String::from_utf8(out.into_vec()).unwrap(), expected);
    }

    #[test]
    fn array_writer_streams_valid_json() {
        let mut w = JsonArrayWriter::new(Vec::new()).unwrap();
        let out = w.finish().unwrap();
        assert_eq!(
            serde_json::from_slice::<Vec<u8>>(&out).unwrap(),
            Vec::<u8>::new()
        );
        w = JsonArrayWriter::new(Vec::new()).unwrap();
        w.push(&1).unwrap();
        w.push(&"两").unwrap();
        assert_eq!(w.count(), 2);
        let out = w.finish().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v, serde_json::json!([1, "两"]));
    }
}
