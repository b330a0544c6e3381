//! A grid of owned cell strings (a spreadsheet sheet) fed to the same layout recogniser as
//! the text carriers. The xlsx reader turns a sheet into rows of cells; this module turns those
//! into the one cell stream ([`Tok`]) the recogniser reads, with the layout of a tab grid
//! (rows are table rows, blank cells kept in place), and puts the sheet name on every location
//! so that diagnostics read `Sheet1!C12`.

use super::carrier::{Layout, Tok};
use super::layout;
use crate::{InputShape, ReadForm};
use jixiao_core::{Evaluation, Finding, Loc};

/// One non-blank sheet row: its 1-based row number and its cells from column A on (blank
/// cells as empty strings; every row of a sheet is padded to the same width).
pub(crate) struct GridRow {
    pub row: u32,
    pub cells: Vec<String>,
}

/// Recognise the forms of one sheet. Locations come back as `sheet!C12`.
pub(crate) fn recognise_grid(sheet: &str, rows: &[GridRow]) -> (Vec<ReadForm>, Vec<Finding>) {
    let mut toks = Vec::with_capacity(rows.iter().map(|r| r.cells.len()).sum());
    for row in rows {
        for (c, text) in row.cells.iter().enumerate() {
            toks.push(Tok {
                text: text.trim(),
                line: row.row,
                col: c as u32 + 1,
                row: row.row.saturating_sub(1),
                slot: c as u32,
            });
        }
    }
    let grid = Layout {
        shape: InputShape::Xlsx,
        positional_rows: true,
        keeps_empty: true,
    };
    let (mut forms, mut diagnostics) =
        layout::recognise("", &toks, grid, &mut layout::ClassMemo::new());
    for form in &mut forms {
        locate_evaluation(&mut form.evaluation, sheet);
        for f in &mut form.diagnostics {
            locate(&mut f.location, sheet);
        }
    }
    for f in &mut diagnostics {
        locate(&mut f.location, sheet);
    }
    (forms, diagnostics)
}

fn locate(loc: &mut Option<Loc>, sheet: &str) {
    if let Some(loc) = loc {
        loc.sheet = Some(sheet.to_string());
    }
}

/// Put the sheet name on every location of a form read from a grid.
fn locate_evaluation(ev: &mut Evaluation, sheet: &str) {
    let funds = &mut ev.funds;
    for row in [
        &mut funds.total,
        &mut funds.appropriation,
        &mut funds.carryover,
        &mut funds.other,
    ] {
        locate(&mut row.at, sheet);
    }
    for (_, row) in &mut funds.extra {
        locate(&mut row.at, sheet);
    }
    let at = &mut ev.at;
    for loc in [
        &mut at.start,
        &mut at.project,
        &mut at.funds_total,
        &mut at.funds_rate,
        &mut at.funds_score,
        &mut at.goal_expected,
        &mut at.goal_actual,
        &mut at.total,
        &mut at.grade,
    ] {
        locate(loc, sheet);
    }
    for ind in &mut ev.indicators {
        let at = &mut ind.at;
        for loc in [
            &mut at.row,
            &mut at.name,
            &mut at.target,
            &mut at.actual,
            &mut at.weight,
            &mut at.score,
            &mut at.reason,
        ] {
            locate(loc, sheet);
        }
    }
}
