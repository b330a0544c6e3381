//! The editor (编辑器): a draft or returned form, laid out like the official table, edited by
//! its unit's 填报人.
//!
//! The page is one HTML form whose fields are named after the model (`project`,
//! `funds.total.executed`, one `ind.name` … `ind.reason` set per indicator row, in row order).
//! It works without JavaScript: 保存 saves (with the version: a stale save is answered 409 with
//! the user's input kept on the page), 重新计算 recomputes without saving, and the row buttons
//! (添加 / 上移 / 下移 / 删除) re-render the page with the rows changed. With JavaScript
//! (`static/app.js`) the row buttons act in place and every keystroke is sent, debounced, to
//! `POST /evaluations/{id}/preview`, which answers the engine's numbers and findings as JSON.
//!
//! The fields are kept as the user typed them ([`EditorInput`]); a value that is not a number
//! is reported by field and row, and never guessed.

use crate::api::{self, CurrentUser};
use crate::error::{ApiError, ApiResult};
use crate::pages::{self, check_csrf};

use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use jixiao_core::{assess, Assessment, Evaluation, FundRow, Indicator, PrintedDecimal, Severity};
use jixiao_store::StoreError;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use tower_sessions::Session;

/// The four fund rows, in the official table's order: (field key, label).
pub const FUND_ROWS: [(&str, &str); 4] = [
    ("total", "年度资金总额"),
    ("appropriation", "其中：当年财政拨款"),
    ("carryover", "上年结转资金"),
    ("other", "其他资金"),
];
const FUND_COLS: [&str; 3] = ["initial", "adjusted", "executed"];

/// Limits that keep one form a form (as the API's).
const MAX_ROWS: usize = 500;
const MAX_TEXT: usize = 20_000;

/// One indicator row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowInput {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub target: String,
    pub actual: String,
    pub weight: String,
    pub score: String,
    pub reason: String,
}

impl RowInput {
    fn is_blank(&self) -> bool {
        [
            &self.level1,
            &self.level2,
            &self.name,
            &self.target,
            &self.actual,
            &self.weight,
            &self.score,
            &self.reason,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// The editor's fields exactly as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditorInput {
    pub year: String,
    pub project: String,
    pub department: String,
    pub unit: String,
    pub money_unit: String,
    /// `funds[row][col]`: rows as [`FUND_ROWS`], columns 年初预算数, 全年预算数, 全年执行数.
    pub funds: [[String; 3]; 4],
    pub budget_weight: String,
    /// The reported 执行率 in percent (`100.00%` or `100`).
    pub rate: String,
    pub budget_score: String,
    pub goal_expected: String,
    pub goal_actual: String,
    pub rows: Vec<RowInput>,
    pub total_weight: String,
    pub total: String,
    pub grade: String,
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl EditorInput {
    /// The fields of a stored form.
    pub fn from_evaluation(ev: &Evaluation) -> Self {
        let f = &ev.funds;
        let row = |r: &FundRow| [opt(&r.initial), opt(&r.adjusted), opt(&r.executed)];
        EditorInput {
            year: opt(&ev.year),
            project: opt(&ev.project),
            department: opt(&ev.department),
            unit: opt(&ev.unit),
            money_unit: ev.money_unit.clone().unwrap_or_else(|| "元".into()),
            funds: [
                row(&f.total),
                row(&f.appropriation),
                row(&f.carryover),
                row(&f.other),
            ],
            budget_weight: opt(&f.weight),
            rate: f.rate_printed.clone().unwrap_or_default(),
            budget_score: opt(&f.score.map(|p| p.value)),
            goal_expected: opt(&ev.goal_expected),
            goal_actual: opt(&ev.goal_actual),
            rows: ev
                .indicators
                .iter()
                .map(|i| RowInput {
                    level1: opt(&i.level1),
                    level2: opt(&i.level2),
                    name: i.name.to_string(),
                    target: opt(&i.target),
                    actual: opt(&i.actual),
                    weight: opt(&i.weight),
                    score: opt(&i.score),
                    reason: opt(&i.reason),
                })
                .collect(),
            total_weight: opt(&ev.total_weight),
            total: opt(&ev.total_score.map(|p| p.value)),
            grade: opt(&ev.grade),
        }
    }

    /// The fields of a posted form (`application/x-www-form-urlencoded`, in document order).
    /// Unknown names are ignored; the `ind.*` fields build one row per `ind.name`.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut e = EditorInput::default();
        for (key, value) in pairs {
            let v = value.clone();
            if let Some(field) = key.strip_prefix("ind.") {
                // Every row starts with its 一级指标 field.
                if field == "level1" || e.rows.is_empty() {
                    e.rows.push(RowInput::default());
                }
                let Some(row) = e.rows.last_mut() else {
                    continue;
                };
                match field {
                    "level1" => row.level1 = v,
                    "level2" => row.level2 = v,
                    "name" => row.name = v,
                    "target" => row.target = v,
                    "actual" => row.actual = v,
                    "weight" => row.weight = v,
                    "score" => row.score = v,
                    "reason" => row.reason = v,
                    _ => {}
                }
                continue;
            }
            if let Some(rest) = key.strip_prefix("funds.") {
                let mut parts = rest.split('.');
                let (Some(r), Some(c)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let r = FUND_ROWS.iter().position(|(k, _)| *k == r);
                let c = FUND_COLS.iter().position(|k| *k == c);
                if let (Some(r), Some(c)) = (r, c) {
                    e.funds[r][c] = v;
                }
                continue;
            }
            let slot = match key.as_str() {
                "year" => &mut e.year,
                "project" => &mut e.project,
                "department" => &mut e.department,
                "unit" => &mut e.unit,
                "money_unit" => &mut e.money_unit,
                "budget_weight" => &mut e.budget_weight,
                "rate" => &mut e.rate,
                "budget_score" => &mut e.budget_score,
                "goal_expected" => &mut e.goal_expected,
                "goal_actual" => &mut e.goal_actual,
                "total_weight" => &mut e.total_weight,
                "total" => &mut e.total,
                "grade" => &mut e.grade,
                _ => continue,
            };
            *slot = v;
        }
        e
    }

    /// The model of these fields, and the problems found in them (a number that is not one,
    /// a text too long …). `base`, the stored form, keeps what the editor does not show
    /// (provincial extra fund rows, the funds' 原因, source locations).
    pub fn to_evaluation(&self, base: Option<&Evaluation>) -> (Evaluation, Vec<String>) {
        let mut errors = Vec::new();
        let mut num = |label: &str, text: &str| -> Option<Decimal> {
            let t = text.trim();
            if t.is_empty() {
                return None;
            }
            match parse_decimal(t) {
                Some(d) => Some(d),
                None => {
                    errors.push(format!("{label}「{t}」不是数字 (not a number)"));
                    None
                }
            }
        };
        let mut ev = Evaluation::default();
        if let Some(base) = base {
            ev.funds.extra = base.funds.extra.clone();
            ev.funds.reason = base.funds.reason.clone();
            ev.funds.has_adjusted_column = base.funds.has_adjusted_column;
        }
        let year = self.year.trim();
        if !year.is_empty() {
            ev.year = year
                .parse::<i32>()
                .ok()
                .filter(|y| (1949..=2200).contains(y));
        }
        let mut rows = [
            FundRow::default(),
            FundRow::default(),
            FundRow::default(),
            FundRow::default(),
        ];
        for (r, (_, label)) in FUND_ROWS.iter().enumerate() {
            let cols = ["年初预算数", "全年预算数", "全年执行数"];
            rows[r] = FundRow {
                initial: num(&format!("{label} {}", cols[0]), &self.funds[r][0]),
                adjusted: num(&format!("{label} {}", cols[1]), &self.funds[r][1]),
                executed: num(&format!("{label} {}", cols[2]), &self.funds[r][2]),
                at: None,
            };
        }
        let [total, appropriation, carryover, other] = rows;
        ev.funds.total = total;
        ev.funds.appropriation = appropriation;
        ev.funds.carryover = carryover;
        ev.funds.other = other;
        ev.funds.weight = num("预算执行率 分值", &self.budget_weight);
        let rate = self.rate.trim();
        if let Some(r) = num("执行率", rate.trim_end_matches(['%', '％']).trim_end()) {
            ev.funds.rate_printed = Some(if rate.ends_with(['%', '％']) {
                rate.to_owned()
            } else {
                format!("{rate}%")
            });
            ev.funds.rate = Some(PrintedDecimal::new(r / Decimal::ONE_HUNDRED, r.scale()));
        }
        ev.funds.score = num("预算执行率 得分", &self.budget_score).map(printed);
        ev.total_weight = num("总分 分值", &self.total_weight);
        ev.total_score = num("总分 得分", &self.total).map(printed);
        ev.indicators = self
            .rows
            .iter()
            .filter(|r| !r.is_blank())
            .enumerate()
            .map(|(i, r)| {
                let n = i + 1;
                Indicator {
                    level1: text(&r.level1),
                    level2: text(&r.level2),
                    name: r.name.trim().into(),
                    target: text(&r.target),
                    actual: text(&r.actual),
                    weight: num(&format!("第 {n} 行 分值"), &r.weight),
                    score: num(&format!("第 {n} 行 得分"), &r.score),
                    reason: text(&r.reason),
                    at: Default::default(),
                }
            })
            .collect();
        ev.project = text(&self.project);
        ev.department = text(&self.department);
        ev.unit = text(&self.unit);
        ev.money_unit = text(&self.money_unit);
        ev.goal_expected = text(&self.goal_expected);
        ev.goal_actual = text(&self.goal_actual);
        ev.grade = text(&self.grade);
        if !year.is_empty() && ev.year.is_none() {
            errors.push(format!(
                "年度「{year}」须为四位年份 (the year must be a year)"
            ));
        }
        if ev.indicators.len() > MAX_ROWS {
            errors.push(format!(
                "指标过多（最多 {MAX_ROWS} 行）(too many indicator rows)"
            ));
        }
        let long = [
            &self.project,
            &self.department,
            &self.unit,
            &self.goal_expected,
            &self.goal_actual,
        ]
        .iter()
        .any(|t| t.len() > MAX_TEXT)
            || self.rows.iter().any(|r| {
                [
                    &r.name, &r.target, &r.actual, &r.reason, &r.level1, &r.level2,
                ]
                .iter()
                .any(|t| t.len() > MAX_TEXT)
            });
        if long {
            errors.push("文字过长 (a text is too long)".into());
        }
        (ev, errors)
    }

    /// The fields as the page posts them, in document order (for tests and clients).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, v: &str| out.push((k.to_owned(), v.to_owned()));
        put("year", &self.year);
        put("project", &self.project);
        put("department", &self.department);
        put("unit", &self.unit);
        put("money_unit", &self.money_unit);
        for (r, (key, _)) in FUND_ROWS.iter().enumerate() {
            for (c, col) in FUND_COLS.iter().enumerate() {
                put(&format!("funds.{key}.{col}"), &self.funds[r][c]);
            }
            if r == 0 {
                put("budget_weight", &self.budget_weight);
                put("rate", &self.rate);
                put("budget_score", &self.budget_score);
            }
        }
        put("goal_expected", &self.goal_expected);
        put("goal_actual", &self.goal_actual);
        for row in &self.rows {
            put("ind.level1", &row.level1);
            put("ind.level2", &row.level2);
            put("ind.name", &row.name);
            put("ind.target", &row.target);
            put("ind.actual", &row.actual);
            put("ind.weight", &row.weight);
            put("ind.score", &row.score);
            put("ind.reason", &row.reason);
        }
        put("total_weight", &self.total_weight);
        put("total", &self.total);
        put("grade", &self.grade);
        out
    }

    /// Apply a row operation of the no-JavaScript path: `add`, `up:N`, `down:N`, `remove:N`
    /// (N 0-based). Unknown operations change nothing.
    pub fn apply_row_op(&mut self, op: &str) {
        if op == "add" {
            self.rows.push(RowInput::default());
            return;
        }
        let Some((what, n)) = op.split_once(':') else {
            return;
        };
        let Ok(n) = n.parse::<usize>() else {
            return;
        };
        if n >= self.rows.len() {
            return;
        }
        match what {
            "up" if n > 0 => self.rows.swap(n, n - 1),
            "down" if n + 1 < self.rows.len() => self.rows.swap(n, n + 1),
            "remove" => {
                self.rows.remove(n);
            }
            _ => {}
        }
    }
}

fn text<T: for<'a> From<&'a str>>(s: &str) -> Option<T> {
    let t = s.trim();
    (!t.is_empty()).then(|| T::from(t))
}

fn printed(d: Decimal) -> PrintedDecimal {
    PrintedDecimal::new(d, d.scale())
}

/// A decimal as people type it: `501,010.00`, `１２`, ` 7 `.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '－' => '-',
            c => c,
        })
        .collect();
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    Decimal::from_str(&t).ok()
}

fn shown(v: Decimal) -> String {
    v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

/// The engine's numbers for the editor (the preview endpoint's JSON, and the page).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Computed {
    /// `100%`.
    pub rate: String,
    pub budget_score: String,
    /// One per indicator row sent, blank rows included (as `""`), in row order.
    pub indicators: Vec<String>,
    /// Rows (same indexing) with a finding.
    pub flagged: Vec<usize>,
    pub total: String,
    pub grade: String,
    pub findings: Vec<FindingOut>,
    /// Fields that could not be read (not numbers …).
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FindingOut {
    pub severity: String,
    pub severity_label: String,
    pub code: String,
    pub message: String,
    pub message_en: String,
    /// The row (0-based, as sent) the finding is about.
    pub row: Option<usize>,
    /// `第 3 行 名称`, for the reader.
    pub place: String,
}

pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "错误",
        Severity::Warning => "警告",
        _ => "提示",
    }
}

/// Assess the input and map the results back onto its rows (blank rows are not in the model).
pub fn compute(
    input: &EditorInput,
    ev: &Evaluation,
    a: &Assessment,
    errors: &[String],
) -> Computed {
    let rows: Vec<usize> = input
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_blank())
        .map(|(i, _)| i)
        .collect();
    let card = &a.scorecard;
    let mut indicators = vec![String::new(); input.rows.len()];
    for sc in &card.indicators {
        if let (Some(row), Some(c)) = (rows.get(sc.index), &sc.computed) {
            indicators[*row] = shown(c.value);
        }
    }
    let mut flagged: Vec<usize> = a
        .findings
        .iter()
        .filter_map(|f| f.indicator.and_then(|i| rows.get(i).copied()))
        .collect();
    flagged.sort_unstable();
    flagged.dedup();
    Computed {
        rate: card
            .execution_rate
            .as_ref()
            // Blank, as for no rate, when the percent does not fit a Decimal (a rate from
            // amounts typed into the form can be anything).
            .and_then(|c| c.value.checked_mul(Decimal::ONE_HUNDRED))
            .map(|p| format!("{}%", shown(p)))
            .unwrap_or_default(),
        budget_score: card
            .budget_score
            .as_ref()
            .map(|c| shown(c.value))
            .unwrap_or_default(),
        indicators,
        flagged,
        total: card
            .total
            .as_ref()
            .map(|c| shown(c.value))
            .unwrap_or_default(),
        grade: card
            .grade
            .as_ref()
            .map(|g| g.grade.clone())
            .unwrap_or_default(),
        findings: a
            .findings
            .iter()
            .map(|f| {
                let row = f.indicator.and_then(|i| rows.get(i).copied());
                FindingOut {
                    severity: f.severity.as_str().to_owned(),
                    severity_label: severity_label(f.severity).to_owned(),
                    code: f.code.to_string(),
                    message: f.message.clone(),
                    message_en: f.message_en.clone(),
                    row,
                    place: match (row, f.indicator.and_then(|i| ev.indicators.get(i))) {
                        (Some(r), Some(ind)) => format!("第 {} 行 {}", r + 1, ind.name),
                        _ => String::new(),
                    },
                }
            })
            .collect(),
        errors: errors.to_vec(),
    }
}

/// Assess what the user typed.
pub fn assess_input(
    state: &AppState,
    input: &EditorInput,
    base: Option<&Evaluation>,
) -> (Evaluation, Computed) {
    let (ev, errors) = input.to_evaluation(base);
    let a = assess(&ev, &state.profile);
    let c = compute(input, &ev, &a, &errors);
    (ev, c)
}

/// The values a field of the posted form has (the CSRF token, the version, the operation).
fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `POST /evaluations/{id}/edit`: save (`op=save`), recompute (`op=recompute`) or a row
/// operation; without JavaScript this is the whole editor.
pub async fn edit_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> ApiResult<Response> {
    check_csrf(&session, field(&pairs, "csrf").unwrap_or_default()).await?;
    let record = api::readable(&state, &user, id).await?;
    if !crate::access::can_edit(&user, &record.summary) {
        return Err(ApiError::forbidden());
    }
    let mut input = EditorInput::from_pairs(&pairs);
    let op = field(&pairs, "op").unwrap_or("save");
    let posted_version = field(&pairs, "version").and_then(|v| v.trim().parse::<i64>().ok());
    if op != "save" {
        if op != "recompute" {
            input.apply_row_op(op);
        }
        let page = pages::editor_page(
            &state,
            &session,
            &user,
            &record,
            input,
            posted_version,
            None,
        )
        .await?;
        return Ok(page.into_response());
    }
    let (form, computed) = assess_input(&state, &input, Some(&record.form));
    if !computed.errors.is_empty() {
        let msg = format!(
            "未保存：请更正以下内容 (not saved; please correct): {}",
            computed.errors.join("；")
        );
        let page = pages::editor_page(
            &state,
            &session,
            &user,
            &record,
            input,
            posted_version,
            Some(msg),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let Some(version) = posted_version else {
        return Err(ApiError::unprocessable(
            "缺少 version（乐观锁）(version is required)",
        ));
    };
    let a = assess(&form, &state.profile);
    match state
        .store
        .update_evaluation(
            id,
            version,
            &form,
            &crate::derived::scored(&form, &a, &state.profile),
            user.id,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/evaluations/{id}?saved=1")).into_response()),
        Err(StoreError::Conflict { current }) => {
            // Keep what the user typed; the next save (with the current version) overwrites.
            let msg = format!(
                "保存失败：此表已被他人修改（您编辑的是第 {version} 版，当前为第 {current} 版）。\
                 您的输入仍保留在下方，尚未保存；可在新窗口查看最新版本，核对后再次点击“保存”\
                 将以您的内容覆盖。(Not saved: someone else changed this form meanwhile — you \
                 edited version {version}, it is now at version {current}. Your input is kept \
                 below; saving again overwrites with it.)"
            );
            let fresh = state
                .store
                .get_evaluation(id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            if !fresh.summary.status.is_editable() {
                return Err(StoreError::NotEditable {
                    status: fresh.summary.status,
                }
                .into());
            }
            let page = pages::editor_page(
                &state,
                &session,
                &user,
                &fresh,
                input,
                Some(current),
                Some(msg),
            )
            .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /evaluations/{id}/preview`: the engine's numbers for what is typed, as JSON (the
/// editor's live recomputation). Stores nothing.
pub async fn preview_post(
    State(state): State<AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> ApiResult<Response> {
    check_csrf(&session, field(&pairs, "csrf").unwrap_or_default()).await?;
    let record = api::readable(&state, &user, id).await?;
    let input = EditorInput::from_pairs(&pairs);
    let (_, computed) = assess_input(&state, &input, Some(&record.form));
    Ok(Json(computed).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Vec<Evaluation> {
        jixiao_formats::read_bytes(crate::demo::SEED)
            .forms
            .into_iter()
            .map(|f| f.evaluation)
            .collect()
    }

    /// The fields of a stored form, posted back unchanged, give the same form.
    #[test]
    fn fields_round_trip() {
        for ev in seed() {
            let input = EditorInput::from_evaluation(&ev);
            let mut pairs = vec![("csrf".to_string(), "x".to_string())];
            pairs.extend(input.to_pairs());
            let back = EditorInput::from_pairs(&pairs);
            assert_eq!(back, input);
            let (form, errors) = back.to_evaluation(Some(&ev));
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(form.indicators.len(), ev.indicators.len());
            for (a, b) in form.indicators.iter().zip(&ev.indicators) {
                assert_eq!((&a.name, a.weight, a.score), (&b.name, b.weight, b.score));
            }
            assert_eq!(form.funds.total.executed, ev.funds.total.executed);
            assert_eq!(
                form.funds.rate.map(|r| r.value),
                ev.funds.rate.map(|r| r.value)
            );
            assert_eq!(
                form.total_score.map(|p| p.value),
                ev.total_score.map(|p| p.value)
            );
        }
    }

    #[test]
    fn numbers_are_read_or_reported_never_guessed() {
        assert_eq!(
            parse_decimal("501,010.00").unwrap().to_string(),
            "501010.00"
        );
        assert_eq!(parse_decimal("１２").unwrap(), Decimal::from(12));
        assert!(parse_decimal("七").is_none());
        let input = EditorInput {
            rows: vec![RowInput {
                name: "x".into(),
                weight: "abc".into(),
                ..RowInput::default()
            }],
            year: "20x3".into(),
            ..EditorInput::default()
        };
        let (ev, errors) = input.to_evaluation(None);
        assert_eq!(ev.indicators[0].weight, None);
        assert!(
            errors.iter().any(|e| e.contains("第 1 行 分值")),
            "{errors:?}"
        );
        assert!(errors.iter().any(|e| e.contains("年度")), "{errors:?}");
    }

    #[test]
    fn row_operations() {
        let row = |n: &str| RowInput {
            name: n.into(),
            ..RowInput::default()
        };
        let mut e = EditorInput {
            rows: vec![row("a"), row("b"), row("c")],
            ..EditorInput::default()
        };
        e.apply_row_op("up:2");
        e.apply_row_op("down:0");
        e.apply_row_op("remove:5");
        let names: Vec<_> = e.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["c", "a", "b"]);
        e.apply_row_op("remove:1");
        e.apply_row_op("add");
        let names: Vec<_> = e.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["c", "b", ""]);
        // A blank row is no indicator.
        assert_eq!(e.to_evaluation(None).0.indicators.len(), 2);
    }
}
