"""What the 绩效自评 ribbon's buttons run. macros/PerfevalRibbon.bas passes the pressed control's id here.

The add-in runs `ribbon.on_action(id)` through xlwings' RunPython; a new button is one entry in ACTIONS
and one element in addin/customUI14.xml. Every outcome reaches the user as a Chinese message box; an
unexpected error is logged to a file the message names, and no traceback window appears. Imports stay
light (no pandas, no openpyxl): this module is on the click path, and Excel starts a fresh Python for each
click. What only 导出报送 needs (the export, the official layout, Word, PDF) is imported by that button;
the check's own report text (the narrative) is imported when a plan is built (core/plan.build_plan).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.pipeline import CheckResult, run_check
from perfeval.core.plan import WritePlan, build_plan
from perfeval.core.profile import Profile
from perfeval.core.snapshot import WorkbookStructureError
from perfeval.excel.reader import read_book
from perfeval.excel.writer import apply_plan, clear_book
from perfeval.io.safety import InputFileError
from perfeval.service import choose_profile

TITLE = "绩效自评"


@dataclass
class Outcome:
    """What a click did: the message shown and, for a check, the result and plan (tests read these)."""

    message: str
    critical: bool = False
    result: CheckResult | None = None
    plan: WritePlan | None = None


def _checked(book: Any, profile: Profile | None) -> tuple[CheckResult, str]:
    """Read the workbook and check it with `profile`, or (None) with the profile it names in 评分口径; and
    a line for the message box when that profile is not one perfeval ships (the default is used)."""
    snapshot = read_book(book)
    choice = choose_profile(snapshot, profile)
    return run_check(snapshot, choice.profile), choice.note(option="")


def check(book: Any, profile: Profile | None) -> Outcome:
    result, note = _checked(book, profile)
    plan = build_plan(result)
    apply_plan(book, plan)
    errors = result.count(Severity.ERROR)
    findings_sheet = next(sp.name for sp in plan.sheets if sp.kind == cat.SHEET_FINDINGS)
    tail = (
        f"请按“{findings_sheet}”工作表逐条处理（点击单元格地址可跳转），改正后再次点击“校验并评分”。"
        if result.findings
        else "未发现问题。"
    )
    lines = [f"校验完成：{result.summary()}。", *([note] if note else []), tail]
    return Outcome("\n".join(lines), critical=errors > 0, result=result, plan=plan)


def clear(book: Any, profile: Profile | None) -> Outcome:
    result, _ = _checked(book, profile)
    plan = build_plan(result)
    clear_book(book, plan)
    return Outcome("已清除本工具写入的底色、批注、复核值和结果工作表；您填写的内容未改动。", plan=plan)


def book_folder(book: Any) -> Path:
    """Where the package goes: beside the saved workbook, else the user's Documents (or home)."""
    full = Path(str(book.fullname))
    if full.is_absolute() and full.parent.is_dir():
        return full.parent
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()


def export(book: Any, profile: Profile | None) -> Outcome:
    # Only this button loads the export (and, through it, the report layout, Word and PDF writers).
    from perfeval.export.package import ExportError, export_package

    result, note = _checked(book, profile)
    try:
        # The PDF is the 公文 made from the package's Word file, by LibreOffice (Excel cannot print a .docx);
        # without LibreOffice the package is made without it and says how to make it from the .docx.
        res = export_package(result, book_folder(book))
    except ExportError as e:
        return Outcome(str(e), critical=True, result=result)
    lines = [
        f"已导出报送文件夹：{res.folder}",
        *(f"  {f.name}" for f in res.files),
        *([note] if note else []),
    ]
    if res.unexplained_warnings:
        lines.append(
            f"{len(res.unexplained_warnings)} 条警告没有写审核说明，已列在报送说明中；"
            "可在“校验结果”的“审核说明”列写明原因后重新导出。"
        )
    if notice := res.pdf_notice():
        lines.append(notice)
    return Outcome("\n".join(lines), result=result)


HELP_TEXT = """使用步骤：
1. 用 perfeval new 生成的模板（或单位下发的模板）填写黄色单元格：“基本信息”，以及部门整体的“附件1”“附件2”
   或项目支出的“项目支出自评”“项目绩效指标”。评分口径按“基本信息”中所填的口径。
2. 点击“校验并评分”：蓝色单元格填入复核值；有问题的单元格标色（红=错误，黄=警告，蓝=提示）并加批注；
   “校验结果”工作表列出每个问题，点击单元格地址可跳转；可在“审核说明”列写明原因，再次校验时保留。
3. 点击“清除标记”可去掉本工具写入的全部内容，您填写的内容不变。
4. 没有错误后点击“导出报送”：在工作簿旁生成报送文件夹（干净的工作簿、Word 报告、PDF、清单）。
5. 没有 Excel 时可用命令行：perfeval check 文件.xlsx、perfeval export 文件.xlsx。"""


def show_help(book: Any, profile: Profile | None) -> Outcome:
    return Outcome(HELP_TEXT)


ACTIONS: dict[str, Callable[[Any, Profile | None], Outcome]] = {
    "perfeval_check": check,
    "perfeval_clear": clear,
    "perfeval_export": export,
    "perfeval_help": show_help,
}


def run_action(book: Any, control_id: str, profile: Profile | None = None) -> Outcome:
    """Run one button's job on an xlwings Book and show its message there; never raises. Without a
    profile, the workbook's own (its 评分口径 cell) is used, as by the command line."""
    handler = ACTIONS.get(control_id)
    try:
        if handler is None:
            outcome = Outcome(
                f"未知的按钮“{control_id}”：加载项与已安装的 perfeval 版本不一致，请运行 perfeval addin install 重新安装。",
                critical=True,
            )
        else:
            outcome = handler(book, profile)
    except (InputFileError, WorkbookStructureError) as e:  # not our workbook, or unreadable: nothing written
        outcome = Outcome(f"{e}\n工作簿未做任何改动。", critical=True)
    except Exception:
        from perfeval.errorlog import write_error_log

        log = write_error_log(f"ribbon {control_id} on {getattr(book, 'name', '?')}")
        outcome = Outcome(
            f"处理时出现程序内部错误。详细信息已写入 {log}，请将该文件发给技术支持。", critical=True
        )
    book.app.alert(
        outcome.message, title=TITLE, buttons="ok", mode="critical" if outcome.critical else "info"
    )
    return outcome


def on_action(control_id: str) -> None:
    """Entry point for RunPython: the workbook that was active when the button was pressed."""
    import xlwings as xw

    run_action(xw.Book.caller(), control_id)
