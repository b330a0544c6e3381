//! The xlsx reader and writer: round trips, variants, merged cells, hostile workbooks.

use jixiao_core::model::{FormLocs, IndicatorLocs};
use jixiao_core::{Evaluation, Profile};
use jixiao_formats::xlsx::{self, XlsxOptions};
use jixiao_formats::{read_bytes, InputShape, ReadOutcome};
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The model values of a form, without the source locations (which differ between a text
/// and a workbook by design).
fn values(ev: &Evaluation) -> Evaluation {
    let mut ev = ev.clone();
    ev.at = FormLocs::default();
    for row in [
        &mut ev.funds.total,
        &mut ev.funds.appropriation,
        &mut ev.funds.carryover,
        &mut ev.funds.other,
    ] {
        row.at = None;
    }
    for (_, row) in &mut ev.funds.extra {
        row.at = None;
    }
    for ind in &mut ev.indicators {
        ind.at = IndicatorLocs::default();
    }
    ev
}

fn forms(outcome: &ReadOutcome) -> Vec<Evaluation> {
    outcome
        .forms
        .iter()
        .map(|f| values(&f.evaluation))
        .collect()
}

fn codes(outcome: &ReadOutcome) -> Vec<String> {
    outcome
        .diagnostics
        .iter()
        .chain(outcome.forms.iter().flat_map(|f| &f.diagnostics))
        .map(|f| f.code.to_string())
        .collect()
}

fn round_trip(name: &str, options: XlsxOptions<'_>) {
    let original = read_bytes(&fixture(name));
    assert!(!original.forms.is_empty(), "{name}: nothing read");
    let before = forms(&original);
    let evs: Vec<Evaluation> = original
        .forms
        .iter()
        .map(|f| f.evaluation.clone())
        .collect();
    let bytes = xlsx::write_xlsx(&evs, options).expect("write");
    assert!(xlsx::is_xlsx(&bytes));
    let back = read_bytes(&bytes);
    assert_eq!(back.shape, InputShape::Xlsx);
    let after = forms(&back);
    assert_eq!(
        before.len(),
        after.len(),
        "{name}: form count; {:?}",
        codes(&back)
    );
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(
            b, a,
            "{name}: form {i} differs after the round trip; diagnostics {:?}",
            back.forms[i].diagnostics
        );
    }
}

#[test]
fn seed_round_trips_through_xlsx() {
    round_trip("songjiang-2023.tsv", XlsxOptions::default());
}

#[test]
fn published_forms_round_trip_through_xlsx() {
    for name in [
        "published/02-raw.txt",
        "published/03-raw.txt",
        "published/07-raw.txt",
    ] {
        round_trip(name, XlsxOptions::default());
    }
}

#[test]
fn seed_round_trips_on_one_sheet_and_with_review() {
    round_trip(
        "songjiang-2023.tsv",
        XlsxOptions {
            review: None,
            one_sheet: true,
        },
    );
    let profile = Profile::builtin("central-2020").unwrap();
    round_trip(
        "songjiang-2023.tsv",
        XlsxOptions {
            review: Some(&profile),
            one_sheet: false,
        },
    );
}

/// A workbook of plain cells, as a person would type a form into Excel. Each sheet is a grid
/// of strings; `f:…` is a formula, `d:N` a date serial in a date format, `n:N` a number,
/// anything else a string. `merges` are (first row, first col, last row, last col), 0-based;
/// the top-left cell keeps its value, the others are left as the grid says (stale values in
/// hidden cells are allowed on purpose).
/// (first row, first col, last row, last col), 0-based.
type Merge = (u32, u16, u32, u16);

/// A sheet: its name, its rows of cells, its merged regions.
type Sheet<'a> = (&'a str, Vec<Vec<String>>, Vec<Merge>);

fn grid_book(sheets: &[Sheet<'_>]) -> Vec<u8> {
    use rust_xlsxwriter::{Format, Formula, Workbook};
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (name, rows, merges) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for &(r0, c0, r1, c1) in merges {
            let top = rows[r0 as usize]
                .get(c0 as usize)
                .cloned()
                .unwrap_or_default();
            ws.merge_range(r0, c0, r1, c1, &top, &Format::new())
                .unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                let merged_top = merges.iter().any(|&(r0, c0, _, _)| (r0, c0) == (r, c));
                if cell.is_empty() || merged_top {
                    continue;
                }
                if let Some(f) = cell.strip_prefix("f:") {
                    ws.write_formula(r, c, Formula::new(f)).unwrap();
                } else if let Some(d) = cell.strip_prefix("d:") {
                    ws.write_number_with_format(r, c, d.parse::<f64>().unwrap(), &date)
                        .unwrap();
                } else if let Some(n) = cell.strip_prefix("n:") {
                    ws.write_number(r, c, n.parse::<f64>().unwrap()).unwrap();
                } else {
                    ws.write_string(r, c, cell).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// The seed's tab grid as rows of cells (blank lines dropped, as the text reader drops them).
fn seed_grid() -> Vec<Vec<String>> {
    String::from_utf8(fixture("songjiang-2023.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn a_typed_in_workbook_reads_as_the_same_grid_in_text() {
    let text = read_bytes(&fixture("songjiang-2023.tsv"));
    let grid = seed_grid();
    let half = grid.iter().position(|r| r[0].contains("自评表")).unwrap();
    let second = grid
        .iter()
        .skip(half + 1)
        .position(|r| r[0].contains("自评表"))
        .unwrap()
        + half
        + 1;
    // Two sheets: the first form on one, the other two stacked on the second.
    let book = grid_book(&[
        ("第一张", grid[..second].to_vec(), vec![]),
        ("其余", grid[second..].to_vec(), vec![]),
    ]);
    let back = read_bytes(&book);
    assert_eq!(forms(&text), forms(&back), "{:?}", codes(&back));
    let loc = back.forms[2].evaluation.indicators[0]
        .at
        .name
        .clone()
        .unwrap();
    assert!(loc.to_string().starts_with("其余!D"), "{loc}");
}

#[test]
fn merged_cells_take_their_top_left_value_and_levels_carry_down() {
    let grid = seed_grid();
    let end = grid.iter().position(|r| r[1] == "总分").unwrap();
    let mut rows = grid[..=end].to_vec();
    // Merge 一级 产出指标 over its rows and put stale copies in the hidden cells, as some
    // writers do; merge the title over the nine columns.
    let first = rows.iter().position(|r| r[1] == "产出指标").unwrap();
    // (The seed's 案件审限 row is shifted one column left: the merge stops above it.)
    let shifted = rows.iter().position(|r| r[1] == "案件审限").unwrap();
    for row in rows.iter_mut().take(shifted).skip(first + 1) {
        row[1] = "产出指标".into();
    }
    rows[shifted - 1][1] = "旧的值".into();
    let merges = vec![(0, 0, 0, 8), (first as u32, 1, shifted as u32 - 1, 1)];
    let book = grid_book(&[("Sheet1", rows, merges)]);
    let back = read_bytes(&book);
    let text = read_bytes(&fixture("songjiang-2023.tsv"));
    assert_eq!(forms(&back)[0], forms(&text)[0], "{:?}", codes(&back));
}

#[test]
fn amounts_as_text_with_units_and_numbers_as_numbers() {
    let mut grid = seed_grid();
    let end = grid.iter().position(|r| r[1] == "总分").unwrap();
    grid.truncate(end + 1);
    let total = grid.iter().position(|r| r[1] == "年度资金总额").unwrap();
    grid[total][2] = "507,500.00元".into();
    grid[total][3] = "n:501010".into();
    let book = grid_book(&[("Sheet1", grid, vec![])]);
    let back = read_bytes(&book);
    let ev = &back.forms[0].evaluation;
    assert_eq!(ev.funds.total.initial.unwrap().to_string(), "507500.00");
    assert_eq!(ev.funds.total.adjusted.unwrap().to_string(), "501010");
}

#[test]
fn formulas_and_dates_are_diagnostics_not_numbers() {
    let mut grid = seed_grid();
    let end = grid.iter().position(|r| r[1] == "总分").unwrap();
    grid.truncate(end + 1);
    grid[end][8] = "f:=SUM(H14:H27)".into();
    let score_row = grid
        .iter()
        .position(|r| r[3] == "完成鉴定任务案件数")
        .unwrap();
    grid[score_row][5] = "d:45291".into();
    let book = grid_book(&[("Sheet1", grid, vec![])]);
    let back = read_bytes(&book);
    let form = &back.forms[0];
    // The formula's cached value (0 from a writer that never computed it) is not read.
    assert_eq!(form.evaluation.total_score, None);
    let formula = form
        .diagnostics
        .iter()
        .find(|d| d.code == "READ_XLSX_FORMULA")
        .expect("formula diagnostic");
    assert_eq!(
        formula.location.as_ref().unwrap().to_string(),
        format!("Sheet1!I{}", end + 1)
    );
    let date = form
        .diagnostics
        .iter()
        .find(|d| d.code == "READ_XLSX_DATE")
        .unwrap();
    assert!(date.message.contains("2023-12-31"), "{}", date.message);
    assert_eq!(
        form.evaluation.indicators[0].actual.as_deref(),
        Some("2023-12-31")
    );
}

#[test]
fn text_starting_with_equals_is_written_as_a_string_never_a_formula() {
    let mut ev = read_bytes(&fixture("songjiang-2023.tsv")).forms[0]
        .evaluation
        .clone();
    ev.indicators[0].name = "=HYPERLINK(\"http://x\",\"y\")".into();
    let bytes = xlsx::write_xlsx(&[ev], XlsxOptions::default()).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    assert!(!xml.contains("<f>"), "a formula was written");
    let back = read_bytes(&bytes);
    assert_eq!(
        back.forms[0].evaluation.indicators[0].name,
        "=HYPERLINK(\"http://x\",\"y\")"
    );
    assert_eq!(
        back.forms[0].evaluation.indicators[0].target.as_deref(),
        Some("=3000件")
    );
}

#[test]
fn not_a_zip_is_a_clear_diagnostic() {
    for bytes in [&b"PK\x03\x04 this is no archive"[..], b"PK\x03\x04"] {
        let out = read_bytes(bytes);
        assert!(out.forms.is_empty());
        assert_eq!(codes(&out), ["READ_XLSX_INVALID"]);
    }
    // A zip that is not a workbook.
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        w.start_file("hello.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, b"hello").unwrap();
        w.finish().unwrap();
    }
    let out = read_bytes(buf.get_ref());
    assert!(out.forms.is_empty());
    assert_eq!(codes(&out), ["READ_XLSX_INVALID"]);
    // A workbook cut in half.
    let whole = xlsx::write_xlsx(&[], XlsxOptions::default()).unwrap();
    let out = read_bytes(&whole[..whole.len() / 2]);
    assert!(out.forms.is_empty());
    assert!(!codes(&out).is_empty());
}

#[test]
fn a_zip_bomb_is_refused_before_parsing() {
    // 32 MiB of zeros deflate to a few tens of kilobytes; the limit here is 4 MiB.
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..32 {
            std::io::Write::write_all(&mut w, &zeros).unwrap();
        }
        w.finish().unwrap();
    }
    let bytes = buf.into_inner();
    assert!(bytes.len() < 1 << 20, "{}", bytes.len());
    let limits = xlsx::Limits {
        entry_bytes: 4 << 20,
        total_bytes: 8 << 20,
        ..xlsx::LIMITS
    };
    let out = xlsx::read_xlsx_with(&bytes, &limits);
    assert!(out.forms.is_empty());
    assert_eq!(codes(&out), ["READ_XLSX_TOO_LARGE"]);
}

#[test]
fn a_sheet_of_many_empty_rows_is_read_quickly() {
    let mut grid = seed_grid();
    let end = grid.iter().position(|r| r[1] == "总分").unwrap();
    grid.truncate(end + 1);
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, row) in grid.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                ws.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    // 200 000 formatted, empty rows (a million takes the same path, only longer) and a cell
    // at the far corner of the sheet.
    let fmt = rust_xlsxwriter::Format::new().set_bold();
    for r in 100..200_100u32 {
        ws.set_row_format(r, &fmt).unwrap();
    }
    ws.write_string(1_048_575, 16_383, "far away").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let started = std::time::Instant::now();
    let out = read_bytes(&bytes);
    assert_eq!(out.forms.len(), 1);
    assert!(
        codes(&out).contains(&"READ_XLSX_SKIPPED".to_string()),
        "{:?}",
        codes(&out)
    );
    assert!(started.elapsed().as_secs() < 30);
}

/// A provincial variant typed into Excel: target split into 指标性质 | 指标值 | 度量单位, 权重 for
/// 分值, 完成值, points in the 一级 labels, amounts in 万元 as text and as numbers, a printed
/// grade. Read from the workbook it gives what the same grid gives as text.
#[test]
fn a_provincial_variant_reads_as_the_same_grid_in_text() {
    let rows: Vec<Vec<&str>> = vec![
        vec!["2023年度项目支出绩效自评表"],
        vec!["项目名称", "学生营养改善计划"],
        vec!["主管部门", "某县教育体育局", "", "", "实施单位", "某县中学"],
        vec![
            "项目资金（万元）",
            "",
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ],
        vec![
            "",
            "年度资金总额",
            "720.00万元",
            "720.30万元",
            "620.82万元",
            "10",
            "86.19%",
            "8.62",
        ],
        vec![
            "",
            "其中：当年财政拨款",
            "n:720",
            "n:720.3",
            "n:620.82",
            "—",
            "—",
            "—",
        ],
        vec!["", "上年结转资金", "n:0", "n:0", "n:0", "—", "—", "—"],
        vec!["", "其他资金", "n:0", "n:0", "n:0", "—", "—", "—"],
        vec!["年度总体目标", "预期目标", "", "", "实际完成情况"],
        vec!["", "保障学生营养", "", "", "已保障学生营养"],
        vec![
            "绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "指标性质",
            "指标值",
            "度量单位",
            "完成值",
            "权重",
            "得分",
            "未完成原因分析",
        ],
        vec![
            "",
            "产出指标(50分)",
            "数量指标",
            "受益学生人次",
            "≥",
            "735",
            "人次",
            "801",
            "25",
            "25",
        ],
        vec![
            "",
            "",
            "质量指标",
            "食品安全事故",
            "=",
            "0",
            "次",
            "0",
            "25",
            "25",
        ],
        vec![
            "",
            "效益指标(30分)",
            "社会效益指标",
            "学生营养状况改善",
            "定性",
            "有效",
            "",
            "有效",
            "30",
            "30",
        ],
        vec![
            "",
            "满意度指标(10分)",
            "服务对象满意度指标",
            "家长满意度",
            "≥",
            "90",
            "%",
            "95%",
            "10",
            "10",
        ],
        vec!["总分", "", "", "", "", "", "", "", "100", "93.62", "优"],
    ];
    let width = 11;
    let grid: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut r: Vec<String> = r.iter().map(|c| c.to_string()).collect();
            r.resize(width, String::new());
            r
        })
        .collect();
    let text: String = grid
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| c.strip_prefix("n:").unwrap_or(c))
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let from_text = read_bytes(text.as_bytes());
    let from_xlsx = read_bytes(&grid_book(&[("四川", grid, vec![(0, 0, 0, 10)])]));
    assert_eq!(
        forms(&from_text),
        forms(&from_xlsx),
        "{:?}",
        codes(&from_xlsx)
    );
    let ev = &from_xlsx.forms[0].evaluation;
    assert_eq!(ev.money_unit.as_deref(), Some("万元"));
    assert_eq!(ev.funds.total.adjusted.unwrap().to_string(), "720.30");
    assert_eq!(
        ev.funds.appropriation.executed.unwrap().to_string(),
        "620.82"
    );
    assert_eq!(ev.funds.rate_printed.as_deref(), Some("86.19%"));
    assert_eq!(ev.indicators.len(), 4);
    assert_eq!(ev.indicators[0].target.as_deref(), Some("≥735人次"));
    assert_eq!(ev.indicators[0].weight.unwrap().to_string(), "25");
    assert_eq!(ev.indicators[1].level1.as_deref(), Some("产出指标"));
    assert_eq!(ev.grade.as_deref(), Some("优"));
    let loc = ev.indicators[3].at.name.as_ref().unwrap().to_string();
    assert_eq!(loc, "四川!D15");
}

/// A minimal workbook around one hand-written sheet XML (and optional shared strings).
fn raw_book(sheet_xml: &str, shared: Option<&str>) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let o = zip::write::SimpleFileOptions::default();
        let mut put = |name: &str, body: &str| {
            w.start_file(name, o).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        };
        put(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        );
        put(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        );
        put(
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        );
        put(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        );
        if let Some(s) = shared {
            put("xl/sharedStrings.xml", s);
        }
        put("xl/worksheets/sheet1.xml", sheet_xml);
        w.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn hostile_sheet_xml_gives_diagnostics_not_a_crash() {
    let wrap = |data: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
        )
    };
    let cases = [
        wrap(r#"<row r="1"><c r="A1" t="s"><v>99</v></c></row>"#), // shared string out of range
        wrap(r#"<row r="1"><c r="ZZZZZZZZ1" t="str"><v>x</v></c></row>"#), // column out of range
        wrap(r#"<row r="0"><c r="A0"><v>1</v></c></row>"#),
        wrap(r#"<row r="99999999999"><c><v>1</v></c></row>"#),
        wrap(r#"<row r="1"><c r="A1"><v>not a number</v></c></row>"#),
        wrap(r#"<row r="1"><c r="A1"><v>1e999</v></c><c r="B1"><v>NaN</v></c></row>"#),
        wrap(r#"<row r="1"><c r="A1" t="e"><v>#DIV/0!</v></c></row>"#),
        wrap(r#"<row r="1"><c r="A1" t="b"><v>7</v></c></row>"#),
        wrap(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>项目名称</t></is></c>"#), // unclosed row
        "<worksheet><sheetData><row".to_string(),
        "not xml at all".to_string(),
        String::new(),
    ];
    for xml in &cases {
        let out = read_bytes(&raw_book(xml, Some("<sst><si><t>a</t></si>")));
        assert!(out.forms.is_empty(), "{xml}");
    }
    // Broken shared strings.
    for shared in [
        "<sst><si><t>a",
        "garbage",
        "<sst count=\"99999999999\"></sst>",
    ] {
        let out = read_bytes(&raw_book(&wrap(""), Some(shared)));
        assert!(out.forms.is_empty());
    }
}

#[test]
fn a_cell_reference_that_overflows_is_a_diagnostic_not_a_panic() {
    // Found by `cargo fuzz run read_xlsx` (upper- then lower-case letters, then a reversed
    // range): calamine multiplies column letters and row digits into a u32 unchecked, and
    // subtracts a range's start from its end, so these panicked in a debug build (and wrapped
    // silently in release). Such references are refused first.
    let upper = "Z".repeat(40);
    let lower = "z".repeat(40);
    let cells = [
        format!(r#"<row r="3"><c r="C{upper}3"><f>A1</f><v>1</v></c></row>"#),
        format!(r#"<row r="3"><c r="c{lower}3"><f>A1</f><v>1</v></c></row>"#),
        r#"<row r="3"><c r="A99999999999"><v>1</v></c></row>"#.to_string(),
        r#"<row r='99999999999'><c><v>1</v></c></row>"#.to_string(),
        format!(
            r#"<row r="1"><c r="A1"><f t="shared" ref="A1:{upper}9" si="0">B1</f><v>1</v></c></row>"#
        ),
        // The third crash: a range whose end comes before its start (u32 subtraction).
        r#"<row r="2"><c r="B2"><f t="shared" ref="B2:A1" si="0">B1</f><v>1</v></c></row>"#
            .to_string(),
    ];
    for data in &cells {
        let sheet = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
        );
        let out = read_bytes(&raw_book(&sheet, None));
        assert!(out.forms.is_empty());
        assert_eq!(codes(&out), ["READ_XLSX_INVALID"], "{data}");
    }
}

#[test]
fn deeply_nested_xml_gives_a_diagnostic_not_a_stack_overflow() {
    // 100 000 nested elements inside a cell, inside the shared strings and around the sheet
    // data: the XML is streamed, never recursed into.
    let deep = |tag: &str, inner: &str| {
        format!(
            "{}{inner}{}",
            format!("<{tag}>").repeat(100_000),
            format!("</{tag}>").repeat(100_000)
        )
    };
    let sheet = |data: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
        )
    };
    let cases = [
        raw_book(
            &sheet(&format!(
                r#"<row r="1"><c r="A1" t="inlineStr"><is>{}</is></c></row>"#,
                deep("r", "<t>项目名称</t>")
            )),
            None,
        ),
        raw_book(
            &sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#),
            Some(&format!("<sst><si>{}</si></sst>", deep("r", "<t>x</t>"))),
        ),
        raw_book(&deep("worksheet", "<sheetData/>"), None),
        raw_book(&sheet(&deep("row", "")), None),
    ];
    for book in &cases {
        let out = read_bytes(book);
        assert!(out.forms.is_empty());
        assert!(!codes(&out).is_empty(), "a reason is given");
    }
}

#[test]
fn mutated_workbooks_never_panic() {
    use std::io::{Read, Write};
    let evs: Vec<Evaluation> = read_bytes(&fixture("songjiang-2023.tsv"))
        .forms
        .into_iter()
        .map(|f| f.evaluation)
        .collect();
    let book = xlsx::write_xlsx(&evs[..1], XlsxOptions::default()).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&book)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        parts.push((name, bytes));
    }
    // A small deterministic generator (no dependency): xorshift.
    let mut state = 0x2023_1128_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..300 {
        let target = if round % 3 == 0 {
            "xl/sharedStrings.xml"
        } else {
            "xl/worksheets/sheet1.xml"
        };
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for (name, bytes) in &parts {
                let mut bytes = bytes.clone();
                if name == target && !bytes.is_empty() {
                    for _ in 0..1 + next() % 8 {
                        let at = (next() % bytes.len() as u64) as usize;
                        match next() % 3 {
                            0 => bytes[at] = next() as u8,
                            1 => {
                                bytes.remove(at);
                            }
                            _ => bytes.insert(at, b"<>\"=/0123456789"[(next() % 15) as usize]),
                        }
                    }
                }
                w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(&bytes).unwrap();
            }
            w.finish().unwrap();
        }
        // Whatever it makes of it: no panic, and what it reads is located in the sheet.
        let out = read_bytes(buf.get_ref());
        for f in out.forms.iter().flat_map(|f| &f.diagnostics) {
            if let Some(loc) = &f.location {
                assert!(loc.sheet.is_some(), "{round}: {loc}");
            }
        }
    }
}
