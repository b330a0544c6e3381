//! Jixiao's canonical JSON form (规范 JSON): `{"format": "jixiao-evaluation/1", "forms": [Evaluation…]}`.
//!
//! It is the model serialised with serde, nothing computed: amounts and scores are decimal
//! strings (`"507500.00"`), exactly as rust_decimal writes them, so a form written and read
//! back is identical. Reading also accepts a bare array of forms or a single form object.

use crate::{InputShape, ReadForm, ReadOutcome};
use jixiao_core::{Evaluation, Finding, Loc, Severity};
use serde::{Deserialize, Serialize};

/// The value of the `format` key this version writes and reads.
pub const FORMAT: &str = "jixiao-evaluation/1";

const RULE: &str = "DESIGN.md §2: readers never fail; malformed input gets located diagnostics";

#[derive(Serialize)]
struct CanonicalOut<'a> {
    format: &'static str,
    forms: &'a [Evaluation],
}

#[derive(Deserialize)]
struct CanonicalIn {
    #[serde(default)]
    format: Option<String>,
    forms: Vec<Evaluation>,
}

/// Write forms in the canonical JSON form (pretty-printed, one key per line, so that a
/// diff of two versions of a form reads well).
pub fn write_json(forms: &[Evaluation]) -> String {
    // Serialising plain data to a String cannot fail; fall back to an empty document
    // rather than panic if it ever did.
    serde_json::to_string_pretty(&CanonicalOut {
        format: FORMAT,
        forms,
    })
    .unwrap_or_else(|_| format!("{{\"format\":\"{FORMAT}\",\"forms\":[]}}"))
}

/// Write the canonical JSON form to a writer.
pub fn write_json_to<W: std::io::Write>(writer: W, forms: &[Evaluation]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(
        writer,
        &CanonicalOut {
            format: FORMAT,
            forms,
        },
    )
    .map_err(std::io::Error::from)
}

/// Read the canonical JSON form, a bare array of forms, or one form. Never fails: bad JSON
/// gives no forms and a diagnostic located at serde_json's line:column; in an array, the
/// forms that are good are kept and each bad one is reported.
pub fn read_json(text: &str) -> ReadOutcome {
    let mut outcome = ReadOutcome {
        shape: InputShape::Json,
        encoding: "UTF-8",
        forms: Vec::new(),
        diagnostics: Vec::new(),
    };
    // First the syntax, so that a syntax error is located in the text.
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(error) => {
            outcome
                .diagnostics
                .push(json_error(&error, "JSON 语法错误", "JSON syntax error"));
            return outcome;
        }
    };
    match value {
        serde_json::Value::Object(map) if map.contains_key("forms") => {
            match map.get("format").and_then(|f| f.as_str()) {
                Some(FORMAT) => {}
                other => outcome.diagnostics.push(
                    Finding::new(
                        "READ_JSON",
                        Severity::Warning,
                        format!(
                            "JSON 的 format 为 {}，本版本读取 {FORMAT}；仍尝试读取",
                            other.unwrap_or("（缺失）")
                        ),
                        format!(
                            "the JSON's format is {}; this version reads {FORMAT}; reading it anyway",
                            other.unwrap_or("(missing)")
                        ),
                    )
                    .rule(RULE),
                ),
            }
            // Typed pass over the text for located errors; on failure, salvage form by form.
            match serde_json::from_str::<CanonicalIn>(text) {
                Ok(doc) => {
                    let _ = doc.format;
                    outcome.forms = doc.forms.into_iter().map(read_form).collect();
                }
                Err(error) => {
                    outcome.diagnostics.push(json_error(
                        &error,
                        "JSON 内容不符合表格式",
                        "the JSON does not match the form model",
                    ));
                    if let Some(serde_json::Value::Array(items)) = map.get("forms") {
                        salvage(items, &mut outcome);
                    }
                }
            }
        }
        serde_json::Value::Array(items) => match serde_json::from_str::<Vec<Evaluation>>(text) {
            Ok(forms) => outcome.forms = forms.into_iter().map(read_form).collect(),
            Err(error) => {
                outcome.diagnostics.push(json_error(
                    &error,
                    "JSON 内容不符合表格式",
                    "the JSON does not match the form model",
                ));
                salvage(&items, &mut outcome);
            }
        },
        serde_json::Value::Object(_) => match serde_json::from_str::<Evaluation>(text) {
            Ok(form) => outcome.forms.push(read_form(form)),
            Err(error) => outcome.diagnostics.push(json_error(
                &error,
                "JSON 内容不符合表格式",
                "the JSON does not match the form model",
            )),
        },
        _ => outcome.diagnostics.push(
            Finding::new(
                "READ_JSON",
                Severity::Error,
                "JSON 既不是表对象，也不是表的数组",
                "the JSON is neither a form object nor an array of forms",
            )
            .at(Some(Loc::text(1, 1)))
            .rule(RULE),
        ),
    }
    if outcome.forms.is_empty() && outcome.diagnostics.is_empty() {
        // `[]` or `"forms": []`: well-formed, but a reader that returns nothing must say why.
        outcome.diagnostics.push(
            Finding::new(
                "READ_JSON",
                Severity::Error,
                "JSON 中没有表（表的数组为空）",
                "the JSON holds no form (the array of forms is empty)",
            )
            .at(Some(Loc::text(1, 1)))
            .rule(RULE),
        );
    }
    outcome
}

fn read_form(evaluation: Evaluation) -> ReadForm {
    ReadForm {
        evaluation,
        diagnostics: Vec::new(),
    }
}

/// Keep the good forms of an array whose typed reading failed; report each bad one by index
/// (a `Value` no longer knows its line, so the located error above stands for the first).
fn salvage(items: &[serde_json::Value], outcome: &mut ReadOutcome) {
    for (index, item) in items.iter().enumerate() {
        match serde_json::from_value::<Evaluation>(item.clone()) {
            Ok(form) => outcome.forms.push(read_form(form)),
            Err(error) => outcome.diagnostics.push(
                Finding::new(
                    "READ_JSON",
                    Severity::Error,
                    format!(
                        "第 {} 张表（从 0 起为 {index}）无法读取，已跳过：{error}",
                        index + 1
                    ),
                    format!("form {index} (0-based) could not be read and was skipped: {error}"),
                )
                .rule(RULE),
            ),
        }
    }
}

fn json_error(error: &serde_json::Error, zh: &str, en: &str) -> Finding {
    let loc = (error.line() > 0).then(|| {
        Loc::text(
            u32::try_from(error.line()).unwrap_or(u32::MAX),
            u32::try_from(error.column().max(1)).unwrap_or(u32::MAX),
        )
    });
    Finding::new(
        "READ_JSON",
        Severity::Error,
        format!("{zh}：{error}"),
        format!("{en}: {error}"),
    )
    .at(loc)
    .rule(RULE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jixiao_core::{Indicator, PrintedDecimal};
    use rust_decimal_macros::dec;

    fn sample() -> Evaluation {
        let mut e = Evaluation {
            year: Some(2023),
            project: Some("工伤鉴定".into()),
            department: Some("上海市松江区人力资源和社会保障局".into()),
            unit: Some("上海市松江区社会保障服务中心".into()),
            money_unit: Some("元".into()),
            total_weight: Some(dec!(100)),
            total_score: Some(PrintedDecimal::new(dec!(94), 0)),
            ..Evaluation::default()
        };
        e.funds.total.initial = Some(dec!(507500.00));
        e.funds.total.adjusted = Some(dec!(501010.00));
        e.funds.total.executed = Some(dec!(501010));
        e.funds.total.at = Some(Loc::text(6, 2));
        e.funds.rate = Some(PrintedDecimal::new(dec!(1.0000), 2));
        e.funds.rate_printed = Some("100.00%".into());
        e.funds.extra.push(("单位资金".into(), Default::default()));
        e.indicators.push(Indicator {
            level1: Some("产出指标".into()),
            level2: Some("数量指标".into()),
            name: "完成鉴定任务案件数".into(),
            target: Some("=3000件".into()),
            actual: Some("4023件".into()),
            weight: Some(dec!(8)),
            score: Some(dec!(8)),
            ..Indicator::default()
        });
        e
    }

    #[test]
    fn canonical_round_trip_is_identical() {
        let forms = vec![sample(), Evaluation::default()];
        let text = write_json(&forms);
        assert!(text.contains("\"format\": \"jixiao-evaluation/1\""));
        // Amounts are decimal strings, trailing zeros kept.
        assert!(text.contains("\"507500.00\""), "{text}");
        let back = read_json(&text);
        assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
        let got: Vec<Evaluation> = back.forms.into_iter().map(|f| f.evaluation).collect();
        assert_eq!(got, forms);
        assert_eq!(write_json(&got), text);
    }

    #[test]
    fn bare_array_and_single_object_are_accepted() {
        let one = serde_json::to_string(&sample()).unwrap();
        assert_eq!(read_json(&one).forms.len(), 1);
        let many = format!("[{one},{one}]");
        let outcome = read_json(&many);
        assert_eq!(outcome.forms.len(), 2);
        assert_eq!(outcome.forms[1].evaluation, sample());
    }

    #[test]
    fn syntax_error_is_located() {
        let outcome = read_json("{\n  \"forms\": [\n    {,}\n  ]\n}");
        assert!(outcome.forms.is_empty());
        assert_eq!(outcome.diagnostics.len(), 1);
        let f = &outcome.diagnostics[0];
        assert_eq!(f.code, "READ_JSON");
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.location.as_ref().map(|l| l.line), Some(3));
    }

    #[test]
    fn empty_array_of_forms_says_so() {
        for text in [
            "[]",
            " [ ]\n",
            "{\"format\": \"jixiao-evaluation/1\", \"forms\": []}",
        ] {
            let outcome = read_json(text);
            assert!(outcome.forms.is_empty(), "{text}");
            assert_eq!(outcome.diagnostics.len(), 1, "{text}");
            let f = &outcome.diagnostics[0];
            assert_eq!(f.code, "READ_JSON");
            assert_eq!(f.severity, Severity::Error);
            assert!(f.message.contains("没有表"), "{}", f.message);
        }
    }

    #[test]
    fn bad_form_in_array_is_skipped_and_good_ones_kept() {
        let good = serde_json::to_string(&sample()).unwrap();
        let text = format!("[{good},\n{{\"year\": \"not a year\"}}]");
        let outcome = read_json(&text);
        assert_eq!(outcome.forms.len(), 1);
        // The located typed error plus the per-form report.
        assert_eq!(outcome.diagnostics.len(), 2);
        assert_eq!(
            outcome.diagnostics[0].location.as_ref().map(|l| l.line),
            Some(2)
        );
        assert!(outcome.diagnostics[1].message_en.contains("form 1"));
    }

    #[test]
    fn unknown_format_is_a_warning_but_read() {
        let text = format!(
            "{{\"format\":\"other/9\",\"forms\":[{}]}}",
            serde_json::to_string(&sample()).unwrap()
        );
        let outcome = read_json(&text);
        assert_eq!(outcome.forms.len(), 1);
        assert_eq!(outcome.diagnostics[0].severity, Severity::Warning);
    }

    #[test]
    fn scalars_and_garbage_give_diagnostics_not_panics() {
        for text in [
            "42",
            "\"x\"",
            "null",
            "",
            "[",
            "[1,2]",
            "{\"forms\": 3}",
            "{}",
        ] {
            let outcome = read_json(text);
            assert!(outcome.forms.is_empty(), "{text}");
            assert!(!outcome.diagnostics.is_empty(), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_reads_without_panic(text in "\\PC{0,300}") {
            let _ = read_json(&text);
        }

        #[test]
        fn json_like_text_reads_without_panic(text in "[\\[\\]{}\",:0-9a-z ]{0,200}") {
            // Whatever the text, either forms or a diagnostic saying why there are none.
            let outcome = read_json(&text);
            proptest::prop_assert!(!outcome.forms.is_empty() || !outcome.diagnostics.is_empty());
        }
    }
}
