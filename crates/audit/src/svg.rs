//! Charts drawn as inline SVG by the program (no script, no library).

use jixiao_formats::html::escape;
use std::fmt::Write as _;

/// One series of a bar chart.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [u64],
    pub color: &'a str,
}

/// A "nice" axis maximum: 1, 2, 5 × 10ⁿ at or above `max`.
/// (At least 5, so that five grid steps are whole numbers.)
fn nice(max: u64) -> u64 {
    let max = max.max(5);
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= max {
                return step * m;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// A grouped vertical bar chart: one group per label, one bar per series.
pub fn bar_chart(
    title: &str,
    labels: &[&str],
    series: &[Series<'_>],
    width: u32,
    height: u32,
) -> String {
    let (left, right, top, bottom) = (56.0, 12.0, 34.0, 46.0);
    let w = f64::from(width);
    let h = f64::from(height);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let axis_max = nice(max);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    // Grid and y axis.
    for i in 0..=5u64 {
        let v = axis_max * i / 5;
        let y = top + plot_h - plot_h * (v as f64) / (axis_max as f64);
        let _ = write!(
            out,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#555">{v}</text>"##,
            w - right,
            left - 6.0,
            y + 4.0
        );
    }
    let groups = labels.len().max(1) as f64;
    let group_w = plot_w / groups;
    let n = series.len().max(1) as f64;
    let bar_w = (group_w * 0.8 / n).max(1.0);
    for (g, label) in labels.iter().enumerate() {
        let gx = left + group_w * g as f64 + group_w * 0.1;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(g).copied().unwrap_or(0);
            let bh = plot_h * (v as f64) / (axis_max as f64);
            let x = gx + bar_w * k as f64;
            let y = top + plot_h - bh;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}" fill="{}"><title>{}：{v}</title></rect>"#,
                (bar_w - 1.0).max(1.0),
                s.color,
                escape(&format!("{label} {}", s.name))
            );
            if v > 0 && bar_w >= 14.0 {
                let _ = write!(
                    out,
                    r##"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#333">{v}</text>"##,
                    x + bar_w / 2.0,
                    y - 3.0
                );
            }
        }
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#222">{}</text>"##,
            left + group_w * (g as f64 + 0.5),
            top + plot_h + 16.0,
            escape(label)
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/>"##,
        top + plot_h,
        w - right,
        top + plot_h
    );
    // Legend.
    let mut lx = left;
    for s in series {
        let _ = write!(
            out,
            r##"<rect x="{lx:.1}" y="8" width="12" height="12" fill="{}"/><text x="{:.1}" y="18" font-size="12" fill="#222">{}</text>"##,
            s.color,
            lx + 16.0,
            escape(s.name)
        );
        lx += 24.0 + 13.0 * s.name.chars().count() as f64;
    }
    out.push_str("</svg>");
    out
}

/// A small inline horizontal bar (share of a maximum).
pub fn share_bar(value: u64, max: u64, color: &str) -> String {
    let w = if max == 0 {
        0.0
    } else {
        120.0 * value as f64 / max as f64
    };
    format!(
        r##"<svg class="bar" xmlns="http://www.w3.org/2000/svg" width="122" height="10" viewBox="0 0 122 10"><rect x="0" y="1" width="120" height="8" fill="#eee"/><rect x="0" y="1" width="{w:.1}" height="8" fill="{color}"/></svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_scale() {
        assert_eq!(nice(0), 5);
        assert_eq!(nice(7), 10);
        assert_eq!(nice(130), 200);
        let svg = bar_chart(
            "<t>",
            &["<a>", "b"],
            &[Series {
                name: "x&y",
                values: &[3, 0],
                color: "#123",
            }],
            400,
            200,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<a>") && svg.contains("&lt;a&gt;") && svg.contains("x&amp;y"));
    }
}
