"""The file-level jobs the CLI runs: check (a new result workbook), report (Word/PDF), export (the package)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from perfeval.core.pipeline import CheckResult, run_check
from perfeval.core.plan import WritePlan, build_plan
from perfeval.core.profile import Profile
from perfeval.core.snapshot import Snapshot
from perfeval.io.package import written_by_us_and_untouched
from perfeval.io.safety import (
    OutputPathError,
    check_output_location,
    default_output_path,
    describe_write_error,
    ensure_distinct_output,
    write_atomically,
)
from perfeval.io.xlsx_reader import open_workbook, read_snapshot
from perfeval.io.xlsx_writer import clear_result, write_result


def read_snapshot_of(path: Path) -> Snapshot:
    """What the check reads from a workbook file; the file is only read."""
    return read_snapshot(open_workbook(path), path)


def read_and_check(path: Path, profile: Profile) -> CheckResult:
    return run_check(read_snapshot_of(path), profile)


@dataclass
class CheckRun:
    result: CheckResult
    plan: WritePlan
    output: Path | None
    kept: Path | None = None  # the previous result that was at `output`, kept under this name
    carried: int = 0  # 审核说明 taken over from the result that was at `output`


def check_output_path(path: Path, output: Path | None) -> Path:
    """Where `check` writes the result of `path`; OutputPathError (InputFileError) before anything is read
    when it cannot be written there.

    The default is beside the input. An existing file there is a previous result, kept by
    keep_previous_result. An existing file named with -o is kept the same way when it is a result of this
    tool; anything else there (the user's own workbook, a document) is refused rather than renamed away.
    """
    from perfeval.io.previous import is_result_workbook

    macro = path.suffix.lower() == ".xlsm"
    suffix = ".xlsm" if macro else ".xlsx"
    example = f"{path.stem}.校验结果{suffix}"
    if output is None:
        out = default_output_path(path)
        if macro:
            out = out.with_suffix(".xlsm")  # keep the macros the user's workbook carries
    else:
        out = Path(output)
        if out.suffix.lower() != suffix and not os.path.isdir(out):
            why = "原工作簿含宏（.xlsm），结果也须保存为 .xlsm" if macro else "结果是 Excel 工作簿"
            raise OutputPathError(f"结果文件应以 {suffix} 结尾（{why}）：{out}。例如 -o {example}")
    ensure_distinct_output(path, out)
    check_output_location(out, what="结果文件", option="-o", example=example)
    if output is not None and os.path.lexists(out) and not is_result_workbook(out):
        raise OutputPathError(
            f"“{out}”已存在，且不是本工具生成的校验结果（可能是您的工作簿或其他文件），为免覆盖，未写入任何文件。"
            "请用 -o 另选一个文件名；确实不再需要该文件时，请先把它删除或改名后再运行。"
        )
    return out


def check_file(path: Path, profile: Profile, output: Path | None = None, *, write: bool = True) -> CheckRun:
    """Check a workbook file and write the result beside it (or to `output`); the file is only read.

    A result already at the output (the user may have typed 审核说明 in it) is never destroyed: it is kept
    under a numbered name, and its 审核说明 are carried into the new result.
    """
    from perfeval.io.previous import previous_explanations
    from perfeval.io.safety import keep_previous_result

    out = check_output_path(path, output) if write else None  # refused before anything is read
    snapshot = read_snapshot_of(path)
    carried: dict[str, str] = {}
    if out is not None and os.path.lexists(out):
        carried = previous_explanations(out)
        # The input's own 审核说明 (a result checked again) win over those of the result being replaced.
        snapshot.explanations = {**carried, **snapshot.explanations}
    result = run_check(snapshot, profile)
    plan = build_plan(result)
    if out is None:
        return CheckRun(result, plan, None)
    # A result nobody touched since the tool wrote it is simply replaced; any other is kept aside.
    untouched = os.path.lexists(out) and written_by_us_and_untouched(out)
    try:
        with contextlib.nullcontext(None) if untouched else keep_previous_result(out) as kept:
            write_result(path, plan, out)
    except OSError as e:
        raise OutputPathError(describe_write_error(e, out)) from None
    return CheckRun(result, plan, out, kept, len(carried))


def clear_file(path: Path, output: Path, profile: Profile | None = None) -> Path:
    """清除标记 on a file: a copy of `path` without what the tool wrote (its marks, computed values and
    sheets); everything the user wrote stays. The file itself is only read."""
    from perfeval.core.profile import default_profile

    ensure_distinct_output(path, output)
    result = read_and_check(path, profile or default_profile())
    clear_result(path, build_plan(result), output)
    return output


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
    if out.suffix.lower() != ".docx" and not os.path.isdir(out):
        raise ReportError(f"报告文件应以 .docx 结尾：{out}")
    check_output_location(out, what="报告文件", option="-o", example=f"{path.stem}.自评报告.docx")
    if out.exists() and not force:
        raise ReportError(f"文件已存在：{out}。如需覆盖请加 --force，或用 -o 另选文件名。")
    ensure_distinct_output(path, out)
    result = read_and_check(path, profile)
    report = render_report(result)
    tables = official_tables(result)
    try:
        write_atomically(out, lambda tmp: write_docx(report, tables, tmp))
    except OSError as e:
        raise OutputPathError(describe_write_error(e, out, what="报告文件")) from None
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

    result = read_and_check(path, profile)
    return export_package(result, out_dir or path.parent, source=path, force=force, reason=reason)
