//! Carriers: how cells are laid out in text. Each carrier turns text into one stream of
//! [`Tok`]s (cells with their source position); the layout recogniser reads that stream.

use crate::InputShape;

/// One cell of text, borrowed from the input, with where it stands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok<'a> {
    /// The cell's text, trimmed.
    pub text: &'a str,
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters of the cell's first character; 0 when it is counted on
    /// demand from `line_text` (see [`Tok::column`]).
    pub col: u32,
    /// The whole source line, for a column counted on demand (empty otherwise).
    pub line_text: &'a str,
    /// Physical row (0-based line index for row carriers; for one cell per line, the line).
    pub row: u32,
    /// Cell index within its row (the grid column for a tab grid).
    pub slot: u32,
    /// Byte offset of `text` in the whole input.
    pub byte: usize,
}

impl Tok<'_> {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The 1-based column in characters of the cell's first character. The tab grid leaves
    /// it to be counted here, from the line, because only the few cells whose location is
    /// kept or printed need it.
    pub fn column(&self) -> u32 {
        if self.col != 0 {
            return self.col;
        }
        let offset = (self.text.as_ptr() as usize).wrapping_sub(self.line_text.as_ptr() as usize);
        self.line_text
            .get(..offset)
            .map_or(1, |before| before.chars().count() as u32 + 1)
    }
}

/// How much a carrier's layout can be trusted by the recogniser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub shape: InputShape,
    /// Rows are table rows and empty cells are kept in place: positions are meaningful.
    pub positional_rows: bool,
    /// Empty cells are kept as tokens (one cell per line keeps blank cells).
    pub keeps_empty: bool,
}

/// Decide the shape of the text by counting separators over its non-blank lines.
pub(crate) fn detect(text: &str) -> Layout {
    let mut lines = 0usize;
    let mut tab_lines = 0usize;
    let mut pipe_lines = 0usize;
    let mut multi_pipe_lines = 0usize;
    for line in text.lines().take(4000) {
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        if memchr::memchr(b'\t', line.as_bytes()).is_some() {
            tab_lines += 1;
        }
        let pipes = memchr::memchr_iter(b'|', line.as_bytes()).count();
        if pipes > 0 {
            pipe_lines += 1;
        }
        if pipes >= 3 {
            multi_pipe_lines += 1;
        }
    }
    // Lines of twenty words or more decide only when tabs do not: count them only then (the
    // count walks every character).
    let long_space_lines = if tab_lines * 2 >= lines {
        0
    } else {
        text.lines()
            .take(4000)
            .filter(|line| !line.trim().is_empty() && line.split_whitespace().nth(19).is_some())
            .count()
    };
    let layout = |shape, positional_rows, keeps_empty| Layout {
        shape,
        positional_rows,
        keeps_empty,
    };
    if lines == 0 {
        return layout(InputShape::Unknown, false, false);
    }
    if tab_lines * 2 >= lines {
        return layout(InputShape::TabGrid, true, true);
    }
    if pipe_lines * 2 >= lines {
        if multi_pipe_lines * 5 >= pipe_lines {
            return layout(InputShape::PipeRows, false, false);
        }
        return layout(InputShape::CellPerLine, false, true);
    }
    if long_space_lines > 0 && long_space_lines * 4 >= lines.min(40) {
        return layout(InputShape::Flattened, false, false);
    }
    // Short lines with no separators: one cell per line (or per paragraph).
    let single = text.lines().filter(|l| !l.trim().is_empty()).count();
    if single > 0 && long_space_lines == 0 {
        // Without a cell marker a blank line may separate paragraphs rather than mark an
        // empty cell: do not rely on blanks.
        return layout(InputShape::CellPerLine, false, false);
    }
    layout(InputShape::Flattened, false, false)
}

fn char_col(line: &str, byte_offset: usize) -> u32 {
    line[..byte_offset].chars().count() as u32 + 1
}

/// The lines of `text` exactly as `text.split('\n')` gives them (a last, possibly empty,
/// piece after the final `\n` included), found with a vectorised search.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let t = rest?;
        match memchr::memchr(b'\n', t.as_bytes()) {
            Some(i) => {
                rest = Some(&t[i + 1..]);
                Some(&t[..i])
            }
            None => {
                rest = None;
                Some(t)
            }
        }
    })
}

/// `str::trim`, without decoding anything when the cell neither starts nor ends with white
/// space (nearly every cell): only the first and the last character are looked at.
fn trim_cell(cell: &str) -> &str {
    let b = cell.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return cell;
    };
    // Decided on bytes for nearly every cell: a printable ASCII byte, or the lead byte of a
    // character from U+4000 up (`E4`–`EF` starting a three-byte character, `F0`–`F4`), is
    // never white space. A three-byte character ends the cell when the byte three from the
    // end is such a lead (a continuation byte is below `C0`).
    let first_sure = (0x21..=0x7e).contains(&first) || first >= 0xE4;
    let last_sure =
        (0x21..=0x7e).contains(&last) || (last >= 0x80 && b.len() >= 3 && b[b.len() - 3] >= 0xE4);
    if first_sure && last_sure {
        return cell;
    }
    // No white-space character lies above U+3000: CJK text is decided by a comparison.
    let space = |c: char| c <= '\u{3000}' && c.is_whitespace();
    let mut chars = cell.chars();
    match (chars.next(), chars.next_back()) {
        (None, _) => cell,
        (Some(first), last) if !space(first) && !last.is_some_and(space) => cell,
        _ => cell.trim(),
    }
}

/// Split the text into cells according to its layout.
pub(crate) fn tokenize<'a>(text: &'a str, layout: Layout) -> Vec<Tok<'a>> {
    // A grid has a cell (most of them empty) for every ≈ 5 bytes of text: one reservation
    // instead of regrowing (a regrowth holds the old and the new vector at once). Pages not
    // written to are never resident, so a text of few, long cells costs nothing extra.
    let mut toks = Vec::with_capacity(text.len() / 5 + 16);
    let base = text.as_ptr() as usize;
    for (index, line) in lines(text).enumerate() {
        let line_no = index as u32 + 1;
        let row = index as u32;
        match layout.shape {
            InputShape::TabGrid => {
                if is_blank(line) {
                    continue;
                }
                // Tabs found eight bytes at a time; columns are counted only on demand
                // (`Tok::column`): the cell's offset in the line is enough.
                let bytes = line.as_bytes();
                let line_byte = line.as_ptr() as usize - base;
                let mut slot = 0u32;
                let mut start = 0usize;
                let mut push = |start: usize, end: usize, slot: u32| {
                    let text = trim_cell(line.get(start..end).unwrap_or(""));
                    toks.push(Tok {
                        text,
                        line: line_no,
                        col: 0,
                        line_text: line,
                        row,
                        slot,
                        byte: line_byte + (text.as_ptr() as usize - line.as_ptr() as usize),
                    });
                };
                for_each_tab(bytes, |end| {
                    push(start, end, slot);
                    slot += 1;
                    start = end + 1;
                });
                push(start, bytes.len(), slot);
            }
            InputShape::CellPerLine => {
                let inner = line.trim();
                let inner = inner.strip_suffix('|').unwrap_or(inner);
                let inner = inner.strip_prefix('|').unwrap_or(inner);
                if !inner.contains('|') {
                    if inner.trim().is_empty() && !layout.keeps_empty {
                        continue;
                    }
                    let offset = line
                        .find(inner.trim())
                        .filter(|_| !inner.trim().is_empty())
                        .unwrap_or(0);
                    let cell = inner.trim();
                    toks.push(Tok {
                        text: cell,
                        line: line_no,
                        col: char_col(line, offset),
                        line_text: "",
                        row,
                        slot: 0,
                        byte: cell.as_ptr() as usize - base,
                    });
                    continue;
                }
                split_pipes(&mut toks, line, line_no, row);
            }
            InputShape::PipeRows => {
                if line.trim().is_empty() {
                    continue;
                }
                split_pipes(&mut toks, line, line_no, row);
            }
            InputShape::Flattened | InputShape::Unknown | InputShape::Json | InputShape::Xlsx => {
                let mut slot = 0u32;
                // (byte, column) of the current cell's start; columns counted as we go so a
                // long line stays linear.
                let mut start: Option<(usize, u32)> = None;
                let mut col = 0u32;
                for (i, ch) in line
                    .char_indices()
                    .chain(std::iter::once((line.len(), ' ')))
                {
                    col += 1;
                    if ch.is_whitespace() {
                        if let Some((s, c)) = start.take() {
                            toks.push(Tok {
                                text: &line[s..i],
                                line: line_no,
                                col: c,
                                line_text: "",
                                row,
                                slot,
                                byte: line.as_ptr() as usize - base + s,
                            });
                            slot += 1;
                        }
                    } else if start.is_none() {
                        start = Some((i, col));
                    }
                }
            }
        }
    }
    if layout.shape != InputShape::TabGrid {
        for tok in &mut toks {
            // Offsets from the slices themselves: every cell borrows from `text`.
            tok.byte = tok.text.as_ptr() as usize - base;
        }
    }
    toks
}

/// Whether a line is blank (`str::trim` leaves nothing), decided on bytes unless the first
/// byte that is not ASCII white space starts a character below U+4000.
fn is_blank(line: &str) -> bool {
    match line
        .bytes()
        .find(|&b| !matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '))
    {
        None => true,
        Some(b) if b < 0x80 || b >= 0xE4 => false,
        Some(_) => line.trim().is_empty(),
    }
}

/// Call `f` with the offset of every tab in `bytes`, in order. Eight bytes at a time: a
/// line holds a tab every few bytes, and a search call per cell costs more than the cell.
fn for_each_tab(bytes: &[u8], mut f: impl FnMut(usize)) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const TABS: u64 = 0x0909_0909_0909_0909;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0usize;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            continue;
        };
        let t = u64::from_le_bytes(word) ^ TABS;
        // Exactly the high bit of every zero byte of `t` (no carry crosses a byte).
        let mut zeros = !(((t & LOW7) + LOW7) | t | LOW7);
        while zeros != 0 {
            f(at + (zeros.trailing_zeros() / 8) as usize);
            zeros &= zeros - 1;
        }
        at += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b'\t' {
            f(at + i);
        }
    }
}

fn split_pipes<'a>(toks: &mut Vec<Tok<'a>>, line: &'a str, line_no: u32, row: u32) {
    let cells: Vec<&str> = line.split('|').collect();
    let n = cells.len();
    let mut col = 1u32;
    let mut slot = 0u32;
    for (i, cell) in cells.iter().enumerate() {
        // "| a | b |" has empty pieces before the first and after the last pipe: those are
        // boundaries, not cells.
        let boundary = (i == 0 || i + 1 == n) && cell.trim().is_empty();
        let trimmed = cell.trim();
        if !boundary && !trimmed.is_empty() {
            let lead = cell[..cell.len() - cell.trim_start().len()].chars().count() as u32;
            toks.push(Tok {
                text: trimmed,
                line: line_no,
                col: col + lead,
                line_text: "",
                row,
                slot,
                byte: 0,
            });
        }
        if !boundary {
            slot += 1;
        }
        // Columns counted as we go: a line of many cells stays linear.
        col += cell.chars().count() as u32 + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells with white space of every kind at either end, CJK inside, empty pieces.
    const SAMPLES: &[&str] = &[
        "",
        " ",
        "\t",
        "a",
        "工伤鉴定",
        " 工伤 鉴定 ",
        "\u{3000}满意度\u{3000}",
        "≥95%\u{a0}",
        "\u{85}x",
        "—",
        "x\u{2028}",
        "\u{1c}a\u{1f}",
        "，。、",
        "甲\u{3000}",
        "\u{3000}",
        "乙\u{a0}",
        "𠀀 ",
        " 𠀀",
        "a\u{2028}",
        "\u{b}x\u{c}",
        "\u{7f}",
        "满意度 \t",
    ];

    #[test]
    fn is_blank_is_trim_empty() {
        for s in SAMPLES {
            for line in [s.to_string(), format!("\t\t{s}"), format!("{s}\t \r")] {
                assert_eq!(is_blank(&line), line.trim().is_empty(), "{line:?}");
            }
        }
    }

    #[test]
    fn tabs_are_all_found_in_order() {
        for len in 0..40 {
            for step in 1..6 {
                let bytes: Vec<u8> = (0..len)
                    .map(|i| match i % step {
                        0 => b'\t',
                        1 => 0x08,
                        2 => 0x89,
                        _ => b'a',
                    })
                    .collect();
                let mut got = Vec::new();
                for_each_tab(&bytes, |i| got.push(i));
                let want: Vec<usize> = (0..len).filter(|&i| bytes[i] == b'\t').collect();
                assert_eq!(got, want, "{bytes:?}");
            }
        }
    }

    #[test]
    fn trim_cell_is_str_trim() {
        for s in SAMPLES {
            assert_eq!(trim_cell(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn grid_columns_count_characters() {
        let text = "甲\t 乙\t\t≥95%\u{3000}\n\t丙";
        let toks = tokenize(text, detect(text));
        let got: Vec<(&str, u32, u32)> =
            toks.iter().map(|t| (t.text, t.line, t.column())).collect();
        assert_eq!(
            got,
            [
                ("甲", 1, 1),
                ("乙", 1, 4),
                ("", 1, 6),
                ("≥95%", 1, 7),
                ("", 2, 1),
                ("丙", 2, 2)
            ]
        );
    }

    #[test]
    fn lines_are_split_on_newline() {
        for text in ["", "\n", "a", "a\n", "a\nb", "\n\n甲\t乙\n", "x\n\ny\n"] {
            let ours: Vec<&str> = lines(text).collect();
            let std: Vec<&str> = text.split('\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }
}
