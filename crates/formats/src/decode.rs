//! Text decoding: UTF-8 with or without BOM, UTF-16 (by BOM or by NUL pattern), GB18030/GBK.

use jixiao_core::{Finding, Severity};

pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    pub diagnostics: Vec<Finding>,
}

pub fn decode(bytes: &[u8]) -> Decoded {
    // Placeholder: replaced by the full detector.
    let (text, _, had_errors) = encoding_rs::UTF_8.decode(bytes);
    let mut diagnostics = Vec::new();
    if had_errors {
        diagnostics.push(Finding::new(
            "READ_ENCODING",
            Severity::Warning,
            "输入含有无效的 UTF-8 字节，已替换为 �",
            "invalid UTF-8 bytes were replaced by U+FFFD",
        ));
    }
    Decoded {
        text: text.into_owned(),
        encoding: "UTF-8",
        diagnostics,
    }
}
