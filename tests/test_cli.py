"""The `perfeval` command end to end, as a user runs it (a real subprocess, real files)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval import catalogue as cat
from tests.workbook_content import content

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"


def run(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfeval", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def squash(text: str) -> str:
    """Text without whitespace: the terminal output is wrapped (a space at a line break is dropped), so a
    phrase is looked for in the squashed output, squashed itself."""
    return "".join(text.split())


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def taojiang(tmp_path: Path) -> Path:
    target = tmp_path / "桃江 县科协" / "桃江县科协2023.xlsx"  # Chinese and a space in the folder name
    target.parent.mkdir()
    shutil.copyfile(TAOJIANG, target)
    return target


def test_new_copies_the_template_and_sets_unit_and_year(tmp_path: Path) -> None:
    out = tmp_path / "新建.xlsx"
    r = run("new", out, "--unit", "某县财政局", "--year", "2024")
    assert r.returncode == 0, r.stderr
    wb = load_workbook(out)
    assert wb["基本信息"][cat.field("info_unit_name").cell].value == "某县财政局"
    assert wb["基本信息"][cat.field("info_year").cell].value == 2024
    again = run("new", out)
    assert again.returncode == 2 and "已存在" in again.stderr


@pytest.mark.parametrize("year", ["24", "20240", "二〇二四"])
def test_new_refuses_a_year_that_is_not_four_digits(tmp_path: Path, year: str) -> None:
    out = tmp_path / "新建.xlsx"
    r = run("new", out, "--year", year)
    assert r.returncode == 3 and "Traceback" not in r.stderr  # wrong usage, not an unreadable file
    assert "--year" in r.stderr and "--year 2024" in r.stderr and f"收到 {year}" in r.stderr
    assert not out.exists()


def test_check_writes_a_new_file_and_never_touches_the_input(taojiang: Path) -> None:
    before = digest(taojiang)
    r = run("check", taojiang)
    assert digest(taojiang) == before
    out = taojiang.with_name("桃江县科协2023.校验结果.xlsx")
    assert out.exists()
    assert "总分" in r.stdout and "错误" in r.stdout
    assert r.returncode in (0, 1)
    wb = load_workbook(out)
    for name in (cat.SHEET_FINDINGS, cat.SHEET_SCORES, cat.SHEET_RULES):
        assert name in wb.sheetnames
    rate = cat.field("ua_execution_rate_calc")
    assert wb[rate.sheet][rate.cell].value == pytest.approx(1.0)  # 266.32 / 266.32


def test_check_refuses_to_write_over_its_input(taojiang: Path) -> None:
    before = digest(taojiang)
    r = run("check", taojiang, "-o", taojiang)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert digest(taojiang) == before


def test_check_is_idempotent_on_its_own_output(taojiang: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "一.xlsx", tmp_path / "二.xlsx"
    r1 = run("check", taojiang, "-o", first)
    r2 = run("check", first, "-o", second)
    assert r1.returncode == r2.returncode
    assert content(first) == content(second)


def test_json_output_is_machine_readable(taojiang: Path, tmp_path: Path) -> None:
    r = run("check", taojiang, "--json", "-o", tmp_path / "out.xlsx")
    data = json.loads(r.stdout)
    assert data["computed"]["ua_execution_rate_calc"] == pytest.approx(1.0)
    assert data["total_score"] == pytest.approx(110.0)  # 10 + 50 + 40 + 10, every row typed as full marks
    assert len(data["indicators"]) == 11
    assert all({"rule", "severity", "cells", "message"} <= set(f) for f in data["findings"])


@pytest.mark.parametrize(
    ("name", "payload", "phrase"),
    [
        ("坏.xlsx", b"PK\x03\x04 this is not really a zip", "损坏"),
        ("文本.xlsx", "单位名称,年度\n桃江,2023\n".encode(), "不是"),
        ("空.xlsx", b"", "空"),
    ],
)
def test_unreadable_files_exit_2_with_a_chinese_reason(
    tmp_path: Path, name: str, payload: bytes, phrase: str
) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    r = run("check", path)
    assert r.returncode == 2
    assert phrase in r.stderr and name in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert path.read_bytes() == payload
    assert not list(tmp_path.glob("*校验结果*"))


def test_a_workbook_not_made_from_the_template_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "别的表.xlsx"
    wb = Workbook()
    wb.active["A1"] = "随便什么"
    wb.save(path)
    r = run("check", path)
    assert r.returncode == 2 and "模板" in r.stderr


def test_missing_file_and_bad_profile(tmp_path: Path, taojiang: Path) -> None:
    r = run("check", tmp_path / "没有这个文件.xlsx")
    assert r.returncode == 2 and "没有这个文件.xlsx" in r.stderr
    bad = tmp_path / "口径.toml"
    bad.write_text("[weights]\nexecution = 10\n", encoding="utf-8")
    r = run("check", taojiang, "--profile", bad)
    assert r.returncode == 2 and "评分口径" in r.stderr


def test_fields_and_rules_listings() -> None:
    r = run("fields", "--json")
    rows = json.loads(r.stdout)
    by_name = {row["name"]: row for row in rows}
    assert by_name["bd_authorized_staff"]["label"] == "编制数"
    assert by_name["bd_authorized_staff"]["sheet"] == "附件1"
    assert "tbl_indicators[target]" in by_name
    r = run("rules", "--json")
    rules = json.loads(r.stdout)
    assert len(rules) >= 45
    assert len({x["规则编号"] for x in rules}) == len(rules)


def test_report_writes_word_and_pdf_beside_the_input(taojiang: Path) -> None:
    from docx import Document

    before = digest(taojiang)
    r = run("report", taojiang, "--pdf")
    assert r.returncode == 0, r.stderr
    docx = taojiang.with_name("桃江县科协2023.自评报告.docx")
    pdf = taojiang.with_name("桃江县科协2023.自评报告.pdf")
    assert docx.is_file() and pdf.read_bytes().startswith(b"%PDF")
    assert digest(taojiang) == before  # the workbook is only read
    texts = [p.text for p in Document(str(docx)).paragraphs]
    assert "2023年度部门整体支出绩效自评报告" in texts and "一、部门概况" in texts
    assert "已生成" in r.stdout and "仍有 4 个错误" in r.stdout
    # A second run does not overwrite silently.
    again = run("report", taojiang)
    assert again.returncode == 2 and "文件已存在" in again.stderr and "--force" in again.stderr
    assert run("report", taojiang, "--force").returncode == 0


def test_report_refuses_a_wrong_output_name_and_a_foreign_workbook(tmp_path: Path, taojiang: Path) -> None:
    r = run("report", taojiang, "-o", tmp_path / "报告.pdf")
    assert r.returncode == 2 and ".docx" in r.stderr and "Traceback" not in r.stderr
    from openpyxl import Workbook

    other = tmp_path / "别的.xlsx"
    Workbook().save(other)
    r = run("report", other)
    assert r.returncode == 2 and "不是由绩效自评模板创建" in r.stderr
    assert not (tmp_path / "别的.自评报告.docx").exists()


def test_report_without_libreoffice_keeps_the_docx_and_says_so(taojiang: Path) -> None:
    import os

    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # python, but no soffice
    r = subprocess.run(
        [sys.executable, "-m", "perfeval", "report", str(taojiang), "--pdf"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "已生成" in r.stderr and "未找到 LibreOffice" in r.stderr and "另存为 PDF" in r.stderr
    assert taojiang.with_name("桃江县科协2023.自评报告.docx").is_file()
    assert not taojiang.with_name("桃江县科协2023.自评报告.pdf").exists()
