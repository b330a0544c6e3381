//! Inputs (输入): expand the command line into sources (files, folders recursed, `-` for
//! stdin), and cut large text inputs into chunks at form boundaries so that memory stays flat
//! however many forms a file holds.

use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Where a source's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Stdin,
    File(PathBuf),
}

/// One input to read, with the name used in locations (`name:17:5`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub name: String,
    pub origin: Origin,
}

/// What an argument expanded to.
#[derive(Debug)]
pub enum Expanded {
    Source(Source),
    /// The argument names nothing that can be read (missing, permission denied, …).
    Missing {
        name: String,
        error: String,
    },
}

/// File extensions that are certainly not forms (or are formats not read yet; .xlsx and .xlsm
/// are read): skipped
/// with a note when met inside a folder, refused when named directly.
const UNSUPPORTED: &[&str] = &[
    "xls", "ods", "pdf", "doc", "docx", "wps", "png", "jpg", "jpeg", "gif", "bmp", "webp", "zip",
    "gz", "tgz", "bz2", "xz", "7z", "rar", "exe", "dll", "so", "bin",
];

/// Expand command-line arguments. Folders are walked recursively in sorted order; hidden
/// entries (`.git`, `.DS_Store`) and unsupported files are skipped, each skip reported to
/// `note`.
pub fn expand(args: &[String], note: &mut dyn FnMut(String)) -> Vec<Expanded> {
    let mut out = Vec::new();
    for arg in args {
        if arg == "-" {
            out.push(Expanded::Source(Source {
                name: "<stdin>".into(),
                origin: Origin::Stdin,
            }));
            continue;
        }
        let path = PathBuf::from(arg);
        match fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                let before = out.len();
                walk(&path, &mut out, note);
                if out.len() == before {
                    note(format!(
                        "注意：文件夹 {arg} 中没有可读的文件 (note: no readable file in folder {arg})"
                    ));
                }
            }
            Ok(_) => out.push(Expanded::Source(Source {
                name: arg.clone(),
                origin: Origin::File(path),
            })),
            Err(error) => out.push(Expanded::Missing {
                name: arg.clone(),
                error: error.to_string(),
            }),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<Expanded>, note: &mut dyn FnMut(String)) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            out.push(Expanded::Missing {
                name: dir.display().to_string(),
                error: error.to_string(),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, out, note);
        } else if let Some(ext) = unsupported_extension(&path) {
            note(format!(
                "注意：跳过 {}（不支持的文件类型 .{ext}） (note: skipped, unsupported file type)",
                path.display()
            ));
        } else if path.is_file() {
            out.push(Expanded::Source(Source {
                name: path.display().to_string(),
                origin: Origin::File(path),
            }));
        }
    }
}

/// The extension, lower-cased, if it is one that is not read.
pub fn unsupported_extension(path: &Path) -> Option<String> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    UNSUPPORTED.contains(&ext.as_str()).then_some(ext)
}

/// A binary format recognised by its first bytes, for a clear message instead of garbage.
pub fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "zip/xlsx/docx"),
        (b"%PDF", "PDF"),
        (b"\x89PNG", "PNG"),
        (b"\xFF\xD8\xFF", "JPEG"),
        (b"GIF8", "GIF"),
        (b"\xD0\xCF\x11\xE0", "xls/doc (OLE)"),
        (b"\x1F\x8B", "gzip"),
        (b"\x7FELF", "ELF"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, kind)| *kind)
}

/// A piece of an input that holds whole forms.
pub struct Chunk {
    pub bytes: Vec<u8>,
    /// The 1-based line number, in the whole input, of the chunk's first line.
    pub first_line: u32,
}

/// Chunks are cut once they reach this size, at the next form title.
pub const CHUNK_TARGET: usize = 1 << 20;

/// The most text one chunk may hold: a stretch this long with no form title line in it (one
/// form is a few kilobytes; a chunk is normally cut at the first title after [`CHUNK_TARGET`])
/// is refused rather than read. Reading is linear but what it holds is not small: on hostile
/// text of tiny forms (`项目名称\t1\t…` 8 MB on end) it held ~140 bytes per byte, 1.1 GB; this
/// cap keeps one input below that. Forms already read from earlier chunks stay reported.
pub const MAX_TEXT_CHUNK: usize = 8 << 20;

/// The most bytes read of an input that cannot be cut into chunks (a workbook, JSON, UTF-16);
/// UTF-16 text is also held to [`MAX_TEXT_CHUNK`].
pub const MAX_WHOLE_INPUT: usize = 256 << 20;

fn too_large(zh: &str, en: &str, limit: usize, line: u32) -> io::Error {
    let mib = limit >> 20;
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "输入过大：{zh}超过 {mib} MiB，从第 {line} 行起未读取 (input too large: {en} over {mib} MiB, not read from line {line} on)"
        ),
    )
}

/// Read an input and hand it on in chunks that hold whole forms.
///
/// Text in UTF-8 (or GB18030: `\n` never occurs inside one of its characters) is cut at a line
/// holding a form title (`…自评表`) once the chunk has reached [`CHUNK_TARGET`] bytes; line
/// numbers are carried on so locations stay those of the whole input. UTF-16 (a `\n` byte can
/// sit inside a code unit) and JSON (one document) are handed on whole. Lone-CR line ends are
/// not counted across chunks: such files have no `\n` and so form one chunk anyway.
pub fn for_each_chunk<R: Read, E>(
    reader: R,
    mut each: impl FnMut(Chunk) -> Result<(), E>,
) -> Result<(), ChunkError<E>> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let head = reader.fill_buf().map_err(ChunkError::Io)?;
    if !splittable(head) {
        let limit = if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
            MAX_TEXT_CHUNK
        } else {
            MAX_WHOLE_INPUT
        };
        let mut bytes = Vec::new();
        (&mut reader)
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(ChunkError::Io)?;
        if bytes.len() > limit {
            return Err(ChunkError::Io(too_large(
                "整个输入",
                "the whole input",
                limit,
                1,
            )));
        }
        return each(Chunk {
            bytes,
            first_line: 1,
        })
        .map_err(ChunkError::Each);
    }
    // The head read so far (a small file is all there) starts the first chunk; the rest is
    // read straight into the chunk, past the `BufReader` (one copy fewer of every byte).
    let chunk = reader.buffer().to_vec();
    cut_text(reader.into_inner(), chunk, Limits::CHECK, each)
}

/// The sizes [`for_each_chunk`] cuts text by (smaller in tests).
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// [`CHUNK_TARGET`].
    target: usize,
    /// [`MAX_TEXT_CHUNK`].
    max: usize,
    /// The most bytes asked of the reader at a time.
    block: usize,
}

impl Limits {
    const CHECK: Limits = Limits {
        target: CHUNK_TARGET,
        max: MAX_TEXT_CHUNK,
        block: 64 * 1024,
    };
}

/// Cut text into chunks: a chunk ends before the first line that starts at or after
/// `target` and holds a form title (a title line before `target` is never a cut); a chunk
/// that would hold a line ending past `max` is refused. The same cuts, line numbers and
/// refusals as reading line by line (`cut_by_lines` in the tests), but the bytes are read in
/// blocks straight into the chunk and only the lines after `target` are looked at.
fn cut_text<R: Read, E>(
    mut reader: R,
    mut chunk: Vec<u8>,
    limits: Limits,
    mut each: impl FnMut(Chunk) -> Result<(), E>,
) -> Result<(), ChunkError<E>> {
    let mut first_line: u32 = 1;
    // Where the next line to look at starts (`None`: not found yet, the chunk is still
    // shorter than the target or its line that crosses the target has not ended).
    let mut line: Option<usize> = None;
    let mut eof = false;
    loop {
        if line.is_none() && chunk.len() >= limits.target {
            // The first line that starts at or after the target.
            let from = limits.target - 1;
            line = chunk[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|i| from + i + 1);
        }
        // Look at the whole lines read after the target: a title line is the cut.
        let mut cut = None;
        if let Some(at) = line.as_mut() {
            while *at < chunk.len() {
                let end = match chunk[*at..].iter().position(|&b| b == b'\n') {
                    Some(i) => *at + i + 1,
                    None if eof => chunk.len(),
                    None => break,
                };
                if end > limits.max {
                    break;
                }
                if is_title_line(&chunk[*at..end]) {
                    cut = Some(*at);
                    break;
                }
                *at = end;
            }
        }
        if cut.is_none() && chunk.len() > limits.max {
            // Nothing of this chunk has been read: say so from its first line.
            return Err(ChunkError::Io(too_large(
                "没有表题（…自评表）的一段文本",
                "a stretch of text without a form title (…自评表)",
                limits.max,
                first_line,
            )));
        }
        if let Some(at) = cut {
            let mut rest = Vec::with_capacity(limits.target + 2 * limits.block);
            rest.extend_from_slice(&chunk[at..]);
            chunk.truncate(at);
            let lines = jixiao_formats::whole_lines(&chunk).map_or(0, |(_, count)| count);
            let full = std::mem::replace(&mut chunk, rest);
            each(Chunk {
                bytes: full,
                first_line,
            })
            .map_err(ChunkError::Each)?;
            first_line = first_line.saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
            line = None;
            continue;
        }
        if eof {
            break;
        }
        // Never more than the chunk limit (plus one byte, to tell) in memory.
        let want = limits.block.min(limits.max + 1 - chunk.len());
        let len = chunk.len();
        if chunk.capacity() < len + want {
            // A small input (its head shorter than a block) needs no more than a block; a
            // large one room for a chunk of the target size and the block that crosses it,
            // once.
            let size = if len < limits.block {
                len + want
            } else {
                (limits.target + 2 * limits.block).max(len + want)
            };
            chunk.reserve_exact(size - len);
        }
        // Into the room reserved, without zeroing it first (`resize` cost as much as the copy
        // saved); up to `want` bytes or the end of the input, again when interrupted.
        let got = (&mut reader)
            .take(want as u64)
            .read_to_end(&mut chunk)
            .map_err(ChunkError::Io)?;
        eof = got == 0;
    }
    if !chunk.is_empty() || first_line == 1 {
        each(Chunk {
            bytes: chunk,
            first_line,
        })
        .map_err(ChunkError::Each)?;
    }
    Ok(())
}

/// Why chunked reading stopped.
#[derive(Debug)]
pub enum ChunkError<E> {
    Io(io::Error),
    Each(E),
}

fn splittable(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(8192)];
    if sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") || sample.contains(&0) {
        return false;
    }
    let first = sample
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF));
    !matches!(first, Some(b'{') | Some(b'['))
}

fn is_title_line(line: &[u8]) -> bool {
    const TITLE: &[u8] = "自评表".as_bytes();
    line.windows(TITLE.len()).any(|w| w == TITLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks_of(text: &[u8]) -> Vec<(usize, u32)> {
        let mut got = Vec::new();
        for_each_chunk::<_, ()>(text, |c| {
            got.push((c.bytes.len(), c.first_line));
            Ok(())
        })
        .unwrap();
        got
    }

    #[test]
    fn small_input_is_one_chunk() {
        assert_eq!(chunks_of(b"a\nb\n"), vec![(4, 1)]);
        assert_eq!(chunks_of(b""), vec![(0, 1)]);
    }

    #[test]
    fn large_input_is_cut_at_titles_with_line_numbers_carried() {
        let form = "财政项目支出绩效自评表\t\t\n(2023 年度)\n总分\t100\t94\n\n";
        let count = CHUNK_TARGET / form.len() * 3;
        let text = form.repeat(count);
        let chunks = chunks_of(text.as_bytes());
        assert!(chunks.len() >= 3, "{chunks:?}");
        let total: usize = chunks.iter().map(|c| c.0).sum();
        assert_eq!(total, text.len());
        // Each chunk starts at a title line: its first line number is 1 + 4k.
        for (_, first) in &chunks {
            assert_eq!((first - 1) % 4, 0);
        }
        let mut joined = Vec::new();
        for_each_chunk::<_, ()>(text.as_bytes(), |c| {
            assert!(c.bytes.starts_with("财政".as_bytes()));
            joined.extend(c.bytes);
            Ok(())
        })
        .unwrap();
        assert_eq!(joined, text.as_bytes());
    }

    #[test]
    fn cuts_and_line_numbers_match_a_line_by_line_reading() {
        // Forms of varied length, some lines long, the last without a final new line.
        let mut text = String::new();
        let mut titles = Vec::new();
        let mut line = 1u32;
        for n in 0..4000 {
            titles.push((text.len(), line));
            text.push_str("财政项目支出绩效自评表\n");
            line += 1;
            for k in 0..(n % 7) {
                text.push_str(&"x\t".repeat(1 + (n * 31 + k * 17) % 300));
                text.push('\n');
                line += 1;
            }
        }
        text.push_str("总分\t100");
        let chunks = chunks_of(text.as_bytes());
        assert!(chunks.len() >= 3, "{chunks:?}");
        // Each chunk after the first starts at the first title at or after the target.
        let mut at = 0usize;
        for (i, &(len, first)) in chunks.iter().enumerate() {
            if i > 0 {
                let &(offset, title_line) = titles
                    .iter()
                    .find(|(o, _)| *o >= at)
                    .expect("a title starts the chunk");
                assert_eq!((offset, first), (at, title_line));
            }
            if i + 1 < chunks.len() {
                let cut = titles
                    .iter()
                    .find(|(o, _)| *o >= at + CHUNK_TARGET)
                    .expect("a cut at a title");
                assert_eq!(at + len, cut.0);
            }
            at += len;
        }
        assert_eq!(at, text.len());
    }

    /// The chunker as it was (line by line through a `BufReader`), the reference for
    /// [`cut_text`].
    fn cut_by_lines<R: Read, E>(
        reader: R,
        limits: Limits,
        mut each: impl FnMut(Chunk) -> Result<(), E>,
    ) -> Result<(), ChunkError<E>> {
        let mut reader = BufReader::with_capacity(limits.block, reader);
        // Grown as needed: a folder of small files should not cost a megabyte each.
        let mut chunk: Vec<u8> = Vec::new();
        let mut first_line: u32 = 1;
        let mut lines: u32 = 0;
        loop {
            if chunk.len() < limits.target {
                // Below the target no line can start a cut: take whole lines a buffer at a time
                // and only count them (a `read_until` per line cost more than the line).
                let buf = reader.fill_buf().map_err(ChunkError::Io)?;
                if buf.is_empty() {
                    break;
                }
                let window = &buf[..buf.len().min(limits.target - chunk.len())];
                if let Some((last, count)) = jixiao_formats::whole_lines(window) {
                    chunk.extend_from_slice(&window[..=last]);
                    lines = lines.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
                    reader.consume(last + 1);
                    continue;
                }
                // No line ends in the window (a long line, or the target is a few bytes away):
                // read one line as below.
            }
            let start = chunk.len();
            // Never more than the chunk limit (plus one byte, to tell) in memory, however long
            // the line.
            let room = (limits.max + 1).saturating_sub(start) as u64;
            let n = (&mut reader)
                .take(room)
                .read_until(b'\n', &mut chunk)
                .map_err(ChunkError::Io)?;
            if n == 0 {
                break;
            }
            if chunk.len() > limits.max {
                // Nothing of this chunk has been read: say so from its first line.
                return Err(ChunkError::Io(too_large(
                    "没有表题（…自评表）的一段文本",
                    "a stretch of text without a form title (…自评表)",
                    limits.max,
                    first_line,
                )));
            }
            if start >= limits.target && is_title_line(&chunk[start..]) {
                let rest = chunk[start..].to_vec();
                chunk.truncate(start);
                let full = std::mem::replace(&mut chunk, rest);
                each(Chunk {
                    bytes: full,
                    first_line,
                })
                .map_err(ChunkError::Each)?;
                chunk.reserve(limits.target + 64 * 1024);
                first_line = first_line.saturating_add(lines);
                lines = 0;
            }
            lines = lines.saturating_add(1);
        }
        if !chunk.is_empty() || first_line == 1 {
            each(Chunk {
                bytes: chunk,
                first_line,
            })
            .map_err(ChunkError::Each)?;
        }
        Ok(())
    }

    /// A reader that hands out its bytes in pieces of varied length (as a pipe does).
    struct Pieces<'a> {
        bytes: &'a [u8],
        x: u64,
    }

    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.x = self
                .x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let n = ((self.x >> 33) as usize % 97 + 1)
                .min(buf.len())
                .min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    type Cuts = Result<Vec<(Vec<u8>, u32)>, String>;

    fn cuts(
        run: impl FnOnce(&mut dyn FnMut(Chunk) -> Result<(), ()>) -> Result<(), ChunkError<()>>,
    ) -> Cuts {
        let mut got = Vec::new();
        match run(&mut |c| {
            got.push((c.bytes, c.first_line));
            Ok(())
        }) {
            Ok(()) => Ok(got),
            Err(ChunkError::Io(e)) => Err(e.to_string()),
            Err(ChunkError::Each(())) => Err("each".into()),
        }
    }

    #[test]
    fn block_reads_cut_where_line_by_line_reading_cut() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % m
        };
        let title = "财政项目支出绩效自评表";
        for round in 0..3000 {
            // Lines of varied length, some of them titles (whole, or with text around),
            // some very long, the last with or without its new line.
            let mut text = Vec::new();
            for _ in 0..next(60) {
                match next(6) {
                    0 => text.extend_from_slice(title.as_bytes()),
                    1 => text.extend_from_slice(format!("x{title}y").as_bytes()),
                    2 => text.extend(std::iter::repeat_n(b'a', next(300) as usize)),
                    _ => text.extend(std::iter::repeat_n(b'b', next(40) as usize)),
                }
                if next(20) > 0 {
                    text.push(b'\n');
                }
            }
            let target = 1 + next(200) as usize;
            let limits = Limits {
                target,
                max: target + next(400) as usize,
                block: 1 + next(80) as usize,
            };
            let seed = next(1 << 30);
            let want = cuts(|each| {
                cut_by_lines(
                    Pieces {
                        bytes: &text,
                        x: seed,
                    },
                    limits,
                    each,
                )
            });
            let got = cuts(|each| {
                let mut reader = BufReader::with_capacity(
                    limits.block,
                    Pieces {
                        bytes: &text,
                        x: seed,
                    },
                );
                let head = reader.fill_buf().map_err(ChunkError::Io)?.to_vec();
                cut_text(reader.into_inner(), head, limits, each)
            });
            assert_eq!(
                got,
                want,
                "round {round}, {limits:?}, {:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }

    #[test]
    fn json_and_utf16_are_never_cut() {
        assert!(!splittable(b"  [ {"));
        assert!(!splittable(b"\xEF\xBB\xBF{"));
        assert!(!splittable(b"\xFF\xFEa\0"));
        assert!(!splittable(b"a\0b\0"));
        assert!(splittable("项目名称\t".as_bytes()));
    }

    #[test]
    fn binary_files_are_recognised() {
        assert_eq!(binary_kind(b"%PDF-1.7"), Some("PDF"));
        assert_eq!(binary_kind("项目".as_bytes()), None);
        assert_eq!(
            unsupported_extension(Path::new("a/B.XLS")).as_deref(),
            Some("xls")
        );
        assert_eq!(unsupported_extension(Path::new("a/B.XLSX")), None);
        assert_eq!(unsupported_extension(Path::new("a/b.tsv")), None);
    }
}
