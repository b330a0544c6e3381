//! The workbook reader, structure-aware: random bytes rarely make a valid zip, so the input
//! is mostly used as the *contents* of a minimal workbook (the sheet XML, and after a 0xFF
//! byte the shared strings) and zipped here; one input in four goes to `read_xlsx` raw.
//! Checks: no panic; every diagnostic in both languages; the archive limits hold (a form read
//! has fewer cells than the input has bytes, since every cell needs its own XML).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

fn book(sheet: &[u8], shared: Option<&[u8]>) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut w = zip::ZipWriter::new(&mut buf);
    let o = zip::write::SimpleFileOptions::default();
    let mut put = |name: &str, body: &[u8]| {
        w.start_file(name, o).expect("zip in memory");
        w.write_all(body).expect("zip in memory");
    };
    put("[Content_Types].xml", CONTENT_TYPES.as_bytes());
    put("_rels/.rels", RELS.as_bytes());
    put("xl/workbook.xml", WORKBOOK.as_bytes());
    put("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes());
    if let Some(s) = shared {
        put("xl/sharedStrings.xml", s);
    }
    put("xl/worksheets/sheet1.xml", sheet);
    w.finish().expect("zip in memory");
    buf.into_inner()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode % 4 == 0 {
        rest.to_vec()
    } else {
        match rest.iter().position(|&b| b == 0xFF) {
            Some(cut) => book(&rest[..cut], Some(&rest[cut + 1..])),
            None => book(rest, None),
        }
    };
    let out = jixiao_formats::xlsx::read_xlsx(&bytes);
    for d in &out.diagnostics {
        assert!(!d.message.is_empty() && !d.message_en.is_empty(), "{d:?}");
    }
    for form in &out.forms {
        for d in &form.diagnostics {
            assert!(!d.message.is_empty() && !d.message_en.is_empty(), "{d:?}");
        }
        assert!(form.evaluation.indicators.len() <= data.len(), "more rows than input bytes");
    }
});
