//! Measures (指标值): a printed target or actual value parsed into operator, number and unit,
//! a range, a deadline, or qualitative text. Parsing never fails and keeps the printed text.

use crate::model::{compact, PrintedDecimal};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The comparison a target asks for (指标性质).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// `>=` `≥` `≧` `不少于` `不低于` `大于等于`
    AtLeast,
    /// `>` `大于` `高于`
    Greater,
    /// `<=` `≤` `≦` `不高于` `不超过` `小于等于`
    AtMost,
    /// `<` `小于` `低于`
    Less,
    /// `=` `═` `＝`
    Exact,
    /// No operator printed (`100%`, `5000户`).
    NoOperator,
}

impl Operator {
    /// Canonical symbol (empty for no operator).
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::AtLeast => "≥",
            Operator::Greater => ">",
            Operator::AtMost => "≤",
            Operator::Less => "<",
            Operator::Exact => "=",
            Operator::NoOperator => "",
        }
    }
    /// "Bigger is better" targets (positive indicators 正向指标).
    pub fn is_positive(self) -> bool {
        matches!(self, Operator::AtLeast | Operator::Greater)
    }
    /// "Smaller is better" targets (reverse indicators 反向指标).
    pub fn is_reverse(self) -> bool {
        matches!(self, Operator::AtMost | Operator::Less)
    }
}

/// Operator spellings, longest first so that `大于等于` wins over `大于`.
const PREFIX_OPERATORS: &[(&str, Operator)] = &[
    ("大于或等于", Operator::AtLeast),
    ("小于或等于", Operator::AtMost),
    ("大于等于", Operator::AtLeast),
    ("小于等于", Operator::AtMost),
    ("不少于", Operator::AtLeast),
    ("不低于", Operator::AtLeast),
    ("不小于", Operator::AtLeast),
    ("不高于", Operator::AtMost),
    ("不超过", Operator::AtMost),
    ("不大于", Operator::AtMost),
    ("不多于", Operator::AtMost),
    (">=", Operator::AtLeast),
    ("=>", Operator::AtLeast),
    ("<=", Operator::AtMost),
    ("=<", Operator::AtMost),
    ("＞＝", Operator::AtLeast),
    ("＜＝", Operator::AtMost),
    ("≥", Operator::AtLeast),
    ("≧", Operator::AtLeast),
    ("⩾", Operator::AtLeast),
    ("≤", Operator::AtMost),
    ("≦", Operator::AtMost),
    ("⩽", Operator::AtMost),
    ("大于", Operator::Greater),
    ("高于", Operator::Greater),
    ("超过", Operator::Greater),
    ("小于", Operator::Less),
    ("低于", Operator::Less),
    ("等于", Operator::Exact),
    (">", Operator::Greater),
    ("＞", Operator::Greater),
    ("<", Operator::Less),
    ("＜", Operator::Less),
    ("==", Operator::Exact),
    ("=", Operator::Exact),
    ("═", Operator::Exact),
    ("＝", Operator::Exact),
];

/// Trailing operator words (`95%以上`).
const SUFFIX_OPERATORS: &[(&str, Operator)] = &[
    ("及以上", Operator::AtLeast),
    ("以上", Operator::AtLeast),
    ("及以下", Operator::AtMost),
    ("以下", Operator::AtMost),
    ("以内", Operator::AtMost),
];

/// Words that make a value a deadline (时限).
const DEADLINE_EXACT: &[&str] = &["按时", "按期", "如期", "准时", "年底前", "年内", "年底"];

/// What a printed value means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MeasureKind {
    /// Nothing printed.
    Empty,
    /// A number with an operator and an optional unit (`%` for every percent spelling).
    Quantity {
        op: Operator,
        number: Decimal,
        unit: Option<String>,
    },
    /// A range (`90%-100%`, `90%~100%`).
    Range {
        low: Decimal,
        high: Decimal,
        unit: Option<String>,
    },
    /// A deadline (`12月底前`, `2023年12月31日前`, `年底前`, `按时`), compacted text.
    Deadline { text: String },
    /// Qualitative text (及时, 有效, 合规 …), compacted.
    Text { text: String },
}

/// A parsed target or actual, with the text exactly as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    pub printed: String,
    pub kind: MeasureKind,
}

impl Measure {
    /// Parse a printed value. Never fails: what is not understood is `Text`.
    pub fn parse(printed: &str) -> Measure {
        Measure {
            printed: printed.to_string(),
            kind: parse_kind(printed),
        }
    }
    /// Parse an optional cell (`None` → `Empty`).
    pub fn parse_opt(printed: Option<&str>) -> Measure {
        Measure::parse(printed.unwrap_or(""))
    }
    /// A canonical spelling such that `parse(canonical(m)).kind == m.kind`.
    pub fn canonical(&self) -> String {
        match &self.kind {
            MeasureKind::Empty => String::new(),
            MeasureKind::Quantity { op, number, unit } => {
                format!("{}{}{}", op.symbol(), number, unit.as_deref().unwrap_or(""))
            }
            MeasureKind::Range { low, high, unit } => {
                let u = unit.as_deref().unwrap_or("");
                format!("{low}{u}~{high}{u}")
            }
            MeasureKind::Deadline { text } | MeasureKind::Text { text } => text.clone(),
        }
    }
    pub fn is_empty(&self) -> bool {
        matches!(self.kind, MeasureKind::Empty)
    }
    /// The number of a quantity (the low end of a range).
    pub fn number(&self) -> Option<Decimal> {
        match &self.kind {
            MeasureKind::Quantity { number, .. } => Some(*number),
            MeasureKind::Range { low, .. } => Some(*low),
            _ => None,
        }
    }
    pub fn unit(&self) -> Option<&str> {
        match &self.kind {
            MeasureKind::Quantity { unit, .. } | MeasureKind::Range { unit, .. } => unit.as_deref(),
            _ => None,
        }
    }
    pub fn is_percent(&self) -> bool {
        self.unit() == Some("%")
    }
    pub fn operator(&self) -> Option<Operator> {
        match &self.kind {
            MeasureKind::Quantity { op, .. } => Some(*op),
            _ => None,
        }
    }
    /// Is it a number (quantity or range)?
    pub fn is_numeric(&self) -> bool {
        matches!(
            self.kind,
            MeasureKind::Quantity { .. } | MeasureKind::Range { .. }
        )
    }
    /// The compacted text of a qualitative or deadline value.
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            MeasureKind::Deadline { text } | MeasureKind::Text { text } => Some(text),
            _ => None,
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// Full-width digits and signs to ASCII; white space removed.
fn normalise(printed: &str) -> String {
    compact(printed)
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '，' => ',',
            '％' => '%',
            '－' | '—' | '–' => '-',
            '～' | '〜' => '~',
            _ => c,
        })
        .collect()
}

fn parse_kind(printed: &str) -> MeasureKind {
    let t = normalise(printed);
    if t.is_empty() {
        return MeasureKind::Empty;
    }
    if is_deadline(&t) {
        return MeasureKind::Deadline { text: t };
    }
    parse_numeric(&t).unwrap_or(MeasureKind::Text { text: t })
}

fn is_deadline(t: &str) -> bool {
    if DEADLINE_EXACT.contains(&t) {
        return true;
    }
    // `12月底前`, `2023年12月31日前`, `6月30日之前`, `年底前完成`: a date word then 前.
    let has_date_word = t.contains('月') || t.contains("年底") || t.contains('日');
    let before = t.contains("前") || t.contains("之前") || t.contains("底");
    has_date_word && before && !t.contains('%')
}

fn parse_numeric(t: &str) -> Option<MeasureKind> {
    let (mut op, mut rest) = (Operator::NoOperator, t);
    for (spelling, o) in PREFIX_OPERATORS {
        if let Some(r) = t.strip_prefix(spelling) {
            op = *o;
            rest = r;
            break;
        }
    }
    for (spelling, o) in SUFFIX_OPERATORS {
        if let Some(r) = rest.strip_suffix(spelling) {
            if op == Operator::NoOperator {
                op = *o;
            }
            rest = r;
            break;
        }
    }
    // A second operator word left over (`0以上以上`) is not a unit: not a quantity.
    if SUFFIX_OPERATORS.iter().any(|(w, _)| rest.ends_with(w)) {
        return None;
    }
    let (low, after) = take_number(rest)?;
    let (unit1, after) = take_unit(after);
    if after.is_empty() {
        return Some(MeasureKind::Quantity {
            op,
            number: low,
            unit: unit1,
        });
    }
    // A range: `90%-100%`, `90~100%`, `3至5次`. No operator allowed before a range.
    if op != Operator::NoOperator {
        return None;
    }
    let after = ["-", "~", "至", "到"]
        .iter()
        .find_map(|sep| after.strip_prefix(sep))?;
    let (high, tail) = take_number(after)?;
    let (unit2, tail) = take_unit(tail);
    if !tail.is_empty() {
        return None;
    }
    let unit = match (unit1, unit2) {
        (None, u) | (u, None) => u,
        (Some(a), Some(b)) if a == b => Some(a),
        _ => return None,
    };
    if low > high {
        return None;
    }
    Some(MeasureKind::Range { low, high, unit })
}

/// A number with thousands separators (`215,457.6`) and an optional sign.
fn take_number(s: &str) -> Option<(Decimal, &str)> {
    let bytes = s.as_bytes();
    let mut end = 0;
    if bytes.first() == Some(&b'-') || bytes.first() == Some(&b'+') {
        end = 1;
    }
    let digits_start = end;
    let mut seen_dot = false;
    while end < bytes.len() {
        let b = bytes[end];
        let separator = b == b',' && end > digits_start && next_is_digit(bytes, end) && !seen_dot;
        if b.is_ascii_digit() || separator {
            end += 1;
        } else if b == b'.' && !seen_dot && end > digits_start && next_is_digit(bytes, end) {
            seen_dot = true;
            end += 1;
        } else {
            break;
        }
    }
    if end == digits_start {
        return None;
    }
    let text: String = s[..end]
        .chars()
        .filter(|c| *c != ',' && *c != '+')
        .collect();
    let n = Decimal::from_str(&text).ok()?;
    Some((n, &s[end..]))
}

fn next_is_digit(bytes: &[u8], i: usize) -> bool {
    bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit())
}

/// A unit: `%`/`百分比` → `%`, else any run of characters without digits or range marks.
fn take_unit(s: &str) -> (Option<String>, &str) {
    for spelling in ["%", "百分比", "百分点"] {
        if let Some(r) = s.strip_prefix(spelling) {
            // 百分点 is a difference of percents; keep it as its own unit.
            let unit = if spelling == "百分点" {
                "百分点"
            } else {
                "%"
            };
            return (Some(unit.to_string()), r);
        }
    }
    let end = s
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || matches!(c, '-' | '~' | '至' | '到' | '%' | '.' | ','))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let unit = &s[..end];
    // An operator word (`以上`, `以内` …) is never a unit: leave it for the caller to reject.
    if end == 0 || SUFFIX_OPERATORS.iter().any(|(w, _)| unit.contains(w)) {
        (None, s)
    } else {
        (Some(unit.to_string()), &s[end..])
    }
}

/// Parse a printed rate (`100.00%`, `86.19%`, `0`, `1`) as a fraction, keeping the number of
/// decimals printed in percent. A bare number ≤ 1 with decimals (`0.8619`) is read as a
/// fraction; other bare numbers as percent.
pub fn parse_printed_rate(printed: &str) -> Option<PrintedDecimal> {
    let t = normalise(printed);
    let (n, rest) = take_number(&t)?;
    let percent = match rest {
        "%" | "百分比" => true,
        "" => !(n.scale() > 0 && n <= Decimal::ONE),
        _ => return None,
    };
    if percent {
        Some(PrintedDecimal::new(n / Decimal::ONE_HUNDRED, n.scale()))
    } else {
        Some(PrintedDecimal::new(n, n.scale().saturating_sub(2)))
    }
}

/// Parse a printed plain number (`8.62`, `215,457.6`) keeping its printed decimals.
pub fn parse_printed_number(printed: &str) -> Option<PrintedDecimal> {
    let t = normalise(printed);
    let (n, rest) = take_number(&t)?;
    if !rest.is_empty() {
        return None;
    }
    Some(PrintedDecimal::new(n, n.scale()))
}
