"""The `perfeval` command: new, check, report, export, review, serve, fields, rules, profiles, version, addin,
doctor."""

from __future__ import annotations

import json
import math
import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from perfeval import __version__
from perfeval import catalogue as cat
from perfeval.console import (
    EXIT_CODES,
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_UNREADABLE,
    HELP_OPTIONS,
    PerfevalCommand,
    PerfevalGroup,
    usage_problem,
)

app = typer.Typer(
    cls=PerfevalGroup,
    add_completion=False,
    invoke_without_command=True,  # `perfeval` alone prints a short guide (the callback below)
    help="部门整体支出和项目支出绩效自评：生成模板、校验并评分、生成报告、导出报送。",
    epilog=EXIT_CODES,
    context_settings={"help_option_names": HELP_OPTIONS},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

SEVERITY_STYLE = {"错误": "bold red", "警告": "yellow", "提示": "cyan"}

GUIDE = """\
perfeval {version}：部门整体支出和项目支出绩效自评

第一次使用，按这个顺序：
  1. perfeval new 2024年自评.xlsx --unit 单位名称 --year 2024
     生成待填写的工作簿
  2. 在 Excel 或 WPS 中填写黄色单元格，保存
  3. perfeval check 2024年自评.xlsx
     校验并评分，问题逐条列出，结果另存为“2024年自评.校验结果.xlsx”
  4. perfeval report 2024年自评.xlsx
     生成 Word 自评报告
  5. perfeval export 2024年自评.xlsx -o 报送
     导出报送文件夹（工作簿、报告、PDF、清单）

全部命令：perfeval --help；某个命令的说明：perfeval check --help"""


def _show_version(value: bool) -> None:
    if value:
        out.print(f"perfeval {__version__}（模板版本 {cat.TEMPLATE_VERSION}）")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", help="显示版本并退出", callback=_show_version, is_eager=True),
    ] = False,
) -> None:
    """部门整体支出和项目支出绩效自评：生成模板、校验并评分、生成报告、导出报送。"""
    if ctx.invoked_subcommand is None:
        out.print(escape(GUIDE.format(version=__version__)))


def command(group: typer.Typer = app, **kwargs):
    """`group.command` with Chinese help and usage errors (perfeval.console)."""
    return group.command(cls=PerfevalCommand, epilog=kwargs.pop("epilog", EXIT_CODES), **kwargs)


def _fail(message: str) -> typer.Exit:
    _print_err("无法处理：", message, "bold red")
    return typer.Exit(EXIT_UNREADABLE)


def _print_err(label: str, message: str, style: str) -> None:
    """`label` in colour, then the message, wrapped to the width of stderr."""
    from perfeval.terminal import output_width, wrap

    width = output_width(sys.stderr)
    lines = [x for part in (label + message).split("\n") for x in wrap(part, width)]  # keep its own lines
    err.print(f"[{style}]{label}[/]{escape(lines[0][len(label) :])}")
    for line in lines[1:]:
        err.print(escape(line))


def _refuse_folder(path: Path, command_name: str) -> None:
    """A folder given where a workbook is wanted (`check ./`): name the folder and the workbooks in it."""
    try:
        is_dir = path.is_dir()
    except OSError:
        return  # the reader says what is wrong with it
    if not is_dir:
        return
    folder = path.resolve()
    try:
        books = sorted(
            (
                p.name
                for p in folder.iterdir()
                if p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith(("~$", "."))
            ),
            key=lambda name: (".校验结果" in name, name),  # the user's own workbooks first
        )
    except OSError:
        books = []
    message = f"“{folder}”是一个文件夹，不是 Excel 工作簿。"
    if books:
        from perfeval.core.pipeline import join_short

        message += f"其中的工作簿：{join_short(books)}。请写出要处理的那一个，如 perfeval {command_name} {path / books[0]}"
    else:
        message += f"其中没有 .xlsx 工作簿。请写出工作簿的文件名，如 perfeval {command_name} 2024年自评.xlsx"
    raise _fail(message)


def _notice_if_open(path: Path) -> None:
    """Say so when the input is open in Excel/WPS: what we read is its last saved state."""
    from perfeval.io.safety import open_in_office_notice

    notice = open_in_office_notice(path)
    if notice:
        _print_err("注意：", notice, "yellow")


def _default_result(input: Path) -> Path:
    from perfeval.io.safety import default_output_path

    return default_output_path(input)


def _write_failed(e: OSError, fallback: Path, what: str, option: str = "-o") -> typer.Exit:
    from perfeval.io.safety import describe_write_error

    target = Path(e.filename) if isinstance(e.filename, str) and e.filename else fallback
    if target.name.startswith(".perfeval-"):  # write_atomically's temporary file: name the real one
        target = fallback
    return _fail(describe_write_error(e, target, what=what, option=option))


def _kind_forms(kind: str | None) -> frozenset[cat.Form] | None:
    """--kind 项目 (or the 工作簿内容 wording, 项目支出) -> its forms; None when not given."""
    if kind is None:
        return None
    forms = cat.kind_forms(kind)
    if forms is None:
        choices = "；".join(
            f"{key}（{'、'.join(_service().form_names(fs))}）" for key, fs in cat.KINDS_OF_WORKBOOK.items()
        )
        raise usage_problem(f"未知的工作簿内容“{kind}”。--kind 可选：{choices}。")
    return forms


def _service():
    import perfeval.service as service

    return service


def _load_profile(profile: Path | None):
    """--profile as given (a file, or a shipped profile's id or name), or None when not given."""
    from perfeval.core.profile import load_profile

    return None if profile is None else load_profile(profile)


PROFILE_HELP = "评分口径：内置口径的编号（perfeval profiles 列出，如 重庆）或口径文件（.toml）"
PROFILE_METAVAR = "口径"
NEW_EXIT = "退出码：0 已生成；2 文件已存在（未加 --force）或无法写入，或口径文件无法读取；3 命令用法有误。"
CHECK_EXIT = (
    "退出码：0 没有错误（可以有警告、提示）；1 有错误（结果工作簿仍已另存）；2 工作簿无法读取或结果无法写入；"
    "3 命令用法有误。"
)
REPORT_EXIT = (
    "退出码：0 已生成；2 工作簿无法读取或报告无法写入（如加了 --pdf 却没有 LibreOffice）；3 命令用法有误。"
)
EXPORT_EXIT = (
    "退出码：0 已导出；1 工作簿仍有错误，未导出（改正后重新导出，或加 --force --reason 强制导出）；"
    "2 工作簿无法读取或报送文件无法写入；3 命令用法有误。"
)


@command(short_help="生成待填写的工作簿", epilog=NEW_EXIT)
def new(
    output: Annotated[Path, typer.Argument(metavar="新工作簿", help="新工作簿的路径，如 2024年自评.xlsx")],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="内容",
            help="工作簿内容：整体（部门整体）、项目（项目支出）、全部；默认为评分口径的全部表式",
        ),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile", metavar=PROFILE_METAVAR, help=PROFILE_HELP + "；不指定时为默认口径（default）"
        ),
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", metavar="名称", help="单位名称")] = None,
    year: Annotated[
        str | None, typer.Option("--year", metavar="年度", help="年度，四位数字，如 2024")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="目标文件已存在时覆盖")] = False,
) -> None:
    """生成一个待填写的工作簿：按评分口径的表式，含部门整体、项目支出或全部表。"""
    from perfeval.core.parse import parse_year
    from perfeval.core.profile import ProfileError, default_profile

    forms = _kind_forms(kind)
    # The template's 年度 cell reads years 2000..2100 only: "--year 24" would write 24 there and every check
    # after it would report an unreadable year, so refuse it here as wrong usage (exit 3). Taken as text, so
    # that "--year 二〇二四" gets this message too rather than a generic "not an integer".
    if year is not None:
        if not (year.strip().isdigit() and parse_year(int(year)).ok):
            raise usage_problem(f"--year 应为四位年度，如 --year 2024（收到 {year}）。")
        year_value: int | None = int(year)
    else:
        year_value = None
    try:
        prof = _load_profile(profile)
    except ProfileError as e:
        raise _fail(str(e)) from None
    if output.suffix.lower() != ".xlsx":
        raise _fail(f"输出文件应以 .xlsx 结尾：{output}")
    if output.exists() and not force:
        raise _fail(f"文件已存在：{output}。如需覆盖请加 --force。")
    used = prof or default_profile()
    forms = forms or used.forms
    if not forms <= used.forms:
        from perfeval.core.profile import shipped_profiles

        have = "、".join(_service().form_names(used.forms))
        wanted = "、".join(_service().form_names(forms - used.forms))
        others = "、".join(p.id for p in shipped_profiles() if forms <= p.forms)
        raise usage_problem(
            f"评分口径“{used.name}”只有{have}的表式，不能生成含{wanted}的工作簿。"
            f"含该表式的内置口径有：{others}（用 --profile 指定）；或去掉 --kind，按该口径的表式生成。"
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    _service().new_file(output, prof, forms, unit=unit, year=year_value)
    sheets = "“" + "”“".join(s.name for s in cat.sheets_of(forms)) + "”"
    what = "、".join(_service().form_names(forms))
    out.print(f"已生成：{escape(str(output))}（{what}，模板版本 {cat.TEMPLATE_VERSION}）")
    out.print(f"评分口径：{escape(used.name)}；金额单位：{used.amount_unit}")
    out.print(f"请在{sheets}工作表的黄色单元格中填写，填好后运行 perfeval check {escape(output.name)}。")


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        f = float(value)
        return f if math.isfinite(f) else str(value)  # JSON has no Infinity
    if hasattr(value, "cell_text"):
        return {"无法计算": value.reason}  # type: ignore[attr-defined]
    return str(value)


def _result_json(run, choice) -> dict:
    from perfeval.core.findings import Severity

    service = _service()
    result = run.result
    m = result.model
    skipped = service.skipped_rules(result)
    return {
        "source": m.snapshot.source,
        "output": str(run.output) if run.output else None,
        "kept_previous": str(run.kept) if run.kept else None,
        "explanations_carried": run.carried,
        "profile": choice.as_json(),
        "forms": service.form_names(m.forms),
        "unfilled_forms": service.form_names(service.unfilled_forms(m)),
        "summary": {s.value: result.count(s) for s in Severity},
        "total_score": result.total_score,
        "grade": result.grade,
        "projects": [
            {"name": name, "total": total, "grade": grade} for name, total, grade in result.project_scores()
        ],
        "computed": {k: v for k, v in sorted(m.computed.items())},
        "indicators": [
            {
                "cell": str(m.tref(i.table, i.index, "score")),
                "level1": i.level1,
                "level2": i.level2,
                "level3": i.level3,
                "kind": i.kind,
                "direction": i.direction,
                "weight": i.weight.value,
                "score": i.score.value,
                "score_calc": i.score_calc,
                "completion": i.completion,
                "reason": i.score_reason,
            }
            for i in m.indicators
        ],
        "findings": [
            {
                "rule": f.rule_id,
                "severity": f.severity.value,
                "title": f.title,
                "cells": [str(c) for c in f.cells],
                "message": f.message,
                "expected": f.expected,
                "found": f.found,
                "advice": f.advice,
                "fingerprint": f.fingerprint,
                "explanation": result.explained(f),
            }
            for f in result.findings
        ],
        "not_applicable": result.not_applicable,
        "not_run": {
            "missing_data": sorted(skipped.missing_data),
            "other_forms": sorted(skipped.other_forms),
            "disabled": sorted(skipped.disabled),
        },
    }


@command(short_help="校验并评分，另存结果工作簿", epilog=CHECK_EXIT)
def check(
    input: Annotated[Path, typer.Argument(metavar="输入文件", help="要校验的工作簿（.xlsx）")],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", metavar="文件", help="结果工作簿；默认在原文件旁另存为“文件名.校验结果.xlsx”"
        ),
    ] = None,
    brief: Annotated[bool, typer.Option("--brief", help="每个问题只列一行，最后给出合计")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出校验结果、复核值与得分")] = False,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile", metavar=PROFILE_METAVAR, help=PROFILE_HELP + "；默认按工作簿“基本信息”中的评分口径"
        ),
    ] = None,
) -> None:
    """校验并评分：计算比率与得分，标出问题单元格，另存结果工作簿（不改动原文件）。"""
    from perfeval.core.profile import ProfileError
    from perfeval.io.safety import InputFileError
    from perfeval.service import ProfileChoice, check_file

    _refuse_folder(input, "check")
    _notice_if_open(input)
    try:
        prof = _load_profile(profile)
        with err.status("正在校验…", spinner="dots"):
            run = check_file(input, prof, output)
    except (InputFileError, ProfileError) as e:
        raise _fail(str(e)) from None
    except OSError as e:  # writing the result (reading errors are InputFileError)
        raise _write_failed(e, output or _default_result(input), "结果文件") from None
    result = run.result
    choice = ProfileChoice.of(result, given=prof is not None)
    if as_json:
        sys.stdout.write(
            json.dumps(_result_json(run, choice), ensure_ascii=False, indent=2, default=_json_default) + "\n"
        )
    else:
        _print_report(run, choice, brief=brief)
    raise typer.Exit(EXIT_ERRORS if result.count(_severity("错误")) else EXIT_OK)


@command(short_help="生成 Word 自评报告（可同时生成 PDF）", epilog=REPORT_EXIT)
def report(
    input: Annotated[Path, typer.Argument(metavar="输入文件", help="填好的工作簿（.xlsx）")],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", metavar="文件", help="Word 报告；默认在原文件旁生成“文件名.自评报告.docx”"
        ),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 生成 PDF")] = False,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            metavar=PROFILE_METAVAR,
            help=PROFILE_HELP + "，口径文件可含报告措辞模板；默认按工作簿“基本信息”中的评分口径",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="报告文件已存在时覆盖")] = False,
) -> None:
    """生成自评报告（Word，公文格式），正文按表格数据生成，后附附件1、附件2 和各项目支出自评表。"""
    from perfeval.core.profile import ProfileError
    from perfeval.io.safety import InputFileError
    from perfeval.narrative.render import NarrativeError
    from perfeval.report.errors import ReportError
    from perfeval.service import report_file

    _refuse_folder(input, "report")
    _notice_if_open(input)
    try:
        prof = _load_profile(profile)
        with err.status("正在生成报告…", spinner="dots"):
            run = report_file(input, prof, output, pdf=pdf, force=force)
    except (InputFileError, ProfileError, NarrativeError, ReportError) as e:
        raise _fail(str(e)) from None
    except OSError as e:
        raise _write_failed(e, output or input.with_name(f"{input.stem}.自评报告.docx"), "报告文件") from None
    _profile_note(run.result, prof)
    out.print(f"已生成：{run.docx}（{run.paragraphs} 段正文，{run.tables} 张附表；原工作簿未改动）")
    if run.pdf:
        out.print(f"已生成：{run.pdf}")
    errors = run.result.count(_severity("错误"))
    if errors:
        out.print(
            f"[yellow]注意：[/]工作簿仍有 {errors} 个错误，报告中的数字来自当前表格。"
            "请先用 perfeval check 查看并改正，再重新生成报告。"
        )


@command(short_help="导出报送文件夹", epilog=EXPORT_EXIT)
def export(
    input: Annotated[Path, typer.Argument(metavar="输入文件", help="填好并校验无错误的工作簿（.xlsx）")],
    directory: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            "-d",
            "--dir",
            metavar="文件夹",
            help="报送文件夹放在哪里（其中再建一个以单位和年度命名的文件夹）；默认在原文件旁。"
            "-d、--dir 是旧写法，仍可用",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="仍有错误时也导出（须用 --reason 写明原因）")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="原因", help="强制导出的原因，写入报送说明和清单")
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile", metavar=PROFILE_METAVAR, help=PROFILE_HELP + "；默认按工作簿“基本信息”中的评分口径"
        ),
    ] = None,
    pdf: Annotated[
        str,
        typer.Option(
            "--pdf",
            metavar="auto|required",
            help="auto（默认）：没有 LibreOffice 时仍导出 Excel、Word 和清单，并提示如何另存 PDF；"
            "required：生成不了 PDF 就不导出（退出码 2）",
        ),
    ] = "auto",
) -> None:
    """导出报送文件夹：干净的工作簿（官方表式）、Word 报告、报告与附件合一的 PDF（需 LibreOffice）、清单 manifest.json。"""
    from perfeval.core.profile import ProfileError
    from perfeval.export.package import ExportError, ExportRefused
    from perfeval.io.safety import InputFileError
    from perfeval.narrative.render import NarrativeError
    from perfeval.service import export_file

    if pdf not in ("auto", "required"):
        raise usage_problem(f"--pdf 只能是 auto 或 required，不是“{pdf}”。")
    _refuse_folder(input, "export")
    _notice_if_open(input)
    try:
        prof = _load_profile(profile)
        with err.status("正在导出报送文件（生成 PDF 约需十几秒）…", spinner="dots"):
            res = export_file(
                input, prof, directory, force=force, reason=reason, require_pdf=pdf == "required"
            )
    except ExportRefused as e:
        _print_refusal(e.errors)
        raise typer.Exit(EXIT_ERRORS) from None
    except (InputFileError, ProfileError, NarrativeError, ExportError) as e:
        raise _fail(str(e)) from None
    except OSError as e:
        raise _write_failed(e, directory or input.parent, "报送文件夹", "-o") from None
    _profile_note(res.result, prof)
    out.print(f"已导出：{res.folder}（原工作簿未改动）")
    for f in res.files:
        out.print(f"  {f.name}")
    if res.forced_reason:
        out.print(f"[yellow]强制导出：[/]原因“{res.forced_reason}”和未改正的错误已写入报送说明和清单。")
    if res.unexplained_warnings:
        out.print(
            f"[yellow]注意：[/]{len(res.unexplained_warnings)} 条警告没有写审核说明，已列在报送说明中；"
            "可在“校验结果”的“审核说明”列写明原因后重新导出。"
        )
    notice = res.pdf_notice()
    if notice:  # the export succeeded: exit 0 (--pdf required is how to make this an error)
        out.print(f"[yellow]注意：[/]{escape(notice)}")


def _print_refusal(errors) -> None:
    """Export refused: the 错误 as `check` shows them (blocks by sheet, with what to do), then the way out."""
    from perfeval.terminal import finding_blocks, output_width, wrap

    width = output_width(sys.stderr)
    _print_err("未导出：", f"仍有 {len(errors)} 个错误，未导出报送文件。", "bold red")
    err.print()
    for line in finding_blocks(errors, [sp.name for sp in cat.SHEETS], width):
        style = SEVERITY_STYLE.get(line.severity)
        if style:
            head, tail = line.text.split(line.severity, 1)
            err.print(f"{escape(head)}[{style}]{line.severity}[/]{escape(tail)}")
        else:
            err.print(escape(line.text))
    err.print()
    for line in wrap(
        '请改正后再导出。确需先行报送时，可用 perfeval export 文件.xlsx --force --reason "原因"，'
        "原因和未改正的错误会写入报送说明和清单。",
        width,
    ):
        err.print(escape(line))


def _severity(name: str):
    from perfeval.core.findings import Severity

    return Severity(name)


def _profile_note(result, given) -> None:
    """The one line worth saying about the profile a report or export used (none when it is the
    workbook's own)."""
    note = _service().ProfileChoice.of(result, given=given is not None).note()
    if note:
        out.print(f"[yellow]注意：[/]{escape(note)}")


def _print_line(text: str, severity: str = "") -> None:
    """One already-wrapped line; the severity word at its start in colour (a terminal only)."""
    if severity and severity in text:
        head, tail = text.split(severity, 1)
        out.print(f"{escape(head)}[{SEVERITY_STYLE[severity]}]{severity}[/]{escape(tail)}")
    else:
        out.print(escape(text))


def _print_report(run, choice, *, brief: bool = False) -> None:
    """The check as read on screen: the conclusion first, then the findings grouped by sheet (one line each
    with --brief), then what was not checked and where the result was saved."""
    from perfeval.terminal import brief_lines, finding_blocks, output_width, wrap

    service = _service()
    result = run.result
    m = result.model
    width = output_width()

    def say(text: str, hang: str = "") -> None:
        for line in wrap(text, width, "", hang):
            out.print(escape(line))

    unit = m.text("info_unit_name") or "（未填单位名称）"
    year = m.text("info_year") or "（未填年度）"
    say(f"{unit} {year} 年度{service.form_title(m.forms)} — 校验结果")
    counts = "、".join(f"{result.count(s)} 个{s.value}" for s in type(_severity("错误")))
    say(f"结论：{counts}")
    scope = result.scope()
    if scope:
        say(f"得分：{scope}", "      ")
    note = choice.note()
    say(f"注意：{note}" if note else choice.line())
    sheet_order = list(m.snapshot.sheet_names) or [sp.name for sp in cat.SHEETS]
    if result.findings:
        out.print()
        if brief:
            lines = brief_lines(result.findings, sheet_order, width)
        else:
            lines = finding_blocks(result.findings, sheet_order, width, explained=result.explained)
        for line in lines:
            _print_line(line.text, line.severity)
        out.print()
    for form in sorted(service.unfilled_forms(m)):
        # Made for both forms, one left blank: its rules (completeness too) did not run; say which.
        sheets = "“" + "”“".join(sp.name for sp in cat.SHEETS if sp.form is form) + "”"
        say(f"本工作簿的{cat.FORM_NAMES[form]}（{sheets}表）未填写，未作校验。")
    skipped = service.skipped_rules(result)
    waiting = skipped.could_give(m)  # not the rules whose part of the form is simply not used
    if waiting:
        say(f"另有 {len(waiting)} 条规则因缺少数据未执行（详见结果工作簿“校验结果”表）。")
    if skipped.disabled:
        say(f"评分口径关闭了 {len(skipped.disabled)} 条规则：{'、'.join(sorted(skipped.disabled))}。")
    if brief and result.findings:
        say(f"合计：{counts}。逐条说明：去掉 --brief 再运行，或看结果工作簿“校验结果”表。")
    if run.output:
        say(f"结果已另存为：{run.output}（原文件未改动）")
    if run.kept:
        say(f"上次的结果（已有改动）已保留为：{run.kept}")
    if run.carried:
        say(f"上次结果中的 {run.carried} 条审核说明已带入新结果。")


REVIEW_EXIT = (
    "退出码：0 已完成（各单位的错误见汇总）；2 没有可以校验的工作簿、不是文件夹或 zip，或汇总无法写入；"
    "3 命令用法有误。"
)


@command(short_help="财政局批量复核：校验一个文件夹（或 zip）中的全部工作簿，生成汇总", epilog=REVIEW_EXIT)
def review(
    source: Annotated[Path, typer.Argument(metavar="文件夹或压缩包", help="存放各单位工作簿的文件夹或 .zip")],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="文件",
            help="汇总工作簿；默认在文件夹（或压缩包）旁另存为“名称.复核汇总.xlsx”",
        ),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile", metavar=PROFILE_METAVAR, help=PROFILE_HELP + "；默认按各工作簿“基本信息”中的评分口径"
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", metavar="N", min=1, help="同时校验的进程数；默认每个处理器核心一个"),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            metavar="上年",
            help="上年各单位工作簿的文件夹（或 zip），或上年 perfeval review 生成的汇总；汇总中增加“同比”表",
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="以 JSON Lines 输出（每个单位每类一行，另列未校验的文件）；加 -o 时同时生成汇总"
        ),
    ] = False,
) -> None:
    """财政局批量复核：逐个校验文件夹（或 zip）中的全部工作簿（只读，不改动任何文件），生成一个汇总工作簿：
    汇总、问题分布、明细、图表和说明。"""
    from perfeval.core.profile import ProfileError
    from perfeval.io.safety import InputFileError
    from perfeval.review.job import review as run_review

    progress_bar = None
    task = None

    def progress(total: int, name: str) -> None:
        nonlocal progress_bar, task
        if not err.is_terminal:
            return
        if progress_bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            progress_bar = Progress(
                TextColumn("正在校验"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err
            )
            progress_bar.start()
            task = progress_bar.add_task("", total=total)
        elif task is not None:
            progress_bar.advance(task)

    try:
        _load_profile(profile)  # an unusable profile is refused here, before any worker starts
        run = run_review(
            source,
            output,
            None if profile is None else str(profile),
            jobs,
            write=output is not None or not as_json,
            progress=progress,
            previous=previous,
        )
    except (InputFileError, ProfileError) as e:
        raise _fail(str(e)) from None
    finally:
        if progress_bar is not None:
            progress_bar.stop()
    if as_json:
        from perfeval.review.table import json_lines

        for line in json_lines(run.rows, run.skipped):
            sys.stdout.write(line + "\n")
        raise typer.Exit(EXIT_OK)
    units = len(run.records)
    errors = int(run.summary["errors"].sum())
    with_errors = len({f for f, e in zip(run.summary["file"], run.summary["errors"], strict=True) if e})
    out.print(f"已校验 {units} 个工作簿，其中 {with_errors} 个有错误（共 {errors} 条）。")
    for s in run.skipped:
        _print_err("未校验：", f"{s.name}：{s.reason}", "yellow")
    out.print(f"汇总已保存：{run.output}")
    raise typer.Exit(EXIT_OK)


@command(short_help="列出模板中的全部字段", epilog="")
def fields(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False) -> None:
    """列出模板中的全部字段：名称、中文标签、工作表、单元格、类型、单位、是否必填。"""
    rows = [
        {
            "name": f.name,
            "label": f.label,
            "sheet": f.sheet,
            "cell": f.cell,
            "type": f.type.value,
            "unit": f.unit,
            "required": f.required,
            "computed": f.computed,
        }
        for f in cat.fields().values()
    ]
    for spec in cat.TABLES.values():
        place = cat.table_placement(spec)
        for col in spec.columns:
            rows.append(
                {
                    "name": f"{spec.name}[{col.key}]",
                    "label": f"{spec.label}：{col.header}",
                    "sheet": spec.sheet,
                    "cell": (
                        f"{place.letters[col.key]}{place.header_row + 1}:（表格列）"
                        if col.key in place.letters
                        else "（可选栏目，按表头读取）"
                    ),
                    "type": col.type.value,
                    "unit": col.unit,
                    "required": col.required,
                    "computed": col.computed,
                }
            )
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(header_style="bold")
    for col in ("名称", "标签", "工作表", "单元格", "类型", "单位", "必填", "计算"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["name"],
            r["label"],
            r["sheet"],
            r["cell"],
            r["type"],
            r["unit"],
            "是" if r["required"] else "",
            "是" if r["computed"] else "",
        )
    out.print(table)


@command(short_help="列出全部校验规则", epilog="")
def rules(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False) -> None:
    """列出全部校验规则（与结果工作簿中的“审核公式”表相同）。"""
    from perfeval.core.plan import rules_sheet

    sheet = rules_sheet()
    header, body = sheet.rows[1], sheet.rows[2:]
    if as_json:
        sys.stdout.write(
            json.dumps([dict(zip(header, r, strict=True)) for r in body], ensure_ascii=False, indent=2) + "\n"
        )
        return
    table = Table(header_style="bold")
    for col in header[:5]:
        table.add_column(str(col), overflow="fold")
    for r in body:
        table.add_row(*(str(x) for x in r[:5]))
    out.print(table)
    out.print(f"共 {len(body)} 条规则。")


@command(short_help="列出内置的评分口径", epilog="")
def profiles(as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False) -> None:
    """列出内置的评分口径（表式）：编号、名称、所含表式、金额单位和说明。"""
    from perfeval.core.profile import shipped_profiles

    service = _service()
    shipped = shipped_profiles()
    if as_json:
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "forms": service.form_names(p.forms),
                "kind": cat.kind_text(p.forms),
                "amount_unit": p.amount_unit,
                "description": p.description,
                "weights": {k: int(v) if v == int(v) else float(v) for k, v in p.weights.items()},
                "project_weights": {
                    k: int(v) if v == int(v) else float(v) for k, v in p.project_weights.items()
                },
            }
            for p in shipped
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(header_style="bold")
    for col in ("编号", "名称", "表式", "金额单位"):
        table.add_column(col, overflow="fold", no_wrap=col != "名称")
    table.add_column("说明", overflow="fold", ratio=1)
    for p in shipped:
        table.add_row(p.id, p.name, cat.kind_text(p.forms), p.amount_unit, p.description)
    out.print(table)
    out.print("perfeval new 文件.xlsx --profile 编号：按该口径的表式生成工作簿。")
    out.print(
        "perfeval check 文件.xlsx：按工作簿“基本信息”中的评分口径校验；--profile 编号（或口径文件.toml）可另行指定。"
    )


@command(short_help="显示版本（同 perfeval --version）", epilog="")
def version() -> None:
    """显示版本。"""
    _show_version(True)


SERVE_EXIT = "退出码：0 已停止（Ctrl+C）；2 地址或端口无法使用；3 命令用法有误。"


@command(short_help="启动网页版（WPS、没有 Excel 或 Python 的电脑用浏览器校验）", epilog=SERVE_EXIT)
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host", metavar="地址", help="监听地址：127.0.0.1 仅本机；内网服务器用本机 IP 或 0.0.0.0"
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="端口", help="端口", min=1, max=65535)] = 8765,
    open_browser: Annotated[bool, typer.Option("--open", help="启动后打开浏览器")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", metavar="个数", help="同时处理的进程数（内网服务器取 CPU 核数）", min=1, max=64
        ),
    ] = 1,
    access_code: Annotated[
        str | None,
        typer.Option("--access-code", metavar="访问码", help="财政局内网模式：打开网页须先输入此访问码"),
    ] = None,
    max_mb: Annotated[
        int, typer.Option("--max-mb", metavar="MB", help="校验时上传一个工作簿的大小上限", min=1, max=200)
    ] = 20,
    review_max_mb: Annotated[
        int,
        typer.Option("--review-max-mb", metavar="MB", help="批量复核一次上传的合计大小上限", min=1, max=4096),
    ] = 300,
) -> None:
    """启动绩效自评网页：下载空白模板、上传工作簿校验评分、下载结果、报告和报送文件；财政局批量复核。"""
    # Imported here: no other command, and never the Excel ribbon, loads a web library.
    from perfeval.web.server import ServeError
    from perfeval.web.server import serve as run_server

    try:
        run_server(host, port, open_browser, workers, access_code, max_mb=max_mb, review_max_mb=review_max_mb)
    except ServeError as e:
        raise _fail(str(e)) from None
    except KeyboardInterrupt:
        pass
    raise typer.Exit(EXIT_OK)


addin_app = typer.Typer(
    cls=PerfevalGroup,
    no_args_is_help=True,
    help="Excel 加载项（perfeval.xlam）：安装、卸载、查看状态。",
    short_help="Excel 加载项：安装、卸载、查看状态",
    rich_markup_mode=None,
)
app.add_typer(addin_app, name="addin")


def _addin_call(action):
    """Run an install-module action; its errors become a Chinese message and exit code 2."""
    from perfeval.excel.addin_build import AddinBuildError
    from perfeval.excel.install import AddinInstallError, UnsupportedPlatform

    try:
        return action()
    except UnsupportedPlatform as e:
        err.print(str(e))
        raise typer.Exit(EXIT_UNREADABLE) from None
    except (AddinInstallError, AddinBuildError) as e:
        raise _fail(str(e)) from None


FAST_HELP = (
    "保持 Python 常驻（xlwings 的 Use UDF Server，仅 Windows）：第一次点击后不再为每次点击启动 Python，"
    "明显更快；更新 perfeval 后须重新打开 Excel。"
)
FAST_NOTE = (
    "已开启“保持 Python 常驻”（xlwings 的 Use UDF Server）：第一次点击时启动 Python，之后的点击不再启动，"
    "明显更快。代价：Python 在两次点击之间一直运行、保留状态，所以每次点击都重新读取整个工作簿；"
    "更新 perfeval（git pull、pip install）后必须关闭并重新打开 Excel，新代码才会生效。"
    "要关闭此设置，重新运行 perfeval addin install（不加 --fast）。"
)
CHECK_STYLE = {"正常": "green", "警告": "yellow", "错误": "bold red"}
REPORT_WIDTH = 80
# Checks whose 错误 means the add-in could not work at all: install refuses before writing anything.
BLOCKING_CHECKS = ("Python 版本", "xlwings 版本")


def _print_wrapped(text: str) -> None:
    from perfeval.excel.doctor import report_lines

    for line in report_lines(text, REPORT_WIDTH, indent=0):
        out.print(escape(line))


def _print_checks(checks) -> None:
    """Each check as "状态  名称：说明", wrapped to 80 columns with a hanging indent."""
    from perfeval.excel.doctor import report_lines, summary

    for c in checks:
        lines = report_lines(f"{c.status.value}  {c.name}：{c.message}", REPORT_WIDTH, indent=6)
        style = CHECK_STYLE[c.status.value]
        out.print(f"[{style}]{lines[0][:2]}[/]{escape(lines[0][2:])}")
        for line in lines[1:]:
            out.print(escape(line))
    out.print(escape(summary(checks)))


def _exit_by(checks) -> None:
    from perfeval.excel.doctor import Status

    if any(c.status is Status.ERROR for c in checks):
        raise typer.Exit(EXIT_UNREADABLE)


@command(addin_app, name="install", short_help="安装加载项", epilog="")
def addin_install(
    fast: Annotated[bool, typer.Option("--fast", help=FAST_HELP)] = False,
) -> None:
    """安装加载项：写入 Excel 的启动文件夹，并记下当前使用的 Python，再做 perfeval doctor 的检查。

    安装后重新打开 Excel 即可看到“绩效自评”选项卡。退出码：0 已安装且检查没有“错误”；2 未能安装，
    或检查发现“错误”（按各行说明处理）。
    """
    from perfeval.excel import doctor
    from perfeval.excel import install as inst

    machine = doctor.this_machine()
    _addin_call(lambda: inst.addin_dir(machine.platform))  # no Excel on Linux: say so before anything else
    before = doctor.run_checks(machine, build=False)
    if any(c.status is doctor.Status.ERROR and c.name in BLOCKING_CHECKS for c in before):
        _print_checks(before)
        err.print("[bold red]未安装：[/]请先按上面“错误”一行的说明处理。")
        raise typer.Exit(EXIT_UNREADABLE)
    interpreters = inst.default_interpreters(machine.executable)
    path = _addin_call(lambda: inst.install(machine.platform, interpreters=interpreters, fast=fast))
    st = _addin_call(lambda: inst.status(machine.platform))
    python = st.interpreter_win if machine.windows else st.interpreter_mac
    out.print(f"已安装：{escape(str(path))}")
    out.print(f"加载项将使用的 Python：{escape(str(python))}")
    if machine.mac and python and inst.wrapper_target(python):
        _print_wrapped(
            f"（Python 的路径 {machine.executable} 含空格或特殊字符，xlwings 在 Mac 上调用时不加引号，"
            f"所以加载项改用转到它的小脚本 {python}。）"
        )
    if fast:
        _print_wrapped(FAST_NOTE)
    _print_wrapped("请重新打开 Excel，功能区中会出现“绩效自评”选项卡。首次打开时 Excel 会编译加载项中的宏。")
    out.print()
    checks = doctor.run_checks(machine, build=False)
    _print_checks(checks)
    _exit_by(checks)


@command(addin_app, name="uninstall", short_help="卸载加载项", epilog="")
def addin_uninstall() -> None:
    """卸载加载项：从 Excel 的启动文件夹中删除 perfeval.xlam（不动其他文件）。"""
    from perfeval.excel import install as inst

    removed = _addin_call(inst.uninstall)
    if removed is None:
        out.print(f"未安装，无需卸载（{_addin_call(inst.status).path}）。")
    else:
        out.print(f"已卸载：{removed}。重新打开 Excel 后“绩效自评”选项卡将不再出现。")


@command(addin_app, name="status", short_help="查看加载项的安装状态", epilog="")
def addin_status() -> None:
    """查看加载项是否已安装、安装位置，以及它使用的 Python。"""
    from perfeval.excel import install as inst

    st = _addin_call(inst.status)
    if not st.installed:
        out.print(f"未安装。安装位置将是：{st.path}。运行 perfeval addin install 安装。")
        return
    out.print(f"已安装：{st.path}")
    out.print(f"Windows 使用的 Python：{st.interpreter_win or '（未设置）'}")
    out.print(f"macOS 使用的 Python：{st.interpreter_mac or '（未设置）'}")
    out.print(f"保持 Python 常驻（--fast）：{'已开启' if st.fast else '未开启'}")
    out.print("更多检查：perfeval doctor")


@command(short_help="检查本机能否使用 Excel 加载项", epilog="")
def doctor() -> None:
    """检查本机能否使用 Excel 加载项：Python 与 xlwings 的版本、加载项的安装位置和它记下的 Python、
    Mac 上 Python 路径中的空格、Windows 上中文用户名等路径问题。每项给出“正常”“警告”或“错误”和处理办法。

    退出码：0 没有“错误”（可以有“警告”）；2 有“错误”。Linux 上没有 Excel，只检查 Python、xlwings
    和能否生成加载项，并建议改用 perfeval check。
    """
    from perfeval.excel import doctor as doc

    checks = doc.run_checks(doc.this_machine())
    out.print("perfeval doctor：检查本机能否使用 Excel 加载项")
    _print_checks(checks)
    _exit_by(checks)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("已取消。")
        sys.exit(130)
    except Exception:
        from perfeval.errorlog import write_error_log

        log = write_error_log("perfeval " + " ".join(sys.argv[1:]))
        err.print(
            f"[bold red]程序内部错误[/]，未生成或改动任何文件。详细信息已写入 {log}，请将该文件发给技术支持。"
        )
        sys.exit(EXIT_UNREADABLE)
