//! A synthetic corpus (合成语料) for benchmarks and load tests: forms in the seed's 9-column tab
//! grid (`fixtures/songjiang-2023.tsv`), deterministic for a seed, with deliberate mistakes of
//! the kinds reviewers find (deductions with the target met, wrong budget score, row sums that
//! do not add up, over-achieved targets, wrong totals, copied goals, shifted rows).

use rust_decimal::{Decimal, RoundingStrategy};
use std::io::{self, Write};

/// splitmix64: small, fast and the same on every platform, so a seed names one corpus.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const PROJECTS: &[&str] = &[
    "工伤鉴定",
    "网络信息系统运行与维护",
    "业务培训",
    "档案数字化加工",
    "就业困难人员援助",
    "职业技能提升补贴",
    "社区居家养老服务",
    "河道日常保洁",
    "校园安全设施改造",
    "公共图书馆运行保障",
    "农村饮水安全巡查",
    "基层医疗设备购置",
    "劳动保障监察执法",
    "社会保险稽核",
    "政务服务热线运行",
    "老旧小区综合整治",
    "食品安全抽检",
    "林业有害生物防治",
];
const DEPARTMENTS: &[&str] = &[
    "上海市松江区人力资源和社会保障局",
    "某市民政局",
    "某县教育局",
    "某区水务局",
    "某市卫生健康委员会",
    "某县农业农村局",
];
const UNITS: &[&str] = &[
    "上海市松江区社会保障服务中心",
    "某市社会福利中心",
    "某县第一中学",
    "某区河道管理所",
    "某市疾病预防控制中心",
    "某县农业技术推广站",
    "某区政务服务中心",
];
const GOALS: &[&str] = &[
    "确保项目资金专款专用，按计划完成年度工作任务，提升服务质量和群众满意度。",
    "保障系统全年稳定运行，数据安全可靠，及时响应并处理各类故障。",
    "完成年度培训计划，提升业务人员能力和服务水平。",
    "按时完成年度建设任务，设施运行良好，服务对象满意。",
];
const REASONS: &[&str] = &[
    "受客观因素影响未完全达标，下一步加强跟踪管理",
    "由于企业搬迁等原因造成部分任务延后，需加强跟踪",
    "进一步加强服务对象满意度评价的收集",
];

/// One indicator template: name, unit and how its target is written.
struct Template {
    level1: &'static str,
    level2: &'static str,
    name: &'static str,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    /// `=N unit` or `>=N unit`, N in the range.
    Count(&'static str, u64, u64),
    /// `>=P%`.
    Percent(u64),
    /// `<=N 元`.
    Cost(u64),
    /// Qualitative: target word.
    Word(&'static str),
    /// `12月底前`.
    Deadline,
}

static TEMPLATES: &[Template] = &[
    Template {
        level1: "产出指标",
        level2: "数量指标",
        name: "完成任务案件数",
        kind: Kind::Count("件", 500, 20000),
    },
    Template {
        level1: "产出指标",
        level2: "数量指标",
        name: "培训人次",
        kind: Kind::Count("人次", 50, 5000),
    },
    Template {
        level1: "产出指标",
        level2: "数量指标",
        name: "运维系统数量",
        kind: Kind::Count("套", 1, 30),
    },
    Template {
        level1: "产出指标",
        level2: "数量指标",
        name: "发放补贴人数",
        kind: Kind::Count("人", 100, 9000),
    },
    Template {
        level1: "产出指标",
        level2: "质量指标",
        name: "验收合格率",
        kind: Kind::Percent(95),
    },
    Template {
        level1: "产出指标",
        level2: "质量指标",
        name: "鉴定结论准确及时",
        kind: Kind::Word("及时"),
    },
    Template {
        level1: "产出指标",
        level2: "质量指标",
        name: "数据准确率",
        kind: Kind::Percent(98),
    },
    Template {
        level1: "产出指标",
        level2: "时效指标",
        name: "任务完成及时性",
        kind: Kind::Word("及时"),
    },
    Template {
        level1: "产出指标",
        level2: "时效指标",
        name: "项目完成时间",
        kind: Kind::Deadline,
    },
    Template {
        level1: "产出指标",
        level2: "成本指标",
        name: "人均培训成本",
        kind: Kind::Cost(800),
    },
    Template {
        level1: "效益指标",
        level2: "社会效益指标",
        name: "服务对象合法权益保障",
        kind: Kind::Word("有效"),
    },
    Template {
        level1: "效益指标",
        level2: "社会效益指标",
        name: "政策知晓率",
        kind: Kind::Percent(90),
    },
    Template {
        level1: "效益指标",
        level2: "可持续影响指标",
        name: "相关工作规范执行有效性",
        kind: Kind::Word("有效"),
    },
    Template {
        level1: "效益指标",
        level2: "可持续影响指标",
        name: "档案保存完整性",
        kind: Kind::Word("完整"),
    },
    Template {
        level1: "效益指标",
        level2: "经济效益指标",
        name: "节约运行成本",
        kind: Kind::Word("明显"),
    },
    Template {
        level1: "满意度指标",
        level2: "服务对象满意度指标",
        name: "服务对象满意度",
        kind: Kind::Percent(90),
    },
    Template {
        level1: "满意度指标",
        level2: "服务对象满意度指标",
        name: "群众满意度",
        kind: Kind::Percent(95),
    },
];

fn d(n: u64) -> Decimal {
    Decimal::from(n)
}

fn round2(v: Decimal) -> Decimal {
    v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `1234567.5` → `1,234,567.50`.
fn thousands(v: Decimal) -> String {
    let mut v = round2(v);
    v.rescale(2);
    let s = v.to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}.{frac}")
}

/// Trailing zeros dropped: `8.00` → `8`, `5.50` → `5.5`.
fn plain(v: Decimal) -> String {
    v.normalize().to_string()
}

/// Split `total` points into `parts` positive integer weights.
fn split(rng: &mut Rng, total: u64, parts: usize) -> Vec<u64> {
    let parts = parts.max(1) as u64;
    let base = total / parts;
    let mut w: Vec<u64> = (0..parts).map(|_| base).collect();
    let mut rest = total - base * parts;
    while rest > 0 {
        let i = rng.below(parts) as usize;
        w[i] += 1;
        rest -= 1;
    }
    // Shuffle some weight around so not every form is even.
    for _ in 0..parts {
        let a = rng.below(parts) as usize;
        let b = rng.below(parts) as usize;
        if a != b && w[a] > 3 {
            w[a] -= 1;
            w[b] += 1;
        }
    }
    w
}

struct Row {
    level1: String,
    level2: String,
    name: String,
    target: String,
    actual: String,
    weight: u64,
    score: Decimal,
    reason: String,
}

fn indicator(rng: &mut Rng, t: &Template, weight: u64) -> Row {
    let w = d(weight);
    let mut reason = String::new();
    let (target, actual, score) = match t.kind {
        Kind::Count(unit, lo, hi) => {
            let target = lo + rng.below(hi - lo + 1);
            let op = if rng.chance(50) { "=" } else { ">=" };
            let roll = rng.below(100);
            let (actual, score) = if roll < 60 {
                (target + rng.below(target / 10 + 1), w)
            } else if roll < 75 {
                // Over-achieved: the target was set too low.
                (target * 13 / 10 + 1 + rng.below(target + 1), w)
            } else if roll < 90 {
                // Shortfall scored by the formula W × A/T.
                let a = target * (70 + rng.below(30)) / 100;
                reason = rng.pick(REASONS).to_string();
                (a, round2(w * d(a) / d(target.max(1))))
            } else {
                // Unmet yet full score.
                (target * 9 / 10, w)
            };
            (
                format!("{op}{target}{unit}"),
                format!("{actual}{unit}"),
                score,
            )
        }
        Kind::Percent(p) => {
            let roll = rng.below(100);
            if roll < 65 {
                let a = p + rng.below(100 - p + 1);
                (format!(">={p}%"), format!("{a}%"), w)
            } else if roll < 80 {
                // Met but deducted.
                let a = p + rng.below(100 - p + 1);
                reason = if rng.chance(50) {
                    rng.pick(REASONS).to_string()
                } else {
                    String::new()
                };
                (
                    format!(">={p}%"),
                    format!("{a}%"),
                    w - d(1 + rng.below(2)).min(w),
                )
            } else if roll < 90 {
                let a = p.saturating_sub(1 + rng.below(5));
                reason = rng.pick(REASONS).to_string();
                (format!(">={p}%"), format!("{a}%"), round2(w * d(a) / d(p)))
            } else {
                // No operator printed.
                let a = p + rng.below(100 - p + 1);
                (format!("{p}%"), format!("{a}%"), w)
            }
        }
        Kind::Cost(c) => {
            let a = c * (80 + rng.below(30)) / 100;
            let score = if a <= c { w } else { round2(w * d(c) / d(a)) };
            (format!("<={c}元"), format!("{a}元"), score)
        }
        Kind::Word(word) => {
            let roll = rng.below(100);
            if roll < 70 {
                (word.to_string(), word.to_string(), w)
            } else if roll < 85 {
                // Achieved, yet scored below the 80% band.
                reason = if rng.chance(50) {
                    rng.pick(REASONS).to_string()
                } else {
                    String::new()
                };
                (
                    word.to_string(),
                    word.to_string(),
                    (w * d(6) / d(10)).floor(),
                )
            } else {
                (
                    word.to_string(),
                    format!("基本{word}"),
                    (w * d(7) / d(10)).floor(),
                )
            }
        }
        Kind::Deadline => {
            if rng.chance(85) {
                ("12月底前".to_string(), "12月底前".to_string(), w)
            } else {
                reason = rng.pick(REASONS).to_string();
                ("12月底前".to_string(), "次年1月".to_string(), w / d(2))
            }
        }
    };
    Row {
        level1: t.level1.to_string(),
        level2: t.level2.to_string(),
        name: t.name.to_string(),
        target,
        actual,
        weight,
        score,
        reason,
    }
}

/// Append one grid row of exactly 9 cells.
fn row(out: &mut String, cells: &[&str]) {
    for i in 0..9 {
        if i > 0 {
            out.push('\t');
        }
        if let Some(c) = cells.get(i) {
            out.push_str(c);
        }
    }
    out.push('\n');
}

/// Write form number `index` of the corpus for `seed` into `out`.
pub fn form(seed: u64, index: u64, out: &mut String) {
    let mut rng = Rng::new(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
    let year = 2019 + rng.below(6);
    let project = rng.pick(PROJECTS);
    let dept = rng.pick(DEPARTMENTS);
    let unit = rng.pick(UNITS);
    row(out, &["财政项目支出绩效自评表"]);
    let year_label = format!("({year} 年度)");
    row(out, &[&year_label]);
    row(out, &["项目名称", project]);
    row(out, &["主管部门", dept, "", "", "实施单位", unit]);
    row(
        out,
        &[
            "项目资金 (元)",
            "",
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ],
    );

    // Funds in yuan, whole or with cents.
    let initial = d(10_000 + rng.below(2_000_000))
        * if rng.chance(20) {
            Decimal::new(101, 2)
        } else {
            Decimal::ONE
        };
    let initial = round2(initial);
    let adjusted = if rng.chance(70) {
        initial
    } else {
        round2(initial * d(60 + rng.below(40)) / d(100))
    };
    let executed = if rng.chance(65) {
        adjusted
    } else {
        round2(adjusted * d(7000 + rng.below(3000)) / d(10000))
    };
    let rate = if adjusted.is_zero() {
        Decimal::ONE
    } else {
        executed / adjusted
    };
    let mut budget_score = round2(d(10) * rate.min(Decimal::ONE));
    if rng.chance(5) {
        budget_score += Decimal::new(1, 2); // EXEC_SCORE_MISMATCH
    }
    let rate_printed = format!("{}%", {
        let mut p = round2(rate * d(100));
        p.rescale(2);
        p
    });
    row(
        out,
        &[
            "",
            "年度资金总额",
            &thousands(initial),
            &thousands(adjusted),
            &plain(executed),
            "10",
            &rate_printed,
            &plain(budget_score),
        ],
    );
    let appropriation = if rng.chance(4) {
        adjusted + d(1000)
    } else {
        adjusted
    }; // FUNDS_ROW_SUM
    row(
        out,
        &[
            "",
            "其中：当年财政拨款",
            &plain(initial),
            &plain(appropriation),
            &plain(executed),
            "—",
        ],
    );
    row(out, &["", "上年结转资金", "0", "0", "", "—"]);
    row(out, &["", "其他资金", "0", "0", "", "—"]);

    row(out, &["年度 总体 目标", "预期目标", "", "", "实际完成情况"]);
    let goal = rng.pick(GOALS);
    let achieved = if rng.chance(50) {
        goal.to_string()
    } else {
        format!("已完成：{goal}")
    };
    row(out, &["", goal, "", "", &achieved]);

    row(
        out,
        &[
            "绩效 指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度 指标值",
            "实际 完成值",
            "分值",
            "得分",
            "偏差原因分析及 改进措施",
        ],
    );
    let mut rows = Vec::new();
    for (level1, total, range) in [
        ("产出指标", 50u64, (3u64, 6u64)),
        ("效益指标", 30, (2, 3)),
        ("满意度指标", 10, (1, 1)),
    ] {
        let pool: Vec<&Template> = TEMPLATES.iter().filter(|t| t.level1 == level1).collect();
        let count = (range.0 + rng.below(range.1 - range.0 + 1)) as usize;
        let weights = split(&mut rng, total, count);
        // Draw without replacement (a partial Fisher–Yates), then keep the template order so
        // that the 二级 are grouped as in real forms.
        let mut order: Vec<usize> = (0..pool.len()).collect();
        for i in 0..count.min(order.len()) {
            let j = i + rng.below((order.len() - i) as u64) as usize;
            order.swap(i, j);
        }
        order.truncate(count);
        order.sort_unstable();
        let chosen: Vec<&Template> = order.into_iter().map(|i| pool[i]).collect();
        for (t, w) in chosen.into_iter().zip(weights) {
            rows.push(indicator(&mut rng, t, w));
        }
    }
    let shifted = rng.chance(3);
    let (mut last1, mut last2) = (String::new(), String::new());
    let mut sum = budget_score;
    for (i, r) in rows.iter().enumerate() {
        sum += r.score;
        // Merged cells: a 一级/二级 equal to the row above is left blank.
        let l1 = if r.level1 == last1 {
            ""
        } else {
            r.level1.as_str()
        };
        let l2 = if r.level2 == last2 && l1.is_empty() {
            ""
        } else {
            r.level2.as_str()
        };
        last1 = r.level1.clone();
        last2 = r.level2.clone();
        let weight = r.weight.to_string();
        let score = plain(r.score);
        let cells = [
            l1,
            l2,
            r.name.as_str(),
            r.target.as_str(),
            r.actual.as_str(),
            &weight,
            &score,
            r.reason.as_str(),
        ];
        if shifted && i + 1 == rows.len() {
            // The seed's PDF extractor sometimes shifts a row one column to the left.
            row(out, &cells);
        } else {
            let mut full = vec![""];
            full.extend(cells);
            row(out, &full);
        }
    }
    let mut total = sum;
    if rng.chance(4) {
        total += d(1); // TOTAL_MISMATCH
    }
    row(out, &["总分", "", "", "", "", "", "100", &plain(total)]);
    out.push('\n');
}

/// Write `forms` synthetic forms to `out`, form by form. Returns the bytes written.
pub fn write_corpus(out: &mut dyn Write, forms: u64, seed: u64) -> io::Result<u64> {
    let mut buf = String::with_capacity(4096);
    let mut written = 0u64;
    for i in 0..forms {
        buf.clear();
        form(seed, i, &mut buf);
        out.write_all(buf.as_bytes())?;
        written += buf.len() as u64;
    }
    out.flush()?;
    Ok(written)
}

/// A corpus in memory (for the benchmark).
pub fn corpus(forms: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = write_corpus(&mut out, forms, seed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_corpus_other_seed_other_corpus() {
        assert_eq!(corpus(20, 7), corpus(20, 7));
        assert_ne!(corpus(20, 7), corpus(20, 8));
    }

    #[test]
    fn every_row_has_nine_cells_and_weights_add_to_ninety() {
        let text = String::from_utf8(corpus(200, 1)).unwrap();
        for line in text.lines().filter(|l| !l.is_empty()) {
            assert_eq!(line.split('\t').count(), 9, "{line}");
        }
        for form in text.split("\n\n").filter(|f| !f.trim().is_empty()) {
            let mut weights = 0u64;
            let mut in_indicators = false;
            for line in form.lines() {
                let cells: Vec<&str> = line.split('\t').collect();
                if cells[0] == "总分" {
                    break;
                }
                if in_indicators {
                    // Shifted rows start in the first cell and carry the weight one to the left.
                    let at = if cells[0].is_empty() { 6 } else { 5 };
                    let w = cells[at].parse::<u64>().unwrap();
                    weights += w;
                }
                if cells[0] == "绩效 指标" {
                    in_indicators = true;
                }
            }
            assert_eq!(weights, 90, "{form}");
        }
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(Decimal::new(50750000, 2)), "507,500.00");
        assert_eq!(thousands(d(7000)), "7,000.00");
        assert_eq!(thousands(d(100)), "100.00");
    }
}
