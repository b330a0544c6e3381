//! Text readers: carriers (tab grid, pipe rows, one cell per line, flattened) feed one layout
//! recogniser.

mod align;
mod carrier;
pub(crate) mod grid_input;
mod layout;
mod vocab;

use crate::ReadOutcome;

/// Read every form in a decoded text. Never fails: what cannot be read becomes diagnostics.
pub fn read_text(text: &str) -> ReadOutcome {
    let layout = carrier::detect(text);
    let toks = carrier::tokenize(text, layout);
    let (forms, diagnostics) = layout::recognise(text, &toks, layout);
    ReadOutcome {
        shape: layout.shape,
        encoding: "UTF-8",
        forms,
        diagnostics,
    }
}
