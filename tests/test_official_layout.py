"""The official attachment tables (附件1, 附件2, 项目支出绩效自评表) laid out as in seed 000."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from perfeval.core.profile import default_profile
from perfeval.report.document import Merge, OfficialTable
from perfeval.report.official import basic_data_table, official_tables, unit_assessment_table
from perfeval.service import check_file
from tests.builders import check, indicator
from tests.workbooks import taojiang_with_two_projects

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
LIXIAN = ROOT / "examples" / "澧县科协2021.xlsx"
TAOJIANG_DATA = ROOT / "examples" / "data" / "taojiang2023.json"


@pytest.fixture(scope="module")
def taojiang() -> list[OfficialTable]:
    return official_tables(check_file(TAOJIANG, default_profile(), write=False).result)


@pytest.fixture(scope="module")
def lixian() -> list[OfficialTable]:
    return official_tables(check_file(LIXIAN, default_profile(), write=False).result)


def _row(table: OfficialTable, first_cell: str, col: int = 0) -> int:
    hits = [i for i, r in enumerate(table.rows) if r[col] == first_cell]
    assert len(hits) == 1, f"{first_cell!r} found in rows {hits}"
    return hits[0]


def _values(table: OfficialTable, row: int, cols: tuple[int, ...]) -> list[str]:
    return [table.rows[row][c] for c in cols]


def _assert_grid(table: OfficialTable) -> None:
    """Rectangular grid, merges inside it and disjoint, text only in a merge's top-left cell."""
    width = len(table.rows[0])
    assert all(len(r) == width for r in table.rows)
    assert len(table.widths) == width
    seen: set[tuple[int, int]] = set()
    for m in table.merges:
        assert 0 <= m.first_row <= m.last_row < len(table.rows)
        assert 0 <= m.first_col <= m.last_col < width
        cells = {
            (r, c) for r in range(m.first_row, m.last_row + 1) for c in range(m.first_col, m.last_col + 1)
        }
        assert not cells & seen, f"overlapping merge {m}"
        seen |= cells
        for r, c in cells - {(m.first_row, m.first_col)}:
            assert table.rows[r][c] == "", f"text hidden under merge {m} at {(r, c)}"


# --- 附件1 ----------------------------------------------------------------------------------------------


def test_basic_table_title_headers_and_staff(taojiang: list[OfficialTable]) -> None:
    t = taojiang[0]
    _assert_grid(t)
    assert t.label == "附件1"
    assert t.title == "桃江县科学技术协会2023年度部门整体支出绩效评价基础数据表"
    assert not t.landscape
    assert t.header_rows == 0  # its blocks carry their own headers
    assert t.rows[0] == ["财政供养人员情况（人）", "编制数", "", "2023年实际在职人数", "", "控制率", ""]
    assert t.rows[1] == ["", "7", "", "7", "", "100.00%", ""]
    assert Merge(0, 0, 1, 0) in t.merges  # the block label spans its header and value rows
    for r in (0, 1):
        for c1, c2 in ((1, 2), (3, 4), (5, 6)):
            assert Merge(r, c1, r, c2) in t.merges
    assert _values(t, 2, (0, 1, 3, 5)) == [
        "经费控制情况（万元）",
        "2022年决算数",
        "2023年预算数",
        "2023年决算数",
    ]
    assert t.note.startswith("说明：“项目支出”需要填报基本支出以外的所有项目支出情况")


def test_basic_table_cost_rows_as_in_seed(taojiang: list[OfficialTable]) -> None:
    t = taojiang[0]
    cols = (1, 3, 5)
    labels = [r[0] for r in t.rows[3:22]]
    assert labels == [
        "三公经费：",
        "1、公务用车购置和维护经费",
        "其中：公车购置",
        "公车运行维护",
        "2、出国经费",
        "3、公务接待",
        "项目支出：",
        "1、业务工作经费",
        "2、科学技术普及",
        "3、一般行政管理事务",
        "4、其他巩固脱贫乡村振兴支出",
        "5、上级专款：人才发展专项资金及专家工作站建设补助",
        "6、2023国家基层科普行动计划专项资金",
        "公用经费",
        "其中：办公经费",
        "水费、电费、差旅费",
        "会议费、培训费",
        "政府采购金额",
        "部门基本支出预算调整",
    ]
    assert _values(t, _row(t, "三公经费："), cols) == ["1.04", "1.58", "1.30"]
    assert _values(t, _row(t, "1、公务用车购置和维护经费"), cols) == ["", "", ""]
    assert _values(t, _row(t, "项目支出："), cols) == ["99.18", "48.00", "158.68"]
    assert _values(t, _row(t, "6、2023国家基层科普行动计划专项资金"), cols) == ["", "", "50.68"]
    assert _values(t, _row(t, "其中：办公经费"), cols) == ["0.00", "0.00", ""]  # 0 typed, blank stays blank
    assert _values(t, _row(t, "政府采购金额"), cols) == ["0.00", "", "1.32"]
    assert _values(t, _row(t, "部门基本支出预算调整"), cols) == ["159.64", "110.43", "107.64"]


def test_basic_table_buildings_and_frugality(taojiang: list[OfficialTable]) -> None:
    t = taojiang[0]
    head = _row(t, "楼堂馆所控制情况\n（2023年完工项目）")
    assert t.rows[head][1:] == [
        "批复规模\n（m²）",
        "实际规模（m²）",
        "规模\n控制率",
        "预算投资（万元）",
        "实际投资\n（万元）",
        "投资概算\n控制率",
    ]
    assert t.rows[head + 1] == ["", "无", "", "", "", "", ""]
    assert Merge(head, 0, head + 1, 0) in t.merges
    last = len(t.rows) - 1
    assert t.rows[last][:2] == ["厉行节约保障措施", "严格执行机关财务管理制度，严控各项支出。"]
    assert Merge(last, 1, last, 6) in t.merges


# --- 附件2 ----------------------------------------------------------------------------------------------


def test_unit_table_budget_block(taojiang: list[OfficialTable]) -> None:
    t = taojiang[1]
    _assert_grid(t)
    assert t.label == "附件2"
    assert t.title == "桃江县2023年度部门整体支出绩效自评表"
    assert not t.landscape  # portrait as in the seed: 9 columns fit 156 mm at 五号
    assert t.header_rows == 1
    assert [t.rows[0][0], t.rows[0][4]] == ["县级预算部门、单位名称", "桃江县科学技术协会"]
    assert t.rows[1][0] == "年度预算申请\n(万元)"
    assert t.rows[1][3:] == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "自评得分"]
    total = _row(t, "年度资金总额", col=1)
    assert t.rows[total][3:] == ["158.43", "266.32", "266.32", "10", "100.00%", "10"]
    splits = [(r[1], r[5]) for r in t.rows[total + 1 : total + 6]]
    assert splits == [
        ("按收入性质分：266.32", "按支出性质分：266.32"),
        ("其中：一般公共预算：266.32", "其中：基本支出：107.64"),
        ("政府性基金拨款：", "项目支出：158.68"),
        ("纳入专户管理的非税收入拨款：", ""),
        ("其他资金：", ""),
    ]
    assert Merge(1, 0, total + 5, 0) in t.merges  # 年度预算申请 spans the whole budget block
    assert Merge(total + 1, 1, total + 1, 4) in t.merges
    assert Merge(total + 1, 5, total + 1, 8) in t.merges


def test_unit_table_goals(taojiang: list[OfficialTable]) -> None:
    t = taojiang[1]
    head = _row(t, "年度总体\n目标")
    assert [t.rows[head][1], t.rows[head][5]] == ["预期目标", "实际完成情况"]
    expected, actual = t.rows[head + 1][1], t.rows[head + 1][5]
    assert expected.split("\n")[0] == "1.完成年初制定的全年工作任务。"
    assert expected.split("\n")[2] == "3.完成了县委和县政府交办的各项工作任务。"
    assert actual.startswith("1.完成了干职工工资的发放")
    assert Merge(head, 0, head + 1, 0) in t.merges
    assert Merge(head + 1, 1, head + 1, 4) in t.merges


def test_unit_table_indicators_and_merges(taojiang: list[OfficialTable]) -> None:
    t = taojiang[1]
    head = _row(t, "绩\n效\n指\n标")
    assert t.rows[head][1:] == [
        "一级\n指标",
        "二级\n指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "自评\n得分",
        "偏差原因\n分析及\n改进措施",
    ]
    first, last = head + 1, head + 11  # the seed's 11 indicators
    assert t.rows[last + 1][0] == "总分"
    assert Merge(head, 0, last, 0) in t.merges  # 绩效指标 spans its header and every indicator row
    # 一级指标 merged down over its rows, with the sum of their 分值
    assert t.rows[first][1] == "产出\n指标\n(50分)"
    assert Merge(first, 1, first + 5, 1) in t.merges
    assert t.rows[first + 6][1] == "效益\n指标\n(40分)"
    assert Merge(first + 6, 1, first + 9, 1) in t.merges
    assert t.rows[last][1] == "满意度\n指标\n(10分)"
    # 二级指标 merged down over equal runs
    assert Merge(first, 2, first + 2, 2) in t.merges
    assert Merge(first + 3, 2, first + 4, 2) in t.merges
    assert t.rows[first + 5][2] == "时效指标"
    assert t.rows[last][2] == "服务对象满意度\n指标"
    assert t.rows[first + 1][3:8] == ["培育和科技示范企业、示范基地和示范户10个", "10个", "10个", "8", "8"]
    assert t.rows[last][3:9] == ["社会公众满意度", "≥95%", "100%", "10", "10", ""]


def test_unit_table_total_row_and_sign_line(taojiang: list[OfficialTable]) -> None:
    t = taojiang[1]
    last = len(t.rows) - 1
    assert t.rows[last][0] == "总分"
    assert Merge(last, 0, last, 5) in t.merges
    # 分值: the printed rows' sum (10 + 50 + 40 + 10). Changed on purpose (issue 13): the typed 100 printed
    # "等级：优" beside a check that says 110 and 等级待定; now the typed 100 with the computed total
    # (10 + 50 + 40 + 10 full marks = 110) and the computed grade (weights 110, not 100: 等级待定). 桃江
    # has no typed 等级 (CMP-006), so no "填报" grade is shown.
    assert t.rows[last][6:] == ["110", "100\n复核\n110", "等级待定"]
    assert t.note.startswith("填表人：刘自平")
    for label in ("填报日期：2024年4月15日", "联系电话：15573764357", "单位负责人签字："):
        assert label in t.note


def test_a_date_cell_in_the_sign_line_prints_in_chinese() -> None:
    note = unit_assessment_table(check({"info_report_date": dt.datetime(2025, 4, 10)})).note
    assert "填报日期：2025年4月10日" in note and "2025-04-10" not in note


def test_taojiang_has_no_project_tables(taojiang: list[OfficialTable]) -> None:
    assert [t.label for t in taojiang] == ["附件1", "附件2"]


# --- typed vs computed -------------------------------------------------------------------------------------


def test_computed_values_fill_cells_left_blank() -> None:
    result = check(
        {
            "info_unit_name": "某县某局",
            "info_year": 2024,
            "bd_authorized_staff": 8,
            "bd_actual_staff": 6,
            "bd_tpc_current_budget": 2,
            "bd_reception_current_budget": 2,
            "bd_car_current_budget": 0,
            "ua_initial_budget": 100,
            "ua_adjusted_budget": 120,
            "ua_spent": 108,
            "ua_execution_weight": 10,
        },
        indicators=[
            {"level1": "产出指标", "level2": "数量指标", "level3": "培训", "target": "≥10次"},
            {"level1": "产出指标", "level2": "数量指标", "level3": "宣传", "target": "≥4次"},
        ],
    )
    basic = basic_data_table(result)
    assert basic.rows[1][5] == "75.00%"  # 控制率 computed: 6 ÷ 8
    assert basic.rows[_row(basic, "三公经费：")][3] == "2.00"  # total from its parts, typed blank
    assert basic.title == "某县某局2024年度部门整体支出绩效评价基础数据表"
    unit = unit_assessment_table(result)
    total = _row(unit, "年度资金总额", col=1)
    assert unit.rows[total][3:] == ["100.00", "120.00", "108.00", "10", "90.00%", "9"]
    assert unit.title == "某县2024年度部门整体支出绩效自评表"
    assert unit.rows[-1][6:] == ["10", "9", "等级：差"]  # weights of the rows without 分值 are not guessed
    assert unit.rows[_row(unit, "培训", col=3)][6:8] == ["", ""]


def test_typed_values_win_over_computed() -> None:
    result = check(
        {
            "bd_authorized_staff": 8,
            "bd_actual_staff": 6,
            "bd_staff_control_rate": 0.8,
            "ua_adjusted_budget": 120,
            "ua_spent": 108,
            "ua_execution_weight": 10,
            "ua_execution_rate": "95%",
            "ua_execution_score": 9.5,
            "ua_total_score": 9.5,
            "ua_grade": "良",
        }
    )
    assert basic_data_table(result).rows[1][5] == "80.00%"
    unit = unit_assessment_table(result)
    assert unit.rows[_row(unit, "年度资金总额", col=1)][7:] == ["95.00%", "9.50"]
    # The typed 总分 still prints first, but (changed on purpose, issue 13) no longer alone: the check's
    # total is 9 (执行率 108 ÷ 120 = 90 % of 10 分值, no indicators), grade 差 (< 60), and the printed
    # form must not contradict it, so both are beside the typed values.
    assert unit.rows[-1][7:] == ["9.50\n复核\n9", "等级：差\n填报：良"]


# --- 澧县: mostly blank -------------------------------------------------------------------------------------


def test_lixian_builds_and_leaves_blanks_blank(lixian: list[OfficialTable]) -> None:
    basic, unit, project = lixian
    for t in lixian:
        _assert_grid(t)
    assert basic.title == "澧县科学技术协会2021年度部门整体支出绩效评价基础数据表"
    assert basic.rows[1] == [""] * 7
    assert all(r[1:] == [""] * 6 for r in basic.rows[3:-3])
    assert unit.title == "澧县2021年度部门整体支出绩效自评表"
    total = _row(unit, "年度资金总额", col=1)
    assert unit.rows[total][3:] == ["134.35", "", "", "", "", ""]
    # One figure a line, as the form prints it (澧县's are its 年初 figures, the only ones it gives).
    assert unit.rows[total + 1][1:6:4] == ["按收入性质分：", "按支出性质分：134.35"]
    assert unit.rows[total + 2][5] == "其中：基本支出：88.35"
    assert unit.rows[-1][6:] == ["", "", ""]
    assert unit.note.startswith("填表人：\u3000")
    assert project.label == "附件3"
    assert project.rows[0][4] == "澧县科普专项资金"
    assert project.rows[_row(project, "年度资金总额", col=1)][3:] == ["46.00", "", "", "", "", ""]


# --- projects -------------------------------------------------------------------------------------------


def test_several_projects_give_one_table_each(tmp_path: Path) -> None:
    book = taojiang_with_two_projects(tmp_path)
    result = check_file(book, default_profile(), write=False).result
    out = official_tables(result)
    assert [t.label for t in out] == ["附件1", "附件2", "附件3", "附件4"]
    first, second = out[2], out[3]
    for t in (first, second):
        _assert_grid(t)
        name = t.rows[0][4]
        assert t.title == f"桃江县科学技术协会2023年度项目支出绩效自评表（{name}）"
        assert t.rows[0][0] == "项目名称"
        # the national form's 主管部门 | … | 实施单位 | … row, printed even when blank
        assert [t.rows[1][0], t.rows[1][5]] == ["主管部门", "实施单位"]
        assert t.rows[2][0] == "项目资金\n(万元)"
        assert t.header_rows == 1
    assert first.rows[0][4] == "科普活动经费"
    budget = _row(first, "年度资金总额", col=1)
    assert first.rows[budget][3:] == ["48.00", "98.68", "98.68", "10", "100.00%", "10"]  # computed rate/score
    # the form's three 其中 lines (blank here), then no income/expense split block for a project
    assert [first.rows[budget + i][1] for i in (1, 2, 3)] == [
        "其中：\n当年财政拨款",
        "上年结转资金",
        "其他资金",
    ]
    assert first.rows[budget + 1][3:6] == ["", "", ""]
    assert first.rows[budget + 4][0] == "年度总体\n目标"
    assert [first.rows[budget + 5][1], first.rows[budget + 5][5]] == ["建成科普小镇1个", "建成马迹塘科普小镇"]
    head = _row(first, "绩\n效\n指\n标")
    assert first.rows[head + 1][1:8] == [
        "产出\n指标\n(50分)",
        "数量指标",
        "科普小镇",
        "1个",
        "1个",
        "50",
        "50",
    ]
    assert first.rows[head + 2][7] == "40"  # blank score of a quantitative row: computed
    assert first.rows[-1][6:] == ["100", "100", "等级：优"]
    assert Merge(head, 0, head + 2, 0) in first.merges

    assert second.rows[0][4] == "专家工作站建设补助"
    budget = _row(second, "年度资金总额", col=1)
    assert second.rows[budget][3:] == ["0.00", "60.00", "54.00", "10", "90.00%", "9"]
    assert second.rows[-1][6:] == ["100", "95", "等级：优"]


def test_total_row_never_contradicts_the_check_when_the_weights_are_off() -> None:
    """Weights 10 + 10 × 10 = 110, not 100: the check grades 等级待定, so the typed "优" is shown as the
    unit's, beside our result; the typed 总分 110 equals the computed one (all full marks), so it prints
    alone."""
    rows = [indicator(level3=f"指标{i}") for i in range(10)]
    result = check(
        {
            "ua_adjusted_budget": 100,
            "ua_spent": 100,
            "ua_execution_weight": 10,
            "ua_total_score": 110,
            "ua_grade": "优",
        },
        indicators=rows,
    )
    assert result.grade == "等级待定" and result.total_score == 110
    unit = unit_assessment_table(result)
    assert unit.rows[-1][6:] == ["110", "110", "等级待定\n填报：优"]
