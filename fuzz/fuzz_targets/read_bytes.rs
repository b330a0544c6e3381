//! All readers through content detection: any bytes, no panic, every diagnostic written in
//! both languages, and every diagnostic about a form located.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let out = jixiao_formats::read_bytes(data);
    for d in &out.diagnostics {
        assert!(!d.message.is_empty() && !d.message_en.is_empty(), "{d:?}");
    }
    for form in &out.forms {
        for d in &form.diagnostics {
            assert!(!d.message.is_empty() && !d.message_en.is_empty(), "{d:?}");
            assert!(d.location.is_some(), "form diagnostic without location: {d:?}");
        }
    }
});
