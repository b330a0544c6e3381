//! The audit report (审核报告): one standalone HTML file in Chinese — no script, no external
//! style sheet, font or image; charts are inline SVG drawn by [`crate::svg`]; every text from a
//! form is escaped.
//!
//! Sections: 总览 (totals) · 等级分布 (reported vs computed grades) · 执行率分布 · 自报与计算总分之差 ·
//! 审核发现（按频次，附示例）· 问题最严重的表 · 按主管部门 · 按实施单位 · 逐表发现.
//!
//! The per-form section (逐表发现) is bounded: it lists, compactly, the forms **with findings**
//! (one line each: where, project, unit, reported/computed total, counts, codes with indicator
//! numbers), in the order they were done, up to [`FormList`]'s cap (20 000 by default); forms
//! without findings are only counted, and past the cap forms are counted, not listed (the
//! `--xlsx` report lists every form). Each listed form has an anchor `#f<N>` that the examples
//! link to. The lines are written to a temporary file as forms are done, so memory stays flat.

use crate::aggregate::{Aggregate, FormLine, DELTA_LABELS, GRADES, RATE_LABELS};
use crate::svg::{bar_chart, share_bar, Series};
use crate::Unreadable;
use jixiao_core::score::display_decimal;
use jixiao_core::{Severity, CHECKS};
use jixiao_formats::html::{escape, escape_into, FONT_STACK};
use rust_decimal::Decimal;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};

/// Default cap of forms listed one by one.
pub const MAX_LISTED: u64 = 20_000;
/// Rows shown in the department and unit tables.
pub const MAX_ROLLUP_ROWS: usize = 200;

/// About the run, for the report's heading.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub profile: String,
    pub inputs: u64,
    pub elapsed_secs: f64,
    pub threads: usize,
}

/// The per-form list, spilled to a temporary file as forms are done.
pub struct FormList {
    file: BufWriter<File>,
    cap: u64,
    pub listed: u64,
    pub omitted: u64,
    pub clean: u64,
}

impl FormList {
    pub fn new(cap: u64) -> io::Result<Self> {
        Ok(FormList {
            file: BufWriter::new(tempfile::tempfile()?),
            cap,
            listed: 0,
            omitted: 0,
            clean: 0,
        })
    }

    pub fn push(&mut self, line: &FormLine) -> io::Result<()> {
        if line.counts.iter().sum::<u64>() == 0 {
            self.clean += 1;
            return Ok(());
        }
        if self.listed >= self.cap {
            self.omitted += 1;
            return Ok(());
        }
        self.listed += 1;
        let mut s = String::with_capacity(256);
        s.push_str("<li id=\"");
        escape_into(&mut s, &line.anchor);
        s.push_str("\"><span class=\"src\">");
        escape_into(&mut s, &line.place);
        s.push_str("</span> <b>");
        escape_into(&mut s, &line.project);
        s.push_str("</b>");
        if !line.unit.is_empty() {
            s.push('（');
            escape_into(&mut s, &line.unit);
            s.push('）');
        }
        s.push_str(&format!(
            " 自报 {} · 计算 {} {}<br><code>",
            num(line.reported),
            num(line.computed),
            counts_html(line.counts)
        ));
        escape_into(&mut s, &line.codes);
        s.push_str("</code></li>\n");
        // One line per form in the spill file: the HTML has no raw newline inside.
        self.file.write_all(s.as_bytes())
    }
}

fn num(v: Option<Decimal>) -> String {
    v.map_or("—".into(), |d| display_decimal(d, 2))
}

fn counts_html(c: [u64; 3]) -> String {
    let mut s = String::new();
    if c[2] > 0 {
        s.push_str(&format!("<span class=\"sev e\">错误 {}</span> ", c[2]));
    }
    if c[1] > 0 {
        s.push_str(&format!("<span class=\"sev w\">警告 {}</span> ", c[1]));
    }
    if c[0] > 0 {
        s.push_str(&format!("<span class=\"sev i\">提示 {}</span>", c[0]));
    }
    s
}

/// `1234567.891` yuan → `123.46 万元` with thousands grouped.
fn wan(yuan: Decimal) -> String {
    format!("{} 万元", wan_number(yuan))
}

/// A count with thousands grouped: `100000` → `100,000`.
fn count(n: u64) -> String {
    group(&n.to_string())
}

fn group(int: &str) -> String {
    let mut g = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(c);
    }
    g
}

/// `1234567.891` yuan → `123.46` (万元) with thousands grouped.
fn wan_number(yuan: Decimal) -> String {
    let v = display_decimal(yuan / Decimal::from(10_000), 2);
    let (int, frac) = v.split_once('.').unwrap_or((&v, "00"));
    let (sign, int) = int.strip_prefix('-').map_or(("", int), |i| ("-", i));
    format!("{sign}{}.{frac}", group(int))
}

/// `executed / adjusted` in percent, or "—" when there is no budget or the rate does not fit
/// a `Decimal` (amounts summed from the forms can be anything).
fn rate_percent(executed: Decimal, adjusted: Decimal) -> String {
    match executed
        .checked_div(adjusted)
        .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
    {
        Some(r) => format!("{}%", display_decimal(r, 2)),
        None => "—".to_string(),
    }
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".into();
    }
    format!("{:.1}%", 100.0 * part as f64 / whole as f64)
}

fn sev_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "e",
        Severity::Warning => "w",
        Severity::Info => "i",
    }
}

fn title_of(code: &str) -> String {
    if let Some(c) = CHECKS.iter().find(|c| c.code == code) {
        return c.title_zh.to_string();
    }
    if code.starts_with("READ_") {
        return "读取问题（已修复、跳过或读不准的内容）".into();
    }
    String::new()
}

const STYLE: &str = r#"
* { box-sizing: border-box; }
body { font-family: FONTS; color: #1a1a1a; margin: 0; background: #f5f5f3; line-height: 1.5; }
header { background: #7a1f1f; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 24px; letter-spacing: .05em; }
header p { margin: 4px 0 0; opacity: .9; font-size: 13px; }
nav { background: #fff; border-bottom: 1px solid #ddd; padding: 8px 32px; font-size: 14px; position: sticky; top: 0; }
nav a { margin-right: 14px; color: #7a1f1f; text-decoration: none; }
main { max-width: 1240px; margin: 0 auto; padding: 8px 32px 48px; }
section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 14px 20px; margin: 16px 0; }
h2 { font-size: 19px; margin: 0 0 10px; border-left: 4px solid #7a1f1f; padding-left: 8px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { flex: 1 1 160px; border: 1px solid #e5e5e5; border-radius: 6px; padding: 10px 14px; background: #fafafa; }
.card .v { font-size: 21px; white-space: nowrap; font-weight: bold; font-variant-numeric: tabular-nums; }
.card .k { font-size: 13px; color: #555; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 5px 6px; text-align: left; vertical-align: top; }
th { background: #f2efe9; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sev { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; white-space: nowrap; }
.sev.e { background: #fde2e1; color: #a11; } .sev.w { background: #fff1cc; color: #8a5a00; } .sev.i { background: #e3eefc; color: #1d4f91; }
.ex { font-size: 12px; color: #444; margin: 2px 0; }
.ex a, .forms a { color: #7a1f1f; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.chart { max-width: 100%; height: auto; background: #fff; }
.note { font-size: 12px; color: #666; }
ol.forms { font-size: 12.5px; padding-left: 20px; }
ol.forms li { margin: 3px 0; }
ol.forms code { font-size: 11.5px; color: #444; word-break: break-all; }
.src { color: #666; font-family: monospace; }
.top h3 { font-size: 15px; margin: 12px 0 4px; }
.top ul { margin: 0; padding-left: 20px; font-size: 12.5px; }
:target { background: #fff7d6; }
@media print { nav { display: none; } body { background: #fff; } section { break-inside: avoid; } }
"#;

/// Write the report.
pub fn write_report(
    out: &mut dyn Write,
    agg: &Aggregate,
    unreadable: &Unreadable,
    meta: &Meta,
    list: FormList,
) -> io::Result<()> {
    let mut h = String::with_capacity(64 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>绩效自评表批量审核报告</title>\n<style>");
    h.push_str(&STYLE.replace("FONTS", FONT_STACK));
    h.push_str("</style>\n</head>\n<body>\n<header><h1>项目支出绩效自评表 · 批量审核报告</h1>\n");
    h.push_str(&format!(
        "<p>评分规则 {} · 输入 {} 个 · 用时 {:.1} 秒 · {} 个线程 · 由 Jixiao 生成（同一引擎：读取 → 评分 → 审核）</p></header>\n",
        escape(&meta.profile),
        meta.inputs,
        meta.elapsed_secs,
        meta.threads
    ));
    h.push_str("<nav><a href=\"#totals\">总览</a><a href=\"#grades\">等级分布</a><a href=\"#rates\">执行率</a><a href=\"#deltas\">总分差</a><a href=\"#findings\">审核发现</a><a href=\"#serious\">问题最严重的表</a><a href=\"#departments\">按部门</a><a href=\"#units\">按单位</a><a href=\"#forms\">逐表发现</a></nav>\n<main>\n");

    // Totals.
    let exec_rate = rate_percent(agg.executed_yuan, agg.adjusted_yuan);
    h.push_str("<section id=\"totals\"><h2>总览</h2><div class=\"cards\">");
    let card = |h: &mut String, k: &str, v: String| {
        h.push_str(&format!(
            "<div class=\"card\"><div class=\"v\">{v}</div><div class=\"k\">{k}</div></div>"
        ));
    };
    card(&mut h, "自评表（张）", count(agg.forms));
    card(&mut h, "三级指标（个）", count(agg.indicators));
    card(
        &mut h,
        "全年预算数合计（万元）",
        wan_number(agg.adjusted_yuan),
    );
    card(
        &mut h,
        "全年执行数合计（万元）",
        wan_number(agg.executed_yuan),
    );
    card(&mut h, "总体执行率", exec_rate);
    card(
        &mut h,
        &format!(
            "有审核发现的表（占 {}）",
            pct(agg.forms_with_findings, agg.forms)
        ),
        count(agg.forms_with_findings),
    );
    h.push_str("</div><p>审核发现：");
    h.push_str(&counts_html([
        agg.findings[0],
        agg.findings[1],
        agg.findings[2],
    ]));
    h.push_str(&format!("（共 {} 条）。", agg.findings.iter().sum::<u64>()));
    if agg.money_unknown > 0 {
        h.push_str(&format!(
            "<span class=\"note\">其中 {} 张表未印金额单位、未读到预算数或金额过大无法合计，未计入金额合计。</span>",
            agg.money_unknown
        ));
    }
    if unreadable.count > 0 {
        h.push_str(&format!(
            "</p><p><span class=\"sev e\">无法读取</span> {} 个输入（或输入的片段）中没有可识别的自评表：",
            unreadable.count
        ));
        for (src, why) in &unreadable.examples {
            h.push_str(&format!(
                "<br><span class=\"src\">{}</span> {}",
                escape(src),
                escape(why)
            ));
        }
    }
    h.push_str("</p></section>\n");

    // Grades.
    let mut labels: Vec<String> = GRADES.iter().map(|g| g.to_string()).collect();
    let mut extra: Vec<&String> = agg
        .reported_grades
        .keys()
        .chain(agg.computed_grades.keys())
        .filter(|k| !GRADES.contains(&k.as_str()))
        .collect();
    extra.sort();
    extra.dedup();
    labels.extend(extra.into_iter().cloned());
    let reported: Vec<u64> = labels
        .iter()
        .map(|l| agg.reported_grades.get(l).copied().unwrap_or(0))
        .collect();
    let computed: Vec<u64> = labels
        .iter()
        .map(|l| agg.computed_grades.get(l).copied().unwrap_or(0))
        .collect();
    let label_refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    h.push_str(
        "<section id=\"grades\"><h2>等级分布（自报与按规则计算）</h2><div class=\"charts\">",
    );
    h.push_str(&bar_chart(
        "等级分布",
        &label_refs,
        &[
            Series {
                name: "自报",
                values: &reported,
                color: "#c9a227",
            },
            Series {
                name: "计算",
                values: &computed,
                color: "#7a1f1f",
            },
        ],
        560,
        260,
    ));
    h.push_str("<table style=\"max-width:420px\"><tr><th>等级</th><th class=\"n\">自报</th><th class=\"n\">计算</th></tr>");
    for (i, l) in labels.iter().enumerate() {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(l),
            reported[i],
            computed[i]
        ));
    }
    h.push_str("</table></div><p class=\"note\">自报等级：表上印的等级；未印等级的，按自报总分在同一评分规则的等级区间中确定。“未知”：未读到总分。</p></section>\n");

    // Execution rate.
    h.push_str("<section id=\"rates\"><h2>预算执行率分布（按规则计算）</h2>");
    h.push_str(&bar_chart(
        "执行率分布",
        &RATE_LABELS,
        &[Series {
            name: "表数",
            values: &agg.rate_bins,
            color: "#2f6f8f",
        }],
        820,
        260,
    ));
    h.push_str(&format!(
        "<p class=\"note\">执行率 = 全年执行数 ÷ 全年预算数（无调整列时用年初预算数）。{} 张表无法计算执行率（预算为 0 或未读到）。</p></section>\n",
        agg.rate_unknown
    ));

    // Deltas.
    h.push_str("<section id=\"deltas\"><h2>自报总分 − 计算总分</h2>");
    h.push_str(&bar_chart(
        "总分差分布",
        &DELTA_LABELS,
        &[Series {
            name: "表数",
            values: &agg.delta_bins,
            color: "#6b4c9a",
        }],
        820,
        260,
    ));
    let mean = if agg.delta_n > 0 {
        display_decimal(agg.delta_sum / Decimal::from(agg.delta_n), 2)
    } else {
        "—".into()
    };
    let high: u64 = agg.delta_bins[5..].iter().sum();
    h.push_str(&format!(
        "<p>平均差 {mean} 分；自报高于计算 0.5 分以上的 {high} 张（{}）。<span class=\"note\">{} 张表缺自报或计算总分。正数表示自报偏高。</span></p></section>\n",
        pct(high, agg.delta_n),
        agg.delta_unknown
    ));

    // Findings by frequency.
    let ranked = agg.codes_ranked();
    let max = ranked.first().map_or(0, |r| r.1.count);
    h.push_str("<section id=\"findings\"><h2>审核发现（按出现次数排序，附示例）</h2><table><tr><th>代码</th><th>严重程度</th><th>含义</th><th class=\"n\">次数</th><th class=\"n\">涉及表数</th><th></th><th>示例</th></tr>");
    for (code, s) in &ranked {
        h.push_str(&format!(
            "<tr><td><code>{}</code></td><td><span class=\"sev {}\">{}</span></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}<br><span class=\"note\">{}</span></td><td>{}</td><td>",
            escape(code),
            sev_class(s.severity),
            s.severity.label_zh(),
            escape(&title_of(code)),
            s.count,
            s.forms,
            pct(s.forms, agg.forms),
            share_bar(s.count, max, "#7a1f1f")
        ));
        for e in &s.examples {
            h.push_str(&format!(
                "<div class=\"ex\"><a href=\"#{}\">{}</a> {}：{}</div>",
                escape(&e.anchor),
                escape(&e.place),
                escape(&e.project),
                escape(&e.message)
            ));
        }
        h.push_str("</td></tr>");
    }
    h.push_str("</table></section>\n");

    // The most serious forms.
    h.push_str("<section id=\"serious\" class=\"top\"><h2>问题最严重的表</h2><p class=\"note\">按错误数、警告数、自报与计算总分之差排序。</p>");
    for t in &agg.top {
        h.push_str(&format!(
            "<h3 id=\"top-{}\"><a href=\"#{}\">{}</a> <span class=\"src\">{}</span> {} 自报 {} · 计算 {} {}</h3><ul>",
            escape(&t.anchor),
            escape(&t.anchor),
            escape(&t.project),
            escape(&t.place),
            if t.unit.is_empty() { String::new() } else { format!("（{}）", escape(&t.unit)) },
            num(t.reported),
            num(t.computed),
            counts_html(t.counts)
        ));
        for (sev, code, msg) in &t.findings {
            h.push_str(&format!(
                "<li><span class=\"sev {}\">{}</span> <code>{}</code> {}</li>",
                sev_class(*sev),
                sev.label_zh(),
                escape(code),
                escape(msg)
            ));
        }
        h.push_str("</ul>");
    }
    h.push_str("</section>\n");

    // Rollups.
    for (id, title, map, by_errors) in [
        ("departments", "按主管部门汇总", &agg.departments, false),
        ("units", "按实施单位汇总", &agg.units, true),
    ] {
        let mut rows: Vec<_> = map.iter().collect();
        if by_errors {
            rows.sort_by(|a, b| {
                (b.1.errors, b.1.warnings, b.1.forms)
                    .cmp(&(a.1.errors, a.1.warnings, a.1.forms))
                    .then(a.0.cmp(b.0))
            });
        } else {
            rows.sort_by(|a, b| b.1.forms.cmp(&a.1.forms).then(a.0.cmp(b.0)));
        }
        h.push_str(&format!(
            "<section id=\"{id}\"><h2>{title}</h2><table><tr><th>{}</th><th class=\"n\">表数</th><th class=\"n\">全年预算数</th><th class=\"n\">执行率</th><th class=\"n\">平均自报总分</th><th class=\"n\">平均计算总分</th><th class=\"n\">优/良/中/差（计算）</th><th class=\"n\">错误</th><th class=\"n\">警告</th><th class=\"n\">提示</th></tr>",
            if by_errors { "实施单位" } else { "主管部门" }
        ));
        for (name, r) in rows.iter().take(MAX_ROLLUP_ROWS) {
            let rate = rate_percent(r.executed_yuan, r.adjusted_yuan);
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{rate}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}/{}/{}/{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(name),
                r.forms,
                wan(r.adjusted_yuan),
                num(r.mean_reported()),
                num(r.mean_computed()),
                r.grades[0], r.grades[1], r.grades[2], r.grades[3],
                r.errors, r.warnings, r.infos
            ));
        }
        h.push_str("</table>");
        if rows.len() > MAX_ROLLUP_ROWS {
            h.push_str(&format!(
                "<p class=\"note\">共 {} 行，此处列出前 {MAX_ROLLUP_ROWS} 行{}。</p>",
                rows.len(),
                if by_errors {
                    "（按错误数排序）"
                } else {
                    "（按表数排序）"
                }
            ));
        }
        h.push_str("</section>\n");
    }

    // Per-form list, from the spill file.
    h.push_str(&format!(
        "<section id=\"forms\"><h2>逐表发现</h2><p class=\"note\">列出有审核发现的表（每张一行：位置、项目、单位、自报与计算总分、各级发现数、发现代码及涉及的指标序号）。{} 张表没有任何发现，未列出。{}</p><ol class=\"forms\">\n",
        list.clean,
        if list.omitted > 0 {
            format!(
                "为控制报告大小，只逐一列出前 {} 张；其余 {} 张有发现的表未列出（完整清单见 --xlsx 报告的“逐表”工作表，或 jixiao check）。",
                list.listed, list.omitted
            )
        } else {
            String::new()
        }
    ));
    out.write_all(h.as_bytes())?;
    let mut file = list.file.into_inner().map_err(|e| e.into_error())?;
    file.rewind()?;
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        out.write_all(line.as_bytes())?;
    }
    out.write_all(b"</ol></section>\n</main>\n</body>\n</html>\n")?;
    out.flush()
}
