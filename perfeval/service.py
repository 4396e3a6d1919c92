"""The file-level jobs the CLI runs: check (a new result workbook), report (Word/PDF), export (the package)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from perfeval.core.pipeline import CheckResult, run_check
from perfeval.core.plan import WritePlan, build_plan
from perfeval.core.profile import Profile
from perfeval.io.safety import default_output_path, ensure_distinct_output, write_atomically
from perfeval.io.xlsx_reader import open_workbook, read_snapshot
from perfeval.io.xlsx_writer import apply_plan, save_workbook


def read_and_check(path: Path, profile: Profile) -> tuple[Workbook, CheckResult]:
    """The workbook as loaded (for writing a result beside it) and its check; the file is only read."""
    wb = open_workbook(path)
    return wb, run_check(read_snapshot(wb, path), profile)


@dataclass
class CheckRun:
    result: CheckResult
    plan: WritePlan
    output: Path | None


def check_file(path: Path, profile: Profile, output: Path | None = None, *, write: bool = True) -> CheckRun:
    wb, result = read_and_check(path, profile)
    plan = build_plan(result)
    if not write:
        return CheckRun(result, plan, None)
    out = output or default_output_path(path)
    if output is None and path.suffix.lower() == ".xlsm":
        out = out.with_suffix(".xlsm")  # keep the macros the user's workbook carries
    ensure_distinct_output(path, out)
    apply_plan(wb, plan)
    save_workbook(wb, out)
    return CheckRun(result, plan, out)


@dataclass
class ReportRun:
    result: CheckResult
    docx: Path
    pdf: Path | None
    paragraphs: int
    tables: int


def report_file(
    path: Path, profile: Profile, output: Path | None = None, *, pdf: bool = False, force: bool = False
) -> ReportRun:
    """The 自评报告 as Word (and PDF): read the workbook (never written), check, render, lay out."""
    from perfeval.narrative.render import render_report
    from perfeval.report.docx_writer import write_docx
    from perfeval.report.errors import ReportError
    from perfeval.report.official import official_tables

    out = output or path.with_name(f"{path.stem}.自评报告.docx")
    if out.suffix.lower() != ".docx":
        raise ReportError(f"报告文件应以 .docx 结尾：{out}")
    if out.exists() and not force:
        raise ReportError(f"文件已存在：{out}。如需覆盖请加 --force，或用 -o 另选文件名。")
    ensure_distinct_output(path, out)
    _, result = read_and_check(path, profile)
    report = render_report(result)
    tables = official_tables(result)
    write_atomically(out, lambda tmp: write_docx(report, tables, tmp))
    pdf_path = None
    if pdf:
        from perfeval.report.pdf import to_pdf

        try:
            pdf_path = to_pdf(out, out.parent)
        except ReportError as e:
            raise ReportError(f"已生成 {out}，但未能生成 PDF：{e}") from e
    return ReportRun(result, out, pdf_path, len(report.paragraphs) + 1, len(tables))


def export_file(
    path: Path,
    profile: Profile,
    out_dir: Path | None = None,
    *,
    force: bool = False,
    reason: str | None = None,
):
    """The submission package for a workbook file (read only, never written): see perfeval.export.package."""
    from perfeval.export.package import export_package

    _, result = read_and_check(path, profile)
    return export_package(result, out_dir or path.parent, source=path, force=force, reason=reason)
