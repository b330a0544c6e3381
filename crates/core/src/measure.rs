//! Measures (指标值): a printed target or actual value parsed into operator, number and unit,
//! a range, a deadline, or qualitative text. Parsing never fails and keeps the printed text.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

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
            kind: MeasureKind::Text {
                text: printed.to_string(),
            },
        }
    }
    /// A canonical spelling such that `parse(canonical(m)).kind == m.kind`.
    pub fn canonical(&self) -> String {
        self.printed.clone()
    }
    pub fn number(&self) -> Option<Decimal> {
        None
    }
    pub fn unit(&self) -> Option<&str> {
        None
    }
    pub fn is_percent(&self) -> bool {
        false
    }
    pub fn operator(&self) -> Option<Operator> {
        None
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}
