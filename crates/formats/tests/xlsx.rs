//! The xlsx reader and writer: round trips, variants, merged cells, hostile workbooks.

use jixiao_core::model::{FormLocs, IndicatorLocs};
use jixiao_core::{Evaluation, Profile};
use jixiao_formats::xlsx::{self, XlsxOptions};
use jixiao_formats::{read_bytes, InputShape, ReadOutcome};
use std::path::PathBuf;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The model values of a form, without the source locations (which differ between a text
/// and a workbook by design).
fn values(ev: &Evaluation) -> Evaluation {
    let mut ev = ev.clone();
    ev.at = FormLocs::default();
    for row in [
        &mut ev.funds.total,
        &mut ev.funds.appropriation,
        &mut ev.funds.carryover,
        &mut ev.funds.other,
    ] {
        row.at = None;
    }
    for (_, row) in &mut ev.funds.extra {
        row.at = None;
    }
    for ind in &mut ev.indicators {
        ind.at = IndicatorLocs::default();
    }
    ev
}

fn forms(outcome: &ReadOutcome) -> Vec<Evaluation> {
    outcome
        .forms
        .iter()
        .map(|f| values(&f.evaluation))
        .collect()
}

fn codes(outcome: &ReadOutcome) -> Vec<String> {
    outcome
        .diagnostics
        .iter()
        .chain(outcome.forms.iter().flat_map(|f| &f.diagnostics))
        .map(|f| f.code.clone())
        .collect()
}

fn round_trip(name: &str, options: XlsxOptions<'_>) {
    let original = read_bytes(&fixture(name));
    assert!(!original.forms.is_empty(), "{name}: nothing read");
    let before = forms(&original);
    let evs: Vec<Evaluation> = original
        .forms
        .iter()
        .map(|f| f.evaluation.clone())
        .collect();
    let bytes = xlsx::write_xlsx(&evs, options).expect("write");
    assert!(xlsx::is_xlsx(&bytes));
    let back = read_bytes(&bytes);
    assert_eq!(back.shape, InputShape::Xlsx);
    let after = forms(&back);
    assert_eq!(
        before.len(),
        after.len(),
        "{name}: form count; {:?}",
        codes(&back)
    );
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(
            b, a,
            "{name}: form {i} differs after the round trip; diagnostics {:?}",
            back.forms[i].diagnostics
        );
    }
}

#[test]
fn seed_round_trips_through_xlsx() {
    round_trip("songjiang-2023.tsv", XlsxOptions::default());
}

#[test]
fn published_forms_round_trip_through_xlsx() {
    for name in [
        "published/02-raw.txt",
        "published/03-raw.txt",
        "published/07-raw.txt",
    ] {
        round_trip(name, XlsxOptions::default());
    }
}

#[test]
fn seed_round_trips_on_one_sheet_and_with_review() {
    round_trip(
        "songjiang-2023.tsv",
        XlsxOptions {
            review: None,
            one_sheet: true,
        },
    );
    let profile = Profile::builtin("central-2020").unwrap();
    round_trip(
        "songjiang-2023.tsv",
        XlsxOptions {
            review: Some(&profile),
            one_sheet: false,
        },
    );
}
