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
    sort_findings(&mut findings);
    Assessment {
        scorecard,
        findings,
    }
}

/// The order of findings: located ones first, by location, then by severity, errors first;
/// stable. (The review's tests sort by it too.)
pub(crate) fn sort_general(findings: &mut [Finding]) {
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
}

/// [`sort_general`]. When no location names a sheet (every text input), the order is that
/// of one integer a finding — whether it is unlocated, line, column, severity reversed —
/// compared instead of the `Loc`s (an `Option<String>` each), and findings already in order
/// are not sorted at all.
fn sort_findings(findings: &mut [Finding]) {
    if findings
        .iter()
        .any(|f| f.location.as_ref().is_some_and(|l| l.sheet.is_some()))
    {
        sort_general(findings);
        return;
    }
    let key = |f: &Finding| -> u128 {
        let severity = 2 - f.severity as u128; // Error (2) first
        match &f.location {
            None => 1 << 127 | severity,
            Some(l) => u128::from(l.line) << 64 | u128::from(l.column) << 32 | severity,
        }
    };
    if findings.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
        return;
    }
    // Stable: equal keys keep their order.
    findings.sort_by_key(key);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::model::Loc;

    /// The integer keys give the general order, stable, for every mix of unlocated findings,
    /// equal locations and severities; a sheet anywhere takes the general path.
    #[test]
    fn sorted_by_keys_as_by_locations() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for round in 0..3000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let count = (x >> 58) as usize % 12;
            let mut findings: Vec<Finding> = (0..count)
                .map(|i| {
                    let y = x.rotate_left(i as u32 * 7);
                    let severity =
                        [Severity::Info, Severity::Warning, Severity::Error][(y % 3) as usize];
                    let location = match (y >> 8) % 5 {
                        0 => None,
                        1 => Some(Loc::text(u32::MAX, u32::MAX)),
                        _ => Some(Loc::text(((y >> 16) % 4) as u32, ((y >> 24) % 3) as u32)),
                    };
                    let mut f = Finding::new(format!("F{i}"), severity, "", "").at(location);
                    if round % 50 == 0 && i == 0 {
                        f.location = Some(Loc::cell("Sheet1", 3, 2));
                    }
                    f
                })
                .collect();
            let mut want = findings.clone();
            sort_general(&mut want);
            sort_findings(&mut findings);
            assert_eq!(findings, want);
        }
    }
}
