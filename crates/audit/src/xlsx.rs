//! The audit report as a workbook (`--xlsx`): 总览, 审核发现, 主管部门, 实施单位, and 逐表 — one row
//! per form, **every** form, written as forms are done into a constant-memory sheet (rows go
//! to a temporary file, not to memory). Text is always written as strings (`=…` stays text).

use crate::aggregate::{Aggregate, FormLine};
use crate::report::Meta;
use crate::Unreadable;
use jixiao_core::score::display_decimal;
use jixiao_formats::xlsx::REPORT_MARK;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Excel's last row, 0-based.
const LAST_ROW: u32 = 1_048_575;

fn dec(d: Option<Decimal>) -> Option<f64> {
    d.and_then(|d| display_decimal(d, 2).parse().ok())
}

/// A workbook being written while the audit runs.
pub struct XlsxReport {
    book: Workbook,
    row: u32,
    pub omitted: u64,
    head: Format,
    wrap: Format,
}

impl XlsxReport {
    pub fn new() -> Result<Self, XlsxError> {
        let mut book = Workbook::new();
        let head = Format::new().set_bold().set_background_color(0xF2EFE9);
        book.add_worksheet().set_name("总览")?;
        let ws = book.add_worksheet_with_constant_memory();
        ws.set_name("逐表")?;
        // Row 0 marks the sheet as a report, so that reading this workbook finds no form in it.
        ws.write_string(0, 0, format!("{REPORT_MARK}审核报告 · 逐表（每张表一行）"))?;
        let heads = [
            ("锚点", 8.0),
            ("位置", 30.0),
            ("项目名称", 30.0),
            ("主管部门", 24.0),
            ("实施单位", 24.0),
            ("自报总分", 10.0),
            ("计算总分", 10.0),
            ("自报−计算", 10.0),
            ("自报等级", 8.0),
            ("计算等级", 8.0),
            ("执行率%", 9.0),
            ("错误", 6.0),
            ("警告", 6.0),
            ("提示", 6.0),
            ("发现代码（指标序号）", 60.0),
        ];
        for (c, (h, w)) in heads.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
            ws.write_string_with_format(1, c as u16, *h, &head)?;
        }
        ws.set_freeze_panes(2, 0)?;
        ws.set_landscape()
            .set_paper_size(9)
            .set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(1, 1)?;
        Ok(XlsxReport {
            book,
            row: 1,
            omitted: 0,
            head,
            wrap: Format::new().set_text_wrap(),
        })
    }

    /// One row for a form.
    pub fn push(&mut self, line: &FormLine) -> Result<(), XlsxError> {
        if self.row >= LAST_ROW {
            self.omitted += 1;
            return Ok(());
        }
        self.row += 1;
        let r = self.row;
        let ws = self.book.worksheet_from_index(1)?;
        // Row properties go before the row's cells in a constant-memory sheet.
        let lines = (line.codes.chars().count() as f64 / 58.0).ceil().max(1.0);
        if lines > 1.0 {
            ws.set_row_height(r, 15.0 * lines)?;
        }
        let texts = [
            (0u16, &line.anchor),
            (1, &line.place),
            (2, &line.project),
            (3, &line.department),
            (4, &line.unit),
        ];
        for (c, t) in texts {
            ws.write_string(r, c, t)?;
        }
        let delta = match (line.reported, line.computed) {
            (Some(a), Some(b)) => Some(a - b),
            _ => None,
        };
        for (c, v) in [
            (5u16, line.reported),
            (6, line.computed),
            (7, delta),
            (10, line.rate),
        ] {
            if let Some(f) = dec(v) {
                ws.write_number(r, c, f)?;
            }
        }
        if let Some(g) = &line.reported_grade {
            ws.write_string(r, 8, g)?;
        }
        if let Some(g) = &line.computed_grade {
            ws.write_string(r, 9, g)?;
        }
        ws.write_number(r, 11, line.counts[2] as f64)?;
        ws.write_number(r, 12, line.counts[1] as f64)?;
        ws.write_number(r, 13, line.counts[0] as f64)?;
        ws.write_string_with_format(r, 14, &line.codes, &self.wrap)?;
        Ok(())
    }

    /// Write the summary sheets and save.
    pub fn finish(
        mut self,
        agg: &Aggregate,
        unreadable: &Unreadable,
        meta: &Meta,
        path: &std::path::Path,
    ) -> Result<(), XlsxError> {
        let head = self.head.clone();
        {
            let ws = self.book.worksheet_from_index(0)?;
            ws.set_landscape()
                .set_paper_size(9)
                .set_print_fit_to_pages(1, 0);
            ws.set_column_width(0, 28.0)?;
            ws.set_column_width(1, 60.0)?;
            let rows: Vec<(&str, String)> = vec![
                ("评分规则", meta.profile.clone()),
                ("输入数", meta.inputs.to_string()),
                ("自评表（张）", agg.forms.to_string()),
                ("三级指标（个）", agg.indicators.to_string()),
                ("全年预算数合计（元）", agg.adjusted_yuan.to_string()),
                ("全年执行数合计（元）", agg.executed_yuan.to_string()),
                ("金额未计入的表", agg.money_unknown.to_string()),
                ("有审核发现的表", agg.forms_with_findings.to_string()),
                ("错误", agg.findings[2].to_string()),
                ("警告", agg.findings[1].to_string()),
                ("提示", agg.findings[0].to_string()),
                ("无法读取的输入", unreadable.count.to_string()),
                ("逐表未列出（超过 Excel 行数）", self.omitted.to_string()),
            ];
            ws.write_string(0, 0, format!("{REPORT_MARK}审核报告 · 总览"))?;
            ws.write_string_with_format(1, 0, "项目", &head)?;
            ws.write_string_with_format(1, 1, "值", &head)?;
            for (i, (k, v)) in rows.iter().enumerate() {
                ws.write_string(i as u32 + 2, 0, *k)?;
                ws.write_string(i as u32 + 2, 1, v)?;
            }
        }
        {
            let ws = self.book.add_worksheet();
            ws.set_name("审核发现")?;
            ws.set_landscape()
                .set_paper_size(9)
                .set_print_fit_to_pages(1, 0);
            ws.write_string(
                0,
                0,
                format!("{REPORT_MARK}审核报告 · 审核发现（按次数排序）"),
            )?;
            for (c, (h, w)) in [
                ("代码", 26.0),
                ("严重程度", 8.0),
                ("次数", 8.0),
                ("涉及表数", 8.0),
                ("示例位置", 30.0),
                ("示例", 80.0),
            ]
            .iter()
            .enumerate()
            {
                ws.set_column_width(c as u16, *w)?;
                ws.write_string_with_format(1, c as u16, *h, &head)?;
            }
            for (i, (code, s)) in agg.codes_ranked().iter().enumerate() {
                let r = i as u32 + 2;
                ws.write_string(r, 0, *code)?;
                ws.write_string(r, 1, s.severity.label_zh())?;
                ws.write_number(r, 2, s.count as f64)?;
                ws.write_number(r, 3, s.forms as f64)?;
                if let Some(e) = s.examples.first() {
                    ws.write_string(r, 4, &e.place)?;
                    ws.write_string(r, 5, format!("{}：{}", e.project, e.message))?;
                }
            }
        }
        for (name, map) in [("主管部门", &agg.departments), ("实施单位", &agg.units)] {
            let ws = self.book.add_worksheet();
            ws.set_name(name)?;
            ws.set_landscape()
                .set_paper_size(9)
                .set_print_fit_to_pages(1, 0);
            ws.write_string(0, 0, format!("{REPORT_MARK}审核报告 · 按{name}汇总"))?;
            for (c, (h, w)) in [
                (name, 36.0),
                ("表数", 8.0),
                ("全年预算数（元）", 16.0),
                ("全年执行数（元）", 16.0),
                ("平均自报总分", 12.0),
                ("平均计算总分", 12.0),
                ("错误", 8.0),
                ("警告", 8.0),
                ("提示", 8.0),
            ]
            .iter()
            .enumerate()
            {
                ws.set_column_width(c as u16, *w)?;
                ws.write_string_with_format(1, c as u16, *h, &head)?;
            }
            let mut rows: Vec<_> = map.iter().collect();
            rows.sort_by(|a, b| b.1.forms.cmp(&a.1.forms).then(a.0.cmp(b.0)));
            for (i, (k, r)) in rows.iter().enumerate() {
                let row = i as u32 + 2;
                ws.write_string(row, 0, *k)?;
                ws.write_number(row, 1, r.forms as f64)?;
                ws.write_string(row, 2, r.adjusted_yuan.to_string())?;
                ws.write_string(row, 3, r.executed_yuan.to_string())?;
                if let Some(f) = dec(r.mean_reported()) {
                    ws.write_number(row, 4, f)?;
                }
                if let Some(f) = dec(r.mean_computed()) {
                    ws.write_number(row, 5, f)?;
                }
                ws.write_number(row, 6, r.errors as f64)?;
                ws.write_number(row, 7, r.warnings as f64)?;
                ws.write_number(row, 8, r.infos as f64)?;
            }
        }
        self.book.save(path)
    }
}
