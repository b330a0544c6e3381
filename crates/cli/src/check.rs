//! `jixiao check`: read, score and review every input, printing compiler-style diagnostics or
//! the JSON contract, streamed form by form.

use crate::human::{write_finding, SourceLines, Style};
use crate::inputs::{self, Chunk, ChunkError, Expanded, Origin, Source};
use jixiao_core::{assess, Finding, Profile, Severity};
use jixiao_formats::contract::{FormSource, JsonArrayWriter};
use jixiao_formats::{decode, read_bytes_in_pieces, InputShape, ReadOutcome};
use std::io::{self, Write};

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// Counts over a whole run; they decide the exit code.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub inputs: usize,
    pub forms: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Inputs from which nothing at all could be read.
    pub unreadable: usize,
}

impl Totals {
    fn count(&mut self, findings: &[Finding]) -> [usize; 3] {
        let mut by = [0usize; 3];
        for f in findings {
            by[f.severity as usize] += 1;
        }
        self.infos += by[0];
        self.warnings += by[1];
        self.errors += by[2];
        by
    }

    /// 0: no error-level finding; 1: error-level findings; 2: an input could not be read.
    pub fn exit_code(&self) -> i32 {
        if self.unreadable > 0 {
            2
        } else if self.errors > 0 {
            1
        } else {
            0
        }
    }
}

/// Where results go.
pub enum Sink<W: Write> {
    Json(JsonArrayWriter<W>),
    Human { out: W, style: Style },
}

impl<W: Write> Sink<W> {
    pub fn new(format: Format, out: W, style: Style) -> io::Result<Self> {
        Ok(match format {
            Format::Json => Sink::Json(JsonArrayWriter::new(out)?),
            Format::Human => Sink::Human { out, style },
        })
    }

    /// Close the output (the JSON array's `]`; the human final summary).
    pub fn finish(self, totals: &Totals) -> io::Result<()> {
        match self {
            Sink::Json(writer) => writer.finish().map(|_| ()),
            Sink::Human { mut out, style } => {
                writeln!(
                    out,
                    "{} 检查了 {} 个输入、{} 张表：错误 {}，警告 {}，提示 {} \
                     (checked {} inputs, {} forms: {} errors, {} warnings, {} infos){}",
                    style.bold("总计"),
                    totals.inputs,
                    totals.forms,
                    totals.errors,
                    totals.warnings,
                    totals.infos,
                    totals.inputs,
                    totals.forms,
                    totals.errors,
                    totals.warnings,
                    totals.infos,
                    if totals.unreadable > 0 {
                        format!(
                            "；{} 个输入无法读取 ({} inputs could not be read)",
                            totals.unreadable, totals.unreadable
                        )
                    } else {
                        String::new()
                    }
                )?;
                out.flush()
            }
        }
    }
}

/// Check every input named on the command line. Problems with an input (missing, binary,
/// nothing recognisable) go to `err` and count as unreadable; the run goes on.
pub fn run<W: Write>(
    args: &[String],
    profile: &Profile,
    sink: &mut Sink<W>,
    err: &mut dyn Write,
    stdin: &mut dyn io::Read,
) -> io::Result<Totals> {
    let mut totals = Totals::default();
    let mut notes = Vec::new();
    let expanded = inputs::expand(args, &mut |n| notes.push(n));
    for note in notes {
        writeln!(err, "{note}")?;
    }
    for item in expanded {
        totals.inputs += 1;
        match item {
            Expanded::Missing { name, error } => {
                totals.unreadable += 1;
                writeln!(
                    err,
                    "错误：无法打开 {name}：{error} (error: cannot open {name}: {error})"
                )?;
            }
            Expanded::Source(source) => {
                let forms_before = totals.forms;
                let result = match &source.origin {
                    Origin::Stdin => {
                        check_reader(&source, &mut *stdin, profile, sink, err, &mut totals)
                    }
                    Origin::File(path) => match std::fs::File::open(path) {
                        Ok(file) => check_reader(&source, file, profile, sink, err, &mut totals),
                        Err(error) => Err(InputProblem::Io(error)),
                    },
                };
                match result {
                    Ok(()) if totals.forms > forms_before => {}
                    Ok(()) => {
                        totals.unreadable += 1;
                        writeln!(
                            err,
                            "错误：{0} 中没有可识别的绩效自评表 (error: no recognisable form in {0})",
                            source.name
                        )?;
                    }
                    Err(InputProblem::Output(error)) => return Err(error),
                    Err(InputProblem::Io(error)) => {
                        totals.unreadable += 1;
                        writeln!(
                            err,
                            "错误：读取 {0} 失败 (error: reading {0} failed)：{error}",
                            source.name
                        )?;
                    }
                    Err(InputProblem::Binary(kind)) => {
                        totals.unreadable += 1;
                        writeln!(
                            err,
                            "错误：{0} 是 {kind} 文件，暂不能读取；请提供文本（制表符、| 分隔等）或 JSON \
                             (error: {0} is a {kind} file, which is not read yet; give text or JSON)",
                            source.name
                        )?;
                    }
                }
            }
        }
    }
    Ok(totals)
}

/// Why an input gave nothing.
pub enum InputProblem {
    /// Reading the input failed.
    Io(io::Error),
    /// Writing the output failed: the run stops.
    Output(io::Error),
    Binary(&'static str),
}

/// Check one input read from `reader`, chunk by chunk.
pub fn check_reader<R: io::Read, W: Write>(
    source: &Source,
    reader: R,
    profile: &Profile,
    sink: &mut Sink<W>,
    err: &mut dyn Write,
    totals: &mut Totals,
) -> Result<(), InputProblem> {
    let mut form_index = 0usize;
    let mut first = true;
    let result = inputs::for_each_chunk(reader, |chunk: Chunk| {
        if first {
            first = false;
            if let Some(kind) = inputs::binary_kind(&chunk.bytes) {
                // An xlsx workbook is a zip: read whole (a zip is never cut into chunks).
                if !jixiao_formats::xlsx::is_xlsx(&chunk.bytes) {
                    return Err(InputProblem::Binary(kind));
                }
            }
        }
        check_chunk(
            &source.name,
            &chunk,
            profile,
            sink,
            err,
            totals,
            &mut form_index,
        )
        .map_err(InputProblem::Output)
    });
    match result {
        Ok(()) => Ok(()),
        Err(ChunkError::Io(error)) => Err(InputProblem::Io(error)),
        Err(ChunkError::Each(problem)) => Err(problem),
    }
}

/// Move locations of a chunk to the line numbers of the whole input.
fn shift(findings: &mut [Finding], lines_before: u32) {
    if lines_before == 0 {
        return;
    }
    for f in findings {
        if let Some(loc) = f.location.as_mut() {
            if loc.sheet.is_none() {
                loc.line = loc.line.saturating_add(lines_before);
            }
        }
    }
}

/// Read, assess and print the forms of one chunk, a few forms at a time
/// ([`PIECE`]): each piece's forms are assessed and written while what the reader wrote of
/// them is still in the processor's caches.
pub fn check_chunk<W: Write>(
    source: &str,
    chunk: &Chunk,
    profile: &Profile,
    sink: &mut Sink<W>,
    err: &mut dyn Write,
    totals: &mut Totals,
    form_index: &mut usize,
) -> io::Result<()> {
    // Human output shows source lines: decode the chunk once more for them (JSON needs none).
    // Not for a workbook or JSON (the readers' own tests: their locations are not lines of
    // this text).
    let text = match sink {
        Sink::Human { .. } if !jixiao_formats::xlsx::is_xlsx(&chunk.bytes) => {
            Some(decode::decode(&chunk.bytes).text).filter(|t| !jixiao_formats::is_json_text(t))
        }
        _ => None,
    };
    let lines = text
        .as_deref()
        .map(|t| SourceLines::new(t, chunk.first_line));
    let before_chunk = chunk.first_line - 1;
    read_bytes_in_pieces(&chunk.bytes, PIECE, |outcome, lines_before| {
        check_outcome(
            source,
            outcome,
            before_chunk.saturating_add(lines_before),
            lines.as_ref(),
            profile,
            sink,
            err,
            totals,
            form_index,
        )
    })
}

/// How many bytes of text [`check_chunk`] reads at a time (at least; cut before a form
/// title): ≈ 45 generated forms, their model within the processor's 1 MiB L2 cache. Smaller
/// pieces pay their fixed costs more often and make more cuts; a whole 1 MiB chunk let the
/// forms go cold before they were assessed (docs/BENCHMARKS.md, "Reading in pieces").
pub const PIECE: usize = 64 << 10;

/// Assess and print the forms read from one piece of a chunk (`lines_before`: the lines of
/// the input before the piece).
#[allow(clippy::too_many_arguments)]
fn check_outcome<W: Write>(
    source: &str,
    mut outcome: ReadOutcome,
    lines_before: u32,
    lines: Option<&SourceLines<'_>>,
    profile: &Profile,
    sink: &mut Sink<W>,
    err: &mut dyn Write,
    totals: &mut Totals,
    form_index: &mut usize,
) -> io::Result<()> {
    let mut input_diagnostics = std::mem::take(&mut outcome.diagnostics);
    shift(&mut input_diagnostics, lines_before);
    if outcome.forms.is_empty() {
        // Say what was seen even when no form came out of it.
        if !input_diagnostics.is_empty() {
            totals.count(&input_diagnostics);
            let style = match sink {
                Sink::Human { style, .. } => *style,
                Sink::Json(_) => Style { color: false },
            };
            for f in &input_diagnostics {
                write_finding(err, style, source, f, None, lines)?;
            }
        }
        return Ok(());
    }
    // Each form is used in its place (only its diagnostics taken out): moving a form out of
    // the vector copied its ≈ 1 KB twice, two `memcpy` calls a form. The forms are dropped
    // with the vector, after the chunk.
    for (i, form) in outcome.forms.iter_mut().enumerate() {
        let mut diagnostics = std::mem::take(&mut form.diagnostics);
        shift(&mut diagnostics, lines_before);
        if i == 0 && !input_diagnostics.is_empty() {
            // Input-level diagnostics (encoding, text outside forms) go with the first form.
            input_diagnostics.append(&mut diagnostics);
            diagnostics = std::mem::take(&mut input_diagnostics);
        }
        let ev = &form.evaluation;
        let mut assessment = assess(ev, profile);
        if outcome.shape == InputShape::Json {
            // A JSON form keeps the locations of the text it was first read from; they do not
            // point into this JSON file, so they are not shown as if they did.
            for f in &mut assessment.findings {
                f.location = None;
            }
        }
        shift(&mut assessment.findings, lines_before);
        totals.forms += 1;
        let mut by = totals.count(&diagnostics);
        let more = totals.count(&assessment.findings);
        for (a, b) in by.iter_mut().zip(more) {
            *a += b;
        }
        match sink {
            Sink::Json(writer) => {
                writer.push_form(&FormSource {
                    source,
                    form_index: *form_index,
                    evaluation: ev,
                    assessment: &assessment,
                    diagnostics: &diagnostics,
                    profile,
                    read_as: Some((outcome.shape, outcome.encoding)),
                })?;
            }
            Sink::Human { out, style } => {
                let mut all: Vec<&Finding> =
                    diagnostics.iter().chain(&assessment.findings).collect();
                all.sort_by(|a, b| {
                    (a.location.is_none(), &a.location).cmp(&(b.location.is_none(), &b.location))
                });
                for f in all {
                    let name = f
                        .indicator
                        .and_then(|i| ev.indicators.get(i))
                        .map(|ind| ind.name.as_str());
                    write_finding(out, *style, source, f, name, lines)?;
                }
                write_form_summary(out, *style, source, *form_index, ev, &assessment, by)?;
            }
        }
        *form_index += 1;
    }
    Ok(())
}

fn write_form_summary(
    out: &mut dyn Write,
    style: Style,
    source: &str,
    form_index: usize,
    ev: &jixiao_core::Evaluation,
    assessment: &jixiao_core::Assessment,
    by: [usize; 3],
) -> io::Result<()> {
    let card = &assessment.scorecard;
    let dash = || "—".to_string();
    let reported = ev.total_score.map_or_else(dash, |s| s.value.to_string());
    let computed = card.total.as_ref().map_or_else(dash, |c| c.display());
    let grade = card.grade.as_ref().map_or_else(dash, |g| g.grade.clone());
    let printed_grade = ev.grade.clone().unwrap_or_else(dash);
    let project = ev
        .project
        .as_deref()
        .unwrap_or("（无项目名称 no project name）");
    writeln!(
        out,
        "{} {project} ({source} 第 {} 张表 form {}): 自报总分 {reported} / 计算总分 {computed} \
         (reported / computed total), 等级 {printed_grade} / {grade} (grade); \
         错误 {} 警告 {} 提示 {} (errors, warnings, infos)\n",
        style.bold("="),
        form_index + 1,
        form_index,
        by[2],
        by[1],
        by[0],
    )
}

/// Severity order used for counting (`Severity as usize`): info 0, warning 1, error 2.
const _: () = {
    assert!(Severity::Info as usize == 0);
    assert!(Severity::Warning as usize == 1);
    assert!(Severity::Error as usize == 2);
};
