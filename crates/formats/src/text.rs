//! Text readers: carriers (tab grid, pipe rows, one cell per line, flattened) feed one layout
//! recogniser.

use crate::{InputShape, ReadOutcome};

pub fn read_text(_text: &str) -> ReadOutcome {
    ReadOutcome { shape: InputShape::Unknown, encoding: "UTF-8", forms: Vec::new(), diagnostics: Vec::new() }
}
