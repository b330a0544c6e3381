//! Rule profiles are data: every shipped profile parses, and bad files say what is wrong.

use jixiao_core::profile::{Denominator, ReverseFormula};
use jixiao_core::{Profile, ProfileError, BUILTIN_PROFILES};
use rust_decimal_macros::dec;

#[test]
fn every_shipped_profile_parses() {
    for name in BUILTIN_PROFILES {
        let p = Profile::builtin(name).unwrap_or_else(|| panic!("{name} does not parse"));
        assert_eq!(&p.name, name);
        assert_eq!(p.budget.weight + p.weights.total, dec!(100), "{name}");
        assert!(!p.title.is_empty());
    }
    assert!(Profile::builtin("nowhere").is_none());
}

#[test]
fn default_is_central_2020() {
    let p = Profile::default();
    assert_eq!(p.name, "central-2020");
    assert_eq!(p.budget.weight, dec!(10));
    assert_eq!(p.budget.denominator, Denominator::Adjusted);
    assert_eq!(
        (p.weights.output, p.weights.effect, p.weights.satisfaction),
        (dec!(50), dec!(30), dec!(10))
    );
    assert_eq!(p.scoring.reverse_formula, ReverseFormula::Ratio);
    assert_eq!(p.scoring.over_achievement, dec!(1.3));
    assert_eq!(p.qualitative.achieved, (dec!(0.8), dec!(1)));
    assert_eq!(p.budget.reason_below, dec!(0.9));
}

#[test]
fn yunnan_weighs_the_budget_20() {
    let p = Profile::builtin("yunnan-20").unwrap();
    assert_eq!(p.budget.weight, dec!(20));
    assert_eq!(p.weights.total, dec!(80));
}

#[test]
fn grades_are_half_open() {
    let p = Profile::default();
    assert_eq!(p.grade_for(dec!(90)), Some("优"));
    assert_eq!(p.grade_for(dec!(89.999)), Some("良"));
    assert_eq!(p.grade_for(dec!(60)), Some("中"));
    assert_eq!(p.grade_for(dec!(59.99)), Some("差"));
}

#[test]
fn bad_profiles_say_why() {
    let err = Profile::from_toml_str("name = 1").unwrap_err();
    assert!(matches!(err, ProfileError::Toml(_)));
    assert!(err.to_string().contains("TOML"));
    let text = include_str!("../profiles/central-2020.toml").replace("output = 50", "output = 60");
    let err = Profile::from_toml_str(&text).unwrap_err();
    assert!(matches!(err, ProfileError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("weights.total"));
}
