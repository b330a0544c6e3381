//! Decimals written as text quickly: the same characters as `Decimal`'s `Display` (plain
//! digits, no exponent, trailing zeros of the scale kept, `-0` for a negative zero), without
//! going through its formatter. Every derivation and message prints numbers; this keeps that
//! cheap.

use compact_str::CompactString;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;

/// Room for any decimal: 29 digits, a sign, a point and leading zeros of a 28-digit scale.
pub const DECIMAL_BUF: usize = 48;

/// Two decimal digits for each value below 100.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The digits of `n` ending at `pos` in `out`, two at a time; returns where they start.
/// Public for the JSON writer, which stores an integer's digits straight into its output.
#[inline(always)]
pub fn digits_u64<const N: usize>(mut n: u64, out: &mut [u8; N], mut pos: usize) -> usize {
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        pos -= 2;
        out[pos..pos + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        pos -= 2;
        out[pos..pos + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        pos -= 1;
        out[pos] = b'0' + n as u8;
    }
    pos
}

/// The two digits of `n` (below 100), from the pair table: one lookup where digit by digit
/// takes a division each. Public for the JSON writer's fractions.
#[inline(always)]
pub fn two_digits(n: u32) -> [u8; 2] {
    let at = n as usize * 2;
    [PAIRS[at], PAIRS[at + 1]]
}

/// An unsigned integer's digits, as `Display` writes them.
pub fn u64_str(n: u64, buf: &mut [u8; DECIMAL_BUF]) -> &str {
    std::str::from_utf8(u64_bytes(n, buf)).unwrap_or("0")
}

/// [`u64_str`] as bytes (ASCII digits), for writers of bytes: no UTF-8 validation. The digits
/// are at the start of `buf`, so a writer can give its own output as `buf`.
pub fn u64_bytes(n: u64, buf: &mut [u8; DECIMAL_BUF]) -> &[u8] {
    // The digits end at `SPAN` in `tmp` and are moved as one block of `SPAN` bytes (a fixed
    // size: a few moves, no `memcpy` call); bytes past the digits are scratch.
    let mut tmp = [0u8; DECIMAL_BUF];
    let start = digits_u64(n, &mut tmp, SPAN);
    buf[..SPAN].copy_from_slice(&tmp[start..start + SPAN]);
    &buf[..SPAN - start]
}

/// At least the digits of a `u64` (20), the size of the blocks the fast paths move.
const SPAN: usize = 24;
// The digits end at `SPAN` in a scratch buffer that holds another `SPAN` bytes after them.
const _: () = assert!(DECIMAL_BUF >= 2 * SPAN);

/// `d` as `Display` writes it (`507500.00`, `0.05`, `-0`), in `buf`.
pub fn decimal_str(d: Decimal, buf: &mut [u8; DECIMAL_BUF]) -> &str {
    let len = write_decimal(d, buf).unwrap_or(0);
    std::str::from_utf8(&buf[..len]).unwrap_or("0")
}

/// `d` as `Display` writes it, at the start of `out`, digit by digit in place (no
/// intermediate copies: derivations print several numbers each). Returns the length, or
/// `None` when `out` is too short.
pub fn write_decimal(d: Decimal, out: &mut [u8]) -> Option<usize> {
    let Ok(m) = u64::try_from(d.mantissa().unsigned_abs()) else {
        // Over 19 digits: rare, the general writer.
        let mut buf = [0u8; DECIMAL_BUF];
        let text = decimal_bytes(d, &mut buf);
        out.get_mut(..text.len())?.copy_from_slice(text);
        return Some(text.len());
    };
    let scale = d.scale() as usize;
    let negative = usize::from(d.is_sign_negative());
    if scale == 0 && negative == 0 && m < 100 {
        // A small whole number (most weights and scores): one or two digits, nothing to split.
        return if m < 10 {
            *out.first_mut()? = b'0' + m as u8;
            Some(1)
        } else {
            let pair = m as usize * 2;
            out.get_mut(..2)?.copy_from_slice(&PAIRS[pair..pair + 2]);
            Some(2)
        };
    }
    // The whole part and the fraction, split with one division (a scale over 19 leaves no
    // whole part in a u64 mantissa).
    let (whole, fraction) = match POW10_U64.get(scale) {
        Some(&power) => (m / power, m % power),
        None => (0, m),
    };
    // Display writes `0` for a zero whole part, and exactly `scale` fractional digits
    // (`0`, `0.00`, `0.05`).
    let whole_digits = match whole {
        // Most whole parts (weights, scores, percents) are short: no logarithm for them.
        0..=9 => 1,
        10..=99 => 2,
        _ => whole.ilog10() as usize + 1,
    };
    let len = negative + whole_digits + if scale > 0 { scale + 1 } else { 0 };
    let out = out.get_mut(..len)?;
    if negative == 1 {
        out[0] = b'-';
    }
    let (whole_out, rest) = out[negative..].split_at_mut(whole_digits);
    fill_digits(whole, whole_out);
    if let Some((point, fraction_out)) = rest.split_first_mut() {
        *point = b'.';
        fill_digits(fraction, fraction_out);
    }
    Some(len)
}

/// 10⁰ … 10¹⁹: every power of ten a `u64` holds (a table, not `checked_pow`'s loop). Shared
/// by the scorer, the review and the JSON writer.
pub const POW10_U64: [u64; 20] = {
    let mut table = [1u64; 20];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// 10⁰ … 10³² as `u128` (every scale a decimal can have, and the products of two).
pub const POW10_U128: [u128; 33] = {
    let mut table = [1u128; 33];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// The number of decimal digits of `n` (1 for 0): from its bit length (`× 1233 / 4096` is
/// just under log₁₀ 2, so the guess is the count or one less) and one compare. Public for the
/// JSON writer, which sizes an integer before storing its digits in place.
#[inline(always)]
pub fn digit_count(n: u64) -> usize {
    let bits = 64 - (n | 1).leading_zeros() as usize;
    let guess = (bits * 1233) >> 12;
    guess + usize::from(n | 1 >= POW10_U64[guess])
}

/// The last `out.len()` decimal digits of `n`, zero-padded, two at a time.
fn fill_digits(mut n: u64, out: &mut [u8]) {
    let mut pos = out.len();
    while pos >= 2 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        out[pos - 2..pos].copy_from_slice(&PAIRS[pair..pair + 2]);
        pos -= 2;
    }
    if pos == 1 {
        out[0] = b'0' + (n % 10) as u8;
    }
}

/// [`decimal_str`] as bytes (ASCII), for writers of bytes: no UTF-8 validation. The text is
/// at the start of `buf`, so a writer can give its own output as `buf`.
pub fn decimal_bytes(d: Decimal, buf: &mut [u8; DECIMAL_BUF]) -> &[u8] {
    let scale = d.scale() as usize;
    match u64::try_from(d.mantissa().unsigned_abs()) {
        // Nearly every decimal: a mantissa of at most 20 digits and a small scale.
        Ok(m) if scale <= 20 => decimal_bytes_u64(m, scale, d.is_sign_negative(), buf),
        _ => decimal_bytes_wide(d, buf),
    }
}

/// [`decimal_bytes`] for a mantissa that fits a `u64` and a scale of at most 20, with every
/// piece moved as a block of [`SPAN`] bytes (bytes past the text are scratch).
fn decimal_bytes_u64(m: u64, scale: usize, negative: bool, buf: &mut [u8; DECIMAL_BUF]) -> &[u8] {
    const ZEROS: [u8; SPAN] = [b'0'; SPAN];
    // The digits end at `SPAN` in `tmp`; Display writes no digit at all for a zero mantissa,
    // then pads to the scale.
    let mut tmp = [0u8; DECIMAL_BUF];
    let start = if m == 0 {
        SPAN
    } else {
        digits_u64(m, &mut tmp, SPAN)
    };
    let count = SPAN - start;
    let at = usize::from(negative);
    buf[0] = b'-';
    let len = if scale == 0 {
        if count == 0 {
            buf[at] = b'0';
            at + 1
        } else {
            buf[at..at + SPAN].copy_from_slice(&tmp[start..start + SPAN]);
            at + count
        }
    } else if count > scale {
        // `whole.fraction`: all the digits, then the fraction moved one to the right.
        let whole = count - scale;
        buf[at..at + SPAN].copy_from_slice(&tmp[start..start + SPAN]);
        buf[at + whole] = b'.';
        let fraction = SPAN - scale;
        buf[at + whole + 1..at + whole + 1 + SPAN].copy_from_slice(&tmp[fraction..fraction + SPAN]);
        at + count + 1
    } else {
        // `0.` and zeros up to the digits.
        buf[at..at + 2].copy_from_slice(b"0.");
        buf[at + 2..at + 2 + SPAN].copy_from_slice(&ZEROS);
        let first = at + 2 + scale - count;
        buf[first..first + SPAN].copy_from_slice(&tmp[start..start + SPAN]);
        at + 2 + scale
    };
    &buf[..len]
}

/// [`decimal_bytes`] for any decimal (a mantissa wider than a `u64`, or a long scale): the
/// 28-digit values of thirds and ratios (`explain.exact`). The text is built right-aligned in
/// a scratch buffer pre-filled with `0` (the zero padding of digit groups and of a long
/// fraction is already there) and moved by blocks of [`WIDE_SPAN`] bytes (fixed sizes: no
/// `memcpy` call).
fn decimal_bytes_wide(d: Decimal, buf: &mut [u8; DECIMAL_BUF]) -> &[u8] {
    let mut tmp = [b'0'; WIDE_TMP];
    let m = d.mantissa().unsigned_abs();
    let scale = (d.scale() as usize).min(28);
    // Display writes no digit at all for a zero mantissa, then pads to the scale.
    let mut start = if m == 0 {
        WIDE_END
    } else {
        wide_digits(m, &mut tmp)
    };
    if scale > 0 {
        let point = WIDE_END - scale - 1;
        if start > point {
            // No more digits than the scale: `0.` and zeros up to the digits (the zeros are
            // there already).
            start = point - 1;
        } else {
            // Move the whole part (at most 29 digits, before `point + 1`) one to the left, as
            // the block of `WIDE_SPAN` bytes that ends with it (bytes before it are `0`s).
            let end = point + 1;
            let mut whole = [0u8; WIDE_SPAN];
            whole.copy_from_slice(&tmp[end - WIDE_SPAN..end]);
            tmp[end - WIDE_SPAN - 1..end - 1].copy_from_slice(&whole);
            start -= 1;
        }
        tmp[point] = b'.';
    } else if start == WIDE_END {
        start -= 1; // `0` (the byte is a `0` already)
    }
    if d.is_sign_negative() {
        start -= 1;
        tmp[start] = b'-';
    }
    // At most 31 bytes: `-`, 29 digits and a point, or `-0.` and 28 fractional digits.
    let len = WIDE_END - start;
    buf[..WIDE_SPAN].copy_from_slice(&tmp[start..start + WIDE_SPAN]);
    &buf[..len]
}

/// The block [`decimal_bytes_wide`] moves: at least its longest text (31 bytes).
const WIDE_SPAN: usize = 32;
/// Where [`decimal_bytes_wide`]'s text ends in its scratch buffer: the whole part's block,
/// moved one to the left, starts at `WIDE_END - 28 - WIDE_SPAN - 1` at the least.
const WIDE_END: usize = 64;
/// Its scratch buffer: a block of `WIDE_SPAN` bytes from the start of the text fits.
const WIDE_TMP: usize = WIDE_END + WIDE_SPAN;
const _: () = assert!(WIDE_SPAN <= DECIMAL_BUF && WIDE_END > 28 + WIDE_SPAN);

/// The digits of a mantissa (at most 96 bits) ending at `WIDE_END` in `out`; returns where
/// they start. A mantissa wider than a `u64` loses its last sixteen digits to one 128-bit
/// division by 10¹⁶ (a divisor below 2⁶⁴: the runtime's single hardware division, ≈ 40
/// instructions, where two rounds of 32-bit limbs took ≈ 110), the rest goes by `u64`
/// divisions by constants; each group of eight digits is written as four pairs with `u32`
/// arithmetic.
fn wide_digits(m: u128, out: &mut [u8; WIDE_TMP]) -> usize {
    const GROUP: u64 = 100_000_000;
    const TWO_GROUPS: u128 = 10_000_000_000_000_000;
    let mut pos = WIDE_END;
    let mut n = match u64::try_from(m) {
        Ok(n) => n,
        Err(_) => {
            let high = m / TWO_GROUPS;
            // Below 10¹⁶: a `u64`.
            let low = (m - high * TWO_GROUPS) as u64;
            eight_digits((low % GROUP) as u32, out, pos);
            eight_digits((low / GROUP) as u32, out, pos - 8);
            pos -= 16;
            // 2⁹⁶ / 10¹⁶ < 2⁶⁴: a `u64` (the bound keeps a wider input from wrapping).
            u64::try_from(high).unwrap_or(u64::MAX)
        }
    };
    while n >= GROUP {
        eight_digits((n % GROUP) as u32, out, pos);
        n /= GROUP;
        pos -= 8;
    }
    digits_u64(n, out, pos)
}

/// The eight digits of `v` (below 10⁸, zero-padded) ending at `pos` in `out`.
#[inline(always)]
fn eight_digits<const N: usize>(v: u32, out: &mut [u8; N], pos: usize) {
    let (high, low) = (v / 10_000, v % 10_000);
    let pairs = [high / 100, high % 100, low / 100, low % 100];
    for (slot, pair) in out[pos - 8..pos].chunks_exact_mut(2).zip(pairs) {
        let at = pair as usize * 2;
        slot.copy_from_slice(&PAIRS[at..at + 2]);
    }
}

/// A decimal that displays as `Decimal` does (without width or precision flags), faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plain(pub Decimal);

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; DECIMAL_BUF];
        f.write_str(decimal_str(self.0, &mut buf))
    }
}

/// `d.to_string()`, faster.
pub fn decimal_string(d: Decimal) -> String {
    let mut buf = [0u8; DECIMAL_BUF];
    decimal_str(d, &mut buf).to_owned()
}

/// `a.cmp(&b)`: the same order (`-0` equals `0`), from the mantissas when they can be
/// brought to one scale without overflow (nearly always: scores, weights and amounts), instead
/// of rust_decimal's general comparison. Scoring and review compare numbers for every
/// indicator.
pub fn cmp(a: Decimal, b: Decimal) -> Ordering {
    let (ma, mb) = (a.mantissa(), b.mantissa());
    let (sa, sb) = (a.scale(), b.scale());
    let same_scale = if sa == sb {
        Some((ma, mb))
    } else if sa < sb {
        POW10
            .get((sb - sa) as usize)
            .and_then(|&p| ma.checked_mul(p))
            .map(|ma| (ma, mb))
    } else {
        POW10
            .get((sa - sb) as usize)
            .and_then(|&p| mb.checked_mul(p))
            .map(|mb| (ma, mb))
    };
    match same_scale {
        Some((x, y)) => x.cmp(&y),
        None => a.cmp(&b),
    }
}

/// 10⁰ … 10²⁸: every scale difference of two decimals.
const POW10: [i128; 29] = {
    let mut table = [1i128; 29];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// A sum of decimals kept as one `i128` mantissa at the largest scale added so far, for the
/// review checks that sum only to decide (WEIGHT_SUM, WEIGHT_SCHEME, TOTAL_MISMATCH,
/// FUNDS_ROW_SUM): they fire on few forms, and rust_decimal's addition costs ≈ 100
/// instructions a term. Every term, aligned to that scale, is below 2⁶³ (else the sum gives
/// up), so fewer than 2³² terms keep every partial sum below 2⁹⁵: rust_decimal's own
/// additions are exact then (they round only past 96 bits), and the value is theirs; only
/// its scale and the sign of a zero may differ, which a comparison ignores. A message prints
/// the sum rust_decimal computes.
#[derive(Debug, Clone, Copy)]
pub struct ExactSum {
    mantissa: i128,
    scale: u32,
    /// False once a term did not fit: the caller takes the general path.
    exact: bool,
}

impl ExactSum {
    pub const ZERO: ExactSum = ExactSum {
        mantissa: 0,
        scale: 0,
        exact: true,
    };

    #[inline]
    pub fn add(&mut self, d: Decimal) {
        let (Ok(m), s) = (i64::try_from(d.mantissa()), d.scale()) else {
            self.exact = false;
            return;
        };
        let aligned = if s == self.scale {
            Some(m)
        } else if s < self.scale {
            POW10_I64
                .get((self.scale - s) as usize)
                .and_then(|&p| m.checked_mul(p))
        } else {
            // The sum so far to the new scale, under the same bound as a term.
            let sum = i64::try_from(self.mantissa).ok().and_then(|sum| {
                POW10_I64
                    .get((s - self.scale) as usize)
                    .and_then(|&p| sum.checked_mul(p))
            });
            self.mantissa = i128::from(sum.unwrap_or(0));
            self.scale = s;
            self.exact &= sum.is_some();
            Some(m)
        };
        match aligned {
            Some(m) => self.mantissa += i128::from(m),
            None => self.exact = false,
        }
    }

    /// The sum's value, or `None` when it may differ from rust_decimal's.
    pub fn value(self) -> Option<Decimal> {
        if !self.exact {
            return None;
        }
        Decimal::try_from_i128_with_scale(self.mantissa, self.scale).ok()
    }
}

/// 10⁰ … 10¹⁸: every power of ten an `i64` holds.
const POW10_I64: [i64; 19] = {
    let mut table = [1i64; 19];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum::ZERO
    }
}

/// The value of `Σ terms` for a decision: from [`ExactSum`] when exact, else rust_decimal's
/// sum in the terms' order (the general path); `None` when a partial sum overflows (where
/// `.sum()` would panic).
pub fn sum_value<I>(terms: impl Fn() -> I) -> Option<Decimal>
where
    I: Iterator<Item = Decimal>,
{
    let mut exact = ExactSum::ZERO;
    terms().for_each(|d| exact.add(d));
    exact
        .value()
        .or_else(|| terms().try_fold(Decimal::ZERO, |acc, d| acc.checked_add(d)))
}

/// `a.max(b)` (`Decimal::max`: `a` when they are equal, whatever their scales) with [`cmp`].
pub fn max(a: Decimal, b: Decimal) -> Decimal {
    if cmp(a, b).is_lt() {
        b
    } else {
        a
    }
}

/// `a.min(b)` (`Decimal::min`: `a` when they are equal) with [`cmp`].
pub fn min(a: Decimal, b: Decimal) -> Decimal {
    if cmp(a, b).is_gt() {
        b
    } else {
        a
    }
}

/// A piece of a derivation's text: words, or a number written as `Display` writes it.
#[derive(Debug, Clone, Copy)]
pub enum Piece<'a> {
    Text(&'a str),
    Num(Decimal),
}

/// `d.to_string()` as a `CompactString`: inline (no allocation) for every decimal of up to
/// 24 characters, which is nearly all of them.
pub fn decimal_compact(d: Decimal) -> CompactString {
    // A whole number below 100 (most weights and scores): its static text, nothing written.
    // A copy of an inline `CompactString`: no bytes written, no `memcpy` call.
    if let Some(small) = small_whole(d).and_then(|n| SMALL_NUMBERS.get(n)) {
        return small.clone();
    }
    let mut buf = [0u8; DECIMAL_BUF];
    CompactString::new(decimal_str(d, &mut buf))
}

/// `d` when it is a whole number 0–99 written without decimals (scale 0, not `-0`): what
/// `Display` writes for it is `n.to_string()`, so tables indexed by it stand for writing it.
#[inline]
pub fn small_whole(d: Decimal) -> Option<usize> {
    if d.scale() != 0 || d.is_sign_negative() {
        return None;
    }
    usize::try_from(d.mantissa()).ok().filter(|&n| n < 100)
}

/// `0` … `99` as inline `CompactString`s, built at compile time.
// Ten a line, read as a table (rustfmt would put one a line).
#[rustfmt::skip]
static SMALL_NUMBERS: [CompactString; 100] = {
    const fn c(text: &'static str) -> CompactString {
        CompactString::const_new(text)
    }
    [
        c("0"), c("1"), c("2"), c("3"), c("4"), c("5"), c("6"), c("7"), c("8"), c("9"),
        c("10"), c("11"), c("12"), c("13"), c("14"), c("15"), c("16"), c("17"), c("18"), c("19"),
        c("20"), c("21"), c("22"), c("23"), c("24"), c("25"), c("26"), c("27"), c("28"), c("29"),
        c("30"), c("31"), c("32"), c("33"), c("34"), c("35"), c("36"), c("37"), c("38"), c("39"),
        c("40"), c("41"), c("42"), c("43"), c("44"), c("45"), c("46"), c("47"), c("48"), c("49"),
        c("50"), c("51"), c("52"), c("53"), c("54"), c("55"), c("56"), c("57"), c("58"), c("59"),
        c("60"), c("61"), c("62"), c("63"), c("64"), c("65"), c("66"), c("67"), c("68"), c("69"),
        c("70"), c("71"), c("72"), c("73"), c("74"), c("75"), c("76"), c("77"), c("78"), c("79"),
        c("80"), c("81"), c("82"), c("83"), c("84"), c("85"), c("86"), c("87"), c("88"), c("89"),
        c("90"), c("91"), c("92"), c("93"), c("94"), c("95"), c("96"), c("97"), c("98"), c("99"),
    ]
};

/// Room for a derivation written on the stack, and for the places of its numbers; longer
/// ones, or ones with more numbers, take a slower path.
const CONCAT_BUF: usize = 160;
const CONCAT_NUMS: usize = 8;

/// What a `CompactString` keeps inline.
const INLINE: usize = 24;

/// The pieces joined — what `format!` with [`Plain`] numbers gives, without the formatting
/// machinery (formulas are built for every indicator of every form). The text is written on
/// the stack (numbers digit by digit in place). A short result is checked as UTF-8 and kept
/// inline; a longer one is pushed into a `String` of its exact size that the
/// `CompactString` keeps: its words are already `&str`s and its digits ASCII, so nothing is
/// validated byte by byte.
pub fn concat(pieces: &[Piece<'_>]) -> CompactString {
    let words: usize = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.len(),
            Piece::Num(_) => 0,
        })
        .sum();
    if words > INLINE {
        // Too long to be inline whatever the numbers (most formulas in Chinese): straight
        // into the `String`.
        return concat_long(pieces, words);
    }
    let mut out = [0u8; CONCAT_BUF];
    // Where each number's text is in `out`, in order.
    let mut spans = [(0u8, 0u8); CONCAT_NUMS];
    let (mut len, mut numbers) = (0, 0);
    for piece in pieces {
        match *piece {
            Piece::Text(t) => {
                let Some(slot) = out.get_mut(len..len + t.len()) else {
                    return concat_slow(pieces);
                };
                slot.copy_from_slice(t.as_bytes());
                len += t.len();
            }
            Piece::Num(d) => {
                let (Some(span), Some(n)) = (
                    spans.get_mut(numbers),
                    out.get_mut(len..).and_then(|rest| write_decimal(d, rest)),
                ) else {
                    return concat_slow(pieces);
                };
                // `len + n` ≤ CONCAT_BUF < 256.
                *span = (len as u8, (len + n) as u8);
                numbers += 1;
                len += n;
            }
        }
    }
    if len <= INLINE {
        // Whole `&str`s and ASCII digits: always valid; the check is what safe code pays.
        return match std::str::from_utf8(&out[..len]) {
            Ok(text) => CompactString::new(text),
            Err(_) => concat_slow(pieces),
        };
    }
    let mut text = String::with_capacity(len);
    let mut spans = spans[..numbers].iter();
    for piece in pieces {
        match *piece {
            Piece::Text(t) => text.push_str(t),
            Piece::Num(_) => {
                if let Some(&(a, b)) = spans.next() {
                    let digits = &out[usize::from(a)..usize::from(b)];
                    push_digits(&mut text, digits);
                }
            }
        }
    }
    CompactString::from_string_buffer(text)
}

/// [`concat`] of a text longer than `INLINE` bytes: the words pushed as they are, each
/// number written on the stack and pushed digit by digit (ASCII: no validation).
fn concat_long(pieces: &[Piece<'_>], words: usize) -> CompactString {
    // Room for numbers of a typical length; a longer one grows the buffer.
    let numbers = pieces.len()
        - pieces
            .iter()
            .filter(|p| matches!(p, Piece::Text(_)))
            .count();
    let mut text = String::with_capacity(words + 12 * numbers);
    let mut buf = [0u8; DECIMAL_BUF];
    for piece in pieces {
        match *piece {
            Piece::Text(t) => text.push_str(t),
            Piece::Num(d) => {
                let len = write_decimal(d, &mut buf).unwrap_or(0);
                push_digits(&mut text, &buf[..len]);
            }
        }
    }
    CompactString::from_string_buffer(text)
}

/// A number's text (ASCII) pushed onto `text`: char by char when short, else checked as
/// one `&str` and copied (a 28-digit quotient pushed char by char cost ≈ 8 instructions a
/// digit).
fn push_digits(text: &mut String, digits: &[u8]) {
    if digits.len() <= 4 {
        text.extend(digits.iter().map(|&b| char::from(b)));
    } else if let Ok(digits) = std::str::from_utf8(digits) {
        text.push_str(digits);
    }
}

/// [`concat`] for derivations longer than its stack buffer or with more numbers.
fn concat_slow(pieces: &[Piece<'_>]) -> CompactString {
    let mut out = String::new();
    let mut buf = [0u8; DECIMAL_BUF];
    for piece in pieces {
        match *piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Num(d) => out.push_str(decimal_str(d, &mut buf)),
        }
    }
    CompactString::from(out)
}

/// A deterministic spread of decimals over every mantissa width and scale, for the tests that
/// hold a fast path to rust_decimal's own result; each comes with the generator state it was
/// drawn from, so that a test can derive a sign or a second value from it.
#[cfg(test)]
pub(crate) fn spread(seed: u128, count: usize) -> impl Iterator<Item = (u128, Decimal)> {
    let mut x = seed;
    (0..count).map(move |_| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let bits = (x >> 32) % (1u128 << 96);
        let mantissa = (bits >> (x % 96)) as i128;
        (
            x,
            Decimal::from_i128_with_scale(mantissa, ((x >> 8) % 29) as u32),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concat_of_long_text_takes_the_slow_path_with_the_same_result() {
        use rust_decimal_macros::dec;
        let long = "很长的说明文字".repeat(20);
        let joined = concat(&[
            Piece::Text(&long),
            Piece::Num(dec!(-12.50)),
            Piece::Text("/"),
            Piece::Num(Decimal::MAX),
        ]);
        assert_eq!(joined, format!("{long}-12.50/{}", Decimal::MAX));
    }

    /// Numbers of every width and scale in long derivations (the words alone over 24 bytes,
    /// and short words made long by their numbers) are what `format!` writes.
    #[test]
    fn long_derivations_with_numbers_of_every_width() {
        for (x, mut d) in spread(0xD1B5_4A32_D192_ED03, 5000) {
            if x & 1 == 1 {
                d.set_sign_negative(true);
            }
            let long = concat(&[
                Piece::Text("预算执行得分 + Σ 指标得分 = "),
                Piece::Num(d),
                Piece::Text(" + "),
                Piece::Num(d),
            ]);
            assert_eq!(long, format!("预算执行得分 + Σ 指标得分 = {d} + {d}"));
            let short = concat(&[
                Piece::Text("B / A = "),
                Piece::Num(d),
                Piece::Text(" / "),
                Piece::Num(d),
            ]);
            assert_eq!(short, format!("B / A = {d} / {d}"));
        }
    }

    #[test]
    fn concat_at_the_inline_limit_and_with_many_numbers() {
        use rust_decimal_macros::dec;
        // 23, 24 and 25 bytes: the stack path, its limit and the `String` path.
        for text in ["得分：", "得分：x", "得分：xy"] {
            let joined = concat(&[
                Piece::Text(text),
                Piece::Num(dec!(1234567.89)),
                Piece::Text("分"),
            ]);
            assert_eq!(joined, format!("{text}1234567.89分"));
        }
        // More numbers than kept on the stack.
        let numbers: Vec<Decimal> = (0..12).map(|i| Decimal::new(i * 37 - 100, 2)).collect();
        let pieces: Vec<Piece> = numbers
            .iter()
            .flat_map(|d| [Piece::Num(*d), Piece::Text("、")])
            .collect();
        let want: String = numbers.iter().map(|d| format!("{d}、")).collect();
        assert_eq!(concat(&pieces), want);
        let want_four: String = numbers[..4].iter().map(|d| format!("{d}、")).collect();
        assert_eq!(concat(&pieces[..8]), want_four);
        assert_eq!(concat(&[]), "");
    }

    /// The exact sum against rust_decimal's additions (`checked_add`, from zero, in order):
    /// the same value whenever it claims to be exact, and it claims so for every sum of
    /// small terms.
    #[test]
    fn exact_sum_is_rust_decimals_sum() {
        let mut values: Vec<Decimal> = spread(0x51_7CC1_B727_220A, 3000)
            .map(|(x, mut d)| {
                if x & 1 == 1 {
                    d.set_sign_negative(true);
                }
                d
            })
            .collect();
        let small: Vec<Decimal> = spread(0x2545_F491_4F6C_DD1D, 3000)
            .map(|(x, _)| {
                Decimal::new(
                    ((x >> 40) % 200_001) as i64 - 100_000,
                    ((x >> 20) % 5) as u32,
                )
            })
            .collect();
        values.extend([Decimal::MAX, Decimal::MIN, Decimal::ZERO, -Decimal::ZERO]);
        for (set, all_small) in [(&values, false), (&small, true)] {
            for start in 0..set.len() {
                for len in [0, 1, 2, 3, 7, 13] {
                    let terms = &set[start..(start + len).min(set.len())];
                    let mut exact = ExactSum::ZERO;
                    terms.iter().for_each(|d| exact.add(*d));
                    let general = terms
                        .iter()
                        .try_fold(Decimal::ZERO, |acc, d| acc.checked_add(*d));
                    match (exact.value(), general) {
                        (Some(v), Some(g)) => assert_eq!(cmp(v, g), Ordering::Equal, "{terms:?}"),
                        (Some(_), None) => panic!("exact but rust_decimal overflowed: {terms:?}"),
                        (None, _) => assert!(!all_small, "{terms:?}"),
                    }
                    if let Some(general) = general {
                        assert_eq!(sum_value(|| terms.iter().copied()), Some(general));
                    }
                }
            }
        }
    }

    #[test]
    fn cmp_max_min_are_decimals_own() {
        let mut values = vec![
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::new(0, 2),
            Decimal::new(-0, 5),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(5, 28),
            Decimal::new(-5, 28),
            Decimal::new(10, 0),
            Decimal::new(1000, 2),
            Decimal::new(-1000, 2),
            Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 0),
            Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 28),
            Decimal::from_i128_with_scale(33_333_333_333_333_333_333_333_333_333, 27),
        ];
        let mut negative_zero = Decimal::new(0, 3);
        negative_zero.set_sign_negative(true);
        values.push(negative_zero);
        for (x, mut d) in spread(0x2545_F491_4F6C_DD1D, 400) {
            if x & 1 == 1 {
                d.set_sign_negative(true);
            }
            values.push(d);
            // The same value at another scale, and small numbers of every kind.
            let mut same = d;
            same.rescale(d.scale() + ((x >> 16) % 4) as u32);
            values.push(same);
            values.push(Decimal::new(
                ((x >> 40) % 2001) as i64 - 1000,
                ((x >> 20) % 4) as u32,
            ));
        }
        for &a in &values {
            for &b in &values {
                assert_eq!(cmp(a, b), a.cmp(&b), "{a:?} {b:?}");
                let (m, n) = (max(a, b), min(a, b));
                assert_eq!(
                    (m, m.scale(), m.is_sign_negative()),
                    (a.max(b), a.max(b).scale(), a.max(b).is_sign_negative())
                );
                assert_eq!(
                    (n, n.scale(), n.is_sign_negative()),
                    (a.min(b), a.min(b).scale(), a.min(b).is_sign_negative())
                );
            }
        }
    }

    #[test]
    fn concat_is_format_with_display() {
        use rust_decimal_macros::dec;
        for (a, b) in [
            (dec!(7.5), dec!(-0.05)),
            (dec!(0), dec!(507500.00)),
            (dec!(-0), dec!(1e-10)),
        ] {
            assert_eq!(
                concat(&[
                    Piece::Text("达成：得分在 ["),
                    Piece::Num(a),
                    Piece::Text(", "),
                    Piece::Num(b),
                    Piece::Text("] 内")
                ]),
                format!("达成：得分在 [{a}, {b}] 内")
            );
        }
    }

    #[test]
    fn writes_what_display_writes() {
        let mut values = vec![
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::new(0, 2),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(5, 28),
            Decimal::new(-5, 28),
            Decimal::new(i64::MAX, 0),
            Decimal::new(i64::MIN, 0),
            Decimal::from_i128_with_scale(10_000_000_000_000_000_000, 0),
            Decimal::from_i128_with_scale(10_000_000_000_000_000_000, 19),
            Decimal::from_i128_with_scale(18_446_744_073_709_551_616, 3),
            Decimal::from_i128_with_scale(-79_228_162_514_264_337_593_543_950_335, 28),
        ];
        let mut negative_zero = Decimal::new(0, 3);
        negative_zero.set_sign_negative(true);
        values.push(negative_zero);
        // A deterministic spread over mantissas and scales.
        for (x, mut d) in spread(0x9E37_79B9_7F4A_7C15, 20_000) {
            if x & 1 == 1 {
                d.set_sign_negative(true);
            }
            values.push(d);
        }
        for d in values {
            assert_eq!(Plain(d).to_string(), d.to_string(), "{d:?}");
            assert_eq!(decimal_string(d), d.to_string(), "{d:?}");
            assert_eq!(concat(&[Piece::Num(d)]), d.to_string(), "{d:?}");
            assert_eq!(decimal_compact(d), d.to_string(), "{d:?}");
            let mut exact = vec![0u8; d.to_string().len()];
            assert_eq!(write_decimal(d, &mut exact), Some(exact.len()), "{d:?}");
            assert_eq!(exact, d.to_string().as_bytes(), "{d:?}");
            assert_eq!(write_decimal(d, &mut exact[1..]), None, "{d:?}");
        }
        let mut negative_zero = Decimal::ZERO;
        negative_zero.set_sign_negative(true);
        for n in -120..=120 {
            for d in [Decimal::new(n, 0), Decimal::new(n, 1), negative_zero] {
                assert_eq!(decimal_compact(d), d.to_string(), "{d:?}");
                let text = d.to_string();
                let mut exact = vec![0u8; text.len()];
                assert_eq!(write_decimal(d, &mut exact), Some(text.len()), "{d:?}");
                assert_eq!(exact, text.as_bytes(), "{d:?}");
                assert_eq!(write_decimal(d, &mut exact[1..]), None, "{d:?}");
                assert_eq!(
                    small_whole(d).map(|n| n.to_string()),
                    (d.scale() == 0 && (0..100).contains(&n) && !d.is_sign_negative())
                        .then(|| text.clone()),
                    "{d:?}"
                );
            }
        }
        // The wide path's edges: every digit count of a mantissa past a `u64`, and the limits
        // of its groups of nine, under every scale and sign.
        let mut wide = vec![
            (1u128 << 64) - 1,
            1u128 << 64,
            (1u128 << 96) - 1,
            1u128 << 95,
        ];
        for power in 19..=28 {
            let p = 10u128.pow(power);
            wide.extend([p - 1, p, p + 1, p * 7 + 999_999_999, p * 3 + 1_000_000_000]);
        }
        for m in wide.into_iter().filter(|&m| m < 1u128 << 96) {
            for scale in 0..=28 {
                for negative in [false, true] {
                    let mut d = Decimal::from_i128_with_scale(m as i128, scale);
                    d.set_sign_negative(negative);
                    assert_eq!(decimal_string(d), d.to_string(), "{d:?}");
                }
            }
        }
        let mut buf = [0u8; DECIMAL_BUF];
        for n in [0, 1, 9, 10, 99, 12345, u64::from(u32::MAX), u64::MAX] {
            assert_eq!(u64_str(n, &mut buf), n.to_string());
        }
        // Every digit count at its edges, under every scale and sign (the fast path takes
        // mantissas of a `u64` and scales up to 20).
        for power in 0..20 {
            let p = 10u64.pow(power);
            for n in [p - 1, p, p + 1, p.saturating_mul(5)] {
                assert_eq!(u64_str(n, &mut buf), n.to_string());
                for scale in 0..=28 {
                    for negative in [false, true] {
                        let mut d = Decimal::from_i128_with_scale(i128::from(n), scale);
                        d.set_sign_negative(negative);
                        assert_eq!(decimal_str(d, &mut buf), d.to_string(), "{d:?}");
                    }
                }
            }
        }
    }
}
