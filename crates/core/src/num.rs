//! Decimals written as text quickly: the same characters as `Decimal`'s `Display` (plain
//! digits, no exponent, trailing zeros of the scale kept, `-0` for a negative zero), without
//! going through its formatter. Every derivation and message prints numbers; this keeps that
//! cheap.

use compact_str::CompactString;
use rust_decimal::Decimal;
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
fn digits_u64(mut n: u64, out: &mut [u8; DECIMAL_BUF], mut pos: usize) -> usize {
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

/// The decimal digits of `n` at the end of `out`; returns where they start.
fn digits(n: u128, out: &mut [u8; DECIMAL_BUF]) -> usize {
    const E19: u128 = 10_000_000_000_000_000_000;
    let end = out.len();
    if let Ok(small) = u64::try_from(n) {
        return digits_u64(small, out, end);
    }
    // At most 39 digits: up to two full groups of 19 below the leading part.
    let mut pos = end;
    let mut n = n;
    while n > u128::from(u64::MAX) {
        let low = (n % E19) as u64;
        n /= E19;
        let start = digits_u64(low, out, pos);
        // Zero-pad the group to 19 digits.
        for slot in &mut out[pos - 19..start] {
            *slot = b'0';
        }
        pos -= 19;
    }
    digits_u64(n as u64, out, pos)
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
    std::str::from_utf8(decimal_bytes(d, buf)).unwrap_or("0")
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

/// [`decimal_bytes`] for any decimal (a mantissa wider than a `u64`, or a long scale).
fn decimal_bytes_wide(d: Decimal, buf: &mut [u8; DECIMAL_BUF]) -> &[u8] {
    let mut tmp = [0u8; DECIMAL_BUF];
    let start = digits(d.mantissa().unsigned_abs(), &mut tmp);
    // Display writes no digit at all for a zero mantissa, then pads to the scale.
    let ds: &[u8] = if d.mantissa() == 0 {
        &[]
    } else {
        &tmp[start..]
    };
    let scale = d.scale() as usize;
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        buf[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    };
    if d.is_sign_negative() {
        put(b"-");
    }
    if scale == 0 {
        put(if ds.is_empty() { b"0" } else { ds });
    } else if ds.len() > scale {
        let whole = ds.len() - scale;
        put(&ds[..whole]);
        put(b".");
        put(&ds[whole..]);
    } else {
        put(b"0.");
        for _ in ds.len()..scale {
            put(b"0");
        }
        put(ds);
    }
    &buf[..len]
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

/// A piece of a derivation's text: words, or a number written as `Display` writes it.
#[derive(Debug, Clone, Copy)]
pub enum Piece<'a> {
    Text(&'a str),
    Num(Decimal),
}

/// `d.to_string()` as a `CompactString`: inline (no allocation) for every decimal of up to
/// 24 characters, which is nearly all of them.
pub fn decimal_compact(d: Decimal) -> CompactString {
    let mut buf = [0u8; DECIMAL_BUF];
    CompactString::new(decimal_str(d, &mut buf))
}

/// Room for a derivation written on the stack before it is kept; longer ones take a
/// slower path.
const CONCAT_BUF: usize = 192;

/// The pieces joined — what `format!` with [`Plain`] numbers gives, without the formatting
/// machinery (formulas are built for every indicator of every form). The text is written on
/// the stack, checked as UTF-8 once and kept inline when short (most formulas are), else
/// allocated once at its exact size.
pub fn concat(pieces: &[Piece<'_>]) -> CompactString {
    let mut out = [0u8; CONCAT_BUF];
    let mut len = 0;
    let mut num = [0u8; DECIMAL_BUF];
    for piece in pieces {
        let bytes = match *piece {
            Piece::Text(t) => t.as_bytes(),
            Piece::Num(d) => decimal_bytes(d, &mut num),
        };
        let Some(slot) = out.get_mut(len..len + bytes.len()) else {
            return concat_slow(pieces);
        };
        slot.copy_from_slice(bytes);
        len += bytes.len();
    }
    // Whole `&str`s and ASCII digits: always valid; the check is what safe code pays.
    match std::str::from_utf8(&out[..len]) {
        Ok(text) => CompactString::new(text),
        Err(_) => concat_slow(pieces),
    }
}

/// [`concat`] for text that does not fit its stack buffer.
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
        let mut x: u128 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let bits = (x >> 32) % (1u128 << 96);
            let mantissa = (bits >> (x % 96)) as i128;
            let scale = ((x >> 8) % 29) as u32;
            let mut d = Decimal::from_i128_with_scale(mantissa, scale);
            if x & 1 == 1 {
                d.set_sign_negative(true);
            }
            values.push(d);
        }
        for d in values {
            assert_eq!(Plain(d).to_string(), d.to_string(), "{d:?}");
            assert_eq!(decimal_string(d), d.to_string(), "{d:?}");
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
