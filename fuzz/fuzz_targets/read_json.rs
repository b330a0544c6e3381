//! The canonical JSON reader on any UTF-8 (and on anything starting like JSON).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = jixiao_formats::json::read_json(text);
});
