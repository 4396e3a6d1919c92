"""The `perfeval` command: new, check, report, export, fields, rules, version, addin."""

from __future__ import annotations

import json
import math
import shutil
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

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="部门整体支出绩效自评：生成模板、校验并评分、生成报告、导出报送。",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
SEVERITY_STYLE = {"错误": "bold red", "警告": "yellow", "提示": "cyan"}


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]无法处理：[/]{escape(message)}")
    return typer.Exit(EXIT_UNREADABLE)


def _notice_if_open(path: Path) -> None:
    """Say so when the input is open in Excel/WPS: what we read is its last saved state."""
    from perfeval.io.safety import open_in_office_notice

    notice = open_in_office_notice(path)
    if notice:
        err.print(f"[yellow]注意：[/]{escape(notice)}")


def _default_result(input: Path) -> Path:
    from perfeval.io.safety import default_output_path

    return default_output_path(input)


def _write_failed(e: OSError, fallback: Path, what: str, option: str = "-o") -> typer.Exit:
    from perfeval.io.safety import describe_write_error

    target = Path(e.filename) if isinstance(e.filename, str) and e.filename else fallback
    if target.name.startswith(".perfeval-"):  # write_atomically's temporary file: name the real one
        target = fallback
    return _fail(describe_write_error(e, target, what=what, option=option))


@app.command()
def new(
    output: Annotated[Path, typer.Argument(help="新工作簿的路径，如 2024年自评.xlsx")],
    unit: Annotated[str | None, typer.Option("--unit", help="单位名称")] = None,
    year: Annotated[int | None, typer.Option("--year", help="年度，如 2024")] = None,
    force: Annotated[bool, typer.Option("--force", help="目标文件已存在时覆盖")] = False,
) -> None:
    """复制标准模板，生成一个待填写的工作簿。"""
    from openpyxl import load_workbook

    from perfeval.template import bundled_template

    if output.suffix.lower() != ".xlsx":
        raise _fail(f"输出文件应以 .xlsx 结尾：{output}")
    if output.exists() and not force:
        raise _fail(f"文件已存在：{output}。如需覆盖请加 --force。")
    output.parent.mkdir(parents=True, exist_ok=True)
    if unit is None and year is None:
        shutil.copyfile(bundled_template(), output)
    else:
        wb = load_workbook(bundled_template())
        for name, value in (("info_unit_name", unit), ("info_year", year)):
            if value is not None:
                sheet, ref = next(iter(wb.defined_names[name].destinations))
                wb[sheet][ref.replace("$", "")] = value
        wb.save(output)
    out.print(
        f"已生成：{output}（模板版本 {cat.TEMPLATE_VERSION}）。请在“基本信息”“附件1”“附件2”等工作表中填写。"
    )


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        f = float(value)
        return f if math.isfinite(f) else str(value)  # JSON has no Infinity
    if hasattr(value, "cell_text"):
        return {"无法计算": value.reason}  # type: ignore[attr-defined]
    return str(value)


def _result_json(run) -> dict:
    from perfeval.core.findings import Severity

    result = run.result
    m = result.model
    return {
        "source": m.snapshot.source,
        "output": str(run.output) if run.output else None,
        "kept_previous": str(run.kept) if run.kept else None,
        "explanations_carried": run.carried,
        "profile": m.profile.name,
        "summary": {s.value: result.count(s) for s in Severity},
        "total_score": result.total_score,
        "grade": result.grade,
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
    }


@app.command()
def check(
    input: Annotated[Path, typer.Argument(help="要校验的工作簿（.xlsx）")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="结果工作簿；默认在原文件旁另存")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出校验结果、复核值与得分")] = False,
    profile: Annotated[Path | None, typer.Option("--profile", help="评分口径文件（.toml）")] = None,
) -> None:
    """校验并评分：计算比率与得分，标出问题单元格，另存结果工作簿（不改动原文件）。"""
    from perfeval.core.profile import ProfileError, load_profile
    from perfeval.io.safety import InputFileError
    from perfeval.service import check_file

    _notice_if_open(input)
    try:
        prof = load_profile(profile)
        with err.status("正在校验…", spinner="dots"):
            run = check_file(input, prof, output)
    except (InputFileError, ProfileError) as e:
        raise _fail(str(e)) from None
    except OSError as e:  # writing the result (reading errors are InputFileError)
        raise _write_failed(e, output or _default_result(input), "结果文件") from None
    result = run.result
    if as_json:
        sys.stdout.write(
            json.dumps(_result_json(run), ensure_ascii=False, indent=2, default=_json_default) + "\n"
        )
    else:
        _print_report(run)
    raise typer.Exit(EXIT_ERRORS if result.count(_severity("错误")) else EXIT_OK)


@app.command()
def report(
    input: Annotated[Path, typer.Argument(help="填好的工作簿（.xlsx）")],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Word 报告；默认在原文件旁生成“文件名.自评报告.docx”"),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 生成 PDF")] = False,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="评分口径文件（.toml），可含报告措辞模板")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="报告文件已存在时覆盖")] = False,
) -> None:
    """生成自评报告（Word，公文格式），正文按表格数据生成，后附附件1、附件2 和各项目支出自评表。"""
    from perfeval.core.profile import ProfileError, load_profile
    from perfeval.io.safety import InputFileError
    from perfeval.narrative.render import NarrativeError
    from perfeval.report.errors import ReportError
    from perfeval.service import report_file

    _notice_if_open(input)
    try:
        prof = load_profile(profile)
        with err.status("正在生成报告…", spinner="dots"):
            run = report_file(input, prof, output, pdf=pdf, force=force)
    except (InputFileError, ProfileError, NarrativeError, ReportError) as e:
        raise _fail(str(e)) from None
    except OSError as e:
        raise _write_failed(e, output or input.with_name(f"{input.stem}.自评报告.docx"), "报告文件") from None
    out.print(f"已生成：{run.docx}（{run.paragraphs} 段正文，{run.tables} 张附表；原工作簿未改动）")
    if run.pdf:
        out.print(f"已生成：{run.pdf}")
    errors = run.result.count(_severity("错误"))
    if errors:
        out.print(
            f"[yellow]注意：[/]工作簿仍有 {errors} 个错误，报告中的数字来自当前表格。"
            "请先用 perfeval check 查看并改正，再重新生成报告。"
        )


@app.command()
def export(
    input: Annotated[Path, typer.Argument(help="填好并校验无错误的工作簿（.xlsx）")],
    directory: Annotated[
        Path | None, typer.Option("-d", "--dir", help="报送文件夹放在哪里；默认在原文件旁")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="仍有错误时也导出（须用 --reason 写明原因）")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="强制导出的原因，写入报送说明和清单")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", help="评分口径文件（.toml）")] = None,
) -> None:
    """导出报送文件夹：干净的工作簿（官方表式）、Word 报告、报告与附件合一的 PDF、清单 manifest.json。"""
    from perfeval.core.profile import ProfileError, load_profile
    from perfeval.export.package import ExportError, ExportRefused
    from perfeval.io.safety import InputFileError
    from perfeval.narrative.render import NarrativeError
    from perfeval.service import export_file

    _notice_if_open(input)
    try:
        prof = load_profile(profile)
        with err.status("正在导出报送文件（生成 PDF 约需十几秒）…", spinner="dots"):
            res = export_file(input, prof, directory, force=force, reason=reason)
    except ExportRefused as e:
        err.print(f"[bold red]未导出：[/]{escape(str(e))}")
        raise typer.Exit(EXIT_ERRORS) from None
    except (InputFileError, ProfileError, NarrativeError, ExportError) as e:
        raise _fail(str(e)) from None
    except OSError as e:
        raise _write_failed(e, directory or input.parent, "报送文件夹", "-d") from None
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


def _severity(name: str):
    from perfeval.core.findings import Severity

    return Severity(name)


def _print_report(run) -> None:
    result = run.result
    m = result.model
    unit = m.text("info_unit_name") or "（未填单位名称）"
    out.print(f"[bold]{unit} {m.text('info_year')} 年度部门整体支出绩效自评 — 校验结果[/]")
    out.print(f"结论：{result.summary()}")
    if result.findings:
        table = Table(show_lines=False, header_style="bold")
        for col in ("严重程度", "规则", "单元格", "问题"):
            table.add_column(col, overflow="fold")
        for f in result.findings:
            style = SEVERITY_STYLE[f.severity.value]
            cells = [str(c) for c in f.cells]
            where = "、".join(cells[:3]) + (f" 等 {len(cells)} 处" if len(cells) > 3 else "")
            table.add_row(f"[{style}]{f.severity.value}[/]", f.rule_id, where, f.text())
        out.print(table)
    if result.not_applicable:
        out.print(f"另有 {len(result.not_applicable)} 条规则因缺少数据未执行（详见结果工作簿“校验结果”表）。")
    if run.output:
        out.print(f"结果已另存为：{escape(str(run.output))}（原文件未改动）")
    if run.kept:
        out.print(f"上次的结果（已有改动）已保留为：{escape(str(run.kept))}")
    if run.carried:
        out.print(f"上次结果中的 {run.carried} 条审核说明已带入新结果。")


@app.command()
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


@app.command()
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


@app.command()
def version() -> None:
    """显示版本。"""
    out.print(f"perfeval {__version__}（模板版本 {cat.TEMPLATE_VERSION}）")


addin_app = typer.Typer(
    no_args_is_help=True,
    help="Excel 加载项（perfeval.xlam）：安装、卸载、查看状态。",
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


@addin_app.command("install")
def addin_install() -> None:
    """安装加载项：写入 Excel 的启动文件夹，并记下当前使用的 Python。安装后重新打开 Excel 即可看到“绩效自评”选项卡。"""
    from perfeval.excel import install as inst

    path = _addin_call(inst.install)
    st = _addin_call(inst.status)
    python = st.interpreter_win if sys.platform.startswith("win") else st.interpreter_mac
    out.print(f"已安装：{path}")
    out.print(f"加载项将使用的 Python：{python}")
    out.print("请重新打开 Excel，功能区中会出现“绩效自评”选项卡。首次打开时 Excel 会编译加载项中的宏。")
    if not (str(path).isascii() and str(python).isascii()):
        # xlwings hands these paths to Python through a command line built in VBA; ASCII is the safe case.
        out.print(
            "[yellow]注意：[/]加载项或 Python 的路径中含中文等非英文字符。如点击按钮后没有反应，"
            "请把 Python 虚拟环境建在纯英文路径下（如 C:\\perfeval），再运行 perfeval addin install。"
        )


@addin_app.command("uninstall")
def addin_uninstall() -> None:
    """卸载加载项：从 Excel 的启动文件夹中删除 perfeval.xlam（不动其他文件）。"""
    from perfeval.excel import install as inst

    removed = _addin_call(inst.uninstall)
    if removed is None:
        out.print(f"未安装，无需卸载（{_addin_call(inst.status).path}）。")
    else:
        out.print(f"已卸载：{removed}。重新打开 Excel 后“绩效自评”选项卡将不再出现。")


@addin_app.command("status")
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
