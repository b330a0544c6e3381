//! Numbers at the ends of `Decimal`'s range printed in a form's cells: reading, scoring and
//! reviewing never panic (rust_decimal's operators panic on overflow).
//!
//! Every number printed in each fixture is replaced, one at a time, by each extreme spelling
//! (the largest `Decimal`, a number one digit longer, the smallest positive one, a rate of
//! 26 decimals, the largest number in 万元 in a form kept in 元, …), and the result is read
//! and assessed under every shipped profile.

use jixiao_core::{assess, Profile, BUILTIN_PROFILES};
use jixiao_formats::read_bytes;
use std::path::PathBuf;

fn fixture_text(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name);
    std::fs::read_to_string(path).expect("fixture present")
}

const FIXTURES: [&str; 4] = [
    "songjiang-2023.tsv",
    "published/02-raw.txt",
    "published/03-raw.txt",
    "published/07-raw.txt",
];

/// The spellings put in place of a printed number.
const EXTREMES: [&str; 9] = [
    "79228162514264337593543950335",
    "792281625142643375935439503350",
    "0.0000000000000000000000000001",
    "-79228162514264337593543950335",
    "79228162514264337593543950335万元",
    "79228162514264337593543950335%",
    "0.0000000000000000000000000001%",
    "100.00000000000000000000000000%",
    "9999999999999999999",
];

/// Byte ranges of the maximal runs of ASCII digits, `.` and `,` that hold a digit.
fn number_runs(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || matches!(bytes[i], b'.' | b','))
            {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn extreme_numbers_in_any_cell_are_read_scored_and_reviewed_without_panic() {
    let profiles: Vec<Profile> = BUILTIN_PROFILES
        .iter()
        .map(|name| Profile::builtin(name).expect("shipped profile"))
        .collect();
    let mut assessed = 0usize;
    let mut failures = Vec::new();
    for name in FIXTURES {
        let text = fixture_text(name);
        for (start, end) in number_runs(&text) {
            for extreme in EXTREMES {
                let mutated = format!("{}{}{}", &text[..start], extreme, &text[end..]);
                let outcome = std::panic::catch_unwind(|| read_bytes(mutated.as_bytes()));
                let Ok(outcome) = outcome else {
                    failures.push(format!("reading: {name}, bytes {start}..{end} → {extreme}"));
                    continue;
                };
                for form in &outcome.forms {
                    for profile in &profiles {
                        let run = std::panic::catch_unwind(|| assess(&form.evaluation, profile));
                        if run.is_err() {
                            failures.push(format!(
                                "assessing: {name}, bytes {start}..{end} → {extreme}, profile {}",
                                profile.name
                            ));
                        }
                        assessed += 1;
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} panics, the first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
    // Every fixture holds dozens of numbers: thousands of forms were assessed.
    assert!(assessed > 5_000, "{assessed}");
}
