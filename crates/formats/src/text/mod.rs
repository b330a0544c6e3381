//! Text readers: carriers (tab grid, pipe rows, one cell per line, flattened) feed one layout
//! recogniser.

mod align;
mod carrier;
pub(crate) mod grid_input;
mod layout;
mod vocab;

use crate::ReadOutcome;

/// Read every form in a decoded text. Never fails: what cannot be read becomes diagnostics.
pub fn read_text(text: &str) -> ReadOutcome {
    read_text_as(text, carrier::detect(text), &mut layout::ClassMemo::new())
}

/// [`read_text`] a few forms at a time: a tab grid is read in pieces of at least `piece` bytes,
/// each cut before a line holding a form title (`…自评表`, as `check` cuts its chunks), and
/// `each` gets each piece's outcome in order with the number of lines before the piece (its
/// locations count from the piece's first line). The layout is decided once, on the whole
/// text. Why: a piece's forms are assessed and written while what the reader wrote of them
/// is still in the processor's caches; a whole chunk's forms were out of them by the time
/// the first was assessed (docs/BENCHMARKS.md, "Reading in pieces"). The pieces share the
/// classification memo, as the forms of a text read whole do. Other shapes are read whole.
pub fn read_text_in_pieces<E>(
    text: &str,
    piece: usize,
    mut each: impl FnMut(ReadOutcome, u32) -> Result<(), E>,
) -> Result<(), E> {
    let layout = carrier::detect(text);
    if layout.shape != crate::InputShape::TabGrid {
        return each(read_text_as(text, layout, &mut layout::ClassMemo::new()), 0);
    }
    let mut memo = layout::ClassMemo::new();
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut lines_before = 0u32;
    loop {
        let end = piece_end(bytes, start, piece);
        // A cut is at a line's start (after a `\n`), so on a character boundary.
        let piece_text = text.get(start..end).unwrap_or("");
        each(read_text_as(piece_text, layout, &mut memo), lines_before)?;
        if end >= bytes.len() {
            return Ok(());
        }
        let lines = memchr::memchr_iter(b'\n', piece_text.as_bytes()).count();
        lines_before = lines_before.saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
        start = end;
    }
}

/// Where the piece that starts at `start` (a line's start) ends: at the start of the first
/// line that holds a form title, starts at or after `start + piece`, and comes after the
/// piece's own first title line (so that text before a form is read with it, as when the
/// text is read whole); else at the text's end.
fn piece_end(bytes: &[u8], start: usize, piece: usize) -> usize {
    const TITLE: &[u8] = "自评表".as_bytes();
    let rest = bytes.get(start..).unwrap_or_default();
    let Some(first) = memchr::memmem::find(rest, TITLE) else {
        return bytes.len();
    };
    // The line after the piece's first title line.
    let after_first = match memchr::memchr(b'\n', &rest[first..]) {
        Some(i) => start + first + i + 1,
        None => return bytes.len(),
    };
    let from = start.saturating_add(piece).max(after_first);
    if from >= bytes.len() {
        return bytes.len();
    }
    // The first line that starts at or after `from`.
    let line = if bytes[from - 1] == b'\n' {
        from
    } else {
        match memchr::memchr(b'\n', &bytes[from..]) {
            Some(i) => from + i + 1,
            None => return bytes.len(),
        }
    };
    // The first title at or after that line lies on a line that starts there or later.
    match memchr::memmem::find(&bytes[line..], TITLE) {
        Some(i) => memchr::memrchr(b'\n', &bytes[line..line + i]).map_or(line, |nl| line + nl + 1),
        None => bytes.len(),
    }
}

/// [`read_text`] with the layout decided.
fn read_text_as<'a>(
    text: &'a str,
    layout: carrier::Layout,
    memo: &mut layout::ClassMemo<'a>,
) -> ReadOutcome {
    let mut toks = carrier::tokenize(text, layout);
    let mut cut = Vec::new();
    // Text that stops mid-line inside a form that never reached its 总分 was cut off (a page
    // capture limit): its last cell may be cut mid-number or mid-word. Do not read it.
    if layout::ends_inside_a_form(text, &toks, layout) {
        // Only a cell the text stops right inside: a separator after it means it was whole.
        let last = toks.iter().rposition(|t| !t.is_empty());
        let stops_inside =
            last.is_some_and(|i| toks[i].byte_in(text) + toks[i].text.len() == text.len());
        if let Some(last) = last.filter(|_| stops_inside) {
            let tok = toks.remove(last);
            cut.push(
                jixiao_core::Finding::new(
                    "READ_CUT_CELL",
                    jixiao_core::Severity::Warning,
                    format!("文本在「{}」处中断，这一格可能不完整，未读取", tok.text),
                    format!(
                        "the text stops inside '{}': the cell may be incomplete and was not read",
                        tok.text
                    ),
                )
                .at(Some(jixiao_core::Loc::text(tok.line, tok.column())))
                .rule("读取规则：读不准的值报告而不臆造 (readers never guess)"),
            );
        }
    }
    let (forms, mut diagnostics) = layout::recognise(text, &toks, layout, memo);
    diagnostics.extend(cut);
    ReadOutcome {
        shape: layout.shape,
        encoding: "UTF-8",
        forms,
        diagnostics,
    }
}

/// A seeded xorshift generator of indices below `n`, for the tests that hold a fast path to the
/// general one over generated inputs (the same sequence on every run).
#[cfg(test)]
pub(crate) fn xorshift(mut state: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every location (`{"line", "column"}`) in a serialised value moved down by `lines`.
    fn shifted(mut value: serde_json::Value, lines: u32) -> serde_json::Value {
        fn walk(v: &mut serde_json::Value, lines: u64) {
            match v {
                serde_json::Value::Object(map) => {
                    if map.contains_key("column") {
                        if let Some(serde_json::Value::Number(n)) = map.get("line").cloned() {
                            let moved = n.as_u64().unwrap_or(0) + lines;
                            map.insert("line".into(), moved.into());
                        }
                    }
                    map.values_mut().for_each(|v| walk(v, lines));
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(|v| walk(v, lines)),
                _ => {}
            }
        }
        walk(&mut value, u64::from(lines));
        value
    }

    /// Read in pieces of any size, a text of many forms gives the forms and diagnostics it
    /// gives read whole, at the same lines of the whole text, and the pieces are cut before
    /// title lines.
    #[test]
    fn pieces_read_as_the_whole() {
        let seed = include_str!("../../../../fixtures/songjiang-2023.tsv");
        // The seed's forms many times over, with a line outside any form at the start.
        let text = format!("导出说明\n{}", seed.repeat(25));
        let whole = read_text(&text);
        assert_eq!(whole.forms.len(), 75);
        let want_forms: Vec<_> = whole
            .forms
            .iter()
            .map(|f| serde_json::to_value(f.evaluation.clone()).unwrap())
            .collect();
        let mut want_diags: Vec<_> = whole
            .forms
            .iter()
            .flat_map(|f| f.diagnostics.iter())
            .chain(&whole.diagnostics)
            .map(|d| serde_json::to_value(d).unwrap().to_string())
            .collect();
        want_diags.sort();
        for piece in [0, 1, 700, 4096, 30_000, 1 << 20] {
            let (mut forms, mut diags, mut starts) = (Vec::new(), Vec::new(), Vec::new());
            read_text_in_pieces::<()>(&text, piece, |outcome, before| {
                assert_eq!(outcome.shape, whole.shape);
                starts.push(before);
                for form in &outcome.forms {
                    forms.push(shifted(
                        serde_json::to_value(&form.evaluation).unwrap(),
                        before,
                    ));
                    for d in &form.diagnostics {
                        diags.push(shifted(serde_json::to_value(d).unwrap(), before).to_string());
                    }
                }
                for d in &outcome.diagnostics {
                    diags.push(shifted(serde_json::to_value(d).unwrap(), before).to_string());
                }
                Ok(())
            })
            .unwrap();
            diags.sort();
            assert_eq!(forms, want_forms, "piece {piece}");
            assert_eq!(diags, want_diags, "piece {piece}");
            // Each piece after the first starts on a title line, at least `piece` bytes on.
            let lines: Vec<&str> = text.split('\n').collect();
            for pair in starts.windows(2) {
                assert!(lines[pair[1] as usize].contains("自评表"), "piece {piece}");
            }
            let expected_pieces = if piece >= text.len() { 1 } else { 2 };
            assert!(starts.len() >= expected_pieces, "piece {piece}: {starts:?}");
        }
    }

    /// Where a piece ends: before the first title line that starts at or after the target,
    /// else at the text's end.
    #[test]
    fn a_piece_ends_before_a_title_line() {
        let text = "a\n甲自评表\nbb\ncc自评表\nd\n乙自评表\n".as_bytes();
        let second = "a\n甲自评表\nbb\n".len();
        let third = "a\n甲自评表\nbb\ncc自评表\nd\n".len();
        // The text before the first title and that title stay in the first piece, even with a
        // target of nothing.
        assert_eq!(piece_end(text, 0, 0), second);
        assert_eq!(piece_end(text, 0, 1), second);
        // A title line before the target is not a cut: the next one is.
        assert_eq!(piece_end(text, 0, second + 1), third);
        assert_eq!(piece_end(text, second, 0), third);
        assert_eq!(piece_end(text, third, 0), text.len());
        assert_eq!(piece_end(text, 0, 1000), text.len());
        assert_eq!(piece_end(b"x\ny\n", 0, 1), 4);
    }
}
