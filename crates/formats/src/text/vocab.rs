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
pub(crate) fn has_whitespace(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether any byte of the word is below `n` (exact for the word as a whole; `n` ≤ 0x80).
    let any_below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH != 0;
    let bytes = text.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    let candidate = |x: u64| {
        any_below(x, 0x21) || any_below(x ^ (ONES * 0xC2), 1) || any_below(x ^ (ONES * 0xE0), 4)
    };
    for chunk in &mut chunks {
        let word = chunk
            .iter()
            .rev()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b));
        if candidate(word) && (at..at + 8).any(|i| whitespace_at(bytes, i)) {
            return true;
        }
        at += 8;
    }
    // The rest padded with `A`, which is no candidate.
    let rest = chunks.remainder();
    let word = (0..8).rev().fold(0u64, |w, i| {
        (w << 8) | u64::from(rest.get(i).copied().unwrap_or(b'A'))
    });
    candidate(word) && (at..bytes.len()).any(|i| whitespace_at(bytes, i))
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
        let digits = &bytes[i..i + 4];
        if digits.iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            let next = text
                .get(i + 4..)
                .and_then(|rest| rest.chars().find(|c| !c.is_whitespace()));
            if next == Some('年') {
                let year = digits
                    .iter()
                    .fold(0i32, |y, &d| y * 10 + i32::from(d - b'0'));
                if (1990..=2100).contains(&year) {
                    return Some(year);
                }
            }
        }
        i += 1;
    }
    None
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
pub(crate) fn plain_number(text: &str) -> Option<(Decimal, u32)> {
    // Trimmed, a number starts with a digit or a minus sign: a cell that starts with another
    // printable ASCII byte, or with a character from U+4000 up (lead byte `E4` and above; no
    // white space lies there), is none — most names and texts are decided here.
    if let Some(&first) = text.as_bytes().first() {
        if (first.is_ascii_graphic() && !first.is_ascii_digit() && first != b'-') || first >= 0xE4 {
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
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {}
            b'.' if dot.is_none() => dot = Some(i),
            b',' if dot.is_none() => commas = true,
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
    if commas && !thousands_well_placed(body, dot) {
        return None;
    }
    if body.len() == bytes.len() && body.len() <= 19 {
        // At most 19 digits, no sign: the mantissa fits a u64 and is exactly what `from_str`
        // gives (same digits, same scale), without its general parser.
        let mantissa = body
            .iter()
            .filter(|b| b.is_ascii_digit())
            .fold(0u64, |m, &b| m * 10 + u64::from(b - b'0'));
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
    let t = trim_ascii_ends(text).trim_start_matches(['¥', '￥']);
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
        ("万元", Some("元")) => Some(v * Decimal::from(10_000)),
        ("元", Some("万元")) => Some(v / Decimal::from(10_000)),
        _ => Some(v),
    }
}

/// An operator cell of the split-target variant (指标性质).
pub(crate) fn is_operator(text: &str) -> bool {
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
        let base: Vec<char> = "工伤鉴定认定准确送达率满意度指标，。“”—≥95%"
            .chars()
            .collect();
        for &c in &chars {
            for len in [0, 1, 5, 6, 7, 12, 20] {
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
                }
            }
        }
        assert!(!has_whitespace(""));
        assert!(!has_whitespace(&"。、“”—".repeat(10)));
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
