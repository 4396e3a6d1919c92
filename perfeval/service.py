"""The file-level jobs the CLI runs: check (a new result workbook), report (Word/PDF), export (the package).

Also what both front doors share about a check: which profile it uses (choose_profile, once per check, for
the CLI's check, report and export and for the Excel ribbon alike) and why rules were not run. Imports of
the file adapter (openpyxl, lxml) stay inside the functions: the ribbon imports this module on its click path.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.pipeline import CheckResult, run_check
from perfeval.core.plan import WritePlan, build_plan
from perfeval.core.profile import Profile, default_profile, find_shipped
from perfeval.core.snapshot import Snapshot
from perfeval.io.safety import (
    OutputPathError,
    check_output_location,
    default_output_path,
    describe_write_error,
    ensure_distinct_output,
    write_atomically,
)

if TYPE_CHECKING:
    from perfeval.core.model import Model

FORM_ORDER = (Form.UNIT, Form.PROJECT)


# --- which profile a check uses ------------------------------------------------------------------------
def workbook_profile_name(snapshot: Snapshot) -> str:
    """What the workbook's 评分口径 cell (基本信息) says; "" when blank or absent (a version 1 workbook)."""
    raw = snapshot.values.get("info_profile")
    return str(raw).strip() if raw is not None else ""


@dataclass(frozen=True)
class ProfileChoice:
    """The profile a check used, and why: given by the caller (--profile), named by the workbook, or the
    default (the workbook names none, or one perfeval does not ship)."""

    profile: Profile
    named: str  # the workbook's 评分口径 cell
    given: bool  # the caller named the profile

    @classmethod
    def of(cls, result: CheckResult, given: bool) -> ProfileChoice:
        """The choice a finished check made (choose_profile made it; this only describes it)."""
        return cls(result.model.profile, workbook_profile_name(result.model.snapshot), given)

    @property
    def as_named(self) -> bool:
        """The profile used is the one the workbook names."""
        return bool(self.named) and self.named in (self.profile.name, self.profile.id)

    @property
    def unknown(self) -> bool:
        """The workbook names a profile perfeval does not ship, and none was given: the default was used."""
        return bool(self.named) and not self.given and not self.as_named

    @property
    def overridden(self) -> bool:
        """A profile was given that is not the one the workbook names."""
        return bool(self.named) and self.given and not self.as_named

    def line(self) -> str:
        """评分口径：… and where it came from, for the CLI's check output."""
        if self.given:
            return f"评分口径：按 --profile 指定的“{self.profile.name}”"
        if self.as_named:
            return f"评分口径：按工作簿“基本信息”所填的“{self.profile.name}”"
        return f"评分口径：默认口径“{self.profile.name}”"

    def note(self, option: str = "--profile") -> str:
        """One line when the profile used is not the one the workbook names, else "". `option`: how the
        caller can name a profile ("" in Excel, where there is no such option)."""
        if self.overridden:
            by = f"按 {option} 指定的" if option else "按指定的"
            return f"工作簿“基本信息”中的评分口径为“{self.named}”，本次{by}“{self.profile.name}”校验。"
        if self.unknown:
            hint = f"；如有该口径的文件，请用 {option} 口径文件.toml 指定" if option else ""
            return (
                f"工作簿“基本信息”中的评分口径“{self.named}”不是本工具自带的口径，"
                f"已按默认口径“{self.profile.name}”校验{hint}。"
            )
        return ""

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.profile.id,
            "name": self.profile.name,
            "source": "option" if self.given else ("workbook" if self.as_named else "default"),
            "workbook": self.named or None,
            "note": self.note() or None,
        }


def choose_profile(snapshot: Snapshot, given: Profile | None) -> ProfileChoice:
    """The profile to check with: the one given, else the shipped profile the workbook names in 评分口径,
    else the default."""
    named = workbook_profile_name(snapshot)
    if given is not None:
        return ProfileChoice(given, named, True)
    shipped = find_shipped(named) if named else None
    return ProfileChoice(shipped or default_profile(), named, False)


def check_snapshot(snapshot: Snapshot, given: Profile | None) -> CheckResult:
    """Check what an adapter read, with the profile choose_profile picks."""
    return run_check(snapshot, choose_profile(snapshot, given).profile)


# --- what a check covered --------------------------------------------------------------------------
def form_title(forms: frozenset[Form]) -> str:
    """部门整体支出绩效自评 / 项目支出绩效自评 / 部门整体支出和项目支出绩效自评."""
    shown = {Form.UNIT: "部门整体支出", Form.PROJECT: "项目支出"}
    return "和".join(shown[f] for f in FORM_ORDER if f in forms) + "绩效自评"


def form_names(forms: frozenset[Form]) -> list[str]:
    return [cat.FORM_NAMES[f] for f in FORM_ORDER if f in forms]


@dataclass(frozen=True)
class Skipped:
    """The rules a check did not run (rule id -> reason), by why."""

    missing_data: dict[str, str]  # inputs they read are blank or unreadable
    other_forms: dict[str, str]  # their form is not in the workbook, or left blank
    disabled: dict[str, str]  # the profile turns them off

    def could_give(self, model: Model) -> dict[str, str]:
        """The missing-data rules that wait for data a user could give; not those whose part of the form is
        not used (楼堂馆所“无”, no 公务用车 rows, no 编制 classes) or that found nothing to compare."""
        from perfeval.core.rules import REGISTRY

        return {
            rule_id: reason
            for rule_id, reason in self.missing_data.items()
            if rule_id not in REGISTRY or _could_give(model, REGISTRY[rule_id].reads, reason)
        }


def _row_of(f: cat.Field) -> tuple[str, str]:
    return f.sheet, "".join(ch for ch in f.cell if ch.isdigit())


def _could_give(model: Model, rule_reads: tuple[str, ...], reason: str) -> bool:
    """The rule waits for data a user could type: a required cell blank, a cell that cannot be read, an
    optional cell blank beside a filled one of the same row (采购预算 beside 采购决算), or a required table
    of a checked form left empty. Not: a part of the form left blank or "无" as a whole (it is not used)."""
    from perfeval.core.parse import Status

    fields = cat.fields()
    read = [fields[n] for n in rule_reads if n in fields and not fields[n].computed]
    filled_rows = {_row_of(f) for f in fields.values() if not f.computed and model.num(f.name) is not None}
    for f in read:
        qty = model.q.get(f.name)
        status = qty.status if qty is not None else Status.BLANK
        if status in (Status.OK, Status.NONE):
            continue
        if status is not Status.BLANK:
            return True  # typed but unreadable: the user can correct it
        if f.required or _row_of(f) in filled_rows:
            return True
    tables = {
        cat.INDICATORS.name: Form.UNIT in model.forms and not model.indicators,
        cat.PROJECTS.name: Form.PROJECT in model.forms and not model.projects,
        cat.PROJECT_INDICATORS.name: bool(model.projects) and not any(p.indicators for p in model.projects),
    }
    if any(tables.get(n, False) for n in rule_reads):
        return True
    # A rule that names the cells it lacks: a required cell of a table (a project's 全年执行数).
    if not reason.startswith("缺少"):
        return False
    return any(
        f"{spec.sheet}!" in reason and f" {col.header}" in reason
        for spec in cat.TABLES.values()
        for col in spec.columns
        if col.required
    )


def skipped_rules(result: CheckResult) -> Skipped:
    from perfeval.core.rules import REGISTRY

    model = result.model
    missing, other, disabled = {}, {}, {}
    for rule_id, reason in result.not_applicable.items():
        rule = REGISTRY.get(rule_id)
        if rule_id in model.profile.disabled:
            disabled[rule_id] = reason
        elif rule is not None and not rule.forms <= model.forms:
            other[rule_id] = reason
        else:
            missing[rule_id] = reason
    return Skipped(missing, other, disabled)


def unfilled_forms(model: Model) -> frozenset[Form]:
    """Forms the workbook was made for but has nothing typed in (a 全部 workbook with only projects)."""
    return model.declared_forms - model.forms


# --- the file jobs -------------------------------------------------------------------------------------
def read_snapshot_of(path: Path, *, test_members: bool = True) -> Snapshot:
    """What the check reads from a workbook file; the file is only read.

    `test_members` False (the review, which only reads): the zip members' CRCs are not tested up front,
    as the read itself unzips every member (io/package.Package) and so fails on a damaged one; the full
    check_input_file then runs, so that a damaged member still gives its clear message.
    """
    from perfeval.io.safety import check_input_file
    from perfeval.io.xlsx_reader import open_workbook, read_snapshot

    if test_members:
        return read_snapshot(open_workbook(path), path)
    try:
        return read_snapshot(open_workbook(path, test_members=False), path)
    except Exception:
        check_input_file(path)  # raises the damaged-file message when a member is damaged
        raise


def read_and_check(path: Path, profile: Profile | None, *, test_members: bool = True) -> CheckResult:
    """Check a file with `profile`, or (None) with the profile the workbook names (`test_members`: see
    read_snapshot_of)."""
    return check_snapshot(read_snapshot_of(path, test_members=test_members), profile)


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


def check_file(
    path: Path, profile: Profile | None, output: Path | None = None, *, write: bool = True
) -> CheckRun:
    """Check a workbook file and write the result beside it (or to `output`); the file is only read.
    `profile` None: the profile the workbook names in 评分口径 (choose_profile).

    A result already at the output (the user may have typed 审核说明 in it) is never destroyed: it is kept
    under a numbered name, and its 审核说明 are carried into the new result.
    """
    from perfeval.io.package import written_by_us_and_untouched
    from perfeval.io.previous import previous_explanations
    from perfeval.io.safety import keep_previous_result
    from perfeval.io.xlsx_writer import write_result

    out = check_output_path(path, output) if write else None  # refused before anything is read
    snapshot = read_snapshot_of(path)
    carried: dict[str, str] = {}
    if out is not None and os.path.lexists(out):
        carried = previous_explanations(out)
        # The input's own 审核说明 (a result checked again) win over those of the result being replaced.
        snapshot.explanations = {**carried, **snapshot.explanations}
    result = check_snapshot(snapshot, profile)
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
    from perfeval.io.xlsx_writer import clear_result

    ensure_distinct_output(path, output)
    result = read_and_check(path, profile)
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
    path: Path, profile: Profile | None, output: Path | None = None, *, pdf: bool = False, force: bool = False
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
    profile: Profile | None,
    out_dir: Path | None = None,
    *,
    force: bool = False,
    reason: str | None = None,
    require_pdf: bool = False,
    source_name: str | None = None,
):
    """The submission package for a workbook file (read only, never written): see perfeval.export.package.
    `source_name`: the workbook's name as the user knows it, when the file on disk has another."""
    from perfeval.export.package import export_package

    result = read_and_check(path, profile)
    return export_package(
        result,
        out_dir or path.parent,
        source=path,
        source_name=source_name,
        force=force,
        reason=reason,
        require_pdf=require_pdf,
    )


# --- a blank workbook ------------------------------------------------------------------------------------
def new_file(
    output: Path,
    profile: Profile | None,
    forms: frozenset[Form],
    *,
    unit: str | None = None,
    year: int | None = None,
) -> None:
    """Write the blank workbook `perfeval new` and the web page's 下载空白模板 give: the committed template
    itself for the default profile with all its forms (copied, so that it is that file), else one built
    for the profile and forms; then the unit and year typed in. `profile` None is the default profile."""
    import shutil
    from dataclasses import replace

    from openpyxl import load_workbook

    from perfeval.template import build_template, bundled_template

    default = default_profile()
    used = profile or default
    standard = forms == default.forms and replace(used, source="") == replace(default, source="")
    if standard and unit is None and year is None:
        shutil.copyfile(bundled_template(), output)
        return
    wb = load_workbook(bundled_template()) if standard else build_template(used, forms)
    for name, value in (("info_unit_name", unit), ("info_year", year)):
        if value is not None:
            sheet, ref = next(iter(wb.defined_names[name].destinations))
            wb[sheet][ref.replace("$", "")] = value
    wb.save(output)
