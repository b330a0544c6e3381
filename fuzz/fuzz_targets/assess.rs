//! Read, then score and review every form with the default profile: whatever the reader
//! lets through, the engine never panics on it.
#![no_main]

use jixiao_core::{assess, Profile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let out = jixiao_formats::read_bytes(data);
    let profile = Profile::default();
    for form in &out.forms {
        let _ = assess(&form.evaluation, &profile);
    }
});
