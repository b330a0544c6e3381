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
    /// 1-based column in characters of the cell's first character.
    pub col: u32,
    /// Physical row (0-based line index for row carriers; for one cell per line, the line).
    pub row: u32,
    /// Cell index within its row (the grid column for a tab grid).
    pub slot: u32,
}

// Half a grid's cells are empty and every one is a `Tok`: keep it at four words.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Tok<'static>>() == 32);

impl Tok<'_> {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Byte offset of the cell in `input`, the text it was cut from (every carrier's cell,
    /// empty ones included, borrows from the input; no offset is stored, which keeps a cell
    /// at 32 bytes). Meaningless (but no panic) for a cell of another text.
    pub fn byte_in(&self, input: &str) -> usize {
        (self.text.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize)
    }

    /// The 1-based column in characters of the cell's first character.
    pub fn column(&self) -> u32 {
        self.col
    }
}

/// How much a carrier's layout can be trusted by the recogniser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub shape: InputShape,
    /// Rows are table rows and cells carry their slots: positions are meaningful (a tab
    /// grid's blank cells are not all tokens, see [`tokenize`]; their slots tell them).
    pub positional_rows: bool,
    /// Blank cells count (one cell per line keeps blank cells; a grid's are told by slots).
    pub keeps_empty: bool,
}

/// Decide the shape of the text by counting separators over its non-blank lines.
pub(crate) fn detect(text: &str) -> Layout {
    // The lines found by the vectorised search (`str::lines` searches byte by byte, ≈ 40 % of
    // this function). They differ from `str::lines` only by a `\r` kept before each `\n` and
    // an empty last piece after a final `\n`, and neither changes a count below: `\r` is
    // white space and no separator, an empty line is blank (a test compares the two).
    detect_in_lines(text, lines(text), true)
}

/// How many lines (blank ones included) [`detect`] looks at: the shape of a text is that of
/// its first few thousand lines.
const DETECT_LINES: usize = 4000;

/// [`detect`] over the given lines of `text`; `decide_early`: return as soon as the vote is
/// certain (the tests compare it with the vote counted to the end).
fn detect_in_lines<'a>(
    text: &'a str,
    text_lines: impl Iterator<Item = &'a str>,
    decide_early: bool,
) -> Layout {
    let mut lines = 0usize;
    let mut tab_lines = 0usize;
    let mut pipe_lines = 0usize;
    let mut multi_pipe_lines = 0usize;
    // Most texts hold no `|` at all: one search of the whole text then spares a count per line.
    let any_pipe = memchr::memchr(b'|', text.as_bytes()).is_some();
    for line in text_lines.take(DETECT_LINES) {
        if is_blank(line) {
            continue;
        }
        lines += 1;
        if memchr::memchr(b'\t', line.as_bytes()).is_some() {
            tab_lines += 1;
            // Half the lines looked at hold tabs whatever the rest hold: a grid (the first
            // test below). A grid's chunk is decided in half the lines, not read to the cap.
            if decide_early && tab_lines * 2 >= DETECT_LINES {
                return Layout {
                    shape: InputShape::TabGrid,
                    positional_rows: true,
                    keeps_empty: true,
                };
            }
        }
        let pipes = if any_pipe {
            memchr::memchr_iter(b'|', line.as_bytes()).count()
        } else {
            0
        };
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
            .take(DETECT_LINES)
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
#[cfg(test)]
fn trim_cell(cell: &str) -> &str {
    if trim_sure(cell) {
        return cell;
    }
    trim_cell_slow(cell)
}

/// Whether a cell surely neither starts nor ends with white space (an empty cell does not).
#[inline(always)]
fn trim_sure(cell: &str) -> bool {
    let b = cell.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return true;
    };
    // Decided on bytes for nearly every cell: a printable ASCII byte, or the lead byte of a
    // character from U+4000 up (`E4`–`EF` starting a three-byte character, `F0`–`F4`), is
    // never white space. A three-byte character ends the cell when the byte three from the
    // end is such a lead (a continuation byte is below `C0`).
    // The byte tests are looked up (`TRIM_BYTES`): one load for each end instead of two
    // range tests.
    let (first, last) = (
        TRIM_BYTES[usize::from(first)],
        TRIM_BYTES[usize::from(last)],
    );
    let first_sure = first & SURE_FIRST != 0;
    let last_sure =
        last & SURE_LAST != 0 || (last & CONTINUES != 0 && b.len() >= 3 && b[b.len() - 3] >= 0xE4);
    first_sure && last_sure
}

/// `TRIM_BYTES` bits: a cell starting with the byte surely does not start with white space
/// (printable ASCII, or `E4` and up).
const SURE_FIRST: u8 = 1;
/// A cell ending with the byte surely does not end with white space (printable ASCII).
const SURE_LAST: u8 = 2;
/// The byte is `80` or above (at the end of valid UTF-8: a continuation byte).
const CONTINUES: u8 = 4;

/// For each byte, the bits [`trim_sure`] tests.
const TRIM_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let printable = b >= 0x21 && b <= 0x7e;
        let mut bits = 0;
        if printable || b >= 0xE4 {
            bits |= SURE_FIRST;
        }
        if printable {
            bits |= SURE_LAST;
        }
        if b >= 0x80 {
            bits |= CONTINUES;
        }
        table[b] = bits;
        b += 1;
    }
    table
};

#[inline(never)]
fn trim_cell_slow(cell: &str) -> &str {
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
///
/// A tab grid's blank cells (half of them) are not kept, except the text's first cell and the
/// last cell of every line: a grid's cells carry their slot, so the recogniser reads the
/// blanks between two cells (and from the line's last cell, how many follow) from the slots
/// where it needs them (`FormBuilder::blanks_restored`), and otherwise never looks at a
/// blank of a grid. Each blank kept cost a push here and a pass in the recogniser.
pub(crate) fn tokenize<'a>(text: &'a str, layout: Layout) -> Vec<Tok<'a>> {
    if layout.shape == InputShape::TabGrid {
        return grid_cells(text);
    }
    tokenize_grid_blanks(text, layout, false)
}

/// A tab grid's cells without its blanks (as [`tokenize`] describes), in one scan of the
/// whole text eight bytes at a time, tabs and newlines found together: no search for each
/// line's end and no blank test of each line before its cells (a line found blank — every
/// cell of it white space — has its cells taken back when it ends). The line by line carrier
/// (`tokenize_grid_blanks`) stays beside it for every other shape and for the grid with its
/// blanks; a test compares the two over many generated grids.
#[inline(never)]
fn grid_cells(text: &str) -> Vec<Tok<'_>> {
    // As in `tokenize_grid_blanks`: one reservation for a cell every ≈ 5 bytes.
    let mut toks = Vec::with_capacity(text.len() / 5 + 16);
    let bytes = text.as_bytes();
    // The scan's state in locals of this one function, so that it may stay in registers
    // (a struct reached through `&mut self` was loaded and stored at every tab).
    // The line (its row is its index: made where a cell is pushed, not kept live), and its
    // first cell in the list.
    let mut line_no = 1u32;
    let mut line_first = 0usize;
    // The current cell: its first byte in the text, the characters of its line before it,
    // its slot.
    let mut start = 0usize;
    let mut start_chars = 0u32;
    let mut slot = 0u32;
    // The characters of the line before the word: one value rather than the text's count and
    // the line's (fewer values live in the word loop). After a newline it is the count less
    // the characters through the newline, wrapping (`0 - k`): adding the word's characters
    // then leaves those after the newline, the new line's count.
    let mut chars = 0u32;
    // The word at byte `at`.
    macro_rules! word {
        ($word:expr, $at:expr) => {{
            let word: u64 = $word;
            let at: usize = $at;
            let mut flags = low_bytes(word);
            let starts = starts_mask(word);
            while flags != 0 {
                let bit = flags.trailing_zeros();
                flags &= flags - 1;
                let pos = at + (bit / 8) as usize;
                // The characters of the line up to and with this byte (a separator is one),
                // counted where they are needed.
                let through = || {
                    // Bytes below this one in the word.
                    let below = (1u64 << (bit & !7)) - 1;
                    chars
                        .wrapping_add(count_high(starts & below))
                        .wrapping_add(1)
                };
                match bytes.get(pos) {
                    // An empty cell that is not the text's first (≈ 40 % of a grid's cells)
                    // is not pushed, and the next starts one character (the tab) further:
                    // no count.
                    Some(b'\t') if pos == start && !toks.is_empty() => {
                        slot += 1;
                        start = pos + 1;
                        start_chars = start_chars.wrapping_add(1);
                    }
                    Some(b'\t') => {
                        let cell = Cell {
                            line_no,
                            row: line_no.wrapping_sub(1),
                            start,
                            start_chars,
                            slot,
                        };
                        push_grid_cell(&mut toks, text, &cell, pos, false);
                        slot += 1;
                        start = pos + 1;
                        start_chars = through();
                    }
                    Some(b'\n') => {
                        let cell = Cell {
                            line_no,
                            row: line_no.wrapping_sub(1),
                            start,
                            start_chars,
                            slot,
                        };
                        end_grid_line(&mut toks, text, &cell, pos, line_first);
                        line_no = line_no.wrapping_add(1);
                        chars = chars.wrapping_sub(through());
                        line_first = toks.len();
                        start = pos + 1;
                        start_chars = 0;
                        slot = 0;
                    }
                    // Another byte below `0B`, one a borrow flagged, or the padding.
                    _ => {}
                }
            }
            chars = chars.wrapping_add(count_high(starts));
        }};
    }
    // The words walked as what is left of the text: a word's offset is the text's length less
    // the rest's (no offset kept beside the iterator's pointer and count, all three of which
    // were stored and loaded at every word).
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        let at = bytes.len().wrapping_sub(rest.len());
        rest = tail;
        word!(u64::from_le_bytes(*word), at);
    }
    if !rest.is_empty() {
        word!(last_word(bytes), bytes.len().wrapping_sub(rest.len()));
    }
    // The text's last line (what follows its last newline, perhaps nothing).
    let cell = Cell {
        line_no,
        row: line_no.wrapping_sub(1),
        start,
        start_chars,
        slot,
    };
    end_grid_line(&mut toks, text, &cell, bytes.len(), line_first);
    // The last word's step leaves its count unread.
    let _ = chars;
    toks
}

/// The cell a grid scan is in: its line, and its first byte in the text, the characters of
/// its line before it, its slot.
struct Cell {
    line_no: u32,
    row: u32,
    start: usize,
    start_chars: u32,
    slot: u32,
}

/// The line's last cell ends at `end`: push it, and take the line's cells (from
/// `line_first`) back when all are blank (the line is white space only: `str::trim` leaves
/// nothing of it).
#[inline(always)]
fn end_grid_line<'a>(
    toks: &mut Vec<Tok<'a>>,
    text: &'a str,
    cell: &Cell,
    end: usize,
    line_first: usize,
) {
    push_grid_cell(toks, text, cell, end, true);
    // A line with a cell that is not blank pushed it; only the text's first cell and the
    // line's last are pushed blank.
    if toks
        .get(line_first..)
        .is_some_and(|line| line.iter().all(Tok::is_empty))
    {
        toks.truncate(line_first);
    }
}

/// Push the cell, ending at `end` (a blank cell only when it is the `last` of its line or
/// the text's first). The same cell as `GridLine::push` makes.
#[inline(always)]
fn push_grid_cell<'a>(toks: &mut Vec<Tok<'a>>, text: &'a str, cell: &Cell, end: usize, last: bool) {
    let start = cell.start;
    if start == end {
        if !(last || toks.is_empty()) {
            return;
        }
        toks.push(Tok {
            text: text.get(start..start).unwrap_or(""),
            line: cell.line_no,
            col: cell.start_chars.wrapping_add(1),
            row: cell.row,
            slot: cell.slot,
        });
        return;
    }
    let piece = text.get(start..end).unwrap_or("");
    let trimmed_text = if trim_sure(piece) {
        piece
    } else {
        let t = trim_cell_slow(piece);
        if t.is_empty() && !(last || toks.is_empty()) {
            return;
        }
        t
    };
    let lead = trimmed_text.as_ptr() as usize - piece.as_ptr() as usize;
    let trimmed = if lead == 0 {
        0
    } else {
        piece.get(..lead).map_or(0, |t| t.chars().count() as u32)
    };
    toks.push(Tok {
        text: trimmed_text,
        line: cell.line_no,
        col: cell.start_chars.wrapping_add(trimmed).wrapping_add(1),
        row: cell.row,
        slot: cell.slot,
    });
}

/// The high bit of every byte below `0B` (tabs and newlines among them) of a little-endian
/// word, and perhaps of a byte above one that is (a borrow): the scan looks at each flagged
/// byte, so a few more is no harm.
#[inline(always)]
fn low_bytes(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    x.wrapping_sub(ONES * 0x0B) & !x & HIGH
}

/// The high bit of every byte that starts a character (all but continuation bytes).
#[inline(always)]
fn starts_mask(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    !(x & !(x << 1)) & HIGH
}

/// [`tokenize`] keeping every blank cell of a tab grid: the reference the recogniser's reading
/// of a grid without its blanks is compared with.
#[cfg(test)]
pub(crate) fn tokenize_with_blanks<'a>(text: &'a str, layout: Layout) -> Vec<Tok<'a>> {
    tokenize_grid_blanks(text, layout, true)
}

fn tokenize_grid_blanks<'a>(text: &'a str, layout: Layout, blanks: bool) -> Vec<Tok<'a>> {
    // A grid has a cell (most of them empty) for every ≈ 5 bytes of text: one reservation
    // instead of regrowing (a regrowth holds the old and the new vector at once). Pages not
    // written to are never resident, so a text of few, long cells costs nothing extra.
    let mut toks = Vec::with_capacity(text.len() / 5 + 16);
    for (index, line) in lines(text).enumerate() {
        let line_no = index as u32 + 1;
        let row = index as u32;
        match layout.shape {
            InputShape::TabGrid => {
                if is_blank(line) {
                    continue;
                }
                let cell = GridLine {
                    line,
                    line_no,
                    row,
                    blanks,
                };
                cell.push_all(&mut toks);
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
                        row,
                        slot: 0,
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
                                row,
                                slot,
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
    toks
}

/// One line of a tab grid, for pushing its cells.
struct GridLine<'a> {
    line: &'a str,
    line_no: u32,
    row: u32,
    /// Keep every blank cell (not only the text's first and the line's last).
    blanks: bool,
}

impl<'a> GridLine<'a> {
    /// Push every cell of the line. Tabs found, and the characters before each counted,
    /// eight bytes at a time, each cell pushed as its tab is found (a search call per cell,
    /// counting each cell's column from the line's start, or a list of tabs walked again
    /// after, cost more than the cell). A function of its own, so that the loop and the
    /// pushes are optimised together, the state in registers: whole words by a plain loop
    /// over `chunks_exact`, then the rest padded with NULs (neither tabs nor characters that
    /// come before any tab). An iterator chaining the two kept its state on the stack
    /// (≈ 45 instructions a word instead of ≈ 20).
    #[inline(never)]
    fn push_all(&self, toks: &mut Vec<Tok<'a>>) {
        let bytes = self.line.as_bytes();
        let mut cut = Cut::default();
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or([0; 8]));
            self.word(toks, word, &mut cut);
        }
        if !chunks.remainder().is_empty() {
            self.word(toks, last_word(bytes), &mut cut);
        }
        self.push(
            toks,
            cut.start,
            cut.start_chars,
            bytes.len(),
            cut.slot,
            true,
        );
    }

    /// The tabs of the word at `cut.at`: push the cell each one ends.
    #[inline(always)]
    fn word(&self, toks: &mut Vec<Tok<'a>>, word: u64, cut: &mut Cut) {
        let (mut tabs, starts) = tab_mask(word);
        while tabs != 0 {
            let bit = tabs.trailing_zeros();
            // Bytes below this one in the word.
            let below = (1u64 << (bit & !7)) - 1;
            let end = cut.at + (bit / 8) as usize;
            self.push(toks, cut.start, cut.start_chars, end, cut.slot, false);
            cut.slot += 1;
            cut.start = end + 1;
            // The tab is one character.
            cut.start_chars = cut.chars + count_high(starts & below) + 1;
            tabs &= tabs - 1;
        }
        cut.chars += count_high(starts);
        cut.at += 8;
    }

    /// Push the cell at `start..end` of the line, `start_chars` characters into it (a blank
    /// cell only when it is the `last` of its line or the text's first, see [`tokenize`]).
    #[inline(always)]
    fn push(
        &self,
        toks: &mut Vec<Tok<'a>>,
        start: usize,
        start_chars: u32,
        end: usize,
        slot: u32,
        last: bool,
    ) {
        if start == end {
            if !(last || self.blanks || toks.is_empty()) {
                return;
            }
            // A blank cell kept: nothing to trim; the empty slice where it stands (for its
            // offset).
            toks.push(Tok {
                text: self.line.get(start..start).unwrap_or(""),
                line: self.line_no,
                col: start_chars + 1,
                row: self.row,
                slot,
            });
            return;
        }
        let piece = self.line.get(start..end).unwrap_or("");
        let text = if trim_sure(piece) {
            piece
        } else {
            let text = trim_cell_slow(piece);
            if text.is_empty() && !(last || self.blanks || toks.is_empty()) {
                // Only white space: as blank as an empty cell.
                return;
            }
            text
        };
        let lead = text.as_ptr() as usize - piece.as_ptr() as usize;
        // White space trimmed off the front still counts for the column.
        let trimmed = if lead == 0 {
            0
        } else {
            piece.get(..lead).map_or(0, |t| t.chars().count() as u32)
        };
        toks.push(Tok {
            text,
            line: self.line_no,
            col: start_chars + trimmed + 1,
            row: self.row,
            slot,
        });
    }
}

/// Where the tab scan of a line stands.
#[derive(Default)]
struct Cut {
    /// Byte offset of the current word.
    at: usize,
    /// Characters before `at`.
    chars: u32,
    /// The current cell: its first byte, the characters before it, its slot.
    start: usize,
    start_chars: u32,
    slot: u32,
}

/// The last, partial word of `bytes` (its length not a multiple of eight) as a little-endian
/// word padded with NULs (neither tabs nor characters that come before any tab): the last
/// eight bytes shifted down when there are as many (one load, no copy).
#[inline(always)]
fn last_word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let rest = n % 8;
    match n.checked_sub(8).and_then(|i| bytes.get(i..)) {
        // `rest` is 1..=7 here: the shift stays below 64.
        Some(last) if rest != 0 => {
            u64::from_le_bytes(<[u8; 8]>::try_from(last).unwrap_or([0; 8])) >> (8 * (8 - rest))
        }
        _ => bytes
            .get(n - rest..)
            .unwrap_or_default()
            .iter()
            .rev()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b)),
    }
}

/// Whether a line is blank (`str::trim` leaves nothing), decided on bytes unless the first
/// byte that is not ASCII white space starts a character below U+4000.
fn is_blank(line: &str) -> bool {
    match line
        .bytes()
        .find(|&b| !matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '))
    {
        None => true,
        Some(b) if !(0x80..0xE4).contains(&b) => false,
        Some(_) => line.trim().is_empty(),
    }
}

/// Fill `out` with the offset of every tab in `bytes`, in order, and the number of UTF-8
/// characters before it.
#[cfg(test)]
fn tab_positions(bytes: &[u8], out: &mut Vec<(usize, u32)>) {
    out.clear();
    for_each_tab(bytes, |at, chars| out.push((at, chars)));
}

/// Call `each` with the offset of every tab in `bytes`, in order, and the number of UTF-8
/// characters before it, eight bytes at a time (the grid carrier inlines the same loop).
#[cfg(test)]
fn for_each_tab(bytes: &[u8], mut each: impl FnMut(usize, u32)) {
    let mut at = 0usize;
    let mut chars = 0u32;
    for word in words(bytes) {
        let (mut tabs, starts) = tab_mask(word);
        while tabs != 0 {
            let bit = tabs.trailing_zeros();
            let below = (1u64 << (bit & !7)) - 1;
            each(at + (bit / 8) as usize, chars + count_high(starts & below));
            tabs &= tabs - 1;
        }
        chars += count_high(starts);
        at += 8;
    }
}

/// The bytes as little-endian words of eight, the last one padded with NULs (neither tabs
/// nor anything counted before a tab): the reference for the grid carrier's own loop.
#[cfg(test)]
fn words(bytes: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let chunks = bytes.chunks_exact(8);
    let rest = chunks.remainder();
    let last = (!rest.is_empty()).then(|| {
        rest.iter()
            .enumerate()
            .fold(0u64, |w, (i, &b)| w | (u64::from(b) << (8 * i)))
    });
    chunks
        .map(|c| c.iter().rev().fold(0u64, |w, &b| (w << 8) | u64::from(b)))
        .chain(last)
}

/// For eight bytes read as a little-endian word: the high bit of every tab byte, and the
/// high bit of every byte that starts a character (all but continuation bytes `10xxxxxx`).
#[inline(always)]
fn tab_mask(x: u64) -> (u64, u64) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const TABS: u64 = 0x0909_0909_0909_0909;
    let starts = !(x & !(x << 1)) & HIGH;
    let t = x ^ TABS;
    // Exactly the high bit of every zero byte of `t` (no carry crosses a byte).
    let tabs = !(((t & LOW7) + LOW7) | t | LOW7);
    (tabs, starts)
}

/// The number of bytes flagged in a mask of high bits (at most 8: no overflow).
#[inline(always)]
fn count_high(mask: u64) -> u32 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    ((mask >> 7).wrapping_mul(ONES) >> 56) as u32
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
                row,
                slot,
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

    /// Cell texts for the generated grids: CJK, white space of every kind, numbers, a
    /// character outside the BMP.
    const GRID_PIECES: [&str; 9] = [
        "甲乙丙",
        " ",
        "\u{3000}",
        "≥95%",
        "",
        "a",
        "\u{a0}x",
        "𠀀",
        "12.5",
    ];

    /// The `seed`th text of `len` pieces (deterministic; `div` and `step` vary the strides).
    fn generated_text(pieces: &[&str], seed: usize, len: usize, div: usize, step: usize) -> String {
        (0..len)
            .map(|k| {
                pieces[(seed / div + k * (seed % step + 1) + k * k * (seed % 3)) % pieces.len()]
            })
            .collect()
    }

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
                let mut got = vec![(0, 0)];
                tab_positions(&bytes, &mut got);
                let want: Vec<(usize, u32)> = (0..len)
                    .filter(|&i| bytes[i] == b'\t')
                    .map(|i| {
                        (
                            i,
                            bytes[..i].iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32,
                        )
                    })
                    .collect();
                assert_eq!(got, want, "{bytes:?}");
            }
        }
    }

    #[test]
    fn last_word_is_the_padded_rest() {
        let bytes: Vec<u8> = (1..=40u8).map(|b| b.wrapping_mul(37)).collect();
        for n in 0..40 {
            let line = &bytes[..n];
            if n % 8 == 0 {
                continue;
            }
            assert_eq!(Some(last_word(line)), words(line).last(), "{n}");
        }
    }

    #[test]
    fn trim_cell_is_str_trim() {
        for s in SAMPLES {
            assert_eq!(trim_cell(s), s.trim(), "{s:?}");
        }
    }

    /// `trim_sure` (its table) says "sure" only of cells `str::trim` leaves as they are, and
    /// says so of every cell the byte tests it replaced said so of: every character (and a
    /// sample above U+4000) alone, before and after CJK and ASCII, and between two others.
    #[test]
    fn trim_sure_is_the_byte_tests() {
        let reference = |cell: &str| {
            let b = cell.as_bytes();
            let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
                return true;
            };
            ((0x21..=0x7e).contains(&first) || first >= 0xE4)
                && ((0x21..=0x7e).contains(&last)
                    || (last >= 0x80 && b.len() >= 3 && b[b.len() - 3] >= 0xE4))
        };
        let chars: Vec<char> = (0..0x3100u32)
            .chain((0x3100..0x11_0000).step_by(97))
            .filter_map(char::from_u32)
            .collect();
        let mut checked = 0;
        for &c in &chars {
            for (before, after) in [("", ""), ("甲", ""), ("", "乙"), ("a", "b"), ("𠀀", "")] {
                for cell in [
                    format!("{before}{c}{after}"),
                    format!("{c}{before}{after}{c}"),
                ] {
                    assert_eq!(trim_sure(&cell), reference(&cell), "{cell:?}");
                    if trim_sure(&cell) {
                        assert_eq!(cell.trim(), cell, "{cell:?}");
                    }
                    checked += 1;
                }
            }
        }
        assert!(trim_sure(""));
        assert!(checked > 100_000, "{checked}");
    }

    #[test]
    fn grid_columns_count_characters() {
        let text = "甲\t 乙\t\t≥95%\u{3000}\n\t丙";
        let toks = tokenize(text, detect(text));
        let got: Vec<(&str, u32, u32)> =
            toks.iter().map(|t| (t.text, t.line, t.column())).collect();
        assert_eq!(
            got,
            [("甲", 1, 1), ("乙", 1, 4), ("≥95%", 1, 7), ("丙", 2, 2)]
        );
        // With every blank kept.
        let toks = tokenize_with_blanks(text, detect(text));
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
        // The text's first cell and each line's last are kept even when blank.
        let text = "\t甲\t\n乙\t\t";
        let toks = tokenize(text, detect(text));
        let got: Vec<(&str, u32, u32)> = toks.iter().map(|t| (t.text, t.line, t.slot)).collect();
        assert_eq!(
            got,
            [
                ("", 1, 0),
                ("甲", 1, 1),
                ("", 1, 2),
                ("乙", 2, 0),
                ("", 2, 2)
            ]
        );
    }

    /// The whole-text grid scan gives exactly the cells of the line by line carrier.
    #[test]
    fn grid_cells_are_the_line_by_line_cells() {
        let more = [
            "\t",
            "\n",
            "\r\n",
            "\t\t",
            "\u{b}",
            "\u{8}",
            "\0",
            "\u{c}\n",
            " \n",
            "\u{3000}\t\n",
            "工伤鉴定认定准确送达率",
        ];
        let pieces: Vec<&str> = GRID_PIECES.iter().chain(&more).copied().collect();
        let layout = Layout {
            shape: InputShape::TabGrid,
            positional_rows: true,
            keeps_empty: true,
        };
        let key = |toks: &[Tok<'_>], text: &str| -> Vec<(usize, usize, u32, u32, u32, u32)> {
            toks.iter()
                .map(|t| (t.byte_in(text), t.text.len(), t.line, t.col, t.row, t.slot))
                .collect()
        };
        let mut compared = 0;
        for seed in 0..3000usize {
            let text = generated_text(&pieces, seed, seed % 37, 37, 7);
            let ours = grid_cells(&text);
            let reference = tokenize_grid_blanks(&text, layout, false);
            assert_eq!(key(&ours, &text), key(&reference, &text), "{text:?}");
            compared += ours.len();
        }
        assert!(compared > 10_000, "{compared}");
        // Long lines (many words each, a newline anywhere in a word: the scan's count of a
        // line's characters runs across words and restarts inside one), carriage returns and
        // other control bytes in cells, lines of white space only.
        let long = [
            "\r",
            "\r\n",
            " \t \n",
            "\t\u{3000}\t\n",
            "\u{c}",
            "x\u{b}y",
            "工伤鉴定认定准确送达率达到百分之九十五以上",
            "1,234,567.89",
        ];
        let pieces: Vec<&str> = pieces.iter().chain(&long).copied().collect();
        let mut compared = 0;
        for seed in 0..1500usize {
            let text = generated_text(&pieces, seed, 40 + seed % 160, 13, 11);
            let ours = grid_cells(&text);
            let reference = tokenize_grid_blanks(&text, layout, false);
            assert_eq!(key(&ours, &text), key(&reference, &text), "{text:?}");
            compared += ours.len();
        }
        assert!(compared > 40_000, "{compared}");
    }

    #[test]
    fn grid_columns_match_a_count_from_the_line_start() {
        let pieces = GRID_PIECES;
        let mut text = String::new();
        for n in 0..60 {
            for k in 0..(n % 11) {
                text.push_str(pieces[(n * 7 + k * 3) % pieces.len()]);
                text.push('\t');
                text.push_str(pieces[(n + k) % pieces.len()]);
            }
            text.push('\n');
        }
        let sparse = tokenize(&text, detect(&text));
        let dense = tokenize_with_blanks(&text, detect(&text));
        assert!(sparse.len() > 100 && dense.len() > sparse.len());
        for tok in sparse.iter().chain(&dense) {
            let line = text.split('\n').nth(tok.line as usize - 1).unwrap();
            let byte = tok.byte_in(&text);
            let offset = byte - (line.as_ptr() as usize - text.as_ptr() as usize);
            assert_eq!(
                tok.column(),
                line[..offset].chars().count() as u32 + 1,
                "{tok:?}"
            );
            assert_eq!(&text[byte..byte + tok.text.len()], tok.text);
        }
        // Without its blanks: every cell but the blanks that are neither the first nor the
        // last of their line's cells, the text's first cell kept.
        let kept: Vec<(usize, u32, u32)> = dense
            .iter()
            .enumerate()
            .filter(|&(i, t)| {
                !t.is_empty() || i == 0 || dense.get(i + 1).is_none_or(|n| n.line != t.line)
            })
            .map(|(_, t)| (t.byte_in(&text), t.line, t.slot))
            .collect();
        let got: Vec<(usize, u32, u32)> = sparse
            .iter()
            .map(|t| (t.byte_in(&text), t.line, t.slot))
            .collect();
        assert_eq!(got, kept);
    }

    /// `detect` over the vectorised lines decides as over `str::lines`.
    #[test]
    fn detect_is_detect_over_str_lines() {
        let pieces = [
            "甲乙丙",
            "\t",
            "|",
            " | ",
            "\n",
            "\r\n",
            "\r",
            " ",
            "a b c d e f g h i j ",
            "k l m n o p q r s t u",
            "\u{3000}",
            "\n\n",
            "≥95%",
            "\t\t",
            "丁",
        ];
        let mut shapes = std::collections::HashSet::new();
        for seed in 0..4000usize {
            let text = generated_text(&pieces, seed, seed % 29, 29, 5);
            let want = detect_in_lines(&text, text.lines(), true);
            assert_eq!(detect(&text), want, "{text:?}");
            shapes.insert(format!("{:?}", want.shape));
        }
        // Past 4000 lines, lines ending in `\r\n` and a last line without its `\n`.
        for tail in ["", "\n", "\r\n", "a\tb"] {
            let text = format!("{}{}{tail}", "a\tb\r\n".repeat(3999), "x y\n".repeat(3));
            assert_eq!(detect(&text), detect_in_lines(&text, text.lines(), true));
        }
        assert!(shapes.len() >= 4, "{shapes:?}");
    }

    /// Decided as soon as half the lines looked at hold tabs: the same layout as the vote
    /// counted over all of them, on texts long enough to decide early and on texts that do not.
    #[test]
    fn an_early_grid_decision_is_the_whole_vote() {
        let lines = [
            "甲\t乙",
            "甲 | 乙 | 丙 | 丁",
            "",
            "a b c d e f g h i j k l m n o p q r s t u",
            "丙",
        ];
        let (mut early, mut not_grid) = (0, 0);
        for seed in 0..300usize {
            let mut next = crate::text::xorshift(seed as u64 + 1);
            // From ≈ 30 % tab lines to ≈ 95 %, among pipe rows, long space lines and blanks.
            let tabs = 30 + next(66);
            let count = 1000 + next(6000);
            let mut text = String::new();
            for _ in 0..count {
                let line = if next(100) < tabs {
                    lines[0]
                } else {
                    lines[1 + next(4)]
                };
                text.push_str(line);
                text.push('\n');
            }
            let whole = detect_in_lines(&text, text.lines(), false);
            assert_eq!(detect(&text), whole, "seed {seed}");
            let looked_at = text.lines().take(DETECT_LINES);
            early +=
                usize::from(looked_at.filter(|l| l.contains('\t')).count() * 2 >= DETECT_LINES);
            not_grid += usize::from(whole.shape != InputShape::TabGrid);
        }
        // Both kinds were tried: texts decided early, and texts the vote did not make grids.
        assert!(early > 30 && not_grid > 30, "{early} {not_grid}");
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
