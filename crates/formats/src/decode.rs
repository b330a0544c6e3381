//! Text decoding (解码): turn whatever bytes people send into one `String`, never failing.
//!
//! Detection, in order:
//! 1. a byte-order mark: UTF-8 (`EF BB BF`), UTF-16LE (`FF FE`), UTF-16BE (`FE FF`);
//! 2. BOM-less UTF-16, recognised by its NUL-byte pattern (ASCII in UTF-16 puts a NUL in every
//!    other byte; text in a byte encoding has NULs, if at all, scattered at random);
//! 3. valid UTF-8;
//! 4. GB18030 (a superset of GBK and GB2312) when it decodes cleanly;
//! 5. otherwise whichever of UTF-8 and GB18030 needs fewer replacements.
//!
//! Then CRLF and lone CR become LF (so that line numbers agree with every editor), NUL bytes
//! are removed, and every repair is reported as a located `READ_ENCODING` diagnostic.

use jixiao_core::{Finding, Loc, Severity};

/// The decoded text and what was done to get it.
pub struct Decoded {
    /// The text, line ends normalised to `\n`, NULs removed.
    pub text: String,
    /// The encoding detected: `UTF-8`, `UTF-16LE`, `UTF-16BE` or `GB18030`.
    pub encoding: &'static str,
    /// `READ_ENCODING` findings: replaced bytes and removed NULs, with their locations in `text`.
    pub diagnostics: Vec<Finding>,
}

/// How many located diagnostics one input gets before the rest are summed up in one line:
/// a binary file would otherwise produce one finding per byte.
const MAX_LOCATED: usize = 10;

/// UTF-8 lines and GB18030 lines in one input.
pub const MIXED: &str = "UTF-8+GB18030";

/// The rule the encoding diagnostics rest on.
const RULE: &str = "RULES.md §5: reading problems are findings; never drop content silently";

/// Decode bytes of any supported encoding. Never fails: undecodable bytes become U+FFFD and
/// are reported.
pub fn decode(bytes: &[u8]) -> Decoded {
    let (text, encoding, diagnostics) = decode_borrowed(bytes);
    Decoded {
        text: text.into_owned(),
        encoding,
        diagnostics,
    }
}

/// [`decode`], borrowing the bytes when they are already the text (valid UTF-8 without a
/// BOM, CR or NUL: nearly every input) instead of copying them.
pub(crate) fn decode_borrowed(
    bytes: &[u8],
) -> (std::borrow::Cow<'_, str>, &'static str, Vec<Finding>) {
    let (raw, encoding, had_errors) = detect_and_decode(bytes);
    let mut diagnostics = Vec::new();
    if encoding == MIXED {
        // Lines that are not UTF-8 were decoded as GB18030: say where that starts.
        let first = bytes
            .split(|&b| b == b'\n')
            .position(|line| std::str::from_utf8(line).is_err())
            .map(|i| i as u32 + 1);
        diagnostics.push(
            Finding::new(
                "READ_ENCODING",
                Severity::Warning,
                "输入混有两种编码：非 UTF-8 的行已按 GB18030 解码，请核对这些行",
                "the input mixes encodings: lines that are not UTF-8 were decoded as GB18030; check them",
            )
            .at(first.map(|line| Loc::text(line, 1)))
            .rule(RULE),
        );
    }
    let text = normalise(raw, had_errors, encoding, &mut diagnostics);
    (text, encoding, diagnostics)
}

/// Pick the encoding and decode; `had_errors` tells whether any byte was replaced.
fn detect_and_decode(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, &'static str, bool) {
    use encoding_rs::{GB18030, UTF_16BE, UTF_16LE, UTF_8};
    use std::borrow::Cow;

    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let (text, had_errors) = utf8_lossy(rest);
        return (Cow::Owned(text), "UTF-8", had_errors);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (text, had_errors) = UTF_16LE.decode_without_bom_handling(rest);
        return (Cow::Owned(text.into_owned()), "UTF-16LE", had_errors);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (text, had_errors) = UTF_16BE.decode_without_bom_handling(rest);
        return (Cow::Owned(text.into_owned()), "UTF-16BE", had_errors);
    }
    // simdutf8 validates ≈ 10× faster than `std::str::from_utf8` on CJK text; on error the
    // slow path below decides anyway.
    let utf8 = simdutf8::basic::from_utf8(bytes).ok();
    let valid_utf8 = utf8.is_some();
    match utf16_without_bom(bytes, valid_utf8) {
        Some(Utf16::Le) => {
            let (text, had_errors) = UTF_16LE.decode_without_bom_handling(bytes);
            return (Cow::Owned(text.into_owned()), "UTF-16LE", had_errors);
        }
        Some(Utf16::Be) => {
            let (text, had_errors) = UTF_16BE.decode_without_bom_handling(bytes);
            return (Cow::Owned(text.into_owned()), "UTF-16BE", had_errors);
        }
        None => {}
    }
    if let Some(text) = utf8 {
        // The common case: one validation pass, and the bytes are the text.
        return (Cow::Borrowed(text), "UTF-8", false);
    }
    if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        return (Cow::Owned(text.into_owned()), "GB18030", false);
    }
    // Broken either way: keep the reading that loses less — as a whole, or line by line
    // (files pasted together from two sources mix encodings by line).
    let (utf8, _) = UTF_8.decode_without_bom_handling(bytes);
    let (gb, _) = GB18030.decode_without_bom_handling(bytes);
    let mut mixed = String::with_capacity(bytes.len());
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            mixed.push('\n');
        }
        match std::str::from_utf8(line) {
            Ok(text) => mixed.push_str(text),
            Err(_) => mixed.push_str(&GB18030.decode_without_bom_handling(line).0),
        }
    }
    let count = |s: &str| {
        s.chars()
            .filter(|&c| c == char::REPLACEMENT_CHARACTER)
            .count()
    };
    let (u, g, m) = (count(&utf8), count(&gb), count(&mixed));
    if m < u && m < g {
        (Cow::Owned(mixed), MIXED, m > 0)
    } else if g < u {
        (Cow::Owned(gb.into_owned()), "GB18030", true)
    } else {
        (Cow::Owned(utf8.into_owned()), "UTF-8", true)
    }
}

fn utf8_lossy(bytes: &[u8]) -> (String, bool) {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
    }
}

enum Utf16 {
    Le,
    Be,
}

/// BOM-less UTF-16: in a sample, NULs sit almost only at odd offsets (LE, ASCII `41 00`) or
/// only at even offsets (BE, `00 41`). CJK code units rarely contain a zero byte (1 in 256),
/// so a little noise on the other side is allowed; a UTF-8 file with stray NULs has them
/// on both sides alike and is not mistaken. Text that is valid UTF-8 (ASCII-only UTF-16 is,
/// NULs and all) must have NULs in half of its code units to count as UTF-16, so that a
/// UTF-8 file with a few stray NULs stays UTF-8.
fn utf16_without_bom(bytes: &[u8], valid_utf8: bool) -> Option<Utf16> {
    let sample = &bytes[..bytes.len().min(8192)];
    let pairs = sample.len() / 2;
    if pairs == 0 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    // At least 5% of the code units must be ASCII-like (tabs, digits, punctuation are plenty
    // in any form), and the other side at most an eighth of that.
    let enough = |nuls: usize| {
        if valid_utf8 {
            nuls >= 2 && nuls * 2 >= pairs
        } else {
            nuls >= 1 && nuls * 20 >= pairs
        }
    };
    if enough(odd) && even * 8 <= odd {
        Some(Utf16::Le)
    } else if enough(even) && odd * 8 <= even {
        Some(Utf16::Be)
    } else {
        None
    }
}

/// Normalise line ends, remove NULs, and locate replacement characters and removed NULs.
fn normalise<'a>(
    raw: std::borrow::Cow<'a, str>,
    had_errors: bool,
    encoding: &'static str,
    diagnostics: &mut Vec<Finding>,
) -> std::borrow::Cow<'a, str> {
    // One vectorised pass for both bytes.
    let has_cr_or_nul = memchr::memchr2(b'\r', 0, raw.as_bytes()).is_some();
    if !has_cr_or_nul && !had_errors {
        return raw;
    }
    let mut out = String::with_capacity(raw.len());
    let mut replaced: Vec<Loc> = Vec::new();
    let mut replaced_total = 0usize;
    let mut nuls: Vec<Loc> = Vec::new();
    let mut nul_total = 0usize;
    let (mut line, mut column) = (1u32, 1u32);
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
                line = line.saturating_add(1);
                column = 1;
            }
            '\n' => {
                out.push('\n');
                line = line.saturating_add(1);
                column = 1;
            }
            '\0' => {
                // Not written out: the column is where the next character now stands.
                nul_total += 1;
                if nuls.len() < MAX_LOCATED {
                    nuls.push(Loc::text(line, column));
                }
            }
            _ => {
                if had_errors && c == char::REPLACEMENT_CHARACTER {
                    replaced_total += 1;
                    if replaced.len() < MAX_LOCATED {
                        replaced.push(Loc::text(line, column));
                    }
                }
                out.push(c);
                column = column.saturating_add(1);
            }
        }
    }
    for loc in replaced {
        diagnostics.push(
            Finding::new(
                "READ_ENCODING",
                Severity::Warning,
                format!("按 {encoding} 解码时遇到无效字节，已替换为 �：此处原文无法读出"),
                format!(
                    "invalid bytes for {encoding} were replaced by U+FFFD: the original text here cannot be read"
                ),
            )
            .at(Some(loc))
            .rule(RULE),
        );
    }
    if replaced_total > MAX_LOCATED {
        let more = replaced_total - MAX_LOCATED;
        diagnostics.push(
            Finding::new(
                "READ_ENCODING",
                Severity::Warning,
                format!("另有 {more} 处无效字节被替换为 �（共 {replaced_total} 处）"),
                format!(
                    "{more} more invalid bytes were replaced by U+FFFD ({replaced_total} in all)"
                ),
            )
            .rule(RULE),
        );
    }
    if let Some(first) = nuls.first().cloned() {
        diagnostics.push(
            Finding::new(
                "READ_ENCODING",
                Severity::Info,
                format!("输入含有 {nul_total} 个空字节（NUL），已删除；第一个位于此处"),
                format!("{nul_total} NUL bytes were removed from the input; the first was here"),
            )
            .at(Some(first))
            .rule(RULE),
        );
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "项目名称\t工伤鉴定\n年度资金总额\t507,500.00\t100.00%\n";

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn utf8_plain_is_kept_as_is() {
        let d = decode(SAMPLE.as_bytes());
        assert_eq!(d.text, SAMPLE);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.diagnostics.is_empty());
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(SAMPLE.as_bytes());
        let d = decode(&bytes);
        assert_eq!(d.text, SAMPLE);
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        for (bom, big, name) in [
            (&b"\xFF\xFE"[..], false, "UTF-16LE"),
            (&b"\xFE\xFF"[..], true, "UTF-16BE"),
        ] {
            let mut bytes = bom.to_vec();
            bytes.extend(utf16(SAMPLE, big));
            let d = decode(&bytes);
            assert_eq!(d.text, SAMPLE, "{name}");
            assert_eq!(d.encoding, name);
            assert!(d.diagnostics.is_empty());
        }
    }

    #[test]
    fn utf16_without_bom_is_detected_by_nuls() {
        let d = decode(&utf16(SAMPLE, false));
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "UTF-16LE"));
        let d = decode(&utf16(SAMPLE, true));
        assert_eq!((d.text.as_str(), d.encoding), (SAMPLE, "UTF-16BE"));
    }

    #[test]
    fn gb18030_and_gbk_bytes_are_recognised() {
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(SAMPLE);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the sample must not be valid UTF-8"
        );
        let d = decode(&bytes);
        assert_eq!(d.text, SAMPLE);
        assert_eq!(d.encoding, "GB18030");
        assert!(d.diagnostics.is_empty());

        let (bytes, _, _) = encoding_rs::GBK.encode(SAMPLE);
        assert_eq!(decode(&bytes).text, SAMPLE);
    }

    #[test]
    fn line_ends_are_normalised() {
        let d = decode("a\r\nb\rc\n\r\nd".as_bytes());
        assert_eq!(d.text, "a\nb\nc\n\nd");
        assert!(d.diagnostics.is_empty());
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(utf16("甲\r\n乙\r丙", false));
        assert_eq!(decode(&bytes).text, "甲\n乙\n丙");
    }

    #[test]
    fn nul_bytes_are_removed_and_reported() {
        let d = decode(b"ab\ncd\0e\0f\n");
        assert_eq!(d.text, "ab\ncdef\n");
        assert_eq!(d.diagnostics.len(), 1);
        let f = &d.diagnostics[0];
        assert_eq!(f.code, "READ_ENCODING");
        assert_eq!(f.location, Some(Loc::text(2, 3)));
        assert!(f.message.contains('2'), "{}", f.message);
    }

    #[test]
    fn invalid_bytes_are_replaced_and_located() {
        // Mostly UTF-8 Chinese with one broken byte on line 2, column 3.
        let mut bytes = "项目\n名称".as_bytes().to_vec();
        bytes.push(0xFF);
        bytes.extend_from_slice("工伤\n".as_bytes());
        let d = decode(&bytes);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, "项目\n名称\u{FFFD}工伤\n");
        assert_eq!(d.diagnostics.len(), 1);
        let f = &d.diagnostics[0];
        assert_eq!(f.code, "READ_ENCODING");
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.location, Some(Loc::text(2, 3)));
        assert!(!f.message_en.is_empty());
    }

    #[test]
    fn many_invalid_bytes_are_summed_up() {
        let bytes = vec![0xFFu8; 100];
        let d = decode(&bytes);
        assert_eq!(d.text.chars().count(), 100);
        assert_eq!(d.diagnostics.len(), MAX_LOCATED + 1);
        assert!(d.diagnostics[MAX_LOCATED].message.contains("90"));
    }

    #[test]
    fn broken_gbk_keeps_the_gbk_reading() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("工伤鉴定工伤鉴定工伤鉴定");
        let mut bytes = bytes.into_owned();
        bytes.push(0xFF);
        let d = decode(&bytes);
        assert_eq!(d.encoding, "GB18030");
        assert!(d.text.starts_with("工伤鉴定工伤鉴定工伤鉴定"));
        assert_eq!(d.diagnostics.len(), 1);
    }

    #[test]
    fn the_seed_survives_every_encoding() {
        let seed = include_str!("../../../fixtures/songjiang-2023.tsv");
        let (gb, _, _) = encoding_rs::GB18030.encode(seed);
        let crlf = seed.replace('\n', "\r\n");
        for (bytes, name) in [
            (utf16(seed, false), "UTF-16LE"),
            (utf16(seed, true), "UTF-16BE"),
            (gb.into_owned(), "GB18030"),
            (crlf.into_bytes(), "UTF-8"),
        ] {
            let d = decode(&bytes);
            assert_eq!(d.encoding, name);
            assert!(d.text == seed, "{name} did not decode to the seed");
            assert!(d.diagnostics.is_empty(), "{name}");
        }
    }

    #[test]
    fn empty_and_tiny_inputs_do_not_panic() {
        for bytes in [
            &b""[..],
            b"\0",
            b"\xFF",
            b"\xFF\xFE",
            b"\xFE\xFF\x00",
            b"\r",
            b"\xEF\xBB",
        ] {
            let _ = decode(bytes);
        }
        assert_eq!(decode(b"").text, "");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let d = decode(&bytes);
            proptest::prop_assert!(!d.text.contains('\r'));
            proptest::prop_assert!(!d.text.contains('\0'));
        }

        #[test]
        fn clean_utf8_is_returned_unchanged(text in "[^\r\x00\u{feff}]{0,200}") {
            let d = decode(text.as_bytes());
            // Without NULs it cannot pass for UTF-16, so it must come back as it went in.
            proptest::prop_assert_eq!(d.text, text);
            proptest::prop_assert!(d.diagnostics.is_empty());
        }
    }
}
