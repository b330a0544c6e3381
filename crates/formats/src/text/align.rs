//! Aligning the cells of one indicator row with the columns the header announced.
//!
//! Cells can be missing (merged, blank, dropped by the carrier) or shifted; the alignment
//! picks the cheapest monotone assignment of cells to columns by content, and says when two
//! equally cheap assignments would give different values (then the reader does not guess).

use super::carrier::Tok;
use super::vocab::{self, IndCol};

const INF: f32 = 1.0e9;
const EPS: f32 = 1.0e-4;

/// Cost of leaving a column without a cell.
fn skip_cost(col: IndCol) -> f32 {
    match col {
        IndCol::TargetOp => 0.5,
        IndCol::TargetValue => 2.0,
        IndCol::TargetUnit => 0.3,
        IndCol::Target => 3.0,
        // Equal costs for leaving out the actual, the weight or the score: where blanks are
        // lost, `≥50个 8 8` (actual+weight or weight+score?) and `≥50个 50` (actual or
        // weight?) then tie, and a tie is reported instead of guessed.
        IndCol::Actual => 3.0,
        IndCol::Weight => 3.0,
        IndCol::Score => 3.0,
        IndCol::Reason => 0.0,
        IndCol::Level1 | IndCol::Level2 | IndCol::Name => 0.0,
    }
}

/// Cost of putting a non-empty cell in a column (INF: impossible).
fn match_cost(col: IndCol, text: &str) -> f32 {
    // Only some columns ask whether the cell is a number (the actual never does).
    let number = || vocab::plain_number(text).is_some();
    match col {
        IndCol::TargetOp => {
            if vocab::is_operator(text) {
                0.0
            } else if !number() {
                // A merged cell holding a qualitative target across 指标性质/指标值/度量单位.
                0.8
            } else {
                INF
            }
        }
        IndCol::TargetValue => {
            if number() || percent_number(text) {
                0.0
            } else if vocab::is_operator(text) {
                INF
            } else {
                0.8
            }
        }
        IndCol::TargetUnit => {
            if vocab::is_bare_unit(text) {
                0.0
            } else if vocab::is_unit(text) {
                0.4
            } else {
                INF
            }
        }
        IndCol::Target => {
            if number() {
                0.3
            } else {
                0.0
            }
        }
        IndCol::Actual => {
            if vocab::is_operator(text) || vocab::is_bare_unit(text) {
                // An operator or a unit alone is never what was achieved.
                INF
            } else {
                0.0
            }
        }
        IndCol::Weight | IndCol::Score => {
            if number() {
                0.0
            } else {
                INF
            }
        }
        IndCol::Reason => {
            if number() || vocab::is_bare_unit(text) || vocab::is_operator(text) {
                INF
            } else {
                0.0
            }
        }
        IndCol::Level1 | IndCol::Level2 | IndCol::Name => INF,
    }
}

/// A cell fits a column perfectly (no doubt at all).
pub(crate) fn fits(col: IndCol, text: &str) -> bool {
    match_cost(col, text) == 0.0
}

fn percent_number(text: &str) -> bool {
    text.strip_suffix(['%', '％'])
        .is_some_and(|n| vocab::plain_number(n).is_some())
}

/// The cells placed in one column: nearly always none or one, kept inline (an alignment is
/// built for every indicator row).
pub(crate) type Cells = smallvec::SmallVec<[usize; 2]>;

/// The cells given to each column (indices into the aligned slice; a column may take
/// several cells only when it is the reason).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Alignment {
    /// Inline, like [`Cells`]: an alignment is made for every indicator row, and a header
    /// has at most a dozen columns.
    pub cols: smallvec::SmallVec<[Cells; 8]>,
    pub cost: f32,
    /// Another assignment as cheap gives different values.
    pub ambiguous: bool,
    /// Per column: whether every equally cheap assignment gives it the same value (the
    /// split target's three columns count as one). Meaningful when `ambiguous`.
    pub agreed: smallvec::SmallVec<[bool; 8]>,
}

/// Align `toks` (the cells after the name) with `fields`.
pub(crate) fn align(fields: &[IndCol], toks: &[Tok<'_>]) -> Alignment {
    let m = fields.len();
    let n = toks.len();
    // best[f][t]: cheapest cost to place toks[t..] into fields[f..].
    let w = n + 1;
    let mut best = vec![INF; (m + 1) * w];
    let idx = |f: usize, t: usize| f * w + t;
    for f in (0..=m).rev() {
        for t in (0..=n).rev() {
            if f == m && t == n {
                best[idx(f, t)] = 0.0;
                continue;
            }
            let mut c = INF;
            if t < n && toks[t].is_empty() {
                // A blank cell: dropped (it belongs to no column we know) …
                c = c.min(0.15 + best[idx(f, t + 1)]);
                // … or the blank value of this column.
                if f < m {
                    c = c.min(best[idx(f + 1, t + 1)]);
                }
            }
            if f < m {
                c = c.min(skip_cost(fields[f]) + best[idx(f + 1, t)]);
                if t < n && !toks[t].is_empty() {
                    let mc = match_cost(fields[f], toks[t].text);
                    if mc < INF {
                        c = c.min(mc + best[idx(f + 1, t + 1)]);
                        if fields[f] == IndCol::Reason {
                            // The reason may run over several cells (flattened text).
                            let mut extra = 0.0;
                            for u in t + 1..n {
                                if toks[u].is_empty() {
                                    break;
                                }
                                let mu = match_cost(IndCol::Reason, toks[u].text);
                                if mu >= INF {
                                    break;
                                }
                                extra += 0.3;
                                c = c.min(mc + extra + best[idx(f + 1, u + 1)]);
                            }
                        }
                    }
                }
            }
            best[idx(f, t)] = c;
        }
    }
    let total = best[idx(0, 0)];
    if total >= INF {
        return Alignment {
            cols: smallvec::smallvec![Cells::new(); m],
            cost: INF,
            ambiguous: false,
            agreed: smallvec::smallvec![false; m],
        };
    }
    // Walk every optimal path (bounded) and compare the values they give.
    let mut found: Vec<Vec<Cells>> = Vec::new();
    let mut path: Vec<Cells> = vec![Cells::new(); m];
    let mut budget = 64usize;
    walk(
        fields,
        toks,
        &best,
        w,
        0,
        0,
        &mut path,
        &mut found,
        &mut budget,
    );
    let first = found
        .first()
        .cloned()
        .unwrap_or_else(|| vec![Cells::new(); m]);
    let values = |cols: &Vec<Cells>| -> Vec<String> { render(fields, toks, cols) };
    let reference = values(&first);
    let ambiguous = found.iter().skip(1).any(|p| values(p) != reference);
    // `render` puts the joined split target last and the other columns in order.
    let others: Vec<Vec<String>> = found.iter().skip(1).map(values).collect();
    let mut rendered = 0;
    let mut agreed = smallvec::SmallVec::with_capacity(m);
    for f in fields {
        let position = match f {
            IndCol::TargetOp | IndCol::TargetValue | IndCol::TargetUnit => reference.len() - 1,
            _ => {
                rendered += 1;
                rendered - 1
            }
        };
        agreed.push(others.iter().all(|o| o[position] == reference[position]));
    }
    Alignment {
        cols: smallvec::SmallVec::from_vec(first),
        cost: total,
        ambiguous,
        agreed,
    }
}

/// The values an alignment gives, column by column, with the split target joined (so that
/// a merged qualitative target counted as 指标性质 or as 度量单位 compares equal).
fn render(fields: &[IndCol], toks: &[Tok<'_>], cols: &[Cells]) -> Vec<String> {
    let mut out = Vec::with_capacity(fields.len());
    let mut target = String::new();
    for (f, col) in fields.iter().zip(cols) {
        let text: Vec<&str> = col.iter().map(|&i| toks[i].text).collect();
        match f {
            IndCol::TargetOp | IndCol::TargetValue | IndCol::TargetUnit => {
                target.push_str(&text.concat())
            }
            _ => out.push(text.join(" ")),
        }
    }
    out.push(target);
    out
}

#[allow(clippy::too_many_arguments)]
fn walk(
    fields: &[IndCol],
    toks: &[Tok<'_>],
    best: &[f32],
    w: usize,
    f: usize,
    t: usize,
    path: &mut Vec<Cells>,
    found: &mut Vec<Vec<Cells>>,
    budget: &mut usize,
) {
    if *budget == 0 || found.len() >= 4 {
        return;
    }
    *budget -= 1;
    let m = fields.len();
    let n = toks.len();
    if f == m && t == n {
        found.push(path.clone());
        return;
    }
    let here = best[f * w + t];
    let ok = |c: f32| (c - here).abs() < EPS;
    if t < n && toks[t].is_empty() {
        if ok(0.15 + best[f * w + t + 1]) {
            walk(fields, toks, best, w, f, t + 1, path, found, budget);
        }
        if f < m && ok(best[(f + 1) * w + t + 1]) {
            walk(fields, toks, best, w, f + 1, t + 1, path, found, budget);
        }
    }
    if f < m {
        if ok(skip_cost(fields[f]) + best[(f + 1) * w + t]) {
            walk(fields, toks, best, w, f + 1, t, path, found, budget);
        }
        if t < n && !toks[t].is_empty() {
            let mc = match_cost(fields[f], toks[t].text);
            if mc < INF {
                if ok(mc + best[(f + 1) * w + t + 1]) {
                    path[f].push(t);
                    walk(fields, toks, best, w, f + 1, t + 1, path, found, budget);
                    path[f].pop();
                }
                if fields[f] == IndCol::Reason {
                    let mut extra = 0.0;
                    for u in t + 1..n {
                        if toks[u].is_empty() || match_cost(IndCol::Reason, toks[u].text) >= INF {
                            break;
                        }
                        extra += 0.3;
                        if ok(mc + extra + best[(f + 1) * w + u + 1]) {
                            let before = path[f].len();
                            path[f].extend(t..=u);
                            walk(fields, toks, best, w, f + 1, u + 1, path, found, budget);
                            path[f].truncate(before);
                        }
                    }
                }
            }
        }
    }
}

pub(crate) const UNALIGNABLE: f32 = INF;

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(cells: &[&'static str]) -> Vec<Tok<'static>> {
        cells
            .iter()
            .enumerate()
            .map(|(i, t)| Tok {
                text: t,
                line: 1,
                col: i as u32 + 1,
                row: 0,
                slot: i as u32,
            })
            .collect()
    }

    fn values(fields: &[IndCol], cells: &[&'static str]) -> (Vec<String>, bool) {
        let t = toks(cells);
        let a = align(fields, &t);
        (render(fields, &t, &a.cols), a.ambiguous)
    }

    const SPLIT: [IndCol; 7] = [
        IndCol::TargetOp,
        IndCol::TargetValue,
        IndCol::TargetUnit,
        IndCol::Actual,
        IndCol::Weight,
        IndCol::Score,
        IndCol::Reason,
    ];
    const PLAIN: [IndCol; 5] = [
        IndCol::Target,
        IndCol::Actual,
        IndCol::Weight,
        IndCol::Score,
        IndCol::Reason,
    ];

    #[test]
    fn split_target_with_one_number_after_it_is_ambiguous() {
        // `= 100 % 60` with blanks lost: 60 may be the actual or the weight.
        let (_, amb) = values(&SPLIT, &["=", "100", "%", "60"]);
        assert!(amb);
        // With the blank kept, it is the weight.
        let (v, amb) = values(&SPLIT, &["=", "100", "%", "", "60", "", ""]);
        assert!(!amb);
        assert_eq!(v, vec!["", "60", "", "", "=100%"]);
        // The number after an operator is the target's value, never the weight.
        let (v, amb) = values(&SPLIT, &["=", "100", "%"]);
        assert!(!amb);
        assert_eq!(v, vec!["", "", "", "", "=100%"]);
    }

    #[test]
    fn merged_qualitative_target() {
        let (v, amb) = values(&SPLIT, &["有效", "有效", "10", "10"]);
        assert!(!amb);
        assert_eq!(v, vec!["有效", "10", "10", "", "有效"]);
    }

    #[test]
    fn two_numbers_after_a_target_are_ambiguous_without_blanks() {
        let (_, amb) = values(&PLAIN, &["≥50个", "8", "8"]);
        assert!(amb, "actual+weight or weight+score cannot be told apart");
        let (v, amb) = values(&PLAIN, &["≥50个", "50", "8", "8"]);
        assert!(!amb);
        assert_eq!(v, vec!["≥50个", "50", "8", "8", "", ""]);
    }

    #[test]
    fn blanks_hold_their_columns() {
        let (v, amb) = values(&PLAIN, &["缩短", "缩短", "6", "6", ""]);
        assert!(!amb);
        assert_eq!(v, vec!["缩短", "缩短", "6", "6", "", ""]);
        let (v, _) = values(&PLAIN, &["=100%", "", "60", "", ""]);
        assert_eq!(v, vec!["=100%", "", "60", "", "", ""]);
    }
}
