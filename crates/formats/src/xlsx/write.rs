//! Writing .xlsx in the official layout of 项目支出绩效自评表.
//!
//! Columns A–I as the central template prints them: A holds the block labels (项目资金,
//! 年度总体目标, 绩效指标, merged down their block), B–I the cells; the indicator table is
//! 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 with 一级 and 二级 merged
//! over their runs. Values are written as printed: text as strings (a target `=3000件` stays a
//! string, never a formula), amounts and scores as numbers whose number format keeps their
//! printed decimals, the execution rate as a percentage when its printed text is exactly what
//! the percentage format shows (else as the printed text). Reading the file back gives the same
//! form.

use jixiao_core::score::display_decimal;
use jixiao_core::{assess, Assessment, Evaluation, FundRow, Profile};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

/// What to write besides the forms.
#[derive(Debug, Clone, Copy, Default)]
pub struct XlsxOptions<'p> {
    /// Add a column of computed scores (by this profile) and a sheet listing the findings.
    pub review: Option<&'p Profile>,
    /// Put every form on one sheet, one under the other (as some provinces file them),
    /// instead of one sheet per form.
    pub one_sheet: bool,
}

const COLS: u16 = 9;
/// Column widths (A–I, then the review column J), in Excel's character units.
const WIDTHS: [f64; 10] = [10.0, 15.0, 15.0, 26.0, 13.0, 13.0, 7.0, 7.0, 28.0, 12.0];
const FONT: &str = "SimSun";
/// Header of the computed-score column `--with-review` adds: the reader skips the column
/// (computed values are not printed content).
pub(crate) const REVIEW_HEADER: &str = "规则计算得分（Jixiao）";
/// A sheet whose first cell starts with this was written by Jixiao as a report (findings,
/// audit summaries), not a form: the reader skips it.
pub const REPORT_MARK: &str = "【Jixiao】";
/// First cell of the findings sheet `--with-review` adds.
const FINDINGS_MARK: &str = "【Jixiao】审核发现（按规则计算，非自评表内容）";
const TITLE_FONT: &str = "SimHei";

fn base() -> Format {
    Format::new()
        .set_font_name(FONT)
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter)
}

fn text_fmt() -> Format {
    base().set_align(FormatAlign::Left)
}

fn label_fmt() -> Format {
    base().set_align(FormatAlign::Center)
}

fn head_fmt() -> Format {
    label_fmt()
        .set_bold()
        .set_background_color(Color::RGB(0xF2F2F2))
}

fn review_fmt() -> Format {
    label_fmt().set_background_color(Color::RGB(0xFFF2CC))
}

/// A number format that shows `decimals` decimals (`0`, `0.00`; `#,##0.00` for money).
fn num_fmt(decimals: u32, money: bool) -> Format {
    let mut code = String::from(if money { "#,##0" } else { "0" });
    if decimals > 0 {
        code.push('.');
        code.push_str(&"0".repeat(decimals.min(10) as usize));
    }
    base().set_align(FormatAlign::Right).set_num_format(code)
}

fn pct_fmt(decimals: u32) -> Format {
    let mut code = String::from("0");
    if decimals > 0 {
        code.push('.');
        code.push_str(&"0".repeat(decimals.min(10) as usize));
    }
    code.push('%');
    base().set_align(FormatAlign::Right).set_num_format(code)
}

fn as_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

/// Write a text cell, or a merged range of it. Always a string: `=…` stays text.
fn text(
    ws: &mut Worksheet,
    (r0, c0): (u32, u16),
    (r1, c1): (u32, u16),
    value: &str,
    fmt: &Format,
) -> Result<(), XlsxError> {
    if (r0, c0) == (r1, c1) {
        ws.write_string_with_format(r0, c0, value, fmt)?;
    } else {
        ws.merge_range(r0, c0, r1, c1, value, fmt)?;
    }
    Ok(())
}

fn decimal(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    value: Option<Decimal>,
    money: bool,
) -> Result<(), XlsxError> {
    match value {
        Some(d) => ws.write_number_with_format(r, c, as_f64(d), &num_fmt(d.scale(), money))?,
        None => ws.write_blank(r, c, &base())?,
    };
    Ok(())
}

/// Display width of a text in character units (CJK counts two).
fn width_of(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum()
}

/// Rows are given a height that fits their wrapped text (xlsx has no auto-fit on write).
struct Heights(Vec<(u32, f64)>);

impl Heights {
    fn fit(&mut self, row: u32, text: &str, first_col: u16, last_col: u16) {
        let width: f64 = (first_col..=last_col)
            .map(|c| WIDTHS[c as usize])
            .sum::<f64>()
            .max(4.0);
        let lines = text
            .split('\n')
            .map(|l| (width_of(l) / (width - 1.0)).ceil().max(1.0))
            .sum::<f64>();
        let h = lines * 13.5 + 5.0;
        match self.0.iter_mut().find(|(r, _)| *r == row) {
            Some((_, old)) => *old = old.max(h),
            None => self.0.push((row, h)),
        }
    }
}

/// Write forms to an .xlsx workbook in memory.
pub fn write_xlsx(forms: &[Evaluation], options: XlsxOptions<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let mut names: Vec<String> = Vec::new();
    let assessments: Vec<Option<Assessment>> = forms
        .iter()
        .map(|ev| options.review.map(|p| assess(ev, p)))
        .collect();
    if options.one_sheet {
        let ws = book.add_worksheet();
        ws.set_name("自评表")?;
        names.push("自评表".into());
        setup_sheet(ws, options.review.is_some());
        let mut row = 0u32;
        for (ev, a) in forms.iter().zip(&assessments) {
            let (next, _) = write_form(ws, row, ev, a.as_ref())?;
            row = next + 2;
        }
    } else {
        for (i, (ev, a)) in forms.iter().zip(&assessments).enumerate() {
            let name = sheet_name(i, ev.project.as_deref(), &names);
            let ws = book.add_worksheet();
            ws.set_name(&name)?;
            names.push(name);
            setup_sheet(ws, options.review.is_some());
            let (_, header_row) = write_form(ws, 0, ev, a.as_ref())?;
            if let Some(h) = header_row {
                ws.set_repeat_rows(h, h)?;
            }
        }
        if forms.is_empty() {
            book.add_worksheet();
        }
    }
    if let Some(profile) = options.review {
        write_findings(
            &mut book,
            forms,
            &assessments,
            &names,
            options.one_sheet,
            profile,
        )?;
    }
    book.save_to_buffer()
}

fn setup_sheet(ws: &mut Worksheet, review: bool) {
    let n = if review { 10 } else { 9 };
    for (c, w) in WIDTHS.iter().enumerate().take(n) {
        let _ = ws.set_column_width(c as u16, *w);
    }
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0); // one page wide, as many long as needed
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    ws.set_footer("&C第 &P 页，共 &N 页");
}

/// A sheet name: `1 工伤鉴定`, at most 31 characters, without `[]:*?/\`, unique.
fn sheet_name(i: usize, project: Option<&str>, taken: &[String]) -> String {
    let project: String = project
        .unwrap_or("自评表")
        .chars()
        .filter(|c| {
            !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\'') && !c.is_control()
        })
        .collect();
    let mut name: String = format!("表{} {}", i + 1, project.trim())
        .chars()
        .take(31)
        .collect();
    name = name.trim().to_string();
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{}", i + 1 + taken.len());
    }
    name
}

/// Write one form from `row` on; returns the row after it and the indicator header row.
fn write_form(
    ws: &mut Worksheet,
    start: u32,
    ev: &Evaluation,
    assessment: Option<&Assessment>,
) -> Result<(u32, Option<u32>), XlsxError> {
    let last = COLS - 1;
    let mut heights = Heights(Vec::new());
    let mut r = start;
    let title = Format::new()
        .set_font_name(TITLE_FONT)
        .set_font_size(16)
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    ws.merge_range(r, 0, r, last, "项目支出绩效自评表", &title)?;
    ws.set_row_height(r, 30)?;
    r += 1;
    if let Some(year) = ev.year {
        let sub = Format::new()
            .set_font_name(FONT)
            .set_font_size(11)
            .set_align(FormatAlign::Center);
        ws.merge_range(r, 0, r, last, &format!("（{year}年度）"), &sub)?;
        r += 1;
    }
    // Header block.
    ws.write_string_with_format(r, 0, "项目名称", &label_fmt())?;
    let project = ev.project.as_deref().unwrap_or("");
    text(ws, (r, 1), (r, last), project, &text_fmt())?;
    heights.fit(r, project, 1, last);
    r += 1;
    ws.write_string_with_format(r, 0, "主管部门", &label_fmt())?;
    let department = ev.department.as_deref().unwrap_or("");
    text(ws, (r, 1), (r, 3), department, &text_fmt())?;
    ws.write_string_with_format(r, 4, "实施单位", &label_fmt())?;
    let unit = ev.unit.as_deref().unwrap_or("");
    text(ws, (r, 5), (r, last), unit, &text_fmt())?;
    heights.fit(r, department, 1, 3);
    heights.fit(r, unit, 5, last);
    r += 1;

    // Funds block.
    let funds = &ev.funds;
    #[derive(Clone, Copy, PartialEq)]
    enum Col {
        Initial,
        Adjusted,
        Executed,
        Weight,
        Rate,
        Score,
        Reason,
    }
    let mut cols = vec![Col::Initial];
    if funds.has_adjusted_column {
        cols.push(Col::Adjusted);
    }
    cols.extend([Col::Executed, Col::Weight, Col::Rate, Col::Score]);
    if funds.reason.is_some() {
        cols.push(Col::Reason);
    }
    let mut rows: Vec<(String, &FundRow)> = vec![
        ("年度资金总额".into(), &funds.total),
        ("其中：当年财政拨款".into(), &funds.appropriation),
        ("上年结转资金".into(), &funds.carryover),
        ("其他资金".into(), &funds.other),
    ];
    for (label, row) in &funds.extra {
        rows.push((label.clone(), row));
    }
    let unit = ev
        .money_unit
        .as_deref()
        .map_or(String::new(), |u| format!("（{u}）"));
    let funds_top = r;
    let funds_bottom = r + rows.len() as u32;
    text(
        ws,
        (funds_top, 0),
        (funds_bottom, 0),
        &format!("项目资金{unit}"),
        &label_fmt(),
    )?;
    ws.write_blank(r, 1, &head_fmt())?;
    for (i, col) in cols.iter().enumerate() {
        let label = match col {
            Col::Initial => "年初预算数",
            Col::Adjusted => "全年预算数",
            Col::Executed => "全年执行数",
            Col::Weight => "分值",
            Col::Rate => "执行率",
            Col::Score => "得分",
            Col::Reason => "原因",
        };
        ws.write_string_with_format(r, 2 + i as u16, label, &head_fmt())?;
    }
    for c in 2 + cols.len() as u16..COLS {
        ws.write_blank(r, c, &head_fmt())?;
    }
    r += 1;
    for (n, (label, row)) in rows.iter().enumerate() {
        let is_total = n == 0;
        ws.write_string_with_format(r, 1, label, &label_fmt())?;
        heights.fit(r, label, 1, 1);
        for (i, col) in cols.iter().enumerate() {
            let c = 2 + i as u16;
            match col {
                Col::Initial => decimal(ws, r, c, row.initial, true)?,
                Col::Adjusted => decimal(ws, r, c, row.adjusted, true)?,
                Col::Executed => decimal(ws, r, c, row.executed, true)?,
                _ if !is_total => {
                    ws.write_string_with_format(r, c, "—", &label_fmt())?;
                }
                Col::Weight => decimal(ws, r, c, funds.weight, false)?,
                Col::Rate => write_rate(ws, r, c, ev)?,
                Col::Score => match funds.score {
                    Some(s) => {
                        ws.write_number_with_format(
                            r,
                            c,
                            as_f64(s.value),
                            &num_fmt(s.decimals, false),
                        )?;
                    }
                    None => {
                        ws.write_blank(r, c, &base())?;
                    }
                },
                Col::Reason => {
                    let reason = funds.reason.as_deref().unwrap_or("");
                    ws.write_string_with_format(r, c, reason, &text_fmt())?;
                    heights.fit(r, reason, c, c);
                }
            }
        }
        for c in 2 + cols.len() as u16..COLS {
            ws.write_blank(r, c, &base())?;
        }
        if is_total {
            if let Some(a) = assessment {
                let v = a
                    .scorecard
                    .budget_score
                    .as_ref()
                    .map(|c| c.display())
                    .unwrap_or_default();
                ws.write_string_with_format(r, COLS, &v, &review_fmt())?;
            }
        }
        r += 1;
    }

    // Goals.
    text(ws, (r, 0), (r + 1, 0), "年度总体目标", &label_fmt())?;
    text(ws, (r, 1), (r, 4), "预期目标", &head_fmt())?;
    text(ws, (r, 5), (r, last), "实际完成情况", &head_fmt())?;
    r += 1;
    let expected = ev.goal_expected.as_deref().unwrap_or("");
    let actual = ev.goal_actual.as_deref().unwrap_or("");
    text(ws, (r, 1), (r, 4), expected, &text_fmt())?;
    text(ws, (r, 5), (r, last), actual, &text_fmt())?;
    heights.fit(r, expected, 1, 4);
    heights.fit(r, actual, 5, last);
    r += 1;

    // Indicator table.
    let header = r;
    let n = ev.indicators.len() as u32;
    text(
        ws,
        (header, 0),
        (header + n.max(1), 0),
        "绩效指标",
        &label_fmt(),
    )?;
    let heads = [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ];
    for (i, h) in heads.iter().enumerate() {
        ws.write_string_with_format(header, 1 + i as u16, *h, &head_fmt())?;
    }
    if assessment.is_some() {
        ws.write_string_with_format(header, COLS, REVIEW_HEADER, &review_fmt().set_bold())?;
    }
    heights.fit(header, "偏差原因分析及改进措施", 8, 8);
    r += 1;
    let first = r;
    // Runs of equal 一级 (and of equal 一级+二级) are merged.
    let l1: Vec<(Option<&str>, Option<&str>)> = ev
        .indicators
        .iter()
        .map(|ind| (None, ind.level1.as_deref()))
        .collect();
    let l2: Vec<(Option<&str>, Option<&str>)> = ev
        .indicators
        .iter()
        .map(|ind| (ind.level1.as_deref(), ind.level2.as_deref()))
        .collect();
    for (s, e) in runs(&l1) {
        let label = ev.indicators[s].level1.as_deref().unwrap_or("");
        text(
            ws,
            (first + s as u32, 1),
            (first + e as u32, 1),
            label,
            &label_fmt(),
        )?;
    }
    for (s, e) in runs(&l2) {
        let label = ev.indicators[s].level2.as_deref().unwrap_or("");
        text(
            ws,
            (first + s as u32, 2),
            (first + e as u32, 2),
            label,
            &label_fmt(),
        )?;
    }
    for (i, ind) in ev.indicators.iter().enumerate() {
        let row = first + i as u32;
        ws.write_string_with_format(row, 3, ind.name.as_str(), &text_fmt())?;
        heights.fit(row, &ind.name, 3, 3);
        for (c, value) in [(4u16, &ind.target), (5, &ind.actual)] {
            let v = value.as_deref().unwrap_or("");
            ws.write_string_with_format(row, c, v, &label_fmt())?;
            heights.fit(row, v, c, c);
        }
        decimal(ws, row, 6, ind.weight, false)?;
        decimal(ws, row, 7, ind.score, false)?;
        let reason = ind.reason.as_deref().unwrap_or("");
        ws.write_string_with_format(row, 8, reason, &text_fmt())?;
        heights.fit(row, reason, 8, 8);
        if let Some(a) = assessment {
            let v = a
                .scorecard
                .indicators
                .get(i)
                .and_then(|s| s.computed.as_ref())
                .map(|c| c.display())
                .unwrap_or_else(|| "—".into());
            ws.write_string_with_format(row, COLS, &v, &review_fmt())?;
        }
    }
    r = first + n;
    if n == 0 {
        // The 绩效指标 label spans one empty row.
        for c in 1..COLS {
            ws.write_blank(r, c, &base())?;
        }
        r += 1;
    }

    // 总分 (a form cut off before it, as printed, is written without it).
    let cut_off =
        ev.truncated && ev.total_weight.is_none() && ev.total_score.is_none() && ev.grade.is_none();
    if cut_off {
        for (row, h) in heights.0 {
            ws.set_row_height(row, h.max(20.0))?;
        }
        return Ok((r, Some(header)));
    }
    text(ws, (r, 0), (r, 5), "总分", &head_fmt())?;
    decimal(ws, r, 6, ev.total_weight, false)?;
    match ev.total_score {
        Some(s) => {
            ws.write_number_with_format(r, 7, as_f64(s.value), &num_fmt(s.decimals, false))?;
        }
        None => {
            ws.write_blank(r, 7, &base())?;
        }
    }
    ws.write_string_with_format(r, 8, ev.grade.as_deref().unwrap_or(""), &label_fmt())?;
    if let Some(a) = assessment {
        let total = a
            .scorecard
            .total
            .as_ref()
            .map(|c| c.display())
            .unwrap_or_default();
        let grade = a
            .scorecard
            .grade
            .as_ref()
            .map(|g| g.grade.as_str())
            .unwrap_or("");
        ws.write_string_with_format(r, COLS, format!("{total} {grade}"), &review_fmt())?;
    }
    r += 1;
    for (row, h) in heights.0 {
        ws.set_row_height(row, h.max(20.0))?;
    }
    Ok((r, Some(header)))
}

/// The printed rate: a number in a percentage format when that format shows exactly the
/// printed text, else the printed text itself.
fn write_rate(ws: &mut Worksheet, r: u32, c: u16, ev: &Evaluation) -> Result<(), XlsxError> {
    let funds = &ev.funds;
    match (&funds.rate_printed, funds.rate) {
        (Some(printed), Some(rate)) => {
            // A rate whose percent does not fit a Decimal is not the printed text: the text is
            // written as printed.
            let shown = rate
                .value
                .checked_mul(Decimal::ONE_HUNDRED)
                .map(|p| format!("{}%", display_decimal(p, rate.decimals)));
            if shown.as_deref() == Some(printed.as_str()) {
                ws.write_number_with_format(r, c, as_f64(rate.value), &pct_fmt(rate.decimals))?;
            } else {
                ws.write_string_with_format(r, c, printed, &label_fmt())?;
            }
        }
        (Some(printed), None) => {
            ws.write_string_with_format(r, c, printed, &label_fmt())?;
        }
        _ => {
            ws.write_blank(r, c, &base())?;
        }
    }
    Ok(())
}

fn write_findings(
    book: &mut Workbook,
    forms: &[Evaluation],
    assessments: &[Option<Assessment>],
    names: &[String],
    one_sheet: bool,
    profile: &Profile,
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name("审核发现")?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(1, 1)?;
    let widths = [14.0, 24.0, 22.0, 8.0, 12.0, 60.0, 30.0];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.write_string_with_format(0, 0, FINDINGS_MARK, &Format::new().set_bold())?;
    let heads = ["工作表", "项目", "代码", "严重程度", "位置", "说明", "依据"];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &head_fmt())?;
    }
    let mut r = 2u32;
    for (i, (ev, a)) in forms.iter().zip(assessments).enumerate() {
        let Some(a) = a else { continue };
        let sheet = if one_sheet { &names[0] } else { &names[i] };
        for f in &a.findings {
            let name = f
                .indicator
                .and_then(|k| ev.indicators.get(k))
                .map(|ind| format!("「{}」", ind.name))
                .unwrap_or_default();
            let cells = [
                sheet.clone(),
                ev.project.clone().unwrap_or_default(),
                f.code.to_string(),
                f.severity.label_zh().to_string(),
                f.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                format!("{name}{}", f.message),
                f.rule.to_string(),
            ];
            let mut lines = 1.0f64;
            for (c, v) in cells.iter().enumerate() {
                ws.write_string_with_format(r, c as u16, v, &text_fmt())?;
                lines = lines.max((width_of(v) / (widths[c] - 1.0)).ceil());
            }
            ws.set_row_height(r, lines * 13.5 + 5.0)?;
            r += 1;
        }
    }
    ws.write_string(
        r + 1,
        0,
        format!("评分规则 (profile): {} {}", profile.name, profile.version),
    )?;
    Ok(())
}

/// Runs of equal, non-blank keys: `(first, last)` index pairs.
fn runs(keys: &[(Option<&str>, Option<&str>)]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        match out.last_mut() {
            Some((s, e)) if keys[*s] == *key && key.1.is_some() => *e = i,
            _ => out.push((i, i)),
        }
    }
    out
}
