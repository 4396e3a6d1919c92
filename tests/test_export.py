"""The submission package: refused while errors remain, forced only with a reason, every file present."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval import __version__
from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.profile import default_profile
from perfeval.excel import ribbon
from perfeval.export.package import (
    MANIFEST,
    ExportError,
    ExportRefused,
    PdfUnavailable,
    export_package,
    free_folder,
    package_name,
)
from perfeval.io.fill import fill_template
from perfeval.report.errors import ReportError
from perfeval.report.pdf import _INSTALL_PATHS
from perfeval.service import check_file, export_file
from tests.pdf_pages import gray_pages, ink, page_count, poppler, read_pgm
from tests.remote_client import actions, remote_book
from tests.workbooks import taojiang_fixed

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
TAOJIANG_DATA = ROOT / "examples" / "data" / "taojiang2023.json"
NAME = "桃江县科学技术协会2023年度部门整体支出绩效自评"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    source = taojiang_fixed(folder / "填报")
    before = sha(source)
    res = export_file(source, default_profile(), folder / "报送")
    return source, before, res


def test_fixed_copy_has_no_errors(exported) -> None:
    _, _, res = exported
    assert res.result.count(Severity.ERROR) == 0 and res.forced_reason is None


def test_every_file_is_in_a_folder_named_by_convention(exported) -> None:
    source, before, res = exported
    assert res.folder.name == NAME
    names = sorted(p.name for p in res.folder.iterdir())
    assert names == sorted([f"{NAME}.xlsx", f"{NAME}.docx", f"{NAME}.pdf", MANIFEST])
    assert sha(source) == before  # the input workbook is never modified
    assert not [p for p in res.folder.parent.iterdir() if p.name.startswith("perfeval-export-")]  # no scratch


def test_manifest_hashes_match_and_it_says_what_was_checked(exported) -> None:
    source, _, res = exported
    manifest = json.loads((res.folder / MANIFEST).read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        path = res.folder / entry["name"]
        assert entry["sha256"] == sha(path) and entry["bytes"] == path.stat().st_size
    assert {e["name"] for e in manifest["files"]} == {f"{NAME}.xlsx", f"{NAME}.docx", f"{NAME}.pdf"}
    assert manifest["source"] == {"name": source.name, "sha256": sha(source)}
    assert manifest["template_version"] == cat.TEMPLATE_VERSION
    assert manifest["ruleset"]["version"] == f"perfeval {__version__}" and manifest["ruleset"]["rules"] > 80
    assert manifest["check"]["errors"] == 0 and manifest["check"]["total_score"] == 100.0
    # 桃江 corrected keeps 11 警告, each a true one: CMP-006 等级未填, PL-013 项目支出 330.58 %, RATE-010 三公
    # +25 %, RATE-011 公用 113.66 %, SCORE-005 有所提高 with full marks, TXT-007 "未进行调整", TXT-008 ×2
    # ("严格按照年初预算", "控制较好" over those lines), TXT-009 ×2 (示范户 10/14, 专家工作站 5/3), WT-008
    # 机关效能建设 under 生态效益.
    assert manifest["check"]["summary"].startswith("0 个错误、11 个警告")
    assert manifest["forced"] is None
    assert datetime.fromisoformat(manifest["created"]).tzinfo is not None


def test_clean_workbook_has_no_tool_marks_and_no_macros(exported) -> None:
    _, _, res = exported
    path = res.folder / f"{NAME}.xlsx"
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if "vbaProject" in n or "comments" in n]
    wb = load_workbook(path)
    assert wb.sheetnames[:4] == ["报送说明", "自评报告", "附件1", "附件2"]
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        for row in ws.iter_rows():
            for cell in row:
                fill = cell.fill
                assert fill.fill_type in (None, "none") or fill.fgColor.rgb in ("FFFFFFFF", "00FFFFFF"), cell
                assert cell.comment is None
                assert cell.data_type != "f", cell  # values, never formulas


def test_cover_lists_the_warnings_without_an_explanation(exported) -> None:
    _, _, res = exported
    ws = load_workbook(res.folder / f"{NAME}.xlsx")["报送说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "未写审核说明的警告（11 条）" in text
    for f in res.unexplained_warnings:
        assert f.rule_id in text
    assert "0 个错误、11 个警告" in text


def test_an_explained_warning_leaves_the_cover(tmp_path: Path) -> None:
    checked = check_file(taojiang_fixed(tmp_path), default_profile(), tmp_path / "已校验.xlsx").output
    wb = load_workbook(checked)
    ws = wb["校验结果"]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 3).value == "RATE-011")
    ws.cell(row, 10, "公用经费超支系县委临时交办任务，已报财政局备案")
    wb.save(checked)
    res = export_file(checked, default_profile(), tmp_path / "报送")
    assert "RATE-011" not in {f.rule_id for f in res.unexplained_warnings}
    assert len(res.unexplained_warnings) == 10
    manifest = json.loads((res.folder / MANIFEST).read_text(encoding="utf-8"))
    assert not [fp for fp in manifest["check"]["unexplained_warnings"] if fp.startswith("RATE-011")]


def test_refused_while_errors_remain(tmp_path: Path) -> None:
    with pytest.raises(ExportRefused) as e:
        export_file(TAOJIANG, default_profile(), tmp_path)
    assert len(e.value.errors) == 4
    message = str(e.value)
    assert message.startswith("仍有 4 个错误，未导出报送文件")
    for rule_id in ("SUM-007", "TXT-001", "WT-003", "WT-005"):
        assert rule_id in message
    assert "--force" in message and "--reason" in message
    assert list(tmp_path.iterdir()) == []


def test_force_needs_a_reason_and_records_it(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="--reason"):
        export_file(TAOJIANG, default_profile(), tmp_path, force=True, reason="  ")
    reason = "财政局要求 4 月 20 日前先行报送，分值问题已电话说明"
    res = export_file(TAOJIANG, default_profile(), tmp_path, force=True, reason=reason)
    manifest = json.loads((res.folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["forced"]["reason"] == reason
    assert sorted(fp.split("@")[0] for fp in manifest["forced"]["errors"]) == [
        "SUM-007",
        "TXT-001",
        "WT-003",
        "WT-005",
    ]
    cover = load_workbook(res.folder / f"{NAME}.xlsx")["报送说明"]
    text = "\n".join(str(c.value) for row in cover.iter_rows() for c in row if c.value)
    assert reason in text and "强制导出原因" in text and "TXT-001" in text


def test_a_second_export_never_overwrites_the_first(exported) -> None:
    source, _, first = exported
    before = {p.name: sha(p) for p in first.folder.iterdir()}
    second = export_file(source, default_profile(), first.folder.parent)
    assert second.folder.name == f"{NAME}(2)"
    assert {p.name: sha(p) for p in first.folder.iterdir()} == before
    assert free_folder(first.folder.parent, NAME).name == f"{NAME}(3)"


def test_package_name_is_a_valid_file_name(tmp_path: Path) -> None:
    doc = json.loads(TAOJIANG_DATA.read_text(encoding="utf-8"))
    values = dict(doc["values"], info_unit_name="桃江县/科协:办公室*")
    path = fill_template(values, doc["tables"], tmp_path / "x.xlsx")
    result = check_file(path, default_profile(), write=False).result
    assert package_name(result) == "桃江县科协办公室2023年度部门整体支出绩效自评"


def test_pdf_is_the_report_plus_the_attachments(exported, tmp_path: Path) -> None:
    _, _, res = exported
    pdf = res.folder / f"{NAME}.pdf"
    images = gray_pages(pdf, tmp_path, dpi=30)
    assert len(images) == page_count(pdf)
    for image in images:
        width, height, pixels = read_pgm(image)
        assert ink(width, pixels, range(height), range(width)) > 10, f"{image.name} is blank"  # a line is ~20
    # The PDF is now the Word file's layout (issue 13), which spaces digits from Chinese text (w:autoSpaceDN):
    # pdftotext reads that space as a blank ("2023 年度").
    text = poppler("pdftotext", str(pdf), "-").replace(" ", "")
    assert text.index("2023年度部门整体支出绩效自评报告") < text.index("附件1") < text.index("附件2")
    assert "报送说明" not in text  # the cover stays in the workbook; the PDF is what gets printed


def test_cli_export_refuses_then_exports(tmp_path: Path) -> None:
    def run(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "perfeval", "export", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=300,
        )

    refused = run(TAOJIANG, "-d", tmp_path)
    assert refused.returncode == 1 and "仍有 4 个错误" in refused.stderr and "Traceback" not in refused.stderr
    no_reason = run(TAOJIANG, "-d", tmp_path, "--force")
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    source = taojiang_fixed(tmp_path / "填报")
    ok = run(source, "-d", tmp_path / "报送")
    assert ok.returncode == 0, ok.stderr
    assert "已导出" in ok.stdout and f"{NAME}.pdf" in ok.stdout and "11 条警告没有写审核说明" in ok.stdout


def test_ribbon_export_writes_the_same_package(monkeypatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    book = remote_book(taojiang_fixed(tmp_path / "填报"))
    outcome = ribbon.run_action(book, "perfeval_export")
    acts = actions(book)
    assert [a["func"] for a in acts] == ["alert"] and not outcome.critical, outcome.message
    folder = home / "Documents" / NAME  # an unsaved (remote) book: the package goes to Documents
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{NAME}.xlsx", f"{NAME}.docx", f"{NAME}.pdf", MANIFEST]
    )
    assert str(folder) in outcome.message


# --------------------------------------------------------------------------------------------------
# Without LibreOffice (WPS users, most Windows PCs): the package without its PDF, unless it is required


@pytest.fixture(scope="module")
def fixed_result(tmp_path_factory):
    return check_file(taojiang_fixed(tmp_path_factory.mktemp("fixed")), default_profile(), write=False).result


def no_libreoffice(book: Path, folder: Path) -> Path:
    raise PdfUnavailable(
        "本机未找到 LibreOffice（soffice）"
    )  # what libreoffice_pdf says when soffice is absent


def test_without_libreoffice_the_package_has_no_pdf_and_says_why(fixed_result, tmp_path: Path) -> None:
    res = export_package(fixed_result, tmp_path, pdf_maker=no_libreoffice)
    assert sorted(p.name for p in res.folder.iterdir()) == sorted([f"{NAME}.xlsx", f"{NAME}.docx", MANIFEST])
    assert [f.name for f in res.files] == [f"{NAME}.xlsx", f"{NAME}.docx", MANIFEST]
    manifest = json.loads((res.folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["pdf"] is None
    assert manifest["pdf_missing"]["reason"] == "本机未找到 LibreOffice（soffice）"
    assert (
        f"{NAME}.docx" in manifest["pdf_missing"]["advice"]
        and "另存为 PDF" in manifest["pdf_missing"]["advice"]
    )
    assert [e["name"] for e in manifest["files"]] == [f"{NAME}.xlsx", f"{NAME}.docx"]
    notice = res.pdf_notice()
    assert notice is not None and notice.startswith("未生成 PDF：本机未找到 LibreOffice")
    assert "WPS 或 Word" in notice and "安装 LibreOffice" in notice


def test_a_required_pdf_without_libreoffice_writes_nothing(fixed_result, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="--pdf required") as e:
        export_package(fixed_result, tmp_path / "报送", pdf_maker=no_libreoffice, require_pdf=True)
    assert "未生成任何文件" in str(e.value)
    assert list(tmp_path.iterdir()) == []  # not even the -d folder it made


def test_a_pdf_maker_that_fails_still_fails_the_export(fixed_result, tmp_path: Path) -> None:
    def broken(book: Path, folder: Path) -> Path:
        raise ReportError("LibreOffice 转换超时")

    with pytest.raises(ExportError, match="导出未完成，未生成任何文件：LibreOffice 转换超时"):
        export_package(fixed_result, tmp_path, pdf_maker=broken)
    assert list(tmp_path.iterdir()) == []


def test_cli_export_without_libreoffice(tmp_path: Path) -> None:
    # The install places are Windows' and the Mac's; on the Linux CI only PATH finds LibreOffice.
    assert not any(p.is_file() for p in _INSTALL_PATHS), "LibreOffice is installed where PATH cannot hide it"
    source = taojiang_fixed(tmp_path / "填报")
    bare = tmp_path / "bin"  # a PATH without soffice: how find_soffice looks for it
    bare.mkdir()

    def run(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "perfeval", "export", source, *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PATH": str(bare)},
        )

    required = run("-d", tmp_path / "必须", "--pdf", "required")
    assert required.returncode == 2 and "Traceback" not in required.stderr
    assert "未生成 PDF：本机未找到 LibreOffice" in required.stderr and "未生成任何文件" in required.stderr
    assert not (tmp_path / "必须").exists()
    optional = run("-d", tmp_path / "报送")
    assert optional.returncode == 0, optional.stderr
    assert f"{NAME}.docx" in optional.stdout and f"{NAME}.pdf" not in optional.stdout.split("注意")[0]
    assert "注意：未生成 PDF：本机未找到 LibreOffice（soffice）。请在 WPS 或 Word 中打开" in optional.stdout
    manifest = json.loads((tmp_path / "报送" / NAME / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["pdf"] is None and manifest["pdf_missing"]["reason"]
