//! Write hostile workbooks for manual timing:
//! `cargo run --release -p jixiao-formats --example hostile_xlsx -- OUT_DIR`
//! writes `empty-rows.xlsx` (the seed's first form, then 1 000 000 formatted empty rows and a
//! cell in the sheet's last corner) and `bomb.xlsx` (a 1 GiB sheet of spaces, deflated).
use std::io::Write;

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let seed = include_str!("../../../fixtures/songjiang-2023.tsv");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, line) in seed.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let r = r as u32;
        if line.contains("总分") {
            for (c, cell) in line.split('\t').enumerate() {
                let _ = ws.write_string(r, c as u16, cell);
            }
            break;
        }
        for (c, cell) in line.split('\t').enumerate() {
            if !cell.is_empty() {
                let _ = ws.write_string(r, c as u16, cell);
            }
        }
    }
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for row in 100..1_000_100u32 {
        let _ = ws.set_row_format(row, &bold);
    }
    let _ = ws.write_string(1_048_575, 16_383, "far away");
    std::fs::write(dir.join("empty-rows.xlsx"), book.save_to_buffer().unwrap()).unwrap();

    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..1024 {
            w.write_all(&spaces).unwrap();
        }
        w.finish().unwrap();
    }
    std::fs::write(dir.join("bomb.xlsx"), buf.into_inner()).unwrap();
}
