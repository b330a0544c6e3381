//! Rule profiles (评分规则配置): everything in the scoring rules that varies by issuer, as data.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use thiserror::Error;

/// The names of the profiles shipped with Jixiao.
pub const BUILTIN_PROFILES: &[&str] = &["central-2020", "shanghai", "sichuan", "yunnan-20"];

const CENTRAL_2020: &str = include_str!("../profiles/central-2020.toml");
const SHANGHAI: &str = include_str!("../profiles/shanghai.toml");
const SICHUAN: &str = include_str!("../profiles/sichuan.toml");
const YUNNAN_20: &str = include_str!("../profiles/yunnan-20.toml");

/// A rule profile's name or version (规则名称 / 版本) as a scorecard and each of its numbers
/// carry it.
///
/// A profile's texts are interned: the first few thousand distinct texts a process meets are
/// kept for its whole life (a process reads a handful of profiles), so handing one to each
/// number of each form copies a pointer. A counted reference (`Arc<str>`) did an atomic add
/// and an atomic subtract for every number, ≈ 2 % of `check`'s time that an instruction count
/// does not show (docs/BENCHMARKS.md, "Atomic counts"). Past the limit a text is shared by count,
/// so no input can make the table grow without bound.
#[derive(Clone)]
pub struct ProfileTag(Tag);

#[derive(Clone)]
enum Tag {
    Interned(&'static str),
    Counted(Arc<str>),
}

/// How many distinct texts are interned at most (each is kept until the process ends).
const MAX_INTERNED: usize = 4096;

static INTERNED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

impl ProfileTag {
    /// The tag for `text`: the interned copy (made on first use) while the table has room.
    pub fn new(text: &str) -> ProfileTag {
        // A panic elsewhere while the table was held leaves it whole (an insert either
        // happened or not): go on with it.
        let mut table = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
        ProfileTag::in_table(&mut table, text, MAX_INTERNED)
    }

    /// [`ProfileTag::new`] with the table and its limit given (the tests use their own).
    fn in_table(table: &mut BTreeSet<&'static str>, text: &str, max: usize) -> ProfileTag {
        if let Some(&kept) = table.get(text) {
            return ProfileTag(Tag::Interned(kept));
        }
        if table.len() >= max {
            return ProfileTag(Tag::Counted(Arc::from(text)));
        }
        let kept: &'static str = Box::leak(Box::from(text));
        table.insert(kept);
        ProfileTag(Tag::Interned(kept))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Tag::Interned(text) => text,
            Tag::Counted(text) => text,
        }
    }

    /// Whether the two are the same copy of their text (not only equal texts).
    pub fn same_copy(&self, other: &ProfileTag) -> bool {
        std::ptr::eq(self.as_str(), other.as_str())
    }
}

impl Default for ProfileTag {
    fn default() -> Self {
        ProfileTag(Tag::Interned(""))
    }
}

impl std::ops::Deref for ProfileTag {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for ProfileTag {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for ProfileTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ProfileTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for ProfileTag {
    fn eq(&self, other: &ProfileTag) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ProfileTag {}

impl std::hash::Hash for ProfileTag {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for ProfileTag {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ProfileTag {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for ProfileTag {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl From<&str> for ProfileTag {
    fn from(text: &str) -> Self {
        ProfileTag::new(text)
    }
}

impl Serialize for ProfileTag {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Which budget column is the denominator of the execution rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    /// 全年预算数 / 调整后预算数, falling back to 年初预算数 where the form has no such column.
    Adjusted,
    /// 年初预算数.
    Initial,
}

/// Formula for a missed reverse (`≤`) target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReverseFormula {
    /// W × T/A
    Ratio,
    /// W × max(0, 1 − (A−T)/T)
    Linear,
}

/// 预算执行率 item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetRule {
    pub weight: Decimal,
    pub denominator: Denominator,
    /// Below this rate a reason is required (0.9).
    pub reason_below: Decimal,
}

/// The 一级 weight scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightScheme {
    /// Weight of all indicators together (90; 80 when the budget weighs 20).
    pub total: Decimal,
    /// 产出指标
    pub output: Decimal,
    /// 效益指标
    pub effect: Decimal,
    /// 满意度指标
    pub satisfaction: Decimal,
}

/// How quantitative targets are scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringRule {
    pub reverse_formula: ReverseFormula,
    /// `=` targets scored like `≥` (common practice).
    pub exact_as_positive: bool,
    /// T = 0 (`事故0次`): A ≤ 0 → W, else 0.
    pub zero_target_all_or_nothing: bool,
    /// A ≥ threshold × T counts as over-achievement (1.3).
    pub over_achievement: Decimal,
    /// Whether over-achievement lowers the score (default false: a finding instead).
    pub over_achievement_reduces: bool,
    /// Above this ratio a reason is required (1.3).
    pub over_achievement_reason_above: Decimal,
    /// Not-applicable indicators: rescale the applicable ones to 100.
    pub not_applicable_rescale: bool,
}

/// The three qualitative bands, as fractions of the weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualitativeBands {
    /// 达成年度指标: [0.8, 1]
    pub achieved: (Decimal, Decimal),
    /// 部分达成并具有一定效果: [0.6, 0.8]
    pub partial: (Decimal, Decimal),
    /// 未达成且效果较差: [0, 0.6]
    pub unmet: (Decimal, Decimal),
}

/// A grade band: total ≥ `min` → `label`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeBand {
    pub min: Decimal,
    pub label: String,
}

/// Display rounding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayRule {
    pub decimals: u32,
}

/// A rule profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub version: String,
    /// 中文名称.
    pub title: String,
    /// The document the profile rests on.
    #[serde(default)]
    pub source: String,
    pub budget: BudgetRule,
    pub weights: WeightScheme,
    pub scoring: ScoringRule,
    pub qualitative: QualitativeBands,
    /// Highest band first.
    pub grades: Vec<GradeBand>,
    pub display: DisplayRule,
}

/// Why a profile could not be loaded.
#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("规则配置不是有效的 TOML，或缺少字段：{0} (the profile is not valid TOML or misses a field)")]
    Toml(String),
    #[error("规则配置无效：{0} (invalid profile: {0})")]
    Invalid(String),
    #[error(
        "未知的规则配置「{0}」，可用：central-2020, shanghai, sichuan, yunnan-20 (unknown profile)"
    )]
    Unknown(String),
}

impl Profile {
    /// Parse and validate a profile; grades are sorted highest first.
    pub fn from_toml_str(text: &str) -> Result<Profile, ProfileError> {
        let mut p: Profile = toml::from_str(text).map_err(|e| ProfileError::Toml(e.to_string()))?;
        p.grades.sort_by_key(|g| std::cmp::Reverse(g.min));
        p.validate()?;
        Ok(p)
    }
    /// A profile shipped with Jixiao, by name (see [`BUILTIN_PROFILES`]).
    pub fn builtin(name: &str) -> Option<Profile> {
        let text = match name {
            "central-2020" => CENTRAL_2020,
            "shanghai" => SHANGHAI,
            "sichuan" => SICHUAN,
            "yunnan-20" => YUNNAN_20,
            _ => return None,
        };
        Profile::from_toml_str(text).ok()
    }

    /// A shipped profile or an error naming the available ones.
    pub fn builtin_or_err(name: &str) -> Result<Profile, ProfileError> {
        Profile::builtin(name).ok_or_else(|| ProfileError::Unknown(name.to_string()))
    }

    /// Checks that make a profile usable: bands inside [0, 1], a grade band, weights adding up.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let invalid = |m: String| Err(ProfileError::Invalid(m));
        if self.budget.weight < Decimal::ZERO || self.weights.total < Decimal::ZERO {
            return invalid("分值不能为负 (weights must not be negative)".into());
        }
        let w = &self.weights;
        if w.output + w.effect + w.satisfaction != w.total {
            return invalid(format!(
                "一级指标分值 {} + {} + {} ≠ 绩效指标总分 {} (level-1 weights must add up to weights.total)",
                w.output, w.effect, w.satisfaction, w.total
            ));
        }
        for (label, (lo, hi)) in [
            ("achieved", self.qualitative.achieved),
            ("partial", self.qualitative.partial),
            ("unmet", self.qualitative.unmet),
        ] {
            if lo < Decimal::ZERO || hi > Decimal::ONE || lo > hi {
                return invalid(format!(
                    "定性档次 {label} = [{lo}, {hi}] 须在 0 到 1 之间且下限不大于上限 (qualitative band must lie within [0, 1])"
                ));
            }
        }
        if self.grades.is_empty() {
            return invalid(
                "至少需要一个等级档次 (at least one [[grades]] band is required)".into(),
            );
        }
        if self.scoring.over_achievement <= Decimal::ONE {
            return invalid("超额阈值须大于 1 (scoring.over_achievement must exceed 1)".into());
        }
        if self.display.decimals > 10 {
            return invalid("显示小数位过多 (display.decimals must be at most 10)".into());
        }
        Ok(())
    }
    /// The grade for a total (half-open bands).
    pub fn grade_for(&self, total: Decimal) -> Option<&str> {
        self.grades
            .iter()
            .find(|g| total >= g.min)
            .map(|g| g.label.as_str())
    }
}

impl Default for Profile {
    /// `central-2020`.
    fn default() -> Self {
        Profile::builtin("central-2020").unwrap_or_else(Profile::central_fallback)
    }
}

impl Profile {
    /// The central profile as code, used only if the shipped file failed to parse (a test
    /// guards that it does not).
    fn central_fallback() -> Self {
        let d = Decimal::from;
        Profile {
            name: "central-2020".into(),
            version: "2020.1".into(),
            title: "中央部门项目支出绩效自评（财预〔2020〕10号）".into(),
            source: "财预〔2020〕10号".into(),
            budget: BudgetRule {
                weight: d(10),
                denominator: Denominator::Adjusted,
                reason_below: Decimal::new(9, 1),
            },
            weights: WeightScheme {
                total: d(90),
                output: d(50),
                effect: d(30),
                satisfaction: d(10),
            },
            scoring: ScoringRule {
                reverse_formula: ReverseFormula::Ratio,
                exact_as_positive: true,
                zero_target_all_or_nothing: true,
                over_achievement: Decimal::new(13, 1),
                over_achievement_reduces: false,
                over_achievement_reason_above: Decimal::new(13, 1),
                not_applicable_rescale: true,
            },
            qualitative: QualitativeBands {
                achieved: (Decimal::new(8, 1), d(1)),
                partial: (Decimal::new(6, 1), Decimal::new(8, 1)),
                unmet: (d(0), Decimal::new(6, 1)),
            },
            grades: vec![
                GradeBand {
                    min: d(90),
                    label: "优".into(),
                },
                GradeBand {
                    min: d(80),
                    label: "良".into(),
                },
                GradeBand {
                    min: d(60),
                    label: "中".into(),
                },
                GradeBand {
                    min: d(0),
                    label: "差".into(),
                },
            ],
            display: DisplayRule { decimals: 2 },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text is interned once: every later tag of it is the same copy, and a tag reads,
    /// compares, hashes and serialises as its text whichever way it is kept.
    #[test]
    fn tags_are_their_texts_and_share_one_copy() {
        let mut table = BTreeSet::new();
        let a = ProfileTag::in_table(&mut table, "central-2020", 2);
        let b = ProfileTag::in_table(&mut table, &String::from("central-2020"), 2);
        assert!(a.same_copy(&b));
        assert_eq!(a, b);
        let c = ProfileTag::in_table(&mut table, "2020.1", 2);
        assert!(!a.same_copy(&c));
        assert_ne!(a, c);
        assert_eq!(table.len(), 2);
        // The table is full: a new text is shared by count, not kept, and still equal to
        // itself and to its text.
        let d = ProfileTag::in_table(&mut table, "user-profile", 2);
        let e = ProfileTag::in_table(&mut table, "user-profile", 2);
        assert_eq!(table.len(), 2);
        assert!(matches!(d.0, Tag::Counted(_)));
        assert_eq!(d, e);
        assert!(!d.same_copy(&e));
        for (tag, text) in [(&a, "central-2020"), (&c, "2020.1"), (&d, "user-profile")] {
            assert_eq!(*tag, text);
            assert_eq!(tag.as_str(), text);
            assert_eq!(tag.to_string(), text);
            assert_eq!(format!("{tag:?}"), format!("{text:?}"));
            assert_eq!(
                serde_json::to_string(tag).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
        // Interned and counted tags of one text are equal and hash alike.
        let counted = ProfileTag(Tag::Counted(Arc::from("central-2020")));
        assert_eq!(a, counted);
        use std::hash::BuildHasher;
        let state = std::hash::RandomState::new();
        assert_eq!(state.hash_one(&a), state.hash_one(&counted));
        assert_eq!(state.hash_one(&a), state.hash_one("central-2020"));
    }
}
