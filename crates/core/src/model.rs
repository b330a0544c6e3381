//! The model of one 项目支出绩效自评表 (project expenditure performance self-evaluation form),
//! exactly as printed, with the source location of every value that was read.
//!
//! Nothing here is computed: scores and rates computed by the rules live in
//! [`crate::score::Scorecard`]. Printed text is always kept; parsed values sit beside it.

use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a value was read: a text line and column (1-based, columns counted in characters),
/// or a spreadsheet cell (`sheet` set, `line` = row, `column` = column, both 1-based).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct Loc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub line: u32,
    pub column: u32,
}

impl Loc {
    pub fn text(line: u32, column: u32) -> Self {
        Loc {
            sheet: None,
            line,
            column,
        }
    }
    pub fn cell(sheet: impl Into<String>, row: u32, column: u32) -> Self {
        Loc {
            sheet: Some(sheet.into()),
            line: row,
            column,
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sheet {
            None => write!(f, "{}:{}", self.line, self.column),
            Some(sheet) => {
                // Spreadsheet style: Sheet1!C12.
                let mut col = self.column;
                let mut letters = Vec::new();
                while col > 0 {
                    let rem = ((col - 1) % 26) as u8;
                    letters.push((b'A' + rem) as char);
                    col = (col - 1) / 26;
                }
                let letters: String = letters.into_iter().rev().collect();
                write!(f, "{sheet}!{letters}{}", self.line)
            }
        }
    }
}

/// One amount row of the funds block (项目资金): 年初预算数 / 全年预算数 / 全年执行数.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FundRow {
    /// 年初预算数 (initial budget).
    pub initial: Option<Decimal>,
    /// 全年预算数 / 调整后预算数 (adjusted budget, "A").
    pub adjusted: Option<Decimal>,
    /// 全年执行数 / 预算执行数 (executed, "B").
    pub executed: Option<Decimal>,
    /// Where the row's label was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Loc>,
}

impl FundRow {
    pub fn is_empty(&self) -> bool {
        self.initial.is_none() && self.adjusted.is_none() && self.executed.is_none()
    }
}

/// The funds block (项目资金): four rows by three amounts; the total row also carries the
/// printed 分值, 执行率 and 得分.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Funds {
    /// 年度资金总额.
    pub total: FundRow,
    /// 其中：当年(本年)财政拨款 / 财政资金.
    pub appropriation: FundRow,
    /// 上年结转资金.
    pub carryover: FundRow,
    /// 其他资金.
    pub other: FundRow,
    /// Rows of provincial variants that have no slot above (四川: 财政专户管理资金, 单位资金),
    /// kept with their printed label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<(String, FundRow)>,
    /// Printed 分值 of the budget-execution item (usually 10).
    pub weight: Option<Decimal>,
    /// Printed 执行率 exactly as printed (`100.00%`, `0`).
    pub rate_printed: Option<String>,
    /// Printed 执行率 parsed as a fraction (1 = 100%), with the number of decimals printed
    /// in percent (for precision-aware comparison).
    pub rate: Option<PrintedDecimal>,
    /// Printed 得分 of the budget-execution item.
    pub score: Option<PrintedDecimal>,
    /// A printed explanation of the execution (四川's 原因 column), if any.
    pub reason: Option<String>,
    /// Whether the form has an adjusted-budget column at all (全年预算数 / 调整后预算数).
    #[serde(default = "yes")]
    pub has_adjusted_column: bool,
}

fn yes() -> bool {
    true
}

/// A printed number with the count of decimals it was printed with, so that a comparison
/// with a computed value can allow half a unit of the printed precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintedDecimal {
    pub value: Decimal,
    /// Decimals as printed (`86.19%` → 2 in percent; `8` → 0).
    pub decimals: u32,
}

impl PrintedDecimal {
    pub fn new(value: Decimal, decimals: u32) -> Self {
        PrintedDecimal { value, decimals }
    }
    /// Half a unit of the last printed digit (`8.62` → 0.005).
    /// Printed with 28 decimals (the most a `Decimal` holds) or more (`decimals` is read
    /// back from JSON), half a unit does not fit: no tolerance, the comparison is exact.
    pub fn tolerance(&self) -> Decimal {
        match self.decimals.checked_add(1) {
            Some(scale) if scale <= 28 => Decimal::new(5, scale),
            _ => Decimal::ZERO,
        }
    }
}

/// 一级指标 (first-level indicator category), normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level1 {
    /// 产出指标
    Output,
    /// 效益指标
    Effect,
    /// 满意度指标
    Satisfaction,
}

impl Level1 {
    pub const ALL: [Level1; 3] = [Level1::Output, Level1::Effect, Level1::Satisfaction];
    pub fn label(self) -> &'static str {
        match self {
            Level1::Output => "产出指标",
            Level1::Effect => "效益指标",
            Level1::Satisfaction => "满意度指标",
        }
    }
    /// Normalise a printed label: `产出指标(50分)`, `产出 指标`, `产出` → Output.
    pub fn from_label(text: &str) -> Option<Level1> {
        // The labels as the template prints them, without any scan or allocation.
        match text {
            "产出指标" => return Some(Level1::Output),
            "效益指标" => return Some(Level1::Effect),
            "满意度指标" => return Some(Level1::Satisfaction),
            _ => {}
        }
        let owned;
        let t = if text.contains(char::is_whitespace) {
            owned = compact(text);
            owned.as_str()
        } else {
            text
        };
        match points_stripped(t) {
            "产出指标" | "产出" => Some(Level1::Output),
            "效益指标" | "效益" => Some(Level1::Effect),
            "满意度指标" | "满意度" => Some(Level1::Satisfaction),
            _ => None,
        }
    }
}

/// 二级指标 (second-level indicator category), normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level2 {
    /// 数量指标
    Quantity,
    /// 质量指标
    Quality,
    /// 时效指标
    Timeliness,
    /// 成本指标
    Cost,
    /// 经济效益指标
    Economic,
    /// 社会效益指标
    Social,
    /// 生态效益指标
    Ecological,
    /// 可持续影响指标
    Sustainability,
    /// 服务对象满意度指标
    ServiceSatisfaction,
}

impl Level2 {
    pub const ALL: [Level2; 9] = [
        Level2::Quantity,
        Level2::Quality,
        Level2::Timeliness,
        Level2::Cost,
        Level2::Economic,
        Level2::Social,
        Level2::Ecological,
        Level2::Sustainability,
        Level2::ServiceSatisfaction,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Level2::Quantity => "数量指标",
            Level2::Quality => "质量指标",
            Level2::Timeliness => "时效指标",
            Level2::Cost => "成本指标",
            Level2::Economic => "经济效益指标",
            Level2::Social => "社会效益指标",
            Level2::Ecological => "生态效益指标",
            Level2::Sustainability => "可持续影响指标",
            Level2::ServiceSatisfaction => "服务对象满意度指标",
        }
    }
    /// The 一级 category this 二级 belongs to in the standard template.
    pub fn level1(self) -> Level1 {
        match self {
            Level2::Quantity | Level2::Quality | Level2::Timeliness | Level2::Cost => {
                Level1::Output
            }
            Level2::Economic | Level2::Social | Level2::Ecological | Level2::Sustainability => {
                Level1::Effect
            }
            Level2::ServiceSatisfaction => Level1::Satisfaction,
        }
    }
    /// Normalise a printed label: `经济效益 指标`, `服务对象满意度指标等`, `满意度指标` (as 二级).
    pub fn from_label(text: &str) -> Option<Level2> {
        // The labels as the template prints them, without any scan or allocation.
        if let Some(l2) = Level2::ALL.into_iter().find(|l| l.label() == text) {
            return Some(l2);
        }
        let owned;
        let t = if text.contains(char::is_whitespace) {
            owned = compact(text);
            owned.as_str()
        } else {
            text
        };
        let t = points_stripped(t);
        let t = t.strip_suffix('等').unwrap_or(t);
        let t = t.strip_suffix("指标").unwrap_or(t);
        match t {
            "数量" => Some(Level2::Quantity),
            "质量" => Some(Level2::Quality),
            "时效" => Some(Level2::Timeliness),
            "成本" => Some(Level2::Cost),
            "经济效益" => Some(Level2::Economic),
            "社会效益" => Some(Level2::Social),
            "生态效益" => Some(Level2::Ecological),
            "可持续影响" | "可持续" => Some(Level2::Sustainability),
            "服务对象满意度" | "满意度" => Some(Level2::ServiceSatisfaction),
            _ => None,
        }
    }
}

/// Remove every kind of white space (line-wrap spaces inside CJK text are not content).
pub fn compact(text: &str) -> String {
    compacted(text).into_owned()
}

/// [`compact`], borrowing when there is no white space to remove (the common case).
pub fn compacted(text: &str) -> std::borrow::Cow<'_, str> {
    if !may_hold_whitespace(text) || !text.contains(char::is_whitespace) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.chars().filter(|c| !c.is_whitespace()).collect())
}

/// Whether `text` may hold white space: false when no byte is ASCII white space or the lead
/// byte of a non-ASCII white-space character (U+0085/U+00A0: `C2`, U+1680: `E1`,
/// U+2000–U+205F: `E2`, U+3000: `E3`). A byte test the compiler vectorises, instead of
/// decoding every character; a `true` is confirmed by the exact test.
#[inline]
pub fn may_hold_whitespace(text: &str) -> bool {
    may_hold_whitespace_or(text, [])
}

/// [`may_hold_whitespace`], or one of the `extra` bytes (readers ask for label marks too).
///
/// `extra` is an array, not a slice: its length known at compile time, the test of each byte
/// is unrolled and the sixteen-byte chunks really become vector instructions. The blocks are
/// arrays by `first_chunk` (a length test), not by `try_from(..).is_ok_and(..)`: that was an
/// out-of-line call per block (≈ 100 instructions a name in the review's `Context::new`).
#[inline]
pub fn may_hold_whitespace_or<const N: usize>(text: &str, extra: [u8; N]) -> bool {
    let hit = |b: u8| {
        (b.wrapping_sub(b'\t') < 5)
            | (b == b' ')
            | (b == 0xC2)
            | (b.wrapping_sub(0xE1) < 3)
            | extra.iter().fold(false, |acc, &e| acc | (b == e))
    };
    // Sixteen tests without short-circuiting, so they become a few vector instructions.
    let block = |c: &[u8; 16]| c.iter().fold(false, |acc, &b| acc | hit(b));
    let bytes = text.as_bytes();
    let mut chunks = bytes.chunks_exact(16);
    // `first_chunk` of a sixteen-byte chunk always gives it: a length test inlined.
    if chunks.any(|c| match c.first_chunk::<16>() {
        Some(c) => block(c),
        None => true,
    }) {
        return true;
    }
    let rest = chunks.remainder();
    let Some(&fill) = rest.first() else {
        return false;
    };
    // The last sixteen bytes as one more block, overlapping bytes already tested (the test
    // of a byte does not depend on its neighbours): no copy into a padded block.
    if let Some(last) = bytes.last_chunk::<16>() {
        return block(last);
    }
    // A text under sixteen bytes (short labels and values): padded with a copy of one of its
    // bytes, which adds no hit of its own.
    let mut last = [fill; 16];
    last[..rest.len()].copy_from_slice(rest);
    block(&last)
}

/// `hay.contains(needle)` for the short texts of a form (names, values, units): the needle's
/// first byte found, then the rest compared. The general searcher prepares its tables for
/// every call, which costs more than the search on a few dozen bytes. A byte match of a
/// whole UTF-8 needle always starts on a character boundary, so the answer is the same.
pub fn contains_str(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let Some(last_start) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    hay[..=last_start]
        .iter()
        .enumerate()
        .any(|(i, &b)| b == first && hay[i + 1..].starts_with(rest))
}

/// `compact(text) == other`, without allocating.
pub fn compact_eq(text: &str, other: &str) -> bool {
    if !may_hold_whitespace(text) {
        return text == other;
    }
    text.chars()
        .filter(|c| !c.is_whitespace())
        .eq(other.chars())
}

/// `产出指标(50分)` → `产出指标`; `绩效指标（90分）` → `绩效指标`.
pub fn strip_points(text: &str) -> String {
    points_stripped(text).to_string()
}

/// [`strip_points`] without allocating.
pub fn points_stripped(text: &str) -> &str {
    // The first '(' or '（' decides: a later bracket is followed by less of the text, so if
    // no '分' follows the first, none follows any. Eight bytes at a time skip text holding
    // neither '(' nor 0xEF (the lead byte of '（', U+FF08).
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has = |w: u64, b: u8| {
        let x = w ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGH != 0
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if i + 8 <= bytes.len() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[i..i + 8]);
            let w = u64::from_le_bytes(word);
            if !has(w, b'(') && !has(w, 0xEF) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if b == b'(' || (b == 0xEF && text[i..].starts_with('（')) {
            return if text[i..].contains('分') {
                &text[..i]
            } else {
                text
            };
        }
        i += 1;
    }
    text
}

/// One row of the indicator table (三级指标).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Indicator {
    /// 一级指标 as printed (carried down from the merged cell above when blank).
    pub level1: Option<CompactString>,
    /// 二级指标 as printed (carried down likewise).
    pub level2: Option<CompactString>,
    /// 三级指标: the indicator's name, line-wrap spaces between CJK characters removed.
    pub name: CompactString,
    /// 年度指标值 as printed (split variants joined: `≧` `735` `人次` → `≧735人次`).
    pub target: Option<CompactString>,
    /// 实际完成值 as printed.
    pub actual: Option<CompactString>,
    /// 分值 / 权重.
    pub weight: Option<Decimal>,
    /// 得分 as printed.
    pub score: Option<Decimal>,
    /// 偏差原因分析及改进措施 / 未完成原因分析.
    pub reason: Option<CompactString>,
    /// Where each part was read.
    #[serde(default)]
    pub at: IndicatorLocs,
}

impl Indicator {
    pub fn level1_kind(&self) -> Option<Level1> {
        self.level1.as_deref().and_then(Level1::from_label)
    }
    pub fn level2_kind(&self) -> Option<Level2> {
        self.level2.as_deref().and_then(Level2::from_label)
    }
    /// The 一级 category: as printed, else implied by the 二级.
    pub fn category(&self) -> Option<Level1> {
        self.level1_kind()
            .or_else(|| self.level2_kind().map(Level2::level1))
    }
}

/// Source locations of an indicator's cells.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IndicatorLocs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Loc>,
}

/// Locations of the form-level values.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FormLocs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funds_total: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funds_rate: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funds_score: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal_expected: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal_actual: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<Loc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<Loc>,
}

/// One 项目支出绩效自评表 as printed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Evaluation {
    /// 年度.
    pub year: Option<i32>,
    /// 项目名称 (with its 项目编码 prefix if printed so).
    pub project: Option<String>,
    /// 主管部门.
    pub department: Option<String>,
    /// 实施单位.
    pub unit: Option<String>,
    /// The money unit of the funds block: `元` or `万元`.
    pub money_unit: Option<String>,
    pub funds: Funds,
    /// 年度总体目标 — 预期目标.
    pub goal_expected: Option<String>,
    /// 年度总体目标 — 实际完成情况.
    pub goal_actual: Option<String>,
    pub indicators: Vec<Indicator>,
    /// The weight printed on the 总分/合计 row (normally 100).
    pub total_weight: Option<Decimal>,
    /// 总分 as printed.
    pub total_score: Option<PrintedDecimal>,
    /// 等级 as printed (优/良/中/差), when the form prints one.
    pub grade: Option<String>,
    /// Whether the form was cut off before its end (no 总分 row was seen).
    #[serde(default)]
    pub truncated: bool,
    #[serde(default)]
    pub at: FormLocs,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_stripped_at_the_first_bracket_followed_by_points() {
        for (text, want) in [
            ("产出指标(50分)", "产出指标"),
            ("绩效指标（90分）", "绩效指标"),
            ("产出指标", "产出指标"),
            ("", ""),
            ("(分", ""),
            ("名称很长很长的指标（说明）", "名称很长很长的指标（说明）"),
            ("名称很长很长的指标（说明）(10分)", "名称很长很长的指标"),
            ("名称（说明）很长很长的指标(10分)", "名称"),
            ("ＡＢＣＤ（10分）", "ＡＢＣＤ"),
            ("abcdefgh(1分)", "abcdefgh"),
            ("abcdefg(", "abcdefg("),
        ] {
            assert_eq!(points_stripped(text), want, "{text}");
        }
    }
}

#[cfg(test)]
mod whitespace_tests {
    use super::*;

    #[test]
    fn contains_str_is_str_contains() {
        let texts = [
            "",
            "满",
            "满意",
            "满意度",
            "服务对象满意度",
            "群众投诉处理及时率",
            "及时",
            "abc",
            "成本费用",
            "a满意",
            "意满",
            "满满意",
            "%",
            "≥95%",
            "以上以内",
        ];
        for hay in texts {
            for needle in texts {
                assert_eq!(
                    contains_str(hay, needle),
                    hay.contains(needle),
                    "{hay:?} {needle:?}"
                );
            }
        }
    }

    #[test]
    fn may_hold_whitespace_never_misses_white_space() {
        let spaces: Vec<char> = (0..=0x3000u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        let long = "工伤鉴定认定准确送达率，满意度（分）";
        for &c in &spaces {
            for at in 0..=long.chars().count() {
                let mut s: String = long.chars().take(at).collect();
                s.push(c);
                s.extend(long.chars().skip(at));
                assert!(may_hold_whitespace(&s), "{c:?} at {at}");
                assert_eq!(compact(&s), long);
                assert!(compact_eq(&s, long));
            }
        }
        assert!(!may_hold_whitespace(&long.repeat(3)));
        // Every length around the block size, the white space at every place.
        for len in 0..=40 {
            let plain = "a".repeat(len);
            assert!(!may_hold_whitespace(&plain), "{len}");
            for at in 0..=len {
                for &c in &spaces {
                    let mut s = plain.clone();
                    s.insert(at, c);
                    assert!(may_hold_whitespace(&s), "{c:?} at {at} of {len}");
                }
            }
        }
        assert!(compact_eq(long, long) && !compact_eq(long, "满意度"));
    }
}
