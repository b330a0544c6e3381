//! Measure parsing: every operator spelling, units, ranges, deadlines and qualitative text.

use jixiao_core::measure::{parse_printed_rate, MeasureKind, Operator};
use jixiao_core::Measure;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn qty(printed: &str) -> (Operator, Decimal, Option<String>) {
    match Measure::parse(printed).kind {
        MeasureKind::Quantity { op, number, unit } => (op, number, unit.map(String::from)),
        other => panic!("{printed:?} parsed as {other:?}"),
    }
}

#[test]
fn every_operator_spelling() {
    for s in [
        ">=95%",
        "≥95%",
        "≧95%",
        "不少于95%",
        "不低于95%",
        "大于等于95%",
        "95%以上",
    ] {
        assert_eq!(qty(s).0, Operator::AtLeast, "{s}");
    }
    for s in ["<=5", "≤5", "≦5", "不高于5", "不超过5", "小于等于5"] {
        assert_eq!(qty(s).0, Operator::AtMost, "{s}");
    }
    for s in ["=5", "═5", "＝5"] {
        assert_eq!(qty(s).0, Operator::Exact, "{s}");
    }
    assert_eq!(qty(">5").0, Operator::Greater);
    assert_eq!(qty("<5").0, Operator::Less);
    assert_eq!(
        qty("5000户"),
        (Operator::NoOperator, dec!(5000), Some("户".into()))
    );
}

#[test]
fn numbers_percent_and_units() {
    assert_eq!(qty("215,457.6元").1, dec!(215457.6));
    assert_eq!(
        qty("≥ 95 %"),
        (Operator::AtLeast, dec!(95), Some("%".into()))
    );
    assert_eq!(qty("≥100百分比").2.as_deref(), Some("%"));
    assert_eq!(qty("98％").2.as_deref(), Some("%"));
    assert_eq!(
        qty("=3000件"),
        (Operator::Exact, dec!(3000), Some("件".into()))
    );
    assert_eq!(qty("≧735人次").2.as_deref(), Some("人次"));
    assert_eq!(qty("≤90万元").2.as_deref(), Some("万元"));
    assert_eq!(qty("1200平方米").2.as_deref(), Some("平方米"));
    assert_eq!(qty("=0"), (Operator::Exact, dec!(0), None));
    assert_eq!(
        qty("0次"),
        (Operator::NoOperator, dec!(0), Some("次".into()))
    );
    assert!(Measure::parse("99%").is_percent());
    assert_eq!(Measure::parse("4023件").number(), Some(dec!(4023)));
}

#[test]
fn ranges() {
    for s in ["90%-100%", "90%~100%", "90-100%", "90％～100％"] {
        assert_eq!(
            Measure::parse(s).kind,
            MeasureKind::Range {
                low: dec!(90),
                high: dec!(100),
                unit: Some("%".into())
            },
            "{s}"
        );
    }
}

#[test]
fn deadlines_and_text() {
    for s in ["12月底前", "2023年12月31日前", "年底前", "按时"] {
        assert!(
            matches!(Measure::parse(s).kind, MeasureKind::Deadline { .. }),
            "{s}"
        );
    }
    for s in [
        "及时",
        "有效",
        "合规",
        "完整",
        "高效",
        "缩短",
        "效果明显",
        "达成预期指标",
    ] {
        assert!(
            matches!(Measure::parse(s).kind, MeasureKind::Text { .. }),
            "{s}"
        );
    }
    assert_eq!(Measure::parse("").kind, MeasureKind::Empty);
    assert_eq!(Measure::parse("  高效 ").printed, "  高效 ");
}

#[test]
fn printed_rates() {
    let r = parse_printed_rate("86.19%").unwrap();
    assert_eq!(r.value, dec!(0.8619));
    assert_eq!(r.decimals, 2);
    assert_eq!(parse_printed_rate("100%").unwrap().value, dec!(1));
    assert_eq!(parse_printed_rate("0").unwrap().value, dec!(0));
}

proptest! {
    #[test]
    fn parse_canonical_round_trip(s in "\\PC{0,12}") {
        let m = Measure::parse(&s);
        prop_assert_eq!(Measure::parse(&m.canonical()).kind, m.kind);
    }

    #[test]
    fn formed_values_round_trip(
        op in prop::sample::select(vec![">=", "≥", "≧", "不少于", "≤", "≦", "不超过", "=", "═", "＝", "", ">", "<"]),
        int in 0u64..10_000_000, frac in 0u32..100,
        unit in prop::sample::select(vec!["", "%", "％", "百分比", "元", "万元", "件", "人次", "平方米", "公里"]),
    ) {
        let s = format!("{op}{int}.{frac:02}{unit}");
        let m = Measure::parse(&s);
        let is_qty = matches!(m.kind, MeasureKind::Quantity { .. });
        prop_assert!(is_qty, "{} -> {:?}", s, m.kind);
        prop_assert_eq!(m.number(), Some(Decimal::from(int) + Decimal::new(frac.into(), 2)));
        prop_assert_eq!(Measure::parse(&m.canonical()).kind, m.kind);

    }

    #[test]
    fn ranges_round_trip(a in 0u32..1000, b in 0u32..1000) {
        let (lo, hi) = (a.min(b), a.max(b));
        let m = Measure::parse(&format!("{lo}%-{hi}%"));
        let is_range = matches!(m.kind, MeasureKind::Range { .. });
        prop_assert!(is_range);
        prop_assert_eq!(Measure::parse(&m.canonical()).kind, m.kind);
    }
}

proptest! {
    /// Fragments of real cells glued in any order: the parser must stay total and canonical.
    #[test]
    fn fragment_soup_round_trip(parts in prop::collection::vec(prop::sample::select(vec![
        "≥", ">=", "=", "═", "≤", "不少于", "以上", "以内", "-", "~", "至", ",", ".", "%", "％",
        "百分比", "0", "9", "12", "3,000", "95.5", "件", "人次", "万元", "月", "底", "前", "年",
        "日", "及时", "有效", "达成", " ", "未",
    ]), 0..7)) {
        let s: String = parts.concat();
        let m = Measure::parse(&s);
        prop_assert_eq!(Measure::parse(&m.canonical()).kind, m.kind);
    }
}
