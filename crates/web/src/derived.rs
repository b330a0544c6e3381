//! The engine's verdict kept with each saved version (派生数据): computed scores, total, grade
//! and findings, stored beside the form by the [`jixiao_store::Store`] when it is saved.
//!
//! Versions never change once saved, so their verdict is computed once — at save time, or by
//! [`backfill`] for forms saved before this existed or under another rule profile — and every
//! page view, list and dashboard reads it instead of running the engine. Nothing is kept in
//! the process: two `serve` processes read the same stored verdicts.

use crate::editor::{self, Computed, EditorInput};
use jixiao_core::{assess, Assessment, Evaluation, Loc, Profile, Severity};
use jixiao_store::{Scored, Store, StoreError};
use serde::{Deserialize, Serialize};

/// What the form page shows of an assessment (JSON in the store's `derived` column).
#[derive(Debug, Serialize, Deserialize)]
pub struct Derived {
    /// The editor's numbers for the stored rows (the read-only table shows the same).
    pub computed: Computed,
    /// Where each finding points in the source, in `computed.findings` order.
    pub locations: Vec<Option<Loc>>,
}

/// A fingerprint of the rule profile (`central-2020@2020:1a2b…`): a verdict computed under
/// another profile is recomputed.
pub fn profile_key(profile: &Profile) -> String {
    use sha2::Digest as _;
    let text = serde_json::to_vec(profile).unwrap_or_default();
    let hash = sha2::Sha256::digest(&text);
    let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{}@{}:{hex}", profile.name, profile.version)
}

/// The verdict of `form` under `profile`, ready to be stored with it.
pub fn scored(form: &Evaluation, assessment: &Assessment, profile: &Profile) -> Scored {
    let mut scored = crate::repr::scored(assessment);
    let mut codes: Vec<(String, i64)> = Vec::new();
    for f in &assessment.findings {
        match f.severity {
            Severity::Error => scored.errors += 1,
            Severity::Warning => scored.warnings += 1,
            _ => {}
        }
        match codes.iter_mut().find(|(c, _)| *c == f.code) {
            Some((_, n)) => *n += 1,
            None => codes.push((f.code.to_string(), 1)),
        }
    }
    scored.codes = codes;
    let input = EditorInput::from_evaluation(form);
    let derived = Derived {
        computed: editor::compute(&input, form, assessment, &[]),
        locations: assessment
            .findings
            .iter()
            .map(|f| f.location.clone())
            .collect(),
    };
    scored.derived = serde_json::to_string(&derived).ok();
    scored.profile = Some(profile_key(profile));
    scored
}

/// Assess `form` and give its verdict.
pub fn score(form: &Evaluation, profile: &Profile) -> Scored {
    let assessment = assess(form, profile);
    scored(form, &assessment, profile)
}

/// The stored verdict of a record, if it was computed under `profile` (`key`).
pub fn stored(record: &jixiao_store::EvaluationRecord, key: &str) -> Option<Derived> {
    if record.derived_profile.as_deref() != Some(key) {
        return None;
    }
    serde_json::from_str(record.derived.as_deref()?).ok()
}

/// The verdict of a record: the stored one, or computed now (a form saved before verdicts
/// were kept, or under another profile, until [`backfill`] has reached it).
pub fn of_record(record: &jixiao_store::EvaluationRecord, profile: &Profile, key: &str) -> Derived {
    if let Some(d) = stored(record, key) {
        return d;
    }
    let assessment = assess(&record.form, profile);
    let input = EditorInput::from_evaluation(&record.form);
    Derived {
        computed: editor::compute(&input, &record.form, &assessment, &[]),
        locations: assessment
            .findings
            .iter()
            .map(|f| f.location.clone())
            .collect(),
    }
}

/// Compute and store the verdict of every form that lacks one for this profile (run when the
/// server starts; a database from before verdicts were kept is brought up to date once).
/// Returns how many forms were updated.
pub async fn backfill(store: &dyn Store, profile: &Profile) -> Result<usize, StoreError> {
    let key = profile_key(profile);
    let mut done = 0;
    let mut after = 0;
    loop {
        let ids = store.needs_derive(&key, after, 200).await?;
        let Some(last) = ids.last() else { break };
        after = *last;
        for id in ids {
            let Some(record) = store.get_evaluation(id).await? else {
                continue;
            };
            let verdict = score(&record.form, profile);
            // `false`: saved meanwhile, and that save stored its own verdict.
            if store
                .set_derived(id, record.summary.version, &verdict)
                .await?
            {
                done += 1;
            }
        }
    }
    Ok(done)
}
