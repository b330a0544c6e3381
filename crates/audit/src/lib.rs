//! The batch audit (批量审核): thousands of forms read, scored and reviewed through the one
//! engine (`jixiao_formats::read_bytes` → `jixiao_core::assess`), in parallel, into an
//! [`Aggregate`] whose size does not depend on the number of forms, then a standalone HTML
//! report in Chinese ([`report`]) and optionally an xlsx one ([`xlsx`]).
//!
//! The caller (the CLI) finds the inputs and cuts them into [`Job`]s of whole forms; [`run`]
//! hands the jobs to worker threads through a bounded channel (so at most a few chunks are in
//! memory at once), each worker keeps its own aggregate, and the caller receives one compact
//! [`FormLine`] per form as it is done (for the per-form list, written to disk as it comes).
#![forbid(unsafe_code)]

pub mod aggregate;
pub mod report;
mod svg;
pub mod xlsx;

pub use aggregate::{Aggregate, FormLine};

use jixiao_core::{assess, Finding, Loc, Profile};
use jixiao_formats::{read_bytes, InputShape};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

/// A piece of one input holding whole forms.
pub struct Job {
    /// The input's name, as locations show it.
    pub source: Arc<str>,
    pub bytes: Vec<u8>,
    /// 1-based line of the chunk's first line in the whole input (1 for a whole file).
    pub first_line: u32,
}

/// Live counters for a progress display.
#[derive(Debug, Default)]
pub struct Counters {
    /// Inputs handed on (set by the caller).
    pub files: AtomicU64,
    /// Bytes read and done.
    pub bytes: AtomicU64,
    pub forms: AtomicU64,
}

/// Inputs (or chunks of inputs) in which no form was found.
#[derive(Debug, Default, Clone)]
pub struct Unreadable {
    pub count: u64,
    /// The first few, with why.
    pub examples: Vec<(String, String)>,
}

impl Unreadable {
    pub const KEPT: usize = 50;
    pub fn push(&mut self, source: &str, why: String) {
        self.count += 1;
        if self.examples.len() < Self::KEPT {
            self.examples.push((source.to_string(), why));
        }
    }
    fn merge(&mut self, other: Unreadable) {
        self.count += other.count;
        for e in other.examples {
            if self.examples.len() < Self::KEPT {
                self.examples.push(e);
            }
        }
    }
}

/// What a run gives back.
#[derive(Debug, Default)]
pub struct Outcome {
    pub aggregate: Aggregate,
    pub unreadable: Unreadable,
}

fn shift(loc: &mut Option<Loc>, lines_before: u32) {
    if let Some(l) = loc {
        if l.sheet.is_none() {
            l.line = l.line.saturating_add(lines_before);
        }
    }
}

fn shift_all(findings: &mut [Finding], lines_before: u32) {
    for f in findings {
        shift(&mut f.location, lines_before);
    }
}

/// Audit every job `feed` hands on, on `threads` worker threads. `per_form` is called on the
/// calling thread with each form's compact line, in the order forms are done.
pub fn run<F>(
    profile: &Profile,
    threads: usize,
    counters: &Counters,
    feed: F,
    per_form: &mut dyn FnMut(FormLine),
) -> Outcome
where
    F: FnOnce(&mut dyn FnMut(Job)) + Send,
{
    let threads = threads.max(1);
    let (job_tx, job_rx) = sync_channel::<Job>(threads * 2);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (line_tx, line_rx) = sync_channel::<Vec<FormLine>>(threads * 4);
    let next_id = AtomicU64::new(1);
    std::thread::scope(|scope| {
        let feeder = scope.spawn(move || {
            let mut send = |job: Job| {
                // A closed channel means the workers are gone; nothing more to do.
                let _ = job_tx.send(job);
            };
            feed(&mut send);
        });
        let mut workers = Vec::new();
        for _ in 0..threads {
            let rx = Arc::clone(&job_rx);
            let tx = line_tx.clone();
            let next_id = &next_id;
            workers.push(scope.spawn(move || worker(profile, &rx, &tx, counters, next_id)));
        }
        drop(line_tx);
        for batch in line_rx {
            for line in batch {
                per_form(line);
            }
        }
        let _ = feeder.join();
        let mut outcome = Outcome::default();
        for w in workers {
            if let Ok((aggregate, unreadable)) = w.join() {
                outcome.aggregate.merge(aggregate);
                outcome.unreadable.merge(unreadable);
            }
        }
        outcome
    })
}

fn worker(
    profile: &Profile,
    jobs: &Mutex<Receiver<Job>>,
    lines: &std::sync::mpsc::SyncSender<Vec<FormLine>>,
    counters: &Counters,
    next_id: &AtomicU64,
) -> (Aggregate, Unreadable) {
    let mut aggregate = Aggregate::default();
    let mut unreadable = Unreadable::default();
    loop {
        let job = {
            let Ok(rx) = jobs.lock() else { break };
            match rx.recv() {
                Ok(job) => job,
                Err(_) => break,
            }
        };
        let outcome = read_bytes(&job.bytes);
        let lines_before = job.first_line.saturating_sub(1);
        if outcome.forms.is_empty() {
            let why = outcome
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .next()
                .unwrap_or_else(|| "没有可识别的绩效自评表".into());
            unreadable.push(&job.source, why);
        }
        let mut batch = Vec::with_capacity(outcome.forms.len());
        let mut input_diags = Some(outcome.diagnostics);
        for form in outcome.forms {
            let mut ev = form.evaluation;
            let mut diagnostics = form.diagnostics;
            if let Some(mut d) = input_diags.take() {
                diagnostics.append(&mut d);
            }
            shift_all(&mut diagnostics, lines_before);
            let mut assessment = assess(&ev, profile);
            if outcome.shape == InputShape::Json {
                for f in &mut assessment.findings {
                    f.location = None;
                }
            } else {
                shift_all(&mut assessment.findings, lines_before);
            }
            shift(&mut ev.at.start, lines_before);
            let id = next_id.fetch_add(1, Ordering::Relaxed);
            let place = match ev.at.start.as_ref().or(ev.at.project.as_ref()) {
                Some(l) if l.sheet.is_some() => format!("{} {l}", job.source),
                Some(l) => format!("{}:{}", job.source, l.line),
                None => job.source.to_string(),
            };
            let line = aggregate.add(
                &ev,
                &assessment,
                &diagnostics,
                profile,
                format!("f{id}"),
                place,
            );
            batch.push(line);
        }
        counters
            .forms
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        counters
            .bytes
            .fetch_add(job.bytes.len() as u64, Ordering::Relaxed);
        drop(job);
        if !batch.is_empty() && lines.send(batch).is_err() {
            break;
        }
    }
    (aggregate, unreadable)
}
