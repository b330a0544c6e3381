//! Print what the readers make of a file: `cargo run -p jixiao-formats --example dump -- FILE`.
use std::io::Read;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "-".into());
    let mut bytes = Vec::new();
    if path == "-" {
        let _ = std::io::stdin().read_to_end(&mut bytes);
    } else {
        bytes = std::fs::read(&path).unwrap_or_default();
    }
    let out = jixiao_formats::read_bytes(&bytes);
    println!("shape {:?} encoding {}", out.shape, out.encoding);
    for d in &out.diagnostics {
        println!("file diag {} {} {:?}", d.code, d.message, d.location);
    }
    for f in &out.forms {
        println!(
            "{}",
            serde_json::to_string_pretty(&f.evaluation).unwrap_or_default()
        );
        for d in &f.diagnostics {
            println!(
                "diag {} {} {:?}",
                d.code,
                d.message,
                d.location.as_ref().map(|l| l.to_string())
            );
        }
    }
}
