//! Excel workbooks (.xlsx): read the official template and its provincial variants through the
//! same layout recogniser as the text readers, and write the official layout back.
//!
//! Reading ([`read_xlsx`]): the archive is checked first (a zip bomb or an archive that is not
//! a workbook gets a diagnostic, not a crash or a gigabyte of memory), then every sheet is
//! streamed cell by cell (a sheet of a million empty rows costs nothing), merged regions are
//! resolved from their top-left cell, and the sheet becomes rows of cell texts handed to
//! `text::grid_input` — so columns are found by their header labels exactly as in a tab grid,
//! and locations read `Sheet1!C12`.
//!
//! Writing ([`write_xlsx`]): one sheet per form in the official layout (title, header block,
//! funds, goals, indicator table with merged 一级/二级, 总分), borders, number formats, A4
//! landscape fitted to the page width with the indicator header repeated on every page.

mod read;
mod write;

pub use read::{read_xlsx, read_xlsx_with, Limits, LIMITS};
use write::REVIEW_HEADER;
pub use write::{write_xlsx, XlsxOptions, REPORT_MARK};

/// An xlsx file is a zip archive: its bytes start with `PK\x03\x04`.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}
