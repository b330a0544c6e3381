//! `jixiao convert`: write the forms of an input in another format, chosen by the output's
//! extension:
//!
//! - `.json` — the canonical JSON form (`jixiao-evaluation/1`), which reads back identically;
//! - `.xlsx` — the official layout, one sheet per form (`--with-review`: a column of computed
//!   scores and a sheet of findings; `--one-sheet`: every form on one sheet); reads back;
//! - `.html` — the print view, one form per A4 landscape page;
//! - `.jsonl` — JSON Lines, one canonical form object per line;
//! - `.csv` — open data: `OUT.csv` (one row per indicator), `OUT-forms.csv` (one row per form,
//!   beside it) and `datapackage.json` (the Fiscal Data Package descriptor of both, beside
//!   them; an existing `datapackage.json` there is overwritten).

use anyhow::{anyhow, bail, Context as _};
use jixiao_core::Profile;
use jixiao_formats::xlsx::XlsxOptions;
use jixiao_formats::{html, json, opendata, read_bytes, xlsx, ReadOutcome};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Output formats `convert` writes.
pub const SUPPORTED: &[&str] = &["json", "xlsx", "html", "csv", "jsonl"];

/// What `convert` writes besides the forms.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// xlsx: add computed scores and a findings sheet.
    pub with_review: bool,
    /// xlsx: all forms on one sheet.
    pub one_sheet: bool,
    /// The rule profile for computed values (xlsx with review, csv); default central-2020.
    pub profile: Option<Profile>,
}

/// The files a `.csv` conversion writes: indicators, forms, descriptor.
pub fn csv_paths(output: &str) -> (PathBuf, PathBuf, PathBuf) {
    let path = Path::new(output);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("jixiao");
    (
        path.to_path_buf(),
        dir.join(format!("{stem}-forms.csv")),
        dir.join("datapackage.json"),
    )
}

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
            "不支持的输出格式「.{ext}」（{output}），目前支持：{} (unsupported output format .{ext}; supported: {})",
            SUPPORTED.iter().map(|s| format!(".{s}")).collect::<Vec<_>>().join(", "),
            SUPPORTED.iter().map(|s| format!(".{s}")).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Convert; returns the number of forms written.
pub fn run(input: &str, output: &str, err: &mut dyn std::io::Write) -> anyhow::Result<usize> {
    run_with(input, output, &Options::default(), err)
}

/// Convert with options; returns the number of forms written.
pub fn run_with(
    input: &str,
    output: &str,
    options: &Options,
    err: &mut dyn std::io::Write,
) -> anyhow::Result<usize> {
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
        "xlsx" => {
            let profile = match (&options.profile, options.with_review) {
                (Some(p), true) => Some(p.clone()),
                (None, true) => Some(Profile::builtin_or_err("central-2020")?),
                _ => None,
            };
            let bytes = xlsx::write_xlsx(
                &forms,
                XlsxOptions {
                    review: profile.as_ref(),
                    one_sheet: options.one_sheet,
                },
            )
            .map_err(|e| anyhow!("写出 xlsx 失败 (writing xlsx failed): {e}"))?;
            write_file(output, &bytes)?;
        }
        "html" => write_file(output, html::print_view(&forms).as_bytes())?,
        "jsonl" => {
            let mut buf = Vec::new();
            opendata::write_jsonl(&mut buf, &forms)?;
            write_file(output, &buf)?;
        }
        "csv" => {
            let profile = match &options.profile {
                Some(p) => p.clone(),
                None => Profile::builtin_or_err("central-2020")?,
            };
            let (ind_path, forms_path, package_path) = csv_paths(output);
            let mut indicators = Vec::new();
            let mut rows = Vec::new();
            let mut writer = opendata::CsvWriter::new(&mut indicators, &mut rows, &profile)?;
            for ev in &forms {
                writer.push(ev)?;
            }
            writer.finish()?;
            write_file(output, &indicators)?;
            write_file(&forms_path.to_string_lossy(), &rows)?;
            let name = |p: &Path| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            let package = opendata::datapackage(&name(&ind_path), &name(&forms_path));
            write_file(&package_path.to_string_lossy(), package.as_bytes())?;
            writeln!(
                err,
                "已写出 {}、{} 和 {} (wrote indicators, forms and the data package descriptor)",
                ind_path.display(),
                forms_path.display(),
                package_path.display()
            )?;
        }
        other => bail!("内部错误：未实现的格式 {other} (internal error: format not implemented)"),
    }
    Ok(forms.len())
}

fn write_file(path: &str, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("无法写入 {path} (cannot write {path})"))
}
