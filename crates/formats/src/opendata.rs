//! Open data (开放数据): CSV, JSON Lines and a Fiscal Data Package descriptor.
//!
//! - **Indicators CSV**: one row per indicator, with the keys of its form (`form`, `year`,
//!   `project`, `department`, `unit`), the indicator as printed and its computed score.
//! - **Forms CSV**: one row per form: keys, funds, printed and computed rate, scores and grade,
//!   counts of findings.
//! - **JSON Lines**: one form per line, each line the form object of the canonical JSON
//!   (`jixiao-evaluation/1`): nothing computed, decimals as strings.
//! - **`datapackage.json`**: a Fiscal Data Package (tabular data package) describing the two
//!   CSVs: fields, types, keys, and the money measures.
//!
//! CSV conventions: UTF-8 without BOM, comma, `\n` line ends, RFC 4180 quoting (a field with a
//! comma, quote or line break is quoted, quotes doubled). Decimals are written as plain decimal
//! numbers exactly as held (no float, no thousands separator, `.` as decimal mark; `507500.00`
//! keeps its printed scale); a value not read is an empty field. Money is given in 元 (yuan)
//! whatever the form printed: `万元` amounts are multiplied by 10 000 in decimal arithmetic;
//! where the form printed no money unit the amounts are left empty (the printed unit is in
//! `money_unit`, and the JSON Lines keep the amounts as printed). Text is written verbatim:
//! a target such as `=3000件` stays `=3000件` (open data is for programs; to open the data in
//! Excel, use the .xlsx export).

use jixiao_core::score::{display_decimal, Scorecard};
use jixiao_core::{assess, Evaluation, FundRow, Profile, Severity};
use rust_decimal::Decimal;
use std::io::{self, Write};

/// Quote a CSV field when it needs it.
fn field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn row(out: &mut String, values: &[String]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, v);
    }
    out.push('\n');
}

fn dec(v: Option<Decimal>) -> String {
    v.map_or(String::new(), |d| d.to_string())
}

fn text(v: Option<&str>) -> String {
    v.unwrap_or("").to_string()
}

/// Field name, type and description of the indicators CSV.
pub const INDICATOR_FIELDS: &[(&str, &str, &str)] = &[
    (
        "form",
        "integer",
        "表序号（从 1 起，对应 forms CSV 的 form）/ form number, key into the forms CSV",
    ),
    ("year", "integer", "年度 / year"),
    ("project", "string", "项目名称 / project"),
    ("department", "string", "主管部门 / department"),
    ("unit", "string", "实施单位 / implementing unit"),
    (
        "indicator",
        "integer",
        "指标序号（表内从 1 起）/ indicator number within the form",
    ),
    (
        "level1",
        "string",
        "一级指标（如印）/ first-level category as printed",
    ),
    (
        "level2",
        "string",
        "二级指标（如印）/ second-level category as printed",
    ),
    ("name", "string", "三级指标 / indicator name"),
    ("target", "string", "年度指标值（如印）/ target as printed"),
    ("actual", "string", "实际完成值（如印）/ actual as printed"),
    ("weight", "number", "分值 / weight"),
    ("reported_score", "number", "自报得分 / score as printed"),
    (
        "computed_score",
        "number",
        "按规则计算的得分 / score computed by the rule profile",
    ),
    (
        "reason",
        "string",
        "偏差原因分析及改进措施 / deviation reason",
    ),
];

/// Field name, type and description of the forms CSV.
pub const FORM_FIELDS: &[(&str, &str, &str)] = &[
    ("form", "integer", "表序号（从 1 起）/ form number"),
    ("year", "integer", "年度 / year"),
    ("project", "string", "项目名称 / project"),
    ("department", "string", "主管部门 / department"),
    ("unit", "string", "实施单位 / implementing unit"),
    (
        "money_unit",
        "string",
        "表上印的金额单位（元/万元）/ money unit as printed",
    ),
    (
        "total_initial_yuan",
        "number",
        "年度资金总额·年初预算数（元）/ total, initial budget (yuan)",
    ),
    (
        "total_adjusted_yuan",
        "number",
        "年度资金总额·全年预算数（元）/ total, adjusted budget (yuan)",
    ),
    (
        "total_executed_yuan",
        "number",
        "年度资金总额·全年执行数（元）/ total, executed (yuan)",
    ),
    (
        "appropriation_adjusted_yuan",
        "number",
        "当年财政拨款·全年预算数（元）/ appropriation, adjusted (yuan)",
    ),
    (
        "appropriation_executed_yuan",
        "number",
        "当年财政拨款·全年执行数（元）/ appropriation, executed (yuan)",
    ),
    (
        "execution_rate_printed",
        "string",
        "执行率（如印）/ execution rate as printed",
    ),
    (
        "execution_rate_computed",
        "number",
        "执行率（计算，百分数）/ execution rate computed, in percent",
    ),
    (
        "budget_score_reported",
        "number",
        "预算执行得分（如印）/ budget score as printed",
    ),
    (
        "budget_score_computed",
        "number",
        "预算执行得分（计算）/ budget score computed",
    ),
    ("indicators", "integer", "指标个数 / number of indicators"),
    ("total_reported", "number", "总分（如印）/ total as printed"),
    ("total_computed", "number", "总分（计算）/ total computed"),
    ("grade_reported", "string", "等级（如印）/ grade as printed"),
    ("grade_computed", "string", "等级（计算）/ grade computed"),
    (
        "errors",
        "integer",
        "错误级审核发现数 / error-level findings",
    ),
    (
        "warnings",
        "integer",
        "警告级审核发现数 / warning-level findings",
    ),
    ("infos", "integer", "提示级审核发现数 / info-level findings"),
    ("profile", "string", "评分规则 / rule profile"),
    (
        "truncated",
        "boolean",
        "原表是否在总分行前中断 / the form was cut off before its 总分 row",
    ),
];

/// Writes the two CSVs, one form at a time (memory does not grow with the number of forms).
pub struct CsvWriter<'p, I: Write, F: Write> {
    indicators: I,
    forms: F,
    profile: &'p Profile,
    count: usize,
    line: String,
}

impl<'p, I: Write, F: Write> CsvWriter<'p, I, F> {
    /// Start both files (their header rows).
    pub fn new(mut indicators: I, mut forms: F, profile: &'p Profile) -> io::Result<Self> {
        let mut line = String::new();
        row(
            &mut line,
            &INDICATOR_FIELDS
                .iter()
                .map(|f| f.0.to_string())
                .collect::<Vec<_>>(),
        );
        indicators.write_all(line.as_bytes())?;
        line.clear();
        row(
            &mut line,
            &FORM_FIELDS
                .iter()
                .map(|f| f.0.to_string())
                .collect::<Vec<_>>(),
        );
        forms.write_all(line.as_bytes())?;
        Ok(CsvWriter {
            indicators,
            forms,
            profile,
            count: 0,
            line: String::new(),
        })
    }

    /// Write one form: its indicator rows and its form row.
    pub fn push(&mut self, ev: &Evaluation) -> io::Result<()> {
        let assessment = assess(ev, self.profile);
        self.push_assessed(ev, &assessment.scorecard, &assessment.findings)
    }

    /// Write one form already assessed (the batch audit assesses once for everything).
    pub fn push_assessed(
        &mut self,
        ev: &Evaluation,
        card: &Scorecard,
        findings: &[jixiao_core::Finding],
    ) -> io::Result<()> {
        self.count += 1;
        let form = self.count.to_string();
        let keys = [
            form.clone(),
            ev.year.map_or(String::new(), |y| y.to_string()),
            text(ev.project.as_deref()),
            text(ev.department.as_deref()),
            text(ev.unit.as_deref()),
        ];
        self.line.clear();
        for (i, ind) in ev.indicators.iter().enumerate() {
            let computed = card
                .indicators
                .get(i)
                .and_then(|s| s.computed.as_ref())
                .map_or(String::new(), |c| c.value.normalize().to_string());
            let mut values: Vec<String> = keys.to_vec();
            values.extend([
                (i + 1).to_string(),
                text(ind.level1.as_deref()),
                text(ind.level2.as_deref()),
                ind.name.to_string(),
                text(ind.target.as_deref()),
                text(ind.actual.as_deref()),
                dec(ind.weight),
                dec(ind.score),
                computed,
                text(ind.reason.as_deref()),
            ]);
            row(&mut self.line, &values);
        }
        self.indicators.write_all(self.line.as_bytes())?;

        let factor = match ev.money_unit.as_deref() {
            Some("元") => Some(Decimal::ONE),
            Some("万元") => Some(Decimal::from(10_000)),
            _ => None,
        };
        let yuan = |v: Option<Decimal>| match (v, factor) {
            (Some(v), Some(f)) => v.checked_mul(f).map_or(String::new(), |y| y.to_string()),
            _ => String::new(),
        };
        let by = |s: Severity| {
            findings
                .iter()
                .filter(|f| f.severity == s)
                .count()
                .to_string()
        };
        let f: &FundRow = &ev.funds.total;
        let a: &FundRow = &ev.funds.appropriation;
        let mut values: Vec<String> = keys.to_vec();
        values.extend([
            text(ev.money_unit.as_deref()),
            yuan(f.initial),
            yuan(f.adjusted),
            yuan(f.executed),
            yuan(a.adjusted),
            yuan(a.executed),
            text(ev.funds.rate_printed.as_deref()),
            // Blank, as for no rate, when the percent does not fit a Decimal.
            card.execution_rate
                .as_ref()
                .and_then(|c| c.value.checked_mul(Decimal::ONE_HUNDRED))
                .map_or(String::new(), |p| display_decimal(p, 2)),
            ev.funds
                .score
                .map_or(String::new(), |s| s.value.to_string()),
            card.budget_score
                .as_ref()
                .map_or(String::new(), |c| c.value.normalize().to_string()),
            ev.indicators.len().to_string(),
            ev.total_score
                .map_or(String::new(), |s| s.value.to_string()),
            card.total
                .as_ref()
                .map_or(String::new(), |c| c.value.normalize().to_string()),
            text(ev.grade.as_deref()),
            card.grade
                .as_ref()
                .map_or(String::new(), |g| g.grade.clone()),
            by(Severity::Error),
            by(Severity::Warning),
            by(Severity::Info),
            format!("{} {}", card.profile, card.profile_version),
            ev.truncated.to_string(),
        ]);
        self.line.clear();
        row(&mut self.line, &values);
        self.forms.write_all(self.line.as_bytes())
    }

    /// Flush both files; returns the number of forms written.
    pub fn finish(mut self) -> io::Result<usize> {
        self.indicators.flush()?;
        self.forms.flush()?;
        Ok(self.count)
    }
}

/// Write forms as JSON Lines: one canonical form object per line.
pub fn write_jsonl<W: Write>(mut out: W, forms: &[Evaluation]) -> io::Result<()> {
    for ev in forms {
        serde_json::to_writer(&mut out, ev).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn schema(fields: &[(&str, &str, &str)]) -> serde_json::Value {
    let fields: Vec<serde_json::Value> = fields
        .iter()
        .map(|(name, ty, description)| {
            let mut f = serde_json::json!({ "name": name, "type": ty, "description": description });
            if *ty == "number" {
                f["decimalChar"] = ".".into();
                f["groupChar"] = "".into();
                f["bareNumber"] = true.into();
            }
            f
        })
        .collect();
    serde_json::json!({ "fields": fields, "missingValues": [""] })
}

/// The Fiscal Data Package descriptor (`datapackage.json`) for the two CSVs, given their file
/// names (relative to the descriptor). The money columns are the package's measures (CNY,
/// in yuan); year, department, unit and project its dimensions.
pub fn datapackage(indicators_path: &str, forms_path: &str) -> String {
    let mut indicators = schema(INDICATOR_FIELDS);
    indicators["primaryKey"] = serde_json::json!(["form", "indicator"]);
    indicators["foreignKeys"] = serde_json::json!([
        { "fields": "form", "reference": { "resource": "forms", "fields": "form" } }
    ]);
    let mut forms = schema(FORM_FIELDS);
    forms["primaryKey"] = "form".into();
    let measure = |source: &str, title: &str| serde_json::json!({ "source": source, "currency": "CNY", "factor": 1, "title": title });
    let package = serde_json::json!({
        "profile": "fiscal-data-package",
        "name": "jixiao-performance-self-evaluations",
        "title": "项目支出绩效自评表 (project expenditure performance self-evaluations)",
        "description": "Forms read, scored and reviewed by Jixiao. Amounts in yuan (元); decimals are plain decimal numbers with '.' and no grouping; an empty field is a value not read. Computed values follow the rule profile named in forms.profile.",
        "licenses": [{ "name": "other-open", "title": "as published by the issuing authority" }],
        "resources": [
            {
                "name": "indicators",
                "path": indicators_path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": { "delimiter": ",", "quoteChar": "\"", "doubleQuote": true, "header": true, "lineTerminator": "\n" },
                "schema": indicators,
            },
            {
                "name": "forms",
                "path": forms_path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": { "delimiter": ",", "quoteChar": "\"", "doubleQuote": true, "header": true, "lineTerminator": "\n" },
                "schema": forms,
            }
        ],
        "model": {
            "measures": {
                "total_initial": measure("total_initial_yuan", "年初预算数 initial budget"),
                "total_adjusted": measure("total_adjusted_yuan", "全年预算数 adjusted budget"),
                "total_executed": measure("total_executed_yuan", "全年执行数 executed"),
                "appropriation_adjusted": measure("appropriation_adjusted_yuan", "当年财政拨款·全年预算数"),
                "appropriation_executed": measure("appropriation_executed_yuan", "当年财政拨款·全年执行数"),
            },
            "dimensions": {
                "date": { "dimensionType": "datetime", "attributes": { "year": { "source": "year" } }, "primaryKey": "year" },
                "administrative-classification": {
                    "dimensionType": "classification",
                    "classificationType": "administrative",
                    "attributes": {
                        "department": { "source": "department", "title": "主管部门" },
                        "unit": { "source": "unit", "title": "实施单位" }
                    },
                    "primaryKey": ["department", "unit"]
                },
                "project": {
                    "dimensionType": "other",
                    "attributes": { "form": { "source": "form" }, "project": { "source": "project", "title": "项目名称" } },
                    "primaryKey": "form"
                }
            }
        }
    });
    serde_json::to_string_pretty(&package).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed() {
        let mut s = String::new();
        row(
            &mut s,
            &[
                "a".into(),
                "b,c".into(),
                "say \"hi\"".into(),
                "x\ny".into(),
                "=3000件".into(),
            ],
        );
        assert_eq!(s, "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",=3000件\n");
    }
}
