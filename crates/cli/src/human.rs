//! Compiler-style diagnostics (人读输出), in the manner of rustc and miette:
//!
//! ```text
//! warning[MET_BUT_DEDUCTED]: 指标已达成却被扣分 …
//!   --> fixtures/songjiang-2023.tsv:17:5
//!    |
//! 17 |     工伤鉴定认定准确送达率    >=95%    99%    7    5
//!    |                                                ^
//!    = note: the target was met yet points were deducted …
//!    = note: 依据 (rule): 财预〔2020〕10号 …
//! ```
//!
//! Columns are display columns: a CJK character is two wide (unicode-width), a tab is shown
//! as four spaces, as rustc does.

use jixiao_core::{Finding, Severity};
use jixiao_formats::contract::location_string;
use std::io::{self, Write};
use unicode_width::UnicodeWidthChar;

/// A tab is shown as this many spaces.
const TAB: usize = 4;
/// Source lines wider than this are shown as a window around the pointer.
const MAX_LINE: usize = 100;
/// Display columns kept before the pointer in a window.
const LEAD: usize = 40;

/// ANSI styling, on only for terminals.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    pub fn severity(&self, severity: Severity) -> String {
        let code = match severity {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;36",
        };
        self.paint(code, severity.as_str())
    }
    pub fn blue(&self, text: &str) -> String {
        self.paint("1;34", text)
    }
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// Line access into one piece of source text, whose first line is `first_line` of the input.
pub struct SourceLines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    first_line: u32,
}

impl<'a> SourceLines<'a> {
    pub fn new(text: &'a str, first_line: u32) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceLines {
            text,
            starts,
            first_line,
        }
    }

    /// The text of input line `line` (1-based, in the whole input), if it is in this piece.
    pub fn line(&self, line: u32) -> Option<&'a str> {
        let index = usize::try_from(line.checked_sub(self.first_line)?).ok()?;
        let start = *self.starts.get(index)?;
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.text.len(), |e| e - 1);
        self.text.get(start..end)
    }
}

/// Write one finding. `lines` is `None` when the source lines are not at hand (JSON input:
/// its locations refer to the document the form was first read from).
pub fn write_finding(
    out: &mut dyn Write,
    style: Style,
    source: &str,
    finding: &Finding,
    indicator_name: Option<&str>,
    lines: Option<&SourceLines>,
) -> io::Result<()> {
    writeln!(
        out,
        "{}{}: {}",
        style.severity(finding.severity),
        style.bold(&format!("[{}]", finding.code)),
        style.bold(&finding.message)
    )?;
    let loc = finding.location.as_ref();
    let line_text = loc
        .filter(|l| l.sheet.is_none())
        .and_then(|l| lines.and_then(|s| s.line(l.line)).map(|t| (l, t)));
    let gutter = line_text.map_or(1, |(l, _)| l.line.to_string().len());
    let pad = " ".repeat(gutter);
    match loc {
        Some(l) => writeln!(
            out,
            "{pad}{} {}",
            style.blue("-->"),
            location_string(source, l)
        )?,
        None => writeln!(out, "{pad}{} {source}", style.blue("-->"))?,
    }
    if let Some((l, text)) = line_text {
        let (shown, pointer_at, pointer_len) = render_line(text, l.column);
        writeln!(out, "{pad} {}", style.blue("|"))?;
        writeln!(
            out,
            "{} {} {shown}",
            style.blue(&l.line.to_string()),
            style.blue("|")
        )?;
        writeln!(
            out,
            "{pad} {} {}{}",
            style.blue("|"),
            " ".repeat(pointer_at),
            style.paint(
                match finding.severity {
                    Severity::Error => "1;31",
                    Severity::Warning => "1;33",
                    Severity::Info => "1;36",
                },
                &"^".repeat(pointer_len)
            )
        )?;
    }
    if let (Some(i), Some(name)) = (finding.indicator, indicator_name) {
        writeln!(
            out,
            "{pad} {} 指标 (indicator) #{}: {name}",
            style.blue("="),
            i + 1
        )?;
    }
    if !finding.message_en.is_empty() {
        writeln!(
            out,
            "{pad} {} {}",
            style.blue("= note:"),
            finding.message_en
        )?;
    }
    if !finding.rule.is_empty() {
        writeln!(
            out,
            "{pad} {} 依据 (rule): {}",
            style.blue("= note:"),
            finding.rule
        )?;
    }
    writeln!(out)
}

/// Lay a source line out for display: tabs expanded, a window cut around the pointer when the
/// line is too wide. Returns the shown text, the pointer's display offset in it and the
/// pointer's width (the cell from `column` to the next tab, at least 1).
pub fn render_line(text: &str, column: u32) -> (String, usize, usize) {
    // (shown text of the char, display width, is inside the pointed cell)
    let start = usize::try_from(column.max(1) - 1).unwrap_or(usize::MAX);
    let mut cells: Vec<(String, usize, bool)> = Vec::with_capacity(text.len());
    // Where a cell ends depends on the carrier: tabs in a grid, `|` in pipe rows, white space
    // in flattened text.
    let ends_cell: fn(char) -> bool = if text.contains('\t') {
        |c| c == '\t'
    } else if text.contains('|') {
        |c| c == '|'
    } else {
        char::is_whitespace
    };
    let mut in_cell = false;
    for (i, c) in text.chars().enumerate() {
        if i == start {
            in_cell = true;
        }
        if i > start && ends_cell(c) {
            in_cell = false;
        }
        if c == '\t' {
            cells.push((" ".repeat(TAB), TAB, false));
        } else {
            let w = c.width().unwrap_or(0);
            let shown = if c.is_control() {
                ' '.to_string()
            } else {
                c.to_string()
            };
            cells.push((shown, w.max(usize::from(c.is_control())), in_cell));
        }
    }
    let before: usize = cells.iter().take(start).map(|c| c.1).sum();
    // The pointer spans the cell without its trailing blanks.
    let last = cells.iter().rposition(|c| c.2 && !c.0.trim().is_empty());
    let cell: usize = cells
        .iter()
        .enumerate()
        .filter(|(i, c)| c.2 && last.is_some_and(|l| *i <= l))
        .map(|(_, c)| c.1)
        .sum();
    let total: usize = cells.iter().map(|c| c.1).sum();
    let pointer_len = cell.clamp(1, MAX_LINE - LEAD);
    if total <= MAX_LINE {
        let shown: String = cells.iter().map(|c| c.0.as_str()).collect();
        return (shown.trim_end().to_string(), before, pointer_len);
    }
    // Window: up to LEAD columns before the pointer, up to MAX_LINE in all.
    let skip = before.saturating_sub(LEAD);
    let mut dropped = 0;
    let mut iter = cells.iter().peekable();
    while dropped < skip {
        match iter.next() {
            Some(c) => dropped += c.1,
            None => break,
        }
    }
    let mut shown = String::new();
    let mut width = 0;
    let mut offset = before - dropped.min(before);
    if dropped > 0 {
        shown.push('…');
        width = 1;
        offset += 1;
    }
    for c in iter {
        if width + c.1 > MAX_LINE {
            shown.push('…');
            break;
        }
        shown.push_str(&c.0);
        width += c.1;
    }
    (shown.trim_end().to_string(), offset, pointer_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jixiao_core::Loc;

    #[test]
    fn pointer_sits_under_the_cell_counting_cjk_as_two() {
        // Columns are characters: 1, 2 = 名称, 3 = the tab, 4 = `>`; on screen 名称 is four
        // wide and the tab four more.
        let (shown, at, len) = render_line("名称\t>=95%\t99%", 4);
        assert_eq!(shown, "名称    >=95%    99%");
        assert_eq!(at, 8);
        assert_eq!(len, 5);
        let (_, at, len) = render_line("名称\t>=95%\t99%", 1);
        assert_eq!((at, len), (0, 4));
    }

    #[test]
    fn cells_end_at_pipes_or_spaces_when_there_are_no_tabs() {
        let (_, at, len) = render_line("| 名称 | >=95% | 99% |", 8);
        assert_eq!((at, len), (9, 5));
        let (_, at, len) = render_line("总分: 100 94 其中", 5);
        assert_eq!((at, len), (6, 3));
    }

    #[test]
    fn empty_cell_gets_one_caret_and_long_lines_a_window() {
        let (_, at, len) = render_line("a\t\tb", 3);
        assert_eq!((at, len), (5, 1));
        let long = format!("{}目标{}", "甲".repeat(200), "乙".repeat(200));
        let (shown, at, len) = render_line(&long, 201);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(unicode_width::UnicodeWidthStr::width(shown.as_str()) <= MAX_LINE + 1);
        // The pointer lands on `目`.
        let prefix: String = shown.chars().collect();
        let mut w = 0;
        let mut found = None;
        for c in prefix.chars() {
            if w == at {
                found = Some(c);
                break;
            }
            w += c.width().unwrap_or(0);
        }
        assert_eq!(found, Some('目'));
        assert!(len >= 2);
    }

    #[test]
    fn finding_is_written_like_a_compiler() {
        let text = "第一行\n名称\t>=95%\t99%\n";
        let lines = SourceLines::new(text, 16);
        assert_eq!(lines.line(17), Some("名称\t>=95%\t99%"));
        assert_eq!(lines.line(15), None);
        let f = Finding::new(
            "MET_BUT_DEDUCTED",
            Severity::Warning,
            "已达成却扣分",
            "met but deducted",
        )
        .at(Some(Loc::text(17, 4)))
        .rule("RULES.md §3")
        .indicator(0);
        let mut out = Vec::new();
        write_finding(
            &mut out,
            Style { color: false },
            "a.tsv",
            &f,
            Some("送达率"),
            Some(&lines),
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        let expected = "warning[MET_BUT_DEDUCTED]: 已达成却扣分\n  --> a.tsv:17:4\n   |\n17 | 名称    >=95%    99%\n   |         ^^^^^\n   = 指标 (indicator) #1: 送达率\n   = note: met but deducted\n   = note: 依据 (rule): RULES.md §3\n\n";
        assert_eq!(out, expected);
    }
}
