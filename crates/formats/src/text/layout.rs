//! The layout recogniser: one pass over the cells of a text, whatever carrier produced them,
//! finding forms, their header, funds, goals, indicator table and total by their printed
//! labels. Columns are mapped by header labels, never by position alone.

use super::align::{self, UNALIGNABLE};
use super::carrier::{Layout, Tok};
use super::vocab::{self, word4_at, word8_at, FundCol, FundRowKind, IndCol, Label, SharedCol};
use crate::ReadForm;
use jixiao_core::model::compact;
use jixiao_core::{
    CompactString, Evaluation, Finding, FundRow, Funds, Indicator, Level1, Level2, Loc,
    PrintedDecimal, Severity,
};
use rust_decimal::Decimal;
use smallvec::SmallVec;

const RULE_READ: &str = "读取规则：读不准的值报告而不臆造 (readers never guess)";

/// What each cell is, decided once.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    Label(Label),
    Shared(SharedCol),
    Value,
    Empty,
}

impl Class {
    /// The label, if the cell is one (`Title` stands in for none: callers only compare).
    fn label(self) -> Label {
        match self {
            Class::Label(label) => label,
            _ => Label::Title,
        }
    }
}

fn classify_tok(tok: &Tok<'_>) -> Class {
    if tok.text.is_empty() {
        return Class::Empty;
    }
    // Fast path: numbers and long texts are never labels.
    let first = tok.text.as_bytes()[0];
    if (first.is_ascii_digit() || first == b'=' || first == b'>' || first == b'<')
        && (tok.text.len() < 6
            || !tok
                .text
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
    {
        return Class::Value;
    }
    // Labels are short; only titles (…自评表) run long.
    if tok.text.len() > 90 && !tok.text.contains("自评表") {
        return Class::Value;
    }
    let key = vocab::key_cow(tok.text);
    if let Some(shared) = vocab::shared_column(&key) {
        return Class::Shared(shared);
    }
    match vocab::classify(&key) {
        Some(label) => Class::Label(label),
        None => Class::Value,
    }
}

/// [`classify_tok`] for every cell. The same labels come back in every form of an input
/// (and values often repeat), so short cells are classified once per distinct text, kept in
/// a direct-mapped memo: one slot per hash of the text, a new text taking the slot of an old
/// one. Memory stays flat whatever the input, and a lookup is a hash of two words and a
/// comparison of the same two words (a hash map cost more than most cells); only a text
/// longer than 16 bytes, which the words do not hold whole, is compared in full.
///
/// The memo is the caller's: the pieces of one text (`read_text_in_pieces`) share it, as the
/// forms of one text did when it was read whole.
#[inline(never)]
fn classify_all<'a>(toks: &[Tok<'a>], memo: &mut ClassMemo<'a>) -> Vec<Class> {
    const MEMO_MAX_LEN: usize = 64;
    let memo = &mut memo.0;
    // Collected from a map over the slice (its length known: no capacity test per cell).
    toks.iter()
        .map(|tok| 'class: {
            let Some(&first) = tok.text.as_bytes().first() else {
                break 'class Class::Empty;
            };
            // `classify_tok`'s first test, without hashing: an ASCII number or comparison.
            if matches!(first, b'0'..=b'9' | b'=' | b'>' | b'<')
                && (tok.text.len() < 6 || tok.text.is_ascii())
            {
                break 'class Class::Value;
            }
            // Most values are told from labels by their first character: no hashing.
            if !vocab::may_be_label(tok.text) {
                break 'class Class::Value;
            }
            if tok.text.len() > MEMO_MAX_LEN {
                break 'class classify_tok(tok);
            }
            let key = memo_key(tok.text.as_bytes());
            let slot = key.slot(tok.text.len(), CLASS_MEMO_BITS);
            match memo.get(slot) {
                Some(Some(entry))
                    if entry.key == key
                        && entry.text.len() == tok.text.len()
                        && (tok.text.len() <= 16 || same_text(entry.text, tok.text)) =>
                {
                    entry.class
                }
                _ => {
                    let class = classify_tok(tok);
                    if let Some(entry) = memo.get_mut(slot) {
                        *entry = Some(MemoEntry {
                            key,
                            text: tok.text,
                            class,
                        });
                    }
                    class
                }
            }
        })
        .collect()
}

/// `a == b` for the memo's short texts (at most 64 bytes), compared eight bytes at a time
/// inline (the last word overlapping) instead of a call to `memcmp` for each cell.
#[inline(always)]
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if !(8..=64).contains(&n) {
        return a == b;
    }
    let word = |s: &[u8], i: usize| {
        s.get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes)
    };
    let mut i = 0;
    while i + 8 < n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// The memo of [`classify_all`]: one slot per hash of a short text (2 048 slots).
pub(crate) struct ClassMemo<'a>(Vec<Option<MemoEntry<'a>>>);

/// log2 of the number of [`ClassMemo`]'s slots.
const CLASS_MEMO_BITS: u32 = 11;

impl ClassMemo<'_> {
    pub(crate) fn new() -> Self {
        ClassMemo(vec![None; 1 << CLASS_MEMO_BITS])
    }
}

/// A memo entry: the text, its class, and the words of its [`MemoKey`].
#[derive(Clone, Copy)]
struct MemoEntry<'a> {
    key: MemoKey,
    text: &'a str,
    class: Class,
}

/// Two words of a text that, with its length, hold every byte of it when it is at most
/// 16 bytes long: the first and the last eight bytes; from 4 to 7 bytes the first and the
/// last four; below four the first, middle and last byte (for one, two or three bytes these
/// are all of them). So two texts of the same length up to 16 bytes are the same text when
/// their keys are equal, and the memo compares no bytes for them. Longer texts are keyed by
/// their first and last eight bytes and compared in full. Each part is loaded whole (no
/// byte-by-byte gathering of a short text).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct MemoKey {
    head: u64,
    tail: u64,
}

#[inline(always)]
fn memo_key(b: &[u8]) -> MemoKey {
    let n = b.len();
    let (w8, w4) = (|at| word8_at(b, at), |at| word4_at(b, at));
    let byte = |at: usize| b.get(at).map_or(0, |&x| u64::from(x));
    if n >= 8 {
        MemoKey {
            head: w8(0),
            tail: w8(n - 8),
        }
    } else if n >= 4 {
        MemoKey {
            head: w4(0) | (w4(n - 4) << 32),
            tail: 0,
        }
    } else {
        MemoKey {
            head: byte(0) | (byte(n / 2) << 8) | (byte(n.wrapping_sub(1)) << 16),
            tail: 0,
        }
    }
}

impl MemoKey {
    /// The memo slot: a hash of the key and the length (the comparison in the slot decides;
    /// the hash only spreads).
    #[inline(always)]
    fn slot(self, len: usize, bits: u32) -> usize {
        let h = (self.head ^ self.tail.rotate_left(29) ^ len as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> (64 - bits)) as usize
    }
}

fn loc(tok: &Tok<'_>) -> Loc {
    Loc::text(tok.line, tok.column())
}

/// `unwrap_cjk` into the model's `CompactString`: a cell without white space (nearly every
/// name and actual) is copied straight in — inline up to 24 bytes, no `String` between.
#[cfg(test)]
fn unwrap_cjk_compact(text: &str) -> CompactString {
    let mut out = CompactString::default();
    unwrap_cjk_into(&mut out, text);
    out
}

/// [`unwrap_cjk`] into an empty `CompactString` where it stands (see [`fill`]).
#[inline(always)]
fn unwrap_cjk_into(dst: &mut CompactString, text: &str) {
    if !vocab::has_whitespace_inline(text) {
        fill(dst, text);
    } else {
        *dst = unwrap_cjk(text).into();
    }
}

/// The most bytes a `CompactString` holds inline (on 64-bit targets).
const INLINE_MAX: usize = std::mem::size_of::<CompactString>();

/// `text` into an empty `CompactString` (the default, inline with room for 24 bytes) where
/// it stands: copied into its bytes in place. `CompactString::from` builds the string in a
/// buffer on the stack (a `memcpy` of the text's length) and the caller then loads it
/// whole to move it: a wide load over the copy's narrower stores, which the processor
/// cannot forward and waits out (≈ 15 cycles, several a row). A longer text is allocated
/// as `from` does.
#[inline(always)]
fn fill(dst: &mut CompactString, text: &str) {
    debug_assert!(dst.is_empty() && !dst.is_heap_allocated());
    if text.len() <= INLINE_MAX {
        dst.push_str(text);
    } else {
        *dst = CompactString::from(text);
    }
}

/// Remove line-wrap spaces between CJK characters (`依法 依规` → `依法依规`), keep spaces
/// between Latin words.
pub(crate) fn unwrap_cjk(text: &str) -> String {
    if !vocab::has_whitespace(text) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let before = out.chars().last();
            let after = chars.get(j).copied();
            let wide = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
            if before.is_some() && after.is_some() && !(wide(before) || wide(after)) {
                out.push(' ');
            } else if before.is_some() && after.is_some() && wide(before) != wide(after) {
                // Between a CJK character and a Latin one: the wrap space is not content either.
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Whether the last form of the text has no 总分 row yet (the text ends inside it).
pub(crate) fn ends_inside_a_form(text: &str, toks: &[Tok<'_>], layout: Layout) -> bool {
    let _ = (text, layout);
    for tok in toks.iter().rev() {
        if tok.is_empty() {
            continue;
        }
        match classify_tok(tok) {
            Class::Label(Label::Total | Label::Closing) => return false,
            Class::Label(Label::Project) => return true,
            _ => {}
        }
    }
    false
}

/// Split the cell stream into forms and read each.
pub(crate) fn recognise<'a>(
    text: &'a str,
    toks: &[Tok<'a>],
    layout: Layout,
    memo: &mut ClassMemo<'a>,
) -> (Vec<ReadForm>, Vec<Finding>) {
    let merged;
    let toks = if layout.positional_rows || layout.shape == crate::InputShape::PipeRows {
        toks
    } else {
        merged = merge_split_labels(text, toks);
        &merged[..]
    };
    let classes = classify_all(toks, memo);
    let mut forms = Vec::new();
    let mut file_diags = Vec::new();
    // Form boundaries: a 项目名称 label starts a new form once the current one has its own;
    // the title and year just before it belong to the new form.
    let mut starts: Vec<usize> = Vec::new();
    let mut seen_project = false;
    let mut seen_table = false;
    let mut last_title: Option<usize> = None;
    for (i, class) in classes.iter().enumerate() {
        match class {
            Class::Label(Label::Title) => {
                if seen_project && seen_table {
                    starts.push(i);
                    seen_project = false;
                    seen_table = false;
                    last_title = None;
                } else {
                    // The title of the next form, if a 项目名称 follows.
                    last_title = Some(i);
                }
            }
            Class::Label(Label::Project) => {
                if seen_project {
                    // A new form: it starts at its title if one stood just before.
                    starts.push(last_title.take().unwrap_or(i));
                    seen_table = false;
                } else if starts.is_empty() {
                    starts.push(last_title.take().unwrap_or(0));
                } else {
                    last_title = None;
                }
                seen_project = true;
            }
            Class::Label(
                Label::Level1(_) | Label::Level2(_) | Label::IndicatorSection | Label::Total,
            ) => {
                seen_table = true;
            }
            _ => {}
        }
    }
    if starts.is_empty() {
        // No 项目名称 at all: try the whole text as one form if it has an indicator table.
        let has_table = classes
            .iter()
            .any(|c| matches!(c, Class::Label(Label::IndicatorSection | Label::Level1(_))));
        let has_funds = classes
            .iter()
            .any(|c| matches!(c, Class::Label(Label::FundRow(_))));
        if has_table || has_funds {
            starts.push(0);
        }
    }
    starts.dedup();
    // A form is large (≈ 1 KB): growing the list by doubling copied each one again and again.
    forms.reserve(starts.len());
    if let Some(&first) = starts.first() {
        let skipped = toks[..first].iter().filter(|t| !t.is_empty()).count();
        if skipped > 0 {
            file_diags.push(
                Finding::new(
                    "READ_SKIPPED",
                    Severity::Info,
                    format!("表格之前的 {skipped} 个单元格不属于任何自评表，已跳过"),
                    format!(
                        "{skipped} cells before the first form belong to no form and were skipped"
                    ),
                )
                .at(Some(loc(&toks[0])))
                .rule(RULE_READ),
            );
        }
    }
    // A form start with nothing read after it (a bare `项目名称` label, header rows alone) is
    // not a form: counting it would report junk as thousands of clean forms and hold them all.
    let mut empty: Option<(usize, Loc)> = None;
    let mut body = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(toks.len());
        // Each form is read where it stands in the list: made empty there (`resize_with`
        // writes the default in place) and dropped again if nothing was read.
        forms.resize_with(forms.len() + 1, ReadForm::default);
        let Some(form) = forms.last_mut() else {
            break;
        };
        let builder = FormBuilder::new(&toks[start..end], &classes[start..end], layout, form, body);
        body = builder.build();
        if forms
            .last()
            .is_some_and(|form| read_nothing(&form.evaluation))
        {
            forms.pop();
            match &mut empty {
                Some((count, _)) => *count += 1,
                None => empty = Some((1, loc(&toks[start]))),
            }
        }
    }
    if let Some((count, at)) = empty {
        file_diags.push(
            Finding::new(
                "READ_EMPTY_FORM",
                Severity::Warning,
                format!("{count} 处表头（如「项目名称」）之后没有读到任何内容，不算作自评表"),
                format!("{count} form starts (such as a 项目名称 label) had nothing readable after them and are not counted as forms"),
            )
            .at(Some(at))
            .rule(RULE_READ),
        );
    }
    (forms, file_diags)
}

/// Nothing of a form was read: no header value, amount, goal, indicator or total.
fn read_nothing(ev: &Evaluation) -> bool {
    ev.year.is_none()
        && ev.project.is_none()
        && ev.department.is_none()
        && ev.unit.is_none()
        && ev.funds == Funds::default()
        && ev.goal_expected.is_none()
        && ev.goal_actual.is_none()
        && ev.indicators.is_empty()
        && ev.total_weight.is_none()
        && ev.total_score.is_none()
        && ev.grade.is_none()
}

/// Where text was broken at spaces or lines, a label can come in pieces (`经济效益` `指标`,
/// `年度` `总体` `目标`): join the pieces back into one cell when together they make a label.
fn merge_split_labels<'a>(text: &'a str, toks: &[Tok<'a>]) -> Vec<Tok<'a>> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let tok = toks[i];
        if label_piece(tok.text) {
            // Take the longest run of pieces (up to three) that makes a label, where the
            // following piece is not a label of its own.
            let mut joined_key = vocab::key(tok.text);
            let alone = vocab::classify(&joined_key);
            let mut merged_to = None;
            for (k, next) in toks.iter().enumerate().skip(i + 1).take(2) {
                if !label_piece(next.text) || !matches!(classify_tok(next), Class::Value) {
                    break;
                }
                joined_key.push_str(&vocab::key(next.text));
                let joined = vocab::classify(&joined_key);
                // A label followed by its value (`项目名称` `工伤鉴定`) is not a broken label.
                let glued_value = joined == alone
                    && matches!(
                        joined,
                        Some(Label::Project | Label::Department | Label::Unit)
                    );
                if !matches!(joined, Some(Label::Title) | None) && !glued_value {
                    merged_to = Some(k);
                }
            }
            if let Some(k) = merged_to {
                let last = toks[k];
                let end = last.byte_in(text) + last.text.len();
                if let Some(slice) = text.get(tok.byte_in(text)..end) {
                    out.push(Tok { text: slice, ..tok });
                    i = k + 1;
                    continue;
                }
            }
        }
        out.push(tok);
        i += 1;
    }
    out
}

/// The text after the first `label_chars` non-blank characters and a colon.
fn after_label(text: &str, label_chars: usize) -> &str {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen == label_chars {
            return text[i..].trim_start_matches([':', '：', ' ', '\t']).trim();
        }
        if !c.is_whitespace() {
            seen += 1;
        }
    }
    ""
}

/// A 一级/二级 label as printed, without points, blanks or cell markers. Each indicator under
/// it gets a clone: the template's spelling is the label's `&'static str` (a clone is a copy,
/// even for the 27 bytes of 服务对象满意度指标), any other is inline up to 24 bytes.
#[inline(always)]
fn level_text(text: &str, label: Label) -> CompactString {
    // The label as the template prints it (nearly always): nothing to remove, no scan, and
    // no call (inlined; the cleaning below is one).
    let printed = match label {
        Label::Level1(l1) => l1.label(),
        Label::Level2(l2) => l2.label(),
        _ => "",
    };
    if text == printed {
        if let Some(made) = template_level_text(label) {
            return made.clone();
        }
        return CompactString::const_new(printed);
    }
    level_text_cleaned(text)
}

/// The template's 一级/二级 spellings as `CompactString`s, made once: `const_new` at run time
/// copies the label into a buffer on the stack and reloads it whole (a store-forwarding
/// stall for each label read); a clone of a made one is a plain copy.
fn template_level_text(label: Label) -> Option<&'static CompactString> {
    static MADE: std::sync::OnceLock<[CompactString; 12]> = std::sync::OnceLock::new();
    let made = MADE.get_or_init(|| {
        std::array::from_fn(|i| match i {
            0..3 => CompactString::const_new(Level1::ALL[i].label()),
            _ => Level2::ALL
                .get(i - 3)
                .map_or_else(CompactString::default, |l2| {
                    CompactString::const_new(l2.label())
                }),
        })
    });
    let at = match label {
        Label::Level1(l1) => Level1::ALL.iter().position(|&x| x == l1)?,
        Label::Level2(l2) => 3 + Level2::ALL.iter().position(|&x| x == l2)?,
        _ => return None,
    };
    made.get(at)
}

/// [`level_text`] of a label printed otherwise than the template prints it.
#[inline(never)]
fn level_text_cleaned(text: &str) -> CompactString {
    let compacted = jixiao_core::model::compacted(text);
    let stripped = jixiao_core::model::points_stripped(&compacted);
    if stripped.contains('|') {
        stripped.replace('|', "").into()
    } else {
        // One allocation at most, not three: the common label has nothing to remove.
        CompactString::from(stripped)
    }
}

/// A piece of a broken label: short CJK text without digits.
fn label_piece(text: &str) -> bool {
    let n = text.chars().count();
    (1..=8).contains(&n) && !text.chars().any(|c| c.is_ascii_digit()) && !text.is_ascii()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Preamble,
    Header,
    Funds,
    Goals,
    Indicators,
    Total,
    Closing,
}

struct FundRowAcc<'t, 'a> {
    kind: FundRowKind,
    label: &'t Tok<'a>,
    values: SmallVec<[&'t Tok<'a>; 8]>,
}

/// A number of the 总分 row (its cell and its value with the printed decimals), or the place
/// of one not filled in.
type TotalNumber<'t> = Option<(&'t Tok<'t>, (Decimal, u32))>;

/// The indicator table's value columns after the name, in the header's order.
type IndFields = SmallVec<[IndCol; 12]>;

/// Cells placed in the funds columns of one row.
type Placed<'t, 'a> = SmallVec<[(FundCol, &'t Tok<'a>); 8]>;

#[cfg(test)]
thread_local! {
    /// Set by a test to read cell by cell, without `FormBuilder::body_run` and `funds_run`, for
    /// comparison.
    static BODY_RUNS_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether `FormBuilder::build` takes the indicator body's and the funds rows' cells in runs
/// (always, but in the test that compares it with the cell-by-cell dispatch).
#[inline(always)]
fn body_runs() -> bool {
    #[cfg(test)]
    {
        !BODY_RUNS_OFF.with(std::cell::Cell::get)
    }
    #[cfg(not(test))]
    {
        true
    }
}

struct FormBuilder<'t, 'a> {
    toks: &'t [Tok<'a>],
    classes: &'t [Class],
    layout: Layout,
    /// The form being read, where it stands in the list of forms (built in place: a form
    /// made in the builder and moved out was copied three times, ≈ 1 KB each).
    ev: &'t mut Evaluation,
    diags: &'t mut Vec<Finding>,
    section: Section,
    pending: Option<(Label, SmallVec<[&'t Tok<'a>; 4]>)>,
    // The builder's small per-form lists are kept inline: a header has about ten columns,
    // a funds block a handful of rows.
    fund_cols: SmallVec<[(FundCol, u32); 8]>,
    fund_rows: SmallVec<[FundRowAcc<'t, 'a>; 6]>,
    /// The pattern of a total row with one amount missing (which column was blank), reused
    /// for the sub-rows printed the same way.
    missing_amount: Option<FundCol>,
    goal_expected_slot: Option<u32>,
    goal_actual_slot: Option<u32>,
    goal_texts: SmallVec<[&'t Tok<'a>; 8]>,
    ind_cols: SmallVec<[(IndCol, u32); 12]>,
    /// Indices of the indicator table's cells (u32: a form's vector stays below the 1 KB
    /// at which glibc consolidates its free lists).
    body: Vec<u32>,
    total_toks: SmallVec<[&'t Tok<'a>; 12]>,
    total_label: Option<&'t Tok<'a>>,
    split_remnant: Option<&'static str>,
    /// In a grid: the cells that did not go to the indicator body, but after which blank
    /// cells would have (a header repeated inside the table), for `blanks_restored`.
    loud: SmallVec<[u32; 4]>,
}

impl<'t, 'a> FormBuilder<'t, 'a> {
    /// A builder reading `toks` into `form` (empty), its indicator body kept in `body`
    /// (emptied; its room kept from one form to the next).
    fn new(
        toks: &'t [Tok<'a>],
        classes: &'t [Class],
        layout: Layout,
        form: &'t mut ReadForm,
        mut body: Vec<u32>,
    ) -> Self {
        body.clear();
        // The indicator table is most of a form: one reservation instead of regrowing.
        body.reserve(toks.len());
        FormBuilder {
            toks,
            classes,
            layout,
            ev: &mut form.evaluation,
            diags: &mut form.diagnostics,
            section: Section::Preamble,
            pending: None,
            fund_cols: SmallVec::new(),
            fund_rows: SmallVec::new(),
            missing_amount: None,
            goal_expected_slot: None,
            goal_actual_slot: None,
            goal_texts: SmallVec::new(),
            ind_cols: SmallVec::new(),
            body,
            total_toks: SmallVec::new(),
            total_label: None,
            split_remnant: None,
            loud: SmallVec::new(),
        }
    }

    fn diag(
        &mut self,
        code: &'static str,
        severity: Severity,
        zh: String,
        en: String,
        at: Option<Loc>,
    ) {
        self.diags
            .push(Finding::new(code, severity, zh, en).at(at).rule(RULE_READ));
    }

    /// Read the form; returns the body's vector for the next form.
    fn build(mut self) -> Vec<u32> {
        if let Some(first) = self.toks.iter().find(|t| !t.is_empty()) {
            // The form is empty: only its start is set.
            self.ev.at.start = Some(loc(first));
        }
        let toks = self.toks;
        let classes = self.classes;
        let mut i = 0;
        while i < toks.len() {
            // Inside the indicator table, once its body has begun and nothing is pending, a
            // value or a level label goes to the body (`on_value`, `on_label`), and so does a
            // blank where blanks count (`on_empty`); in the funds block, once a row has begun,
            // a value or such a blank goes to the row. The loop below would find so after two
            // matches and a test for `loud`, for most of a form's cells. Anything else ends
            // the run and is dispatched as usual.
            if body_runs() && self.pending.is_none() {
                match self.section {
                    Section::Indicators if !self.body.is_empty() => i = self.body_run(i),
                    Section::Funds => i = self.funds_run(i),
                    _ => {}
                }
                if i >= toks.len() {
                    break;
                }
            }
            let tok = &toks[i];
            let body = self.body.len();
            match classes[i] {
                Class::Label(label) => self.on_label(label, tok, i),
                Class::Shared(shared) => self.on_shared(shared, tok),
                Class::Value => self.on_value(tok, i),
                Class::Empty => {
                    self.on_empty(tok, i);
                    i += 1;
                    continue;
                }
            }
            if self.section == Section::Indicators
                && self.layout.positional_rows
                && self.body.len() == body
                && self.takes_blanks()
            {
                self.loud.push(i as u32);
            }
            i += 1;
        }
        self.flush_pending();
        self.finish_funds();
        self.finish_goals();
        self.finish_indicators();
        self.finish_total();
        self.body
    }

    /// The cells from `i` on that go to the indicator body as they come (the section is the
    /// indicators', its body begun, nothing pending): pushed; returns the first cell that is
    /// not such a one (or the end).
    ///
    /// Each cell's class is reduced to two flags without a branch (a `match` on it compiled
    /// to a jump table, mispredicted a few cycles a cell), and the list is moved out of the
    /// builder for the run, so its length stays in a register instead of being stored back
    /// through `self` at every cell.
    fn body_run(&mut self, mut i: usize) -> usize {
        let keeps_empty = self.layout.keeps_empty;
        let classes = self.classes;
        let mut body = std::mem::take(&mut self.body);
        while let Some(&class) = classes.get(i) {
            let empty = class == Class::Empty;
            let take = matches!(
                class,
                Class::Value | Class::Label(Label::Level1(_) | Label::Level2(_))
            ) | (empty & keeps_empty);
            if take {
                body.push(i as u32);
            } else if !empty {
                break;
            }
            i += 1;
        }
        self.body = body;
        i
    }

    /// The cells from `i` on that go to the last funds row as they come (the section is the
    /// funds', nothing pending; `on_value`, `on_empty`): pushed; returns the first cell that
    /// is not such a one (or the end). Before the first row, nothing is taken.
    fn funds_run(&mut self, mut i: usize) -> usize {
        let keeps_empty = self.layout.keeps_empty;
        let (toks, classes) = (self.toks, self.classes);
        let Some(row) = self.fund_rows.last_mut() else {
            return i;
        };
        while let (Some(&class), Some(tok)) = (classes.get(i), toks.get(i)) {
            match class {
                Class::Value => row.values.push(tok),
                Class::Empty if keeps_empty => row.values.push(tok),
                Class::Empty => {}
                _ => break,
            }
            i += 1;
        }
        i
    }

    fn on_label(&mut self, label: Label, tok: &'t Tok<'a>, i: usize) {
        // Labels inside the indicator body are level labels; others end the body.
        if self.section == Section::Indicators {
            match label {
                Label::Level1(_) | Label::Level2(_) => {
                    self.body.push(i as u32);
                    return;
                }
                Label::IndCol(_) if self.body.is_empty() => {}
                Label::IndCol(_) => {
                    self.repeated_header(tok);
                    return;
                }
                _ => {}
            }
        }
        if self.section == Section::Total && matches!(label, Label::Level1(_) | Label::Level2(_)) {
            self.total_toks.push(tok);
            return;
        }
        self.flush_pending();
        match label {
            Label::Title => {
                if self.ev.year.is_none() {
                    self.ev.year = vocab::year_in(tok.text);
                }
                self.section = Section::Preamble;
            }
            Label::Project | Label::Department | Label::Unit | Label::OtherHeader => {
                self.section = Section::Header;
                if label == Label::Project {
                    self.ev.at.project = Some(loc(tok));
                }
                self.pending = Some((label, SmallVec::new()));
                // A value glued to its label: `项目名称：工伤鉴定`.
                let key = vocab::key_cow(tok.text);
                let names = ["项目名称", "主管部门", "实施单位"];
                for name in names {
                    if let Some(rest) = key.strip_prefix(name) {
                        let rest = rest.trim_start_matches(':');
                        if !rest.is_empty()
                            && vocab::classify(rest).is_none()
                            && !rest.starts_with('(')
                        {
                            // The value as printed (not the normalised key): skip the label's
                            // characters and the colon in the original text.
                            let printed = after_label(tok.text, name.chars().count());
                            self.set_header(label, unwrap_cjk(printed));
                            self.pending = None;
                        }
                    }
                }
            }
            Label::FundsSection => {
                self.section = Section::Funds;
                self.money_unit_from(tok.text);
            }
            Label::FundCol(col) => {
                self.section = Section::Funds;
                self.fund_cols.push((col, tok.slot));
            }
            Label::FundRow(kind) => {
                self.section = Section::Funds;
                if kind == FundRowKind::Total {
                    self.ev.at.funds_total = Some(loc(tok));
                }
                self.fund_rows.push(FundRowAcc {
                    kind,
                    label: tok,
                    values: SmallVec::new(),
                });
            }
            Label::GoalSection => {
                self.section = Section::Goals;
            }
            Label::GoalExpected => {
                self.section = Section::Goals;
                self.goal_expected_slot = Some(tok.slot);
            }
            Label::GoalActual => {
                self.section = Section::Goals;
                self.goal_actual_slot = Some(tok.slot);
            }
            Label::IndicatorSection => {
                self.section = Section::Indicators;
                let mut buf = [0u8; 64];
                let split = match vocab::key_bytes(tok.text, &mut buf) {
                    Some(key) => key == "绩效指".as_bytes(),
                    None => vocab::key(tok.text) == "绩效指",
                };
                if split {
                    self.split_remnant = Some("标");
                }
            }
            Label::IndCol(col) => {
                self.section = Section::Indicators;
                self.ind_cols.push((col, tok.slot));
            }
            Label::Level1(_) | Label::Level2(_) => {
                self.section = Section::Indicators;
                self.body.push(i as u32);
            }
            Label::Total => {
                self.section = Section::Total;
                self.total_label = Some(tok);
                self.ev.at.total = Some(loc(tok));
            }
            Label::Closing => {
                self.section = Section::Closing;
            }
        }
    }

    fn on_shared(&mut self, shared: SharedCol, tok: &'t Tok<'a>) {
        match self.section {
            Section::Funds => {
                let col = match shared {
                    SharedCol::Weight => FundCol::Weight,
                    SharedCol::Score => FundCol::Score,
                };
                self.fund_cols.push((col, tok.slot));
            }
            Section::Indicators if self.body.is_empty() => {
                let col = match shared {
                    SharedCol::Weight => IndCol::Weight,
                    SharedCol::Score => IndCol::Score,
                };
                self.ind_cols.push((col, tok.slot));
            }
            Section::Indicators => self.repeated_header(tok),
            Section::Goals => {
                // 绩效指标 header without the 绩效指标 label (some templates).
                self.section = Section::Indicators;
                self.on_shared(shared, tok);
            }
            _ => {}
        }
    }

    fn on_value(&mut self, tok: &'t Tok<'a>, i: usize) {
        if let Some((_, values)) = &mut self.pending {
            values.push(tok);
            if self.layout.shape != crate::InputShape::Flattened {
                self.flush_pending();
            }
            return;
        }
        match self.section {
            Section::Preamble | Section::Header => {
                if self.ev.year.is_none() {
                    self.ev.year = vocab::year_in(tok.text);
                }
                if self.section == Section::Header {
                    self.money_unit_from(tok.text);
                }
            }
            Section::Funds => {
                if let Some(row) = self.fund_rows.last_mut() {
                    row.values.push(tok);
                } else {
                    self.money_unit_from(tok.text);
                }
            }
            Section::Goals => self.goal_texts.push(tok),
            Section::Indicators => self.body.push(i as u32),
            Section::Total => self.total_toks.push(tok),
            Section::Closing => {}
        }
    }

    /// Whether a blank cell met now goes to the indicator body (`on_empty`).
    fn takes_blanks(&self) -> bool {
        self.layout.keeps_empty
            && self.pending.is_none()
            && self.section == Section::Indicators
            && !self.body.is_empty()
    }

    fn on_empty(&mut self, tok: &'t Tok<'a>, i: usize) {
        if !self.layout.keeps_empty || self.pending.is_some() {
            return;
        }
        match self.section {
            Section::Funds => {
                if let Some(row) = self.fund_rows.last_mut() {
                    row.values.push(tok);
                }
            }
            Section::Indicators if !self.body.is_empty() => self.body.push(i as u32),
            Section::Total => self.total_toks.push(tok),
            _ => {}
        }
    }

    /// An indicator header cell met again after the table began: a page break repeated it.
    fn repeated_header(&mut self, tok: &Tok<'_>) {
        self.diag(
            "READ_REPEATED_HEADER",
            Severity::Info,
            format!("指标表头「{}」重复出现（分页），已跳过", tok.text),
            format!(
                "indicator header '{}' repeated (page break), skipped",
                tok.text
            ),
            Some(loc(tok)),
        );
    }

    fn money_unit_from(&mut self, text: &str) {
        if self.ev.money_unit.is_some() {
            return;
        }
        // The key in a stack buffer (this label's key is only compared: no allocation).
        let mut buf = [0u8; 64];
        let owned;
        let key = match vocab::key_bytes(text, &mut buf) {
            Some(key) => key,
            None => {
                owned = vocab::key(text);
                owned.as_bytes()
            }
        };
        let holds = |part: &str| key.windows(part.len()).any(|w| w == part.as_bytes());
        if holds("(万元)") || key == "万元".as_bytes() {
            self.ev.money_unit = Some("万元".into());
        } else if holds("(元)") || key == "元".as_bytes() {
            self.ev.money_unit = Some("元".into());
        }
    }

    fn set_header(&mut self, label: Label, value: String) {
        match label {
            Label::Project => self.ev.project = Some(value),
            Label::Department => self.ev.department = Some(value),
            Label::Unit => self.ev.unit = Some(value),
            _ => {}
        }
    }

    /// Every label flushes (≈ 28 a form), and nearly always nothing is pending: the test is
    /// inlined, the work stays a call (its saved registers cost more than the test).
    #[inline(always)]
    fn flush_pending(&mut self) {
        if self.pending.is_some() {
            self.flush_pending_now();
        }
    }

    #[inline(never)]
    fn flush_pending_now(&mut self) {
        if let Some((label, values)) = self.pending.take() {
            if values.is_empty() {
                return;
            }
            // Flattened text: the value runs to the next known label. A long run, or one with
            // numbers in it, has probably swallowed cells of its own (an unknown label and
            // its value): do not present that as the project, department or unit.
            let numbers = values.iter().any(|t| vocab::plain_number(t.text).is_some());
            if values.len() > 3 || (values.len() > 1 && numbers) {
                let texts: Vec<&str> = values.iter().map(|t| t.text).collect();
                self.diag(
                    "READ_AMBIGUOUS_HEADER",
                    Severity::Warning,
                    format!("表头值「{}」中混有其他单元格，无法确定哪部分属于该栏，未读取", texts.join(" ")),
                    format!("the header value '{}' runs into other cells; which part belongs to it is unclear, not read", texts.join(" ")),
                    Some(loc(values[0])),
                );
                return;
            }
            let value = match values.as_slice() {
                [one] => unwrap_cjk(one.text),
                _ => unwrap_cjk(&values.iter().map(|t| t.text).collect::<Vec<_>>().join(" ")),
            };
            self.set_header(label, value);
        }
    }

    // ---------------------------------------------------------------- funds

    fn finish_funds(&mut self) {
        let rows = std::mem::take(&mut self.fund_rows);
        if rows.is_empty() {
            return;
        }
        let has_adjusted = self.fund_cols.iter().any(|(c, _)| *c == FundCol::Adjusted)
            || self.fund_cols.is_empty();
        self.ev.funds.has_adjusted_column = has_adjusted;
        let mut cols: SmallVec<[(FundCol, u32); 8]> = SmallVec::new();
        for &(c, s) in &self.fund_cols {
            if !cols.iter().any(|(k, _)| *k == c) {
                cols.push((c, s));
            }
        }
        if cols.is_empty() {
            cols = [
                FundCol::Initial,
                FundCol::Adjusted,
                FundCol::Executed,
                FundCol::Weight,
                FundCol::Rate,
                FundCol::Score,
            ]
            .iter()
            .map(|&c| (c, 0))
            .collect();
            self.diag(
                "READ_NO_FUNDS_HEADER",
                Severity::Warning,
                "资金表缺少表头（年初预算数/全年预算数/全年执行数），按标准列序读取".into(),
                "the funds block has no column header; the standard column order was assumed"
                    .into(),
                rows.first().map(|r| loc(r.label)),
            );
        }
        let reference_slot = rows.first().map(|r| r.label.slot).unwrap_or(0);
        for row in &rows {
            let cells = if self.layout.positional_rows {
                self.fund_cells_by_slot(row, &cols, reference_slot)
            } else if self.layout.keeps_empty {
                self.fund_cells_in_order(row, &cols)
            } else {
                self.fund_cells_by_content(row, &cols)
            };
            self.store_fund_row(row, cells);
        }
    }

    /// Grid: each value sits under its header column (shifted like the row's label).
    fn fund_cells_by_slot(
        &mut self,
        row: &FundRowAcc<'t, 'a>,
        cols: &[(FundCol, u32)],
        reference_slot: u32,
    ) -> Placed<'t, 'a> {
        let shift = row.label.slot as i64 - reference_slot as i64;
        let mut out = Placed::new();
        for tok in &row.values {
            if tok.is_empty() {
                continue;
            }
            let slot = tok.slot as i64 - shift;
            match cols.iter().find(|(_, s)| *s as i64 == slot) {
                Some(&(c, _)) => out.push((c, *tok)),
                None => self.diag(
                    "READ_UNPLACED_CELL",
                    Severity::Warning,
                    format!(
                        "资金行「{}」中的「{}」不在任何表头列下，未读取",
                        compact(row.label.text),
                        tok.text
                    ),
                    format!(
                        "cell '{}' of funds row '{}' is under no header column; not read",
                        tok.text, row.label.text
                    ),
                    Some(loc(tok)),
                ),
            }
        }
        out
    }

    /// One cell per line with blanks kept: the values follow the header's order.
    fn fund_cells_in_order(
        &mut self,
        row: &FundRowAcc<'t, 'a>,
        cols: &[(FundCol, u32)],
    ) -> Placed<'t, 'a> {
        row.values
            .iter()
            .zip(cols.iter())
            .filter(|(t, _)| !t.is_empty())
            .map(|(t, (c, _))| (*c, *t))
            .collect()
    }

    /// Flattened or pipe text: blanks are gone, so place values by what they are.
    fn fund_cells_by_content(
        &mut self,
        row: &FundRowAcc<'t, 'a>,
        cols: &[(FundCol, u32)],
    ) -> Placed<'t, 'a> {
        let values: Vec<&'t Tok<'a>> = row
            .values
            .iter()
            .copied()
            .filter(|t| !t.is_empty())
            .collect();
        let order: Vec<FundCol> = cols.iter().map(|(c, _)| *c).collect();
        if values.len() == order.len() {
            return order.into_iter().zip(values).collect();
        }
        let amount_cols: Vec<FundCol> = order
            .iter()
            .copied()
            .filter(|c| matches!(c, FundCol::Initial | FundCol::Adjusted | FundCol::Executed))
            .collect();
        let is_total = row.kind == FundRowKind::Total;
        // Where the rate is printed anchors the columns around it.
        let rate_at = values.iter().position(|t| t.text.ends_with(['%', '％']));
        if is_total && rate_at.is_none() && !values.is_empty() {
            // Fewer cells than columns and no printed rate to anchor them: which column each
            // number belongs to cannot be known (the text may also be cut).
            self.diag(
                "READ_AMBIGUOUS_AMOUNTS",
                Severity::Warning,
                format!("资金行「{}」的 {} 个值少于表头列数且没有执行率可对齐，未读取", compact(row.label.text), values.len()),
                format!("funds row '{}' has {} values, fewer than its columns, and no rate to align them; not read", row.label.text, values.len()),
                Some(loc(row.label)),
            );
            return Placed::new();
        }
        let (before, after): (Vec<&'t Tok<'a>>, Vec<&'t Tok<'a>>) = match rate_at {
            Some(r) => (values[..r].to_vec(), values[r..].to_vec()),
            None => (values.clone(), Vec::new()),
        };
        let mut out = Placed::new();
        // Trailing placeholders of a sub-row stand in the 分值/执行率/得分 columns.
        let mut amounts: Vec<&'t Tok<'a>> = before.clone();
        while amounts
            .last()
            .is_some_and(|t| vocab::is_placeholder(t.text))
        {
            amounts.pop();
        }
        if is_total && rate_at.is_some() && order.contains(&FundCol::Weight) {
            // The cell just before the rate is the 分值 when the header puts it there.
            let wi = order.iter().position(|c| *c == FundCol::Weight);
            let ri = order.iter().position(|c| *c == FundCol::Rate);
            if let (Some(wi), Some(ri)) = (wi, ri) {
                if wi + 1 == ri {
                    if let Some(w) = amounts.pop() {
                        out.push((FundCol::Weight, w));
                    }
                }
            }
        }
        if let Some(r) = rate_at {
            out.push((FundCol::Rate, values[r]));
            // After the rate: numbers fill the number columns in order, text is the reason.
            let mut later = order
                .iter()
                .copied()
                .skip_while(|c| *c != FundCol::Rate)
                .skip(1);
            for t in after.iter().skip(1) {
                if vocab::is_placeholder(t.text) {
                    later.next();
                    continue;
                }
                let is_number = vocab::plain_number(t.text).is_some();
                let col = later.by_ref().find(|c| match c {
                    FundCol::Reason => !is_number,
                    FundCol::Weight | FundCol::Score => is_number,
                    _ => false,
                });
                match col {
                    Some(c) => out.push((c, *t)),
                    None => break,
                }
            }
        }
        let numeric: Vec<&'t Tok<'a>> = amounts
            .iter()
            .copied()
            .filter(|t| !vocab::is_placeholder(t.text))
            .collect();
        if amounts.len() == amount_cols.len() {
            for (c, t) in amount_cols.iter().zip(amounts.iter()) {
                if !vocab::is_placeholder(t.text) {
                    out.push((*c, *t));
                }
            }
        } else if amounts.len() + 1 == amount_cols.len() && amount_cols.len() == 3 {
            // One amount is missing. Decide which from the printed rate (B/A) when the total
            // row says so, and reuse that for the sub-rows; otherwise do not guess.
            let missing = if is_total {
                self.missing_from_rate(&numeric, rate_at.map(|r| values[r]))
            } else {
                self.missing_amount
            };
            match missing {
                Some(m) => {
                    if is_total {
                        self.missing_amount = Some(m);
                    }
                    let present: Vec<FundCol> = amount_cols.iter().copied().filter(|c| *c != m).collect();
                    for (c, t) in present.iter().zip(amounts.iter()) {
                        if !vocab::is_placeholder(t.text) {
                            out.push((*c, *t));
                        }
                    }
                    let name = match m {
                        FundCol::Initial => "年初预算数",
                        FundCol::Adjusted => "全年预算数",
                        _ => "全年执行数",
                    };
                    self.diag(
                        "READ_MISSING_AMOUNT",
                        Severity::Info,
                        format!("资金行「{}」少印一个金额：按执行率判断空缺的是{name}", compact(row.label.text)),
                        format!("funds row '{}' prints one amount fewer; from the printed rate the blank one is {name}", row.label.text),
                        Some(loc(row.label)),
                    );
                }
                None => self.diag(
                    "READ_AMBIGUOUS_AMOUNTS",
                    Severity::Warning,
                    format!("资金行「{}」只印了 {} 个金额，无法确定各属哪一列，未读取", compact(row.label.text), amounts.len()),
                    format!("funds row '{}' prints {} amounts; which columns they belong to is unclear, not read", row.label.text, amounts.len()),
                    Some(loc(row.label)),
                ),
            }
        } else if !amounts.is_empty() && amounts.len() < amount_cols.len() && numeric.is_empty() {
            // Only placeholders: nothing to read.
        } else if amounts.len() > amount_cols.len() && !is_total {
            for (c, t) in amount_cols.iter().zip(amounts.iter()) {
                if !vocab::is_placeholder(t.text) {
                    out.push((*c, *t));
                }
            }
        } else if !numeric.is_empty() {
            self.diag(
                "READ_AMBIGUOUS_AMOUNTS",
                Severity::Warning,
                format!(
                    "资金行「{}」的 {} 个值与表头列数不符，未读取",
                    compact(row.label.text),
                    values.len()
                ),
                format!(
                    "funds row '{}' has {} values that do not fit the header; not read",
                    row.label.text,
                    values.len()
                ),
                Some(loc(row.label)),
            );
        }
        out
    }

    fn missing_from_rate(
        &self,
        amounts: &[&Tok<'_>],
        rate_tok: Option<&Tok<'_>>,
    ) -> Option<FundCol> {
        if amounts.len() != 2 {
            return None;
        }
        let unit = self.ev.money_unit.as_deref();
        let a = vocab::amount(amounts[0].text, unit)?;
        let b = vocab::amount(amounts[1].text, unit)?;
        let (rate, decimals) = vocab::rate(rate_tok?.text)?;
        if a.is_zero() {
            return None;
        }
        // Checked: amounts at the ends of `Decimal`'s range, or a rate of more than 25
        // decimals (a tolerance finer than 10⁻²⁸), decide nothing rather than panic.
        let computed = b.checked_div(a)?;
        let tolerance = Decimal::try_new(5, decimals.checked_add(3)?).ok()?;
        if computed.checked_sub(rate)?.abs() <= tolerance {
            // The two amounts printed are A and B: 年初预算数 is the blank one.
            Some(FundCol::Initial)
        } else {
            None
        }
    }

    fn store_fund_row(&mut self, row: &FundRowAcc<'t, 'a>, cells: Placed<'t, 'a>) {
        // The unit is only ever one of these two (see `money_unit_from`): no clone per row.
        let unit: Option<&'static str> = match self.ev.money_unit.as_deref() {
            Some("万元") => Some("万元"),
            Some("元") => Some("元"),
            _ => None,
        };
        let mut fr = FundRow {
            at: Some(loc(row.label)),
            ..FundRow::default()
        };
        for (col, tok) in cells {
            if tok.is_empty() || vocab::is_placeholder(tok.text) {
                continue;
            }
            let is_total = row.kind == FundRowKind::Total;
            match col {
                FundCol::Initial | FundCol::Adjusted | FundCol::Executed => {
                    match vocab::amount(tok.text, unit) {
                        Some(v) => match col {
                            FundCol::Initial => fr.initial = Some(v),
                            FundCol::Adjusted => fr.adjusted = Some(v),
                            _ => fr.executed = Some(v),
                        },
                        None => self.unreadable(tok, "金额", "amount"),
                    }
                }
                FundCol::Weight if is_total => match vocab::plain_number(tok.text) {
                    Some((v, _)) => self.ev.funds.weight = Some(v),
                    None => self.unreadable(tok, "分值", "weight"),
                },
                FundCol::Rate if is_total => {
                    self.ev.funds.rate_printed = Some(tok.text.to_string());
                    self.ev.at.funds_rate = Some(loc(tok));
                    match vocab::rate(tok.text) {
                        Some((v, d)) => self.ev.funds.rate = Some(PrintedDecimal::new(v, d)),
                        None => self.unreadable(tok, "执行率", "execution rate"),
                    }
                }
                FundCol::Score if is_total => match vocab::plain_number(tok.text) {
                    Some((v, d)) => {
                        self.ev.funds.score = Some(PrintedDecimal::new(v, d));
                        self.ev.at.funds_score = Some(loc(tok));
                    }
                    None => self.unreadable(tok, "得分", "score"),
                },
                FundCol::Reason if is_total => self.ev.funds.reason = Some(tok.text.to_string()),
                _ => {}
            }
        }
        let funds = &mut self.ev.funds;
        match row.kind {
            FundRowKind::Total => funds.total = fr,
            FundRowKind::Appropriation => funds.appropriation = fr,
            FundRowKind::Carryover => funds.carryover = fr,
            FundRowKind::Other => funds.other = fr,
            FundRowKind::Extra => funds.extra.push((compact(row.label.text), fr)),
        }
    }

    fn unreadable(&mut self, tok: &Tok<'_>, zh: &str, en: &str) {
        self.diag(
            "READ_UNREADABLE_VALUE",
            Severity::Warning,
            format!("{zh}「{}」无法识别为数值，未读取", tok.text),
            format!("{en} '{}' is not a number; not read", tok.text),
            Some(loc(tok)),
        );
    }

    // ---------------------------------------------------------------- goals

    fn finish_goals(&mut self) {
        let texts: SmallVec<[&'t Tok<'a>; 8]> = self
            .goal_texts
            .iter()
            .copied()
            .filter(|t| !t.is_empty())
            .collect();
        if texts.is_empty() {
            return;
        }
        let join = |ts: &[&Tok<'_>]| match ts {
            [one] => unwrap_cjk(one.text),
            _ => unwrap_cjk(&ts.iter().map(|t| t.text).collect::<Vec<_>>().join(" ")),
        };
        if self.layout.positional_rows {
            if let Some(actual_slot) = self.goal_actual_slot {
                let (exp, act): (SmallVec<[&Tok<'_>; 8]>, SmallVec<[&Tok<'_>; 8]>) =
                    texts.iter().copied().partition(|t| t.slot < actual_slot);
                if !exp.is_empty() {
                    self.ev.goal_expected = Some(join(&exp));
                    self.ev.at.goal_expected = Some(loc(exp[0]));
                }
                if !act.is_empty() {
                    self.ev.goal_actual = Some(join(&act));
                    self.ev.at.goal_actual = Some(loc(act[0]));
                }
                return;
            }
        }
        match texts.len() {
            1 => {
                self.ev.goal_expected = Some(texts[0].text.to_string());
                self.ev.at.goal_expected = Some(loc(texts[0]));
            }
            2 => {
                self.ev.goal_expected = Some(texts[0].text.to_string());
                self.ev.goal_actual = Some(texts[1].text.to_string());
                self.ev.at.goal_expected = Some(loc(texts[0]));
                self.ev.at.goal_actual = Some(loc(texts[1]));
            }
            n => {
                // Cells of text broken at spaces: where one goal ends and the other begins
                // cannot be known.
                self.diag(
                    "READ_AMBIGUOUS_GOALS",
                    Severity::Warning,
                    format!("年度总体目标处有 {n} 段文字，无法分清预期目标与实际完成情况，未读取"),
                    format!("{n} pieces of text under 年度总体目标: expected and actual cannot be told apart; not read"),
                    Some(loc(texts[0])),
                );
            }
        }
    }

    // ---------------------------------------------------------------- indicators

    /// The columns after the name, in the header's order; the split target (指标性质 |
    /// 指标值 | 度量单位) takes the place of 年度指标值.
    /// Both lists inline: a header has about ten columns (two vectors grown a form before).
    fn indicator_fields(&self) -> (IndFields, SmallVec<[(IndCol, u32); 12]>) {
        let mut seen: SmallVec<[(IndCol, u32); 12]> = SmallVec::new();
        for &(c, s) in &self.ind_cols {
            if !seen.iter().any(|(k, _)| *k == c) {
                seen.push((c, s));
            }
        }
        let split = seen.iter().any(|(c, _)| {
            matches!(
                c,
                IndCol::TargetOp | IndCol::TargetValue | IndCol::TargetUnit
            )
        });
        let mut fields = IndFields::new();
        for &(c, _) in &seen {
            match c {
                IndCol::Level1 | IndCol::Level2 | IndCol::Name => {}
                IndCol::Target if split => {
                    for s in [IndCol::TargetOp, IndCol::TargetValue, IndCol::TargetUnit] {
                        if seen.iter().any(|(k, _)| *k == s) {
                            fields.push(s);
                        }
                    }
                }
                IndCol::TargetOp | IndCol::TargetValue | IndCol::TargetUnit
                    if split && seen.iter().any(|(k, _)| *k == IndCol::Target) => {}
                c => fields.push(c),
            }
        }
        let has_target = fields
            .iter()
            .any(|c| matches!(c, IndCol::Target | IndCol::TargetValue | IndCol::TargetOp));
        if !has_target || !fields.contains(&IndCol::Weight) {
            fields = SmallVec::from_slice(&[
                IndCol::Target,
                IndCol::Actual,
                IndCol::Weight,
                IndCol::Score,
                IndCol::Reason,
            ]);
        }
        if !fields.contains(&IndCol::Reason) {
            fields.push(IndCol::Reason);
        }
        (fields, seen)
    }

    fn finish_indicators(&mut self) {
        if self.body.is_empty() {
            return;
        }
        let (fields, _header) = self.indicator_fields();
        let toks = self.toks;
        let classes = self.classes;
        let mut state = Levels::default();
        // The rows' placements by slot, one after the other in the same place.
        let mut placed = align::Alignment::default();
        if self.layout.positional_rows {
            let body = std::mem::take(&mut self.body);
            let slots = SlotTable::new(&self.ind_cols, &fields);
            // At most one indicator per physical row of the table: the rows the body spans
            // (rows rise along the body) bound them, without a pass over its cells.
            let row_of = |i: Option<&u32>| i.and_then(|&i| toks.get(i as usize)).map(|t| t.row);
            if let (Some(first), Some(last)) = (row_of(body.first()), row_of(body.last())) {
                self.ev
                    .indicators
                    .reserve(last.saturating_sub(first) as usize + 1);
            }
            // Rows are records. A row whose cells all went to the body (nearly always) is a
            // slice of the text's cells; otherwise its cells are gathered inline.
            let mut start = 0;
            while start < body.len() {
                let row = toks[body[start] as usize].row;
                let mut end = start;
                while body.get(end).is_some_and(|&i| toks[i as usize].row == row) {
                    end += 1;
                }
                let (first, last) = (body[start] as usize, body[end - 1] as usize);
                if last - first == end - 1 - start {
                    if let (Some(row_toks), Some(row_classes)) =
                        (toks.get(first..=last), classes.get(first..=last))
                    {
                        let at = &body[start..end];
                        self.grid_row(
                            (&fields, &slots),
                            row_toks,
                            row_classes,
                            at,
                            &mut state,
                            &mut placed,
                        );
                    }
                } else {
                    let row_toks: smallvec::SmallVec<[Tok<'a>; 16]> =
                        body[start..end].iter().map(|&i| toks[i as usize]).collect();
                    let row_classes: smallvec::SmallVec<[Class; 16]> = body[start..end]
                        .iter()
                        .map(|&i| classes[i as usize])
                        .collect();
                    let at = &body[start..end];
                    self.grid_row(
                        (&fields, &slots),
                        &row_toks,
                        &row_classes,
                        at,
                        &mut state,
                        &mut placed,
                    );
                }
                start = end;
            }
            self.body = body;
        } else {
            let body: Vec<&'t Tok<'a>> = self.body.iter().map(|&i| &toks[i as usize]).collect();
            let classes: Vec<Class> = self.body.iter().map(|&i| classes[i as usize]).collect();
            self.stream_records(&fields, &body, &classes, &mut state);
        }
        if self.ev.indicators.is_empty() {
            self.diag(
                "READ_NO_INDICATORS",
                Severity::Warning,
                "未能读出任何绩效指标行".into(),
                "no indicator row could be read".into(),
                self.body.first().map(|&i| loc(&toks[i as usize])),
            );
        }
    }

    /// Consume leading level labels and split-label remnants; returns where the record starts.
    fn take_levels<T: std::borrow::Borrow<Tok<'a>>>(
        &mut self,
        toks: &[T],
        classes: &[Class],
        state: &mut Levels,
        from: usize,
    ) -> usize {
        let mut i = from;
        let mut level2_here = false;
        while i < toks.len() {
            let tok: &Tok<'a> = toks[i].borrow();
            if tok.is_empty() {
                i += 1;
                continue;
            }
            // After a 二级 label in the same record, what follows is the name.
            if level2_here
                && matches!(
                    classes[i],
                    Class::Label(Label::Level1(_) | Label::Level2(_))
                )
            {
                return i;
            }
            match classes[i] {
                Class::Label(Label::Level1(l1)) => {
                    if state.level1_fresh
                        && (l1 == Level1::Satisfaction || state.level1_kind == Some(l1))
                    {
                        // `满意度指标(10分) 满意度指标`: the second is the 二级 label.
                        state.level2_text = Some(level_text(tok.text, classes[i].label()));
                        state.level1_fresh = false;
                    } else {
                        state.level1_text = Some(level_text(tok.text, classes[i].label()));
                        state.level1_kind = Some(l1);
                        state.level2_text = None;
                        state.level1_fresh = true;
                    }
                }
                Class::Label(Label::Level2(_)) => {
                    state.level2_text = Some(level_text(tok.text, classes[i].label()));
                    state.level1_fresh = false;
                    level2_here = true;
                }
                _ => {
                    if self
                        .split_remnant
                        .is_some_and(|r| vocab::key(tok.text) == r)
                    {
                        self.diag(
                            "READ_SPLIT_LABEL",
                            Severity::Info,
                            format!("「{}」是被分页拆开的标签「绩效指标」的后半，已合并", tok.text),
                            format!("'{}' is the rest of the label 绩效指标 split across a page break; joined", tok.text),
                            Some(loc(tok)),
                        );
                        self.split_remnant = None;
                    } else {
                        return i;
                    }
                }
            }
            i += 1;
        }
        i
    }

    /// One row of a grid's indicator table: its cells (a slice of the text's cells when the
    /// row's cells are all in the body, as nearly always; else a copy of those that are) and
    /// their indices in the form's cells (`at`).
    #[allow(clippy::too_many_arguments)]
    fn grid_row(
        &mut self,
        (fields, slots): (&[IndCol], &SlotTable),
        row: &[Tok<'a>],
        classes: &[Class],
        at: &[u32],
        state: &mut Levels,
        placed: &mut align::Alignment,
    ) {
        let start = self.take_levels(row, classes, state, 0);
        let (Some(name), Some(rest)) = (row.get(start), row.get(start + 1..)) else {
            return;
        };
        let took_levels = row[..start].iter().any(|t| !t.is_empty());
        if !took_levels && self.continuation(&row[start..], &classes[start..]) {
            return;
        }
        if !name_ok(name.text) {
            let texts: Vec<&str> = row
                .iter()
                .filter(|t| !t.is_empty())
                .map(|t| t.text)
                .collect();
            self.diag(
                "READ_UNRECOGNISED_ROW",
                Severity::Warning,
                format!("无法识别的指标行：{}", texts.join(" | ")),
                format!("unrecognised indicator row: {}", texts.join(" | ")),
                Some(loc(name)),
            );
            return;
        }
        // The placement is made in the caller's alignment and lent to `emit` (returned, its
        // few hundred bytes were copied each row and reloaded across the copy's stores).
        if self.by_header_slots(fields, slots, name, rest, placed) {
            // The placement by slot reads no blank cell.
            self.emit(fields, name, rest, placed, state)
        } else {
            // The alignment by content weighs blank cells: give it the row's blanks.
            let rest = self.blanks_restored(at, start);
            let mut alignment = align::align(fields, &rest);
            self.emit(fields, name, &rest, &mut alignment, state);
        }
    }

    /// The cells after the name of a grid's indicator row (the row's cell `start`, at
    /// `at[start]` in the form's cells) with the blank cells a tab grid's carrier does not
    /// keep put back, exactly as the row would hold them had every blank been a cell: a blank
    /// went to the body (`on_empty`) when the cell before it did, or was one after which the
    /// body still took blanks (`loud`). The blanks between two cells of a line are told by
    /// their slots; the last cell of a line is always kept. A grid that keeps every blank (a
    /// spreadsheet) gets its row back as it is.
    fn blanks_restored(&self, at: &[u32], start: usize) -> SmallVec<[Tok<'a>; 16]> {
        let mut out = SmallVec::new();
        let Some(&name_at) = at.get(start) else {
            return out;
        };
        let toks = self.toks;
        let Some(name) = toks.get(name_at as usize) else {
            return out;
        };
        let mut members = at.get(start + 1..).unwrap_or_default().iter().peekable();
        let mut takes = true;
        let mut slot = name.slot;
        for (j, tok) in toks
            .iter()
            .enumerate()
            .skip(name_at as usize + 1)
            .take_while(|(_, t)| t.row == name.row)
        {
            if takes {
                for blank in slot.saturating_add(1)..tok.slot {
                    out.push(Tok {
                        text: "",
                        line: tok.line,
                        col: 0,
                        row: tok.row,
                        slot: blank,
                    });
                }
            }
            slot = tok.slot;
            if members.next_if(|&&m| m as usize == j).is_some() {
                out.push(*tok);
                takes = true;
            } else {
                takes = !tok.is_empty() && self.loud.contains(&(j as u32));
            }
        }
        out
    }

    /// A row whose only cell stands under the reason column (no name, no weight, no score)
    /// continues the row above: a long cell the PDF wrapped onto a second line.
    fn continuation(&mut self, cells: &[Tok<'a>], classes: &[Class]) -> bool {
        if self.ev.indicators.is_empty() {
            return false;
        }
        let mut placed: Vec<(IndCol, &Tok<'a>)> = Vec::new();
        // The cells' classes were decided once for the whole text (`classify_all`).
        for (tok, class) in cells.iter().zip(classes).filter(|(t, _)| !t.is_empty()) {
            if !matches!(class, Class::Value) {
                return false;
            }
            // Only the free-text column wraps in practice; a lone short cell elsewhere is
            // read as a row of its own (and reviewed as one).
            match self.ind_cols.iter().find(|(_, s)| *s == tok.slot) {
                Some(&(IndCol::Reason, _)) => placed.push((IndCol::Reason, tok)),
                _ => return false,
            }
        }
        if placed.is_empty() {
            return false;
        }
        let Some(prev) = self.ev.indicators.last_mut() else {
            return false;
        };
        for (col, tok) in &placed {
            let slot = match col {
                IndCol::Target => &mut prev.target,
                IndCol::Actual => &mut prev.actual,
                _ => &mut prev.reason,
            };
            *slot = Some(match slot.take() {
                Some(before) => unwrap_cjk(&format!("{before} {}", tok.text)).into(),
                None => tok.text.into(),
            });
        }
        let at = placed.first().map(|(_, t)| loc(t));
        self.diag(
            "READ_CONTINUATION",
            Severity::Info,
            "此行只有原因分析一格，视为上一指标原因的续行，已并入".into(),
            "this row holds only a reason cell; joined to the previous indicator's reason".into(),
            at,
        );
        true
    }

    /// The common case of a grid row: every cell stands under its header column (shifted
    /// as a whole like the name) and fits it. Then no search is needed: the placement is
    /// made in `a` (its lists reused from the row before) and `true` returned.
    fn by_header_slots(
        &self,
        fields: &[IndCol],
        slots: &SlotTable,
        name: &Tok<'a>,
        rest: &[Tok<'a>],
        a: &mut align::Alignment,
    ) -> bool {
        let Some(name_slot) = slots.name_slot else {
            return false;
        };
        let shift = name.slot as i64 - name_slot as i64;
        a.cols.clear();
        a.cols.extend(fields.iter().map(|_| align::Cells::new()));
        a.cost = 0.0;
        a.ambiguous = false;
        a.agreed.clear();
        a.agreed.extend(fields.iter().map(|_| true));
        for (i, tok) in rest.iter().enumerate() {
            if tok.is_empty() {
                continue;
            }
            let slot = tok.slot as i64 - shift;
            let Some((col, f)) = slots.column_at(slot, &self.ind_cols, fields) else {
                return false;
            };
            let Some(cells) = a.cols.get_mut(f).filter(|c| c.is_empty()) else {
                return false;
            };
            // The weight and the score fit when they are numbers (`align::fits`). Only
            // whether they are is decided here: `emit` reads the number into its place (a
            // number read here and handed on was reloaded across its stores, twice).
            let fits = match col {
                IndCol::Weight | IndCol::Score => vocab::plain_value(tok.text).is_some(),
                _ => align::fits(col, tok.text),
            };
            if !fits {
                return false;
            }
            cells.push(i);
        }
        true
    }

    fn stream_records(
        &mut self,
        fields: &[IndCol],
        body: &[&'t Tok<'a>],
        classes: &[Class],
        state: &mut Levels,
    ) {
        // Segment the stream into level labels, records and noise by least cost.
        let n = body.len();
        let max_len = fields.len() + 4;
        let mut best = vec![f32::INFINITY; n + 1];
        let mut choice: Vec<(usize, Step)> = vec![(0, Step::Noise); n + 1];
        best[0] = 0.0;
        let owned: Vec<Tok<'a>> = body.iter().map(|t| **t).collect();
        for i in 0..n {
            if !best[i].is_finite() {
                continue;
            }
            let base = best[i];
            let tok = body[i];
            let relax = |j: usize,
                         cost: f32,
                         step: Step,
                         best: &mut Vec<f32>,
                         choice: &mut Vec<(usize, Step)>| {
                if base + cost < best[j] {
                    best[j] = base + cost;
                    choice[j] = (i, step);
                }
            };
            let level = matches!(
                classes[i],
                Class::Label(Label::Level1(_) | Label::Level2(_))
            );
            if level {
                relax(i + 1, 0.0, Step::Level, &mut best, &mut choice);
                continue;
            }
            if tok.is_empty() {
                relax(i + 1, 0.05, Step::Noise, &mut best, &mut choice);
                continue;
            }
            let remnant = self
                .split_remnant
                .is_some_and(|r| vocab::key(tok.text) == r);
            relax(
                i + 1,
                if remnant { 0.1 } else { 6.0 },
                Step::Noise,
                &mut best,
                &mut choice,
            );
            if !name_ok(tok.text) {
                continue;
            }
            for j in i + 1..=(i + max_len).min(n) {
                // Nor over the rest of a label split by a page break.
                if j > i + 1
                    && self
                        .split_remnant
                        .is_some_and(|r| vocab::key(body[j - 1].text) == r)
                {
                    break;
                }
                // Records do not run over level labels.
                if j > i + 1
                    && matches!(
                        classes[j - 1],
                        Class::Label(Label::Level1(_) | Label::Level2(_))
                    )
                {
                    break;
                }
                let a = align::align(fields, &owned[i + 1..j]);
                if a.cost >= UNALIGNABLE {
                    continue;
                }
                relax(j, 1.0 + a.cost, Step::Record, &mut best, &mut choice);
            }
        }
        // Walk back the cheapest segmentation.
        let mut steps = Vec::new();
        let mut j = n;
        while j > 0 {
            let (i, step) = choice[j];
            steps.push((i, j, step));
            j = i;
        }
        steps.reverse();
        let mut noise: Vec<&'t Tok<'a>> = Vec::new();
        for (i, j, step) in steps {
            match step {
                Step::Level => {
                    self.flush_noise(&mut noise);
                    self.take_levels(&body[i..j], &classes[i..j], state, 0);
                }
                Step::Noise => {
                    let tok = body[i];
                    if tok.is_empty() {
                        continue;
                    }
                    if self
                        .split_remnant
                        .is_some_and(|r| vocab::key(tok.text) == r)
                    {
                        self.take_levels(&body[i..j], &classes[i..j], state, 0);
                    } else {
                        noise.push(tok);
                    }
                }
                Step::Record => {
                    self.flush_noise(&mut noise);
                    let mut a = align::align(fields, &owned[i + 1..j]);
                    self.emit(fields, body[i], &owned[i + 1..j], &mut a, state);
                }
            }
        }
        self.flush_noise(&mut noise);
    }

    fn flush_noise(&mut self, noise: &mut Vec<&'t Tok<'a>>) {
        if noise.is_empty() {
            return;
        }
        let texts: Vec<&str> = noise.iter().map(|t| t.text).collect();
        self.diag(
            "READ_UNRECOGNISED_ROW",
            Severity::Warning,
            format!("无法识别为指标行的内容，未读取：{}", texts.join(" ")),
            format!(
                "content not recognised as an indicator row, not read: {}",
                texts.join(" ")
            ),
            Some(loc(noise[0])),
        );
        noise.clear();
    }

    fn emit(
        &mut self,
        fields: &[IndCol],
        name: &Tok<'a>,
        rest: &[Tok<'a>],
        a: &mut align::Alignment,
        state: &mut Levels,
    ) {
        state.level1_fresh = false;
        // The indicator is made empty where it stands and filled there: built in a local and
        // moved, its 400-odd bytes were copied twice (into the local, then into the list).
        // `resize_with` makes room before it makes the value (a `push` makes the value first,
        // on the stack, and copies it in after the capacity test).
        let index = self.ev.indicators.len();
        self.ev
            .indicators
            .resize_with(index.saturating_add(1), Indicator::default);
        let Some(ind) = self.ev.indicators.last_mut() else {
            return;
        };
        // Each label into an empty string in place: `Option::clone_from` into `None` (and
        // `clone`) copy the string through the stack and reload it across the copy's stores.
        if let Some(level1) = &state.level1_text {
            ind.level1
                .insert(CompactString::default())
                .clone_from(level1);
        }
        if let Some(level2) = &state.level2_text {
            ind.level2
                .insert(CompactString::default())
                .clone_from(level2);
        }
        unwrap_cjk_into(&mut ind.name, name.text);
        ind.at.row = Some(loc(name));
        ind.at.name = Some(loc(name));
        if a.cost >= UNALIGNABLE {
            let texts: Vec<&str> = rest
                .iter()
                .filter(|t| !t.is_empty())
                .map(|t| t.text)
                .collect();
            self.diags.push(
                Finding::new(
                    "READ_AMBIGUOUS_ROW",
                    Severity::Warning,
                    format!("指标「{}」的各值（{}）无法对应到表头各列，只读取了名称", ind.name, texts.join(" | ")),
                    format!("the values of indicator '{}' ({}) fit no column of the header; only the name was read", ind.name, texts.join(" | ")),
                )
                .at(Some(loc(name)))
                .indicator(index)
                .rule(RULE_READ),
            );
            return;
        }
        if a.ambiguous {
            // Keep what every reading agrees on (often the target); leave the rest unread.
            let mut unsure: Vec<&str> = Vec::new();
            for (f, (cells, agreed)) in fields.iter().zip(a.cols.iter_mut().zip(&a.agreed)) {
                if !agreed {
                    cells.clear();
                    unsure.push(match f {
                        IndCol::Actual => "实际完成值",
                        IndCol::Weight => "分值",
                        IndCol::Score => "得分",
                        IndCol::Reason => "原因",
                        _ => "指标值",
                    });
                }
            }
            unsure.dedup();
            let texts: Vec<&str> = rest
                .iter()
                .filter(|t| !t.is_empty())
                .map(|t| t.text)
                .collect();
            self.diags.push(
                Finding::new(
                    "READ_AMBIGUOUS_ROW",
                    Severity::Warning,
                    format!(
                        "指标「{}」的值（{}）缺了空格，无法确定各属哪一列：{}未读取",
                        ind.name,
                        texts.join(" | "),
                        unsure.join("、")
                    ),
                    format!(
                        "indicator '{}' ({}) lost its blank cells: which column each value belongs to is unclear; {} not read",
                        ind.name,
                        texts.join(" | "),
                        unsure.join(", ")
                    ),
                )
                .at(Some(loc(name)))
                .indicator(index)
                .rule(RULE_READ),
            );
        }
        // The first piece of the target becomes its string (inline up to 24 bytes, else one
        // allocation of its size, not a growth from empty); a split target's other pieces
        // are appended. Each string is written where it stands in the indicator (`fill`).
        let mut target_at: Option<Loc> = None;
        for (f, cells) in fields.iter().zip(&a.cols) {
            if cells.is_empty() {
                continue;
            }
            let first = &rest[cells[0]];
            // Nearly always one cell: borrow it rather than joining.
            let text: std::borrow::Cow<'_, str> = if cells.len() == 1 {
                std::borrow::Cow::Borrowed(first.text)
            } else {
                std::borrow::Cow::Owned(
                    cells
                        .iter()
                        .map(|&c| rest[c].text)
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            };
            match f {
                IndCol::Target | IndCol::TargetOp | IndCol::TargetValue | IndCol::TargetUnit => {
                    match &mut ind.target {
                        Some(target) => target.push_str(&text),
                        None => fill(ind.target.insert(CompactString::default()), &text),
                    }
                    target_at.get_or_insert(loc(first));
                }
                IndCol::Actual => {
                    unwrap_cjk_into(ind.actual.insert(CompactString::default()), &text);
                    ind.at.actual = Some(loc(first));
                }
                IndCol::Weight => {
                    // `plain_value` is `plain_number`'s value (a test compares the two).
                    vocab::put_plain_value(&mut ind.weight, &text);
                    ind.at.weight = Some(loc(first));
                }
                IndCol::Score => {
                    vocab::put_plain_value(&mut ind.score, &text);
                    ind.at.score = Some(loc(first));
                }
                IndCol::Reason => {
                    fill(ind.reason.insert(CompactString::default()), &text);
                    ind.at.reason = Some(loc(first));
                }
                IndCol::Level1 | IndCol::Level2 | IndCol::Name => {}
            }
        }
        if ind.target.as_ref().is_some_and(|t| t.is_empty()) {
            ind.target = None;
        } else if ind.target.is_some() {
            ind.at.target = target_at;
        }
    }

    // ---------------------------------------------------------------- total

    fn finish_total(&mut self) {
        let Some(label) = self.total_label else {
            self.ev.truncated = true;
            if !self.ev.indicators.is_empty() || self.ev.project.is_some() {
                let at = self.toks.iter().rev().find(|t| !t.is_empty()).map(loc);
                self.diag(
                    "READ_TRUNCATED",
                    Severity::Warning,
                    "表格在「总分」行之前中断：总分与其后的内容缺失".into(),
                    "the form ends before its 总分 row: the total and what follows are missing"
                        .into(),
                    at,
                );
            }
            return;
        };
        let toks: Vec<&'t Tok<'a>> = if self.layout.positional_rows {
            self.total_toks
                .iter()
                .copied()
                .filter(|t| t.row == label.row && !t.is_empty())
                .collect()
        } else {
            self.total_toks.to_vec()
        };
        // At most two numbers are kept: inline.
        let mut numbers: SmallVec<[TotalNumber<'_>; 2]> = SmallVec::new();
        let mut grade: Option<&Tok<'_>> = None;
        for tok in toks {
            if tok.is_empty() {
                // Blanks before the first number are the empty cells of the row; after it, a
                // blank is the place of a value not filled in (`合计 | 100 | | |`).
                if !numbers.is_empty() && numbers.len() < 2 {
                    numbers.push(None);
                }
                continue;
            }
            if let Some(v) = vocab::plain_number(tok.text) {
                if numbers.len() < 2 {
                    numbers.push(Some((tok, v)));
                    continue;
                }
            }
            if vocab::is_grade(tok.text) {
                grade = Some(tok);
                break;
            }
            // `总分 100 96 等级 优`: the word before the grade.
            if matches!(
                vocab::key_cow(tok.text).as_ref(),
                "等级" | "自评等级" | "评价等级" | "绩效等级"
            ) {
                continue;
            }
            break;
        }
        let present = numbers.iter().filter(|n| n.is_some()).count();
        if present == 1 && !self.layout.keeps_empty && numbers.len() == 1 {
            self.diag(
                "READ_AMBIGUOUS_TOTAL",
                Severity::Warning,
                "「总分」行只有一个数，无法确定是分值合计还是得分合计，未读取".into(),
                "the 总分 row has one number: weight total or score total is unclear; not read"
                    .into(),
                Some(loc(label)),
            );
        } else {
            if let Some(Some((_, (w, _)))) = numbers.first() {
                self.ev.total_weight = Some(*w);
            }
            if let Some(Some((tok, (s, d)))) = numbers.get(1) {
                self.ev.total_score = Some(PrintedDecimal::new(*s, *d));
                self.ev.at.total = Some(loc(tok));
            }
        }
        if let Some(g) = grade {
            self.ev.grade = Some(g.text.to_string());
            self.ev.at.grade = Some(loc(g));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Level,
    Record,
    Noise,
}

/// The indicator header by slot, for `by_header_slots`: the column `ind_cols` names first at
/// each slot and its place in the fields, looked up for each cell of a row instead of two
/// searches. Built once per form; a header reaching past slot 63 (never seen) is searched.
struct SlotTable {
    name_slot: Option<u32>,
    /// Per slot: the first column there and its index in the fields (`None` if not one).
    by_slot: Option<SmallVec<[SlotEntry; 16]>>,
}

impl SlotTable {
    fn new(ind_cols: &[(IndCol, u32)], fields: &[IndCol]) -> Self {
        let name_slot = ind_cols
            .iter()
            .find(|(c, _)| *c == IndCol::Name)
            .map(|&(_, s)| s);
        let len = ind_cols
            .iter()
            .map(|&(_, s)| s as usize + 1)
            .max()
            .unwrap_or(0);
        let by_slot = (len <= 64).then(|| {
            let mut table: SmallVec<[SlotEntry; 16]> = (0..len).map(|_| None).collect();
            for &(col, s) in ind_cols {
                if let Some(entry @ None) = table.get_mut(s as usize) {
                    let f = fields
                        .iter()
                        .position(|f| *f == col)
                        .and_then(|f| u8::try_from(f).ok());
                    *entry = Some((col, f));
                }
            }
            table
        });
        SlotTable { name_slot, by_slot }
    }

    /// The header column at `slot` (the first of `ind_cols` there) and its index in
    /// `fields`; `None` if no column is there or it is not a field.
    fn column_at(
        &self,
        slot: i64,
        ind_cols: &[(IndCol, u32)],
        fields: &[IndCol],
    ) -> Option<(IndCol, usize)> {
        match &self.by_slot {
            Some(table) => {
                let (col, f) = (*table.get(usize::try_from(slot).ok()?)?)?;
                Some((col, usize::from(f?)))
            }
            None => column_searched(slot, ind_cols, fields),
        }
    }
}

/// [`SlotTable::column_at`] by searching the header.
fn column_searched(
    slot: i64,
    ind_cols: &[(IndCol, u32)],
    fields: &[IndCol],
) -> Option<(IndCol, usize)> {
    let &(col, _) = ind_cols.iter().find(|(_, s)| i64::from(*s) == slot)?;
    Some((col, fields.iter().position(|f| *f == col)?))
}

/// A slot of [`SlotTable`]: the first column there and its index in the fields (`None` if
/// it is not one), or nothing.
type SlotEntry = Option<(IndCol, Option<u8>)>;

#[derive(Default)]
struct Levels {
    /// The 一级 label carried down, as each indicator under it gets it.
    level1_text: Option<CompactString>,
    level1_kind: Option<Level1>,
    /// The 二级 label carried down.
    level2_text: Option<CompactString>,
    /// A 一级 label was just read and no 二级 or record since.
    level1_fresh: bool,
}

/// A cell that can be an indicator's name. Most names start with a CJK character (lead byte
/// `E4`–`EE`: no number, placeholder or white space starts so) and end with one or with
/// printable ASCII other than `%` (so no percent sign, and nothing for `trim_end` to take):
/// only the operators (`定性`, `不少于` …) are then left to rule out, without reading the cell
/// as a number, placeholder or rate (`name_ok_general`; a test compares the two).
fn name_ok(text: &str) -> bool {
    let b = text.as_bytes();
    let cjk_lead = |x: u8| (0xE4..=0xEE).contains(&x);
    if let (Some(&first), Some(&last)) = (b.first(), b.last()) {
        let last_plain = (last.is_ascii_graphic() && last != b'%')
            || b.len()
                .checked_sub(3)
                .and_then(|i| b.get(i))
                .is_some_and(|&x| cjk_lead(x));
        if cjk_lead(first) && last_plain {
            return !vocab::is_operator(text);
        }
    }
    name_ok_general(text)
}

/// [`name_ok`] for any cell.
fn name_ok_general(text: &str) -> bool {
    !text.is_empty()
        && vocab::plain_number(text).is_none()
        && !vocab::is_operator(text)
        && !vocab::is_placeholder(text)
        // Not a plain number, so a rate only if it ends with a percent sign (`rate` reads
        // anything else as a plain number).
        && (!text.trim_end().ends_with(['%', '％']) || vocab::rate(text).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::carrier;

    /// A grid read without its blank cells (what `carrier::tokenize` gives) reads as with
    /// every blank kept: the same forms, values, locations and diagnostics. Over the seed and
    /// many damaged copies of it (cells shifted, merged, replaced by labels and values in the
    /// middle of the indicator table, lines repeated and dropped), so that the alignment by
    /// content, repeated headers and rows cut by other labels are all met.
    #[test]
    fn a_grid_read_without_its_blanks_reads_as_with_them() {
        let seed = include_str!("../../../../fixtures/songjiang-2023.tsv");
        let cells = [
            "",
            " ",
            "三级指标",
            "分值",
            "总分",
            "项目名称",
            "一级指标",
            "产出指标",
            "数量指标",
            "满意度指标",
            "绩效指标",
            "年度资金总额",
            "10",
            "8.5",
            "≥95%",
            "=",
            "个",
            "完成",
            "优",
            "—",
        ];
        let mut next = crate::text::xorshift(0x2545_f491_4f6c_dd1d);
        let mut codes = std::collections::BTreeSet::new();
        let seed_lines: Vec<Vec<String>> = seed
            .lines()
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect();
        // Every indicator row with a label in one of its cells and a blank added after it,
        // so that the row is aligned by content with blanks after a cell it does not hold.
        let rows = seed_lines
            .iter()
            .position(|l| l.len() > 6 && l[0].starts_with("绩效指"));
        let mut variants: Vec<Vec<Vec<String>>> = Vec::new();
        for l in rows.unwrap_or(0)..seed_lines.len() {
            for c in 1..seed_lines[l].len() {
                for label in ["三级指标", "分值", "总分", "项目名称", "满意度指标"]
                {
                    let mut lines = seed_lines.clone();
                    lines[l][c] = label.to_string();
                    let at = (c + 1 + l % 3).min(lines[l].len());
                    lines[l].insert(at, String::new());
                    variants.push(lines);
                }
            }
        }
        for round in 0..400 {
            variants.push(seed_lines.clone());
            let lines = variants.last_mut().unwrap();
            for _ in 0..(round % 7) {
                let l = next(lines.len());
                let width = lines[l].len();
                let c = next(width);
                match next(6) {
                    0 => lines[l].insert(c, String::new()),
                    1 if width > 1 => {
                        let cell = lines[l].remove(c);
                        lines[l][c.min(width - 2)].push_str(&cell);
                    }
                    2 => lines[l][c] = cells[next(cells.len())].to_string(),
                    3 => {
                        let line = lines[l].clone();
                        lines.insert(next(lines.len()), line);
                    }
                    4 if lines.len() > 1 => {
                        lines.remove(l);
                    }
                    _ => lines[l].truncate(c + 1),
                }
            }
        }
        for lines in &variants {
            let text: String = lines.iter().map(|l| l.join("\t") + "\n").collect();
            let layout = carrier::detect(&text);
            let sparse = carrier::tokenize(&text, layout);
            let dense = carrier::tokenize_with_blanks(&text, layout);
            let (forms, diags) = recognise(&text, &sparse, layout, &mut ClassMemo::new());
            let want = recognise(&text, &dense, layout, &mut ClassMemo::new());
            assert_eq!(
                format!("{:?}", (&forms, &diags)),
                format!("{want:?}"),
                "{text}"
            );
            for d in forms.iter().flat_map(|f| &f.diagnostics).chain(&diags) {
                codes.insert(d.code.to_string());
            }
        }
        // The damage reached the paths that read blank cells.
        for code in [
            "READ_AMBIGUOUS_ROW",
            "READ_REPEATED_HEADER",
            "READ_UNRECOGNISED_ROW",
        ] {
            assert!(codes.contains(code), "{code} never met: {codes:?}");
        }
    }

    /// The texts the run-versus-dispatch tests start from: the three published forms and the
    /// seed; and the seed's lines cut into cells, for the tests to damage copies of.
    fn fixture_texts() -> (Vec<String>, Vec<Vec<String>>) {
        let seed = include_str!("../../../../fixtures/songjiang-2023.tsv");
        let published = [
            include_str!("../../../../fixtures/published/02-raw.txt"),
            include_str!("../../../../fixtures/published/03-raw.txt"),
            include_str!("../../../../fixtures/published/07-raw.txt"),
        ];
        let mut texts: Vec<String> = published.iter().map(|t| t.to_string()).collect();
        texts.push(seed.to_string());
        let seed_lines = seed
            .lines()
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect();
        (texts, seed_lines)
    }

    /// `classify_all` (its shortcuts and its memo) gives every cell the class `classify_tok`
    /// gives it alone: over the seed, the published forms and damaged copies of the seed
    /// with cells replaced by labels, numbered labels, targets and actuals with units.
    #[test]
    fn classify_all_is_classify_tok() {
        let cells = [
            "",
            "=4878人次",
            "4954人次",
            ">=95%",
            "<=800元",
            "1.项目年度目标完成情况",
            "2024年度项目支出绩效自评表",
            "=自评表",
            "3 数量指标",
            "12数量指标",
            "1、产出指标",
            "数量指标",
            "总分",
            "分值",
            "项目名称：工伤鉴定",
            "其中：当年财政拨款",
            "12件",
            "=12",
            "服务对象满意度",
            "产出指标（50分）",
            "5表",
            "7衣",
            "88",
            "8.5",
            "≥95%",
        ];
        let mut next = crate::text::xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut texts, seed_lines) = fixture_texts();
        for round in 0..300 {
            let mut lines = seed_lines.clone();
            for _ in 0..(1 + round % 9) {
                let l = next(lines.len());
                let c = next(lines[l].len());
                lines[l][c] = cells[next(cells.len())].to_string();
            }
            // Several forms in one text, so that the memo is met with texts seen before.
            let form: String = lines.iter().map(|l| l.join("\t") + "\n").collect();
            texts.push(form.repeat(1 + round % 3));
        }
        let mut checked = 0;
        for text in &texts {
            let layout = carrier::detect(text);
            for toks in [
                carrier::tokenize(text, layout),
                carrier::tokenize_with_blanks(text, layout),
            ] {
                let want: Vec<Class> = toks.iter().map(classify_tok).collect();
                assert_eq!(classify_all(&toks, &mut ClassMemo::new()), want, "{text}");
                checked += toks.len();
            }
        }
        assert!(checked > 100_000, "{checked}");
    }

    /// The indicator body and the funds rows taken in runs (`FormBuilder::body_run`,
    /// `funds_run`) read every text as the cell-by-cell dispatch does: the same forms, values, locations and diagnostics. Over the
    /// seed, the published forms (other carriers) and damaged copies of the seed (labels,
    /// headers, values and blanks put in the table, lines repeated, dropped and cut), each
    /// read with and without its blanks, and as one cell per line.
    #[test]
    fn body_runs_read_as_the_dispatch() {
        let cells = [
            "",
            " ",
            "三级指标",
            "分值",
            "得分",
            "总分",
            "项目名称",
            "项目名称：工伤鉴定",
            "一级指标",
            "产出指标",
            "数量指标",
            "满意度指标",
            "绩效指标",
            "绩效指",
            "年度资金总额",
            "年度总体目标",
            "10",
            "8.5",
            "≥95%",
            "=4878人次",
            "完成",
            "—",
        ];
        let mut next = crate::text::xorshift(0x6a09_e667_f3bc_c908);
        let (mut texts, seed_lines) = fixture_texts();
        for round in 0..400 {
            let mut lines = seed_lines.clone();
            for _ in 0..(1 + round % 7) {
                let l = next(lines.len());
                let width = lines[l].len();
                let c = next(width);
                match next(6) {
                    0 => lines[l].insert(c, String::new()),
                    1 | 2 => lines[l][c] = cells[next(cells.len())].to_string(),
                    3 => {
                        let line = lines[l].clone();
                        lines.insert(next(lines.len()), line);
                    }
                    4 if lines.len() > 1 => {
                        lines.remove(l);
                    }
                    _ => lines[l].truncate(c + 1),
                }
            }
            let form: String = lines.iter().map(|l| l.join("\t") + "\n").collect();
            texts.push(form.repeat(1 + round % 2));
            if round % 10 == 0 {
                // The same cells one per line (blank lines kept): a stream without rows.
                texts.push(lines.iter().flatten().map(|c| format!("{c}\n")).collect());
            }
        }
        let read = |text: &str, toks: &[Tok<'_>], layout: Layout, runs: bool| {
            BODY_RUNS_OFF.with(|off| off.set(!runs));
            let read = recognise(text, toks, layout, &mut ClassMemo::new());
            BODY_RUNS_OFF.with(|off| off.set(false));
            format!("{read:?}")
        };
        let mut indicators = 0;
        for text in &texts {
            let layout = carrier::detect(text);
            for toks in [
                carrier::tokenize(text, layout),
                carrier::tokenize_with_blanks(text, layout),
            ] {
                let ours = read(text, &toks, layout, true);
                assert_eq!(ours, read(text, &toks, layout, false), "{text}");
                indicators += recognise(text, &toks, layout, &mut ClassMemo::new())
                    .0
                    .iter()
                    .map(|f| f.evaluation.indicators.len())
                    .sum::<usize>();
            }
        }
        assert!(indicators > 10_000, "{indicators}");
    }

    #[test]
    fn name_ok_is_name_ok_general() {
        let pieces = [
            "",
            "工伤",
            "鉴定",
            "定性",
            "定量",
            "不少于",
            "—",
            "－",
            "／",
            "%",
            "％",
            "95",
            "9.5",
            " ",
            "\u{3000}",
            "a",
            "≥",
            "7",
            "人次",
            "4,000",
            "㐀",
            "\u{ef00}",
            "\u{f000}",
            "𠀀",
            "-",
            "/",
        ];
        let mut n = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    assert_eq!(name_ok(&text), name_ok_general(&text), "{text:?}");
                    n += usize::from(!text.is_empty() && name_ok(&text));
                }
            }
        }
        assert!(n > 1000, "{n}");
        for text in [
            "定性",
            "不少于",
            "工伤鉴定",
            "满意度95%",
            "满意度 ",
            "工伤9",
        ] {
            assert_eq!(name_ok(text), name_ok_general(text), "{text:?}");
        }
    }

    /// `unwrap_cjk_compact` (the model's strings) is `unwrap_cjk`, inline or not: over
    /// texts joined from CJK, Latin, white space of every kind and pieces long enough to
    /// cross the 24 bytes kept inline.
    #[test]
    fn unwrap_cjk_compact_is_unwrap_cjk() {
        let pieces = [
            "",
            "依法",
            " ",
            "\u{3000}",
            "\t",
            "a",
            "bc d",
            "≥95%",
            "人次",
            "服务对象满意度",
            "12345678901234567890",
            "𠀀",
            "\u{a0}",
        ];
        let mut inline = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in ["", " ", "指标", "x"] {
                        let text = format!("{a}{b}{c}{d}");
                        let fast = unwrap_cjk_compact(&text);
                        assert_eq!(fast.as_str(), unwrap_cjk(&text), "{text:?}");
                        inline += usize::from(!fast.is_heap_allocated());
                    }
                }
            }
        }
        assert!(inline > 1000, "{inline}");
    }

    /// `fill` (in place) makes the string `CompactString::from` makes, inline or not, over
    /// texts of every length from 0 to 40 bytes (ASCII, CJK, four-byte characters) and
    /// into every kind of `Option` field `emit` fills.
    #[test]
    fn fill_is_from() {
        let pieces = ["a", "指", "𠀀", "9", " ", "%", "人次"];
        let mut next = crate::text::xorshift(0x5eed_f111);
        for _ in 0..20_000 {
            let mut text = String::new();
            let len = next(41);
            while text.len() < len {
                text.push_str(pieces[next(pieces.len())]);
            }
            let want = CompactString::from(text.as_str());
            let mut got = CompactString::default();
            fill(&mut got, &text);
            assert_eq!(got, want, "{text:?}");
            assert_eq!(
                got.is_heap_allocated(),
                want.is_heap_allocated(),
                "{text:?}"
            );
            let mut field: Option<CompactString> = None;
            fill(field.insert(CompactString::default()), &text);
            assert_eq!(field.as_deref(), Some(text.as_str()));
        }
    }

    /// A carried 一级/二级 label is the template's spelling as a static string (cloned per
    /// indicator without allocating) or the cell cleaned as before.
    #[test]
    fn level_text_is_the_label_cleaned() {
        for l1 in Level1::ALL {
            let label = Label::Level1(l1);
            let text = level_text(l1.label(), label);
            assert_eq!(text, l1.label());
            assert_eq!(
                template_level_text(label).map(|t| t.as_str()),
                Some(l1.label())
            );
            assert!(!text.clone().is_heap_allocated());
        }
        for l2 in jixiao_core::Level2::ALL {
            let label = Label::Level2(l2);
            let text = level_text(l2.label(), label);
            assert_eq!(text, l2.label());
            assert_eq!(
                template_level_text(label).map(|t| t.as_str()),
                Some(l2.label())
            );
            // 服务对象满意度指标 is 27 bytes: a static reference, not a heap copy.
            assert!(!text.clone().is_heap_allocated(), "{}", l2.label());
        }
        for (cell, want) in [
            ("产出指标(50分)", "产出指标"),
            ("数量 指标", "数量指标"),
            ("服务对象满意度指标（10分）", "服务对象满意度指标"),
            ("质量|指标", "质量指标"),
        ] {
            let want_general = {
                let compacted = jixiao_core::model::compacted(cell);
                jixiao_core::model::points_stripped(&compacted).replace('|', "")
            };
            assert_eq!(want, want_general);
            assert_eq!(
                level_text(cell, Label::Level1(Level1::Output)),
                want,
                "{cell}"
            );
        }
    }

    /// Two texts of the same length up to 16 bytes have the same memo key only when they are
    /// the same text (the memo compares no bytes for them): every pair of a set of texts of
    /// each length from 1 to 20, changed in each byte in turn.
    #[test]
    fn memo_keys_of_short_texts_are_the_texts() {
        let mut next = crate::text::xorshift(0x2545_f491_4f6c_dd1d);
        let alphabet = ["a", "b", "表", "衣", "分", "值", "é", "1", "\u{a8}"];
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for round in 0..400 {
            let s: String = (0..1 + round % 12)
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            let base = s.into_bytes();
            for at in 0..base.len() {
                let mut changed = base.clone();
                changed[at] ^= 1 << (round % 8);
                texts.push(changed);
            }
            texts.push(base);
        }
        let mut pairs = 0;
        for a in &texts {
            for b in &texts {
                if a.len() != b.len() || a.len() > 16 {
                    continue;
                }
                assert_eq!(memo_key(a) == memo_key(b), a == b, "{a:?} {b:?}");
                pairs += 1;
            }
        }
        assert!(pairs > 100_000, "{pairs}");
    }

    #[test]
    fn same_text_is_str_eq() {
        let texts: Vec<String> = (0..70)
            .flat_map(|n| {
                let base: String = "项目名称ab".chars().cycle().take(n).collect();
                let mut changed = base.clone().into_bytes();
                if let Some(b) = changed.last_mut() {
                    *b ^= 1;
                }
                let mut first = base.clone().into_bytes();
                if let Some(b) = first.first_mut() {
                    *b ^= 1;
                }
                let mut middle = base.clone().into_bytes();
                let half = middle.len() / 2;
                if let Some(b) = middle.get_mut(half) {
                    *b ^= 1;
                }
                [base]
                    .into_iter()
                    .chain(String::from_utf8(changed).ok())
                    .chain(String::from_utf8(first).ok())
                    .chain(String::from_utf8(middle).ok())
            })
            .collect();
        for a in &texts {
            for b in &texts {
                assert_eq!(same_text(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn slot_table_agrees_with_searching_the_header() {
        use IndCol::*;
        let headers: [&[(IndCol, u32)]; 5] = [
            &[
                (Level1, 0),
                (Level2, 1),
                (Name, 2),
                (Target, 3),
                (Actual, 4),
                (Weight, 5),
                (Score, 6),
                (Reason, 7),
            ],
            // A slot named twice (the first wins), a column that is not a field, gaps.
            &[
                (Name, 1),
                (Target, 3),
                (Actual, 3),
                (Level1, 5),
                (Weight, 9),
                (Score, 12),
                (Reason, 12),
            ],
            &[
                (Name, 0),
                (TargetOp, 1),
                (TargetValue, 2),
                (TargetUnit, 3),
                (Actual, 4),
                (Weight, 5),
            ],
            // Past the table: searched.
            &[(Name, 2), (Weight, 70), (Score, 71)],
            &[],
        ];
        let fields = [
            Target,
            TargetOp,
            TargetValue,
            TargetUnit,
            Actual,
            Weight,
            Score,
            Reason,
        ];
        for header in headers {
            for fields in [&fields[..], &fields[..3], &[]] {
                let table = SlotTable::new(header, fields);
                assert_eq!(
                    table.name_slot,
                    header.iter().find(|(c, _)| *c == Name).map(|&(_, s)| s)
                );
                for slot in -3..80 {
                    assert_eq!(
                        table.column_at(slot, header, fields),
                        column_searched(slot, header, fields),
                        "{header:?} {fields:?} {slot}"
                    );
                }
            }
        }
    }
}
