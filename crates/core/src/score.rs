//! Scoring (评分): the rule-based score of a form under a profile, every number with its
//! derivation.

use crate::measure::Measure;
use crate::model::Evaluation;
use crate::profile::Profile;
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

/// Score a form under a profile.
pub fn score(ev: &Evaluation, profile: &Profile) -> Scorecard {
    let _ = ev;
    Scorecard {
        profile: profile.name.clone(),
        profile_version: profile.version.clone(),
        execution_rate: None,
        budget_score: None,
        indicators: Vec::new(),
        indicator_total: None,
        total: None,
        grade: None,
        notes: Vec::new(),
    }
}
