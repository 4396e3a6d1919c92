"""`perfeval new --kind/--profile`, `perfeval profiles` and the checks of a project-only workbook, end to end
as a user runs them (a real subprocess, real files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.io.fill import fill
from perfeval.service import check_file, skipped_rules
from tests.projects import PROJECT_A, PROJECT_B, UNIT_NAME, project_tables, project_values
from tests.test_cli import run, squash

PROJECT_SHEETS = [cat.SHEET_GUIDE, cat.SHEET_INFO, cat.SHEET_PROJECTS, cat.SHEET_PROJECT_INDICATORS]


def _info(path: Path, name: str) -> object:
    f = cat.field(name)
    return load_workbook(path)[f.sheet][f.cell].value


def _headers(ws) -> set[str]:
    return {str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


@pytest.fixture(scope="module")
def two_projects(tmp_path_factory) -> Path:
    """A workbook made by `perfeval new --kind 项目`, then filled with the two projects of tests/projects."""
    folder = tmp_path_factory.mktemp("kinds")
    made = folder / "项目.xlsx"
    r = run("new", made, "--kind", "项目")
    assert r.returncode == 0, r.stderr
    wb = load_workbook(made)
    fill(wb, project_values(), project_tables())
    filled = folder / "两个项目.xlsx"
    wb.save(filled)
    return filled


def test_new_project_kind_has_only_the_project_sheets(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    r = run("new", out, "--kind", "项目")
    assert r.returncode == 0, r.stderr
    assert load_workbook(out).sheetnames == PROJECT_SHEETS
    assert _info(out, "info_kind") == "项目支出"
    # The printed line names the sheets to fill, and only those.
    assert "“基本信息”“项目支出自评”“项目绩效指标”" in r.stdout and "附件1" not in r.stdout
    assert "项目支出绩效自评" in r.stdout


def test_check_names_both_projects(two_projects: Path, tmp_path: Path) -> None:
    r = run("check", two_projects, "-o", tmp_path / "结果.xlsx")
    assert r.returncode == 0, r.stdout + r.stderr
    heading = r.stdout.splitlines()[0]
    assert heading == f"{UNIT_NAME} 2023 年度项目支出绩效自评 — 校验结果"
    flat = squash(r.stdout)
    assert squash(f"{PROJECT_A} 100.00 分") in flat and squash(f"{PROJECT_B} 95.50 分") in flat
    # The 部门整体 rules, which a project-only workbook cannot run, are not counted as lacking data.
    skipped = skipped_rules(check_file(two_projects, None, write=False).result)
    assert "SUM-001" in skipped.other_forms and "SUM-001" not in skipped.missing_data
    n = len(skipped.missing_data)
    lacking = squash(f"另有 {n} 条规则因缺少数据未执行（详见结果工作簿“校验结果”表）。")
    assert flat.count("因缺少数据未执行") == (1 if n else 0) and (lacking in flat or not n)
    assert "未填写" not in flat  # made for projects only: nothing else to fill
    assert "评分口径：按工作簿“基本信息”所填的" in flat


def test_check_json_names_forms_projects_and_profile(two_projects: Path, tmp_path: Path) -> None:
    r = run("check", two_projects, "--json", "-o", tmp_path / "结果.xlsx")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["forms"] == ["项目支出绩效自评"] and data["unfilled_forms"] == []
    assert data["projects"] == [
        {"name": PROJECT_A, "total": 100.0, "grade": "优"},
        {"name": PROJECT_B, "total": 95.5, "grade": "优"},
    ]
    assert data["profile"]["id"] == "default" and data["profile"]["source"] == "workbook"
    assert data["profile"]["note"] is None
    assert "SUM-001" in data["not_run"]["other_forms"] and "SUM-001" not in data["not_run"]["missing_data"]


def test_report_and_export_of_a_project_workbook(two_projects: Path, tmp_path: Path) -> None:
    docx = tmp_path / "报告.docx"
    r = run("report", two_projects, "-o", docx)
    assert r.returncode == 0, r.stderr
    assert docx.is_file() and "Traceback" not in r.stderr
    r = run("export", two_projects, "-d", tmp_path / "报送")
    assert r.returncode == 0, r.stderr
    (folder,) = (tmp_path / "报送").iterdir()
    assert (folder / "manifest.json").is_file()
    assert {p.suffix for p in folder.iterdir()} >= {".xlsx", ".docx", ".json"}


def test_given_profile_is_used_and_said(two_projects: Path, tmp_path: Path) -> None:
    r = run("check", two_projects, "--profile", "产出60", "-o", tmp_path / "结果.xlsx")
    assert r.returncode == 0, r.stderr
    assert squash("本次按 --profile 指定的“产出指标60分口径”校验") in squash(r.stdout)
    assert "WT-012" in r.stdout  # 产出 50 where 产出60 wants 60


def test_unknown_profile_named_by_the_workbook(two_projects: Path, tmp_path: Path) -> None:
    path = tmp_path / "四川.xlsx"
    wb = load_workbook(two_projects)
    f = cat.field("info_profile")
    wb[f.sheet][f.cell] = "四川省项目支出口径"
    wb.save(path)
    r = run("check", path, "-o", tmp_path / "结果.xlsx")
    assert r.returncode == 0, r.stderr
    (said,) = [x for x in squash(r.stdout).split("。") if "四川省项目支出口径" in x]  # one sentence
    assert "不是本工具自带的口径" in said and "默认口径" in said and "--profile" in said


def test_new_chongqing_prints_yuan_and_its_columns(tmp_path: Path) -> None:
    out = tmp_path / "重庆.xlsx"
    r = run("new", out, "--profile", "重庆", "--unit", "某区科协", "--year", 2024)
    assert r.returncode == 0, r.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == [cat.SHEET_GUIDE, cat.SHEET_INFO, cat.SHEET_BASIC, cat.SHEET_UNIT]
    assert _info(out, "info_amount_unit") == "元" and _info(out, "info_profile") == "重庆市部门整体绩效自评"
    assert _info(out, "info_unit_name") == "某区科协" and _info(out, "info_year") == 2024
    basic, unit = _headers(wb[cat.SHEET_BASIC]), _headers(wb[cat.SHEET_UNIT])
    assert any("（元）" in h for h in basic | unit) and not any("万元" in h for h in basic | unit)
    assert {"得分系数", "核心指标"} <= unit
    assert "金额单位：元" in r.stdout


def test_new_without_options_is_the_committed_template(tmp_path: Path) -> None:
    out = tmp_path / "标准.xlsx"
    assert run("new", out).returncode == 0
    assert out.read_bytes() == (Path(cat.__file__).parents[1] / "workbook_template.xlsx").read_bytes()


def test_profiles_lists_the_shipped_ones() -> None:
    r = run("profiles", "--json")
    assert r.returncode == 0, r.stderr
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    assert set(rows) == {"default", "财政部2020项目", "重庆", "产出60"}
    assert rows["重庆"]["amount_unit"] == "元" and rows["重庆"]["forms"] == ["部门整体支出绩效自评"]
    assert rows["财政部2020项目"]["forms"] == ["项目支出绩效自评"]
    table = run("profiles")
    assert table.returncode == 0
    for row in rows.values():  # the names may wrap in a narrow terminal; the ids do not
        assert f" {row['id']} " in table.stdout


@pytest.mark.parametrize(
    ("args", "phrase", "code"),
    [
        (("--kind", "部门"), "--kind 可选：整体", 3),  # wrong usage
        (("--kind", "项目", "--profile", "重庆"), "只有部门整体支出绩效自评的表式", 3),
        (("--profile", "四川.toml"), "找不到评分口径文件", 2),  # a file that cannot be read
    ],
)
def test_bad_new_options_exit_in_chinese(
    tmp_path: Path, args: tuple[str, ...], phrase: str, code: int
) -> None:
    out = tmp_path / "x.xlsx"
    r = run("new", out, *args)
    assert r.returncode == code
    assert phrase in r.stderr and "Traceback" not in r.stderr + r.stdout
    assert not out.exists()


def test_a_full_workbook_with_only_projects_says_what_was_not_checked(tmp_path: Path) -> None:
    from perfeval.io.fill import fill_template

    path = fill_template(project_values(), project_tables(), tmp_path / "全部.xlsx")
    r = run("check", path, "-o", tmp_path / "结果.xlsx")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].endswith("年度项目支出绩效自评 — 校验结果")
    assert squash("本工作簿的部门整体支出绩效自评（“附件1”“附件2”表）未填写，未作校验。") in squash(r.stdout)
