//! Jixiao's readers and writers (读写): every shape in which 自评表 reach users, read into the
//! one [`jixiao_core::Evaluation`] model with located diagnostics.
//!
//! Readers never fail: [`read_bytes`] returns the forms it could read plus diagnostics
//! (findings with `READ_` codes and a location). A value the reader is not sure of is
//! reported, never invented.
#![forbid(unsafe_code)]

pub mod contract;
pub mod decode;
pub mod html;
pub mod json;
pub mod opendata;
pub mod text;
pub mod xlsx;

use jixiao_core::Evaluation;
use jixiao_core::Finding;
use serde::Serialize;

/// The shape an input was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputShape {
    /// Tab-separated grid from a PDF table extractor (the seed).
    TabGrid,
    /// `|`-separated rows (web page captures).
    PipeRows,
    /// One cell per line (or per paragraph).
    CellPerLine,
    /// The whole table flattened to lines of space-separated cells.
    Flattened,
    /// Jixiao's canonical JSON.
    Json,
    /// An Excel workbook (.xlsx), read through the same layout recogniser as a tab grid.
    Xlsx,
    /// Nothing recognisable.
    Unknown,
}

/// One form read from an input, with the diagnostics about it.
#[derive(Debug, Clone, Default)]
pub struct ReadForm {
    pub evaluation: Evaluation,
    /// Reading problems about this form: what was repaired, skipped or not sure.
    pub diagnostics: Vec<Finding>,
}

/// What a reader returns: the forms it could read, and diagnostics about the input as a whole
/// (encoding repairs, text outside any form).
#[derive(Debug, Clone)]
pub struct ReadOutcome {
    pub shape: InputShape,
    /// The text encoding detected (`UTF-8`, `GB18030`, `UTF-16LE`, …).
    pub encoding: &'static str,
    pub forms: Vec<ReadForm>,
    pub diagnostics: Vec<Finding>,
}

impl ReadOutcome {
    /// True when nothing at all could be read (the CLI's exit code 2).
    pub fn is_unreadable(&self) -> bool {
        self.forms.is_empty()
    }
}

/// Where `bytes` holds whole lines: the offset of its last `\n` and the number of `\n` up to
/// it, both found with vectorised searches (the CLI cuts input into chunks of whole lines).
pub fn whole_lines(bytes: &[u8]) -> Option<(usize, usize)> {
    let last = memchr::memrchr(b'\n', bytes)?;
    let count = memchr::memchr_iter(b'\n', bytes.get(..last)?).count() + 1;
    Some((last, count))
}

/// [`read_bytes`] a few forms at a time (`check`'s way, see [`text::read_text_in_pieces`]):
/// `each` gets each piece's outcome and the number of lines before the piece. The input's own
/// diagnostics (its encoding) go with the first piece. A workbook or JSON is one piece.
pub fn read_bytes_in_pieces<E>(
    bytes: &[u8],
    piece: usize,
    mut each: impl FnMut(ReadOutcome, u32) -> Result<(), E>,
) -> Result<(), E> {
    if xlsx::is_xlsx(bytes) {
        return each(xlsx::read_xlsx(bytes), 0);
    }
    // Borrowed when the bytes are already the text (no copy of the whole input).
    let (decoded, encoding, mut diagnostics) = decode::decode_borrowed(bytes);
    if is_json_text(&decoded) {
        let mut outcome = json::read_json(&decoded);
        outcome.encoding = encoding;
        diagnostics.append(&mut outcome.diagnostics);
        outcome.diagnostics = diagnostics;
        return each(outcome, 0);
    }
    text::read_text_in_pieces(&decoded, piece, |mut outcome, lines_before| {
        outcome.encoding = encoding;
        if !diagnostics.is_empty() {
            diagnostics.append(&mut outcome.diagnostics);
            outcome.diagnostics = std::mem::take(&mut diagnostics);
        }
        each(outcome, lines_before)
    })
}

/// Read any supported input from its bytes; the format is detected by content.
pub fn read_bytes(bytes: &[u8]) -> ReadOutcome {
    // One piece: a piece of unbounded size is the whole text.
    let mut whole = None;
    let read = read_bytes_in_pieces::<std::convert::Infallible>(bytes, usize::MAX, |outcome, _| {
        whole = Some(outcome);
        Ok(())
    });
    let Ok(()) = read;
    // Every reader hands on at least one outcome; the empty one only if that ever changed.
    whole.unwrap_or_else(|| text::read_text(""))
}

/// Whether a decoded text is Jixiao's JSON (an object or an array), which [`read_bytes`]
/// reads as JSON rather than as text.
pub fn is_json_text(text: &str) -> bool {
    let trimmed = text.trim_start();
    trimmed.starts_with('{') || trimmed.starts_with('[')
}
