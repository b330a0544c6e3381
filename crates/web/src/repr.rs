//! The JSON representation of a stored form (表单的 JSON 表示): DESIGN.md §3's element — built
//! by `jixiao_formats::contract::FormReport`, so the web and the CLI never differ — plus `id`,
//! `status`, `version`, the goals and the comments. `PUT` accepts what `GET` returned; the
//! read-only keys (`computed`, `findings`, `status`, …) are ignored.
//!
//! Numbers in input may be JSON numbers or decimal strings; they are read from their text
//! (never through a float), so `507500.00` stays exact.

use crate::error::ApiError;
use jixiao_core::{assess, Assessment, Evaluation, FundRow, Indicator, PrintedDecimal, Profile};
use jixiao_formats::contract::{FormReport, Num};
use jixiao_store::{Comment, EvaluationRecord, EvaluationSummary, Scored};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use std::str::FromStr;

/// The engine's verdict on a form, for the store's list columns.
pub fn scored(assessment: &Assessment) -> Scored {
    let card = &assessment.scorecard;
    Scored {
        total: card.total.as_ref().map(|c| {
            c.value
                .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                .normalize()
                .to_string()
        }),
        grade: card.grade.as_ref().map(|g| g.grade.clone()),
        ..Scored::default()
    }
}

#[derive(Serialize)]
pub struct SummaryOut<'a> {
    pub id: i64,
    pub org_id: i64,
    pub year: Option<i64>,
    pub project: Option<&'a str>,
    pub department: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub status: jixiao_store::Status,
    pub status_label: &'static str,
    pub version: i64,
    /// Computed total (engine), exact.
    pub total: Option<Num>,
    pub grade: Option<&'a str>,
    pub updated_at: i64,
}

impl<'a> From<&'a EvaluationSummary> for SummaryOut<'a> {
    fn from(s: &'a EvaluationSummary) -> Self {
        SummaryOut {
            id: s.id,
            org_id: s.org_id,
            year: s.year,
            project: s.project.as_deref(),
            department: s.department.as_deref(),
            unit: s.unit.as_deref(),
            status: s.status,
            status_label: s.status.label_zh(),
            version: s.version,
            total: s
                .total
                .as_deref()
                .and_then(|t| Decimal::from_str(t).ok())
                .map(Num),
            grade: s.grade.as_deref(),
            updated_at: s.updated_at,
        }
    }
}

/// `GET /api/evaluations/{id}`.
#[derive(Serialize)]
pub struct EvaluationOut<'a> {
    pub id: i64,
    pub status: jixiao_store::Status,
    pub status_label: &'static str,
    pub version: i64,
    pub org_id: i64,
    pub updated_at: i64,
    pub goal_expected: Option<&'a str>,
    pub goal_actual: Option<&'a str>,
    #[serde(flatten)]
    pub report: FormReport<'a>,
    pub comments: &'a [Comment],
}

/// Serialise a record with its assessment to the API's JSON (exact numbers).
pub fn evaluation_json(
    record: &EvaluationRecord,
    assessment: &Assessment,
    profile: &Profile,
    comments: &[Comment],
) -> Result<Vec<u8>, ApiError> {
    let s = &record.summary;
    let source = format!("evaluation:{}", s.id);
    let out = EvaluationOut {
        id: s.id,
        status: s.status,
        status_label: s.status.label_zh(),
        version: s.version,
        org_id: s.org_id,
        updated_at: s.updated_at,
        goal_expected: record.form.goal_expected.as_deref(),
        goal_actual: record.form.goal_actual.as_deref(),
        report: FormReport::new(&source, 0, &record.form, assessment, &[], profile),
        comments,
    };
    serde_json::to_vec(&out).map_err(ApiError::internal)
}

/// A decimal read from a JSON number's text or a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dec(pub Decimal);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: Box<serde_json::value::RawValue> = Deserialize::deserialize(deserializer)?;
        let text = raw.get().trim();
        let text = if text.starts_with('"') {
            serde_json::from_str::<String>(text).map_err(serde::de::Error::custom)?
        } else {
            text.to_owned()
        };
        let t = text.trim().replace(',', "");
        Decimal::from_str(&t)
            .or_else(|_| Decimal::from_scientific(&t))
            .map(Dec)
            .map_err(|_| serde::de::Error::custom(format!("not a decimal number: {text:?}")))
    }
}

fn dec(d: Option<Dec>) -> Option<Decimal> {
    d.map(|d| d.0)
}

#[derive(Debug, Deserialize, Default)]
pub struct RowIn {
    pub initial: Option<Dec>,
    pub adjusted: Option<Dec>,
    pub executed: Option<Dec>,
}

impl RowIn {
    fn to_row(&self) -> FundRow {
        FundRow {
            initial: dec(self.initial),
            adjusted: dec(self.adjusted),
            executed: dec(self.executed),
            at: None,
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct FundsIn {
    #[serde(default)]
    pub total: RowIn,
    #[serde(default)]
    pub appropriation: RowIn,
    #[serde(default)]
    pub carryover: RowIn,
    #[serde(default)]
    pub other: RowIn,
}

#[derive(Debug, Deserialize, Default)]
pub struct ReportedIn {
    /// Percent (`100.00` = 100%).
    pub execution_rate: Option<Dec>,
    pub budget_weight: Option<Dec>,
    pub budget_score: Option<Dec>,
    pub total_weight: Option<Dec>,
    pub total: Option<Dec>,
    pub grade: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct IndicatorIn {
    pub level1: Option<String>,
    pub level2: Option<String>,
    #[serde(default)]
    pub name: String,
    pub target: Option<String>,
    pub actual: Option<String>,
    pub weight: Option<Dec>,
    pub reported_score: Option<Dec>,
    pub reason: Option<String>,
}

/// A form as the API accepts it (the representation `GET` returns).
#[derive(Debug, Deserialize)]
pub struct FormIn {
    /// Required by `PUT` (optimistic locking).
    pub version: Option<i64>,
    pub year: Option<i32>,
    pub project: Option<String>,
    pub department: Option<String>,
    pub unit: Option<String>,
    pub money_unit: Option<String>,
    pub goal_expected: Option<String>,
    pub goal_actual: Option<String>,
    #[serde(default)]
    pub funds: FundsIn,
    #[serde(default)]
    pub reported: ReportedIn,
    #[serde(default)]
    pub indicators: Vec<IndicatorIn>,
}

fn printed(d: Decimal) -> PrintedDecimal {
    PrintedDecimal::new(d, d.scale())
}

fn text<T: for<'a> From<&'a str>>(s: &Option<String>) -> Option<T> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(T::from)
}

/// Limits that keep one form a form.
const MAX_INDICATORS: usize = 500;
const MAX_TEXT: usize = 20_000;

impl FormIn {
    /// The model of this form. `base` (the stored form, on `PUT`) keeps what the
    /// representation does not carry (provincial extra fund rows, the 原因 of the funds).
    pub fn to_evaluation(&self, base: Option<&Evaluation>) -> Result<Evaluation, ApiError> {
        if self.indicators.len() > MAX_INDICATORS {
            return Err(ApiError::unprocessable(format!(
                "指标过多（最多 {MAX_INDICATORS} 行）(too many indicators, at most {MAX_INDICATORS})"
            )));
        }
        let texts = [
            &self.project,
            &self.department,
            &self.unit,
            &self.goal_expected,
            &self.goal_actual,
        ];
        if texts
            .iter()
            .any(|t| t.as_ref().is_some_and(|t| t.len() > MAX_TEXT))
        {
            return Err(ApiError::unprocessable("文字过长 (a text is too long)"));
        }
        let mut ev = Evaluation {
            year: self.year,
            project: text(&self.project),
            department: text(&self.department),
            unit: text(&self.unit),
            money_unit: text(&self.money_unit),
            goal_expected: text(&self.goal_expected),
            goal_actual: text(&self.goal_actual),
            ..Evaluation::default()
        };
        if let Some(base) = base {
            ev.funds.extra = base.funds.extra.clone();
            ev.funds.reason = base.funds.reason.clone();
            ev.funds.has_adjusted_column = base.funds.has_adjusted_column;
        }
        ev.funds.total = self.funds.total.to_row();
        ev.funds.appropriation = self.funds.appropriation.to_row();
        ev.funds.carryover = self.funds.carryover.to_row();
        ev.funds.other = self.funds.other.to_row();
        ev.funds.weight = dec(self.reported.budget_weight);
        if let Some(rate) = dec(self.reported.execution_rate) {
            let decimals = rate.scale();
            ev.funds.rate_printed = Some(format!("{rate}%"));
            ev.funds.rate = Some(PrintedDecimal::new(rate / Decimal::ONE_HUNDRED, decimals));
        }
        ev.funds.score = dec(self.reported.budget_score).map(printed);
        ev.total_weight = dec(self.reported.total_weight);
        ev.total_score = dec(self.reported.total).map(printed);
        ev.grade = text(&self.reported.grade);
        ev.indicators = self
            .indicators
            .iter()
            .map(|i| Indicator {
                level1: text(&i.level1),
                level2: text(&i.level2),
                name: i.name.trim().into(),
                target: text(&i.target),
                actual: text(&i.actual),
                weight: dec(i.weight),
                score: dec(i.reported_score),
                reason: text(&i.reason),
                at: Default::default(),
            })
            .collect();
        Ok(ev)
    }
}

/// Assess a form with the server's profile (the one engine).
pub fn assess_form(form: &Evaluation, profile: &Profile) -> Assessment {
    assess(form, profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GET's representation, PUT back unchanged, gives the same form (locations aside).
    #[test]
    fn the_representation_round_trips_exactly() {
        let bytes = include_bytes!("../../../fixtures/songjiang-2023.tsv");
        let profile = Profile::default();
        for read in jixiao_formats::read_bytes(bytes).forms {
            let form = read.evaluation;
            let assessment = assess(&form, &profile);
            let source = "x";
            let report = FormReport::new(source, 0, &form, &assessment, &[], &profile);
            let mut json = serde_json::to_value(&report).unwrap();
            json["goal_expected"] = form.goal_expected.clone().into();
            json["goal_actual"] = form.goal_actual.clone().into();
            let text = serde_json::to_string(&report).unwrap();
            // Exact numbers: parse the amounts from the text, not from a float.
            let input: FormIn = serde_json::from_str(&text).unwrap();
            let back = input.to_evaluation(Some(&form)).unwrap();
            assert_eq!(
                back.funds.total,
                FundRow {
                    at: None,
                    ..form.funds.total.clone()
                }
            );
            assert_eq!(back.indicators.len(), form.indicators.len());
            for (a, b) in back.indicators.iter().zip(&form.indicators) {
                assert_eq!(
                    (&a.name, &a.target, &a.actual),
                    (&b.name, &b.target, &b.actual)
                );
                assert_eq!((a.weight, a.score), (b.weight, b.score));
            }
            assert_eq!(
                back.total_score.map(|p| p.value),
                form.total_score.map(|p| p.value)
            );
            assert_eq!(
                back.funds.rate.map(|p| p.value),
                form.funds.rate.map(|p| p.value)
            );
            let again = assess(&back, &profile);
            assert_eq!(
                again.scorecard.total.map(|c| c.value),
                assessment.scorecard.total.map(|c| c.value)
            );
            let _ = json;
        }
    }

    #[test]
    fn decimals_from_numbers_and_strings() {
        let d: Vec<Dec> = serde_json::from_str(r#"[507500.00, "501,010.00", 1e2, "0.1"]"#).unwrap();
        assert_eq!(d[0].0.to_string(), "507500.00");
        assert_eq!(d[1].0.to_string(), "501010.00");
        assert_eq!(d[2].0, Decimal::ONE_HUNDRED);
        assert_eq!(d[3].0.to_string(), "0.1");
        assert!(serde_json::from_str::<Dec>(r#""abc""#).is_err());
    }
}
