"""The submission package, built the same way from the command line and from the ribbon's 导出报送.

A folder named by the usual convention ("{单位名称}{年度}年度部门整体支出绩效自评"; "…年度项目支出绩效自评"
for a workbook of projects only) holding
- the clean workbook: 报送说明 (cover), 自评报告, then the attachments of the forms checked (附件1 and 附件2
  for the 部门整体 forms, one 项目支出绩效自评表 per project), in the official printed layout, values only,
  no marks, protected;
- the Word report (the same narrative and tables);
- the PDF: the Word file (the 公文: report, then the attachment tables) as LibreOffice lays it out, with
  its page numbers, Chinese line breaking and embedded fonts. Excel cannot print a .docx, so inside Excel
  too the PDF comes from LibreOffice when it is installed. Without it (most WPS and Windows PCs) the package
  is made without the PDF, saying so and how to make it from the .docx, unless the PDF is required;
- manifest.json: file names and SHA-256, rule-set and template versions, the forms checked, the check
  summary and scores, the time.
The package is refused while 错误 findings remain, unless forced with a written reason, which the cover
and the manifest record. It is built in a scratch folder and moved into place at the end, so a failed
export leaves nothing half-written; an existing package is never overwritten (the next is "(2)"...).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from perfeval import __version__
from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.findings import Finding, Severity
from perfeval.core.pipeline import CheckResult
from perfeval.core.rules import REGISTRY
from perfeval.io.safety import (
    OutputPathError,
    check_output_location,
    describe_write_error,
    fit_name,
    name_max,
)
from perfeval.report.document import Merge, OfficialTable

PACKAGE_SUFFIX = "年度部门整体支出绩效自评"
PROJECT_PACKAGE_SUFFIX = "年度项目支出绩效自评"  # a workbook of projects only
# Longer unit names are cut (with "…"): the name is used twice in each file's path ("name/name.docx"),
# and Windows paths stop at 260 characters. The full name stays in 报送说明 and the manifest.
MAX_UNIT_CHARS = 40
# Room the longest name derived from the package name needs beyond it: "(99)" on the folder, ".docx".
_NAME_RESERVE = len("(99)") + len(".docx")
MANIFEST = "manifest.json"
LISTED_ERRORS = 20  # in a refusal message; the rest are counted

PdfMaker = Callable[[Path, Path], Path]  # (the .docx, folder) -> the PDF it wrote there
PDF_ADVICE = "在 WPS 或 Word 中打开 {docx}，另存为 PDF 放入报送文件夹；或安装 LibreOffice（确认 soffice 在 PATH 中）后重新导出"


class ExportError(Exception):
    """The package cannot be made; str() is a Chinese message saying what to do."""


class PdfUnavailable(Exception):
    """A PdfMaker cannot run on this computer (no LibreOffice); str() says why, in Chinese. Only this
    lets a package go without its PDF: a maker that runs and fails still fails the export."""


class ExportRefused(ExportError):
    """错误 findings remain and the export was not forced."""

    def __init__(self, message: str, errors: list[Finding]) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass
class ExportResult:
    folder: Path
    files: list[Path]
    result: CheckResult
    forced_reason: str | None
    unexplained_warnings: list[Finding]
    pdf_missing: str | None = None  # why there is no PDF (None: there is one)

    def pdf_notice(self) -> str | None:
        """The line telling the user the PDF is missing and how to make it; None when it is there."""
        if self.pdf_missing is None:
            return None
        docx = next((f.name for f in self.files if f.suffix == ".docx"), ".docx")
        return f"未生成 PDF：{self.pdf_missing}。请{PDF_ADVICE.format(docx=docx)}。"


def _safe(name: str) -> str:
    """A file name Windows accepts: no \\ / : * ? " < > | and no trailing dots or spaces."""
    return re.sub(r'[\\/:*?"<>|\r\n\t]+', "", name).strip().rstrip(".") or "部门"


def package_suffix(result: CheckResult) -> str:
    """What the package is named for: the 部门整体 自评 when its forms were checked (its projects are
    attachments of it), else the project 自评."""
    return PACKAGE_SUFFIX if Form.UNIT in result.model.forms else PROJECT_PACKAGE_SUFFIX


def package_name(result: CheckResult, limit: int = 255) -> str:
    """The package's name, "{单位名称}{年度}年度部门整体支出绩效自评" ("…年度项目支出绩效自评" for
    projects only), with the unit name cut short when it is over MAX_UNIT_CHARS or the name would not
    fit `limit` (the file system's, see safety.name_max)."""
    m = result.model
    unit = _safe(m.text("info_unit_name") or "未填单位名称")
    year = m.num("info_year")
    tail = _safe(f"{int(year) if year is not None else ''}{package_suffix(result)}")
    if len(unit) > MAX_UNIT_CHARS:
        unit = unit[:MAX_UNIT_CHARS].rstrip(". ") + "…"
    return fit_name(unit, tail, max(limit - _NAME_RESERVE, 1))


def free_folder(parent: Path, name: str) -> Path:
    """`parent/name`, or the first of "name(2)", "name(3)"… not yet taken: never an existing package."""
    candidate = parent / name
    n = 2
    while candidate.exists():
        candidate = parent / f"{name}({n})"
        n += 1
    return candidate


def refusal_message(errors: list[Finding]) -> str:
    lines = [f"仍有 {len(errors)} 个错误，未导出报送文件："]
    for i, f in enumerate(errors[:LISTED_ERRORS], start=1):
        where = f"（{f.location}）" if f.location else ""
        lines.append(f"{i}. {f.rule_id} {f.title}{where}：{f.message}")
    if len(errors) > LISTED_ERRORS:
        lines.append(f"……另有 {len(errors) - LISTED_ERRORS} 个，见“校验结果”工作表。")
    lines.append(
        '请改正后再导出。确需先行报送时，可用命令 perfeval export 文件.xlsx --force --reason "原因"，'
        "原因和未改正的错误会写入报送说明和清单。"
    )
    return "\n".join(lines)


def _ruleset(result: CheckResult) -> dict[str, object]:
    profile = result.model.profile
    active = sorted(
        f"{rule_id}:{profile.severity_overrides.get(rule_id, r.severity).value}"
        for rule_id, r in REGISTRY.items()
        if rule_id not in profile.disabled
    )
    digest = hashlib.sha256("\n".join(active).encode("utf-8")).hexdigest()[:12]
    return {
        "version": f"perfeval {__version__}",
        "rules": len(active),
        "digest": digest,
        "profile": profile.name,
    }


def forms_checked(result: CheckResult) -> str:
    """ "部门整体支出绩效自评、项目支出绩效自评（2 个项目）": the forms the package holds."""
    m = result.model
    parts = []
    if Form.UNIT in m.forms:
        parts.append(cat.FORM_NAMES[Form.UNIT])
    if Form.PROJECT in m.forms:
        parts.append(f"{cat.FORM_NAMES[Form.PROJECT]}（{len(m.projects)} 个项目）")
    return "、".join(parts)


def _score_text(total: object, grade: object) -> str:
    return f"{total:.2f}（{grade}）" if total is not None else "无法计算"


def score_rows(result: CheckResult) -> list[tuple[str, str]]:
    """The cover's score lines: the 部门整体 总分 when its forms were checked, each project's 总分 when
    the project forms were (a workbook of projects only has no 部门整体 总分 to show)."""
    m = result.model
    rows = []
    if Form.UNIT in m.forms:
        rows.append(("总分（复核）", _score_text(result.total_score, result.grade)))
    if Form.PROJECT in m.forms:
        scores = result.project_scores()
        text = "；".join(f"{name} {_score_text(total, grade)}" for name, total, grade in scores)
        rows.append(("项目总分（复核）", text or "没有填写项目"))
    return rows


def cover_table(
    result: CheckResult, name: str, when: datetime, reason: str | None, unexplained: list[Finding]
) -> OfficialTable:
    """报送说明: what was checked, when, with what, the result, and what a reviewer should look at."""
    m = result.model
    ruleset = _ruleset(result)
    pairs = [
        ("单位名称", m.text("info_unit_name")),
        ("年度", m.text("info_year")),
        ("导出时间", when.strftime("%Y-%m-%d %H:%M")),
        ("自评表", forms_checked(result)),
        ("校验结论", result.summary()),
        *score_rows(result),
        ("校验规则", f"{ruleset['version']}，{ruleset['rules']} 条规则（{ruleset['digest']}）"),
        ("评分口径", str(ruleset["profile"])),
        ("模板版本", m.snapshot.template_version or ""),
    ]
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    if reason:
        pairs.append(("强制导出原因", reason))
        pairs.append(("未改正的错误", "；".join(f"{f.rule_id} {f.location}" for f in errors) or "无"))
    width = 5
    rows: list[list[str]] = []
    merges: list[Merge] = []
    for label, value in pairs:
        merges.append(Merge(len(rows), 1, len(rows), width - 1))
        rows.append([label, value, "", "", ""])
    rows.append(["", "", "", "", ""])
    heading_row = len(rows)
    merges.append(Merge(heading_row, 0, heading_row, width - 1))
    rows.append(
        [
            f"未写审核说明的警告（{len(unexplained)} 条）" if unexplained else "警告均已写明审核说明",
            "",
            "",
            "",
            "",
        ]
    )
    bold = {(r, 0) for r in range(len(pairs))} | {(heading_row, 0)}
    if unexplained:
        header = len(rows)
        rows.append(["序号", "规则", "单元格", "问题说明", "处理建议"])
        bold |= {(header, c) for c in range(width)}
        for i, f in enumerate(unexplained, start=1):
            rows.append([str(i), f"{f.rule_id} {f.title}", f.location, f.message, f.advice])
    return OfficialTable(
        label="报送说明",
        title=f"{name}报送说明",
        rows=rows,
        merges=merges,
        header_rows=0,
        widths=[14, 22, 18, 50, 36],
        bold_cells=bold,
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def libreoffice_pdf(docx: Path, folder: Path) -> Path:
    """The Word file converted by LibreOffice: the same PDF as `perfeval report --pdf`."""
    from perfeval.report.errors import ReportError
    from perfeval.report.pdf import find_soffice, to_pdf

    try:
        find_soffice()
    except ReportError:  # absent, as on most WPS PCs: not a failure of this export
        raise PdfUnavailable("本机未找到 LibreOffice（soffice）") from None
    return to_pdf(docx, folder)


def pdf_required_message(reason: str) -> str:
    return (
        f"未生成 PDF：{reason}。按 --pdf required 的要求未导出，未生成任何文件。"
        "请安装 LibreOffice（确认 soffice 在 PATH 中）后重新导出；"
        "或去掉 --pdf required 先导出 Excel、Word 文件和清单，再在 WPS 或 Word 中打开 .docx 另存为 PDF。"
    )


def export_package(
    result: CheckResult,
    out_dir: Path,
    *,
    source: Path | None = None,
    source_name: str | None = None,
    force: bool = False,
    reason: str | None = None,
    pdf_maker: PdfMaker | None = None,
    require_pdf: bool = False,
    when: datetime | None = None,
) -> ExportResult:
    """Make the package in `out_dir`. Without a PDF maker here (PdfUnavailable) the package holds no PDF
    and says why, unless `require_pdf`: then nothing is written (ExportError). `source_name` is the name the
    manifest gives the source workbook when the file on disk is not called as the user called it (an
    upload to the web page)."""
    reason = (reason or "").strip() or None
    if force and reason is None:
        raise ExportError(
            '强制导出（--force）时必须用 --reason 写明原因，例如 --reason "财政局要求先行报送，错误已说明"。'
        )
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    if errors and not force:
        raise ExportRefused(refusal_message(errors), errors)
    # Imported here, past the refusal: openpyxl and python-docx stay off the ribbon's other buttons.
    from perfeval.export.workbook import write_clean_workbook
    from perfeval.narrative.render import render_report
    from perfeval.report.docx_writer import write_docx
    from perfeval.report.errors import ReportError
    from perfeval.report.official import official_tables

    when = when or datetime.now().astimezone()
    out_dir = Path(out_dir)
    name = package_name(result, name_max(out_dir))
    folder = free_folder(out_dir, name)
    made_out_dir = not out_dir.exists()
    try:
        check_output_location(folder, what="报送文件夹", option="-o")
        out_dir.mkdir(parents=True, exist_ok=True)
    except OutputPathError as e:
        raise ExportError(str(e)) from None
    except OSError as e:
        raise ExportError(describe_write_error(e, folder, what="报送文件夹", option="-o")) from None
    unexplained = [f for f in result.findings if f.severity is Severity.WARNING and not result.explained(f)]
    report = render_report(result)
    tables = official_tables(result)
    cover = cover_table(result, name, when, reason if force else None, unexplained)
    pdf_missing: str | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="perfeval-export-", dir=out_dir) as scratch:
            work = Path(scratch) / "package"
            work.mkdir()
            try:
                xlsx = write_clean_workbook(report, tables, work / f"{name}.xlsx", cover=cover)
                docx = write_docx(report, tables, work / f"{name}.docx")
                # The PDF is the 公文 the Word file lays out (report, then the attachments), not a print
                # of the workbook: page numbers, Chinese line breaking, each table on its own pages.
                printing = Path(scratch) / "print"
                printing.mkdir()
                try:
                    made = (pdf_maker or libreoffice_pdf)(docx, printing)
                    pdf: Path | None = Path(shutil.move(str(made), work / f"{name}.pdf"))
                except PdfUnavailable as e:
                    if require_pdf:
                        raise ExportError(pdf_required_message(str(e))) from None
                    pdf, pdf_missing = None, str(e)
            except ReportError as e:
                raise ExportError(f"导出未完成，未生成任何文件：{e}") from None
            files = [xlsx, docx, *([pdf] if pdf else [])]
            manifest = {
                "package": name,
                "created": when.isoformat(timespec="seconds"),
                "unit": result.model.text("info_unit_name"),
                "year": result.model.text("info_year"),
                "source": {"name": source_name or source.name, "sha256": _sha256(source)} if source else None,
                "template_version": result.model.snapshot.template_version,
                "forms": [
                    {"form": form.value, "name": cat.FORM_NAMES[form]}
                    for form in (Form.UNIT, Form.PROJECT)
                    if form in result.model.forms
                ],
                "ruleset": _ruleset(result),
                "check": {
                    "summary": result.summary(),
                    "errors": result.count(Severity.ERROR),
                    "warnings": result.count(Severity.WARNING),
                    "infos": result.count(Severity.INFO),
                    "total_score": float(result.total_score) if result.total_score is not None else None,
                    "grade": result.grade,
                    "projects": [
                        {
                            "name": name,
                            "total_score": float(total) if total is not None else None,
                            "grade": grade,
                        }
                        for name, total, grade in result.project_scores()
                    ],
                    "unexplained_warnings": [f.fingerprint for f in unexplained],
                },
                "forced": {"reason": reason, "errors": [f.fingerprint for f in errors]} if force else None,
                "pdf": pdf.name if pdf else None,
                # Same shape as "forced": null, or why and what to do (the user may add the PDF later).
                "pdf_missing": {"reason": pdf_missing, "advice": PDF_ADVICE.format(docx=docx.name)}
                if pdf_missing
                else None,
                "files": [{"name": p.name, "bytes": p.stat().st_size, "sha256": _sha256(p)} for p in files],
            }
            (work / MANIFEST).write_text(
                json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            try:
                work.rename(folder)  # same file system: the package appears whole or not at all
            except OSError:  # another export took the name meanwhile
                folder = free_folder(out_dir, name)
                work.rename(folder)
    except OSError as e:  # the scratch folder, a file in it, or the final rename
        _drop_if_empty(out_dir, made_out_dir)
        raise ExportError(
            "导出未完成，未生成任何文件：" + describe_write_error(e, folder, what="报送文件夹", option="-o")
        ) from None
    except ExportError:
        _drop_if_empty(out_dir, made_out_dir)
        raise
    files = [folder / p.name for p in files] + [folder / MANIFEST]
    return ExportResult(folder, files, result, reason if force else None, unexplained, pdf_missing)


def _drop_if_empty(out_dir: Path, made: bool) -> None:
    """A failed export leaves no trace: not even the -d folder it created for the package."""
    if made:
        with contextlib.suppress(OSError):  # only when empty
            out_dir.rmdir()
