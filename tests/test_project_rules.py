"""The rules of the 项目支出绩效自评表 and a project-only workbook as a reviewer would sign it.

The data is tests/projects.py (two projects checked by hand); each test breaks one thing. In the
snapshots (tests/builders.py) and in the template alike, tbl_projects starts on row 5 (科普惠农项目) and
row 6 (基层科协组织建设); tbl_project_indicators on row 4: 科普惠农项目 rows 4–7, 基层科协组织建设 rows 8–11.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.profile import default_profile, find_shipped
from perfeval.core.snapshot import CellRef
from perfeval.io.fill import fill_template
from perfeval.service import check_file
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check, findings_of, ids
from tests.projects import PROJECT_A, PROJECT_B, project_tables, project_values, project_workbook
from tests.workbooks import taojiang_data

PROJ = cat.PROJECTS.name
PIND = cat.PROJECT_INDICATORS.name
# The new rules of perfeval/core/rules/project.py, and the older ones that read the project form.
NEW_RULES = {"CMP-016", "CMP-017", "SUM-008", "SUM-009", "WT-011", "WT-012"}
PROJECT_RULES = NEW_RULES | {"CMP-012", "CMP-013", "RATE-006", "RATE-007", "SCORE-010", "WT-009", "TXT-009"}
UNIT_SHEETS = {cat.SHEET_BASIC, cat.SHEET_UNIT}


def tref(index: int, key: str, table: str = PROJ) -> CellRef:
    spec = cat.TABLES[table]
    place = cat.table_placement(spec)
    return CellRef(spec.sheet, f"{place.letters[key]}{place.header_row + 1 + index}")


def tables(**changes: dict[str, object]) -> dict[str, list[dict[str, object]]]:
    """project_tables() with rows changed: tables(p1={"spent": 17}, i4={"score": 20}) (p: project, i: indicator)."""
    out = project_tables()
    for key, change in changes.items():
        table = PROJ if key[0] == "p" else PIND
        out[table][int(key[1:])].update(change)
    return out


def run(
    data: dict[str, list[dict[str, object]]] | None = None, values: dict[str, object] | None = None, **kw
):
    """A project-only workbook in memory: 工作簿内容 says 项目支出."""
    data = data if data is not None else project_tables()
    return check(
        {**project_values(), "info_kind": "项目支出", **(values or {})},
        projects=data[PROJ],
        project_indicators=data[PIND],
        **kw,
    )


def only(result, rule_id: str):
    found = findings_of(result, rule_id)
    assert len(found) == 1, [f.text() for f in found]
    return found[0]


def on_unit_forms(result) -> list[str]:
    """Findings a project-only workbook must never have: on 附件1/附件2 or talking about them."""
    bad = []
    for f in result.findings:
        words = f.message + f.expected + f.found + f.advice
        if any(c.sheet in UNIT_SHEETS for c in f.cells) or any(
            w in words for w in ("附件1", "附件2", "部门整体")
        ):
            bad.append(f"{f.rule_id} {f.message}")
    return bad


# --- the clean workbook ---------------------------------------------------------------------------------
def test_the_clean_snapshot_has_no_finding_and_runs_every_project_rule():
    r = run()
    assert [f.text() for f in r.findings] == []
    assert r.model.forms == frozenset({cat.Form.PROJECT})
    # SUM-008 compares: 科普惠农项目 46 = 46 (fiscal only); 基层科协组织建设 20 = 15 + 5 and 19 = 14 + 5.
    assert PROJECT_RULES & set(r.not_applicable) == set()
    assert r.not_applicable["SUM-007"] == "本工作簿未填写部门整体支出绩效自评"


def test_the_clean_project_workbook_file_has_no_finding(tmp_path: Path):
    path = project_workbook(tmp_path / "项目.xlsx")
    r = check_file(path, default_profile(), write=False).result
    assert {f.rule_id for f in r.findings} == set()
    assert r.count(Severity.ERROR) == 0 and r.count(Severity.WARNING) == 0
    assert on_unit_forms(r) == []
    assert PROJECT_RULES & set(r.not_applicable) == set()
    # 科普惠农项目: 10 + 30 + 20 + 30 + 10 = 100; 基层科协组织建设: 9.5 + 16 + 30 + 30 + 10 = 95.5.
    assert r.project_scores() == [(PROJECT_A, Decimal("100.00"), "优"), (PROJECT_B, Decimal("95.50"), "优")]


def test_the_cli_exits_0_on_the_clean_project_workbook(tmp_path: Path):
    path = project_workbook(tmp_path / "项目.xlsx")
    done = subprocess.run(
        [sys.executable, "-m", "perfeval", "check", str(path), "-o", str(tmp_path / "结果.xlsx")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 个错误、0 个警告" in done.stdout


# --- CMP-016 / CMP-017 ------------------------------------------------------------------------------------
def test_cmp016_a_project_workbook_without_projects():
    r = run({PROJ: [], PIND: []})
    assert ids(r) == {"CMP-016"}
    f = only(r, "CMP-016")
    assert f.severity is Severity.ERROR
    assert f.cells == (tref(0, "name"),)  # 项目支出自评!A5, the first data cell
    assert str(f.cells[0]) == "项目支出自评!A5"
    assert f.found == "0 个"


def test_cmp016_also_with_indicators_naming_no_project():
    r = run({PROJ: [], PIND: project_tables()[PIND][:1]})
    assert ids(r) == {"CMP-016", "CMP-013"}


def test_cmp016_not_run_on_a_unit_workbook():
    r = check({**CLEAN_VALUES, "info_kind": "部门整体"}, indicators=CLEAN_INDICATORS, items=CLEAN_ITEMS)
    assert "CMP-016" not in ids(r)
    assert r.not_applicable["CMP-016"] == "本工作簿未填写项目支出绩效自评"


def test_cmp016_on_an_empty_project_workbook_file(tmp_path: Path):
    path = project_workbook(tmp_path / "空.xlsx", tables={PROJ: [], PIND: []})
    r = check_file(path, default_profile(), write=False).result
    assert [(f.rule_id, [str(c) for c in f.cells]) for f in r.findings] == [("CMP-016", ["项目支出自评!A5"])]


def test_cmp017_one_finding_per_row_listing_its_blank_cells():
    r = run(tables(p1={"initial_budget": None, "spent": "", "total_score": None}))
    f = only(r, "CMP-017")
    assert f.severity is Severity.ERROR
    assert f.cells == (tref(1, "initial_budget"), tref(1, "spent"), tref(1, "total_score"))  # D6, F6, U6
    assert f.message == f"项目“{PROJECT_B}”缺少：年初预算数、全年执行数、总分（填报）"
    # Without 全年执行数 the rate, its score, SUM-008's 全年执行数 column and SUM-009 are not checked.
    assert ids(r) == {"CMP-017"}


def test_cmp017_names_a_row_without_a_name_and_reads_无_as_blank():
    data = project_tables()
    data[PROJ].append({"initial_budget": 5, "adjusted_budget": 5, "spent": 5, "execution_weight": "无"})
    r = run(data)
    f = only(r, "CMP-017")
    assert f.message == "第 3 行项目（未填名称）缺少：项目名称、分值（预算执行率）、总分（填报）"
    assert f.cells == (tref(2, "name"), tref(2, "execution_weight"), tref(2, "total_score"))  # A7, G7, U7


# --- SUM-008 funding lines --------------------------------------------------------------------------------
def test_sum008_funding_lines_must_add_up_to_the_total():
    r = run(tables(p1={"fiscal_spent": 12}))
    assert ids(r) == {"SUM-008"}
    f = only(r, "SUM-008")
    assert f.severity is Severity.ERROR
    # 全年执行数 19.00 against 12 + 5 = 17.00: 2.00 apart.
    assert f.cells == (
        tref(1, "spent"),
        tref(1, "fiscal_spent"),
        tref(1, "carryover_spent"),
        tref(1, "other_spent"),
    )
    assert [str(c) for c in f.cells] == [
        "项目支出自评!F6",
        "项目支出自评!L6",
        "项目支出自评!O6",
        "项目支出自评!R6",
    ]
    assert "当年财政拨款 12.00 + 上年结转资金 5.00 = 17.00 万元" in f.message
    assert "相差 2.00 万元" in f.message and PROJECT_B in f.message and "全年执行数" in f.message
    assert (f.expected, f.found) == ("17.00 万元", "19.00 万元")


def test_sum008_within_tolerance_and_无_counts_as_zero():
    assert "SUM-008" not in ids(run(tables(p1={"fiscal_spent": 14.005})))  # 19.005 vs 19: within 0.01
    # 无 is nothing: 0 + 5 = 5 against 19.
    f = only(run(tables(p1={"fiscal_spent": "无"})), "SUM-008")
    assert (f.expected, f.found) == ("5.00 万元", "19.00 万元")


def test_sum008_speaks_the_forms_unit():
    # The same workbook printed in 元: every amount × 10000, 财政拨款 120000 + 结转 50000 = 170000 ≠ 190000.
    data = project_tables()
    for row in data[PROJ]:
        for key in [k for k in row if k.endswith(("budget", "spent"))]:
            row[key] = row[key] * 10000
    data[PROJ][1]["fiscal_spent"] = 120000
    f = only(run(data, {"info_amount_unit": "元"}), "SUM-008")
    assert "当年财政拨款 120,000.00 + 上年结转资金 50,000.00 = 170,000.00 元" in f.message
    assert (f.expected, f.found) == ("170,000.00 元", "190,000.00 元")


def test_sum008_not_applicable_without_funding_lines():
    data = project_tables()
    for row in data[PROJ]:
        for source, _ in cat.FUND_SOURCES:
            for col in cat.FUND_COLS:
                row.pop(f"{source}_{col}", None)
    r = run(data)
    assert "SUM-008" in r.not_applicable and "SUM-008" not in ids(r)


# --- RATE-006/007 on project rows ---------------------------------------------------------------------
def test_rate006_execution_rate_typed_wrong():
    r = run(tables(p1={"execution_rate": 0.8}))
    assert ids(r) == {"RATE-006"}
    f = only(r, "RATE-006")
    assert f.cells[0] == tref(1, "execution_rate")  # H6
    assert (f.found, f.expected.split("（")[0]) == ("80.00%", "95.00%")  # 19 ÷ 20


def test_rate006_execution_rate_on_the_initial_budget():
    # 年初 19, 全年 20, spent 19: 19 ÷ 19 = 100 % typed, 19 ÷ 20 = 95 % due. Full marks (10) follow from it,
    # and a total 96 = 10 + 86 that is added right but 0.5 above the recomputed 95.5.
    r = run(
        tables(
            p1={
                "initial_budget": 19,
                "fiscal_initial_budget": 14,
                "execution_rate": 1,
                "execution_score": 10,
                "total_score": 96,
            }
        )
    )
    assert ids(r) == {"RATE-006", "RATE-007", "SCORE-010"}
    assert "按年初预算数计算" in only(r, "RATE-006").found


def test_rate007_execution_score_full_marks_with_money_unspent():
    # 95 % × 10 = 9.50, typed 10; the total typed 96 = 10 + 86 adds up (no SUM-009), the recomputed is 95.5.
    r = run(tables(p1={"execution_score": 10, "total_score": 96}))
    assert ids(r) == {"RATE-007", "SCORE-010"}
    f = only(r, "RATE-007")
    assert f.cells[0] == tref(1, "execution_score")
    assert f.expected.startswith("9.50 分") and f.found == "10.00 分（满分）"


# --- SUM-009 typed total ------------------------------------------------------------------------------
def test_sum009_typed_total_against_the_typed_scores():
    r = run(tables(p1={"total_score": 90}))
    f = only(r, "SUM-009")
    assert f.severity is Severity.ERROR
    # 9.5 + (16 + 30 + 30 + 10 = 86) = 95.5, typed 90: 5.5 apart.
    assert f.message == (
        f"项目“{PROJECT_B}”总分填 90.00 分，而执行率得分 9.5 + 4 个指标得分之和 86 = 95.5 分，相差 5.5 分"
    )
    assert (f.expected, f.found) == ("95.50 分", "90.00 分")
    assert f.cells == (
        tref(1, "total_score"),
        tref(1, "execution_score"),
        *(tref(i, "score", PIND) for i in range(4, 8)),
    )
    # SCORE-010 says the same against the recomputed 95.5; nothing else fires.
    assert ids(r) - {"SCORE-010"} == {"SUM-009"}


def test_sum009_quiet_when_the_typed_scores_add_up():
    # 16 typed as 20 (unmet target, full marks): 9.5 + 90 = 99.5 typed and added right, recomputed 95.5.
    r = run(tables(p1={"total_score": 99.5}, i4={"score": 20}))
    assert ids(r) == {"SCORE-002", "SCORE-010"}


# --- WT-011/WT-012 weights per profile -----------------------------------------------------------------
def test_wt012_output60_profile_flags_50_30_weights():
    profile = find_shipped("产出60")
    assert profile is not None
    r = run(profile=profile)
    found = findings_of(r, "WT-012")
    assert [f.severity for f in found] == [Severity.WARNING] * 2
    a, b = sorted(found, key=lambda f: f.cells[0].address)  # I4 (科普惠农项目) before I8
    # 科普惠农项目: 产出 30 + 20 = 50 (60 due), 效益 30 (20 due); 满意度 10 is right.
    assert a.message == (
        f"项目“{PROJECT_A}”的指标分值与评分口径（{profile.name}）不符："
        "产出指标 50 分（30 + 20），应为 60 分；效益指标 30 分，应为 20 分"
    )
    assert a.cells == tuple(tref(i, "weight", PIND) for i in (0, 1, 2))
    assert a.found == "产出指标 50 分、效益指标 30 分"
    assert a.expected == "产出指标 60 分、效益指标 20 分、满意度指标 10 分"
    assert PROJECT_B in b.message and "产出指标 50 分（20 + 30）" in b.message
    assert "WT-011" not in ids(r)  # 执行率 10 in both


def _output60_tables():
    # 产出 +10 (培训合格率 20 → 30, 建成乡镇科协服务站 30 → 40), 效益 30 → 20, scores with them.
    return tables(
        i1={"weight": 30, "score": 30},
        i2={"weight": 20, "score": 20},
        i5={"weight": 40, "score": 40},
        i6={"weight": 20, "score": 20},
    )


def test_wt012_output60_profile_accepts_60_20_weights():
    r = run(_output60_tables(), profile=find_shipped("产出60"))
    assert [f.text() for f in r.findings] == []


def test_wt012_default_profile_flags_60_20_weights():
    r = run(_output60_tables())
    assert ids(r) == {"WT-012"}
    assert {f.found for f in findings_of(r, "WT-012")} == {"产出指标 60 分、效益指标 20 分"}


def test_wt012_a_missing_level_counts_as_zero():
    # 基层科协组织建设 without its 满意度 row: 10 + 20 + 30 + 30 = 90 (WT-009) and 满意度 0 of 10 (WT-012);
    # the typed total follows: 9.5 + 16 + 30 + 30 = 85.5.
    data = tables(p1={"total_score": 85.5})
    del data[PIND][7]
    r = run(data)
    assert ids(r) == {"WT-009", "WT-012"}
    f = only(r, "WT-012")
    assert f.message.endswith("满意度指标没有指标（0 分），应为 10 分")
    assert f.cells == (tref(1, "name"),)


def test_wt011_and_wt012_read_the_profiles_project_weights():
    # A province weighing projects 执行率 20 · 产出 40 (its 部门整体 weights unchanged): both projects have
    # 执行率 10 (WT-011) and 产出 50 (WT-012). The totals stay 100, so WT-009 is quiet.
    weights = {"execution": 20, "output": 40, "benefit": 30, "satisfaction": 10}
    profile = replace(
        default_profile(), name="某省项目口径", project_weights={k: Decimal(v) for k, v in weights.items()}
    )
    r = run(profile=profile)
    assert {f.rule_id for f in r.findings} <= {"WT-011", "WT-012", "WT-010"}
    exec_findings = findings_of(r, "WT-011")
    assert [f.cells for f in exec_findings] == [
        (tref(0, "execution_weight"),),
        (tref(1, "execution_weight"),),
    ]
    f = exec_findings[0]
    assert f.severity is Severity.WARNING
    assert (
        f.message
        == f"项目“{PROJECT_A}”预算执行率分值填报为 10 分，评分口径（某省项目口径）规定项目执行率为 20 分"
    )
    assert (f.expected, f.found) == ("20 分", "10 分")
    assert {f.found for f in findings_of(r, "WT-012")} == {"产出指标 50 分"}


# --- a project-only workbook never hears about 部门整体 --------------------------------------------------
def _broken_tables():
    """Everything at once: funding lines, rate, score, total, weights, a blank, an orphan, a negative."""
    data = tables(
        p0={"execution_rate": 0.9, "fiscal_initial_budget": 40, "total_score": 97},
        p1={"execution_score": 10, "spent": 21, "carryover_spent": 3, "execution_weight": 15},
        i2={"weight": 40, "score": 38},
        i5={"deviation_note": "", "score": 25},
        i6={"project": "基层科协组织建设项目"},
    )
    data[PROJ].append({"name": "新建项目", "adjusted_budget": 0, "spent": -2, "execution_weight": 10})
    return data


def test_a_broken_project_only_snapshot_has_no_finding_about_the_unit_forms():
    r = run(_broken_tables())
    assert len(ids(r)) >= 8, ids(r)
    assert NEW_RULES - {"CMP-016"} <= ids(r)
    assert on_unit_forms(r) == []


def test_a_broken_project_only_workbook_file_has_no_finding_about_the_unit_forms(tmp_path: Path):
    path = project_workbook(tmp_path / "项目.xlsx", tables=_broken_tables())
    r = check_file(path, default_profile(), write=False).result
    assert {"SUM-008", "SUM-009", "CMP-017", "RATE-006", "PL-001"} <= ids(r)
    sheets = {c.sheet for f in r.findings for c in f.cells}
    assert sheets <= {cat.SHEET_PROJECTS, cat.SHEET_PROJECT_INDICATORS}, sheets
    assert on_unit_forms(r) == []


# --- TXT-009: a target is not a restatement --------------------------------------------------------------
def test_txt009_target_and_actual_of_a_project_are_not_compared():
    # 基层科协组织建设: 预期目标 培训10期, 实际完成情况 培训8期 (the clean data): a deviation, not a conflict.
    data = project_tables()
    assert "培训10期" in data[PROJ][1]["goal_expected"] and "培训8期" in data[PROJ][1]["goal_actual"]
    assert "TXT-009" not in ids(run(data))


def test_txt009_still_flags_a_count_restated_within_the_actual_texts():
    actual = "举办基层科协干部培训8期，全年共举办基层科协干部培训9期，建成乡镇科协服务站5个。"
    f = only(run(tables(p1={"goal_actual": actual})), "TXT-009")
    assert f.severity is Severity.WARNING
    assert tref(1, "goal_actual") in f.cells
    assert "8期" in f.found and "9期" in f.found


def test_txt009_indicator_target_and_actual_are_not_compared():
    # 年度指标值 "举办培训10期" against 实际完成值 "举办培训8期": no conflict; a text saying 9 期 is one.
    data = tables(i4={"target": "举办干部培训10期", "actual": "举办干部培训8期"})
    assert "TXT-009" not in ids(run(data))
    data[PROJ][1]["goal_actual"] = "全年举办干部培训9期。"
    f = only(run(data), "TXT-009")
    assert {tref(1, "goal_actual"), tref(4, "actual", PIND)} <= set(f.cells)


def test_txt009_two_projects_may_count_the_same_thing_differently():
    data = tables(
        p0={"goal_expected": "开展科普培训12次。", "goal_actual": "开展科普培训12次。"},
        p1={"goal_expected": "开展科普培训8次。", "goal_actual": "开展科普培训8次。"},
    )
    assert "TXT-009" not in ids(run(data))
    # Within one project the same two counts do conflict.
    data[PROJ][1]["goal_actual"] = "开展科普培训8次，另开展科普培训12次。"
    assert "TXT-009" in ids(run(data))


def _unit(values: dict[str, object]):
    return check({**CLEAN_VALUES, **values}, indicators=CLEAN_INDICATORS, items=CLEAN_ITEMS)


def test_txt009_unit_goals_expected_and_actual_are_not_compared():
    # CLEAN_VALUES's own texts count 科普活动 (10次) already: another subject here.
    goals = {"ua_goal_expected_1": "全年举办科技培训10期。", "ua_goal_actual_1": "全年举办科技培训8期。"}
    assert "TXT-009" not in ids(_unit(goals))
    # The report text restating the actual with another value is a conflict.
    f = only(_unit({**goals, "info_achievements": "全年举办科技培训9期。"}), "TXT-009")
    assert CellRef(cat.field("info_achievements").sheet, cat.field("info_achievements").cell) in f.cells


# --- both forms in one workbook ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def both_forms(tmp_path_factory: pytest.TempPathFactory):
    values, data = taojiang_data()
    data.update(tables(p1={"total_score": 90, "fiscal_spent": 12}))
    out = tmp_path_factory.mktemp("both") / "桃江和项目.xlsx"
    path = fill_template(values, data, out, forms=cat.KINDS_OF_WORKBOOK["全部"])
    return check_file(path, default_profile(), write=False).result


def test_project_rules_fire_alongside_the_unit_rules(both_forms):
    r = both_forms
    assert r.model.forms == frozenset({cat.Form.UNIT, cat.Form.PROJECT})
    # 桃江's own: SUM-007 (100 typed, 10 + 100 = 110 added), WT-003 (效益 40), TXT-009 (示范户 10 vs 14).
    assert {"SUM-007", "WT-003", "TXT-009"} <= ids(r)
    assert {"SUM-008", "SUM-009"} <= ids(r)
    (funds,) = findings_of(r, "SUM-008")
    assert str(funds.cells[0]) == "项目支出自评!F6"
    (total,) = findings_of(r, "SUM-009")
    assert total.found == "90.00 分" and total.expected == "95.50 分"
    # The demonstration-unit conflict of 桃江 is reported once, and no project text joins it.
    # (issue 11 adds a second one, 专家工作站: 原有3家 + 新增2家 against 三个.)
    (conflict,) = [f for f in findings_of(r, "TXT-009") if "示范户" in f.message]
    assert all(c.sheet not in (cat.SHEET_PROJECTS, cat.SHEET_PROJECT_INDICATORS) for c in conflict.cells)
