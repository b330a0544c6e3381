//! Rough reader throughput on a large grid file, read in ~1 MB chunks cut at form titles
//! as `jixiao check` does: `cargo run --release -p jixiao-formats --example throughput -- FILE`.
//! The documented benchmarks are in docs/BENCHMARKS.md.
fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let bytes = std::fs::read(&path).expect("readable file");
    let start = std::time::Instant::now();
    let (mut forms, mut indicators) = (0usize, 0usize);
    let mut rest: &[u8] = &bytes;
    while !rest.is_empty() {
        let mut cut = rest.len().min(1 << 20);
        // Move the cut to the start of the next title line.
        let marker = "财政项目支出绩效自评表".as_bytes();
        while cut < rest.len() && !(rest[cut - 1] == b'\n' && rest[cut..].starts_with(marker)) {
            cut += 1;
        }
        let out = jixiao_formats::read_bytes(&rest[..cut]);
        forms += out.forms.len();
        indicators += out
            .forms
            .iter()
            .map(|f| f.evaluation.indicators.len())
            .sum::<usize>();
        rest = &rest[cut..];
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{forms} forms, {indicators} indicators, {:.1} MB in {secs:.3} s = {:.1} MB/s",
        bytes.len() as f64 / 1e6,
        bytes.len() as f64 / 1e6 / secs
    );
}
