//! `jixiao convert`: write the forms of an input in another format, chosen by the output's
//! extension. Only the canonical JSON form exists so far; xlsx, html and csv come later.

use anyhow::{anyhow, bail, Context as _};
use jixiao_formats::{json, read_bytes, ReadOutcome};
use std::io::Read;
use std::path::Path;

/// Output formats `convert` writes.
pub const SUPPORTED: &[&str] = &["json"];

/// Read `input` (`-` for stdin).
pub fn read_input(input: &str) -> anyhow::Result<ReadOutcome> {
    let bytes = if input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("无法读取标准输入 (cannot read stdin)")?;
        bytes
    } else {
        std::fs::read(input).with_context(|| format!("无法读取 {input} (cannot read {input})"))?
    };
    Ok(read_bytes(&bytes))
}

/// Check the output's extension before reading anything.
pub fn output_format(output: &str) -> anyhow::Result<&'static str> {
    if output == "-" {
        return Ok("json");
    }
    let ext = Path::new(output)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    SUPPORTED.iter().copied().find(|s| *s == ext).ok_or_else(|| {
        anyhow!(
            "不支持的输出格式「.{ext}」（{output}），目前支持：{} (unsupported output format .{ext}; supported: {}; xlsx, html and csv are planned)",
            SUPPORTED.iter().map(|s| format!(".{s}")).collect::<Vec<_>>().join(", "),
            SUPPORTED.iter().map(|s| format!(".{s}")).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Convert; returns the number of forms written.
pub fn run(input: &str, output: &str, err: &mut dyn std::io::Write) -> anyhow::Result<usize> {
    let format = output_format(output)?;
    let outcome = read_input(input)?;
    for f in outcome
        .diagnostics
        .iter()
        .chain(outcome.forms.iter().flat_map(|f| &f.diagnostics))
    {
        let at = f
            .location
            .as_ref()
            .map(|l| format!("{input}:{l}: "))
            .unwrap_or_default();
        writeln!(
            err,
            "{at}{}[{}]: {} ({})",
            f.severity, f.code, f.message, f.message_en
        )?;
    }
    if outcome.is_unreadable() {
        bail!("{input} 中没有可识别的绩效自评表 (no recognisable form in {input})");
    }
    let forms: Vec<_> = outcome.forms.into_iter().map(|f| f.evaluation).collect();
    match format {
        "json" => {
            let text = json::write_json(&forms) + "\n";
            if output == "-" {
                std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?;
            } else {
                std::fs::write(output, text)
                    .with_context(|| format!("无法写入 {output} (cannot write {output})"))?;
            }
        }
        other => bail!("内部错误：未实现的格式 {other} (internal error: format not implemented)"),
    }
    Ok(forms.len())
}
