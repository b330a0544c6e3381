//! Review checks (审核): what reviewers find in real forms. One check = one entry in
//! [`CHECKS`].

use crate::finding::{Finding, Severity};
use crate::model::Evaluation;
use crate::profile::Profile;
use crate::score::Scorecard;

/// What every check sees.
pub struct Context<'a> {
    pub ev: &'a Evaluation,
    pub card: &'a Scorecard,
    pub profile: &'a Profile,
}

/// One review check.
pub struct Check {
    pub code: &'static str,
    pub severity: Severity,
    /// The rule it rests on.
    pub rule: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    /// Pushes findings; `review` stamps code, severity and (when empty) rule on them.
    pub run: fn(&Context, &mut Vec<Finding>),
}

/// Every check, in report order.
pub static CHECKS: &[Check] = &[];

/// Run every check.
pub fn review(ev: &Evaluation, card: &Scorecard, profile: &Profile) -> Vec<Finding> {
    let ctx = Context { ev, card, profile };
    let mut out = Vec::new();
    for check in CHECKS {
        let start = out.len();
        (check.run)(&ctx, &mut out);
        for f in &mut out[start..] {
            f.code = check.code.to_string();
            f.severity = check.severity;
            if f.rule.is_empty() {
                f.rule = check.rule.to_string();
            }
        }
    }
    out
}
