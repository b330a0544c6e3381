//! The text readers (tab grid, pipe rows, one cell per line, flattened) on any UTF-8.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let out = jixiao_formats::text::read_text(text);
    // Locations point into the text: a diagnostic's line exists.
    let lines = text.split('\n').count() as u32;
    for form in &out.forms {
        for d in &form.diagnostics {
            if let Some(loc) = &d.location {
                assert!(loc.line >= 1 && loc.line <= lines, "{d:?} in {lines} lines");
            }
        }
    }
});
