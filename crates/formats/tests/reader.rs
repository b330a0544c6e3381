//! The text readers on small forms written for one behaviour each.

use jixiao_formats::{read_bytes, InputShape, ReadOutcome};

fn read(text: &str) -> ReadOutcome {
    read_bytes(text.as_bytes())
}

fn codes(out: &ReadOutcome) -> Vec<String> {
    let mut all: Vec<String> = out.diagnostics.iter().map(|d| d.code.to_string()).collect();
    for f in &out.forms {
        all.extend(f.diagnostics.iter().map(|d| d.code.to_string()));
    }
    all
}

/// A Shanghai-style grid form; `rows` are the indicator rows (tab-separated, 9 columns).
fn grid(rows: &[&str], total: &str) -> String {
    let mut s = String::from(
        "财政项目支出绩效自评表\t\t\t\t\t\t\t\t\n\
         (2024 年度)\t\t\t\t\t\t\t\t\n\
         项目名称\t测试项目\t\t\t\t\t\t\t\n\
         主管部门\t某区财政局\t\t\t实施单位\t某中心\t\t\t\n\
         项目资金 (元)\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\t\n\
         \t年度资金总额\t100,000.00\t100,000.00\t90,000\t10\t90.00%\t9\t\n\
         \t其中：当年财政拨款\t100000\t100000\t90000\t—\t\t\t\n\
         \t上年结转资金\t0\t0\t\t—\t\t\t\n\
         \t其他资金\t0\t0\t\t—\t\t\t\n\
         \t预期目标\t\t\t实际完成情况\t\t\t\t\n\
         年度总体目标\t完成任务\t\t\t完成了任务\t\t\t\t\n\
         绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施\n",
    );
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.push_str(total);
    s.push('\n');
    s
}

#[test]
fn grid_form_reads_header_funds_goals_and_rows() {
    let text = grid(
        &[
            "\t产出指标\t数量指标\t培训场次\t≥10场\t12场\t50\t50\t",
            "\t效益指标\t社会效益指标\t政策知晓率\t≥90%\t95%\t30\t30\t",
            "\t满意度指标\t服务对象满意度指标\t满意度\t≥90%\t85%\t10\t9\t调查样本偏少",
        ],
        "\t总分\t\t\t\t\t\t100\t98",
    );
    let out = read(&text);
    assert_eq!(out.shape, InputShape::TabGrid);
    assert_eq!(out.forms.len(), 1);
    let ev = &out.forms[0].evaluation;
    assert_eq!(ev.year, Some(2024));
    assert_eq!(ev.project.as_deref(), Some("测试项目"));
    assert_eq!(ev.unit.as_deref(), Some("某中心"));
    assert_eq!(ev.funds.total.executed, Some(90000.into()));
    assert_eq!(
        ev.funds.carryover.executed, None,
        "a blank cell is not a zero"
    );
    assert_eq!(ev.goal_actual.as_deref(), Some("完成了任务"));
    assert_eq!(ev.indicators.len(), 3);
    assert_eq!(ev.indicators[2].reason.as_deref(), Some("调查样本偏少"));
    assert_eq!(ev.total_score.map(|p| p.value), Some(98.into()));
    // Every indicator cell is located where it stands.
    let at = ev.indicators[0].at.target.as_ref().expect("located");
    assert_eq!(at.line, 13);
}

#[test]
fn wrapped_reason_row_joins_the_row_above() {
    let text = grid(
        &[
            "\t产出指标\t数量指标\t培训场次\t≥10场\t8场\t50\t40\t因疫情停办两场，",
            "\t\t\t\t\t\t\t\t下年补办",
        ],
        "\t总分\t\t\t\t\t\t100\t90",
    );
    let out = read(&text);
    let ev = &out.forms[0].evaluation;
    assert_eq!(ev.indicators.len(), 1);
    assert_eq!(
        ev.indicators[0].reason.as_deref(),
        Some("因疫情停办两场，下年补办")
    );
    assert!(codes(&out).contains(&"READ_CONTINUATION".to_string()));
}

#[test]
fn template_placeholder_rows_are_kept_for_review() {
    let text = grid(
        &[
            "\t产出指标\t数量指标\t指标1:\t\t\t\t\t",
            "\t\t\t……\t\t\t\t\t",
        ],
        "\t总分\t\t\t\t\t\t100\t",
    );
    let ev = &read(&text).forms[0].evaluation;
    let names: Vec<&str> = ev.indicators.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["指标1:", "……"]);
    assert!(ev
        .indicators
        .iter()
        .all(|i| i.target.is_none() && i.weight.is_none()));
}

#[test]
fn form_cut_off_is_reported_not_completed() {
    let text = grid(
        &["\t产出指标\t数量指标\t培训场次\t≥10场\t12场\t50\t50\t"],
        "",
    );
    let out = read(&text);
    let ev = &out.forms[0].evaluation;
    assert!(ev.truncated);
    assert_eq!(ev.total_score, None);
    assert!(codes(&out).contains(&"READ_TRUNCATED".to_string()));
}

#[test]
fn glued_header_values_and_grade_word() {
    let text = "项目支出绩效自评表 (2022年度) 项目名称委托业务项目 主管部门:某镇人民政府 实施单位:某镇财政所 \
                项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额: 90 90 90 10 100% 10 \
                其中:本年财政拨款 90 90 90 上年结转资金 其他资金 绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 \
                偏差原因分析及改进措施 产出指标(50分) 数量指标 项目数量 ≥50个 50 50 50 效益指标(30分) 社会效益指标 公平程度 效果明显 达成预期指标 30 30 \
                满意度指标(10分) 满意度指标 公众满意度 ≥90% 95% 10 10 总分 100 100 等级 优";
    let out = read(text);
    assert_eq!(out.shape, InputShape::Flattened);
    let ev = &out.forms[0].evaluation;
    assert_eq!(ev.project.as_deref(), Some("委托业务项目"));
    assert_eq!(ev.department.as_deref(), Some("某镇人民政府"));
    assert_eq!(ev.money_unit.as_deref(), Some("万元"));
    assert_eq!(ev.indicators.len(), 3);
    assert_eq!(ev.indicators[2].level2.as_deref(), Some("满意度指标"));
    assert_eq!(ev.grade.as_deref(), Some("优"));
    assert_eq!(ev.total_weight, Some(100.into()));
}

#[test]
fn flattened_row_with_a_lost_blank_is_not_guessed() {
    // Actual or score is missing, and without the blank cell nobody can tell which.
    let text = "项目名称 测试 绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 \
                产出指标 数量指标 培训人数 ≥100人 80 80 总分 100 80";
    let out = read(text);
    let ind = &out.forms[0].evaluation.indicators[0];
    assert_eq!(ind.name, "培训人数");
    assert_eq!(
        (ind.actual.as_deref(), ind.weight, ind.score),
        (None, None, None)
    );
    assert!(codes(&out).contains(&"READ_AMBIGUOUS_ROW".to_string()));
}

#[test]
fn encodings_read_the_same() {
    let text = grid(
        &["\t产出指标\t数量指标\t培训场次\t≥10场\t12场\t50\t50\t"],
        "\t总分\t\t\t\t\t\t100\t98",
    );
    let utf8 = read(&text);
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let crlf = text.replace('\n', "\r\n");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    for other in [read_bytes(&gb), read(&crlf), read_bytes(&utf16)] {
        assert_eq!(other.forms.len(), 1);
        assert_eq!(
            other.forms[0].evaluation.indicators,
            utf8.forms[0].evaluation.indicators
        );
        assert_eq!(
            other.forms[0].evaluation.funds,
            utf8.forms[0].evaluation.funds
        );
    }
}

#[test]
fn nothing_recognisable_is_unreadable() {
    assert!(read("").is_unreadable());
    assert!(read("hello world\nthis is not a form\n").is_unreadable());
    assert!(read_bytes(&[0xff, 0x00, 0x13, 0x37]).is_unreadable());
}

#[test]
fn flattened_header_value_that_swallowed_other_cells_is_not_presented() {
    // 项目编号 is a label the reader does not know: the project's value would run into it.
    let text = "项目名称 测试项目 项目编号 2023 001 主管部门 某局 实施单位 某中心 绩效指标 一级指标 二级指标 三级指标 \
                年度指标值 实际完成值 分值 得分 产出指标 数量指标 培训人数 ≥100人 120人 10 10 总分 100 100";
    let out = read(text);
    let ev = &out.forms[0].evaluation;
    assert_eq!(ev.project, None);
    assert_eq!(ev.department.as_deref(), Some("某局"));
    assert!(codes(&out).contains(&"READ_AMBIGUOUS_HEADER".to_string()));
}
