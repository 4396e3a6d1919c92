"""What goes wrong around the check rather than in the data: absurd numbers, outputs that cannot be
written, names too long, read-only folders, files open in Excel, file modes, and a re-run that must
not destroy the 审核说明 the user typed into the last result."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.core.decimals import round_half_up
from perfeval.core.parse import Status, parse_number, parse_rate, parse_target
from perfeval.core.plan import build_plan
from perfeval.export.package import MAX_UNIT_CHARS, ExportError, export_package, package_name
from perfeval.io import safety
from perfeval.io.fill import fill_template
from perfeval.io.previous import is_result_workbook, previous_explanations
from perfeval.io.safety import (
    OutputPathError,
    check_output_location,
    describe_write_error,
    keep_previous_result,
    name_length,
    open_in_office_notice,
    write_atomically,
)
from perfeval.narrative.render import render_report
from perfeval.report.official import official_tables
from perfeval.service import check_output_path
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check, findings_of

ROOT = Path(__file__).resolve().parents[1]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LONG_UNIT = "湖南省益阳市桃江县" * 8 + "科学技术协会"  # 78 characters, over 230 bytes in UTF-8
# Root writes into read-only folders: as root, the command runs as an unprivileged user instead.
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def run(
    *args: str | Path, cwd: Path | None = None, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "perfeval", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        umask=0o022,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def clean_book(path: Path, **changes: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = {"tbl_indicators": CLEAN_INDICATORS, "tbl_project_items": CLEAN_ITEMS}
    return fill_template({**CLEAN_VALUES, **changes}, tables, path)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def assert_refused(r: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr + r.stdout and "程序内部错误" not in r.stderr
    for phrase in phrases:
        assert phrase in r.stderr, r.stderr


# --------------------------------------------------------------------------------------------------
# 1. numbers far beyond any budget


def test_rounding_never_fails_on_huge_or_tiny_numbers() -> None:
    assert round_half_up(Decimal("158.425")) == Decimal("158.43")
    assert round_half_up(Decimal("1E+26")) == Decimal("1E+26")  # quantize would raise InvalidOperation
    assert str(round_half_up(Decimal("1E+30"), 4)).endswith(".0000")
    assert round_half_up(Decimal("-1E-400"), 2) == 0
    assert round_half_up(Decimal("2.5"), 0) == 3


@pytest.mark.parametrize("raw", [1e26, -1e26, 10**30, "2000000000000000万元", 1e300])
def test_amounts_beyond_the_bound_are_unreadable_with_a_reason(raw: object) -> None:
    q = parse_number(raw, unit="万元")
    assert q.status is Status.TEXT and "金额过大" in q.note and "万元" in q.note
    assert parse_number(999_999_999_999.99, unit="万元").ok  # a trillion 万元 still reads
    assert parse_number("1000000000000元", unit="万元").value == Decimal(100_000_000)  # converted first


def test_rates_and_targets_beyond_the_bound_are_unreadable() -> None:
    assert "比率过大" in parse_rate(1e20).note
    assert parse_target(1e20).status is Status.TEXT
    assert parse_rate("95%").value == Decimal("0.95")


@pytest.mark.parametrize(
    "changes",
    [
        {"bd_public_current_actual": 1e26},
        {"ua_adjusted_budget": 1e26, "ua_spent": 1e26},
        {"bd_public_current_budget": 1e-300},  # control rate ~1E+301
        {"bd_tpc_prior_actual": 5e-324, "bd_tpc_current_actual": 999_999_999_999_999.0},
        {"ua_initial_budget": 1e-20},
    ],
)
def test_absurd_numbers_give_findings_and_render(changes: dict[str, object]) -> None:
    result = check({**CLEAN_VALUES, **changes}, indicators=CLEAN_INDICATORS, items=CLEAN_ITEMS)
    build_plan(result)
    text = "\n".join(p.text for p in render_report(result).paragraphs)
    official_tables(result)
    assert text
    for name, value in changes.items():
        if abs(value) >= 1e15:
            hits = [f for f in findings_of(result, "PARSE-001") if f.cells == (result.model.ref(name),)]
            assert hits and "金额过大" in hits[0].message


def test_json_never_carries_infinity() -> None:
    from perfeval.cli import _json_default

    assert _json_default(Decimal("1E+400")) == "1E+400"
    assert _json_default(Decimal("0.95")) == 0.95


def test_huge_amount_in_a_workbook_is_a_finding_on_its_cell(tmp_path: Path) -> None:
    book = clean_book(tmp_path / "大数.xlsx", bd_public_current_actual=1e26, ua_spent=1e27)
    r = run("check", book, "-o", tmp_path / "结果.xlsx", "--json")
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr and "程序内部错误" not in r.stderr
    assert "金额过大" in r.stdout and str(cat.field("bd_public_current_actual").cell) in r.stdout
    r = run("report", book, "-o", tmp_path / "报告.docx")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "报告.docx").stat().st_size > 0


# --------------------------------------------------------------------------------------------------
# 2. -o that cannot be written


def test_check_output_path_refuses_what_cannot_hold_a_result(tmp_path: Path) -> None:
    src = tmp_path / "自评.xlsx"
    src.write_bytes(b"")
    (tmp_path / "文件夹").mkdir()
    (tmp_path / "一个文件").write_text("x")
    cases = {
        tmp_path / "文件夹": "是一个已有的文件夹",
        tmp_path / "一个文件" / "结果.xlsx": "是一个文件，不是文件夹",
        tmp_path / ("名" * 85 + ".xlsx"): "过长",
        tmp_path / "结果.docx": "应以 .xlsx 结尾",
    }
    for out, phrase in cases.items():
        with pytest.raises(OutputPathError, match=phrase):
            check_output_path(src, out)
    assert listing(tmp_path) == ["一个文件", "文件夹", "自评.xlsx"]
    assert check_output_path(src, None) == tmp_path / "自评.校验结果.xlsx"
    assert check_output_path(tmp_path / "宏.xlsm", None).suffix == ".xlsm"


def test_windows_names_are_checked_on_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "_WINDOWS", True)
    for name, phrase in (("结果:1.xlsx", "Windows 不允许的字符 :"), ("CON.xlsx", "保留的名称")):
        with pytest.raises(OutputPathError, match=phrase):
            check_output_location(tmp_path / name)


@pytest.mark.parametrize(
    ("target", "phrase"),
    [("folder", "是一个已有的文件夹"), ("under_file", "不是文件夹"), ("long", "过长")],
)
def test_check_and_report_refuse_an_impossible_output(tmp_path: Path, target: str, phrase: str) -> None:
    book = clean_book(tmp_path / "in" / "自评.xlsx")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "文件").write_text("x")
    paths = {
        "folder": (tmp_path / "out", tmp_path / "out"),
        "under_file": (tmp_path / "out" / "文件" / "结果.xlsx", tmp_path / "out" / "文件" / "报告.docx"),
        "long": (tmp_path / "out" / ("结" * 85 + ".xlsx"), tmp_path / "out" / ("报" * 85 + ".docx")),
    }
    for command, out in zip(("check", "report"), paths[target], strict=True):
        r = run(command, book, "-o", out)
        assert_refused(r, phrase)
    assert listing(tmp_path / "out") == ["文件"]
    assert listing(tmp_path / "in") == ["自评.xlsx"]


# --------------------------------------------------------------------------------------------------
# 3. the export folder name


def _forced_export(result, out_dir: Path):
    def fake_pdf(book: Path, folder: Path) -> Path:
        pdf = folder / f"{book.stem}.pdf"
        pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
        return pdf

    return export_package(result, out_dir, force=True, reason="测试", pdf_maker=fake_pdf)


def test_a_very_long_unit_name_is_shortened_readably(tmp_path: Path) -> None:
    result = check(
        {**CLEAN_VALUES, "info_unit_name": LONG_UNIT}, indicators=CLEAN_INDICATORS, items=CLEAN_ITEMS
    )
    name = package_name(result)
    assert name.startswith(LONG_UNIT[:MAX_UNIT_CHARS]) and name.endswith("…2023年度部门整体支出绩效自评")
    assert name_length(name + "(99).docx") <= 255
    assert package_name(result, limit=143).startswith("湖南省")  # eCryptfs and friends: shorter still
    assert name_length(package_name(result, limit=143)) <= 143 - 9
    res = _forced_export(result, tmp_path / "报送")
    assert res.folder.name == name
    assert sorted(p.name for p in res.folder.iterdir()) == sorted(
        [f"{name}.xlsx", f"{name}.docx", f"{name}.pdf", "manifest.json"]
    )
    short = check(CLEAN_VALUES, indicators=CLEAN_INDICATORS, items=CLEAN_ITEMS)
    assert package_name(short) == "示例县科学技术协会2023年度部门整体支出绩效自评"  # unchanged


# --------------------------------------------------------------------------------------------------
# 4. read-only folders and files open in Excel/WPS


def test_a_permission_error_on_an_existing_file_is_excel_holding_it(tmp_path: Path) -> None:
    out = tmp_path / "自评.校验结果.xlsx"
    out.write_bytes(b"x")
    e = PermissionError(errno.EACCES, "Permission denied", str(out))
    message = describe_write_error(e, out)
    assert "正在 Excel 或 WPS 中打开" in message and "关闭" in message and "-o" in message
    docx = tmp_path / "报告.docx"
    docx.write_bytes(b"x")
    assert "Word 或 WPS" in describe_write_error(PermissionError(errno.EACCES, "x"), docx, what="报告文件")


def test_a_permission_error_in_a_read_only_folder_blames_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "新结果.xlsx"  # does not exist: nothing can hold it open
    monkeypatch.setattr(safety, "_writable", lambda folder: False)
    message = describe_write_error(PermissionError(errno.EACCES, "Permission denied"), out)
    assert "只读" in message and str(tmp_path) in message and "Excel" not in message
    with pytest.raises(OutputPathError, match="只读"):
        check_output_location(out)
    # The lock file Excel keeps beside an open workbook settles it even so.
    (tmp_path / "~$新结果.xlsx").write_bytes(b"")
    assert "正在 Excel 或 WPS 中打开" in describe_write_error(PermissionError(errno.EACCES, "x"), out)


def test_export_into_a_read_only_folder_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(CLEAN_VALUES, indicators=CLEAN_INDICATORS, items=CLEAN_ITEMS)
    folder = tmp_path / "只读"
    folder.mkdir()
    monkeypatch.setattr(safety, "_writable", lambda f: Path(f) != folder)
    with pytest.raises(ExportError, match="只读") as info:
        _forced_export(result, folder)
    assert "-o" in str(info.value) and "Excel" not in str(info.value)
    assert listing(folder) == []


def test_read_only_folder_end_to_end() -> None:
    # Under /tmp with open modes on the way down, so that the unprivileged user can read the book.
    top = Path(tempfile.mkdtemp(prefix="perfeval-ro-", dir="/tmp"))
    os.chmod(top, 0o755)
    book = clean_book(top / "只读" / "自评.xlsx")
    os.chmod(book, 0o644)
    os.chmod(book.parent, 0o555)
    prefix = tuple(AS_NOBODY) if IS_ROOT else ()
    try:
        for args in (("check", book), ("report", book), ("export", book, "--force", "--reason", "测试")):
            r = run(*args, prefix=prefix)
            assert_refused(r, "只读")
            assert "Excel 中打开" not in r.stderr
        assert listing(book.parent) == ["自评.xlsx"]
    finally:
        os.chmod(book.parent, 0o755)
        shutil.rmtree(top)


# --------------------------------------------------------------------------------------------------
# 5. file modes


def test_written_files_get_the_users_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = write_atomically(tmp_path / "新.xlsx", lambda p: p.write_bytes(b"x"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        os.chmod(path, 0o640)  # replacing a file keeps its mode
        write_atomically(path, lambda p: p.write_bytes(b"y"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        os.umask(0o077)
        assert (
            stat.S_IMODE(write_atomically(tmp_path / "私.docx", lambda p: p.write_bytes(b"x")).stat().st_mode)
            == 0o600
        )
    finally:
        os.umask(old)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_check_report_and_export_outputs_are_0644_under_umask_022(tmp_path: Path) -> None:
    book = clean_book(tmp_path / "自评.xlsx")
    assert run("check", book).returncode == 0
    assert run("report", book).returncode == 0
    r = run("export", book, "-d", tmp_path / "报送")
    if r.returncode == 0:  # needs LibreOffice for the PDF
        package = next((tmp_path / "报送").iterdir())
        assert stat.S_IMODE(package.stat().st_mode) == 0o755
        for f in package.iterdir():
            assert stat.S_IMODE(f.stat().st_mode) == 0o644, f
    for name in ("自评.校验结果.xlsx", "自评.自评报告.docx"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644


# --------------------------------------------------------------------------------------------------
# 6. the input open in Excel/WPS


def test_lock_file_beside_the_input_gives_a_notice(tmp_path: Path) -> None:
    book = clean_book(tmp_path / "桃江县科协2023.xlsx")
    assert open_in_office_notice(book) is None
    (tmp_path / "~$桃江县科协2023.xlsx").write_bytes(b"\x0c" + "张会计".encode("utf-16-le"))
    notice = open_in_office_notice(book)
    assert notice and "Excel 或 WPS" in notice and "尚未保存的修改不包括在内" in notice
    for args in (("check", book), ("report", book, "--force")):
        r = run(*args)
        assert r.returncode == 0, r.stderr
        assert "正在 Excel 或 WPS 中打开" in r.stderr and "~$桃江县科协2023.xlsx" in r.stderr
    r = run("export", book, "-d", tmp_path / "报送", "--force", "--reason", "测试")
    assert "正在 Excel 或 WPS 中打开" in r.stderr


# --------------------------------------------------------------------------------------------------
# 7. the previous result and its 审核说明


def _explain(result: Path, text: str) -> str:
    """Type 审核说明 on the first finding of a result workbook, as a user does; returns its fingerprint."""
    from perfeval.core.plan import EXPLANATION_COL, FINGERPRINT_COL

    wb = load_workbook(result)
    ws = wb[cat.SHEET_FINDINGS]
    ws.cell(3, EXPLANATION_COL + 1).value = text
    fingerprint = str(ws.cell(3, FINGERPRINT_COL + 1).value)
    wb.save(result)
    return fingerprint


def test_keep_previous_result_moves_aside_and_back_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "自评.校验结果.xlsx"
    with keep_previous_result(out) as kept:
        assert kept is None
        out.write_bytes(b"first")
    with keep_previous_result(out) as kept:
        assert kept == tmp_path / "自评.校验结果.旧1.xlsx" and kept.read_bytes() == b"first"
        assert not out.exists()
        out.write_bytes(b"second")
    with pytest.raises(RuntimeError), keep_previous_result(out) as kept:
        assert kept == tmp_path / "自评.校验结果.旧2.xlsx"
        raise RuntimeError("the write failed")
    assert out.read_bytes() == b"second"  # put back: a failed run changes nothing
    assert listing(tmp_path) == ["自评.校验结果.xlsx", "自评.校验结果.旧1.xlsx"]


def _result_like(path: Path, rows: list[tuple[str, str]], sheet: str = cat.SHEET_FINDINGS) -> Path:
    """A workbook with a findings sheet as the tool writes it: title row, header row, one row per finding."""
    from openpyxl import Workbook

    from perfeval.core.plan import EXPLANATION_COL, FINDINGS_HEADER, FINGERPRINT_COL

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["校验结果"])
    ws.append(list(FINDINGS_HEADER))
    for i, (fingerprint, note) in enumerate(rows, start=1):
        row: list[object] = [i, *[""] * (len(FINDINGS_HEADER) - 1)]
        row[FINGERPRINT_COL], row[EXPLANATION_COL] = fingerprint, note
        ws.append(row)
    wb.save(path)
    return path


def test_previous_explanations_and_result_recognition(tmp_path: Path) -> None:
    rows = [
        ("SUM-001@附件1!D7", " 含上级转拨的接待费 "),
        ("WT-003@附件2!F20", ""),
        ("'TXT-001@基本信息!B5", "已核实"),
    ]
    result = _result_like(tmp_path / "结果.xlsx", rows, sheet="校验结果(2)")
    assert previous_explanations(result) == {
        "SUM-001@附件1!D7": "含上级转拨的接待费",
        "TXT-001@基本信息!B5": "已核实",
    }
    assert is_result_workbook(result)
    book = clean_book(tmp_path / "自评.xlsx")
    assert not is_result_workbook(book) and previous_explanations(book) == {}
    (tmp_path / "笔记.xlsx").write_text("not a workbook")
    assert (
        not is_result_workbook(tmp_path / "笔记.xlsx") and previous_explanations(tmp_path / "笔记.xlsx") == {}
    )
    assert not is_result_workbook(tmp_path / "没有.xlsx")


def test_o_naming_a_file_that_is_not_a_result_is_refused(tmp_path: Path) -> None:
    book = clean_book(tmp_path / "自评2024.xlsx")
    other = clean_book(tmp_path / "自评2023.xlsx")
    before = other.read_bytes()
    with pytest.raises(OutputPathError, match="不是本工具生成的校验结果"):
        check_output_path(book, other)
    assert other.read_bytes() == before


def test_check_o_naming_a_file_that_is_not_a_result_is_refused(tmp_path: Path) -> None:
    book = clean_book(tmp_path / "自评2024.xlsx")
    other = clean_book(tmp_path / "自评2023.xlsx")
    before = other.read_bytes()
    r = run("check", book, "-o", other)
    assert_refused(r, "不是本工具生成的校验结果", "另选一个文件名")
    assert other.read_bytes() == before
    assert listing(tmp_path) == ["自评2023.xlsx", "自评2024.xlsx"]


def test_rerun_replaces_a_result_nobody_touched(tmp_path: Path) -> None:
    book = clean_book(tmp_path / "自评.xlsx", bd_tpc_current_actual=9.99)
    assert run("check", book).returncode == 1
    first = (tmp_path / "自评.校验结果.xlsx").read_bytes()
    r = run("check", book)
    assert r.returncode == 1 and "保留为" not in r.stdout
    assert listing(tmp_path) == ["自评.xlsx", "自评.校验结果.xlsx"]  # nothing to keep: it was all ours
    assert (tmp_path / "自评.校验结果.xlsx").read_bytes() == first  # and the same input writes the same bytes


def test_rerun_keeps_the_edited_result_and_carries_its_explanations(tmp_path: Path) -> None:
    book = clean_book(tmp_path / "自评.xlsx", bd_tpc_current_actual=9.99)  # SUM-001
    result = tmp_path / "自评.校验结果.xlsx"
    assert run("check", book).returncode == 1
    fingerprint = _explain(result, "含上级转拨的接待费")
    edited = result.read_bytes()
    r = run("check", book)
    assert r.returncode == 1, r.stderr
    kept = tmp_path / "自评.校验结果.旧1.xlsx"
    assert kept.read_bytes() == edited
    assert "上次的结果（已有改动）已保留为" in r.stdout and kept.name in r.stdout
    assert "1 条审核说明已带入新结果" in r.stdout
    assert previous_explanations(result) == {fingerprint: "含上级转拨的接待费"}
    # -o naming an earlier result: kept the same way.
    r = run("check", book, "-o", kept)
    assert r.returncode == 1 and (tmp_path / "自评.校验结果.旧1.旧1.xlsx").read_bytes() == edited


def test_a_name_pointing_at_an_unquoted_odd_sheet_is_a_missing_name(tmp_path: Path) -> None:
    """ "A-B!$A$1" (a sheet name Excel would have quoted) is not read by openpyxl's tokenizer: the name
    counts as missing (its field is reported as such), not a crash."""
    path = tmp_path / "怪名称.xlsx"
    shutil.copyfile(ROOT / "examples" / "桃江县科协2023.xlsx", path)
    wb = load_workbook(path)
    wb.defined_names["info_unit_name"].attr_text = "A-B!$A$1"
    wb.save(path)
    res = run("check", path, "-o", tmp_path / "结果.xlsx", "--json")
    assert res.returncode in (0, 1), res.stderr
    assert "程序内部错误" not in res.stderr and "Traceback" not in res.stderr
    findings = json.loads(res.stdout)["findings"]
    assert any(f["rule"] == "CMP-001" and "info_unit_name" in f["message"] for f in findings)
