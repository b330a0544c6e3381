//! What changed between two versions of a form (改动), computed once when a version is saved
//! and kept with its history entry, so that showing a history never decodes old forms.

use jixiao_core::Evaluation;

/// What changed between two versions of a form, as short lines (`indicators[3].score: 5 → 7`).
pub fn diff(old: &Evaluation, new: &Evaluation) -> Vec<String> {
    fn show<T: std::fmt::Display>(v: &Option<T>) -> String {
        v.as_ref().map_or_else(|| "—".to_owned(), |v| v.to_string())
    }
    let mut out = Vec::new();
    let mut field = |name: String, a: String, b: String| {
        if a != b {
            out.push(format!("{name}: {a} → {b}"));
        }
    };
    field("year".into(), show(&old.year), show(&new.year));
    field("project".into(), show(&old.project), show(&new.project));
    field(
        "department".into(),
        show(&old.department),
        show(&new.department),
    );
    field("unit".into(), show(&old.unit), show(&new.unit));
    field(
        "goal_expected".into(),
        show(&old.goal_expected),
        show(&new.goal_expected),
    );
    field(
        "goal_actual".into(),
        show(&old.goal_actual),
        show(&new.goal_actual),
    );
    let rows = [
        ("total", &old.funds.total, &new.funds.total),
        (
            "appropriation",
            &old.funds.appropriation,
            &new.funds.appropriation,
        ),
        ("carryover", &old.funds.carryover, &new.funds.carryover),
        ("other", &old.funds.other, &new.funds.other),
    ];
    for (name, a, b) in rows {
        field(
            format!("funds.{name}.initial"),
            show(&a.initial),
            show(&b.initial),
        );
        field(
            format!("funds.{name}.adjusted"),
            show(&a.adjusted),
            show(&b.adjusted),
        );
        field(
            format!("funds.{name}.executed"),
            show(&a.executed),
            show(&b.executed),
        );
    }
    field(
        "reported.budget_score".into(),
        show(&old.funds.score.map(|s| s.value)),
        show(&new.funds.score.map(|s| s.value)),
    );
    field(
        "reported.total".into(),
        show(&old.total_score.map(|s| s.value)),
        show(&new.total_score.map(|s| s.value)),
    );
    let n = old.indicators.len().max(new.indicators.len());
    for i in 0..n {
        match (old.indicators.get(i), new.indicators.get(i)) {
            (Some(a), Some(b)) => {
                let p = format!("indicators[{i}]");
                field(format!("{p}.name"), a.name.to_string(), b.name.to_string());
                field(format!("{p}.target"), show(&a.target), show(&b.target));
                field(format!("{p}.actual"), show(&a.actual), show(&b.actual));
                field(format!("{p}.weight"), show(&a.weight), show(&b.weight));
                field(format!("{p}.score"), show(&a.score), show(&b.score));
                field(format!("{p}.reason"), show(&a.reason), show(&b.reason));
            }
            (Some(a), None) => field(format!("indicators[{i}]"), a.name.to_string(), "—".into()),
            (None, Some(b)) => field(format!("indicators[{i}]"), "—".into(), b.name.to_string()),
            (None, None) => {}
        }
    }
    out
}
