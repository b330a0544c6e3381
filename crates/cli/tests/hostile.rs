//! Hostile files given to `jixiao check` and `jixiao show`, as a unit might upload them: each
//! ends with a clear message on stderr and exit code 2 where nothing was readable, and never a
//! panic. What is read is capped (`inputs::MAX_TEXT_CHUNK`, `inputs::MAX_WHOLE_INPUT`), so a
//! huge input is refused rather than taking the machine's memory.

mod common;
use common::{run, scratch, seed};
use std::path::Path;

/// Deterministic pseudo-random bytes (xorshift; no dependency needed for a test input).
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// `check` and `show` on `bytes` written to `name`: both exit 2, name the file, say why, and
/// print no panic.
fn unreadable(dir: &Path, name: &str, bytes: &[u8], why: &str) {
    let file = dir.join(name);
    std::fs::write(&file, bytes).unwrap();
    let path = file.to_str().unwrap();
    for args in [
        vec!["check", path],
        vec!["check", "--format", "json", path],
        vec!["show", path],
    ] {
        let o = run(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name} {args:?}: {err}");
        assert!(
            err.contains(path),
            "{name}: the message names the file: {err}"
        );
        assert!(err.contains(why), "{name}: expected «{why}» in: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn hostile_files_are_refused_with_a_reason_and_exit_code_2() {
    let dir = scratch("hostile");
    let no_form = "没有可识别的绩效自评表";
    unreadable(&dir, "empty.tsv", b"", no_form);
    unreadable(&dir, "noise.bin.txt", &noise(256 * 1024, 0x5eed), no_form);
    unreadable(&dir, "nul.tsv", &[0u8; 100_000], no_form);
    unreadable(&dir, "tabs.tsv", &vec![b'\t'; 3_000_000], no_form);
    unreadable(&dir, "empty-rows.tsv", &vec![b'\n'; 1_000_000], no_form);
    unreadable(&dir, "crs.tsv", &vec![b'\r'; 1_000_000], no_form);
    let labels = "项目名称 ".repeat(200_000);
    unreadable(&dir, "labels.txt", labels.as_bytes(), no_form);
    let header = seed()
        .lines()
        .find(|l| l.contains("一级指标"))
        .unwrap()
        .to_string();
    // The indicator header row alone: 50 000 times is read (6.5 MB) and holds no form;
    // 200 000 times (25.8 MB, no form title) is over the cap and refused.
    unreadable(
        &dir,
        "headers.tsv",
        format!("{header}\n").repeat(50_000).as_bytes(),
        no_form,
    );
    unreadable(
        &dir,
        "headers-200k.tsv",
        format!("{header}\n").repeat(200_000).as_bytes(),
        "输入过大",
    );
    // Deeply nested JSON: serde_json's recursion limit answers, not the stack.
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    unreadable(&dir, "nested.json", nested.as_bytes(), no_form);
    // A workbook that is not a zip.
    let mut fake = b"PK\x03\x04".to_vec();
    fake.extend(noise(50_000, 7));
    unreadable(&dir, "fake.xlsx", &fake, no_form);
    // Other binary formats: `check` names them.
    let pdf = dir.join("scan.txt");
    std::fs::write(&pdf, b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n").unwrap();
    let o = run(&["check", pdf.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("PDF"));
}

#[test]
fn a_text_stretch_over_the_cap_is_refused_without_reading_it_all() {
    let dir = scratch("hostile-cap");
    // 9 MiB on one line with no form title: over MAX_TEXT_CHUNK (8 MiB).
    let line = "绩效".repeat(9 * (1 << 20) / 6 + 1);
    unreadable(&dir, "long-line.txt", line.as_bytes(), "输入过大");
    // UTF-16 is read whole (a `\n` byte can sit inside a code unit), under the same cap.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "项目名称\t".repeat(9 * (1 << 20) / 10 + 1).encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    unreadable(&dir, "utf16.txt", &utf16, "输入过大");
}

#[test]
fn forms_before_an_oversized_stretch_are_still_reported() {
    // Over a mebibyte of forms (handed on in chunks cut at form titles), then 9 MiB of junk
    // on one line: the forms of the chunks before the junk are reported, then the refusal.
    let dir = scratch("hostile-after");
    let seed = seed();
    let copies = (1 << 20) / seed.len() + 2;
    let mut text = seed.repeat(copies);
    text.push_str(&"x".repeat(9 << 20));
    let file = dir.join("forms-then-junk.tsv");
    std::fs::write(&file, &text).unwrap();
    let o = run(&["check", "--format", "json", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("输入过大"), "{err}");
    let forms: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let read = forms.as_array().map_or(0, Vec::len);
    assert!(
        read > 0 && read < 3 * copies,
        "{read} of {} forms",
        3 * copies
    );
    // Refused from the first line of the chunk not read: a form title, where the forms not
    // reported begin.
    let from: usize = err
        .split("从第 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a line number in: {err}"));
    let line = text.lines().nth(from - 1).unwrap_or_default();
    assert!(
        line.contains("自评表"),
        "line {from} is not a form title: {line}"
    );
}
