//! Measures (指标值): a printed target or actual value parsed into operator, number and unit,
//! a range, a deadline, or qualitative text. Parsing never fails and keeps the printed text.

use crate::model::{contains_str, PrintedDecimal};
use crate::num::{concat, Piece::Num, Piece::Text};
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::str::FromStr;

/// The comparison a target asks for (指标性质).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// `>=` `≥` `≧` `不少于` `不低于` `大于等于`
    AtLeast,
    /// `>` `大于` `高于`
    Greater,
    /// `<=` `≤` `≦` `不高于` `不超过` `小于等于`
    AtMost,
    /// `<` `小于` `低于`
    Less,
    /// `=` `═` `＝`
    Exact,
    /// No operator printed (`100%`, `5000户`).
    NoOperator,
}

impl Operator {
    /// Canonical symbol (empty for no operator).
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::AtLeast => "≥",
            Operator::Greater => ">",
            Operator::AtMost => "≤",
            Operator::Less => "<",
            Operator::Exact => "=",
            Operator::NoOperator => "",
        }
    }
    /// "Bigger is better" targets (positive indicators 正向指标).
    pub fn is_positive(self) -> bool {
        matches!(self, Operator::AtLeast | Operator::Greater)
    }
    /// "Smaller is better" targets (reverse indicators 反向指标).
    pub fn is_reverse(self) -> bool {
        matches!(self, Operator::AtMost | Operator::Less)
    }
}

/// Operator spellings, longest first so that `大于等于` wins over `大于`.
const PREFIX_OPERATORS: &[(&str, Operator)] = &[
    ("大于或等于", Operator::AtLeast),
    ("小于或等于", Operator::AtMost),
    ("大于等于", Operator::AtLeast),
    ("小于等于", Operator::AtMost),
    ("不少于", Operator::AtLeast),
    ("不低于", Operator::AtLeast),
    ("不小于", Operator::AtLeast),
    ("不高于", Operator::AtMost),
    ("不超过", Operator::AtMost),
    ("不大于", Operator::AtMost),
    ("不多于", Operator::AtMost),
    (">=", Operator::AtLeast),
    ("=>", Operator::AtLeast),
    ("<=", Operator::AtMost),
    ("=<", Operator::AtMost),
    ("＞＝", Operator::AtLeast),
    ("＜＝", Operator::AtMost),
    ("≥", Operator::AtLeast),
    ("≧", Operator::AtLeast),
    ("⩾", Operator::AtLeast),
    ("≤", Operator::AtMost),
    ("≦", Operator::AtMost),
    ("⩽", Operator::AtMost),
    ("大于", Operator::Greater),
    ("高于", Operator::Greater),
    ("超过", Operator::Greater),
    ("小于", Operator::Less),
    ("低于", Operator::Less),
    ("等于", Operator::Exact),
    (">", Operator::Greater),
    ("＞", Operator::Greater),
    ("<", Operator::Less),
    ("＜", Operator::Less),
    ("==", Operator::Exact),
    ("=", Operator::Exact),
    ("═", Operator::Exact),
    ("＝", Operator::Exact),
];

/// Trailing operator words (`95%以上`).
const SUFFIX_OPERATORS: &[(&str, Operator)] = &[
    ("及以上", Operator::AtLeast),
    ("以上", Operator::AtLeast),
    ("及以下", Operator::AtMost),
    ("以下", Operator::AtMost),
    ("以内", Operator::AtMost),
];

/// Words that make a value a deadline (时限).
const DEADLINE_EXACT: &[&str] = &["按时", "按期", "如期", "准时", "年底前", "年内", "年底"];

/// What a printed value means.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MeasureKind {
    /// Nothing printed.
    Empty,
    /// A number with an operator and an optional unit (`%` for every percent spelling).
    Quantity {
        op: Operator,
        number: Decimal,
        unit: Option<CompactString>,
    },
    /// A range (`90%-100%`, `90%~100%`).
    Range {
        low: Decimal,
        high: Decimal,
        unit: Option<CompactString>,
    },
    /// A deadline (`12月底前`, `2023年12月31日前`, `年底前`, `按时`), compacted text.
    Deadline { text: CompactString },
    /// Qualitative text (及时, 有效, 合规 …), compacted.
    Text { text: CompactString },
}

/// A parsed target or actual, with the text exactly as printed.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measure {
    /// Inline when short (most targets and actuals are): parsing allocates nothing for them,
    /// and the scorecard's derivation inputs copy it without allocating either.
    pub printed: CompactString,
    pub kind: MeasureKind,
}

impl Clone for MeasureKind {
    fn clone(&self) -> Self {
        match self {
            MeasureKind::Empty => MeasureKind::Empty,
            MeasureKind::Quantity { op, number, unit } => MeasureKind::Quantity {
                op: *op,
                number: *number,
                unit: unit.clone(),
            },
            MeasureKind::Range { low, high, unit } => MeasureKind::Range {
                low: *low,
                high: *high,
                unit: unit.clone(),
            },
            MeasureKind::Deadline { text } => MeasureKind::Deadline { text: text.clone() },
            MeasureKind::Text { text } => MeasureKind::Text { text: text.clone() },
        }
    }
    /// Field by field into `self`: made the source's variant first (with empty texts, when
    /// it is another: the placeholder `Empty` a score is parsed into), then each field copied
    /// in its place. A clone built aside and moved in goes through a temporary whose
    /// overlapping copies (the `CompactString` niche sits in its last byte) the processor
    /// cannot forward from the stores that wrote them.
    #[inline]
    fn clone_from(&mut self, source: &Self) {
        const NO_TEXT: CompactString = CompactString::const_new("");
        match source {
            MeasureKind::Empty => *self = MeasureKind::Empty,
            MeasureKind::Quantity { op, number, unit } => {
                if !matches!(self, MeasureKind::Quantity { .. }) {
                    *self = MeasureKind::Quantity {
                        op: *op,
                        number: *number,
                        unit: None,
                    };
                }
                if let MeasureKind::Quantity {
                    op: o,
                    number: n,
                    unit: u,
                } = self
                {
                    *o = *op;
                    *n = *number;
                    unit_from(u, unit);
                }
            }
            MeasureKind::Range { low, high, unit } => {
                if !matches!(self, MeasureKind::Range { .. }) {
                    *self = MeasureKind::Range {
                        low: *low,
                        high: *high,
                        unit: None,
                    };
                }
                if let MeasureKind::Range {
                    low: l,
                    high: h,
                    unit: u,
                } = self
                {
                    *l = *low;
                    *h = *high;
                    unit_from(u, unit);
                }
            }
            MeasureKind::Deadline { text } => {
                if !matches!(self, MeasureKind::Deadline { .. }) {
                    *self = MeasureKind::Deadline { text: NO_TEXT };
                }
                if let MeasureKind::Deadline { text: t } = self {
                    t.clone_from(text);
                }
            }
            MeasureKind::Text { text } => {
                if !matches!(self, MeasureKind::Text { .. }) {
                    *self = MeasureKind::Text { text: NO_TEXT };
                }
                if let MeasureKind::Text { text: t } = self {
                    t.clone_from(text);
                }
            }
        }
    }
}

/// `*dst = src.clone()` in place: an inline unit is copied straight into `dst`.
#[inline]
fn unit_from(dst: &mut Option<CompactString>, src: &Option<CompactString>) {
    match src {
        None => *dst = None,
        Some(s) => dst
            .get_or_insert(CompactString::const_new(""))
            .clone_from(s),
    }
}

impl Clone for Measure {
    fn clone(&self) -> Self {
        Measure {
            printed: self.printed.clone(),
            kind: self.kind.clone(),
        }
    }
    /// Field by field: a clone moved in whole goes through temporaries whose copies (at the
    /// odd offsets of the `CompactString` niches) the processor cannot forward from the
    /// stores that wrote them.
    #[inline]
    fn clone_from(&mut self, source: &Self) {
        self.printed.clone_from(&source.printed);
        self.kind.clone_from(&source.kind);
    }
}

impl Measure {
    /// Nothing printed: what `parse("")` gives, as a constant (a placeholder to parse into).
    pub const EMPTY: Measure = Measure {
        printed: CompactString::const_new(""),
        kind: MeasureKind::Empty,
    };
    /// Parse a printed value. Never fails: what is not understood is `Text`.
    pub fn parse(printed: &str) -> Measure {
        parse_memo(printed)
    }
    /// `*self = Measure::parse(printed)`, written in place: a parse the memo holds is copied
    /// once, from the memo into `self`, not returned through temporaries (each a copy of 80
    /// bytes whose pieces the processor could not forward from their stores: ≈ 3 % of the
    /// run's time went to the clone and its moves).
    pub fn parse_into(&mut self, printed: &str) {
        parse_memo_into(self, printed);
    }
    /// Parse an optional cell (`None` → `Empty`).
    pub fn parse_opt(printed: Option<&str>) -> Measure {
        Measure::parse(printed.unwrap_or(""))
    }
    /// A canonical spelling such that `parse(canonical(m)).kind == m.kind`.
    pub fn canonical(&self) -> String {
        self.canonical_compact().into_string()
    }
    /// [`Measure::canonical`] as a `CompactString`: inline (no allocation) when short, as
    /// nearly all are; review messages print it for many findings.
    pub fn canonical_compact(&self) -> CompactString {
        match &self.kind {
            MeasureKind::Quantity { op, number, unit } => {
                quantity_text(*op, *number, unit.as_deref().unwrap_or(""), &self.printed)
                    .unwrap_or_else(|| self.canonical_general())
            }
            _ => self.canonical_general(),
        }
    }
    /// [`Measure::canonical_compact`] by the general `concat` of its pieces.
    fn canonical_general(&self) -> CompactString {
        match &self.kind {
            MeasureKind::Empty => CompactString::const_new(""),
            // As `format!` with the numbers' `Display` would write it, without the formatter.
            MeasureKind::Quantity { op, number, unit } => concat(&[
                Text(op.symbol()),
                Num(*number),
                Text(unit.as_deref().unwrap_or("")),
            ]),
            MeasureKind::Range { low, high, unit } => {
                let u = unit.as_deref().unwrap_or("");
                concat(&[Num(*low), Text(u), Text("~"), Num(*high), Text(u)])
            }
            MeasureKind::Deadline { text } | MeasureKind::Text { text } => text.clone(),
        }
    }
    pub fn is_empty(&self) -> bool {
        matches!(self.kind, MeasureKind::Empty)
    }
    /// The number of a quantity (the low end of a range).
    pub fn number(&self) -> Option<Decimal> {
        match &self.kind {
            MeasureKind::Quantity { number, .. } => Some(*number),
            MeasureKind::Range { low, .. } => Some(*low),
            _ => None,
        }
    }
    pub fn unit(&self) -> Option<&str> {
        match &self.kind {
            MeasureKind::Quantity { unit, .. } | MeasureKind::Range { unit, .. } => unit.as_deref(),
            _ => None,
        }
    }
    pub fn is_percent(&self) -> bool {
        self.unit() == Some("%")
    }
    pub fn operator(&self) -> Option<Operator> {
        match &self.kind {
            MeasureKind::Quantity { op, .. } => Some(*op),
            _ => None,
        }
    }
    /// Is it a number (quantity or range)?
    pub fn is_numeric(&self) -> bool {
        matches!(
            self.kind,
            MeasureKind::Quantity { .. } | MeasureKind::Range { .. }
        )
    }
    /// The compacted text of a qualitative or deadline value.
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            MeasureKind::Deadline { text } | MeasureKind::Text { text } => Some(text),
            _ => None,
        }
    }
}

/// `op`, a non-negative whole `number` and `unit` written as `concat` writes them (the number
/// as its `Display`: its digits), without `concat`'s general buffer: most canonical texts a
/// review message prints are counts and percentages (`=4878人次`, `≥95%`). `None` for a
/// number with decimals or a sign, or a text too long to be inline: the caller writes those
/// the general way.
fn quantity_text(
    op: Operator,
    number: Decimal,
    unit: &str,
    printed: &CompactString,
) -> Option<CompactString> {
    if number.scale() != 0 || number.is_sign_negative() {
        return None;
    }
    let mut n = u64::try_from(number.mantissa()).ok()?;
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // The three pieces copied into one inline-sized buffer, checked as UTF-8 once (digits
    // are ASCII, the symbol and unit whole `&str`s: it always is) and made a `CompactString`
    // in one step: pushing piece by piece cost more than the general path saved.
    let mut text = [0u8; 24];
    let mut len = 0;
    for piece in [op.symbol().as_bytes(), &digits[at..], unit.as_bytes()] {
        text.get_mut(len..len + piece.len())?.copy_from_slice(piece);
        len += piece.len();
    }
    // Most quantities were printed as their canonical text (`=4878人次`, `≥95%`): then it is
    // the printed text, copied without the UTF-8 check (≈ 100 instructions on these
    // multi-byte texts).
    if same_short_text(printed.as_bytes(), &text[..len]) {
        return Some(printed.clone());
    }
    std::str::from_utf8(&text[..len])
        .ok()
        .map(CompactString::new)
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// The character `normalise` writes for `c`: `None` to drop it (white space).
#[inline]
fn normal_char(c: char) -> Option<char> {
    if c.is_ascii() {
        return (!c.is_ascii_whitespace() && c != '\x0B').then_some(c);
    }
    Some(match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' => '.',
        '，' => ',',
        '％' => '%',
        '－' | '—' | '–' => '-',
        '～' | '〜' => '~',
        c if c.is_whitespace() => return None,
        c => c,
    })
}

/// Full-width digits and signs to ASCII; white space removed. Borrowed when nothing changes
/// (the common case), else one pass and one allocation.
fn normalise(printed: &str) -> Cow<'_, str> {
    if !may_change(printed) || printed.chars().all(|c| normal_char(c) == Some(c)) {
        return Cow::Borrowed(printed);
    }
    Cow::Owned(printed.chars().filter_map(normal_char).collect())
}

/// Whether [`normalise`] may change `text`, from its bytes: false when it holds no ASCII
/// white space and none of the byte pairs that start a character [`normal_char`] maps or drops
/// (`C2`: U+0085, U+00A0; `E1 9A`: U+1680; `E2 80`/`E2 81`: dashes and U+2000–U+205F spaces;
/// `E3 80`: U+3000, 〜; `EF BC`/`EF BD`: full-width digits and signs). Values are checked
/// for every indicator; `≥` (`E2 89`) and CJK text pass without decoding characters.
fn may_change(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        MAY_CHANGE_FIRST[usize::from(b)] && {
            let next = bytes.get(i + 1).copied().unwrap_or(0);
            match b {
                0xE1 => next == 0x9A,
                0xE2 => matches!(next, 0x80 | 0x81),
                0xE3 => next == 0x80,
                0xEF => matches!(next, 0xBC | 0xBD),
                _ => true,
            }
        }
    })
}

/// The bytes [`may_change`] looks closer at: ASCII white space and the lead bytes above.
const MAY_CHANGE_FIRST: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = [
        b'\t', b'\n', 0x0B, 0x0C, b'\r', b' ', 0xC2, 0xE1, 0xE2, 0xE3, 0xEF,
    ];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// Values longer than this are parsed every time: a short one's parse is kept inline (the
/// normalised text, its unit or words, is never longer than the printed text).
const MEMO_MAX_LEN: usize = 24;
/// Slots of the memo: a power of two.
const MEMO_SLOTS: usize = 512;

thread_local! {
    /// The parses of recent short values on this thread, direct-mapped by a hash of the text.
    /// Forms print the same few values again and again (`及时`, `有效`, `>=95%`, `12月底前`,
    /// `100%`: on the benchmark corpus 64 texts are four in five of all values), and a parse
    /// costs ≈ 500 instructions where a hit costs a hash, a comparison and a copy. Bounded: one
    /// measure a slot, every string in it inline.
    static MEMO: RefCell<[Option<Measure>; MEMO_SLOTS]> =
        const { RefCell::new([const { None }; MEMO_SLOTS]) };
}

/// `Measure { printed, kind: parse_kind(printed) }`, from this thread's memo when `printed` was
/// parsed recently. The memo is a cache of a pure function: a miss (or a memo that cannot be
/// used) parses.
fn parse_memo(printed: &str) -> Measure {
    let parse = || Measure {
        printed: CompactString::new(printed),
        kind: parse_kind(printed),
    };
    if printed.is_empty() || printed.len() > MEMO_MAX_LEN {
        return parse();
    }
    let slot = memo_slot(printed.as_bytes());
    MEMO.try_with(|memo| {
        let Ok(mut memo) = memo.try_borrow_mut() else {
            return parse();
        };
        let Some(entry) = memo.get_mut(slot) else {
            return parse();
        };
        match entry {
            Some(m) if same_short_text(m.printed.as_bytes(), printed.as_bytes()) => m.clone(),
            _ => {
                let m = parse();
                *entry = Some(m.clone());
                m
            }
        }
    })
    .unwrap_or_else(|_| parse())
}

/// [`parse_memo`] into `dst`: a hit is cloned field by field straight from the memo's slot.
fn parse_memo_into(dst: &mut Measure, printed: &str) {
    let parse = || Measure {
        printed: CompactString::new(printed),
        kind: parse_kind(printed),
    };
    if printed.is_empty() || printed.len() > MEMO_MAX_LEN {
        *dst = parse();
        return;
    }
    let slot = memo_slot(printed.as_bytes());
    let done = MEMO
        .try_with(|memo| {
            let Ok(mut memo) = memo.try_borrow_mut() else {
                return false;
            };
            let Some(entry) = memo.get_mut(slot) else {
                return false;
            };
            match entry {
                Some(m) if same_short_text(m.printed.as_bytes(), printed.as_bytes()) => {
                    dst.clone_from(m);
                }
                _ => {
                    let m = parse();
                    dst.clone_from(&m);
                    *entry = Some(m);
                }
            }
            true
        })
        .unwrap_or(false);
    if !done {
        *dst = parse();
    }
}

/// `a == b` for texts of at most [`MEMO_MAX_LEN`] bytes by a few word loads, not `memcmp` (a
/// call and its loop cost ≈ 30 instructions on each of the memo's 25 k hits): the first and
/// last eight bytes and the eight between them (four and four below eight bytes, the bytes
/// themselves below four). Longer texts are compared the general way.
#[inline]
fn same_short_text(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n > 24 {
        return a == b;
    }
    let word8 = |t: &[u8], i: usize| {
        t.get(i..i + 8)
            .and_then(|w| w.first_chunk::<8>())
            .map(|w| u64::from_le_bytes(*w))
    };
    if n >= 8 {
        // Head and tail cover 16 bytes; a middle word covers the rest up to 24.
        let middle = n.saturating_sub(16).min(8);
        return word8(a, 0) == word8(b, 0)
            && word8(a, n - 8) == word8(b, n - 8)
            && word8(a, middle) == word8(b, middle);
    }
    match (
        a.first_chunk::<4>(),
        a.last_chunk::<4>(),
        b.first_chunk::<4>(),
        b.last_chunk::<4>(),
    ) {
        (Some(ah), Some(at), Some(bh), Some(bt)) => ah == bh && at == bt,
        _ => a == b,
    }
}

/// The memo slot of a text of 1–24 bytes: a multiplicative hash of its length and of its first
/// and last eight bytes (four when shorter than eight, the bytes themselves when shorter than
/// four; the two words overlap on short texts). A collision only costs a parse.
fn memo_slot(bytes: &[u8]) -> usize {
    let n = bytes.len();
    let (head, tail) = match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        (Some(h), Some(t)) => (u64::from_le_bytes(*h), u64::from_le_bytes(*t)),
        _ => match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
            (Some(h), Some(t)) => (
                u64::from(u32::from_le_bytes(*h)),
                u64::from(u32::from_le_bytes(*t)),
            ),
            _ => (
                bytes.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b)),
                0,
            ),
        },
    };
    let h = (head ^ tail.rotate_left(31) ^ n as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(17)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (h >> 32) as usize & (MEMO_SLOTS - 1)
}

fn parse_kind(printed: &str) -> MeasureKind {
    if let Some(kind) = plain_quantity(printed) {
        return kind;
    }
    parse_kind_general(printed)
}

/// The commonest value the memo misses, an actual count (`=4878人次`, `4954人次`, `>=12.5万元`):
/// an ASCII operator (`=`, `>=`, `<=`, `>`, `<`) or none, ASCII digits with at most one
/// decimal point, then nothing or a unit of CJK characters (lead bytes `E4`–`E9`) — read in one
/// pass, as [`parse_kind_general`] would read it. `None` for anything else (the general parse
/// decides): a unit holding a character that could make the value something other than a
/// quantity with that unit (至 到: a range; 以: an operator word; 百: `百分比`/`百分点`;
/// 月 日 前 底: a deadline) is left to it too. Such a text has nothing [`normalise`] changes
/// (no white space, no full-width form), no `%`, and no operator word at its end.
fn plain_quantity(printed: &str) -> Option<MeasureKind> {
    let b = printed.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let (op, start) = match b.first()? {
        b'0'..=b'9' => (Operator::NoOperator, 0),
        b'=' if digit(1) => (Operator::Exact, 1),
        b'>' if digit(1) => (Operator::Greater, 1),
        b'<' if digit(1) => (Operator::Less, 1),
        b'>' if b.get(1) == Some(&b'=') && digit(2) => (Operator::AtLeast, 2),
        b'<' if b.get(1) == Some(&b'=') && digit(2) => (Operator::AtMost, 2),
        _ => return None,
    };
    let (mut mantissa, mut scale, mut digits, mut seen_dot) = (0i64, 0u32, 0usize, false);
    let mut end = start;
    while let Some(&c) = b.get(end) {
        if c.is_ascii_digit() {
            // Counted before the multiply: 18 digits always fit an `i64`, a 19th may not (and
            // an overflow panics in a debug build).
            digits += 1;
            if digits > 18 {
                return None;
            }
            mantissa = mantissa * 10 + i64::from(c - b'0');
            scale += u32::from(seen_dot);
        } else if c == b'.' && !seen_dot && digit(end + 1) {
            seen_dot = true;
        } else {
            break;
        }
        end += 1;
    }
    let unit = printed.get(end..)?;
    // Three-byte CJK characters only, none of the ones named above.
    let mut i = 0;
    let ub = unit.as_bytes();
    while let Some(&lead) = ub.get(i) {
        let c = ub.get(i..i + 3)?;
        if !(0xE4..=0xE9).contains(&lead) || LEFT_TO_GENERAL.iter().any(|w| c == w) {
            return None;
        }
        i += 3;
    }
    let unit = (!unit.is_empty()).then(|| CompactString::new(unit));
    Some(MeasureKind::Quantity {
        op,
        number: Decimal::new(mantissa, scale),
        unit,
    })
}

/// The unit characters [`plain_quantity`] leaves to the general parse.
const LEFT_TO_GENERAL: [[u8; 3]; 8] = [
    three_bytes("至"),
    three_bytes("到"),
    three_bytes("以"),
    three_bytes("百"),
    three_bytes("月"),
    three_bytes("日"),
    three_bytes("前"),
    three_bytes("底"),
];

/// The general parse: normalised, then deadline, number or text.
fn parse_kind_general(printed: &str) -> MeasureKind {
    let t = normalise(printed);
    if t.is_empty() {
        return MeasureKind::Empty;
    }
    if is_deadline(&t) {
        return MeasureKind::Deadline {
            text: CompactString::new(&t),
        };
    }
    parse_numeric(&t).unwrap_or_else(|| MeasureKind::Text {
        text: CompactString::new(&t),
    })
}

fn is_deadline(t: &str) -> bool {
    if DEADLINE_EXACT.contains(&t) {
        return true;
    }
    // `12月底前`, `2023年12月31日前`, `6月30日之前`, `年底前完成`: a date word (月, 日, 年底)
    // then 前 or 底 (之前 contains 前), and no percent. One pass over the bytes: the four
    // words start with `E5` or `E6`, and a 底 right after 年 is 年底.
    const MONTH: [u8; 3] = three_bytes("月");
    const DAY: [u8; 3] = three_bytes("日");
    const BEFORE: [u8; 3] = three_bytes("前");
    const BOTTOM: [u8; 3] = three_bytes("底");
    const YEAR: [u8; 3] = three_bytes("年");
    // Three bytes as one array: compared as numbers, not as slices.
    let char_at = |i: usize| -> [u8; 3] {
        t.as_bytes()
            .get(i..i + 3)
            .and_then(|c| <[u8; 3]>::try_from(c).ok())
            .unwrap_or_default()
    };
    let (mut date_word, mut before, mut percent) = (false, false, false);
    for (i, &b) in t.as_bytes().iter().enumerate() {
        match b {
            b'%' => percent = true,
            0xE5 | 0xE6 => {
                let c = char_at(i);
                if c == MONTH || c == DAY {
                    date_word = true;
                } else if c == BEFORE {
                    before = true;
                } else if c == BOTTOM {
                    before = true;
                    date_word |= i >= 3 && char_at(i - 3) == YEAR;
                }
            }
            _ => {}
        }
    }
    date_word && before && !percent
}

/// The UTF-8 bytes of a three-byte character.
const fn three_bytes(c: &str) -> [u8; 3] {
    let b = c.as_bytes();
    [b[0], b[1], b[2]]
}

/// For each first byte, the set of [`PREFIX_OPERATORS`] (as bits, in table order) that
/// start with it: most values start with a digit, which no operator does.
const PREFIX_BY_FIRST_BYTE: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < PREFIX_OPERATORS.len() {
        let first = PREFIX_OPERATORS[i].0.as_bytes()[0];
        table[first as usize] |= 1 << i;
        i += 1;
    }
    table
};

fn parse_numeric(t: &str) -> Option<MeasureKind> {
    let (mut op, mut rest) = (Operator::NoOperator, t);
    // Only spellings that start with the text's first byte can match, tried in table order.
    let mut candidates = t
        .as_bytes()
        .first()
        .map_or(0, |&b| PREFIX_BY_FIRST_BYTE[b as usize]);
    while candidates != 0 {
        let i = candidates.trailing_zeros() as usize;
        candidates &= candidates - 1;
        let (spelling, o) = PREFIX_OPERATORS[i];
        if let Some(r) = t.strip_prefix(spelling) {
            op = o;
            rest = r;
            break;
        }
    }
    // Every trailing operator word ends in 上, 下 or 内.
    let may_end_in_word = |s: &str| s.ends_with(['上', '下', '内']);
    if may_end_in_word(rest) {
        for (spelling, o) in SUFFIX_OPERATORS {
            if let Some(r) = rest.strip_suffix(spelling) {
                if op == Operator::NoOperator {
                    op = *o;
                }
                rest = r;
                break;
            }
        }
        // A second operator word left over (`0以上以上`) is not a unit: not a quantity.
        if may_end_in_word(rest) && SUFFIX_OPERATORS.iter().any(|(w, _)| rest.ends_with(w)) {
            return None;
        }
    }
    let (low, after) = take_number(rest)?;
    let (unit1, after) = take_unit(after);
    if after.is_empty() {
        return Some(MeasureKind::Quantity {
            op,
            number: low,
            unit: unit1,
        });
    }
    // A range: `90%-100%`, `90~100%`, `3至5次`. No operator allowed before a range.
    if op != Operator::NoOperator {
        return None;
    }
    let after = ["-", "~", "至", "到"]
        .iter()
        .find_map(|sep| after.strip_prefix(sep))?;
    let (high, tail) = take_number(after)?;
    let (unit2, tail) = take_unit(tail);
    if !tail.is_empty() {
        return None;
    }
    let unit = match (unit1, unit2) {
        (None, u) | (u, None) => u,
        (Some(a), Some(b)) if a == b => Some(a),
        _ => return None,
    };
    if low > high {
        return None;
    }
    Some(MeasureKind::Range { low, high, unit })
}

/// A number with thousands separators (`215,457.6`) and an optional sign.
fn take_number(s: &str) -> Option<(Decimal, &str)> {
    let bytes = s.as_bytes();
    let mut end = 0;
    let sign = bytes.first().copied().filter(|&b| b == b'-' || b == b'+');
    if sign.is_some() {
        end = 1;
    }
    let digits_start = end;
    let mut seen_dot = false;
    // The value summed while scanning, for the common plain case (see below).
    let (mut mantissa, mut scale, mut digits, mut separated) = (0i64, 0u32, 0usize, false);
    while end < bytes.len() {
        let b = bytes[end];
        if b.is_ascii_digit() {
            if digits < 18 {
                mantissa = mantissa * 10 + i64::from(b - b'0');
                scale += u32::from(seen_dot);
            }
            digits += 1;
            end += 1;
        } else if b == b',' && end > digits_start && next_is_digit(bytes, end) && !seen_dot {
            separated = true;
            end += 1;
        } else if b == b'.' && !seen_dot && end > digits_start && next_is_digit(bytes, end) {
            seen_dot = true;
            end += 1;
        } else {
            break;
        }
    }
    if end == digits_start {
        return None;
    }
    // No `+`, no separators, at most 18 digits: what `Decimal::from_str` gives is this
    // mantissa and scale (`-0` is a positive zero), without its general parser.
    if sign != Some(b'+') && !separated && digits <= 18 {
        let signed = if sign == Some(b'-') {
            -mantissa
        } else {
            mantissa
        };
        return Some((Decimal::new(signed, scale), &s[end..]));
    }
    let digits = &s[..end];
    let n = if digits.bytes().any(|b| b == b',' || b == b'+') {
        let text: String = digits.chars().filter(|c| *c != ',' && *c != '+').collect();
        Decimal::from_str(&text).ok()?
    } else {
        Decimal::from_str(digits).ok()?
    };
    Some((n, &s[end..]))
}

fn next_is_digit(bytes: &[u8], i: usize) -> bool {
    bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit())
}

/// A unit: `%`/`百分比` → `%`, else any run of characters without digits or range marks.
fn take_unit(s: &str) -> (Option<CompactString>, &str) {
    for spelling in ["%", "百分比", "百分点"] {
        if let Some(r) = s.strip_prefix(spelling) {
            // 百分点 is a difference of percents; keep it as its own unit.
            let unit = if spelling == "百分点" {
                "百分点"
            } else {
                "%"
            };
            return (Some(CompactString::const_new(unit)), r);
        }
    }
    let end = s
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || matches!(c, '-' | '~' | '至' | '到' | '%' | '.' | ','))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let unit = &s[..end];
    // An operator word (`以上`, `以内` …) is never a unit: leave it for the caller to reject.
    // Every operator word holds 以: one search rejects most units.
    let operator_word =
        contains_str(unit, "以") && SUFFIX_OPERATORS.iter().any(|(w, _)| contains_str(unit, w));
    if end == 0 || operator_word {
        (None, s)
    } else {
        (Some(CompactString::new(unit)), &s[end..])
    }
}

/// Parse a printed rate (`100.00%`, `86.19%`, `0`, `1`) as a fraction, keeping the number of
/// decimals printed in percent. A bare number ≤ 1 with decimals (`0.8619`) is read as a
/// fraction; other bare numbers as percent.
pub fn parse_printed_rate(printed: &str) -> Option<PrintedDecimal> {
    let t = normalise(printed);
    let (n, rest) = take_number(&t)?;
    let percent = match rest {
        "%" | "百分比" => true,
        "" => !(n.scale() > 0 && n <= Decimal::ONE),
        _ => return None,
    };
    if percent {
        Some(PrintedDecimal::new(n / Decimal::ONE_HUNDRED, n.scale()))
    } else {
        Some(PrintedDecimal::new(n, n.scale().saturating_sub(2)))
    }
}

/// Parse a printed plain number (`8.62`, `215,457.6`) keeping its printed decimals.
pub fn parse_printed_number(printed: &str) -> Option<PrintedDecimal> {
    let t = normalise(printed);
    let (n, rest) = take_number(&t)?;
    if !rest.is_empty() {
        return None;
    }
    Some(PrintedDecimal::new(n, n.scale()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses through the memo are the parses: texts of every length around the memo's limit,
    /// in an order that makes them meet again, collide and evict one another.
    /// The word-wise comparison is `==` for texts of every length up to the memo's limit and
    /// past it, differing at every byte (or in length).
    #[test]
    fn same_short_text_is_equality() {
        let base: Vec<u8> = (0..40u8)
            .map(|i| i.wrapping_mul(37).wrapping_add(11))
            .collect();
        for n in 0..=32 {
            for m in 0..=32 {
                let (a, b) = (&base[..n], &base[..m]);
                assert_eq!(same_short_text(a, b), a == b, "{n} {m}");
            }
            for i in 0..n {
                let mut c = base[..n].to_vec();
                c[i] ^= 0x40;
                assert!(!same_short_text(&base[..n], &c), "{n} at {i}");
                assert!(same_short_text(&c, &c.clone()));
            }
        }
    }

    #[test]
    fn memo_gives_the_parse() {
        let pieces = [
            "",
            " ",
            ">=",
            "≥",
            "＝",
            "<=",
            "不少于",
            "9",
            "95",
            "100",
            ".5",
            "%",
            "％",
            "人次",
            "元",
            "以上",
            "-",
            "~",
            "12月底前",
            "及时",
            "有效",
            "基本",
            "１０",
            "\u{3000}",
            "x",
        ];
        let mut texts = Vec::new();
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    texts.push(format!("{a}{b}{c}"));
                }
            }
        }
        texts.push("很长的定性说明文字超过二十四个字节".into());
        for round in 0..3 {
            for (i, t) in texts.iter().enumerate() {
                let t = if round == 1 {
                    &texts[texts.len() - 1 - i]
                } else {
                    t
                };
                assert_eq!(Measure::parse(t).kind, parse_kind(t), "{t:?}");
                assert_eq!(Measure::parse(t).printed, t.as_str());
            }
        }
        // Parsed into one measure after another (every variant into every other, through the
        // memo's hits and misses and the long text past it): the same as the parse.
        let mut into = Measure::EMPTY;
        assert_eq!(into, Measure::parse(""));
        for round in 0..3 {
            for i in 0..texts.len() {
                let t = &texts[(i * 7 + round * 13) % texts.len()];
                into.parse_into(t);
                assert_eq!(into, Measure::parse(t), "{t:?}");
                assert_eq!(into.kind, parse_kind(t), "{t:?}");
                let mut fresh = Measure::EMPTY;
                fresh.clone_from(&into);
                assert_eq!(fresh, into);
            }
        }
        for t in &texts {
            assert!(memo_slot(t.as_bytes()) < MEMO_SLOTS);
        }
    }

    /// The one-pass read of plain quantities gives the general parse's kind, over values
    /// built from operators, digits, points, separators and units with the characters that
    /// make a value something else; and it reads the common shapes.
    #[test]
    fn plain_quantity_is_the_general_parse() {
        let heads = [
            "",
            "=",
            ">=",
            "<=",
            ">",
            "<",
            "==",
            "=>",
            "≥",
            "＝",
            "-",
            "+",
            " ",
            "不少于",
            "x",
        ];
        let numbers = [
            "",
            "0",
            "7",
            "95",
            "4878",
            "12.5",
            "0.05",
            "1.",
            ".5",
            "1,000",
            "1.2.3",
            "00",
            "999999999999999999",
            "9999999999999999999",
            "１０",
            "100.00",
        ];
        let units = [
            "",
            "人次",
            "人",
            "万元",
            "次",
            "%",
            "％",
            "百分比",
            "百分点",
            "以上",
            "以内",
            "及以上",
            "至",
            "到",
            "月底前",
            "日前",
            "年底",
            "个月",
            "天",
            "项",
            "人次以上",
            " 人",
            "人 ",
            "\u{3000}",
            "km",
            "-5",
            "~9",
            "至9人",
            "上",
            "下",
            "内",
            "—",
            "〜",
            "é",
            "人1",
            "按时",
            "元/人",
        ];
        let mut read = 0;
        for h in heads {
            for n in numbers {
                for u in units {
                    for tail in ["", "人", "5"] {
                        let t = format!("{h}{n}{u}{tail}");
                        if let Some(kind) = plain_quantity(&t) {
                            read += 1;
                            assert_eq!(kind, parse_kind_general(&t), "{t:?}");
                        }
                        assert_eq!(parse_kind(&t), parse_kind_general(&t), "{t:?}");
                    }
                }
            }
        }
        assert!(read > 500, "{read}");
        for t in ["=4878人次", "4954人次", ">=12.5万元", "<3天", "95"] {
            assert!(plain_quantity(t).is_some(), "{t}");
        }
        // Every CJK character of the units above, in every position.
        let mut step = crate::lcg(5);
        for _ in 0..20_000 {
            let seed = step();
            let c = char::from_u32(0x4E00 + (seed >> 40) as u32 % 0x5200).unwrap_or('人');
            let n = (seed >> 20) % 100_000;
            let t = format!(
                "{}{n}{c}{}",
                heads[(seed % 6) as usize],
                if seed & 1 == 0 { "次" } else { "" }
            );
            assert_eq!(parse_kind(&t), parse_kind_general(&t), "{t:?}");
        }
    }

    /// The canonical text of a quantity written directly is the general one, for every
    /// operator, numbers of every size, scale and sign, and units of every length.
    #[test]
    fn quantity_text_is_the_general_canonical() {
        let ops = [
            Operator::AtLeast,
            Operator::Greater,
            Operator::AtMost,
            Operator::Less,
            Operator::Exact,
            Operator::NoOperator,
        ];
        let units = [
            "",
            "%",
            "人次",
            "百分点",
            "万元",
            "个很长的单位名称",
            "abcdefghijklmnopqrstu",
        ];
        let mut step = crate::lcg(3);
        let mut fast = 0;
        for k in 0..20_000 {
            let seed = step();
            let mantissa = match k % 4 {
                0 => (seed >> 60) as i64,
                1 => (seed >> 40) as i64,
                2 => (seed >> 1) as i64,
                _ => -((seed >> 44) as i64),
            };
            let scale = if k % 3 == 0 {
                (seed >> 8) as u32 % 6
            } else {
                0
            };
            let number = Decimal::new(mantissa, scale);
            let (op, unit) = (
                ops[k % ops.len()],
                units[(seed >> 20) as usize % units.len()],
            );
            // Printed as something else, or as the canonical text itself (then copied).
            let printed = match k % 3 {
                0 => CompactString::new("x"),
                1 => CompactString::new(format!("{}{}{}", op.symbol(), number, unit)),
                _ => CompactString::new(format!("{}{}{}x", op.symbol(), number, unit)),
            };
            let m = Measure {
                printed: printed.clone(),
                kind: MeasureKind::Quantity {
                    op,
                    number,
                    unit: (!unit.is_empty()).then(|| CompactString::new(unit)),
                },
            };
            fast += usize::from(quantity_text(op, number, unit, &printed).is_some());
            assert_eq!(m.canonical_compact(), m.canonical_general(), "{m:?}");
            assert_eq!(
                m.canonical_compact(),
                format!("{}{}{}", op.symbol(), number, unit),
                "{m:?}"
            );
        }
        assert!(fast > 5_000, "{fast}");
        let zero = Measure::parse("-0人");
        assert_eq!(zero.canonical_compact(), zero.canonical_general());
    }

    /// The byte scan of `is_deadline` against the character scan it replaced.
    #[test]
    fn deadline_scan_is_the_character_scan() {
        fn by_chars(t: &str) -> bool {
            if DEADLINE_EXACT.contains(&t) {
                return true;
            }
            let (mut date_word, mut before, mut percent) = (false, false, false);
            let mut previous = '\0';
            for c in t.chars() {
                match c {
                    '月' | '日' => date_word = true,
                    '前' => before = true,
                    '底' => {
                        before = true;
                        date_word |= previous == '年';
                    }
                    '%' => percent = true,
                    _ => {}
                }
                previous = c;
            }
            date_word && before && !percent
        }
        let words = [
            "月", "日", "前", "底", "年", "%", "12", "之", "按时", "庭", "府",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let mut longer = Vec::new();
            for t in &texts {
                for w in words {
                    longer.push(format!("{t}{w}"));
                }
            }
            texts = longer;
            for t in &texts {
                assert_eq!(is_deadline(t), by_chars(t), "{t}");
            }
        }
    }

    /// The byte test never misses a character the normaliser changes.
    #[test]
    fn may_change_never_misses_a_change() {
        let chars = (0u32..0x3100)
            .chain(0xFE00..0x10000)
            .filter_map(char::from_u32);
        for c in chars {
            for text in [format!("{c}"), format!("≥9{c}5%"), format!("达成{c}")] {
                let changes = text.chars().any(|c| normal_char(c) != Some(c));
                assert!(!changes || may_change(&text), "{c:?}");
            }
        }
        assert!(!may_change("≥95%以上达成"));
    }

    /// The number scanner against its general path (`Decimal::from_str` on the scanned
    /// text): value, scale, sign and the rest.
    #[test]
    fn take_number_is_from_str() {
        fn general(s: &str) -> Option<(Decimal, &str)> {
            let bytes = s.as_bytes();
            let mut end = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
            let digits_start = end;
            let mut seen_dot = false;
            while end < bytes.len() {
                let b = bytes[end];
                let separator =
                    b == b',' && end > digits_start && next_is_digit(bytes, end) && !seen_dot;
                if b.is_ascii_digit() || separator {
                    end += 1;
                } else if b == b'.' && !seen_dot && end > digits_start && next_is_digit(bytes, end)
                {
                    seen_dot = true;
                    end += 1;
                } else {
                    break;
                }
            }
            if end == digits_start {
                return None;
            }
            let text: String = s[..end]
                .chars()
                .filter(|c| *c != ',' && *c != '+')
                .collect();
            Some((Decimal::from_str(&text).ok()?, &s[end..]))
        }
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.00",
            "7",
            "95",
            "100.00",
            "0.05",
            "-12.5",
            "007",
            "1.",
            ".5",
            "1.2.3",
            "-",
            "",
            "+5",
            "+0.50",
            "1,000",
            "215,457.6",
            "1,2",
            ",5",
            "12a",
            "5%",
            "999999999999999999",
            "9999999999999999999",
            "99999999999999999.9",
            "-999999999999999999",
            "0.000000000000000001",
            "1234567890123456789012345678",
            "12345678901234567890123456789012",
            "3至5次",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..5000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let digits = (x >> 59) as usize + 1;
            let mut t: String = (0..digits)
                .map(|i| char::from(b'0' + ((x >> (i * 2)) % 10) as u8))
                .collect();
            if x & 1 == 1 {
                let at = ((x >> 20) as usize) % (t.len() + 1);
                t.insert(at, '.');
            }
            if x & 4 == 4 {
                let at = ((x >> 24) as usize) % (t.len() + 1);
                t.insert(at, ',');
            }
            match x & 0x18 {
                0x08 => t.insert(0, '-'),
                0x10 => t.insert(0, '+'),
                _ => {}
            }
            texts.push(t);
        }
        for t in &texts {
            let fast = take_number(t).map(|(n, rest)| (n, n.scale(), n.is_sign_negative(), rest));
            let slow = general(t).map(|(n, rest)| (n, n.scale(), n.is_sign_negative(), rest));
            assert_eq!(fast, slow, "{t}");
        }
    }

    /// The one-pass normaliser against its definition: drop white space, map the rest.
    #[test]
    fn normal_char_is_whitespace_removal_then_mapping() {
        let reference = |c: char| -> Option<char> {
            if c.is_whitespace() {
                return None;
            }
            Some(match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap(),
                '．' => '.',
                '，' => ',',
                '％' => '%',
                '－' | '—' | '–' => '-',
                '～' | '〜' => '~',
                _ => c,
            })
        };
        let chars = (0u32..0x3100)
            .chain(0xFE00..0x10000)
            .filter_map(char::from_u32);
        for c in chars {
            assert_eq!(normal_char(c), reference(c), "{c:?}");
        }
        assert!(matches!(normalise("≥95%"), Cow::Borrowed(_)));
        assert!(PREFIX_OPERATORS.len() <= 64);
        assert_eq!(normalise(" ≥ ９５ ％\u{3000}"), "≥95%");
    }
}
