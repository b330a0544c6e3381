//! Throughput (MB/s of input) of each stage of `jixiao check --format json` on a generated
//! corpus: read alone, read + assess, and read + assess + the JSON contract written out.
#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jixiao_cli::check::{check_chunk, Sink, Totals};
use jixiao_cli::human::Style;
use jixiao_cli::inputs::for_each_chunk;
use jixiao_core::{assess, Profile};
use jixiao_formats::read_bytes;
use std::hint::black_box;
use std::io;

fn stages(c: &mut Criterion) {
    let corpus = jixiao_bench::corpus();
    let profile = Profile::default();
    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Bytes(corpus.len() as u64));
    group.sample_size(10);

    group.bench_function("read", |b| {
        b.iter(|| {
            let mut forms = 0;
            for_each_chunk::<_, ()>(&corpus[..], |chunk| {
                forms += read_bytes(&chunk.bytes).forms.len();
                Ok(())
            })
            .ok();
            black_box(forms)
        })
    });

    group.bench_function("read_assess", |b| {
        b.iter(|| {
            let mut findings = 0;
            for_each_chunk::<_, ()>(&corpus[..], |chunk| {
                for form in read_bytes(&chunk.bytes).forms {
                    findings += assess(&form.evaluation, &profile).findings.len();
                }
                Ok(())
            })
            .ok();
            black_box(findings)
        })
    });

    group.bench_function("read_assess_json", |b| {
        b.iter(|| {
            let mut sink = Sink::new(
                jixiao_cli::check::Format::Json,
                io::sink(),
                Style { color: false },
            )
            .expect("a sink cannot fail to open");
            let mut totals = Totals::default();
            let mut index = 0;
            let mut err = io::sink();
            for_each_chunk(&corpus[..], |chunk| {
                check_chunk(
                    "bench.tsv",
                    &chunk,
                    &profile,
                    &mut sink,
                    &mut err,
                    &mut totals,
                    &mut index,
                )
            })
            .ok();
            black_box(totals.forms)
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
