//! The print view (打印视图): one standalone HTML file, one form per A4 landscape page, laid out
//! like the official table. No external resource of any kind (no script, no style sheet, no
//! font file, no image): CJK fonts are named with fallbacks, so the page prints the same in an
//! offline intranet. Every text taken from a form is escaped.

use jixiao_core::score::display_decimal;
use jixiao_core::{Evaluation, FundRow, PrintedDecimal};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// The font stack used by every page Jixiao writes.
pub const FONT_STACK: &str =
    r#""Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun", sans-serif"#;

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// [`escape`], appending to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

const STYLE: &str = r#"
@page { size: A4 landscape; margin: 10mm 12mm; }
* { box-sizing: border-box; }
body { font-family: FONTS; color: #000; margin: 0; background: #e8e8e8; }
.page { width: 297mm; min-height: 210mm; margin: 8mm auto; padding: 10mm 12mm; background: #fff;
        box-shadow: 0 1px 4px rgba(0,0,0,.3); break-after: page; page-break-after: always; }
.page:last-child { break-after: auto; page-break-after: auto; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 2mm; letter-spacing: .2em; }
.year { text-align: center; font-size: 11pt; margin: 0 0 3mm; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 9.5pt; }
td, th { border: 1px solid #000; padding: 1.2mm 1.5mm; vertical-align: middle; word-wrap: break-word; }
th, .label { font-weight: normal; text-align: center; }
th { background: #f2f2f2; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nw { white-space: nowrap; }
.c { text-align: center; }
.text { text-align: left; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
.note { font-size: 8.5pt; color: #444; margin-top: 2mm; }
@media print {
  body { background: none; }
  .page { margin: 0; box-shadow: none; width: auto; min-height: 0; padding: 0; }
  h1 { font-size: 14pt; margin: 0 0 1mm; }
  .year { margin: 0 0 1.5mm; font-size: 9.5pt; }
  table { font-size: 7.8pt; line-height: 1.25; }
  td, th { padding: .5mm 1mm; }
}
"#;

/// Column widths of the nine official columns, in percent.
const COLS: [u32; 9] = [7, 9, 11, 20, 11, 11, 7, 6, 18];

/// One standalone HTML document with every form, one per page.
pub fn print_view(forms: &[Evaluation]) -> String {
    let mut out = String::with_capacity(8192 + forms.len() * 8192);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>项目支出绩效自评表（{} 张）</title>",
        forms.len()
    );
    out.push_str("<style>");
    out.push_str(&STYLE.replace("FONTS", FONT_STACK));
    out.push_str("</style>\n</head>\n<body>\n");
    for (i, ev) in forms.iter().enumerate() {
        write_form(&mut out, i, ev);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn opt(out: &mut String, text: Option<&str>) {
    escape_into(out, text.unwrap_or(""));
}

fn money(value: Option<Decimal>) -> String {
    match value {
        Some(d) => group_thousands(&display_decimal(d, d.scale().max(2))),
        None => String::new(),
    }
}

/// `507500.00` → `507,500.00`.
fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn printed(value: Option<PrintedDecimal>) -> String {
    value.map_or(String::new(), |p| display_decimal(p.value, p.decimals))
}

fn plain(value: Option<Decimal>) -> String {
    value.map_or(String::new(), |d| d.to_string())
}

fn write_form(out: &mut String, index: usize, ev: &Evaluation) {
    let _ = write!(
        out,
        "<section class=\"page\" id=\"form-{}\">\n<h1>项目支出绩效自评表</h1>\n",
        index + 1
    );
    if let Some(year) = ev.year {
        let _ = writeln!(out, "<p class=\"year\">（{year}年度）</p>");
    }
    out.push_str("<table>\n<colgroup>");
    for w in COLS {
        let _ = write!(out, "<col style=\"width:{w}%\">");
    }
    out.push_str("</colgroup>\n<tbody>\n");
    // Header block.
    out.push_str("<tr><td class=\"label\">项目名称</td><td colspan=\"8\" class=\"text\">");
    opt(out, ev.project.as_deref());
    out.push_str(
        "</td></tr>\n<tr><td class=\"label\">主管部门</td><td colspan=\"3\" class=\"text\">",
    );
    opt(out, ev.department.as_deref());
    out.push_str("</td><td class=\"label\">实施单位</td><td colspan=\"4\" class=\"text\">");
    opt(out, ev.unit.as_deref());
    out.push_str("</td></tr>\n");

    // Funds block.
    let funds = &ev.funds;
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
        .map_or(String::new(), |u| format!("（{}）", escape(u)));
    let _ = writeln!(
        out,
        "<tr><td class=\"label\" rowspan=\"{}\">项目资金{unit}</td><th></th><th>年初预算数</th><th>{}</th><th>全年执行数</th><th>分值</th><th>执行率</th><th>得分</th><th>{}</th></tr>",
        rows.len() + 1,
        if funds.has_adjusted_column { "全年预算数" } else { "—" },
        if funds.reason.is_some() { "原因" } else { "" },
    );
    for (n, (label, row)) in rows.iter().enumerate() {
        out.push_str("<tr><td class=\"label\">");
        escape_into(out, label);
        let _ = write!(
            out,
            "</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            money(row.initial),
            money(row.adjusted),
            money(row.executed)
        );
        if n == 0 {
            out.push_str("<td class=\"c\">");
            out.push_str(&plain(funds.weight));
            out.push_str("</td><td class=\"c nw\">");
            opt(out, funds.rate_printed.as_deref());
            out.push_str("</td><td class=\"c\">");
            out.push_str(&printed(funds.score));
            out.push_str("</td><td class=\"text\">");
            opt(out, funds.reason.as_deref());
            out.push_str("</td></tr>\n");
        } else {
            out.push_str("<td class=\"c\">—</td><td class=\"c\">—</td><td class=\"c\">—</td><td></td></tr>\n");
        }
    }

    // Goals.
    out.push_str("<tr><td class=\"label\" rowspan=\"2\">年度总体目标</td><th colspan=\"4\">预期目标</th><th colspan=\"4\">实际完成情况</th></tr>\n<tr><td colspan=\"4\" class=\"text\">");
    opt(out, ev.goal_expected.as_deref());
    out.push_str("</td><td colspan=\"4\" class=\"text\">");
    opt(out, ev.goal_actual.as_deref());
    out.push_str("</td></tr>\n");

    // Indicator table: 一级 and 二级 span their runs.
    let n = ev.indicators.len();
    let _ = writeln!(
        out,
        "<tr><td class=\"label\" rowspan=\"{}\">绩效指标</td><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>年度指标值</th><th>实际完成值</th><th>分值</th><th>得分</th><th>偏差原因分析及改进措施</th></tr>",
        n + 1
    );
    let l1: Vec<Key<'_>> = ev
        .indicators
        .iter()
        .map(|ind| (None, ind.level1.as_deref()))
        .collect();
    let l2: Vec<Key<'_>> = ev
        .indicators
        .iter()
        .map(|ind| (ind.level1.as_deref(), ind.level2.as_deref()))
        .collect();
    for (i, ind) in ev.indicators.iter().enumerate() {
        out.push_str("<tr>");
        if let Some(rows) = span(&l1, i) {
            let _ = write!(out, "<td class=\"label\" rowspan=\"{rows}\">");
            opt(out, ind.level1.as_deref());
            out.push_str("</td>");
        }
        if let Some(rows) = span(&l2, i) {
            let _ = write!(out, "<td class=\"label\" rowspan=\"{rows}\">");
            opt(out, ind.level2.as_deref());
            out.push_str("</td>");
        }
        out.push_str("<td class=\"text\">");
        escape_into(out, &ind.name);
        out.push_str("</td><td class=\"c\">");
        opt(out, ind.target.as_deref());
        out.push_str("</td><td class=\"c\">");
        opt(out, ind.actual.as_deref());
        let _ = write!(
            out,
            "</td><td class=\"c\">{}</td><td class=\"c\">{}</td><td class=\"text\">",
            plain(ind.weight),
            plain(ind.score)
        );
        opt(out, ind.reason.as_deref());
        out.push_str("</td></tr>\n");
    }
    let cut_off = ev.truncated && ev.total_weight.is_none() && ev.total_score.is_none();
    if !cut_off {
        let _ = write!(
            out,
            "<tr><th colspan=\"6\">总分</th><td class=\"c\">{}</td><td class=\"c\">{}</td><td class=\"c\">",
            plain(ev.total_weight),
            printed(ev.total_score)
        );
        opt(out, ev.grade.as_deref());
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if ev.truncated {
        out.push_str(
            "<p class=\"note\">注：原表在此处中断（未见总分行），以上为读取到的全部内容。</p>\n",
        );
    }
    out.push_str("</section>\n");
}

/// A level label with the one above it: runs of equal keys share a cell.
type Key<'a> = (Option<&'a str>, Option<&'a str>);

/// The rows a level cell spans from row `i`, or `None` when the cell above covers it.
fn span(keys: &[Key<'_>], i: usize) -> Option<usize> {
    let key = keys[i];
    if key.1.is_some() && i > 0 && keys[i - 1] == key {
        return None;
    }
    let mut end = i + 1;
    while key.1.is_some() && end < keys.len() && keys[end] == key {
        end += 1;
    }
    Some(end - i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped() {
        let ev = Evaluation {
            project: Some("<script>alert(1)</script> & \"x\" 'y'".into()),
            ..Evaluation::default()
        };
        let html = print_view(&[ev]);
        assert!(!html.contains("<script>"));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;")
        );
    }

    #[test]
    fn money_is_grouped() {
        assert_eq!(group_thousands("507500.00"), "507,500.00");
        assert_eq!(group_thousands("-1234"), "-1,234");
        assert_eq!(group_thousands("12"), "12");
    }
}
