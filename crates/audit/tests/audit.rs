//! The batch audit on the seed: the aggregates, the report's sections and counts, escaping,
//! and memory bounds.

use jixiao_audit::aggregate::{Aggregate, MAX_UNITS, OTHERS};
use jixiao_audit::report::{write_report, FormList, Meta};
use jixiao_audit::{run, Counters, Job, Outcome};
use jixiao_core::{assess, Evaluation, Profile};
use std::path::PathBuf;
use std::sync::Arc;

fn seed_bytes() -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/songjiang-2023.tsv");
    std::fs::read(path).unwrap()
}

fn audit(jobs: Vec<Vec<u8>>, threads: usize) -> (Outcome, String) {
    let profile = Profile::builtin("central-2020").unwrap();
    let counters = Counters::default();
    let mut list = FormList::new(1000).unwrap();
    let outcome = run(
        &profile,
        threads,
        &counters,
        move |send| {
            for (i, bytes) in jobs.into_iter().enumerate() {
                send(Job {
                    source: Arc::from(format!("input{i}.tsv").as_str()),
                    bytes,
                    first_line: 1,
                });
            }
        },
        &mut |line| list.push(&line).unwrap(),
    );
    let mut html = Vec::new();
    let meta = Meta {
        profile: "central-2020".into(),
        inputs: 1,
        elapsed_secs: 0.1,
        threads,
    };
    write_report(
        &mut html,
        &outcome.aggregate,
        &outcome.unreadable,
        &meta,
        list,
    )
    .unwrap();
    (outcome, String::from_utf8(html).unwrap())
}

#[test]
fn the_seed_audit_counts_what_check_counts() {
    let (outcome, html) = audit(vec![seed_bytes()], 2);
    let agg = &outcome.aggregate;
    assert_eq!(agg.forms, 3);
    let forms: Vec<Evaluation> = jixiao_formats::read_bytes(&seed_bytes())
        .forms
        .into_iter()
        .map(|f| f.evaluation)
        .collect();
    let indicators: usize = forms.iter().map(|f| f.indicators.len()).sum();
    assert_eq!(agg.indicators, indicators as u64);
    // The same engine: the findings counted are those of assess (plus the reader's).
    let profile = Profile::builtin("central-2020").unwrap();
    let engine: usize = forms
        .iter()
        .map(|f| assess(f, &profile).findings.len())
        .sum();
    let read: usize = jixiao_formats::read_bytes(&seed_bytes())
        .forms
        .iter()
        .map(|f| f.diagnostics.len())
        .sum();
    assert_eq!(agg.findings.iter().sum::<u64>(), (engine + read) as u64);
    // Money: 501 010 + 7 000 + 12 000 yuan adjusted.
    assert_eq!(agg.adjusted_yuan.to_string(), "520010.00");
    assert_eq!(agg.rate_bins.iter().sum::<u64>() + agg.rate_unknown, 3);
    assert!(agg.codes.contains_key("MET_BUT_DEDUCTED"));
    assert_eq!(agg.units.len(), 1);

    for section in [
        "id=\"totals\"",
        "id=\"grades\"",
        "id=\"rates\"",
        "id=\"deltas\"",
        "id=\"findings\"",
        "id=\"serious\"",
        "id=\"departments\"",
        "id=\"units\"",
        "id=\"forms\"",
    ] {
        assert!(html.contains(section), "missing {section}");
    }
    assert!(html.contains("<div class=\"v\">3</div><div class=\"k\">自评表（张）</div>"));
    assert!(
        html.contains("<div class=\"v\">52.00</div><div class=\"k\">全年预算数合计（万元）</div>"),
        "money total"
    );
    assert!(html.contains("MET_BUT_DEDUCTED"));
    assert!(html.contains("上海市松江区社会保障服务中心"));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 3);
    // Each form with findings has an anchor, and the examples link to anchors that exist.
    for k in 1..=3 {
        assert!(html.contains(&format!("<li id=\"f{k}\">")), "anchor f{k}");
    }
    for link in html.split("href=\"#f").skip(1) {
        let id: String = link.chars().take_while(|c| c.is_ascii_digit()).collect();
        if id.is_empty() {
            continue; // #findings, #forms
        }
        assert!(html.contains(&format!("id=\"f{id}\"")), "dangling #f{id}");
    }
    // Standalone.
    for external in ["<script", "<link", " src=", "@import", "url("] {
        assert!(!html.contains(external), "external resource: {external}");
    }
}

#[test]
fn hostile_text_is_escaped_in_the_report() {
    let text = String::from_utf8(seed_bytes())
        .unwrap()
        .replacen("工伤鉴定", "<script>alert(1)</script>", 1)
        .replacen(
            "上海市松江区社会保障服务中心",
            "<img src=x onerror=alert(2)>",
            1,
        );
    let (_, html) = audit(vec![text.into_bytes()], 1);
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[test]
fn many_jobs_on_two_threads_give_the_same_totals_as_one() {
    let jobs = vec![seed_bytes(); 40];
    let (one, _) = audit(jobs.clone(), 1);
    let (two, _) = audit(jobs, 2);
    assert_eq!(one.aggregate.forms, 120);
    assert_eq!(two.aggregate.forms, 120);
    assert_eq!(one.aggregate.findings, two.aggregate.findings);
    assert_eq!(one.aggregate.adjusted_yuan, two.aggregate.adjusted_yuan);
    assert_eq!(one.aggregate.delta_bins, two.aggregate.delta_bins);
    let mut a: Vec<_> = one
        .aggregate
        .codes
        .iter()
        .map(|(k, v)| (k.clone(), v.count))
        .collect();
    let mut b: Vec<_> = two
        .aggregate
        .codes
        .iter()
        .map(|(k, v)| (k.clone(), v.count))
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn unreadable_inputs_are_reported() {
    let (outcome, html) = audit(vec![b"nothing here".to_vec(), seed_bytes()], 2);
    assert_eq!(outcome.aggregate.forms, 3);
    assert_eq!(outcome.unreadable.count, 1);
    assert!(html.contains("无法读取"));
}

#[test]
fn rollups_stay_bounded_whatever_the_number_of_units() {
    let profile = Profile::builtin("central-2020").unwrap();
    let base = jixiao_formats::read_bytes(&seed_bytes()).forms[0]
        .evaluation
        .clone();
    let mut agg = Aggregate::default();
    for i in 0..(MAX_UNITS + 500) {
        let mut ev = base.clone();
        ev.unit = Some(format!("单位{i}"));
        let a = assess(&ev, &profile);
        agg.add(&ev, &a, &[], &profile, format!("f{i}"), "x".into());
    }
    assert_eq!(agg.units.len(), MAX_UNITS + 1);
    assert_eq!(agg.units[OTHERS].forms, 500);
    assert!(agg.top.len() <= jixiao_audit::aggregate::TOP_FORMS);
    assert!(agg
        .codes
        .values()
        .all(|c| c.examples.len() <= jixiao_audit::aggregate::EXAMPLES_PER_CODE));
}
