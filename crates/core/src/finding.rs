//! Findings (审核发现): what review checks and readers report about a form.
//! Reading problems are findings too (codes starting with `READ_`).

use crate::model::Loc;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// How serious a finding is. `Error` findings make `jixiao check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    /// 提示 / 警告 / 错误
    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warning => "警告",
            Severity::Error => "错误",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: a stable code, a severity, a message in Chinese with English alongside,
/// where it is, and the rule it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code, e.g. `MET_BUT_DEDUCTED`, `READ_SHIFTED_ROW`. Every producer names a fixed
    /// code, so it is borrowed (no allocation a finding); a finding read back from JSON owns it.
    pub code: Cow<'static, str>,
    pub severity: Severity,
    /// 中文说明.
    pub message: String,
    /// The same in English.
    pub message_en: String,
    /// 0-based index into the form's indicators, when the finding is about one.
    pub indicator: Option<usize>,
    /// Where in the source.
    pub location: Option<Loc>,
    /// The rule it rests on (e.g. `财预〔2020〕10号 …` or `RULES.md §5 [ours]`).
    /// Borrowed for the registry's fixed rules, owned for the few written per finding.
    #[serde(default)]
    pub rule: Cow<'static, str>,
}

impl Finding {
    pub fn new(
        code: impl Into<Cow<'static, str>>,
        severity: Severity,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Finding {
            code: code.into(),
            severity,
            message: message.into(),
            message_en: message_en.into(),
            indicator: None,
            location: None,
            rule: Cow::Borrowed(""),
        }
    }
    pub fn at(mut self, loc: Option<Loc>) -> Self {
        self.location = loc;
        self
    }
    pub fn indicator(mut self, index: usize) -> Self {
        self.indicator = Some(index);
        self
    }
    pub fn rule(mut self, rule: impl Into<Cow<'static, str>>) -> Self {
        self.rule = rule.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A borrowed code and rule serialise as the owned strings did, and read back owned.
    #[test]
    fn borrowed_code_and_rule_round_trip() {
        let borrowed = Finding::new("GOAL_COPY", Severity::Info, "照抄", "copies")
            .rule("RULES.md §5 [ours]")
            .indicator(2);
        let owned = Finding::new(String::from("GOAL_COPY"), Severity::Info, "照抄", "copies")
            .rule(String::from("RULES.md §5 [ours]"))
            .indicator(2);
        let json = serde_json::to_string(&borrowed).unwrap();
        assert_eq!(json, serde_json::to_string(&owned).unwrap());
        let back: Finding = serde_json::from_str(&json).unwrap();
        assert_eq!(back, borrowed);
        assert!(matches!(back.code, Cow::Owned(_)));
        // A finding stored before `rule` existed reads back with an empty rule.
        let old = r#"{"code":"X","severity":"info","message":"m","message_en":"e","indicator":null,"location":null}"#;
        assert_eq!(serde_json::from_str::<Finding>(old).unwrap().rule, "");
    }
}
