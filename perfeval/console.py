"""The command line's own words in Chinese: help pages, usage errors and their exit code (3).

Why not a gettext catalogue: the installed typer (0.29) runs on its own copy of click (typer._click) from
which gettext was taken out: "Missing argument", "Got unexpected extra argument(s)", "No such option",
"Usage:", "Show this message and exit." are plain f-strings there, and only typer's few section titles
still go through `gettext.gettext`, i.e. the process-wide default domain, which a catalogue would change for
every other library in the process as well. So the help is laid out here, by the classes typer lets a
program substitute (`cls=`), and a usage error is rephrased from the exception's own fields (the parameter,
the option name, the extra arguments), never by parsing its English text. This works the same on the
real click an older typer brings (same exception classes and fields).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from perfeval.terminal import columns, output_width, wrap

# click's exception classes, wherever this typer has them (typer._click; click itself under an older typer).
_exc = sys.modules[typer.BadParameter.__module__]
_globals = importlib.import_module(_exc.__name__.rsplit(".", 1)[0] + ".globals")

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE, EXIT_USAGE = 0, 1, 2, 3
PROG = "perfeval"
HELP_OPTIONS = ["-h", "--help"]
EXIT_CODES = "退出码：0 没有错误；1 有错误；2 文件无法读取或写入；3 命令用法有误。"


class UsageProblem(_exc.UsageError):
    """A usage error whose message is already Chinese (a bad option value the command itself found)."""

    exit_code = EXIT_USAGE


def usage_problem(message: str) -> UsageProblem:
    """For a command's body: the current command's usage error (shown with its usage line, exit 3)."""
    return UsageProblem(message, _globals.get_current_context(silent=True))


# --- help ---------------------------------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    """A docstring's paragraphs, each joined into one line (Chinese text joins without a space)."""
    out: list[str] = []
    for block in text.strip().split("\n\n"):
        joined = ""
        for line in (x.strip() for x in block.splitlines()):
            if joined and line and joined[-1].isascii() and joined[-1].isalnum() and line[0].isascii():
                joined += " "
            joined += line
        if joined:
            out.append(joined)
    return out


def _metavar(param) -> str:
    return param.metavar or param.name.upper()


def command_path(ctx) -> str:
    """ "perfeval check", whatever name the program was started by (python -m perfeval, a test runner)."""
    names = []
    while ctx is not None:
        names.append(ctx.info_name if ctx.parent is not None else PROG)
        ctx = ctx.parent
    return " ".join(reversed(names))


def usage_line(ctx) -> str:
    cmd = ctx.command
    pieces = [command_path(ctx)]
    if any(p.param_type_name == "option" for p in cmd.get_params(ctx)):
        pieces.append("[选项]")
    for p in cmd.get_params(ctx):
        if p.param_type_name == "argument":
            pieces.append(_metavar(p) if p.required else f"[{_metavar(p)}]")
    if isinstance(cmd, TyperGroup):
        pieces.append("命令 [参数]…")
    return "用法：" + " ".join(pieces)


def _option_term(param) -> str:
    # The first short and the first long name, short first (the help option's names come from a set, in no
    # fixed order); older aliases, like export's -d/--dir, are told in the option's help instead.
    declared = [*param.opts, *param.secondary_opts]
    shown = [n for n in (next((n for n in declared if not n.startswith("--")), None),) if n]
    shown += [n for n in (next((n for n in declared if n.startswith("--")), None),) if n]
    names = ", ".join(shown or declared)
    if param.param_type_name == "option" and param.is_flag:
        return names
    return f"{names} {_metavar(param)}"


def _definitions(rows: list[tuple[str, str]], width: int) -> list[str]:
    """A two-column list: the term, then its description wrapped beside it (below it when too long)."""
    term_width = min(max((columns(t) for t, _ in rows), default=0), 24)
    lines: list[str] = []
    for term, desc in rows:
        lead = "  " + term
        if columns(term) > term_width:
            lines.append(lead)
            lines.extend(wrap(desc, width, " " * (term_width + 4)))
        else:
            lead += " " * (term_width - columns(term) + 2)
            lines.extend(wrap(desc, width, lead, " " * (term_width + 4)))
    return lines


def help_text(cmd, ctx, width: int) -> str:
    lines = [usage_line(ctx), ""]
    for para in _paragraphs(cmd.help or ""):
        lines.extend(wrap(para, width, "  "))
        lines.append("")
    params = [p for p in cmd.get_params(ctx) if not getattr(p, "hidden", False)]
    args = [(_metavar(p), p.help or "") for p in params if p.param_type_name == "argument"]
    help_option = cmd.get_help_option(ctx)
    opts = [
        (_option_term(p), "显示本帮助并退出" if p is help_option else (p.help or ""))
        for p in params
        if p.param_type_name == "option"
    ]
    for title, rows in (("参数：", args), ("选项：", opts)):
        if rows:
            lines.append(title)
            lines.extend(_definitions(rows, width))
            lines.append("")
    if isinstance(cmd, TyperGroup):
        rows = [
            (name, sub.short_help or (_paragraphs(sub.help)[0] if sub.help else ""))
            for name, sub in cmd.commands.items()
            if not sub.hidden
        ]
        lines.append("命令：")
        lines.extend(_definitions(rows, width))
        lines.append("")
    for para in _paragraphs(cmd.epilog or ""):
        lines.extend(wrap(para, width))
    return "\n".join(lines).rstrip("\n") + "\n"


class _Chinese:
    """Shared by the command and group classes: the Chinese help page and usage line."""

    def format_help(self, ctx, formatter) -> None:  # type: ignore[no-untyped-def]
        formatter.write(help_text(self, ctx, output_width()))

    def format_usage(self, ctx, formatter) -> None:  # type: ignore[no-untyped-def]
        formatter.write(usage_line(ctx) + "\n")


class PerfevalCommand(_Chinese, TyperCommand):
    allow_extra_args = True  # extra arguments are refused below, in Chinese, naming the -o option

    def parse_args(self, ctx, args: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
        try:
            rest = super().parse_args(ctx, args)
        except _exc.UsageError as e:
            if e.ctx is None:  # the option parser raises without the context: add it for the usage line
                e.ctx, e.cmd = ctx, self
            raise
        if rest and not ctx.resilient_parsing:
            output = next((p for p in self.params if "-o" in getattr(p, "opts", ())), None)
            hint = f"：要指定输出{_metavar(output)}请用 -o" if output is not None else ""
            raise UsageProblem(f"多余的参数（{' '.join(rest)}）{hint}", ctx)
        return rest


class PerfevalGroup(_Chinese, TyperGroup):
    def resolve_command(self, ctx, args: list[str]):  # type: ignore[no-untyped-def]
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from difflib import get_close_matches

            close = get_close_matches(name, list(self.commands))
            hint = f"（是不是 {close[0]}？）" if close else ""
            raise UsageProblem(f"没有“{name}”这个命令{hint}", ctx)
        return super().resolve_command(ctx, args)

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        *rest: Any,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """typer's main, with click's messages replaced by ours and a usage error exiting 3."""
        try:
            code = super().main(args, prog_name or PROG, *rest, standalone_mode=False, **extra)
        except _exc.ClickException as e:
            if not standalone_mode:
                raise
            code = show_error(e)
        except typer.Abort:
            if not standalone_mode:
                raise
            typer.echo("已取消。", err=True)
            code = 130
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else EXIT_OK)


# --- usage errors ---------------------------------------------------------------------------------------


def _param_name(param) -> str:
    if param is None:
        return "参数"
    if param.param_type_name == "argument":
        return _metavar(param)
    return "/".join(param.opts)


def chinese_message(e) -> str:
    """The Chinese wording of a click usage error, from its class and fields."""
    if isinstance(e, UsageProblem):
        return e.message
    if isinstance(e, _exc.MissingParameter):
        param = e.param
        kind = "参数" if param is None or param.param_type_name == "argument" else "选项"
        return f"缺少{kind}：{_param_name(param)}"
    if isinstance(e, _exc.NoSuchOption):
        hint = f"（是不是 {'、'.join(sorted(e.possibilities))}？）" if e.possibilities else ""
        return f"没有 {e.option_name} 这个选项{hint}"
    if isinstance(e, _exc.BadOptionUsage):
        if "does not take a value" in e.message:  # the parser's only two cases; told apart by its text
            return f"选项 {e.option_name} 不带值"
        return f"选项 {e.option_name} 后面缺少值"
    if isinstance(e, _exc.BadParameter):  # no option of ours is typed so that click converts it; just in case
        return f"{_param_name(e.param)} 的值无效"
    return e.format_message()


def show_error(e) -> int:
    """Print a click exception in Chinese; the exit code (3 for every usage error)."""
    if isinstance(e, getattr(_exc, "NoArgsIsHelpError", ())):
        typer.echo(e.ctx.get_help())  # a group called without its command: its help is the answer
        return EXIT_OK
    width = output_width(sys.stderr)
    if isinstance(e, _exc.UsageError):
        lines = wrap(chinese_message(e), width)
        if e.ctx is not None:
            lines += wrap(usage_line(e.ctx), width, "", "      ")
            lines.append(f"查看说明：{command_path(e.ctx)} --help")
        typer.echo("\n".join(lines), err=True)
        return EXIT_USAGE
    typer.echo("\n".join(wrap(f"无法处理：{e.format_message()}", width)), err=True)
    return EXIT_UNREADABLE
