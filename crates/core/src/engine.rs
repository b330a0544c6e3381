//! One call: score, then review.

use crate::finding::Finding;
use crate::model::Evaluation;
use crate::profile::Profile;
use crate::review::review;
use crate::score::{score, Scorecard};
use serde::Serialize;

/// A form's scorecard and findings.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub scorecard: Scorecard,
    pub findings: Vec<Finding>,
}

/// Score and review a form; findings sorted by location, then severity (errors first).
pub fn assess(ev: &Evaluation, profile: &Profile) -> Assessment {
    let scorecard = score(ev, profile);
    let mut findings = review(ev, &scorecard, profile);
    findings.sort_by(|a, b| {
        (
            a.location.is_none(),
            &a.location,
            std::cmp::Reverse(a.severity),
        )
            .cmp(&(
                b.location.is_none(),
                &b.location,
                std::cmp::Reverse(b.severity),
            ))
    });
    Assessment {
        scorecard,
        findings,
    }
}
