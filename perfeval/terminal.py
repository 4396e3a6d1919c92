"""Text for a terminal: display columns, line wrapping that never splits a number, and the findings of a
check laid out as short blocks grouped by sheet.

Columns follow Unicode's East Asian Width (perfeval/textwidth.py, which also measures font widths): wide and full-width
characters take two columns, and so do the ambiguous ones (“”…—), which a Chinese-locale console (Windows
cmd, WPS users' usual setup) prints double-width; counting them wide keeps every line within the width in
either kind of terminal. Standard library, textwidth and the catalogue's sheet names; no rich, no typer.
"""

from __future__ import annotations

import functools
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from perfeval.textwidth import char_columns

__all__ = [
    "FindingLine",
    "brief_lines",
    "columns",
    "finding_blocks",
    "output_width",
    "wrap",
]

REDIRECTED_WIDTH = 80
MIN_WIDTH = 40

# A line never starts with closing punctuation nor ends with opening punctuation (Chinese line breaking):
# such a character sticks to its neighbour.
CLOSING = set("。，、；：？！”’）》」』】〕…%‰,.;:?!)]}")
OPENING = set("“‘（《「『【〔([{")
# A number keeps the unit that follows it: "48.00 万元" is one piece.
UNITS = ("万元", "亿元", "元", "分", "人", "个", "家", "处", "条", "项", "年", "次", "倍", "户", "天")


def columns(text: str) -> int:
    """Display columns of one line: "中文" is 4, "12" is 2, "“" is 2 (see the module docstring)."""
    return sum(map(char_columns, text))


def output_width(stream=None) -> int:
    """The terminal's width when `stream` (stdout by default) is a terminal; 80 when redirected."""
    stream = stream or sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty:
        return REDIRECTED_WIDTH
    return max(MIN_WIDTH, shutil.get_terminal_size((REDIRECTED_WIDTH, 24)).columns)


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    from perfeval import catalogue as cat

    sheets = sorted(
        {sp.name for sp in cat.SHEETS}
        | {cat.SHEET_GUIDE, cat.SHEET_FINDINGS, cat.SHEET_SCORES, cat.SHEET_RULES, cat.SHEET_REPORT},
        key=len,
        reverse=True,
    )
    ref = r"\$?[A-Z]{1,3}\$?\d+"
    units = "|".join(UNITS)
    return re.compile(
        rf"(?:{'|'.join(map(re.escape, sheets))})(?:!{ref}(?::{ref})?)?"  # 附件2!B25, or 附件2: one piece
        r"|[!-~]+[\\/][^\s“”‘’（）《》，。；、！？]*"  # a file path, Chinese names in it too: one piece
        rf"|[!-~]+(?:(?<=[\d%]) ?(?:{units}))?"  # an ASCII run (number, code, path) with a unit after it
        r"|[\u00b7\u2212\u00d7\u00f7]"  # · − × ÷ stand alone
        r"|\s+"
        r"|."
    )


def _pieces(text: str) -> list[str]:
    """Unbreakable pieces and whitespace runs, punctuation already stuck to its neighbour."""
    raw = _token_pattern().findall(text)
    out: list[str] = []
    glue_next = False
    for tok in raw:
        if tok.isspace():
            out.append(tok)
            glue_next = False
            continue
        if glue_next or (tok[0] in CLOSING and out and not out[-1].isspace()):
            out[-1] += tok
        else:
            out.append(tok)
        glue_next = tok[-1] in OPENING
    return out


def wrap(text: str, width: int, first: str = "", rest: str | None = None) -> list[str]:
    """`text` in lines of at most `width` columns, `first` before the first line and `rest` (default: as
    wide as `first`, blank) before the others. Breaks between Chinese characters and at spaces; never
    inside a number with its unit, a cell reference, a file path or any ASCII word (a path longer than a
    line is left longer than `width`, never cut). A last line of a single character
    ("致", "分。") is avoided by breaking the lines a little earlier, when that keeps the number of lines."""
    rest = " " * columns(first) if rest is None else rest
    lines = _wrap(text, width, first, rest)
    if len(lines) > 1 and columns(lines[-1]) - columns(rest) <= 4:
        for narrower in (width - 2, width - 4, width - 6):
            again = _wrap(text, narrower, first, rest)
            if len(again) == len(lines) and columns(again[-1]) - columns(rest) > 4:
                return again
    return lines


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    lines: list[str] = []
    line, used, start, space = first, columns(first), columns(first), False
    for piece in _pieces(text.replace("\n", " ")):
        if piece.isspace():
            space = used > start  # no space at the start of a line
            continue
        gap, w = (1 if space else 0), columns(piece)
        space = False
        if used + gap + w > width and used > start:
            lines.append(line.rstrip())
            line, used, start, gap = rest, columns(rest), columns(rest), 0
        # A piece longer than a whole line (a long file path) stays whole on its own line, wider than
        # `width`: the terminal folds it for the eye, and it can still be copied as one path.
        line += " " * gap + piece
        used += gap + w
    lines.append(line.rstrip())
    return lines


# --- findings --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingLine:
    """One printed line; `severity` is set on the line that opens a finding's block (for colour)."""

    text: str
    severity: str = ""


def _sheet_of(finding) -> str:
    return finding.cells[0].sheet if finding.cells else ""


def _position(ref) -> tuple[int, int]:
    m = re.match(r"\$?([A-Z]+)\$?(\d+)", ref.address)
    if not m:
        return (0, 0)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return (int(m.group(2)), col)


def _cells_text(cells: Sequence, sheet: str, limit: int = 3) -> str:
    """Cells of the group's own sheet by address alone, others with their sheet; the first few."""
    names = [c.address if c.sheet == sheet else str(c) for c in cells]
    text = "、".join(names[:limit])
    return text + (f" 等 {len(names)} 处" if len(names) > limit else "")


def grouped(findings: Iterable, sheet_order: Sequence[str]) -> list[tuple[str, list]]:
    """Findings by the sheet of their first cell, sheets in workbook order (unknown sheets after, then
    findings without a cell); within a sheet top to bottom, left to right, then by severity."""
    by_sheet: dict[str, list] = {}
    for f in findings:
        by_sheet.setdefault(_sheet_of(f), []).append(f)
    order = {name: i for i, name in enumerate(sheet_order)}
    keys = sorted(by_sheet, key=lambda s: (s == "", order.get(s, len(order)), s))
    return [
        (
            key,
            sorted(
                by_sheet[key],
                key=lambda f: (_position(f.cells[0]) if f.cells else (0, 0), f.severity.rank, f.rule_id),
            ),
        )
        for key in keys
    ]


def _counts(findings: Sequence) -> str:
    from perfeval.core.findings import Severity

    parts = [f"{n} 个{s.value}" for s in Severity if (n := sum(1 for f in findings if f.severity is s))]
    return "、".join(parts)


def finding_blocks(
    findings: Sequence, sheet_order: Sequence[str], width: int, explained=None
) -> list[FindingLine]:
    """Each finding as a short block under its sheet's heading:

    [3] 错误  SUM-007  B25、G4、I30 等 13 处
        message, wrapped
        应为：…
        填报：…
        处理：…  (said once per sheet: a later finding with the same advice refers back to it)
    """
    out: list[FindingLine] = []
    number = 0
    indent = "    "
    for sheet, items in grouped(findings, sheet_order):
        title = f"【{sheet or '不对应单元格'}】{len(items)} 条：{_counts(items)}"
        if out:
            out.append(FindingLine(""))
        out.extend(FindingLine(t) for t in wrap(title, width))
        advised: dict[str, int] = {}
        for f in items:
            number += 1
            out.append(FindingLine(""))
            head = f"[{number}] {f.severity.value}  {f.rule_id}  "
            out.extend(
                FindingLine(t, f.severity.value if i == 0 else "")
                for i, t in enumerate(wrap(_cells_text(f.cells, sheet), width, head, indent))
            )
            out.extend(FindingLine(t) for t in wrap(f.message, width, indent))
            for label, value in (("应为：", f.expected), ("填报：", f.found)):
                if value:
                    out.extend(FindingLine(t) for t in wrap(value, width, indent + label))
            if f.advice:
                if f.advice in advised:
                    out.append(FindingLine(f"{indent}处理：同第 {advised[f.advice]} 条"))
                else:
                    advised[f.advice] = number
                    out.extend(FindingLine(t) for t in wrap(f.advice, width, indent + "处理："))
            note = explained(f) if explained else ""
            if note:
                out.extend(FindingLine(t) for t in wrap(note, width, indent + "审核说明："))
    return out


def _clip(text: str, width: int) -> str:
    """One line of at most `width` columns, cut between pieces (never inside a number) with "…"."""
    if columns(text) <= width:
        return text
    kept, used = "", 0
    for piece in _pieces(text):
        w = columns(piece)
        if used + w + 2 > width:
            break
        kept += piece
        used += w
    return kept.rstrip() + "…"


def brief_lines(findings: Sequence, sheet_order: Sequence[str], width: int) -> list[FindingLine]:
    """One line per finding, in the same order as the blocks: severity, first cell, rule, title; the
    columns aligned."""
    rows = [
        (f, str(f.cells[0]) if f.cells else "—")
        for _s, items in grouped(findings, sheet_order)
        for f in items
    ]
    rows = [(f, where + (f" 等 {len(f.cells)} 处" if len(f.cells) > 1 else "")) for f, where in rows]
    cell_width = min(max((columns(w) for _f, w in rows), default=0), 24)
    rule_width = max((len(f.rule_id) for f, _w in rows), default=0)
    out: list[FindingLine] = []
    for f, where in rows:
        pad = " " * max(0, cell_width - columns(where))
        text = f"{f.severity.value}  {where}{pad}  {f.rule_id:<{rule_width}}  {f.title}"
        out.append(FindingLine(_clip(text, width), f.severity.value))
    return out
