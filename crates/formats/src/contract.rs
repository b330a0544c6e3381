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
use jixiao_core::{Assessment, Computed, Evaluation, Finding, FundRow, Loc, Profile, Severity};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::ser::{Error as _, SerializeMap};
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
    Num(value
        .round_dp_with_strategy(COMPUTED_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
        .normalize())
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
    pub grade: Option<&'a str>,
}

/// The derivation of a computed number.
#[derive(Serialize)]
pub struct Explain<'a> {
    pub formula: &'a str,
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
pub struct Inputs<'a>(&'a [(String, String)]);

impl Serialize for Inputs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
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
        let card = &assessment.scorecard;
        let mut by_index: Vec<Option<&jixiao_core::IndicatorScore>> =
            vec![None; ev.indicators.len()];
        for s in &card.indicators {
            if let Some(slot) = by_index.get_mut(s.index) {
                *slot = Some(s);
            }
        }
        let indicators = ev
            .indicators
            .iter()
            .zip(&by_index)
            .map(|(ind, score)| {
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
                    achievement: score
                        .and_then(|s| s.achievement)
                        .map(|a| achievement_str(a)),
                    explain: computed.map(Explain::from),
                }
            })
            .collect();

        let mut all: Vec<&Finding> = diagnostics.iter().chain(&assessment.findings).collect();
        // Stable: reader diagnostics stay before engine findings at the same place.
        all.sort_by(|a, b| {
            (a.location.is_none(), &a.location).cmp(&(b.location.is_none(), &b.location))
        });
        let findings = all
            .into_iter()
            .map(|f| FindingOut {
                code: &f.code,
                severity: f.severity,
                message: &f.message,
                message_en: &f.message_en,
                indicator: f.indicator,
                location: f.location.as_ref().map(|loc| Location { source, loc }),
                rule: &f.rule,
            })
            .collect();

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
                    grade: card.grade.as_ref().map(|g| g.formula.as_str()),
                },
            },
            indicators,
            findings,
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

/// Writes one JSON array element by element, so that a run over 100 000 forms never holds
/// more than one form's report in memory. Elements are compact, one per line.
pub struct JsonArrayWriter<W: Write> {
    out: W,
    count: usize,
}

impl<W: Write> JsonArrayWriter<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(b"[")?;
        Ok(JsonArrayWriter { out, count: 0 })
    }

    pub fn push<T: Serialize>(&mut self, element: &T) -> io::Result<()> {
        self.out
            .write_all(if self.count == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut self.out, element).map_err(io::Error::from)?;
        self.count += 1;
        Ok(())
    }

    /// Elements written so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Close the array and hand the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n]\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jixiao_core::{Indicator, PrintedDecimal};
    use rust_decimal_macros::dec;

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
            inputs: vec![("A".into(), "3".into()), ("B".into(), "1".into())],
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
    fn spreadsheet_locations_use_a_hash() {
        assert_eq!(
            location_string("f.xlsx", &Loc::cell("表1", 12, 3)),
            "f.xlsx#表1!C12"
        );
        assert_eq!(location_string("f.tsv", &Loc::text(17, 5)), "f.tsv:17:5");
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
