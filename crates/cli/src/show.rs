//! `jixiao show`: the scorecard (评分表) of each form — every indicator, the reported and the
//! rule-based score, and why.

use jixiao_core::score::display_decimal;
use jixiao_core::{Assessment, Computed, Evaluation, Profile};
use rust_decimal::Decimal;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// The why-column is cut to this display width.
const WHY_MAX: usize = 60;

fn dash() -> String {
    "—".to_string()
}

fn num(d: Option<Decimal>) -> String {
    d.map_or_else(dash, |d| d.to_string())
}

fn computed(c: Option<&Computed>) -> String {
    c.map_or_else(dash, Computed::display)
}

/// A fraction in percent; a dash (as for a rate not computed) when the percent does not fit a
/// `Decimal` (the rate is a quotient of amounts read from the form).
fn percent(fraction: Decimal, decimals: u32) -> String {
    match fraction.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!("{}%", display_decimal(p, decimals)),
        None => dash(),
    }
}

/// Write the scorecard of one form.
pub fn write_scorecard(
    out: &mut dyn Write,
    source: &str,
    form_index: usize,
    ev: &Evaluation,
    assessment: &Assessment,
    profile: &Profile,
) -> io::Result<()> {
    let card = &assessment.scorecard;
    let project = ev
        .project
        .as_deref()
        .unwrap_or("（无项目名称 no project name）");
    writeln!(
        out,
        "{project} — {} 年度 — {} ({source} 第 {} 张表 form {})",
        ev.year.map_or_else(dash, |y| y.to_string()),
        ev.unit.as_deref().unwrap_or("—"),
        form_index + 1,
        form_index
    )?;
    writeln!(
        out,
        "规则 (profile): {} {} — {}",
        profile.name, profile.version, profile.title
    )?;
    let unit = ev.money_unit.as_deref().unwrap_or("");
    let total = &ev.funds.total;
    writeln!(
        out,
        "预算执行 (budget): 年初 initial {} / 全年 adjusted {} / 执行 executed {} {unit}",
        num(total.initial),
        num(total.adjusted),
        num(total.executed)
    )?;
    let rate_reported = ev.funds.rate_printed.clone().unwrap_or_else(dash);
    let rate_computed = card
        .execution_rate
        .as_ref()
        .map_or_else(dash, |c| percent(c.value, 2));
    writeln!(
        out,
        "  执行率 (rate): 自报 reported {rate_reported} / 计算 computed {rate_computed}{}",
        why_suffix(card.execution_rate.as_ref())
    )?;
    writeln!(
        out,
        "  得分 (score): 分值 weight {} / 自报 reported {} / 计算 computed {}{}",
        num(ev.funds.weight),
        num(ev.funds.score.map(|s| s.value)),
        computed(card.budget_score.as_ref()),
        why_suffix(card.budget_score.as_ref())
    )?;
    writeln!(out)?;

    let header = [
        "#",
        "指标 indicator",
        "目标 target",
        "实际 actual",
        "分值 W",
        "自报 reported",
        "计算 computed",
        "依据 why",
    ];
    let mut rows: Vec<[String; 8]> = Vec::with_capacity(ev.indicators.len());
    for (i, ind) in ev.indicators.iter().enumerate() {
        let score = card.indicators.iter().find(|s| s.index == i);
        let c = score.and_then(|s| s.computed.as_ref());
        let why = match (c, score.and_then(|s| s.band)) {
            (Some(c), _) => c.formula.to_string(),
            (None, Some((lo, hi))) => format!(
                "定性区间 band {}–{}",
                display_decimal(lo, 2),
                display_decimal(hi, 2)
            ),
            (None, None) => dash(),
        };
        rows.push([
            (i + 1).to_string(),
            ind.name.to_string(),
            ind.target.as_deref().map_or_else(dash, str::to_owned),
            ind.actual.as_deref().map_or_else(dash, str::to_owned),
            num(ind.weight),
            num(ind.score),
            computed(c),
            cut(&why, WHY_MAX),
        ]);
    }
    let mut widths = header.map(UnicodeWidthStr::width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    write_row(out, &header.map(String::from), &widths)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("  "))?;
    for row in &rows {
        write_row(out, row, &widths)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "指标得分 (indicator score): 计算 computed {}{}",
        computed(card.indicator_total.as_ref()),
        why_suffix(card.indicator_total.as_ref())
    )?;
    writeln!(
        out,
        "总分 (total): 自报 reported {} / 计算 computed {}{}",
        num(ev.total_score.map(|s| s.value)),
        computed(card.total.as_ref()),
        why_suffix(card.total.as_ref())
    )?;
    writeln!(
        out,
        "等级 (grade): 自报 reported {} / 计算 computed {}{}",
        ev.grade.clone().unwrap_or_else(dash),
        card.grade.as_ref().map_or_else(dash, |g| g.grade.clone()),
        card.grade
            .as_ref()
            .map_or_else(String::new, |g| format!("  ({})", g.formula))
    )?;
    for note in &card.notes {
        writeln!(out, "  注 (note): {note}")?;
    }
    let [info, warning, error] = assessment.findings.iter().fold([0; 3], |mut by, f| {
        by[f.severity as usize] += 1;
        by
    });
    writeln!(
        out,
        "审核 (review): 错误 {error} 警告 {warning} 提示 {info} (errors, warnings, infos) — `jixiao check` 列出详情 (lists them)\n"
    )
}

fn why_suffix(c: Option<&Computed>) -> String {
    c.map_or_else(String::new, |c| format!("  ({})", c.formula))
}

fn write_row(out: &mut dyn Write, row: &[String; 8], widths: &[usize; 8]) -> io::Result<()> {
    let mut line = String::new();
    for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(cell);
        if i + 1 < row.len() {
            line.push_str(&" ".repeat(w.saturating_sub(cell.width())));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

fn cut(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// `jixiao show INPUT...`: the scorecard of every form. Returns the number of inputs that could
/// not be read at all.
pub fn run(
    args: &[String],
    profile: &Profile,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<usize> {
    use crate::inputs::{self, Expanded, Origin};
    let mut unreadable = 0;
    let mut notes = Vec::new();
    let expanded = inputs::expand(args, &mut |n| notes.push(n));
    for note in notes {
        writeln!(err, "{note}")?;
    }
    for item in expanded {
        let source = match item {
            Expanded::Missing { name, error } => {
                unreadable += 1;
                writeln!(
                    err,
                    "错误：无法打开 {name}：{error} (error: cannot open {name}: {error})"
                )?;
                continue;
            }
            Expanded::Source(source) => source,
        };
        let reader: Box<dyn io::Read> = match &source.origin {
            Origin::Stdin => Box::new(io::stdin()),
            Origin::File(path) => match std::fs::File::open(path) {
                Ok(file) => Box::new(file),
                Err(error) => {
                    unreadable += 1;
                    writeln!(
                        err,
                        "错误：无法打开 {}：{error} (error: cannot open)",
                        source.name
                    )?;
                    continue;
                }
            },
        };
        let mut index = 0usize;
        let result = inputs::for_each_chunk(reader, |chunk| -> io::Result<()> {
            let outcome = jixiao_formats::read_bytes(&chunk.bytes);
            for form in &outcome.forms {
                let assessment = jixiao_core::assess(&form.evaluation, profile);
                write_scorecard(
                    out,
                    &source.name,
                    index,
                    &form.evaluation,
                    &assessment,
                    profile,
                )?;
                index += 1;
            }
            Ok(())
        });
        match result {
            Ok(()) if index > 0 => {}
            Ok(()) => {
                unreadable += 1;
                writeln!(
                    err,
                    "错误：{0} 中没有可识别的绩效自评表 (error: no recognisable form in {0})",
                    source.name
                )?;
            }
            Err(inputs::ChunkError::Each(error)) => return Err(error),
            Err(inputs::ChunkError::Io(error)) => {
                unreadable += 1;
                writeln!(
                    err,
                    "错误：读取 {} 失败：{error} (error: reading failed)",
                    source.name
                )?;
            }
        }
    }
    Ok(unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_respects_display_width() {
        assert_eq!(cut("abc", 5), "abc");
        let c = cut("甲乙丙丁戊", 5);
        assert_eq!(c, "甲乙…");
        assert!(c.width() <= 5);
    }
}
