//! `jixiao audit`: many inputs through the one engine, in parallel, into one HTML report (and
//! optionally an xlsx one), with a progress bar on stderr when it is a terminal.
//!
//! Inputs are expanded as for `check` (files, folders recursed, `-`), cut into chunks of whole
//! forms (`inputs::for_each_chunk`), and handed to `jixiao_audit::run`, which keeps only
//! aggregates: memory stays flat whatever the number of forms.

use crate::inputs::{self, ChunkError, Expanded, Origin};
use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jixiao_audit::report::{self, FormList, Meta};
use jixiao_audit::xlsx::XlsxReport;
use jixiao_audit::{Counters, Job, Unreadable};
use jixiao_core::Profile;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What `audit` was asked to do.
pub struct Options {
    pub inputs: Vec<String>,
    pub output: PathBuf,
    pub xlsx: Option<PathBuf>,
    /// Worker threads (default: the machine's cores).
    pub jobs: usize,
    /// Forms listed one by one in the HTML report.
    pub max_listed: u64,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// What a run did, for the closing line and the exit code.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub inputs: u64,
    pub forms: u64,
    pub unreadable: u64,
    pub errors: u64,
    pub warnings: u64,
    pub infos: u64,
}

/// Run the audit. With `progress` on, a ticker thread draws on stderr: `err` must not be a
/// locked stderr (`io::stderr().lock()`), or the two deadlock; pass `io::stderr()`.
pub fn run(options: &Options, profile: &Profile, err: &mut dyn Write) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let mut notes = Vec::new();
    let expanded = inputs::expand(&options.inputs, &mut |n| notes.push(n));
    for note in notes {
        writeln!(err, "{note}")?;
    }
    let total_bytes: u64 = expanded
        .iter()
        .map(|e| match e {
            Expanded::Source(s) => match &s.origin {
                Origin::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
                Origin::Stdin => 0,
            },
            Expanded::Missing { .. } => 0,
        })
        .sum();
    let n_inputs = expanded.len() as u64;
    let bar = if options.progress {
        let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} 审核 [{elapsed_precise}] {bar:28} {percent:>3}% {msg} 剩余 {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    } else {
        ProgressBar::hidden()
    };

    let mut list = FormList::new(options.max_listed)
        .context("无法创建临时文件 (cannot create a temporary file)")?;
    let mut xlsx = match &options.xlsx {
        Some(_) => Some(XlsxReport::new().map_err(|e| anyhow::anyhow!("xlsx: {e}"))?),
        None => None,
    };
    let counters = Counters::default();
    let problems = Mutex::new(Unreadable::default());
    let mut write_error: Option<anyhow::Error> = None;
    let mut seen = 0u64;
    let feed = |send: &mut dyn FnMut(Job)| {
        for item in expanded {
            counters.files.fetch_add(1, Ordering::Relaxed);
            match item {
                Expanded::Missing { name, error } => {
                    if let Ok(mut p) = problems.lock() {
                        p.push(&name, format!("无法打开：{error}"));
                    }
                }
                Expanded::Source(source) => {
                    let name: Arc<str> = Arc::from(source.name.as_str());
                    let reader: Box<dyn Read> = match &source.origin {
                        Origin::Stdin => Box::new(io::stdin()),
                        Origin::File(path) => match std::fs::File::open(path) {
                            Ok(f) => Box::new(f),
                            Err(e) => {
                                if let Ok(mut p) = problems.lock() {
                                    p.push(&name, format!("无法打开：{e}"));
                                }
                                continue;
                            }
                        },
                    };
                    let mut first = true;
                    let result = inputs::for_each_chunk(reader, |chunk| {
                        if first {
                            first = false;
                            if let Some(kind) = inputs::binary_kind(&chunk.bytes) {
                                if !jixiao_formats::xlsx::is_xlsx(&chunk.bytes) {
                                    return Err(format!("是 {kind} 文件，不能读取"));
                                }
                            }
                        }
                        send(Job {
                            source: Arc::clone(&name),
                            bytes: chunk.bytes,
                            first_line: chunk.first_line,
                        });
                        Ok(())
                    });
                    let why = match result {
                        Ok(()) => None,
                        Err(ChunkError::Io(e)) => Some(format!("读取失败：{e}")),
                        Err(ChunkError::Each(why)) => Some(why),
                    };
                    if let Some(why) = why {
                        if let Ok(mut p) = problems.lock() {
                            p.push(&name, why);
                        }
                    }
                }
            }
        }
    };
    let outcome = jixiao_audit::run(profile, options.jobs, &counters, feed, &mut |line| {
        if write_error.is_none() {
            if let Err(e) = list.push(&line) {
                write_error = Some(e.into());
            }
            if let Some(x) = xlsx.as_mut() {
                if let Err(e) = x.push(&line) {
                    write_error = Some(anyhow::anyhow!("xlsx: {e}"));
                }
            }
        }
        seen += 1;
        if seen % 256 == 0 {
            update(&bar, &counters, n_inputs, started);
        }
    });
    update(&bar, &counters, n_inputs, started);
    bar.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e.context("写出逐表清单失败 (writing the per-form list failed)"));
    }
    let mut unreadable = outcome.unreadable;
    if let Ok(p) = problems.into_inner() {
        let mut p = p;
        p.count += unreadable.count;
        p.examples.append(&mut unreadable.examples);
        p.examples.truncate(Unreadable::KEPT);
        unreadable = p;
    }
    let agg = outcome.aggregate;
    let meta = Meta {
        profile: format!("{} {}（{}）", profile.name, profile.version, profile.title),
        inputs: n_inputs,
        elapsed_secs: started.elapsed().as_secs_f64(),
        threads: options.jobs,
    };
    let file = std::fs::File::create(&options.output).with_context(|| {
        format!(
            "无法创建 {} (cannot create the report)",
            options.output.display()
        )
    })?;
    let mut out = io::BufWriter::with_capacity(1 << 20, file);
    report::write_report(&mut out, &agg, &unreadable, &meta, list).with_context(|| {
        format!(
            "写出 {} 失败 (writing the report failed)",
            options.output.display()
        )
    })?;
    if let (Some(x), Some(path)) = (xlsx, &options.xlsx) {
        x.finish(&agg, &unreadable, &meta, path).map_err(|e| {
            anyhow::anyhow!(
                "写出 {} 失败 (writing the xlsx report failed): {e}",
                path.display()
            )
        })?;
    }
    for (name, why) in &unreadable.examples {
        writeln!(err, "错误：{name}：{why} (error: no form could be read)")?;
    }
    Ok(Summary {
        inputs: n_inputs,
        forms: agg.forms,
        unreadable: unreadable.count,
        errors: agg.findings[2],
        warnings: agg.findings[1],
        infos: agg.findings[0],
    })
}

fn update(bar: &ProgressBar, c: &Counters, inputs: u64, started: Instant) {
    let forms = c.forms.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64().max(0.001);
    bar.set_position(c.bytes.load(Ordering::Relaxed));
    bar.set_message(format!(
        "文件 {}/{inputs} · 表 {forms} · {:.0} 表/秒",
        c.files.load(Ordering::Relaxed),
        forms as f64 / secs
    ));
}
