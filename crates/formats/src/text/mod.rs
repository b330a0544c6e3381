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
    let mut toks = carrier::tokenize(text, layout);
    let mut cut = Vec::new();
    // Text that stops mid-line inside a form that never reached its 总分 was cut off (a page
    // capture limit): its last cell may be cut mid-number or mid-word. Do not read it.
    if layout::ends_inside_a_form(text, &toks, layout) {
        // Only a cell the text stops right inside: a separator after it means it was whole.
        let last = toks.iter().rposition(|t| !t.is_empty());
        let stops_inside =
            last.is_some_and(|i| toks[i].byte_in(text) + toks[i].text.len() == text.len());
        if let Some(last) = last.filter(|_| stops_inside) {
            let tok = toks.remove(last);
            cut.push(
                jixiao_core::Finding::new(
                    "READ_CUT_CELL",
                    jixiao_core::Severity::Warning,
                    format!("文本在「{}」处中断，这一格可能不完整，未读取", tok.text),
                    format!(
                        "the text stops inside '{}': the cell may be incomplete and was not read",
                        tok.text
                    ),
                )
                .at(Some(jixiao_core::Loc::text(tok.line, tok.column())))
                .rule("读取规则：读不准的值报告而不臆造 (readers never guess)"),
            );
        }
    }
    let (forms, mut diagnostics) = layout::recognise(text, &toks, layout);
    diagnostics.extend(cut);
    ReadOutcome {
        shape: layout.shape,
        encoding: "UTF-8",
        forms,
        diagnostics,
    }
}

/// A seeded xorshift generator of indices below `n`, for the tests that hold a fast path to the
/// general one over generated inputs (the same sequence on every run).
#[cfg(test)]
pub(crate) fn xorshift(mut state: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}
