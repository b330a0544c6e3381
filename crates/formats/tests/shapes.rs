//! Forms the reader has not seen, in the shapes it meets (RULES.md §6): written by hand after
//! the real fixtures' layouts, and the seed converted to other carriers. Each test checks
//! what a user would check on the form — project, department, unit, money unit, the funds,
//! every indicator, the total and the grade. Where a shape loses information (blank cells
//! dropped), the reader must say so and leave the value empty, never put in a wrong one.

use jixiao_core::Evaluation;
use jixiao_formats::{read_bytes, InputShape, ReadOutcome};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::str::FromStr;

// ------------------------------------------------------------------ comparing with a transcription

fn no_space(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn dec(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        Value::String(s) => Decimal::from_str(s).ok(),
        _ => None,
    }
}

/// One difference between a reading and the transcription: the field, what was read, what
/// the form prints.
#[derive(Debug)]
struct Diff {
    field: String,
    got: Option<String>,
    want: Option<String>,
}

/// Compare a form with a transcription in the fixtures' JSON layout (`funds.total.rate` is
/// the rate as printed; missing keys mean "not printed").
fn compare(ev: &Evaluation, exp: &Value) -> Vec<Diff> {
    let mut diffs = Vec::new();
    let mut text = |field: &str, got: Option<&str>, want: &Value| {
        let want = want.as_str();
        if got.map(no_space) != want.map(no_space) {
            diffs.push(Diff {
                field: field.into(),
                got: got.map(str::to_string),
                want: want.map(str::to_string),
            });
        }
    };
    text("project", ev.project.as_deref(), &exp["project"]);
    text("department", ev.department.as_deref(), &exp["department"]);
    text("unit", ev.unit.as_deref(), &exp["unit"]);
    text("money_unit", ev.money_unit.as_deref(), &exp["money_unit"]);
    text(
        "goal_expected",
        ev.goal_expected.as_deref(),
        &exp["goal_expected"],
    );
    text(
        "goal_actual",
        ev.goal_actual.as_deref(),
        &exp["goal_actual"],
    );
    text("grade", ev.grade.as_deref(), &exp["grade"]);
    text(
        "funds.rate",
        ev.funds.rate_printed.as_deref(),
        &exp["funds"]["total"]["rate"],
    );
    let mut num = |field: String, got: Option<Decimal>, want: &Value| {
        let want = dec(want);
        if got.map(|d| d.normalize()) != want.map(|d| d.normalize()) {
            diffs.push(Diff {
                field,
                got: got.map(|d| d.to_string()),
                want: want.map(|d| d.to_string()),
            });
        }
    };
    num("year".into(), ev.year.map(Decimal::from), &exp["year"]);
    num(
        "total_score".into(),
        ev.total_score.map(|p| p.value),
        &exp["total_score"],
    );
    if exp.get("total_weight").is_some() {
        num("total_weight".into(), ev.total_weight, &exp["total_weight"]);
    }
    let f = &ev.funds;
    for (name, row) in [
        ("total", &f.total),
        ("appropriation", &f.appropriation),
        ("carryover", &f.carryover),
        ("other", &f.other),
    ] {
        let e = &exp["funds"][name];
        num(format!("funds.{name}.initial"), row.initial, &e["initial"]);
        num(
            format!("funds.{name}.adjusted"),
            row.adjusted,
            &e["adjusted"],
        );
        num(
            format!("funds.{name}.executed"),
            row.executed,
            &e["executed"],
        );
    }
    let t = &exp["funds"]["total"];
    num("funds.weight".into(), f.weight, &t["weight"]);
    num("funds.score".into(), f.score.map(|p| p.value), &t["score"]);
    let want_inds = exp["indicators"].as_array().cloned().unwrap_or_default();
    if ev.indicators.len() != want_inds.len() {
        diffs.push(Diff {
            field: "indicator count".into(),
            got: Some(ev.indicators.len().to_string()),
            want: Some(want_inds.len().to_string()),
        });
    }
    for (i, (got, want)) in ev.indicators.iter().zip(&want_inds).enumerate() {
        for (field, g) in [
            ("level1", got.level1.as_deref()),
            ("level2", got.level2.as_deref()),
            ("name", Some(got.name.as_str())),
            ("target", got.target.as_deref()),
            ("actual", got.actual.as_deref()),
            ("reason", got.reason.as_deref()),
        ] {
            let w = want[field].as_str();
            if g.map(no_space) != w.map(no_space) {
                diffs.push(Diff {
                    field: format!("indicator {i} {field}"),
                    got: g.map(str::to_string),
                    want: w.map(str::to_string),
                });
            }
        }
        for (field, g) in [("weight", got.weight), ("score", got.score)] {
            let w = dec(&want[field]);
            if g.map(|d| d.normalize()) != w.map(|d| d.normalize()) {
                diffs.push(Diff {
                    field: format!("indicator {i} {field}"),
                    got: g.map(|d| d.to_string()),
                    want: w.map(|d| d.to_string()),
                });
            }
        }
    }
    diffs
}

fn codes(out: &ReadOutcome, form: usize) -> Vec<String> {
    out.forms[form]
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect()
}

fn show(diffs: &[Diff]) -> String {
    diffs
        .iter()
        .map(|d| format!("{}: read {:?}, printed {:?}", d.field, d.got, d.want))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The form reads exactly as transcribed.
fn assert_reads_exactly(out: &ReadOutcome, form: usize, exp: &Value) {
    let diffs = compare(&out.forms[form].evaluation, exp);
    assert!(
        diffs.is_empty(),
        "form {form} differs from what it prints:\n{}\ndiagnostics: {:?}",
        show(&diffs),
        codes(out, form)
    );
}

/// The form reads as transcribed, except values the shape cannot carry for sure: those are
/// left empty (never a different value) and the form has a diagnostic saying so. Returns
/// the problems found.
fn reads_or_says_unsure(out: &ReadOutcome, form: usize, exp: &Value) -> Vec<String> {
    let diffs = compare(&out.forms[form].evaluation, exp);
    let mut problems: Vec<String> = diffs
        .iter()
        .filter(|d| d.got.is_some())
        .map(|d| {
            format!(
                "form {form} {}: read {:?}, printed {:?}",
                d.field, d.got, d.want
            )
        })
        .collect();
    let unsure = codes(out, form)
        .iter()
        .any(|c| c.starts_with("READ_AMBIGUOUS") || c == "READ_UNREADABLE_VALUE");
    if !unsure {
        problems.extend(diffs.iter().filter(|d| d.got.is_none()).map(|d| {
            format!(
                "form {form} {}: left empty without a diagnostic (printed {:?})",
                d.field, d.want
            )
        }));
    }
    problems
}

#[allow(clippy::too_many_arguments)]
fn indicator(
    level1: &str,
    level2: &str,
    name: &str,
    target: &str,
    actual: &str,
    weight: f64,
    score: f64,
    reason: Option<&str>,
) -> Value {
    json!({
        "level1": level1, "level2": level2, "name": name, "target": target,
        "actual": actual, "weight": weight, "score": score, "reason": reason,
    })
}

// ------------------------------------------------------------------ Shanghai tab grid

/// A second Shanghai form, 9-column grid as the PDF extractor writes it (after the seed):
/// reasons on several rows, a 成本指标 row, a 上年结转 row with money, a decimal 总分.
const SHANGHAI: &str = "\n\n\
财政项目支出绩效自评表\t\t\t\t\t\t\t\t\n\
(2023 年度)\t\t\t\t\t\t\t\t\n\
项目名称\t就业援助专项服务\t\t\t\t\t\t\t\n\
主管部门\t上海市松江区人力资源和社会保障局\t\t\t实施单位\t上海市松江区就业促进中心\t\t\t\n\
项目资金 (元)\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\t\n\
\t年度资金总额\t1,250,000.00\t1,180,000.00\t1,017,160.00\t10\t86.20%\t8.62\t\n\
\t其中：当年财政拨款\t1150000\t1080000\t917160\t—\t\t\t\n\
\t上年结转资金\t100000\t100000\t100000\t—\t\t\t\n\
\t其他资金\t0\t0\t0\t—\t\t\t\n\
\t预期目标\t\t\t实际完成情况\t\t\t\t\n\
年度总体目标\t为辖区就业困难人员提供就业援助服务，全年帮扶就业困难人员实现就业1200人。\t\t\t全年帮扶就业困难人员实现就业1150人，部分岗位因企业招聘计划调整未能落实。\t\t\t\t\n\
绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n\
\t产出指标\t数量指标\t帮扶就业困难人员就业人数\t>=1200人\t1150人\t15\t14\t部分企业招聘计划调整，下年度加强岗位储备\n\
\t\t\t开展专场招聘会场次\t=12场\t12场\t10\t10\t\n\
\t\t质量指标\t援助对象信息准确率\t>=98%\t99%\t10\t10\t\n\
\t\t时效指标\t补贴发放及时率\t=100%\t95%\t5\t4\t个别材料补正延迟，已优化审核流程\n\
\t\t成本指标\t人均援助成本\t<=900元\t884元\t10\t10\t\n\
\n\
\t效益指标\t社会效益指标\t就业困难人员就业稳定率\t>=80%\t82%\t20\t20\t\n\
\t\t可持续影响指标\t援助服务机制运行有效性\t有效\t基本有效\t10\t7\t服务机制仍需完善，下年度修订工作规程\n\
\t满意度指标\t服务对象满意度指标\t援助对象满意度\t>=90%\t93%\t10\t10\t\n\
\t总分\t\t\t\t\t\t100\t93.62\t\n";

fn shanghai_expected() -> Value {
    json!({
        "year": 2023,
        "project": "就业援助专项服务",
        "department": "上海市松江区人力资源和社会保障局",
        "unit": "上海市松江区就业促进中心",
        "money_unit": "元",
        "funds": {
            "total": {"initial": 1250000, "adjusted": 1180000, "executed": 1017160,
                      "weight": 10, "rate": "86.20%", "score": 8.62},
            "appropriation": {"initial": 1150000, "adjusted": 1080000, "executed": 917160},
            "carryover": {"initial": 100000, "adjusted": 100000, "executed": 100000},
            "other": {"initial": 0, "adjusted": 0, "executed": 0}
        },
        "goal_expected": "为辖区就业困难人员提供就业援助服务，全年帮扶就业困难人员实现就业1200人。",
        "goal_actual": "全年帮扶就业困难人员实现就业1150人，部分岗位因企业招聘计划调整未能落实。",
        "indicators": [
            indicator("产出指标", "数量指标", "帮扶就业困难人员就业人数", ">=1200人", "1150人", 15.0, 14.0,
                      Some("部分企业招聘计划调整，下年度加强岗位储备")),
            indicator("产出指标", "数量指标", "开展专场招聘会场次", "=12场", "12场", 10.0, 10.0, None),
            indicator("产出指标", "质量指标", "援助对象信息准确率", ">=98%", "99%", 10.0, 10.0, None),
            indicator("产出指标", "时效指标", "补贴发放及时率", "=100%", "95%", 5.0, 4.0,
                      Some("个别材料补正延迟，已优化审核流程")),
            indicator("产出指标", "成本指标", "人均援助成本", "<=900元", "884元", 10.0, 10.0, None),
            indicator("效益指标", "社会效益指标", "就业困难人员就业稳定率", ">=80%", "82%", 20.0, 20.0, None),
            indicator("效益指标", "可持续影响指标", "援助服务机制运行有效性", "有效", "基本有效", 10.0, 7.0,
                      Some("服务机制仍需完善，下年度修订工作规程")),
            indicator("满意度指标", "服务对象满意度指标", "援助对象满意度", ">=90%", "93%", 10.0, 10.0, None),
        ],
        "total_weight": 100,
        "total_score": 93.62,
        "grade": null
    })
}

#[test]
fn shanghai_grid_with_reasons_and_a_cost_row_reads_as_printed() {
    let out = read_bytes(SHANGHAI.as_bytes());
    assert_eq!(out.shape, InputShape::TabGrid);
    assert_eq!(out.forms.len(), 1);
    assert_reads_exactly(&out, 0, &shanghai_expected());
    assert!(!out.forms[0].evaluation.truncated);
}

#[test]
fn shanghai_grid_cut_before_its_total_reads_what_is_there_and_says_it_was_cut() {
    // The same form as a page capture would cut it: after the 社会效益 row, no 总分.
    let end = SHANGHAI.find("\t\t可持续影响指标").unwrap();
    let out = read_bytes(&SHANGHAI.as_bytes()[..end]);
    assert_eq!(out.forms.len(), 1);
    let ev = &out.forms[0].evaluation;
    assert!(ev.truncated);
    assert!(codes(&out, 0).contains(&"READ_TRUNCATED".to_string()));
    let mut exp = shanghai_expected();
    exp["indicators"].as_array_mut().unwrap().truncate(6);
    exp["total_weight"] = Value::Null;
    exp["total_score"] = Value::Null;
    assert_reads_exactly(&out, 0, &exp);
}

// ------------------------------------------------------------------ Yunnan pipe rows

/// A Yunnan school form as the county's web page prints it (after published/02): `|` rows
/// that run cells of several table rows together, split 指标性质 | 指标值 | 度量单位, labels
/// broken by spaces, a printed 等级, and a reason on two rows.
const YUNNAN: &str = "# source: hand-written after published/02\n\
2023年度项目支出绩效自评表 | 部门:临沧市永德县第一完全中学 |\n\
|\n\
|\n\
| 公开14表 | 项目名称 | 家庭经济困难学生资助经费 | 主管部门 | 永德县教育体育局 | 实施单位 | 永德县第一完全中学 | 项目资金 (元) |\n\
| 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | 年度资金总额 |\n\
| 520000 | 498600 | 473670 | 10 | 95% | 9.5 | 其中:当年财政 拨款 |\n\
| 520000 | 498600 | 473670 | — |\n\
| — | 上年结转 资金 |\n\
|\n\
|\n\
| — |\n\
| — | 其他资金 | — | — | — | — |\n\
| — | 年度 总体 目标 | 预期目标 | 实际完成情况 | 按时足额发放家庭经济困难学生资助资金 | 已发放资助资金473670元,资助学生412人次 | 绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 | 产出指标 | 数量指标 | 资助学生人次 | ≧ | 430 | 人次 | 412 | 10 | 9 | 部分学生转学,资助名单相应调整 |\n\
| 质量指标 | 资助对象认定准确率 | ═ | 100 | % | 100% | 10 | 10 |\n\
| 时效指标 | 资助资金发放及时率 | ≧ | 95 | % | 100% | 10 | 10 |\n\
| 成本指标 | 生均资助标准达标率 | ═ | 100 | % | 100% | 10 | 10 |\n\
| 效益指标 | 经济效益 指标 | 减轻困难家庭教育支出负担 |\n\
| 有效 |\n\
| 有效 | 10 | 10 |\n\
| 社会效益 指标 | 资助政策知晓率 | ≧ | 95 | % | 88% | 10 | 8 | 宣传覆盖不足,下年度增加家长会宣传 |\n\
| 生态效益 指标 |\n\
|\n\
|\n\
| 可持续影响 指标 | 控辍保学成效 | ≧ | 99 | % | 99.5% | 10 | 10 |\n\
| 满意度指标 | 服务对象满意度指标等 | 学生满意度 | ≧ | 95 | % | 97% | 10 | 10 |\n\
| 家长满意度 | ≧ | 90 | % | 96% | 10 | 9 |\n\
| 其他需要说明事项 | 无 | 总分 | 100 | 95.5 | 优 |\n\
|\n";

#[test]
fn yunnan_pipe_rows_read_as_printed() {
    let out = read_bytes(YUNNAN.as_bytes());
    assert_eq!(out.shape, InputShape::PipeRows);
    assert_eq!(out.forms.len(), 1);
    let exp = json!({
        "year": 2023,
        "project": "家庭经济困难学生资助经费",
        "department": "永德县教育体育局",
        "unit": "永德县第一完全中学",
        "money_unit": "元",
        "funds": {
            "total": {"initial": 520000, "adjusted": 498600, "executed": 473670,
                      "weight": 10, "rate": "95%", "score": 9.5},
            "appropriation": {"initial": 520000, "adjusted": 498600, "executed": 473670},
            "carryover": {},
            "other": {}
        },
        "goal_expected": "按时足额发放家庭经济困难学生资助资金",
        "goal_actual": "已发放资助资金473670元,资助学生412人次",
        "indicators": [
            indicator("产出指标", "数量指标", "资助学生人次", "≧430人次", "412", 10.0, 9.0,
                      Some("部分学生转学,资助名单相应调整")),
            indicator("产出指标", "质量指标", "资助对象认定准确率", "═100%", "100%", 10.0, 10.0, None),
            indicator("产出指标", "时效指标", "资助资金发放及时率", "≧95%", "100%", 10.0, 10.0, None),
            indicator("产出指标", "成本指标", "生均资助标准达标率", "═100%", "100%", 10.0, 10.0, None),
            indicator("效益指标", "经济效益指标", "减轻困难家庭教育支出负担", "有效", "有效", 10.0, 10.0, None),
            indicator("效益指标", "社会效益指标", "资助政策知晓率", "≧95%", "88%", 10.0, 8.0,
                      Some("宣传覆盖不足,下年度增加家长会宣传")),
            indicator("效益指标", "可持续影响指标", "控辍保学成效", "≧99%", "99.5%", 10.0, 10.0, None),
            indicator("满意度指标", "服务对象满意度指标等", "学生满意度", "≧95%", "97%", 10.0, 10.0, None),
            indicator("满意度指标", "服务对象满意度指标等", "家长满意度", "≧90%", "96%", 10.0, 9.0, None),
        ],
        "total_weight": 100,
        "total_score": 95.5,
        "grade": "优"
    });
    assert_reads_exactly(&out, 0, &exp);
}

// ------------------------------------------------------------------ Sichuan one cell per line

/// The Sichuan variant (after published/03), one cell per line with blank cells as `|`
/// lines — but FILLED IN: 完成值, 得分, the budget score, a reason, 合计 with its score.
fn sichuan_text() -> String {
    let cells: &[&str] = &[
        "报表编号:510000_0013zp",
        "",
        "",
        "部门预算项目支出绩效自评表(2023年度)",
        "项目名称",
        "51000023R000000021345-职业技能培训补助",
        "主管部门",
        "眉山市人力资源和社会保障局本级",
        "实施单位 (盖章)",
        "眉山市职业技能鉴定中心",
        "项目基本情况",
        "1.项目年度目标完成情况",
        "项目年度目标",
        "年度目标完成情况",
        "组织开展职业技能培训500人次,培训合格率不低于90%。",
        "全年培训520人次,合格率88%,学员满意度95%。",
        "2.项目实施内容及过程概述",
        "",
        "预算执行情况(10分)",
        "年度预算数(万元)",
        "年初预算",
        "调整后预算数",
        "预算执行数",
        "预算执行率",
        "权重",
        "得分",
        "原因",
        "总额",
        "120.00",
        "135.50",
        "128.73",
        "95.00%",
        "10",
        "9.5",
        "部分培训采购项目结余",
        "其中:财政资金",
        "120.00",
        "135.50",
        "128.73",
        "95.00%",
        "/",
        "/",
        "财政专户管理资金",
        "0.00",
        "0.00",
        "0.00",
        "0.00%",
        "/",
        "/",
        "单位资金",
        "0.00",
        "0.00",
        "0.00",
        "0.00%",
        "/",
        "/",
        "其他资金",
        "",
        "",
        "",
        "",
        "/",
        "/",
        "绩效指标(90分)",
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "指标值",
        "度量单位",
        "完成值",
        "权重",
        "得分",
        "未完成原因分析",
        "产出指标",
        "数量指标",
        "培训人次",
        "≥",
        "500",
        "人次",
        "520",
        "30",
        "30",
        "",
        "",
        "质量指标",
        "培训合格率",
        "≥",
        "90",
        "%",
        "88%",
        "30",
        "29",
        "部分学员未参加结业考核",
        "效益指标",
        "社会效益指标",
        "就业技能提升率",
        "≥",
        "80",
        "%",
        "85%",
        "20",
        "20",
        "",
        "满意度指标",
        "服务对象满意度指标",
        "学员满意度",
        "≥",
        "90",
        "%",
        "95%",
        "10",
        "10",
        "",
        "合计",
        "100",
        "98.5",
        "",
        "评价结论",
        "项目总体完成较好,自评得分98.5分。",
        "项目负责人:",
        "财务负责人:",
        "",
    ];
    let mut text = String::from("# source: hand-written after published/03\n");
    for c in cells {
        if c.is_empty() {
            text.push_str("|\n");
        } else {
            text.push_str(c);
            text.push_str(" |\n");
        }
    }
    text
}

#[test]
fn sichuan_cell_per_line_filled_in_reads_as_printed() {
    let text = sichuan_text();
    let out = read_bytes(text.as_bytes());
    assert_eq!(out.shape, InputShape::CellPerLine);
    assert_eq!(out.forms.len(), 1);
    let exp = json!({
        "year": 2023,
        "project": "51000023R000000021345-职业技能培训补助",
        "department": "眉山市人力资源和社会保障局本级",
        "unit": "眉山市职业技能鉴定中心",
        "money_unit": "万元",
        "funds": {
            "total": {"initial": 120.00, "adjusted": 135.50, "executed": 128.73,
                      "weight": 10, "rate": "95.00%", "score": 9.5},
            "appropriation": {"initial": 120.00, "adjusted": 135.50, "executed": 128.73},
            "carryover": {},
            "other": {}
        },
        "goal_expected": "组织开展职业技能培训500人次,培训合格率不低于90%。",
        "goal_actual": "全年培训520人次,合格率88%,学员满意度95%。",
        "indicators": [
            indicator("产出指标", "数量指标", "培训人次", "≥500人次", "520", 30.0, 30.0, None),
            indicator("产出指标", "质量指标", "培训合格率", "≥90%", "88%", 30.0, 29.0,
                      Some("部分学员未参加结业考核")),
            indicator("效益指标", "社会效益指标", "就业技能提升率", "≥80%", "85%", 20.0, 20.0, None),
            indicator("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", "95%", 10.0, 10.0, None),
        ],
        "total_weight": 100,
        "total_score": 98.5,
        "grade": null
    });
    assert_reads_exactly(&out, 0, &exp);
    assert_eq!(
        out.forms[0].evaluation.funds.reason.as_deref(),
        Some("部分培训采购项目结余")
    );
}

// ------------------------------------------------------------------ Anhui flattened line

/// An Anhui form (after published/07) flattened to one line after document metadata, this
/// time complete to its 总分.
const ANHUI: &str = "# source: hand-written after published/07\n\
安福全 zlnb210061 1 2021-03-02T01:12:09Z 2024-01-15T08:20:11Z 15.00 2052-11.1.0.11691 False False False 附件: 项目支出绩效自评表 (2023年度) 项目名称 农村人居环境整治 主管部门 219-池州市贵池区棠溪镇人民政府 实施单位 219001-池州市贵池区棠溪镇人民政府 项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 120 118.5 116.13 10 98% 9.8 其中:本年财政拨款 120 118.5 116.13 上年结转资金 其他资金 年度总体目标 预期目标 实际完成情况 完成12个行政村村庄保洁和垃圾清运,改善农村人居环境。 完成12个行政村村庄保洁,垃圾清运合格率96%,群众满意度92%。 绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 产出指标(50分) 数量指标 村庄保洁覆盖行政村数 ≥12个 12 20 20 质量指标 垃圾清运合格率 ≥95% 96% 15 15 时效指标 垃圾清运及时性 及时 及时 5 5 成本指标 项目总成本 ≤120万元 116.13万元 10 10 效益指标(30分) 社会效益指标 村容村貌改善情况 效果明显 效果明显 20 20 可持续影响指标 长效管护机制建立情况 健全 基本健全 10 8 满意度指标(10分) 满意度指标 群众满意度 ≥90% 92% 10 10 总分 100 97.8\n";

fn anhui_expected() -> Value {
    json!({
        "year": 2023,
        "project": "农村人居环境整治",
        "department": "219-池州市贵池区棠溪镇人民政府",
        "unit": "219001-池州市贵池区棠溪镇人民政府",
        "money_unit": "万元",
        "funds": {
            "total": {"initial": 120, "adjusted": 118.5, "executed": 116.13,
                      "weight": 10, "rate": "98%", "score": 9.8},
            "appropriation": {"initial": 120, "adjusted": 118.5, "executed": 116.13},
            "carryover": {},
            "other": {}
        },
        "goal_expected": "完成12个行政村村庄保洁和垃圾清运,改善农村人居环境。",
        "goal_actual": "完成12个行政村村庄保洁,垃圾清运合格率96%,群众满意度92%。",
        "indicators": [
            indicator("产出指标", "数量指标", "村庄保洁覆盖行政村数", "≥12个", "12", 20.0, 20.0, None),
            indicator("产出指标", "质量指标", "垃圾清运合格率", "≥95%", "96%", 15.0, 15.0, None),
            indicator("产出指标", "时效指标", "垃圾清运及时性", "及时", "及时", 5.0, 5.0, None),
            indicator("产出指标", "成本指标", "项目总成本", "≤120万元", "116.13万元", 10.0, 10.0, None),
            indicator("效益指标", "社会效益指标", "村容村貌改善情况", "效果明显", "效果明显", 20.0, 20.0, None),
            indicator("效益指标", "可持续影响指标", "长效管护机制建立情况", "健全", "基本健全", 10.0, 8.0, None),
            indicator("满意度指标", "满意度指标", "群众满意度", "≥90%", "92%", 10.0, 10.0, None),
        ],
        "total_weight": 100,
        "total_score": 97.8,
        "grade": null
    })
}

#[test]
fn anhui_flattened_line_complete_to_its_total_reads_as_printed() {
    let out = read_bytes(ANHUI.as_bytes());
    assert_eq!(out.shape, InputShape::Flattened);
    assert_eq!(out.forms.len(), 1);
    assert_reads_exactly(&out, 0, &anhui_expected());
    assert!(!out.forms[0].evaluation.truncated);
}

#[test]
fn anhui_flattened_line_that_lost_a_blank_actual_says_so_instead_of_guessing() {
    // 项目总成本 with its actual left blank: flattening drops the blank, so `≤120万元 10 10`
    // could be actual+weight or weight+score. The reader must not pick one.
    let text = ANHUI.replace("≤120万元 116.13万元 10 10", "≤120万元 10 10");
    let out = read_bytes(text.as_bytes());
    let ind = &out.forms[0].evaluation.indicators[3];
    assert_eq!(ind.name, "项目总成本");
    // The reader reads only the name of an ambiguous row (the target, though sure, too).
    assert!(matches!(ind.target.as_deref(), None | Some("≤120万元")));
    assert_eq!(
        (ind.actual.as_deref(), ind.weight, ind.score),
        (None, None, None)
    );
    assert!(out.forms[0]
        .diagnostics
        .iter()
        .any(|d| d.code == "READ_AMBIGUOUS_ROW" && d.indicator == Some(3)));
    // The rows around it are unaffected.
    let mut exp = anhui_expected();
    exp["indicators"][3]["actual"] = Value::Null;
    let problems = reads_or_says_unsure(&out, 0, &exp);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ------------------------------------------------------------------ the seed in other carriers

fn seed() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/songjiang-2023.tsv");
    std::fs::read_to_string(path).expect("fixture present")
}

fn seed_expected() -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/songjiang-2023.expected.json");
    let text = std::fs::read_to_string(path).expect("fixture present");
    match serde_json::from_str(&text).expect("valid json") {
        Value::Array(forms) => forms,
        form => vec![form],
    }
}

/// The seed's grid as a web page would print it: `| a | b |` rows, blank cells gone.
fn seed_as_pipe_rows() -> String {
    seed()
        .split('\n')
        .map(|line| {
            let cells: Vec<&str> = line
                .split('\t')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            if cells.is_empty() {
                String::new()
            } else {
                format!("| {} |", cells.join(" | "))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The seed's grid one cell per line, blank cells kept as `|` lines (as published/03).
fn seed_as_cell_per_line() -> String {
    let mut out = String::new();
    for line in seed().split('\n') {
        if line.trim().is_empty() {
            continue;
        }
        for cell in line.split('\t') {
            let cell = cell.trim();
            if cell.is_empty() {
                out.push_str("|\n");
            } else {
                out.push_str(cell);
                out.push_str(" |\n");
            }
        }
    }
    out
}

/// Problems of reading `text` against the seed's transcription.
fn seed_problems(text: &str, shape: InputShape) -> Vec<String> {
    let out = read_bytes(text.as_bytes());
    assert_eq!(out.shape, shape);
    let exp = seed_expected();
    assert_eq!(out.forms.len(), exp.len());
    exp.iter()
        .enumerate()
        .flat_map(|(n, e)| reads_or_says_unsure(&out, n, e))
        .collect()
}

#[test]
fn the_seed_as_pipe_rows_reads_as_transcribed_or_says_what_it_cannot_place() {
    let problems = seed_problems(&seed_as_pipe_rows(), InputShape::PipeRows);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_seed_as_one_cell_per_line_reads_as_transcribed() {
    // Blank cells are kept, so nothing is lost: the forms read exactly.
    let problems = seed_problems(&seed_as_cell_per_line(), InputShape::CellPerLine);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_total_after_blank_cells_is_read() {
    let out = read_bytes("项目名称 |\n测试 |\n合计 |\n|\n|\n100 |\n94 |\n".as_bytes());
    let ev = &out.forms[0].evaluation;
    assert_eq!(ev.total_weight, Some(Decimal::from(100)));
    assert_eq!(ev.total_score.map(|s| s.value), Some(Decimal::from(94)));
}

#[test]
fn a_split_label_remnant_is_not_a_reason() {
    let text = "| 项目名称 | 测试 |\n\
        | 绩效指 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施 |\n\
        | 产出指标 | 时效指标 | 案件审限 | 缩短 | 缩短 | 6 | 6 |\n\
        | 标 | 效益指标 | 社会效益指标 | 办理合规 | 合规 | 合规 | 6 | 6 |\n\
        | 总分 | 100 | 12 |\n";
    let out = read_bytes(text.as_bytes());
    let ind = &out.forms[0].evaluation.indicators[0];
    assert_eq!(ind.name, "案件审限");
    assert_eq!(ind.reason, None);
}

#[test]
fn a_short_project_name_on_its_own_line_keeps_no_cell_marker() {
    let out = read_bytes(
        "项目名称 |\n工伤鉴定 |\n主管部门 |\n上海市松江区人力资源和社会保障局 |\n".as_bytes(),
    );
    assert_eq!(out.shape, InputShape::CellPerLine);
    let ev = &out.forms[0].evaluation;
    assert_eq!(ev.project.as_deref(), Some("工伤鉴定"));
    assert_eq!(
        ev.department.as_deref(),
        Some("上海市松江区人力资源和社会保障局")
    );
}

#[test]
fn a_label_split_by_a_pipe_on_one_line_is_joined_from_its_own_text() {
    let text =
        "项目名称 |\n测试项目名称较长的一个 |\n绩效指标 |\n一级指标 |\n二级指标 |\n三级指标 |\n\
        年度指标值 |\n实际完成值 |\n分值 |\n得分 |\n效益指标 |\n经济效益 | 指标 |\n带动就业人数 |\n\
        >=100人 |\n120人 |\n10 |\n10 |\n总分 |\n100 |\n10 |\n";
    let out = read_bytes(text.as_bytes());
    assert_eq!(out.shape, InputShape::CellPerLine);
    let ind = &out.forms[0].evaluation.indicators[0];
    assert_eq!(ind.name, "带动就业人数");
    assert_eq!(
        ind.level2.as_deref().map(no_space).as_deref(),
        Some("经济效益指标")
    );
    assert!(
        !codes(&out, 0).contains(&"READ_UNRECOGNISED_ROW".to_string()),
        "{:?}",
        codes(&out, 0)
    );
}
