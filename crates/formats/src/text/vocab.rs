//! The labels printed on 自评表 in their known spellings, and small classifiers for cell
//! contents (numbers, operators, units).

use jixiao_core::{Level1, Level2};
use rust_decimal::Decimal;
use std::str::FromStr;

/// What a label cell announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Label {
    /// The form title (…自评表).
    Title,
    Project,
    Department,
    Unit,
    /// Header labels whose values Jixiao does not model (项目负责人, 填报日期 …).
    OtherHeader,
    /// Start of the funds block (项目资金, 预算执行情况).
    FundsSection,
    FundCol(FundCol),
    FundRow(FundRowKind),
    GoalSection,
    GoalExpected,
    GoalActual,
    /// Start of the indicator table (绩效指标).
    IndicatorSection,
    IndCol(IndCol),
    Level1(Level1),
    Level2(Level2),
    /// 总分 / 合计.
    Total,
    /// Free-text sections after the table (评价结论, 存在问题, 改进措施, 其他需要说明事项).
    Closing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FundCol {
    Initial,
    Adjusted,
    Executed,
    Weight,
    Rate,
    Score,
    Reason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FundRowKind {
    Total,
    Appropriation,
    Carryover,
    Other,
    /// A row of a provincial variant with no slot in the model (kept with its label).
    Extra,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndCol {
    Level1,
    Level2,
    Name,
    /// 年度指标值 as one column.
    Target,
    /// 指标性质 (operator).
    TargetOp,
    /// 指标值 (the number of a split target).
    TargetValue,
    /// 度量单位 / 计量单位.
    TargetUnit,
    Actual,
    Weight,
    Score,
    Reason,
}

/// Normalise a cell for label matching: no white space, ASCII parentheses and colons.
/// Borrows when the text needs no change (the common case on the hot path).
pub(crate) fn key_cow(text: &str) -> std::borrow::Cow<'_, str> {
    if has_whitespace(text) || has_key_mark(text) {
        std::borrow::Cow::Owned(key(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether `text` holds `|`, `（`, `）` or `：` (`EF BC 88`, `EF BC 89`, `EF BC 9A`), the marks
/// [`key`] replaces or removes besides white space.
fn has_key_mark(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'|', 0xEF, bytes).any(|i| {
        bytes.get(i) == Some(&b'|')
            || (bytes.get(i + 1) == Some(&0xBC)
                && matches!(bytes.get(i + 2), Some(0x88 | 0x89 | 0x9A)))
    })
}

/// Whether `text` holds a white-space character: exactly `text.contains(char::is_whitespace)`,
/// decided on bytes. Eight bytes at a time are passed over when none of them is below `0x21`
/// or a lead byte a white-space character can start with (`C2`, `E0`–`E3`); otherwise the
/// white-space characters are recognised by their bytes: U+0085 and U+00A0 (`C2 85`,
/// `C2 A0`), U+1680 (`E1 9A 80`), U+2000–U+200A, U+2028, U+2029, U+202F (`E2 80 80`–`8A`,
/// `A8`, `A9`, `AF`), U+205F (`E2 81 9F`), U+3000 (`E3 80 80`). The common CJK punctuation
/// (`。`, `、`, `“`, `—`) shares those lead bytes but not the rest.
///
/// Long texts (the goals, ≈ 110 bytes, 10 k a run) go four words at a time: one branch for
/// 32 bytes that flag nothing, the words looked at one by one only when any of them does; the
/// rest (under 32 bytes) as [`has_whitespace_inline`] reads a short text. (The block loop is
/// kept out of the inline version: the names and actuals it serves are short, and the loop
/// cost them 0.11 M a run.)
pub(crate) fn has_whitespace(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut blocks = bytes.chunks_exact(32);
    let mut at = 0;
    for block in &mut blocks {
        let mut flags = [0u64; 4];
        for (f, w) in flags.iter_mut().zip(block.chunks_exact(8)) {
            *f = whitespace_candidates(u64::from_le_bytes(
                <[u8; 8]>::try_from(w).unwrap_or_default(),
            ));
        }
        if flags.iter().fold(0, |all, f| all | f) != 0
            && flags
                .iter()
                .zip((at..).step_by(8))
                .any(|(&f, base)| whitespace_flagged(bytes, base, f))
        {
            return true;
        }
        at += 32;
    }
    // A suffix of valid UTF-8: it may start with continuation bytes, which are never flagged.
    has_whitespace_bytes(blocks.remainder())
}

/// The bytes of `x` that may start a white-space character, by their high bits: every byte
/// below `0x21`, `C2` and `E0`–`E3` (and a few more, looked at and found not to).
#[inline(always)]
fn whitespace_candidates(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of every byte of the word below `n` (`n` ≤ 0x80), and perhaps of bytes
    // above one that is (a borrow): every flagged byte is looked at, so a few more is no harm.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    // `C2` and `E0`–`E3` in one test: with bit 5 cleared they are `C2` and `C0`–`C3`, found
    // as `00`–`03` after an XOR with `C0` (`C0`, `C1` and `C3` flagged too: looked at, never
    // white space).
    below(x, 0x21) | below((x & (ONES * 0xDF)) ^ (ONES * 0xC0), 4)
}

/// Whether a white-space character starts at one of the bytes `flags` marks in the word at
/// `base` (`≥`, `—`, `。` flag one byte each).
#[inline(always)]
fn whitespace_flagged(bytes: &[u8], base: usize, mut flags: u64) -> bool {
    while flags != 0 {
        if whitespace_at(bytes, base + (flags.trailing_zeros() / 8) as usize) {
            return true;
        }
        flags &= flags - 1;
    }
    false
}

/// [`has_whitespace`] inlined into its caller: `unwrap_cjk_compact` asks it of every
/// indicator's name and actual (32 k calls a run), for which the call and its six saved
/// registers were a third of the test.
#[inline(always)]
pub(crate) fn has_whitespace_inline(text: &str) -> bool {
    has_whitespace_bytes(text.as_bytes())
}

/// [`has_whitespace`] a word at a time, on bytes.
#[inline(always)]
fn has_whitespace_bytes(bytes: &[u8]) -> bool {
    let candidates = whitespace_candidates;
    let any_at = |base: usize, flags: u64| whitespace_flagged(bytes, base, flags);
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
        if any_at(at, candidates(word)) {
            return true;
        }
        at += 8;
    }
    if at == bytes.len() {
        return false;
    }
    // The rest: the last eight bytes when there are as many (overlapping what was seen, which
    // held no white space), else the rest padded with `A`, which is no candidate.
    match bytes
        .len()
        .checked_sub(8)
        .and_then(|i| Some((i, bytes.get(i..)?)))
    {
        Some((base, last)) => any_at(
            base,
            candidates(u64::from_le_bytes(
                <[u8; 8]>::try_from(last).unwrap_or_default(),
            )),
        ),
        None => any_at(
            0,
            candidates((0..8).rev().fold(0u64, |w, i| {
                (w << 8) | u64::from(bytes.get(i).copied().unwrap_or(b'A'))
            })),
        ),
    }
}

/// Whether a white-space character starts at byte `i` of valid UTF-8 (see [`has_whitespace`]).
#[inline(always)]
fn whitespace_at(bytes: &[u8], i: usize) -> bool {
    let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match at(0) {
        b'\t'..=b'\r' | b' ' => true,
        0xC2 => matches!(at(1), 0x85 | 0xA0),
        0xE1 => at(1) == 0x9A && at(2) == 0x80,
        0xE2 => match at(1) {
            0x80 => matches!(at(2), 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF),
            0x81 => at(2) == 0x9F,
            _ => false,
        },
        0xE3 => at(1) == 0x80 && at(2) == 0x80,
        _ => false,
    }
}

/// `str::trim` without decoding when the text starts and ends with printable ASCII (numbers).
fn trim_ascii_ends(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// Normalise a cell for label matching: no white space, ASCII parentheses and colons.
pub(crate) fn key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // A cell marker inside a label joined from two cells (`经济效益 | 指标`).
            c if c.is_whitespace() || c == '|' => {}
            '（' => out.push('('),
            '）' => out.push(')'),
            '：' => out.push(':'),
            _ => out.push(c),
        }
    }
    out
}

/// The bytes of [`key`]`(text)` written into `buf`, for the few labels whose key is only
/// compared (`绩效 指标`, `项目资金 (元)`: one each a form, and `key` allocated and freed
/// ≈ 500 instructions for each). A key is never longer than its text (white space and `|`
/// are removed, `（）：` become one byte), so a text that fits the buffer has its key in it;
/// `None` for a longer text (the caller then uses [`key`]).
pub(crate) fn key_bytes<'b>(text: &str, buf: &'b mut [u8; 64]) -> Option<&'b [u8]> {
    if text.len() > buf.len() {
        return None;
    }
    let bytes = text.as_bytes();
    let (mut i, mut n) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        // ASCII, and the characters of lead byte E4–EE (U+4000–U+EFFF: no white space, no
        // mark among them), are skipped or copied as they are, without decoding.
        match b {
            b'\t'..=b'\r' | b' ' | b'|' => {
                i += 1;
                continue;
            }
            0x21..=0x7E => {
                *buf.get_mut(n)? = b;
                i += 1;
                n += 1;
                continue;
            }
            0xE4..=0xEE => {
                let c: &[u8; 3] = bytes.get(i..i + 3)?.try_into().ok()?;
                let to: &mut [u8; 3] = buf.get_mut(n..n + 3)?.try_into().ok()?;
                *to = *c;
                i += 3;
                n += 3;
                continue;
            }
            _ => {}
        }
        let c = text.get(i..)?.chars().next()?;
        i += c.len_utf8();
        let c = match c {
            c if c.is_whitespace() || c == '|' => continue,
            '（' => '(',
            '）' => ')',
            '：' => ':',
            c => c,
        };
        let end = n + c.len_utf8();
        c.encode_utf8(buf.get_mut(n..end)?);
        n = end;
    }
    buf.get(..n)
}

/// `其中:当年财政拨款` → `当年财政拨款`; `年度资金总额:` → `年度资金总额`.
fn strip_decor(key: &str) -> &str {
    let k = key.strip_prefix("其中").unwrap_or(key);
    let k = k.trim_start_matches([':', '、', ',']);
    let k = k.trim_end_matches(':');
    // Numbered labels: `1.项目年度目标完成情况`.
    let k = k.trim_start_matches(|c: char| c.is_ascii_digit());
    k.trim_start_matches(['.', '、'])
}

/// Classify a cell as a label, if it is one. `key` must come from [`key`].
pub(crate) fn classify(key: &str) -> Option<Label> {
    if key.is_empty() {
        return None;
    }
    if key.len() > 60 {
        // Labels are short; only a title runs long.
        return key.contains("自评表").then_some(Label::Title);
    }
    let k = strip_decor(key);
    let bare = jixiao_core::model::points_stripped(k);
    // A header value glued to its label: `项目名称：工伤鉴定`, `项目名称委托业务项目`.
    for (prefix, label) in [
        ("项目名称", Label::Project),
        ("主管部门", Label::Department),
        ("实施单位", Label::Unit),
    ] {
        if let Some(rest) = bare.strip_prefix(prefix) {
            if !rest.is_empty() && !rest.starts_with('(') && !rest.starts_with("及") {
                return Some(label);
            }
        }
    }
    let label = match bare {
        "项目名称" => Label::Project,
        "主管部门" | "主管部门及代码" | "主管单位" => Label::Department,
        "实施单位" | "实施单位(盖章)" | "项目实施单位" => Label::Unit,
        "项目负责人"
        | "财务负责人"
        | "联系电话"
        | "填报日期"
        | "项目编码"
        | "项目类别"
        | "项目属性"
        | "项目基本情况"
        | "项目实施内容及过程概述"
        | "公开14表"
        | "单位负责人"
        | "填报人" => Label::OtherHeader,
        "项目资金"
        | "项目资金(元)"
        | "项目资金(万元)"
        | "预算执行情况"
        | "年度预算数(万元)"
        | "年度预算数(元)"
        | "年度预算数"
        | "资金情况" => Label::FundsSection,
        "年初预算数" | "年初预算" => Label::FundCol(FundCol::Initial),
        "全年预算数" | "全年预算数(A)" | "调整后预算数" | "调整后预算" => {
            Label::FundCol(FundCol::Adjusted)
        }
        "全年执行数" | "全年执行数(B)" | "预算执行数" | "执行数" => {
            Label::FundCol(FundCol::Executed)
        }
        "执行率" | "执行率(B/A)" | "预算执行率" => Label::FundCol(FundCol::Rate),
        "原因" => Label::FundCol(FundCol::Reason),
        "年度资金总额" | "总额" | "资金总额" => Label::FundRow(FundRowKind::Total),
        "当年财政拨款" | "本年财政拨款" | "财政拨款" | "财政资金" | "当年财政拨款资金" => {
            Label::FundRow(FundRowKind::Appropriation)
        }
        "上年结转资金" | "上年结转" => Label::FundRow(FundRowKind::Carryover),
        "其他资金" => Label::FundRow(FundRowKind::Other),
        "财政专户管理资金" | "单位资金" | "单位自有资金" => {
            Label::FundRow(FundRowKind::Extra)
        }
        "年度总体目标" | "总体目标" | "项目年度目标完成情况" => {
            Label::GoalSection
        }
        "预期目标" | "项目年度目标" | "年度目标" => Label::GoalExpected,
        "实际完成情况" | "年度目标完成情况" | "目标完成情况" => {
            Label::GoalActual
        }
        "绩效指标" | "绩效指" => Label::IndicatorSection,
        "一级指标" => Label::IndCol(IndCol::Level1),
        "二级指标" => Label::IndCol(IndCol::Level2),
        "三级指标" => Label::IndCol(IndCol::Name),
        "年度指标值" | "年度目标值" | "指标值(年度)" => {
            Label::IndCol(IndCol::Target)
        }
        "指标性质" => Label::IndCol(IndCol::TargetOp),
        "指标值" => Label::IndCol(IndCol::TargetValue),
        "度量单位" | "计量单位" => Label::IndCol(IndCol::TargetUnit),
        "实际完成值" | "完成值" | "实际值" | "全年实际值" => {
            Label::IndCol(IndCol::Actual)
        }
        "偏差原因分析及改进措施" | "未完成原因分析" | "偏差原因分析" | "原因分析" | "偏差原因" => {
            Label::IndCol(IndCol::Reason)
        }
        "总分" | "合计" | "总计" => Label::Total,
        "评价结论" | "存在问题" | "改进措施" | "其他需要说明事项" | "其他需说明事项" => {
            Label::Closing
        }
        // Shared labels (分值, 权重, 得分) depend on the section: see [`shared_column`].
        // Only the full labels: `满意度` alone is as likely an indicator's name.
        "产出指标" => Label::Level1(Level1::Output),
        "效益指标" => Label::Level1(Level1::Effect),
        "满意度指标" => Label::Level1(Level1::Satisfaction),
        _ => {
            let l2 = bare.strip_suffix('等').unwrap_or(bare);
            if let Some(stem) = l2.strip_suffix("指标") {
                if let Some(level2) = Level2::from_label(stem) {
                    return Some(Label::Level2(level2));
                }
            }
            if bare.contains("自评表") {
                return Some(Label::Title);
            }
            return None;
        }
    };
    Some(label)
}

/// The CJK Unified Ideographs block (U+4E00–U+9FFF), where every label starts.
const CJK_FIRST: u32 = 0x4E00;
const CJK_LEN: u32 = 0x5200;

/// The characters a label's key can start with: the first characters of the spellings in
/// [`classify`] and [`shared_column`], of the 二级 stems `Level2::from_label` knows, and `其`
/// (`strip_decor` removes `其中`). A test checks every spelling against it.
const LABEL_FIRST_CHARS: &[char] = &[
    '其', '一', '三', '上', '主', '二', '产', '偏', '全', '公', '分', '单', '原', '及', '合', '填',
    '存', '完', '实', '年', '度', '当', '得', '总', '执', '指', '改', '效', '未', '本', '权', '满',
    '目', '绩', '联', '自', '计', '评', '调', '财', '资', '项', '预', '数', '质', '时', '成', '经',
    '社', '生', '可', '服',
];

/// [`LABEL_FIRST_CHARS`] as a bitmap over the CJK block: one lookup per cell.
const LABEL_FIRSTS: [u64; (CJK_LEN / 64) as usize] = {
    let mut bits = [0u64; (CJK_LEN / 64) as usize];
    let mut k = 0;
    while k < LABEL_FIRST_CHARS.len() {
        let i = LABEL_FIRST_CHARS[k] as u32 - CJK_FIRST;
        bits[(i / 64) as usize] |= 1 << (i % 64);
        k += 1;
    }
    bits
};

/// Whether a (trimmed, non-empty) cell may be a label: false only when neither
/// [`classify`] nor [`shared_column`] can name its key. A label's key starts with the first
/// character of one of the spellings above (or of a 二级 stem), unless the cell starts with
/// what [`key`] or `strip_decor` remove or change (ASCII, white space, `其中`, `：`, `、`,
/// `（`); a title holds `自评表` anywhere, so its text holds `表`. Decided on the first
/// character and a search for one byte, before any hashing or normalising: most values
/// (names, texts) are told from labels here. Inlined into `classify_all`, its one caller
/// on the hot path (a call per cell); the search for 表 stays a call.
#[inline]
pub(crate) fn may_be_label(text: &str) -> bool {
    let b = text.as_bytes();
    let b = match b.first() {
        // A key that starts with `=`, `>` or `<` keeps it at the start through `key` and
        // `strip_decor` (they remove white space, `|`, `其中`, colons, digits and dots, and
        // only those): no spelling and no 二级 stem starts so, only a title may (`自评表`
        // anywhere). Targets such as `=4878人次` are decided here.
        Some(b'=' | b'>' | b'<') => return holds_biao(b),
        // Leading digits are what `strip_decor` removes (`1.项目年度目标完成情况`): when a CJK
        // character follows them directly (not white space, `|`, a dot or `、`, which `key`
        // and `strip_decor` would remove as well), the key after `strip_decor` starts with it,
        // and it is judged as a first character. Actuals such as `4954人次` are decided here.
        Some(b'0'..=b'9') => {
            let digits = b.iter().take_while(|d| d.is_ascii_digit()).count();
            match b.get(digits..) {
                Some(rest @ [0xE4..=0xE9, _, _, ..]) => rest,
                _ => return true,
            }
        }
        _ => b,
    };
    // A character of the CJK block (lead byte E4–E9) decoded from its three bytes; any
    // other first character by `chars`.
    let first = match (b.first(), b.get(1), b.get(2)) {
        (Some(&b0 @ 0xE4..=0xE9), Some(&b1), Some(&b2)) => {
            (u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F)
        }
        _ => {
            // (`b` is the whole text here: the digits' rest always decodes above.)
            let Some(first) = text
                .get(text.len() - b.len()..)
                .and_then(|t| t.chars().next())
            else {
                return false;
            };
            // No white space lies above U+3000: CJK is decided by a comparison.
            if first.is_ascii() || (first <= '\u{3000}' && first.is_whitespace()) {
                return true;
            }
            u32::from(first)
        }
    };
    let label_start = match first.checked_sub(CJK_FIRST) {
        Some(i) if i < CJK_LEN => LABEL_FIRSTS
            .get((i / 64) as usize)
            .is_some_and(|bits| bits >> (i % 64) & 1 == 1),
        // What `key` and `strip_decor` change or remove at the start.
        _ => matches!(char::from_u32(first), Some('：' | '、' | '（')),
    };
    if label_start {
        return true;
    }
    may_hold_biao(text.as_bytes()) && holds_biao(text.as_bytes())
}

/// The eight bytes of `b` from `at` as a little-endian word; 0 when fewer than eight remain.
#[inline(always)]
pub(crate) fn word8_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at.wrapping_add(8))
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_le_bytes)
}

/// The four bytes of `b` from `at` as a little-endian word; 0 when fewer than four remain.
#[inline(always)]
pub(crate) fn word4_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at.wrapping_add(4))
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
        .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

/// The high bit of every byte of `word` that is `A8` (the last byte of `表`), and perhaps of
/// bytes above one that is (a borrow): zero exactly when no byte is `A8`. `holds_biao` checks
/// every flagged byte, so a few more is no harm.
#[inline(always)]
fn a8_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const A8: u64 = 0xA8A8_A8A8_A8A8_A8A8;
    let y = word ^ A8;
    y.wrapping_sub(ONES) & !y & HIGH
}

/// False when a text of at most 16 bytes certainly holds no `A8` byte, the last of `表`'s
/// three (true otherwise, and for every longer text): decided inline from two words loaded
/// whole that hold all of its bytes (the first and last eight; from four to seven bytes the
/// first and last four), so most names and texts that start no label cost no call of
/// [`holds_biao`]. A text of fewer than three bytes cannot hold `表`.
#[inline(always)]
fn may_hold_biao(b: &[u8]) -> bool {
    let (w8, w4) = (|at| word8_at(b, at), |at| word4_at(b, at));
    let n = b.len();
    match n {
        0..=2 => false,
        3 => b.get(2) == Some(&0xA8),
        4..=7 => a8_bytes(w4(0) | (w4(n - 4) << 32)) != 0,
        8..=16 => a8_bytes(w8(0)) | a8_bytes(w8(n - 8)) != 0,
        _ => true,
    }
}

/// Whether the bytes hold `表` (`E8 A1 A8`): its last byte, a continuation byte, looked for
/// eight bytes at a time (a search call costs more than a short cell), and the two bytes
/// before each `A8` found compared.
#[inline(never)]
fn holds_biao(bytes: &[u8]) -> bool {
    let biao_ends_at = |i: usize| i >= 2 && bytes.get(i - 2..i) == Some(&[0xE8, 0xA1]);
    let in_word = |at: usize, word: u64| {
        let mut mask = a8_bytes(word);
        while mask != 0 {
            if biao_ends_at(at + (mask.trailing_zeros() / 8) as usize) {
                return true;
            }
            mask &= mask - 1;
        }
        false
    };
    let load = |chunk: &[u8]| u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        if in_word(at, load(chunk)) {
            return true;
        }
        at += 8;
    }
    if at == bytes.len() {
        return false;
    }
    // The rest: the last eight bytes when there are as many (overlapping), else byte by byte.
    match bytes.len().checked_sub(8) {
        Some(last) => in_word(last, load(bytes.get(last..).unwrap_or_default())),
        None => (0..bytes.len()).any(|i| bytes.get(i) == Some(&0xA8) && biao_ends_at(i)),
    }
}

/// Labels printed in both the funds header and the indicator header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SharedCol {
    /// 分值 / 权重
    Weight,
    /// 得分
    Score,
}

pub(crate) fn shared_column(key: &str) -> Option<SharedCol> {
    match key {
        "分值" | "权重" | "权重(分)" | "分值(分)" => Some(SharedCol::Weight),
        "得分" | "自评得分" => Some(SharedCol::Score),
        _ => None,
    }
}

/// A year printed as `2023年度`, `(2023 年度)`, `2023年`.
pub(crate) fn year_in(text: &str) -> Option<i32> {
    // Over bytes, without collecting characters: an ASCII digit byte is always a whole
    // character, and the byte next to a multi-byte character is never a digit.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        // Every run of four bytes starting at `i` … `i + 3` holds byte `i + 3`: when it is
        // no digit, none of them is a year (titles such as `财政项目支出绩效自评表` are
        // passed over four bytes a step).
        if !bytes[i + 3].is_ascii_digit() {
            i += 4;
            continue;
        }
        if let Some(year) = year_at(text, i) {
            return Some(year);
        }
        i += 1;
    }
    None
}

/// The year whose four digits start at byte `i` of `text` (`i + 4 ≤ text.len()`): exactly
/// four digits, then `年` after any white space, within 1990–2100.
#[inline(always)]
fn year_at(text: &str, i: usize) -> Option<i32> {
    let bytes = text.as_bytes();
    let digits = &bytes[i..i + 4];
    if !(digits.iter().all(u8::is_ascii_digit)
        && (i == 0 || !bytes[i - 1].is_ascii_digit())
        && bytes.get(i + 4).is_none_or(|c| !c.is_ascii_digit()))
    {
        return None;
    }
    let next = text
        .get(i + 4..)
        .and_then(|rest| rest.chars().find(|c| !c.is_whitespace()));
    if next != Some('年') {
        return None;
    }
    let year = digits
        .iter()
        .fold(0i32, |y, &d| y * 10 + i32::from(d - b'0'));
    (1990..=2100).contains(&year).then_some(year)
}

/// [`year_in`] trying every byte: the reference its skip is compared with.
#[cfg(test)]
fn year_in_general(text: &str) -> Option<i32> {
    (0..(text.len() + 1).saturating_sub(4)).find_map(|i| year_at(text, i))
}

/// A placeholder for "nothing here": `—`, `-`, `/`, `无`.
pub(crate) fn is_placeholder(text: &str) -> bool {
    matches!(
        text,
        "—" | "——" | "-" | "--" | "/" | "－" | "–" | "―" | "／" | "\\"
    )
}

/// A plain decimal number as printed (`8`, `7.5`, `507,500.00`, `501010`), with the count
/// of decimals printed. Thousands separators must be well placed; anything else is not a
/// plain number.
#[inline]
pub(crate) fn plain_number(text: &str) -> Option<(Decimal, u32)> {
    // At most 19 bytes of digits, one dot and thousands commas, starting with a digit (most
    // weights, scores and amounts), read in one pass where they are asked for: the mantissa
    // is the digits and the scale the digits after the dot, exactly what
    // `plain_number_general` builds for them by the same rules (a test compares the two).
    // Any other byte hands the text to it, but for the bytes that decide it is none (below).
    let b = text.as_bytes();
    if matches!(b.first(), Some(b'0'..=b'9')) && b.len() <= 19 {
        let mut mantissa = 0u64;
        let mut dot: Option<usize> = None;
        let mut commas = false;
        let mut group = 0usize;
        let mut groups_ok = true;
        // The byte the pass stopped at, if it stopped.
        let mut stop: Option<u8> = None;
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'0'..=b'9' => {
                    // At most 19 digits: no overflow.
                    mantissa = mantissa * 10 + u64::from(c - b'0');
                    group += 1;
                }
                b'.' if dot.is_none() => {
                    dot = Some(i);
                    groups_ok &= !commas || group == 3;
                }
                b',' if dot.is_none() => {
                    groups_ok &= if commas {
                        group == 3
                    } else {
                        (1..=3).contains(&group)
                    };
                    commas = true;
                    group = 0;
                }
                _ => {
                    stop = Some(c);
                    break;
                }
            }
        }
        match stop {
            // Stopped on a printable ASCII byte (`95%`, `1.2.3`) or on a character from U+4000
            // up other than `，` (`4954人次`): trimming (white space only; none lies from
            // U+4000 up) keeps that byte where it is, after the same digits, dots and commas,
            // so `plain_number_general` stops on it too, and so does its retry with the
            // full-width commas (all after it) made ASCII: not a number. Targets and actuals
            // are decided here without the second pass (and its search for `，`).
            Some(c) if (0x21..=0x7E).contains(&c) || (c >= 0xE4 && c != 0xEF) => return None,
            Some(_) => {}
            None => {
                let decimals = match dot {
                    Some(d) if d + 1 == b.len() => return None,
                    Some(d) => (b.len() - d - 1) as u32,
                    None => {
                        groups_ok &= !commas || group == 3;
                        0
                    }
                };
                if commas && !groups_ok {
                    return None;
                }
                return Some((
                    Decimal::from_parts(
                        mantissa as u32,
                        (mantissa >> 32) as u32,
                        0,
                        false,
                        decimals,
                    ),
                    decimals,
                ));
            }
        }
    }
    plain_number_general(text)
}

/// [`plain_number`] for any text.
#[inline(never)]
fn plain_number_general(text: &str) -> Option<(Decimal, u32)> {
    // Trimmed, a number starts with a digit or a minus sign: a cell that starts with another
    // printable ASCII byte, or with a character from U+4000 up (lead byte `E4` and above; no
    // white space lies there), is none — most names and texts are decided here. So is one
    // that starts with any other character that is not white space (`≥95%`, `—`): `trim`
    // keeps it first.
    let b = text.as_bytes();
    if let Some(&first) = b.first() {
        if (first.is_ascii_graphic() && !first.is_ascii_digit() && first != b'-')
            || (first >= 0x80 && !whitespace_at(b, 0))
        {
            return None;
        }
    }
    let t = trim_ascii_ends(text);
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    let bytes = t.as_bytes();
    let body = bytes.strip_prefix(b"-").unwrap_or(bytes);
    if body.is_empty() || !body[0].is_ascii_digit() {
        return None;
    }
    let mut dot: Option<usize> = None;
    let mut commas = false;
    // One pass: the digits accumulated (wrapping: used only when there are at most 19), and
    // the thousands groups checked as they close (1–3 digits, then groups of exactly 3).
    let mut mantissa = 0u64;
    let mut group = 0usize;
    let mut groups_ok = true;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                group += 1;
            }
            b'.' if dot.is_none() => {
                dot = Some(i);
                // The integer part's last group.
                groups_ok &= !commas || group == 3;
            }
            b',' if dot.is_none() => {
                groups_ok &= if commas {
                    group == 3
                } else {
                    (1..=3).contains(&group)
                };
                commas = true;
                group = 0;
            }
            _ => {
                // Full-width comma as a thousands separator.
                if t.contains('，') && dot.is_none() {
                    return plain_number(&t.replace('，', ","));
                }
                return None;
            }
        }
    }
    let decimals = match dot {
        Some(d) if d + 1 == body.len() => return None,
        Some(d) => (body.len() - d - 1) as u32,
        None => 0,
    };
    if dot.is_none() {
        // The integer part's last group.
        groups_ok &= !commas || group == 3;
    }
    if commas && !groups_ok {
        return None;
    }
    if body.len() == bytes.len() && body.len() <= 19 {
        // At most 19 digits, no sign: the mantissa fits a u64 and is exactly what `from_str`
        // gives (same digits, same scale), without its general parser.
        // The parts of a non-negative mantissa below 2^64, as `from_i128_with_scale` builds
        // them (without its range checks: `decimals` is below 19).
        return Some((
            Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, false, decimals),
            decimals,
        ));
    }
    if !commas {
        return Decimal::from_str(t).ok().map(|v| (v, decimals));
    }
    let cleaned: String = t.chars().filter(|&c| c != ',').collect();
    Decimal::from_str(&cleaned).ok().map(|v| (v, decimals))
}

/// Thousands separators must be well placed: 1-3 digits, then groups of exactly 3.
#[cfg(test)]
fn thousands_well_placed(body: &[u8], dot: Option<usize>) -> bool {
    let int_end = dot.unwrap_or(body.len());
    let mut groups = body[..int_end].split(|&b| b == b',');
    groups
        .next()
        .is_some_and(|first| !first.is_empty() && first.len() <= 3)
        && groups.all(|g| g.len() == 3)
}

/// A rate as printed in the funds block: `100.00%` → (1.0000, 2); `0` → (0, 0).
/// Without a percent sign only 0 and values above 1 are taken as percents; `0.98` or `1`
/// without `%` are ambiguous and give None.
pub(crate) fn rate(text: &str) -> Option<(Decimal, u32)> {
    let t = trim_ascii_ends(text);
    if let Some(num) = t.strip_suffix(['%', '％']) {
        let (v, d) = plain_number(num.trim())?;
        return Some((v / Decimal::ONE_HUNDRED, d));
    }
    let (v, d) = plain_number(t)?;
    if v.is_zero() {
        Some((v, d))
    } else if v > Decimal::ONE {
        Some((v / Decimal::ONE_HUNDRED, d))
    } else {
        None
    }
}

/// An amount: a plain number, optionally followed by a money unit (`620.82万元`).
/// Returns the amount in `unit` (元 or 万元) when the printed unit differs.
pub(crate) fn amount(text: &str, unit: Option<&str>) -> Option<Decimal> {
    if let Some(v) = bare_amount(text.as_bytes()) {
        return Some(v);
    }
    amount_general(text, unit)
}

/// The amounts as nearly every funds cell prints them (`558219`, `636288.33`, `0`,
/// `558,219.00`): only digits, well-placed thousands commas, at most one dot with digits
/// after it, at most 19 bytes, read in tight loops (the digits before the dot, the comma
/// groups, the digits after the dot). Such a text needs no trimming and no unit, and
/// `plain_number` reads it to the same mantissa and scale (a test compares the two); any
/// other text (misplaced commas, a unit, white space, a sign) is `None` here and goes the
/// general way.
#[inline(always)]
fn bare_amount(b: &[u8]) -> Option<Decimal> {
    if b.len() > 19 || !b.first()?.is_ascii_digit() {
        return None;
    }
    // At most 19 digits: no overflow.
    let mut mantissa = 0u64;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        mantissa = mantissa * 10 + u64::from(d);
        i += 1;
    }
    // Thousands commas (`558,219.00`, the total row's budgets): a first group of one to
    // three digits, then each comma followed by exactly three digits, the last group closed
    // by the dot or the end (a fourth digit stops at the test below); as `plain_number`.
    if i <= 3 && b.get(i) == Some(&b',') {
        while b.get(i) == Some(&b',') {
            for &c in b.get(i + 1..i + 4)? {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                mantissa = mantissa * 10 + u64::from(d);
            }
            i += 4;
        }
    }
    let mut scale = 0u32;
    if i < b.len() {
        if b[i] != b'.' || i + 1 == b.len() {
            return None;
        }
        // The digits after the dot: the scale (below 19).
        scale = (b.len() - i - 1) as u32;
        i += 1;
        while let Some(&c) = b.get(i) {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            mantissa = mantissa * 10 + u64::from(d);
            i += 1;
        }
    }
    Some(Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        0,
        false,
        scale,
    ))
}

/// The value of a plain number (a weight or a score: `7`, `10`, `7.84`), as
/// `plain_number` reads it: the bare digits by [`bare_amount`]'s tight loops (the same
/// mantissa and scale; a test compares the two), anything else by `plain_number`.
#[inline(always)]
pub(crate) fn plain_value(text: &str) -> Option<Decimal> {
    match bare_amount(text.as_bytes()) {
        Some(v) => Some(v),
        None => plain_value_general(text),
    }
}

/// [`plain_value`] for any text.
#[inline(never)]
fn plain_value_general(text: &str) -> Option<Decimal> {
    plain_number(text).map(|(v, _)| v)
}

/// `*dst = plain_value(text)`, each way storing into `dst` itself: when both ways return
/// their value to one place, the bare digits' `Decimal`, stored there in pieces, is reloaded
/// whole to be moved (a store-forwarding stall for every weight and score).
#[inline(always)]
pub(crate) fn put_plain_value(dst: &mut Option<Decimal>, text: &str) {
    match bare_amount(text.as_bytes()) {
        Some(v) => *dst = Some(v),
        None => put_plain_value_general(dst, text),
    }
}

/// [`put_plain_value`] for any text.
#[inline(never)]
fn put_plain_value_general(dst: &mut Option<Decimal>, text: &str) {
    *dst = plain_value_general(text);
}

/// [`amount`] for any text.
#[inline(never)]
fn amount_general(text: &str, unit: Option<&str>) -> Option<Decimal> {
    let t = trim_ascii_ends(text);
    // Only a cell that does not start with a digit can start with a currency sign.
    let t = if t.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        t
    } else {
        t.trim_start_matches(['¥', '￥'])
    };
    if let Some((v, _)) = plain_number(t) {
        return Some(v);
    }
    let (num, printed_unit) = if let Some(n) = t.strip_suffix("万元") {
        (n, "万元")
    } else if let Some(n) = t.strip_suffix('元') {
        (n, "元")
    } else {
        return None;
    };
    let (v, _) = plain_number(num.trim())?;
    match (printed_unit, unit) {
        // An amount in 万元 too large for 元 is not read (rust_decimal's `*` would panic).
        ("万元", Some("元")) => v.checked_mul(Decimal::from(10_000)),
        ("元", Some("万元")) => Some(v / Decimal::from(10_000)),
        _ => Some(v),
    }
}

/// An operator cell of the split-target variant (指标性质).
pub(crate) fn is_operator(text: &str) -> bool {
    // None of the spellings is longer than twelve bytes or starts with a digit (a test checks
    // them): most cells are decided here, not by comparing them with each.
    if text.len() > 12 || text.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    matches!(
        text,
        "=" | "＝"
            | "═"
            | "≥"
            | "≧"
            | ">="
            | "＞＝"
            | "≤"
            | "≦"
            | "<="
            | "＜＝"
            | ">"
            | "<"
            | "＞"
            | "＜"
            | "定性"
            | "定量"
            | "不少于"
            | "不低于"
            | "不高于"
            | "不超过"
            | "大于等于"
            | "小于等于"
            | "正向"
            | "反向"
    )
}

/// A unit cell of the split-target variant (度量单位): short, no digits.
pub(crate) fn is_unit(text: &str) -> bool {
    let n = text.chars().count();
    (1..=4).contains(&n)
        && !text.chars().any(|c| c.is_ascii_digit())
        && !is_operator(text)
        && classify(&key(text)).is_none()
}

/// A unit of measure on its own (`%`, `人次`, `万元`): never a value by itself.
pub(crate) fn is_bare_unit(text: &str) -> bool {
    // None of the spellings is longer than twelve bytes or starts with a digit (a test checks
    // them): most cells are decided here, not by comparing them with each.
    if text.len() > 12 || text.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    matches!(
        text,
        "%" | "％"
            | "百分比"
            | "元"
            | "万元"
            | "亿元"
            | "件"
            | "次"
            | "场"
            | "人"
            | "人次"
            | "万人"
            | "户"
            | "个"
            | "天"
            | "日"
            | "小时"
            | "分钟"
            | "工作日"
            | "个月"
            | "月"
            | "年"
            | "周"
            | "米"
            | "千米"
            | "公里"
            | "平方米"
            | "亩"
            | "公顷"
            | "吨"
            | "所"
            | "家"
            | "项"
            | "份"
            | "篇"
            | "期"
            | "台"
            | "套"
            | "辆"
            | "条"
            | "册"
            | "本"
            | "批"
            | "处"
            | "座"
            | "名"
            | "间"
            | "张"
            | "部"
            | "分"
            | "班"
            | "课时"
            | "学时"
            | "人天"
            | "元/人"
            | "元/人·天"
            | "m"
            | "km"
            | "t"
    )
}

/// The 等级 printed after 总分.
pub(crate) fn is_grade(text: &str) -> bool {
    matches!(
        text,
        "优" | "良" | "中" | "差" | "优秀" | "良好" | "合格" | "不合格" | "较差"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn numbers_as_printed() {
        assert_eq!(plain_number("507,500.00"), Some((dec!(507500.00), 2)));
        assert_eq!(plain_number("501010"), Some((dec!(501010), 0)));
        assert_eq!(plain_number("50,10"), None);
        assert_eq!(plain_number("8件"), None);
        assert_eq!(rate("86.19%"), Some((dec!(0.8619), 2)));
        assert_eq!(rate("0.98"), None);
        assert_eq!(amount("620.82万元", Some("万元")), Some(dec!(620.82)));
        assert_eq!(amount("1.5万元", Some("元")), Some(dec!(15000.0)));
    }

    #[test]
    fn years() {
        assert_eq!(year_in("(2023 年度)"), Some(2023));
        assert_eq!(year_in("部门预算项目支出绩效自评表(2023年度)"), Some(2023));
        assert_eq!(year_in("报表编号:510000_0013zp"), None);
    }

    #[test]
    fn labels() {
        assert_eq!(
            classify(&key("其中：当年财政拨款")),
            Some(Label::FundRow(FundRowKind::Appropriation))
        );
        assert_eq!(classify(&key("年度 总体 目标")), Some(Label::GoalSection));
        assert_eq!(
            classify(&key("产出指标(50分)")),
            Some(Label::Level1(Level1::Output))
        );
        assert_eq!(
            classify(&key("经济效益 指标")),
            Some(Label::Level2(Level2::Economic))
        );
        assert_eq!(
            classify(&key("服务对象满意度指标等")),
            Some(Label::Level2(Level2::ServiceSatisfaction))
        );
        assert_eq!(classify(&key("群众满意度")), None);
        assert_eq!(
            classify(&key("绩效指标(90分)")),
            Some(Label::IndicatorSection)
        );
    }
}

#[cfg(test)]
mod prefilter_tests {
    use super::*;

    #[test]
    fn years_as_printed() {
        for (text, year) in [
            ("2023年度", Some(2023)),
            ("(2023 年度)", Some(2023)),
            ("（2023\u{3000}年）", Some(2023)),
            ("项目支出绩效自评表（2021年度）", Some(2021)),
            ("12023年", None),
            ("20234年", None),
            ("1989年 2024年", Some(2024)),
            ("2023", None),
            ("２０２３年", None),
            ("年2023", None),
        ] {
            assert_eq!(year_in(text), year, "{text}");
        }
    }

    /// `year_in` (four bytes a step past a byte that is no digit) is `year_in_general` over
    /// texts joined from digits, years, 年, white space and CJK of every alignment.
    #[test]
    fn year_in_is_year_in_general() {
        let pieces = [
            "1",
            "2",
            "0",
            "9",
            "2023",
            "1989",
            "2101",
            "年",
            "度",
            " ",
            "\u{3000}",
            "(",
            "（",
            "自评表",
            "a",
            "２",
            "12023",
            "年度",
        ];
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut found = 0;
        for n in 0..40_000usize {
            let len = n % 13;
            let text: String = (0..len)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    pieces[(rng % pieces.len() as u64) as usize]
                })
                .collect();
            let want = year_in_general(&text);
            assert_eq!(year_in(&text), want, "{text:?}");
            found += usize::from(want.is_some());
        }
        assert!(found > 500, "{found}");
    }

    #[test]
    fn plain_number_is_decimal_from_str() {
        // The fast path must give the very same decimal (digits and scale) as the parser.
        for t in [
            "0",
            "00",
            "0.00",
            "7",
            "7.5",
            "7.50",
            "100",
            "507500.00",
            "507,500.00",
            "501010",
            "1,234",
            "12,345,678.9",
            "999999999999999999",
            "9999999999999999999",
            "123456789012345678.5",
            "0.000000000000000001",
            "-0",
            "-7.5",
            "-1,234.50",
        ] {
            let expected = Decimal::from_str(&t.replace(',', "")).ok();
            let got = plain_number(t).map(|(d, _)| d);
            assert_eq!(
                got.map(|d| (d.to_string(), d.scale(), d.is_sign_negative())),
                expected.map(|d| (d.to_string(), d.scale(), d.is_sign_negative())),
                "{t}"
            );
        }
        for t in [
            "",
            "1,23",
            "12345,678",
            ",123",
            "1.",
            "1.2.3",
            "1,234.5,6",
            "abc",
            "1e5",
        ] {
            assert_eq!(plain_number(t), None, "{t}");
        }
    }

    /// `key_bytes` is `key`'s bytes over every white-space character and key mark at every
    /// position of short and long cells, and `None` only past its buffer.
    #[test]
    fn key_bytes_is_key() {
        let marks: Vec<char> = (0..=0x3000u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .chain([
                '|', '（', '）', '：', '(', ')', ':', '，', 'Ａ', '\u{feff}', '元',
            ])
            .collect();
        let cells = [
            "",
            "绩效指",
            "绩效 指标",
            "项目资金 (元)",
            "项目资金（万元）",
            "工伤鉴定认定准确送达率满意度指标",
            "工伤鉴定认定准确送达率满意度指标工伤鉴定认定准确送达率满意度",
        ];
        let mut buf = [0u8; 64];
        let mut checked = 0;
        for cell in cells {
            for &c in &marks {
                for at in 0..=cell.chars().count() {
                    for times in [1, 2, 9] {
                        let mut s: String = cell.chars().take(at).collect();
                        s.extend(std::iter::repeat_n(c, times));
                        s.extend(cell.chars().skip(at));
                        match key_bytes(&s, &mut buf) {
                            Some(k) => assert_eq!(k, key(&s).as_bytes(), "{s:?}"),
                            None => assert!(s.len() > 64, "{s:?}"),
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 8_000, "{checked}");
    }

    #[test]
    fn key_cow_is_key() {
        // Every white-space character and key mark, alone and at every position of a long
        // CJK cell.
        let marks: Vec<char> = (0..=0x3000u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .chain(['|', '（', '）', '：', '，', '；', 'Ａ', '\u{feff}'])
            .collect();
        let long = "工伤鉴定认定准确送达率满意度指标";
        for &c in &marks {
            for at in 0..=long.chars().count() {
                let mut s: String = long.chars().take(at).collect();
                s.push(c);
                s.extend(long.chars().skip(at));
                assert_eq!(key_cow(&s), key(&s), "{c:?} at {at}");
            }
        }
        assert!(matches!(key_cow(long), std::borrow::Cow::Borrowed(_)));
        assert!(key_cow("（万元）").starts_with('('));
    }

    #[test]
    fn has_whitespace_is_contains_whitespace() {
        // Every character that shares a lead byte with a white-space character (and a few
        // others), alone and at every position of cells of all lengths around 16 bytes.
        let chars: Vec<char> = (0..0x80u32)
            .chain(0x80..0x800)
            .chain(0x1000..0x4000)
            .chain([0x4e00, 0xfeff, 0xff08, 0x1_0000, 0x2_0000])
            .filter_map(char::from_u32)
            .collect();
        // Long enough (41 characters, 87 bytes) for the 32-byte blocks and the words after.
        let base: Vec<char> = "工伤鉴定认定准确送达率满意度指标，。“”—≥95%abcdefghijklmnopqrstu"
            .chars()
            .collect();
        for &c in &chars {
            for len in [0, 1, 5, 6, 7, 12, 20, 33, 41] {
                let body: String = base.iter().take(len).collect();
                for at in [0, len / 2, len] {
                    let mut s: String = body.chars().take(at).collect();
                    s.push(c);
                    s.extend(body.chars().skip(at));
                    assert_eq!(
                        has_whitespace(&s),
                        s.contains(char::is_whitespace),
                        "{c:?} in {s:?}"
                    );
                    assert_eq!(has_whitespace_inline(&s), has_whitespace(&s), "{s:?}");
                }
            }
        }
        assert!(!has_whitespace(""));
        assert!(!has_whitespace(&"。、“”—".repeat(10)));
    }

    /// `plain_number` as it was written before its one-pass loop: the reference.
    fn plain_number_two_passes(text: &str) -> Option<(Decimal, u32)> {
        let t = text.trim();
        if t.is_empty() || t.len() > 40 {
            return None;
        }
        let bytes = t.as_bytes();
        let body = bytes.strip_prefix(b"-").unwrap_or(bytes);
        if body.is_empty() || !body[0].is_ascii_digit() {
            return None;
        }
        let mut dot: Option<usize> = None;
        let mut commas = false;
        for (i, &b) in body.iter().enumerate() {
            match b {
                b'0'..=b'9' => {}
                b'.' if dot.is_none() => dot = Some(i),
                b',' if dot.is_none() => commas = true,
                _ => {
                    if t.contains('，') && dot.is_none() {
                        return plain_number_two_passes(&t.replace('，', ","));
                    }
                    return None;
                }
            }
        }
        let decimals = match dot {
            Some(d) if d + 1 == body.len() => return None,
            Some(d) => (body.len() - d - 1) as u32,
            None => 0,
        };
        if commas && !thousands_well_placed(body, dot) {
            return None;
        }
        let cleaned: String = t.chars().filter(|&c| c != ',').collect();
        Decimal::from_str(&cleaned).ok().map(|v| (v, decimals))
    }

    #[test]
    fn plain_number_is_the_two_pass_reference() {
        // Every string of up to six of these characters, and longer ones built from them.
        let alphabet = ['1', '0', '9', ',', '.', '-', '，', ' ', 'a'];
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..6 {
            let mut next = Vec::new();
            for s in &last {
                for c in alphabet {
                    let mut t = s.clone();
                    t.push(c);
                    next.push(t);
                }
            }
            all.extend(next.iter().cloned());
            last = next;
        }
        for s in [
            "1,234,567.25",
            "12,345,678,901,234,567",
            "1234567890123456789",
            "12345678901234567890",
            "1,234,567,890,123,456,789.5",
            "9,99",
            "-1,234",
            "1，234",
        ] {
            all.push(s.to_string());
        }
        for t in &all {
            let got = plain_number(t).map(|(d, n)| (d.to_string(), d.scale(), n));
            let want = plain_number_two_passes(t).map(|(d, n)| (d.to_string(), d.scale(), n));
            let general = plain_number_general(t).map(|(d, n)| (d.to_string(), d.scale(), n));
            assert_eq!(got, general, "{t:?}");
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    fn every_spelling_may_be_a_label() {
        // Every string literal of `classify` and `shared_column`, and of the model's 二级
        // stems, starts with a character `may_be_label` lets through.
        let ours = include_str!("vocab.rs");
        let ours = &ours[ours.find("pub(crate) fn classify(").unwrap()
            ..ours.find("pub(crate) fn may_be_label(").unwrap()];
        let model = include_str!("../../../core/src/model.rs");
        let model = &model[model.find("impl Level2 {").unwrap()
            ..model.find("/// Remove every kind of white space").unwrap()];
        let mut count = 0;
        for source in [ours, model] {
            for literal in source.split('"').skip(1).step_by(2) {
                if literal.is_empty() || literal.contains('\\') {
                    continue;
                }
                count += 1;
                assert!(may_be_label(literal), "{literal}");
                assert!(may_be_label(&format!("{literal}(10分)")), "{literal}");
            }
        }
        assert!(count > 100, "{count}");
    }

    /// Cells that start with digits or a comparison (`=4878人次`, `4954人次`, `1.项目…`):
    /// whenever `may_be_label` says no, neither `classify` nor `shared_column` names the key.
    /// Every spelling of the source, and values, behind every kind of prefix `key` and
    /// `strip_decor` might change or remove.
    #[test]
    fn numbered_and_compared_cells_that_may_not_be_labels_are_none() {
        let ours = include_str!("vocab.rs");
        let ours = &ours[ours.find("pub(crate) fn classify(").unwrap()
            ..ours.find("pub(crate) fn may_be_label(").unwrap()];
        let mut bodies: Vec<&str> = ours
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|l| !l.is_empty() && !l.contains('\\'))
            .collect();
        bodies.extend([
            "人次",
            "件",
            "人",
            "万元",
            "表",
            "自评表",
            "自 评表",
            "衣",
            "㐀",
            "项目",
            "其中：当年财政拨款",
            "（万元）",
            "、产出指标",
            ".数量指标",
            " 数量指标",
            "|数量指标",
            "数量 指标",
            "指标",
        ]);
        let prefixes = [
            "",
            "1",
            "12",
            "2024",
            "0",
            "=",
            ">=",
            "<=",
            ">",
            "<",
            "=12",
            ">=95",
            "3 ",
            "4.",
            "5、",
            "6|",
            "7：",
            "8,",
            "9（",
            "10 0",
            "1.2",
            "=自评",
            "12自",
            "3\u{3000}",
        ];
        let suffixes = ["", "(10分)", "（10分）", "人次", "表", "指标", "等", " "];
        let mut said_no = 0;
        for prefix in prefixes {
            for body in &bodies {
                for suffix in suffixes {
                    let cell = format!("{prefix}{body}{suffix}");
                    let cell = cell.trim();
                    if cell.is_empty() || may_be_label(cell) {
                        continue;
                    }
                    said_no += 1;
                    let key = key(cell);
                    assert_eq!(classify(&key), None, "{cell}");
                    assert_eq!(shared_column(&key), None, "{cell}");
                }
            }
        }
        assert!(said_no > 1000, "{said_no}");
        for cell in ["=4878人次", "4954人次", ">=95%合格", "<=800元", "12件"] {
            assert!(!may_be_label(cell), "{cell}");
        }
        for cell in [
            "1.项目年度目标完成情况",
            "2024年度项目支出绩效自评表",
            "=自评表",
            "3 数量指标",
            "12数量指标",
            "1、产出指标",
        ] {
            assert!(may_be_label(cell), "{cell}");
        }
    }

    /// `plain_number`'s one-pass reading gives what `plain_number_general` gives, over texts
    /// joined from digits, dots, commas (well and badly placed), signs, white space, units
    /// and full-width commas, of every length around the 19 bytes it takes.
    #[test]
    fn plain_number_is_plain_number_general() {
        let pieces = [
            "0",
            "1",
            "5",
            "9",
            "00",
            "12",
            "123",
            "4567",
            ".",
            ",",
            "-",
            " ",
            "%",
            "万元",
            "，",
            "e",
            // Where the one-pass reading may stop: white space the general path trims
            // (ASCII, U+00A0, U+3000), other punctuation, and characters above U+4000.
            "\t",
            "\u{a0}",
            "\u{3000}",
            "\u{2003}",
            "≥",
            "人次",
            "+",
            "~",
            "\u{7f}",
            "—",
            "\u{2028}",
            "\u{85}",
            "\u{1680}",
            "07",
            "999",
            "1,000",
            "12,345.67",
            "0.5",
            "5,07,500",
            "999999999",
        ];
        let mut next = crate::text::xorshift(0x2545_f491_4f6c_dd1d);
        let mut some = 0;
        for round in 0..120_000 {
            let text: String = (0..1 + round % 7)
                .map(|_| pieces[next(pieces.len())])
                .collect();
            let want = plain_number_general(&text);
            some += usize::from(want.is_some());
            let got = plain_number(&text);
            // The same value and scale (`Decimal`'s `==` ignores the scale).
            assert_eq!(
                got.map(|(v, d)| (v.mantissa(), v.scale(), d)),
                want.map(|(v, d)| (v.mantissa(), v.scale(), d)),
                "{text}"
            );
        }
        assert!(some > 3_000, "{some}");
    }

    #[test]
    fn bare_amount_is_plain_number_and_amount_is_amount_general() {
        let pieces = [
            "0",
            "1",
            "5",
            "9",
            "00",
            "12",
            "123",
            "4567",
            "99999999",
            ".",
            ",",
            "-",
            " ",
            "%",
            "万元",
            "元",
            "¥",
            "，",
            "e",
            "\t",
            "\u{a0}",
            "\u{3000}",
            "/",
            ":",
            "人",
            "1,000",
            "12,345.67",
            "0.5",
            "558219",
            "636288.33",
        ];
        let mut next = crate::text::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut bare = 0;
        for round in 0..150_000 {
            let text: String = (0..1 + round % 8)
                .map(|_| pieces[next(pieces.len())])
                .collect();
            assert_eq!(
                plain_value(&text).map(|v| (v.mantissa(), v.scale())),
                plain_number(&text).map(|(v, _)| (v.mantissa(), v.scale())),
                "{text}"
            );
            // Into a place that held a value before or none.
            for mut put in [None, Some(Decimal::ONE)] {
                put_plain_value(&mut put, &text);
                assert_eq!(
                    put.map(|v| (v.mantissa(), v.scale())),
                    plain_number(&text).map(|(v, _)| (v.mantissa(), v.scale())),
                    "{text}"
                );
            }
            let fast = bare_amount(text.as_bytes());
            if let Some(v) = fast {
                bare += 1;
                let (p, d) = plain_number(&text).expect(&text);
                assert_eq!(
                    (v.mantissa(), v.scale()),
                    (p.mantissa(), p.scale()),
                    "{text}"
                );
                assert_eq!(v.scale(), d, "{text}");
            }
            for unit in [None, Some("元"), Some("万元")] {
                assert_eq!(
                    amount(&text, unit).map(|v| (v.mantissa(), v.scale())),
                    amount_general(&text, unit).map(|v| (v.mantissa(), v.scale())),
                    "{text}"
                );
            }
        }
        assert!(bare > 10_000, "{bare}");
        // Every amount of the generated and published forms' shapes, digit counts 1 to 19.
        for digits in 1..=19usize {
            for dot in 0..=digits {
                let mut text: String = (0..digits)
                    .map(|k| char::from(b'0' + ((k * 7 + digits) % 10) as u8))
                    .collect();
                if dot < digits {
                    text.insert(dot, '.');
                }
                assert_eq!(
                    amount(&text, None).map(|v| (v.mantissa(), v.scale())),
                    amount_general(&text, None).map(|v| (v.mantissa(), v.scale())),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn what_may_not_be_a_label_is_classified_as_none() {
        let cells = [
            "数据准确率",
            "工伤鉴定",
            "有效",
            "≥95%",
            "—",
            "优",
            "人次",
            "按时",
            "提升业务人员能力",
            "财政项目支出绩效自评表",
            "某某项目支出绩效 自评表",
            "其中：当年财政拨款",
            "（万元）",
            "\u{3000}项目名称",
            "1.项目年度目标完成情况",
            "|经济效益指标",
            "项 目 名 称",
            "表",
            "社会效益指标",
            "服务对象满意度指标等",
            "满意度",
            "可持续影响指标（10分）",
        ];
        for cell in cells {
            if !may_be_label(cell) {
                let key = key(cell);
                assert_eq!(classify(&key), None, "{cell}");
                assert_eq!(shared_column(&key), None, "{cell}");
            }
        }
        assert!(!may_be_label("工伤鉴定"));
        assert!(may_be_label("某某项目支出绩效 自评表"));
        // The CJK block decoded from its bytes as `chars` decodes it.
        for c in (0x4000..0xA000).filter_map(char::from_u32) {
            let want = LABEL_FIRST_CHARS.contains(&c) || c == '表';
            assert_eq!(may_be_label(&c.to_string()), want, "{c}");
            assert_eq!(may_be_label(&format!("{c}工伤")), want, "{c}");
        }
        for n in 0..20 {
            // Every position of 表 in cells of every length around a word.
            for at in 0..=n {
                let mut cell: String = "工伤鉴定".chars().cycle().take(n).collect();
                let byte = cell.char_indices().nth(at).map_or(cell.len(), |(i, _)| i);
                cell.insert(byte, '表');
                assert!(holds_biao(cell.as_bytes()), "{cell}");
                assert!(holds_biao(format!("a{cell}").as_bytes()), "{cell}");
                let other = cell.replace('表', "衣");
                assert!(!holds_biao(other.as_bytes()), "{other}");
            }
            let filler = "工伤鉴定".chars().cycle().take(n).collect::<String>();
            assert!(may_be_label(&format!("{filler}表{filler}")), "{n}");
            assert!(!may_be_label(&format!("{filler}衣{filler}")), "{n}");
        }
    }

    #[test]
    fn holds_biao_is_contains_biao() {
        // Characters whose bytes are A8 or A9 (a flagged A8 borrows into an A9 above it) in
        // every position, with 表 and its look-alikes, over cells of every length up to 30.
        let pieces = [
            "表", "衣", "訨", "訩", "訨表", "ꂨ", "¨", "©", "a", "工", "表訩", "詨",
        ];
        let mut cells = 0;
        for n in 0..10usize {
            for seed in 0..pieces.len() * pieces.len() {
                let cell: String = (0..n)
                    .map(|k| pieces[(seed * 7 + k * (seed % 5 + 1)) % pieces.len()])
                    .collect();
                assert_eq!(holds_biao(cell.as_bytes()), cell.contains('表'), "{cell}");
                // The inline filter never turns away a text that holds 表, and turns away
                // every short one without an A8 byte.
                if cell.contains('表') {
                    assert!(may_hold_biao(cell.as_bytes()), "{cell}");
                }
                if (3..=16).contains(&cell.len()) && !cell.as_bytes().contains(&0xA8) {
                    assert!(!may_hold_biao(cell.as_bytes()), "{cell}");
                }
                cells += 1;
            }
        }
        assert!(cells > 1000);
    }

    #[test]
    fn operators_and_units_are_short_and_start_with_no_digit() {
        let ours = include_str!("vocab.rs");
        for f in ["pub(crate) fn is_operator(", "pub(crate) fn is_bare_unit("] {
            let body = &ours[ours.find(f).unwrap()..];
            let body = &body[..body.find("\n}\n").unwrap()];
            let mut count = 0;
            for literal in body.split('"').skip(1).step_by(2) {
                count += 1;
                assert!(literal.len() <= 12, "{literal}");
                assert!(!literal.as_bytes()[0].is_ascii_digit(), "{literal}");
                assert!(is_operator(literal) || is_bare_unit(literal), "{literal}");
            }
            assert!(count > 20, "{f}: {count}");
        }
    }

    #[test]
    fn plain_number_rejects_by_the_first_byte_as_the_parser_does() {
        for t in [
            "数据准确率",
            "≥95%",
            "—",
            "a1",
            "+1",
            ".5",
            "(1)",
            " 12",
            "\u{3000}12",
            "\u{a0}7.5",
            "\u{feff}1",
            "-",
            "-1",
            "１２",
        ] {
            let slow = {
                let t = t.trim();
                let body = t.strip_prefix('-').unwrap_or(t);
                body.as_bytes().first().is_some_and(u8::is_ascii_digit)
            };
            if !slow {
                assert_eq!(plain_number(t), None, "{t:?}");
            }
        }
        assert_eq!(plain_number(" 12").map(|(d, _)| d), Some(Decimal::from(12)));
        assert_eq!(
            plain_number("\u{3000}12").map(|(d, _)| d),
            Some(Decimal::from(12))
        );
    }
}
