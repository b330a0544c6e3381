//! What the audit keeps of many forms: counts, sums, histograms, capped rollups and the top-N
//! examples — never the forms themselves. Memory does not grow with the number of forms
//! (rollups are capped; past the cap, departments and units are pooled under 其他).

use jixiao_core::score::effective_total;
use jixiao_core::{Assessment, Evaluation, Profile, Severity};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Most departments and units with a row of their own; the rest are pooled.
pub const MAX_DEPARTMENTS: usize = 2_000;
pub const MAX_UNITS: usize = 5_000;
/// Examples kept per finding code.
pub const EXAMPLES_PER_CODE: usize = 3;
/// Forms kept in "the most serious" list.
pub const TOP_FORMS: usize = 25;
/// Findings shown in full for each of the most serious forms.
pub const TOP_FORM_FINDINGS: usize = 12;

/// The label for pooled departments or units.
pub const OTHERS: &str = "（其他，未单列）";
/// The label for a blank department or unit.
pub const BLANK: &str = "（未填）";

/// Execution-rate histogram bins (computed rate, in percent): upper bounds, exclusive, except
/// the `=100` bin. Labels are in [`RATE_LABELS`].
pub const RATE_LABELS: [&str; 9] = [
    "<50%",
    "50–60%",
    "60–70%",
    "70–80%",
    "80–90%",
    "90–95%",
    "95–100%",
    "=100%",
    ">100%",
];

/// Reported − computed total deltas (points).
pub const DELTA_LABELS: [&str; 9] = [
    "≤−10",
    "−10~−5",
    "−5~−2",
    "−2~−0.5",
    "±0.5",
    "0.5~2",
    "2~5",
    "5~10",
    "≥10",
];

/// Grades in display order; anything else is counted under its own label after these.
pub const GRADES: [&str; 4] = ["优", "良", "中", "差"];

/// One example of a finding.
#[derive(Debug, Clone)]
pub struct Example {
    pub anchor: String,
    pub place: String,
    pub project: String,
    pub message: String,
}

/// A finding code over all forms.
#[derive(Debug, Clone)]
pub struct CodeStats {
    pub severity: Severity,
    pub count: u64,
    pub forms: u64,
    pub examples: Vec<Example>,
}

/// A department or unit rollup.
#[derive(Debug, Clone, Default)]
pub struct Rollup {
    pub forms: u64,
    pub adjusted_yuan: Decimal,
    pub executed_yuan: Decimal,
    pub reported_sum: Decimal,
    pub reported_n: u64,
    pub computed_sum: Decimal,
    pub computed_n: u64,
    pub errors: u64,
    pub warnings: u64,
    pub infos: u64,
    /// Computed grades: 优 良 中 差.
    pub grades: [u64; 4],
}

impl Rollup {
    fn merge(&mut self, o: &Rollup) {
        self.forms += o.forms;
        // Amounts and scores come from the forms: a sum that does not fit a Decimal leaves
        // the other's out (of the money, of the mean with its count) rather than panic.
        add_pair(
            (&mut self.adjusted_yuan, &mut self.executed_yuan),
            (o.adjusted_yuan, o.executed_yuan),
        );
        add_counted(
            &mut self.reported_sum,
            &mut self.reported_n,
            o.reported_sum,
            o.reported_n,
        );
        add_counted(
            &mut self.computed_sum,
            &mut self.computed_n,
            o.computed_sum,
            o.computed_n,
        );
        self.errors += o.errors;
        self.warnings += o.warnings;
        self.infos += o.infos;
        for (a, b) in self.grades.iter_mut().zip(o.grades) {
            *a += b;
        }
    }
    pub fn mean_reported(&self) -> Option<Decimal> {
        (self.reported_n > 0).then(|| self.reported_sum / Decimal::from(self.reported_n))
    }
    pub fn mean_computed(&self) -> Option<Decimal> {
        (self.computed_n > 0).then(|| self.computed_sum / Decimal::from(self.computed_n))
    }
}

/// One of the most serious forms, with its findings in full.
#[derive(Debug, Clone)]
pub struct SeriousForm {
    pub anchor: String,
    pub place: String,
    pub project: String,
    pub unit: String,
    pub reported: Option<Decimal>,
    pub computed: Option<Decimal>,
    pub counts: [u64; 3],
    pub findings: Vec<(Severity, String, String)>,
    /// Sort key: errors, warnings, |delta| (bigger is more serious).
    pub key: (u64, u64, Decimal),
}

/// A compact line about one form, handed to the caller as each form is done (for the
/// per-form list and the per-form sheet); the aggregate keeps none of these.
#[derive(Debug, Clone)]
pub struct FormLine {
    pub anchor: String,
    pub place: String,
    pub project: String,
    pub department: String,
    pub unit: String,
    pub reported: Option<Decimal>,
    pub computed: Option<Decimal>,
    pub reported_grade: Option<String>,
    pub computed_grade: Option<String>,
    pub rate: Option<Decimal>,
    /// info, warning, error.
    pub counts: [u64; 3],
    /// `CODE(指标 1, 3)` … in order of first appearance.
    pub codes: String,
}

/// Everything the report shows, in bounded memory.
#[derive(Debug, Clone, Default)]
pub struct Aggregate {
    pub forms: u64,
    pub indicators: u64,
    pub forms_with_findings: u64,
    /// Findings by severity: info, warning, error.
    pub findings: [u64; 3],
    pub adjusted_yuan: Decimal,
    pub executed_yuan: Decimal,
    /// Forms whose money could not be put in yuan (no money unit printed, or none read).
    pub money_unknown: u64,
    pub reported_grades: HashMap<String, u64>,
    pub computed_grades: HashMap<String, u64>,
    pub rate_bins: [u64; 9],
    pub rate_unknown: u64,
    pub delta_bins: [u64; 9],
    pub delta_unknown: u64,
    pub delta_sum: Decimal,
    pub delta_n: u64,
    pub codes: HashMap<String, CodeStats>,
    pub departments: HashMap<String, Rollup>,
    pub units: HashMap<String, Rollup>,
    pub top: Vec<SeriousForm>,
}

/// Adds both amounts, or neither when either sum would not fit a `Decimal`; `false` then.
fn add_pair(sums: (&mut Decimal, &mut Decimal), values: (Decimal, Decimal)) -> bool {
    match (sums.0.checked_add(values.0), sums.1.checked_add(values.1)) {
        (Some(a), Some(b)) => {
            (*sums.0, *sums.1) = (a, b);
            true
        }
        _ => false,
    }
}

/// Adds a sum and its count, or neither when the sum would not fit a `Decimal`; `false` then.
fn add_counted(sum: &mut Decimal, n: &mut u64, value: Decimal, count: u64) -> bool {
    match sum.checked_add(value) {
        Some(s) => {
            *sum = s;
            *n += count;
            true
        }
        None => false,
    }
}

/// The bin of an execution rate (a fraction): its percent's, or, when the percent does not
/// fit a `Decimal`, the bin of its side (far above 100% or far below 50%).
fn bin_rate_fraction(rate: Decimal) -> usize {
    match rate.checked_mul(Decimal::ONE_HUNDRED) {
        Some(r) => bin_rate(r),
        None if rate.is_sign_positive() => 8,
        None => 0,
    }
}

fn bin_rate(rate_pct: Decimal) -> usize {
    let r = rate_pct;
    let hundred = Decimal::ONE_HUNDRED;
    if r > hundred {
        8
    } else if r == hundred {
        7
    } else if r >= Decimal::from(95) {
        6
    } else if r >= Decimal::from(90) {
        5
    } else if r < Decimal::from(50) {
        0
    } else {
        // 50..90 in steps of 10.
        let step = ((r - Decimal::from(50)) / Decimal::TEN).floor();
        1 + step.to_string().parse::<usize>().unwrap_or(0).min(3)
    }
}

fn bin_delta(d: Decimal) -> usize {
    let half = Decimal::new(5, 1);
    let a = d.abs();
    let side = |i: usize| if d < Decimal::ZERO { 3 - i } else { 5 + i };
    if a <= half {
        4
    } else if a < Decimal::TWO {
        side(0)
    } else if a < Decimal::from(5) {
        side(1)
    } else if a < Decimal::TEN {
        side(2)
    } else {
        side(3)
    }
}

fn grade_index(g: &str) -> Option<usize> {
    GRADES.iter().position(|x| *x == g)
}

impl Aggregate {
    /// Add one assessed form. `anchor` and `place` name it in the report; `diagnostics` are the
    /// reader's findings about it. Returns the compact line about the form.
    pub fn add(
        &mut self,
        ev: &Evaluation,
        assessment: &Assessment,
        diagnostics: &[jixiao_core::Finding],
        profile: &Profile,
        anchor: String,
        place: String,
    ) -> FormLine {
        self.forms += 1;
        self.indicators += ev.indicators.len() as u64;
        let card = &assessment.scorecard;
        let mut counts = [0u64; 3];
        let all = || diagnostics.iter().chain(&assessment.findings);
        let mut codes_in_form: Vec<(&str, Vec<usize>)> = Vec::new();
        for f in all() {
            counts[f.severity as usize] += 1;
            match codes_in_form.iter_mut().find(|(c, _)| *c == f.code) {
                Some((_, inds)) => inds.extend(f.indicator.map(|i| i + 1)),
                None => {
                    codes_in_form.push((&f.code, f.indicator.map(|i| i + 1).into_iter().collect()))
                }
            }
        }
        for (a, b) in self.findings.iter_mut().zip(counts) {
            *a += b;
        }
        if counts.iter().sum::<u64>() > 0 {
            self.forms_with_findings += 1;
        }
        let project = ev
            .project
            .clone()
            .unwrap_or_else(|| "（无项目名称）".into());
        for f in all() {
            let stats = self
                .codes
                .entry(f.code.to_string())
                .or_insert_with(|| CodeStats {
                    severity: f.severity,
                    count: 0,
                    forms: 0,
                    examples: Vec::new(),
                });
            stats.count += 1;
            if stats.examples.len() < EXAMPLES_PER_CODE
                && !stats.examples.iter().any(|e| e.anchor == anchor)
            {
                // (Messages about an indicator already name it.)
                stats.examples.push(Example {
                    anchor: anchor.clone(),
                    place: place.clone(),
                    project: project.clone(),
                    message: f.message.clone(),
                });
            }
        }
        for (code, _) in &codes_in_form {
            if let Some(stats) = self.codes.get_mut(*code) {
                stats.forms += 1;
            }
        }

        // Money in yuan.
        let factor = match ev.money_unit.as_deref() {
            Some("元") => Some(Decimal::ONE),
            Some("万元") => Some(Decimal::from(10_000)),
            _ => None,
        };
        let (total, _) = effective_total(&ev.funds);
        let budget = total.adjusted.or(total.initial);
        let (adjusted, executed) = match (factor, budget) {
            (Some(f), Some(b)) => (
                b.checked_mul(f).unwrap_or_default(),
                total
                    .executed
                    .and_then(|e| e.checked_mul(f))
                    .unwrap_or_default(),
            ),
            _ => {
                self.money_unknown += 1;
                (Decimal::ZERO, Decimal::ZERO)
            }
        };
        // Money that does not fit the running totals is not counted, like money in an
        // unknown unit (the report says how many forms' money is left out).
        let (adjusted, executed) = if add_pair(
            (&mut self.adjusted_yuan, &mut self.executed_yuan),
            (adjusted, executed),
        ) {
            (adjusted, executed)
        } else {
            self.money_unknown += 1;
            (Decimal::ZERO, Decimal::ZERO)
        };

        // Grades: printed, else the band of the printed total; computed.
        let reported_total = ev.total_score.map(|s| s.value);
        let reported_grade = ev
            .grade
            .clone()
            .or_else(|| reported_total.and_then(|t| profile.grade_for(t).map(str::to_string)));
        let computed_grade = card.grade.as_ref().map(|g| g.grade.clone());
        *self
            .reported_grades
            .entry(reported_grade.clone().unwrap_or_else(|| "未知".into()))
            .or_default() += 1;
        *self
            .computed_grades
            .entry(computed_grade.clone().unwrap_or_else(|| "未知".into()))
            .or_default() += 1;

        match card.execution_rate.as_ref() {
            Some(c) => self.rate_bins[bin_rate_fraction(c.value)] += 1,
            None => self.rate_unknown += 1,
        }
        // The form's rate in percent for its line; blank when the percent does not fit.
        let rate = card
            .execution_rate
            .as_ref()
            .and_then(|c| c.value.checked_mul(Decimal::ONE_HUNDRED));
        let computed_total = card.total.as_ref().map(|c| c.value);
        // A printed total far from the computed one may not have a difference (or add to the
        // sum of differences) that fits a Decimal: it is then an unknown difference.
        let delta = match (reported_total, computed_total) {
            (Some(r), Some(c)) => r.checked_sub(c),
            _ => None,
        };
        match delta {
            Some(d) if add_counted(&mut self.delta_sum, &mut self.delta_n, d, 1) => {
                self.delta_bins[bin_delta(d)] += 1;
            }
            _ => self.delta_unknown += 1,
        }

        // Rollups.
        let mut one = Rollup {
            forms: 1,
            adjusted_yuan: adjusted,
            executed_yuan: executed,
            errors: counts[2],
            warnings: counts[1],
            infos: counts[0],
            ..Rollup::default()
        };
        if let Some(r) = reported_total {
            one.reported_sum = r;
            one.reported_n = 1;
        }
        if let Some(c) = computed_total {
            one.computed_sum = c;
            one.computed_n = 1;
        }
        if let Some(i) = computed_grade.as_deref().and_then(grade_index) {
            one.grades[i] = 1;
        }
        let department = ev.department.clone().filter(|d| !d.trim().is_empty());
        let unit = ev.unit.clone().filter(|d| !d.trim().is_empty());
        roll(
            &mut self.departments,
            department.as_deref(),
            &one,
            MAX_DEPARTMENTS,
        );
        roll(&mut self.units, unit.as_deref(), &one, MAX_UNITS);

        // The most serious forms.
        let key = (
            counts[2],
            counts[1],
            delta.map(|d| d.abs()).unwrap_or_default(),
        );
        let qualifies = self.top.len() < TOP_FORMS || self.top.last().is_some_and(|l| key > l.key);
        if counts[2] + counts[1] > 0 && qualifies {
            let mut shown: Vec<&jixiao_core::Finding> = all().collect();
            shown.sort_by_key(|f| std::cmp::Reverse(f.severity));
            let findings = shown
                .into_iter()
                .take(TOP_FORM_FINDINGS)
                .map(|f| (f.severity, f.code.to_string(), f.message.clone()))
                .collect();
            self.push_top(SeriousForm {
                anchor: anchor.clone(),
                place: place.clone(),
                project: project.clone(),
                unit: unit.clone().unwrap_or_default(),
                reported: reported_total,
                computed: computed_total,
                counts,
                findings,
                key,
            });
        }

        let codes = codes_in_form
            .iter()
            .map(|(code, inds)| {
                if inds.is_empty() {
                    code.to_string()
                } else {
                    let list: Vec<String> = inds.iter().map(|i| i.to_string()).collect();
                    format!("{code}({})", list.join(","))
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        FormLine {
            anchor,
            place,
            project,
            department: department.unwrap_or_default(),
            unit: unit.unwrap_or_default(),
            reported: reported_total,
            computed: computed_total,
            reported_grade,
            computed_grade,
            rate,
            counts,
            codes,
        }
    }

    fn push_top(&mut self, form: SeriousForm) {
        self.top.push(form);
        self.top.sort_by_key(|t| std::cmp::Reverse(t.key));
        self.top.truncate(TOP_FORMS);
    }

    /// Merge another worker's aggregate into this one.
    pub fn merge(&mut self, other: Aggregate) {
        self.forms += other.forms;
        self.indicators += other.indicators;
        self.forms_with_findings += other.forms_with_findings;
        for (a, b) in self.findings.iter_mut().zip(other.findings) {
            *a += b;
        }
        self.money_unknown += other.money_unknown;
        if !add_pair(
            (&mut self.adjusted_yuan, &mut self.executed_yuan),
            (other.adjusted_yuan, other.executed_yuan),
        ) {
            // The other worker's money does not fit the totals: its forms' money is left out.
            self.money_unknown += other.forms - other.money_unknown;
        }
        for (k, v) in other.reported_grades {
            *self.reported_grades.entry(k).or_default() += v;
        }
        for (k, v) in other.computed_grades {
            *self.computed_grades.entry(k).or_default() += v;
        }
        for (a, b) in self.rate_bins.iter_mut().zip(other.rate_bins) {
            *a += b;
        }
        self.rate_unknown += other.rate_unknown;
        self.delta_unknown += other.delta_unknown;
        if add_counted(
            &mut self.delta_sum,
            &mut self.delta_n,
            other.delta_sum,
            other.delta_n,
        ) {
            for (a, b) in self.delta_bins.iter_mut().zip(other.delta_bins) {
                *a += b;
            }
        } else {
            // Their differences cannot join the sum: unknown, so the bins and the mean agree.
            self.delta_unknown += other.delta_n;
        }
        for (code, s) in other.codes {
            match self.codes.get_mut(&code) {
                Some(mine) => {
                    mine.count += s.count;
                    mine.forms += s.forms;
                    for e in s.examples {
                        if mine.examples.len() < EXAMPLES_PER_CODE {
                            mine.examples.push(e);
                        }
                    }
                }
                None => {
                    self.codes.insert(code, s);
                }
            }
        }
        for (k, r) in other.departments {
            roll(&mut self.departments, Some(&k), &r, MAX_DEPARTMENTS);
        }
        for (k, r) in other.units {
            roll(&mut self.units, Some(&k), &r, MAX_UNITS);
        }
        for t in other.top {
            self.push_top(t);
        }
    }

    /// Finding codes, most frequent first.
    pub fn codes_ranked(&self) -> Vec<(&String, &CodeStats)> {
        let mut v: Vec<_> = self.codes.iter().collect();
        v.sort_by(|a, b| {
            b.1.count
                .cmp(&a.1.count)
                .then(b.1.severity.cmp(&a.1.severity))
                .then(a.0.cmp(b.0))
        });
        v
    }
}

fn roll(map: &mut HashMap<String, Rollup>, key: Option<&str>, one: &Rollup, cap: usize) {
    let key = key.unwrap_or(BLANK);
    if let Some(r) = map.get_mut(key) {
        r.merge(one);
    } else if map.len() < cap || key == OTHERS {
        map.insert(key.to_string(), one.clone());
    } else {
        map.entry(OTHERS.to_string()).or_default().merge(one);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins() {
        assert_eq!(bin_rate(Decimal::from(100)), 7);
        assert_eq!(bin_rate(Decimal::from(101)), 8);
        assert_eq!(bin_rate(Decimal::new(8618, 2)), 4);
        assert_eq!(bin_rate(Decimal::from(50)), 1);
        assert_eq!(bin_rate(Decimal::from(20)), 0);
        assert_eq!(bin_rate(Decimal::from(96)), 6);
        assert_eq!(bin_delta(Decimal::ZERO), 4);
        assert_eq!(bin_delta(Decimal::from(-12)), 0);
        assert_eq!(bin_delta(Decimal::from(12)), 8);
        assert_eq!(bin_delta(Decimal::new(-15, 1)), 3);
        assert_eq!(bin_delta(Decimal::from(3)), 6);
    }
}
