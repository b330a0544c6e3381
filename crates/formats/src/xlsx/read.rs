//! Reading .xlsx: archive checks, streamed cells, merged regions, number formats, then the
//! shared layout recogniser.

use crate::text::grid_input::{recognise_grid, GridRow};
use crate::{InputShape, ReadForm, ReadOutcome};
use calamine::{DataRef, Reader, Xlsx};
use jixiao_core::{Finding, Loc, Severity};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeSet, HashMap};
use std::io::{Cursor, Read};
use std::str::FromStr;

const RULE_READ: &str = "读取规则：读不准的值报告而不臆造 (readers never guess)";

/// What a workbook may cost before it is refused. A real 自评表 workbook is a few hundred
/// kilobytes; these bounds leave room for workbooks of thousands of forms while keeping a
/// hostile file (zip bomb, millions of cells) from taking the machine.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest uncompressed size of one archive member (a sheet's XML, the shared strings).
    pub entry_bytes: u64,
    /// Largest uncompressed size of the whole archive.
    pub total_bytes: u64,
    /// Most archive members.
    pub entries: usize,
    /// Most non-empty cells kept over the workbook.
    pub cells: usize,
    /// Columns read per sheet (A.. up to this many); cells beyond are reported and skipped.
    pub columns: u32,
    /// Most merged regions per sheet.
    pub merged: usize,
}

/// The limits [`read_xlsx`] uses.
pub const LIMITS: Limits = Limits {
    entry_bytes: 128 << 20,
    total_bytes: 256 << 20,
    entries: 10_000,
    cells: 2_000_000,
    columns: 64,
    merged: 100_000,
};

fn diag(
    code: &'static str,
    severity: Severity,
    zh: String,
    en: String,
    at: Option<Loc>,
) -> Finding {
    Finding::new(code, severity, zh, en).at(at).rule(RULE_READ)
}

fn outcome(forms: Vec<ReadForm>, diagnostics: Vec<Finding>) -> ReadOutcome {
    ReadOutcome {
        shape: InputShape::Xlsx,
        encoding: "xlsx",
        forms,
        diagnostics,
    }
}

/// Read every form of every sheet of a workbook. Never fails: a file that is not a workbook,
/// is too large once decompressed, or holds no form gives diagnostics and no forms.
pub fn read_xlsx(bytes: &[u8]) -> ReadOutcome {
    read_xlsx_with(bytes, &LIMITS)
}

/// [`read_xlsx`] with explicit limits (tests use small ones).
pub fn read_xlsx_with(bytes: &[u8], limits: &Limits) -> ReadOutcome {
    if let Err(problem) = check_archive(bytes, limits) {
        return outcome(Vec::new(), vec![*problem]);
    }
    let mut book: Xlsx<_> = match Xlsx::new(Cursor::new(bytes)) {
        Ok(book) => book,
        Err(error) => {
            return outcome(
                Vec::new(),
                vec![diag(
                    "READ_XLSX_INVALID",
                    Severity::Error,
                    format!("不是可读取的 xlsx 工作簿：{error}"),
                    format!("not a readable xlsx workbook: {error}"),
                    None,
                )],
            )
        }
    };
    let mut forms = Vec::new();
    let mut diagnostics = Vec::new();
    let mut budget = limits.cells;
    for name in book.sheet_names() {
        // Second line of defence: references calamine would overflow on are refused by
        // `check_archive`, but a panic inside the parser on some other hostile sheet must
        // not take a server thread or a batch down; the sheet is reported instead.
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut sheet_diagnostics = Vec::new();
            let (sheet_forms, more) = read_sheet(
                &mut book,
                &name,
                limits,
                &mut budget,
                &mut sheet_diagnostics,
            );
            (sheet_forms, sheet_diagnostics, more)
        }));
        match read {
            Ok((mut sheet_forms, mut before, mut sheet_diags)) => {
                forms.append(&mut sheet_forms);
                diagnostics.append(&mut before);
                diagnostics.append(&mut sheet_diags);
            }
            Err(_) => diagnostics.push(diag(
                "READ_XLSX_INVALID",
                Severity::Error,
                format!("工作表「{name}」的 XML 无法解析，未读取"),
                format!("sheet '{name}': its XML cannot be parsed; not read"),
                None,
            )),
        }
    }
    if forms.is_empty() && diagnostics.is_empty() {
        diagnostics.push(diag(
            "READ_XLSX_NO_FORM",
            Severity::Error,
            "工作簿中没有可识别的绩效自评表".into(),
            "no recognisable form in the workbook".into(),
            None,
        ));
    }
    outcome(forms, diagnostics)
}

/// Check the archive before any XML is parsed: members are really decompressed (declared sizes
/// can lie) into a counting sink, and reading stops at the limit.
fn check_archive(bytes: &[u8], limits: &Limits) -> Result<(), Box<Finding>> {
    let invalid = |why: String| {
        Box::new(diag(
            "READ_XLSX_INVALID",
            Severity::Error,
            format!("不是有效的 xlsx 工作簿（zip 归档损坏或不完整）：{why}"),
            format!("not a valid xlsx workbook (damaged or incomplete zip archive): {why}"),
            None,
        ))
    };
    let bomb = |what: String| {
        Box::new(diag(
            "READ_XLSX_TOO_LARGE",
            Severity::Error,
            format!("工作簿解压后过大（{what}），疑似压缩炸弹，未读取"),
            format!("the workbook is too large once decompressed ({what}); possibly a zip bomb; not read"),
            None,
        ))
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| invalid(e.to_string()))?;
    if archive.len() > limits.entries {
        return Err(bomb(format!("{} 个成员 members", archive.len())));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let mut member = archive.by_index(i).map_err(|e| invalid(e.to_string()))?;
        let name = member
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| format!("#{i}"));
        if member.size() > limits.entry_bytes {
            let size = member.size();
            return Err(bomb(format!(
                "{name} 声明 {size} 字节 declares {size} bytes"
            )));
        }
        let read = std::io::copy(
            &mut (&mut member).take(limits.entry_bytes + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| invalid(format!("{name}: {e}")))?;
        if read > limits.entry_bytes {
            return Err(bomb(format!("{name} > {} MiB", limits.entry_bytes >> 20)));
        }
        total += read;
        if total > limits.total_bytes {
            return Err(bomb(format!("> {} MiB", limits.total_bytes >> 20)));
        }
    }
    // Second pass, now that every member is known to be small enough: cell references.
    for i in 0..archive.len() {
        let member = archive.by_index(i).map_err(|e| invalid(e.to_string()))?;
        // Every member: a workbook's relationships may point a sheet at any name.
        let name = member.name().map(|n| n.to_string()).unwrap_or_default();
        if let Some(bad) = bad_reference(member) {
            return Err(Box::new(diag(
                "READ_XLSX_INVALID",
                Severity::Error,
                format!("工作簿中的单元格引用「{bad}」超出 Excel 的范围（{name}），未读取"),
                format!("the cell reference '{bad}' in {name} is beyond Excel's range; not read"),
                None,
            )));
        }
    }
    Ok(())
}

/// The first cell reference (an `r` or `ref` attribute) that no Excel sheet can hold:
/// more than 3 column letters (`XFD` is the last column) or more than 7 row digits (1048576 is
/// the last row). calamine turns references into `u32` with unchecked arithmetic, so such a
/// reference overflows inside it (a panic with overflow checks on, found by fuzzing; garbage
/// otherwise): it is refused here, before calamine parses the sheet.
fn bad_reference(member: impl Read) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(member));
    // calamine's settings (`calamine::xlsx::xml_reader`): its parse stops where this one does.
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                // The keys calamine reads references from: `r` of a row or cell, `ref` of a
                // formula, dimension, merged region, table or hyperlink.
                let element = e.local_name();
                let cell_or_row = matches!(element.as_ref(), "c" | "row");
                if let Some(bad) = raw_attributes(e.attributes_raw())
                    .filter(|(key, _)| *key == "ref" || (*key == "r" && cell_or_row))
                    .find_map(|(key, value)| {
                        (out_of_range(value) || (key == "ref" && reversed(value))).then_some(value)
                    })
                {
                    return Some(bad.chars().take(40).collect());
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
        buf.clear();
    }
}

/// A reference split as calamine reads it: the leading column letters, then the row digits
/// after them (anything after those makes calamine fail on its own, without overflow).
fn letters_and_digits(part: &str) -> (&str, &str) {
    let letters = part.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (col, rest) = part.split_at(letters);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    (col, &rest[..digits])
}

/// A reference with more column letters or row digits than any sheet has.
fn out_of_range(value: &str) -> bool {
    value.split([' ', ':']).any(|part| {
        let (col, row) = letters_and_digits(part);
        col.len() > 3 || row.len() > 7
    })
}

/// A range `B2:A1` whose end comes before its start: calamine subtracts start from end in
/// `u32` (`get_dimension`), which overflows (the fuzzer's third crash). Only whole, in-range
/// references are compared (others are refused by [`out_of_range`] or fail in calamine).
fn reversed(value: &str) -> bool {
    let cell = |part: &str| -> Option<(u32, u32)> {
        let (col, row) = letters_and_digits(part);
        if col.is_empty() || col.len() > 3 || row.is_empty() || row.len() > 7 {
            return None;
        }
        if col.len() + row.len() != part.len() {
            return None;
        }
        let col = col.bytes().fold(0u32, |n, c| {
            n * 26 + u32::from(c.to_ascii_uppercase() - b'A') + 1
        });
        Some((row.parse().ok()?, col))
    };
    match value.split(':').collect::<Vec<_>>()[..] {
        [start, end] => match (cell(start), cell(end)) {
            (Some(s), Some(e)) => e.0 < s.0 || e.1 < s.1,
            _ => false,
        },
        _ => false,
    }
}

/// An element's attributes as calamine scans them (`calamine::attrs::RawAttrIter`: a key up
/// to `=`, a value in either quote up to the same quote or the end), so that every reference
/// calamine will parse is seen here; scanning stops where calamine's would fail.
fn raw_attributes(raw: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = raw;
    std::iter::from_fn(move || {
        let (key, after) = rest.trim_start().split_once('=')?;
        let after = after.trim_start();
        let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let body = &after[1..];
        let (value, next) = body.split_once(quote).unwrap_or((body, ""));
        rest = next;
        Some((key.trim_end(), value))
    })
}

/// How a number is displayed, from its cell's number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumFmt {
    General,
    Fixed(u32),
    Percent(u32),
}

fn classify_format(code: &str, id: Option<u32>) -> NumFmt {
    if code.is_empty() {
        return match id {
            Some(1 | 3) => NumFmt::Fixed(0),
            Some(2 | 4) => NumFmt::Fixed(2),
            Some(9) => NumFmt::Percent(0),
            Some(10) => NumFmt::Percent(2),
            _ => NumFmt::General,
        };
    }
    // First section only; quoted text, escapes and [colour]/[condition] brackets removed.
    let mut clean = String::new();
    let mut chars = code.chars();
    let mut in_quote = false;
    let mut in_bracket = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quote = !in_quote,
            _ if in_quote => {}
            '[' => in_bracket = true,
            ']' => in_bracket = false,
            _ if in_bracket => {}
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => break,
            c => clean.push(c),
        }
    }
    if clean.eq_ignore_ascii_case("general") || clean == "@" || !clean.contains(['0', '#']) {
        return NumFmt::General;
    }
    let decimals = clean
        .find('.')
        .map(|dot| {
            clean[dot + 1..]
                .chars()
                .take_while(|c| matches!(c, '0' | '#'))
                .filter(|&c| c == '0')
                .count() as u32
        })
        .unwrap_or(0);
    if clean.contains('%') {
        NumFmt::Percent(decimals)
    } else {
        NumFmt::Fixed(decimals)
    }
}

/// A number as the sheet displays it, through its shortest decimal string (never float
/// arithmetic): `0.8619` in a `0.00%` cell is `86.19%`, `501010` in `#,##0.00` is `501010.00`.
fn number_text(value: f64, fmt: NumFmt) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    let shortest = format!("{value}");
    let Ok(d) = Decimal::from_str(&shortest) else {
        return Some(shortest);
    };
    let shown = |d: Decimal, n: u32| {
        let mut r = d.round_dp_with_strategy(n, RoundingStrategy::MidpointAwayFromZero);
        r.rescale(n);
        r
    };
    Some(match fmt {
        NumFmt::General => d.normalize().to_string(),
        NumFmt::Fixed(n) => shown(d, n).to_string(),
        NumFmt::Percent(n) => match d.checked_mul(Decimal::ONE_HUNDRED) {
            Some(p) => format!("{}%", shown(p, n)),
            None => return Some(shortest),
        },
    })
}

/// A date serial number (1900 date system) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> Option<String> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    // Serials from 61 on count from 1899-12-30 (Excel's phantom 1900-02-29 sits at 60).
    let unix = if days >= 61 {
        days - 25569
    } else {
        days - 25568
    };
    let z = unix + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Read one sheet: its cells into a grid, then the recogniser.
fn read_sheet<RS: Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    sheet: &str,
    limits: &Limits,
    budget: &mut usize,
    file_diags: &mut Vec<Finding>,
) -> (Vec<ReadForm>, Vec<Finding>) {
    let mut cell_diags: Vec<Finding> = Vec::new();
    let at = |row: u32, col: u32| Some(Loc::cell(sheet, row + 1, col + 1));
    let sheet_error = |e: &dyn std::fmt::Display| {
        diag(
            "READ_XLSX_INVALID",
            Severity::Error,
            format!("工作表「{sheet}」无法读取：{e}"),
            format!("sheet '{sheet}' cannot be read: {e}"),
            None,
        )
    };

    // Formulas first (a second streamed pass over the sheet): their cached values are not
    // read as printed values.
    let mut formulas: HashMap<(u32, u32), String> = HashMap::new();
    match book.worksheet_cells_reader(sheet) {
        Ok(mut reader) => loop {
            match reader.next_formula() {
                Ok(Some(cell)) => {
                    if !cell.get_value().is_empty() && formulas.len() < limits.cells {
                        formulas.insert(cell.get_position(), cell.get_value().clone());
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    file_diags.push(sheet_error(&e));
                    return (Vec::new(), Vec::new());
                }
            }
        },
        Err(e) => {
            file_diags.push(sheet_error(&e));
            return (Vec::new(), Vec::new());
        }
    }

    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    let mut wide_cells = 0usize;
    let mut first_wide: Option<(u32, u32)> = None;
    let mut truncated_at: Option<(u32, u32)> = None;
    {
        let mut reader = match book.worksheet_cells_reader(sheet) {
            Ok(reader) => reader,
            Err(e) => {
                file_diags.push(sheet_error(&e));
                return (Vec::new(), Vec::new());
            }
        };
        let mut formats: HashMap<usize, NumFmt> = HashMap::new();
        loop {
            let (cell, style) = match reader.next_cell_with_style_id() {
                Ok(Some(next)) => next,
                Ok(None) => break,
                Err(e) => {
                    file_diags.push(sheet_error(&e));
                    break;
                }
            };
            let (row, col) = cell.get_position();
            if let Some(formula) = formulas.get(&(row, col)) {
                let cached = match cell.get_value() {
                    DataRef::Empty => String::new(),
                    DataRef::Float(f) => format!("{f}"),
                    DataRef::Int(i) => i.to_string(),
                    DataRef::String(s) => s.clone(),
                    DataRef::SharedString(s) => s.to_string(),
                    other => format!("{other:?}"),
                };
                cell_diags.push(diag(
                    "READ_XLSX_FORMULA",
                    Severity::Warning,
                    format!("单元格是公式 ={formula}（缓存值「{cached}」）：公式的缓存值可能过时或从未计算，未作为印出的值读取；请将其粘贴为数值"),
                    format!("the cell holds a formula ={formula} (cached value '{cached}'): a cached result may be stale or never computed, so it is not read as a printed value; paste it as a value"),
                    at(row, col),
                ));
                continue;
            }
            let text = match cell.get_value() {
                DataRef::Empty => continue,
                DataRef::String(s) => s.clone(),
                DataRef::SharedString(s) => s.to_string(),
                DataRef::Int(i) => i.to_string(),
                DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
                DataRef::Float(f) => {
                    let fmt = *formats.entry(style).or_insert_with(|| {
                        reader
                            .styles()
                            .get(style)
                            .and_then(|s| s.number_format.as_ref())
                            .map_or(NumFmt::General, |n| {
                                classify_format(&n.format_code, n.format_id)
                            })
                    });
                    match number_text(*f, fmt) {
                        Some(t) => t,
                        None => {
                            cell_diags.push(diag(
                                "READ_XLSX_CELL_ERROR",
                                Severity::Warning,
                                "单元格的数值无效（非有限数），未读取".into(),
                                "the cell's number is not finite; not read".into(),
                                at(row, col),
                            ));
                            continue;
                        }
                    }
                }
                DataRef::DateTime(dt) => {
                    let serial = dt.as_f64();
                    match excel_date(serial).filter(|_| dt.is_datetime()) {
                        Some(date) => {
                            cell_diags.push(diag(
                                "READ_XLSX_DATE",
                                Severity::Info,
                                format!("单元格是日期（序列号 {serial}），按日期文本「{date}」读取，不作为数值"),
                                format!("the cell is a date (serial number {serial}); read as the date text '{date}', not as a number"),
                                at(row, col),
                            ));
                            date
                        }
                        None => {
                            cell_diags.push(diag(
                                "READ_XLSX_DATE",
                                Severity::Warning,
                                format!("单元格是日期或时长格式（序列号 {serial}），无法确定其含义，未读取"),
                                format!("the cell has a date or duration format (serial number {serial}); its meaning is unclear; not read"),
                                at(row, col),
                            ));
                            continue;
                        }
                    }
                }
                DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
                DataRef::Error(e) => {
                    cell_diags.push(diag(
                        "READ_XLSX_CELL_ERROR",
                        Severity::Warning,
                        format!("单元格是错误值 {e}，未读取"),
                        format!("the cell holds the error value {e}; not read"),
                        at(row, col),
                    ));
                    continue;
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            if col >= limits.columns {
                wide_cells += 1;
                first_wide.get_or_insert((row, col));
                continue;
            }
            if *budget == 0 {
                truncated_at = Some((row, col));
                break;
            }
            *budget -= 1;
            cells.push((row, col, text));
        }
    }
    if let Some((row, col)) = first_wide {
        cell_diags.push(diag(
            "READ_XLSX_SKIPPED",
            Severity::Warning,
            format!(
                "第 {} 列以后的 {wide_cells} 个单元格超出自评表的范围，未读取",
                limits.columns
            ),
            format!(
                "{wide_cells} cells beyond column {} lie outside any form; not read",
                limits.columns
            ),
            at(row, col),
        ));
    }
    if let Some((row, col)) = truncated_at {
        cell_diags.push(diag(
            "READ_XLSX_TOO_LARGE",
            Severity::Error,
            format!(
                "工作簿的非空单元格超过 {} 个，此后的内容未读取",
                limits.cells
            ),
            format!(
                "the workbook has more than {} non-empty cells; the rest is not read",
                limits.cells
            ),
            at(row, col),
        ));
    }

    cells.sort_by_key(|c| (c.0, c.1));
    if cells
        .first()
        .is_some_and(|c| c.2.starts_with(super::REPORT_MARK))
    {
        file_diags.push(diag(
            "READ_XLSX_SKIPPED",
            Severity::Info,
            format!("工作表「{sheet}」是 Jixiao 写出的报告（审核发现、汇总），不是自评表，已跳过"),
            format!("sheet '{sheet}' is a report written by Jixiao (findings, summaries), not a form; skipped"),
            Some(Loc::cell(sheet, cells[0].0 + 1, cells[0].1 + 1)),
        ));
        return (Vec::new(), Vec::new());
    }
    // The computed-score column written by `--with-review` is not printed content.
    let review_cols: BTreeSet<u32> = cells
        .iter()
        .filter(|c| c.2 == super::REVIEW_HEADER)
        .map(|c| c.1)
        .collect();
    if !review_cols.is_empty() {
        cells.retain(|c| !review_cols.contains(&c.1));
    }
    resolve_merged(book, sheet, limits, &mut cells, &mut cell_diags);
    if cells.is_empty() {
        cell_diags.sort_by(|a, b| a.location.cmp(&b.location));
        return (Vec::new(), cell_diags);
    }

    let width = cells.iter().map(|c| c.1).max().unwrap_or(0) as usize + 1;
    let mut rows: Vec<GridRow> = Vec::new();
    for (row, col, text) in cells {
        if rows.last().is_none_or(|r| r.row != row + 1) {
            rows.push(GridRow {
                row: row + 1,
                cells: vec![String::new(); width],
            });
        }
        if let Some(last) = rows.last_mut() {
            last.cells[col as usize] = text;
        }
    }
    let (mut forms, mut diagnostics) = recognise_grid(sheet, &rows);
    if forms.is_empty() {
        diagnostics.push(diag(
            "READ_XLSX_NO_FORM",
            Severity::Info,
            format!("工作表「{sheet}」中没有可识别的自评表"),
            format!("no recognisable form in sheet '{sheet}'"),
            Some(Loc::cell(sheet, rows[0].row, 1)),
        ));
    }
    // Cell diagnostics go with the form they sit in (the last form starting at or above them).
    for d in cell_diags {
        let row = d.location.as_ref().map_or(0, |l| l.line);
        let owner = forms.iter_mut().rev().find(|f| {
            f.evaluation
                .at
                .start
                .as_ref()
                .is_some_and(|s| s.line <= row)
        });
        match owner {
            Some(form) => form.diagnostics.push(d),
            None => diagnostics.push(d),
        }
    }
    for form in &mut forms {
        form.diagnostics.sort_by(|a, b| {
            (a.location.is_none(), &a.location).cmp(&(b.location.is_none(), &b.location))
        });
    }
    (forms, diagnostics)
}

/// Merged regions: Excel shows a merged region's top-left value over the whole region and
/// hides the other cells (some writers leave stale values there: they are dropped, as a person
/// looking at the sheet never sees them). The region's value is then read once, at its top-left
/// cell, with the rest of the region blank — exactly how a tab grid from a PDF carries a merged
/// cell, and what the recogniser expects: a blank 一级/二级 cell is "same as above" and is
/// carried down. Copying the value into every row would be wrong twice over: a 一级 label
/// repeated on a row starts a new 一级 group (and drops the 二级 carried down when 二级 is not
/// merged the same way), and a value merged over two rows (a 得分, a title over nine columns)
/// would be read twice.
fn resolve_merged<RS: Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    sheet: &str,
    limits: &Limits,
    cells: &mut Vec<(u32, u32, String)>,
    diags: &mut Vec<Finding>,
) {
    let regions = match book.merge_cells_by_sheet_name(sheet) {
        Ok(regions) => regions,
        Err(_) => return,
    };
    if regions.len() > limits.merged {
        diags.push(diag(
            "READ_XLSX_TOO_LARGE",
            Severity::Warning,
            format!("合并区域超过 {} 个，合并单元格未处理", limits.merged),
            format!(
                "more than {} merged regions; merges not resolved",
                limits.merged
            ),
            None,
        ));
        return;
    }
    let mut hidden: BTreeSet<(u32, u32)> = BTreeSet::new();
    for region in regions {
        let (r0, c0) = region.start;
        let (r1, c1) = region.end;
        let from = cells.partition_point(|c| (c.0, c.1) < (r0, c0));
        let to = cells.partition_point(|c| c.0 <= r1);
        for (r, c, _) in &cells[from..to] {
            if (c0..=c1).contains(c) && (*r, *c) != (r0, c0) {
                hidden.insert((*r, *c));
            }
        }
    }
    if !hidden.is_empty() {
        cells.retain(|c| !hidden.contains(&(c.0, c.1)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats_show_numbers_as_printed() {
        assert_eq!(classify_format("#,##0.00", None), NumFmt::Fixed(2));
        assert_eq!(classify_format("0.00%", None), NumFmt::Percent(2));
        assert_eq!(classify_format("0%", None), NumFmt::Percent(0));
        assert_eq!(classify_format("General", None), NumFmt::General);
        assert_eq!(classify_format("", Some(10)), NumFmt::Percent(2));
        assert_eq!(
            classify_format("#,##0.00\"元\";[Red]-#,##0.00", None),
            NumFmt::Fixed(2)
        );
        assert_eq!(number_text(0.8619, NumFmt::Percent(2)).unwrap(), "86.19%");
        assert_eq!(number_text(1.0, NumFmt::Percent(2)).unwrap(), "100.00%");
        assert_eq!(
            number_text(501010.0, NumFmt::Fixed(2)).unwrap(),
            "501010.00"
        );
        assert_eq!(number_text(620.82, NumFmt::General).unwrap(), "620.82");
        assert_eq!(number_text(0.1 + 0.2, NumFmt::Fixed(2)).unwrap(), "0.30");
        assert_eq!(number_text(f64::NAN, NumFmt::General), None);
    }

    #[test]
    fn date_serials_become_dates() {
        assert_eq!(excel_date(1.0).unwrap(), "1900-01-01");
        assert_eq!(excel_date(61.0).unwrap(), "1900-03-01");
        assert_eq!(excel_date(45291.0).unwrap(), "2023-12-31");
        assert_eq!(excel_date(-3.0), None);
    }
}
