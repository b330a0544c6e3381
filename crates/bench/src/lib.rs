//! Benchmarks of the `jixiao check` pipeline (基准测试); see `benches/check.rs` and
//! docs/BENCHMARKS.md. The library only names the corpus the benchmarks use.
#![forbid(unsafe_code)]

/// Forms in the benchmark corpus (about 2.9 MB of tab grid): large enough to cross several
/// chunks, small enough for a quick run on two cores.
pub const FORMS: u64 = 2000;
/// The corpus seed.
pub const SEED: u64 = 2023;

/// The benchmark corpus.
pub fn corpus() -> Vec<u8> {
    jixiao_cli::gen::corpus(FORMS, SEED)
}
