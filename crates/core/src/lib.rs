//! Jixiao's engine (绩效自评引擎): the model of a 项目支出绩效自评表, measure parsing,
//! rule profiles, scoring and review checks.
//!
//! This crate is pure: it knows nothing of files, encodings, SQL or HTTP. Readers in
//! `jixiao-formats` build an [`Evaluation`]; [`score::score`] computes a [`score::Scorecard`]
//! under a [`profile::Profile`]; [`review::review`] lists the [`Finding`]s;
//! [`engine::assess`] does both.
#![forbid(unsafe_code)]

pub mod engine;
pub mod finding;
pub mod measure;
pub mod model;
pub mod num;
pub mod profile;
pub mod review;
pub mod score;

/// The string type of short derived text (measures, derivations); re-exported so callers need
/// no dependency of their own.
pub use compact_str::CompactString;
pub use engine::{assess, Assessment};
pub use finding::{Finding, Severity};
pub use measure::{Measure, MeasureKind, Operator};
pub use model::{Evaluation, FundRow, Funds, Indicator, Level1, Level2, Loc, PrintedDecimal};
pub use profile::{Profile, ProfileError, ProfileTag, BUILTIN_PROFILES};
pub use review::{review, Check, Context, CHECKS};
pub use score::{
    score, Achievement, Computed, Formula, GradeFormula, GradeResult, IndicatorKind,
    IndicatorScore, Scorecard,
};

/// A seeded linear congruential generator for the tests that hold a fast path to the general
/// one over generated inputs: each call steps the state (Knuth's MMIX constants) and returns
/// it, the same sequence on every run.
#[cfg(test)]
pub(crate) fn lcg(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state
    }
}
