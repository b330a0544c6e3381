//! Numbers at the ends of `Decimal`'s range, read from a form or a profile, in every numeric
//! field: scoring never panics (rust_decimal's operators panic on overflow), and a number that
//! does not fit is not computed (`None`) with a note saying why, never an invented number.

mod common;
use common::*;
use jixiao_core::profile::ReverseFormula;
use jixiao_core::score::OVERFLOW_NOTE;
use jixiao_core::{assess, score, Evaluation, FundRow, PrintedDecimal, Profile, BUILTIN_PROFILES};
use rust_decimal::Decimal;

/// The ends of the range and the values next to zero.
fn extremes() -> Vec<Decimal> {
    vec![
        Decimal::MAX,
        Decimal::MIN,
        Decimal::new(1, 28),
        Decimal::new(-1, 28),
        Decimal::ZERO,
        Decimal::ONE,
        Decimal::NEGATIVE_ONE,
        Decimal::MAX - Decimal::ONE,
        Decimal::new(5, 1),
        d("100"),
    ]
}

/// The shipped profiles, and each also with the other formulas a user's profile may choose
/// (reverse linear, `=` scored by deviation), and with weights of the extremes.
fn profiles() -> Vec<Profile> {
    let mut out = Vec::new();
    for name in BUILTIN_PROFILES {
        let p = Profile::builtin(name).expect("shipped profile");
        let mut linear = p.clone();
        linear.scoring.reverse_formula = ReverseFormula::Linear;
        linear.scoring.exact_as_positive = false;
        let mut heavy = linear.clone();
        heavy.budget.weight = Decimal::MAX;
        out.extend([p, linear, heavy]);
    }
    out
}

/// Every numeric field of the form, as a setter of one value.
type Setter = fn(&mut Evaluation, Decimal);

fn setters() -> Vec<(&'static str, Setter)> {
    fn row(r: &mut FundRow, i: usize, v: Decimal) {
        *[&mut r.initial, &mut r.adjusted, &mut r.executed][i] = Some(v);
    }
    vec![
        ("total.initial", |e, v| row(&mut e.funds.total, 0, v)),
        ("total.adjusted", |e, v| row(&mut e.funds.total, 1, v)),
        ("total.executed", |e, v| row(&mut e.funds.total, 2, v)),
        ("appropriation.initial", |e, v| {
            row(&mut e.funds.appropriation, 0, v)
        }),
        ("appropriation.adjusted", |e, v| {
            row(&mut e.funds.appropriation, 1, v)
        }),
        ("appropriation.executed", |e, v| {
            row(&mut e.funds.appropriation, 2, v)
        }),
        ("carryover.adjusted", |e, v| {
            row(&mut e.funds.carryover, 1, v)
        }),
        ("carryover.executed", |e, v| {
            row(&mut e.funds.carryover, 2, v)
        }),
        ("other.initial", |e, v| row(&mut e.funds.other, 0, v)),
        ("other.executed", |e, v| row(&mut e.funds.other, 2, v)),
        ("funds.weight", |e, v| e.funds.weight = Some(v)),
        ("funds.rate", |e, v| {
            e.funds.rate = Some(PrintedDecimal::new(v, v.scale()))
        }),
        ("funds.rate 28 decimals", |e, v| {
            e.funds.rate = Some(PrintedDecimal::new(v, 28))
        }),
        ("funds.score", |e, v| {
            e.funds.score = Some(PrintedDecimal::new(v, u32::MAX))
        }),
        ("total_weight", |e, v| e.total_weight = Some(v)),
        ("total_score", |e, v| {
            e.total_score = Some(PrintedDecimal::new(v, v.scale()))
        }),
        ("indicator weights", |e, v| {
            e.indicators.iter_mut().for_each(|i| i.weight = Some(v))
        }),
        ("indicator scores", |e, v| {
            e.indicators.iter_mut().for_each(|i| i.score = Some(v))
        }),
        ("first weight", |e, v| e.indicators[0].weight = Some(v)),
        ("first score", |e, v| e.indicators[0].score = Some(v)),
        ("targets", |e, v| {
            let ops = ["≥", "≤", "=", "<", ">", ""];
            for (k, i) in e.indicators.iter_mut().enumerate() {
                i.target = Some(format!("{}{v}件", ops[k % ops.len()]).into());
            }
        }),
        ("actuals", |e, v| {
            e.indicators
                .iter_mut()
                .for_each(|i| i.actual = Some(format!("{v}件").into()))
        }),
        ("ranges", |e, v| {
            e.indicators
                .iter_mut()
                .for_each(|i| i.target = Some(format!("{v}-{v}件").into()))
        }),
    ]
}

/// A form of quantitative indicators of every operator (so each formula runs), in a unit the
/// `targets`/`actuals` setters keep.
fn base() -> Evaluation {
    form()
        .ind("数量指标", "正向", "≥3件", "2件", "20", "10")
        .ind("数量指标", "反向", "≤3件", "6件", "15", "5")
        .ind("质量指标", "等于", "=3件", "2件", "15", "10")
        .ind("时效指标", "小于", "<3件", "9件", "15", "3")
        .ind("社会效益指标", "大于", ">3件", "1件", "25", "8")
        .ind("服务对象满意度指标", "定性", "好", "良好", "10", "10")
        .build()
}

/// The forms of the loop: one field, then two fields at a time, set to extremes.
fn forms() -> Vec<(String, Evaluation)> {
    let (setters, values) = (setters(), extremes());
    let mut out = Vec::new();
    for (name, set) in &setters {
        for v in &values {
            let mut ev = base();
            set(&mut ev, *v);
            out.push((format!("{name} = {v}"), ev));
        }
    }
    // Pairs, chosen by a fixed generator so the run is the same each time.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let (a, b) = ((x % 97) as usize, ((x >> 20) % 89) as usize);
        let (sa, sb) = (&setters[a % setters.len()], &setters[b % setters.len()]);
        let (va, vb) = (
            values[(x >> 40) as usize % values.len()],
            values[(x >> 50) as usize % values.len()],
        );
        let mut ev = base();
        sa.1(&mut ev, va);
        sb.1(&mut ev, vb);
        out.push((format!("{} = {va}, {} = {vb}", sa.0, sb.0), ev));
    }
    out
}

#[test]
fn scoring_extreme_numbers_never_panics_and_explains_what_it_cannot_compute() {
    let profiles = profiles();
    let mut overflow_notes = 0;
    for (what, ev) in forms() {
        for p in &profiles {
            let card = score(&ev, p);
            // Nothing not computed without a reason.
            for is in &card.indicators {
                assert!(
                    is.computed.is_some() || is.note.is_some(),
                    "{what} ({}): indicator {} not computed and no note",
                    p.name,
                    is.index
                );
                overflow_notes += usize::from(is.note.as_deref() == Some(OVERFLOW_NOTE));
            }
            if !ev.truncated && (card.budget_score.is_none() || card.total.is_none()) {
                assert!(
                    !card.notes.is_empty(),
                    "{what} ({}): no total and no note",
                    p.name
                );
            }
            overflow_notes += card.notes.iter().filter(|n| *n == OVERFLOW_NOTE).count();
        }
    }
    assert!(
        overflow_notes > 100,
        "the loop reaches the overflows ({overflow_notes})"
    );
}

/// The scorecard says a number was too large to compute with.
fn assert_says_overflow(card: &jixiao_core::Scorecard) {
    assert!(
        card.notes.iter().any(|n| n == OVERFLOW_NOTE),
        "{:?}",
        card.notes
    );
}

/// Every overflow of the reproductions, one at a time: `None` and the note.
#[test]
fn numbers_too_large_are_not_computed_and_say_so() {
    let max = Decimal::MAX;
    let tiny = Decimal::new(1, 28);
    let p = Profile::default();

    // Budget tiny, executed huge: B / A does not fit.
    let ev = Form::standard()
        .with(|e| {
            e.funds.total.adjusted = Some(tiny);
            e.funds.total.executed = Some(max);
        })
        .build();
    let card = score(&ev, &p);
    assert!(card.execution_rate.is_none() && card.budget_score.is_none() && card.total.is_none());
    assert_says_overflow(&card);

    // A rate of MAX: the rate is computed, its percent is not, so there is no budget score.
    let ev = form()
        .with(|e| {
            e.funds.total.adjusted = Some(Decimal::ONE);
            e.funds.total.executed = Some(max);
        })
        .build();
    let card = score(&ev, &p);
    assert_eq!(card.execution_rate.as_ref().map(|c| c.value), Some(max));
    assert!(card.budget_score.is_none());
    assert_says_overflow(&card);
    assert!(jixiao_core::score::pct(max).contains("× 100%"));

    // W × A / T: 8 × 10^28 does not fit.
    let ev = form()
        .ind(
            "数量指标",
            "邮寄数",
            "≥79228162514264337593543950335件",
            "10000000000000000000000000000件",
            "8",
            "8",
        )
        .build();
    let card = score(&ev, &p);
    let is = &card.indicators[0];
    assert!(is.computed.is_none());
    assert_eq!(is.note.as_deref(), Some(OVERFLOW_NOTE));
    // The printed score stands in for it, as for any indicator no rule scores.
    assert_eq!(card.indicator_total.as_ref().map(|c| c.value), Some(d("8")));

    // Printed scores of MAX (in their band: kept) do not add up.
    let ev = form()
        .ind(
            "社会效益指标",
            "甲",
            "好",
            "良好",
            &max.to_string(),
            &max.to_string(),
        )
        .ind(
            "社会效益指标",
            "乙",
            "好",
            "良好",
            &max.to_string(),
            &max.to_string(),
        )
        .build();
    let card = score(&ev, &p);
    assert!(card.indicator_total.is_none() && card.total.is_none() && card.grade.is_none());
    assert_says_overflow(&card);

    // One score of MAX: the indicators add up, the budget score on top does not.
    let ev = form()
        .ind(
            "社会效益指标",
            "甲",
            "好",
            "良好",
            &max.to_string(),
            &max.to_string(),
        )
        .build();
    let card = score(&ev, &p);
    assert_eq!(card.indicator_total.as_ref().map(|c| c.value), Some(max));
    assert!(card.total.is_none() && card.grade.is_none());
    assert_says_overflow(&card);

    // A deviation `|A − T| / T` that does not fit (a profile scoring `=` by deviation).
    let mut dev = p.clone();
    dev.scoring.exact_as_positive = false;
    let ev = form()
        .ind(
            "数量指标",
            "等于",
            "=0.0000000000000000000000000001件",
            "79228162514264337593543950335件",
            "8",
            "8",
        )
        .build();
    let is = &score(&ev, &dev).indicators[0];
    assert!(is.computed.is_none());
    assert_eq!(is.note.as_deref(), Some(OVERFLOW_NOTE));

    // A half unit of the 29th decimal does not exist: the tolerance is zero, not a panic.
    assert_eq!(PrintedDecimal::new(max, 28).tolerance(), Decimal::ZERO);
    assert_eq!(
        PrintedDecimal::new(max, u32::MAX).tolerance(),
        Decimal::ZERO
    );
}

/// The whole engine (score, then review) on the same forms.
#[test]
fn assessing_extreme_numbers_never_panics() {
    let profiles = profiles();
    for (_, ev) in forms() {
        for p in &profiles {
            assess(&ev, p);
        }
    }
}
