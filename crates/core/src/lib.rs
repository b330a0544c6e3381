//! Jixiao's engine (绩效自评引擎): the model of a 项目支出绩效自评表, measure parsing,
//! rule profiles, scoring and review checks.
//!
//! This crate is pure: it knows nothing of files, encodings, SQL or HTTP. Readers in
//! `jixiao-formats` build an [`Evaluation`]; [`score::score`] computes a [`score::Scorecard`]
//! under a [`profile::Profile`]; [`review::review`] lists the [`Finding`]s.
#![forbid(unsafe_code)]

pub mod finding;
pub mod model;

pub use finding::{Finding, Severity};
pub use model::{Evaluation, FundRow, Funds, Indicator, Level1, Level2, Loc, PrintedDecimal};
