"""Random mutations of the 桃江 example and the `perfeval check` contract they must keep.

Shared by tests/test_fuzz.py (the CI run) and benchmarks/fuzz_long.py (the long run). A mutation is a list
of small operations (`Op`) applied to the example loaded with openpyxl: a value of any type in any cell of
the catalogue or its tables, table rows deleted and added, sheets renamed, hidden, deleted or added,
defined names repointed or deleted. `check_contract` then runs `perfeval check` through `perfeval.cli.main`
(the real entry point, with its 程序内部错误 handler) and asserts the documented contract.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from perfeval import catalogue as cat

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "桃江县科协2023.xlsx"
EXAMPLE_BYTES = EXAMPLE.read_bytes()

INPUT_FIELDS = tuple(name for name, f in cat.fields().items() if not f.computed)
COMPUTED_FIELDS = tuple(name for name, f in cat.fields().items() if f.computed)
TABLE_NAMES = tuple(cat.TABLES)
SHEET_NAMES = cat.INPUT_SHEETS
ALL_NAMES = (cat.VERSION_NAME, *cat.fields())


# --- values --------------------------------------------------------------------------------------------
SPECIAL_NUMBERS = (
    0,
    -0.0,
    1,
    -1,
    100,
    158.43,
    266.32,
    0.1 + 0.2,
    1 / 3,
    99.99999999999,
    -158.43,
    1e-300,
    5e-324,
    -1e-9,
    0.0000001,
    1e15,
    1e26,
    -1e26,
    1e300,
    -1e300,
    1.7976931348623157e308,
    2**53 + 1,
    2**63,
    10**30,
    -(10**30),
)
SPECIAL_STRINGS = (
    "",
    " ",
    "\u3000",
    "无",
    "暂无",
    "—",
    "/",
    "-",
    "N/A",
    "#DIV/0!",
    "#REF!",
    "#N/A",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#SPILL!",
    "=1+1",
    "=1/0",
    "=A1",
    "=SUM(B1:B3)",
    "=#REF!",
    "=NA()",
    "≥95%",
    "≤5万元",
    "＞10个",
    "不低于10个",
    "10个",
    "100%",
    "95.5%",
    "120%",
    "-5%",
    "50%%",
    "%",
    "１５８．４３",
    "１５８．４３万元",
    "158.43万元",
    "158.43 万元",
    "1,584,300元",
    "1,584,300",
    "1.584.300",
    "-12.5",
    "−12.5",
    "(12.5)",
    "+12.5",
    "1e5",
    "1E+26",
    "1e300",
    "1e-300",
    "1e999999",
    "-1e999999",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-inf",
    "∞",
    "9" * 400,
    "0." + "0" * 60 + "1",
    "158.4300000000000000000000001",
    "1/3",
    "10-20",
    "95%-100%",
    "≥≥95%",
    ">=95% <=100%",
    "约10个左右",
    "达到10个以上",
    "万元",
    "年",
    "2023",
    "2023年",
    "２０２３年",
    "二〇二三",
    "2023.5",
    "1899",
    "99999",
    "二十",
    "十个",
    "①",
    "½",
    "²",
    "٣",
    "Ⅻ",
    "🙂",
    "达成年度指标",
    "部分达成并具有一定效果",
    "未达成且效果较差",
    "优",
    "良",
    "差",
    "定量",
    "定性",
    "正向",
    "反向",
    "定值",
    "产出指标",
    "效益指标",
    "满意度指标",
    "数量指标",
    "服务对象满意度指标",
    "行政单位",
    "TRUE",
    "FALSE",
    "'158.43",
    "158.43\n",
    "\t158",
    "编制人数6人，实有在职人员7人，年初预算158.43万元，全年预算266.32万元，未进行相关事项的调整。",
    "全部完成，未超预算，控制较好。",
    "三公经费较上年增长25%，公用经费控制率113.66%。",
)
# Characters that make number-like text: digits (ASCII, full-width), separators, signs, units, comparators.
NUMBERISH = "0123456789０１２３４５６７８９.．,，%％‰万元个人次年分≥≤<>=＋-−+ 　无约达以上下内eE"


def _long_text(n: int) -> str:
    base = "单位编制人数7人，年初预算158.43万元，执行率100%，项目10个。"
    return (base * (n // len(base) + 1))[:n]


text_values = st.one_of(
    st.sampled_from(SPECIAL_STRINGS),
    st.text(alphabet=NUMBERISH, max_size=16),
    st.text(
        alphabet=st.characters(
            exclude_categories=("Cs", "Cc"),
            exclude_characters="\ufffe\uffff",
            include_characters="\n\t",
        ),
        max_size=24,
    ),
    st.sampled_from((1000, 32767, 40000)).map(_long_text),
)
number_values = st.one_of(
    st.sampled_from(SPECIAL_NUMBERS),
    st.integers(-(10**6), 10**6),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False),
)
# What Excel can hold: dates from 1900-03-01 (before, its serials disagree with every other calendar), times
# and durations to the millisecond, durations not negative.
_MS = dt.timedelta(milliseconds=1)
date_values = st.one_of(
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)).map(
        lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)
    ),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.times().map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(9999)).map(lambda d: d // _MS * _MS),
)
cell_values = st.one_of(
    number_values,
    text_values,
    date_values,
    st.booleans(),
    st.none(),
)


# --- operations ----------------------------------------------------------------------------------------
def _set_ref(t, min_col: int, min_row: int, max_col: int, max_row: int) -> None:
    """A table's range (and its filter's) set as Excel keeps them in step."""
    t.ref = f"{cat.get_column_letter(min_col)}{min_row}:{cat.get_column_letter(max_col)}{max_row}"
    if t.autoFilter is not None:
        t.autoFilter.ref = t.ref


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class Op:
    def apply(self, wb: Workbook, sheets: dict[str, object]) -> None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass(frozen=True)
class SetField(Op):
    """A value in the cell a catalogue field names (user or computed cell)."""

    name: str
    value: object

    def apply(self, wb, sheets):
        f = cat.field(self.name)
        sheets[f.sheet][f.cell].value = self.value


@dataclass(frozen=True)
class SetTableCell(Op):
    """A value in a table cell; rows past the end of the table are typed below it."""

    table: str
    row: int
    column: int
    value: object

    def apply(self, wb, sheets):
        spec = cat.TABLES[self.table]
        ws = sheets[spec.sheet]
        if self.table not in ws.tables:
            return
        min_col, min_row, max_col, _ = cat.range_bounds(ws.tables[self.table].ref)
        ws.cell(min_row + 1 + self.row, min_col + self.column % (max_col - min_col + 1)).value = self.value


@dataclass(frozen=True)
class DeleteTableRow(Op):
    """As Excel's "delete table row": rows below move up, the table shrinks (it keeps one data row)."""

    table: str
    row: int

    def apply(self, wb, sheets):
        ws = sheets[cat.TABLES[self.table].sheet]
        if self.table not in ws.tables:
            return
        t = ws.tables[self.table]
        min_col, min_row, max_col, max_row = cat.range_bounds(t.ref)
        if max_row - min_row < 2:
            return
        target = min_row + 1 + self.row % (max_row - min_row)
        for r in range(target, max_row):
            for c in range(min_col, max_col + 1):
                ws.cell(r, c).value = ws.cell(r + 1, c).value
        for c in range(min_col, max_col + 1):
            ws.cell(max_row, c).value = None
        _set_ref(t, min_col, min_row, max_col, max_row - 1)


@dataclass(frozen=True)
class AddTableRows(Op):
    """The table grows by `count` rows, filled with `values` (cycled over the new cells)."""

    table: str
    count: int
    values: tuple[object, ...]

    def apply(self, wb, sheets):
        ws = sheets[cat.TABLES[self.table].sheet]
        if self.table not in ws.tables:
            return
        t = ws.tables[self.table]
        min_col, min_row, max_col, max_row = cat.range_bounds(t.ref)
        i = 0
        for r in range(max_row + 1, max_row + 1 + self.count):
            for c in range(min_col, max_col + 1):
                if self.values:
                    ws.cell(r, c).value = self.values[i % len(self.values)]
                    i += 1
        new_max = max_row + self.count
        _set_ref(t, min_col, min_row, max_col, new_max)


@dataclass(frozen=True)
class SetTableHeader(Op):
    """A table header cell retyped (columns are matched by header text)."""

    table: str
    column: int
    value: object

    def apply(self, wb, sheets):
        ws = sheets[cat.TABLES[self.table].sheet]
        if self.table not in ws.tables:
            return
        min_col, min_row, max_col, _ = cat.range_bounds(ws.tables[self.table].ref)
        ws.cell(min_row, min_col + self.column % (max_col - min_col + 1)).value = self.value


@dataclass(frozen=True)
class DeleteTable(Op):
    table: str

    def apply(self, wb, sheets):
        ws = sheets[cat.TABLES[self.table].sheet]
        if self.table in ws.tables:
            del ws.tables[self.table]


@dataclass(frozen=True)
class DeleteSheetRows(Op):
    """Rows deleted as Excel deletes them: cells move up and the names and tables below move with them;
    a name on a deleted row becomes #REF!. (openpyxl's delete_rows alone moves only the cells, which no
    spreadsheet program does: the names would then point at other rows' content.)"""

    sheet: str
    row: int
    count: int

    def apply(self, wb, sheets):
        ws = sheets[self.sheet]
        first, last = self.row, self.row + self.count - 1
        ws.delete_rows(self.row, self.count)
        prefix = _quote(ws.title) + "!"
        for dn in wb.defined_names.values():
            m = re.fullmatch(r"(.+)!\$([A-Z]+)\$(\d+)", dn.attr_text or "")
            if m is None or m.group(1) not in (prefix[:-1], ws.title):
                continue
            row = int(m.group(3))
            if first <= row <= last:
                dn.attr_text = prefix + "#REF!"
            elif row > last:
                dn.attr_text = f"{prefix}${m.group(2)}${row - self.count}"
        for t in list(ws.tables.values()):
            min_col, min_row, max_col, max_row = cat.range_bounds(t.ref)
            lo = min_row - self.count if min_row > last else min(min_row, first)
            hi = max_row - min(self.count, max(0, max_row - first + 1))
            if hi <= lo:  # the header or every row of the table is gone: Excel drops the table
                del ws.tables[t.name]
                continue
            _set_ref(t, min_col, lo, max_col, hi)


@dataclass(frozen=True)
class RenameSheet(Op):
    """A sheet renamed; with `update_names`, the defined names follow it (as in Excel)."""

    sheet: str
    title: str
    update_names: bool

    def apply(self, wb, sheets):
        ws = sheets[self.sheet]
        if self.title.casefold() in (n.casefold() for n in wb.sheetnames):
            return  # Excel refuses a taken name (openpyxl would add a digit, past 31 characters)
        old, new = ws.title, self.title
        ws.title = new
        if self.update_names:
            for dn in wb.defined_names.values():
                if dn.attr_text:
                    dn.attr_text = dn.attr_text.replace(_quote(old) + "!", _quote(new) + "!")


@dataclass(frozen=True)
class HideSheet(Op):
    sheet: str
    state: str  # "hidden" or "veryHidden"

    def apply(self, wb, sheets):
        ws = sheets[self.sheet]
        if sum(s.sheet_state == "visible" for s in wb.worksheets if s is not ws) == 0:
            return
        ws.sheet_state = self.state


@dataclass(frozen=True)
class DeleteSheet(Op):
    sheet: str

    def apply(self, wb, sheets):
        ws = sheets[self.sheet]
        if ws in wb.worksheets and len(wb.worksheets) > 1:
            wb.remove(ws)


@dataclass(frozen=True)
class AddSheet(Op):
    """A user's sheet, possibly named like one the tool writes, with a few values in column A and B."""

    title: str
    values: tuple[object, ...]

    def apply(self, wb, sheets):
        if self.title.casefold() in (n.casefold() for n in wb.sheetnames):
            return
        ws = wb.create_sheet(self.title)
        for i, v in enumerate(self.values):
            ws.cell(1 + i // 2, 1 + i % 2).value = v


@dataclass(frozen=True)
class RepointName(Op):
    """A defined name pointed elsewhere: another cell, a range, a missing sheet, #REF!, a constant..."""

    name: str
    target: str

    def apply(self, wb, sheets):
        dn = wb.defined_names.get(self.name)
        if dn is not None:
            dn.attr_text = self.target


@dataclass(frozen=True)
class DeleteName(Op):
    name: str

    def apply(self, wb, sheets):
        if self.name in wb.defined_names:
            del wb.defined_names[self.name]


# --- strategies for operations ---------------------------------------------------------------------------
def _address(col: int, row: int, absolute: bool = True) -> str:
    d = "$" if absolute else ""
    return f"{d}{cat.get_column_letter(col)}{d}{row}"


_cols = st.integers(1, 16)
_rows = st.integers(1, 60)
_sheets = st.sampled_from(SHEET_NAMES)

name_targets = st.one_of(
    st.builds(lambda s, c, r: f"{_quote(s)}!{_address(c, r)}", _sheets, _cols, _rows),
    st.builds(lambda s, c, r: f"{_quote(s)}!{_address(c, r, False)}", _sheets, _cols, _rows),
    st.builds(
        lambda s, c, r, w, h: f"{_quote(s)}!{_address(c, r)}:{_address(c + w, r + h)}",
        _sheets,
        _cols,
        _rows,
        st.integers(0, 3),
        st.integers(0, 3),
    ),
    st.builds(lambda c, r: f"'不存在的表'!{_address(c, r)}", _cols, _rows),
    st.sampled_from(
        (
            "'附件1'!$A$1:$B$3",
            "'附件2'!#REF!",
            "#REF!",
            '"常量"',
            "42",
            "[1]Sheet1!$A$1",
            "'附件1'!$B:$B",
            "'附件1'!$3:$3",
            "SUM('附件1'!$B$5:$B$7)",
            "'附件1'!$B$5,'附件2'!$B$4",
            "'附件1'!$XFD$1048576",
            "'附件1'!$B$1048577",
            "'附件1'!$A$0",
            "Sheet1!A1",
            "",
        )
    ),
)

sheet_titles = st.one_of(
    st.sampled_from(
        (
            *cat.INPUT_SHEETS,
            *cat.OUTPUT_SHEETS,
            cat.SHEET_STATE,
            "自评报告（修改稿）",
            "Sheet1",
            "附件 1",
            "附件1 ",
            "it's",  # quoted as 'it''s' in references
            "历史记录",
            "x" * 31,
        )
    ),
    st.text(
        alphabet=st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="[]:*?/\\\ufffe\uffff"),
        min_size=1,
        max_size=31,
    ).filter(lambda s: s.strip() != "" and not s.startswith("'") and not s.endswith("'")),  # as Excel
)


@st.composite
def table_cell_ops(draw) -> SetTableCell:
    table = draw(st.sampled_from(TABLE_NAMES))
    n_cols = len(cat.TABLES[table].columns)
    return SetTableCell(table, draw(st.integers(0, 25)), draw(st.integers(0, n_cols - 1)), draw(cell_values))


value_ops = st.one_of(
    st.builds(SetField, st.sampled_from(INPUT_FIELDS), cell_values),
    table_cell_ops(),
    st.builds(SetField, st.sampled_from(COMPUTED_FIELDS), cell_values),
)
_tables = st.sampled_from(TABLE_NAMES)
structure_ops = st.one_of(
    st.builds(DeleteTableRow, _tables, st.integers(0, 20)),
    st.builds(AddTableRows, _tables, st.integers(1, 40), st.lists(cell_values, max_size=6).map(tuple)),
    st.builds(SetTableHeader, _tables, st.integers(0, 20), cell_values),
    st.builds(DeleteTable, _tables),
    st.builds(DeleteSheetRows, _sheets, st.integers(1, 45), st.integers(1, 5)),
    st.builds(RenameSheet, _sheets, sheet_titles, st.booleans()),
    st.builds(HideSheet, _sheets, st.sampled_from(("hidden", "veryHidden"))),
    st.builds(DeleteSheet, _sheets),
    st.builds(AddSheet, sheet_titles, st.lists(cell_values, max_size=6).map(tuple)),
    st.builds(RepointName, st.sampled_from(ALL_NAMES), name_targets),
    st.builds(DeleteName, st.sampled_from(ALL_NAMES)),
)


# Mostly values (so most workbooks get through to the full check), sometimes structure too. A flat list
# shrinks well: hypothesis drops operations one by one.
mutations = st.lists(st.one_of(value_ops, value_ops, value_ops, value_ops, structure_ops), max_size=14).map(
    tuple
)


def build_workbook(ops: tuple[Op, ...], path: Path) -> None:
    """The example with `ops` applied, saved at `path`."""
    wb = load_workbook(io.BytesIO(EXAMPLE_BYTES))
    sheets = {ws.title: ws for ws in wb.worksheets}  # by original title, whatever renames come
    for op in ops:
        op.apply(wb, sheets)
    if wb.active is None or wb.active.sheet_state != "visible":
        wb.active = next(i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible")
    wb.save(path)


# --- the contract ----------------------------------------------------------------------------------------
@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path) -> CliRun:
    """`perfeval ARGS` in-process through `perfeval.cli.main`, the console entry point."""
    from perfeval import cli

    stdout, stderr = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with (
        mock.patch.object(sys, "argv", ["perfeval", *map(str, args)]),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        try:
            cli.main()
        except SystemExit as e:
            code = e.code
    return CliRun(
        code if isinstance(code, int) else (0 if code is None else 2), stdout.getvalue(), stderr.getvalue()
    )


def _internal_error_detail(run: CliRun) -> str:
    m = re.search(r"详细信息已写入 (\S+?)，", run.stderr)
    log = Path(m.group(1)) if m else None
    return log.read_text(encoding="utf-8") if log and log.exists() else run.stderr


class ContractViolation(AssertionError):
    """A broken promise of `perfeval check`; `kind` classifies it for the long run's summary."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}\n{detail}")
        self.kind = kind
        self.detail = detail


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check(path: Path, out: Path) -> CliRun:
    before = _sha(path)
    run = run_cli("check", path, "-o", out, "--json")
    if "程序内部错误" in run.stderr:
        raise ContractViolation("程序内部错误", _internal_error_detail(run))
    if "Traceback (most recent call last)" in run.stderr + run.stdout:
        raise ContractViolation("traceback", run.stderr + run.stdout)
    if run.code not in (0, 1, 2):
        raise ContractViolation(f"exit code {run.code}", run.stderr)
    if _sha(path) != before:
        raise ContractViolation("input changed", str(path))
    if run.code == 2:
        if "无法处理" not in run.stderr or not re.search(r"[\u4e00-\u9fff]", run.stderr):
            raise ContractViolation("exit 2 without a Chinese message", run.stderr)
        if out.exists():
            raise ContractViolation("exit 2 but an output file was written", str(out))
        return run
    if not out.exists():
        raise ContractViolation("no output file", run.stderr)
    return run


def _findings(run: CliRun) -> tuple[dict, list[tuple[str, tuple[str, ...], str]]]:
    try:
        data = json.loads(run.stdout)
    except ValueError as e:
        raise ContractViolation("--json output is not JSON", f"{e}\n{run.stdout[:2000]}") from None
    return data, [(f["rule"], tuple(f["cells"]), f["severity"]) for f in data["findings"]]


# Findings that a first run legitimately settles, so they are absent from the re-check of its output:
# RPT-001 (a hand-edited 自评报告 is kept as 自评报告（修改稿） and a fresh one written).
ONE_TIME_RULES = frozenset({"RPT-001"})


@dataclass
class Outcome:
    code: int  # exit code of the first check
    rechecked: bool = False


def check_contract(
    path: Path, workdir: Path, *, recheck: bool = True, timings: dict[str, float] | None = None
) -> Outcome:
    """Check `path`; with `recheck`, check the output again and compare findings and workbook content.

    Raises ContractViolation for a broken promise. `workdir` receives the output files; `timings`, when
    given, accumulates seconds per stage (check, recheck, content).
    """
    clock = _Clock(timings)
    out1, out2 = workdir / "out1.xlsx", workdir / "out2.xlsx"
    with clock("check"):
        first = _check(path, out1)
    if first.code == 2:
        return Outcome(first.code)
    data1, findings1 = _findings(first)
    errors = data1["summary"].get("错误", 0)
    if (first.code == 1) != bool(errors):
        raise ContractViolation("exit code does not match the 错误 count", f"{first.code} vs {errors}")
    if not recheck:
        return Outcome(first.code)
    with clock("recheck"):
        second = _check(out1, out2)
    if second.code == 2:
        raise ContractViolation("the tool's own output is unreadable", second.stderr)
    _, findings2 = _findings(second)
    settled = [f for f in findings1 if f[0] in ONE_TIME_RULES]
    expected = [f for f in findings1 if f[0] not in ONE_TIME_RULES]
    if findings2 != expected:
        raise ContractViolation("re-check findings differ", _diff(expected, findings2))
    if settled:
        # The first output is not yet a fixed point; the second one must be.
        out3 = workdir / "out3.xlsx"
        third = _check(out2, out3)
        if _findings(third)[1] != findings2:
            raise ContractViolation("re-check findings differ", _diff(findings2, _findings(third)[1]))
        out1, out2 = out2, out3
    with clock("content"):
        c1, c2 = _content(out1), _content(out2)
    if c1 != c2:
        raise ContractViolation("re-check workbook content differs", _content_diff(c1, c2))
    return Outcome(first.code, rechecked=True)


def _content(path: Path) -> dict:
    """tests/workbook_content.content plus the sheet-scoped names (the tool marks its own sheets so)."""
    from tests.workbook_content import content

    wb = load_workbook(path)
    out = content(wb)
    out["local names"] = sorted(
        (ws.title, n, dn.attr_text) for ws in wb.worksheets for n, dn in ws.defined_names.items()
    )
    return out


class _Clock:
    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            if self.timings is not None:
                self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start


def _diff(a: list, b: list) -> str:
    only_a = [x for x in a if x not in b]
    only_b = [x for x in b if x not in a]
    order = "" if only_a or only_b else "(same findings, different order)"
    return f"first only: {only_a}\nsecond only: {only_b}\n{order}"


def _content_diff(c1: dict, c2: dict, limit: int = 12) -> str:
    lines: list[str] = []
    for key in sorted(set(c1) | set(c2)):
        a, b = c1.get(key), c2.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            for sub in sorted(set(a) | set(b)):
                if a.get(sub) == b.get(sub):
                    continue
                if sub == "cells":
                    ca, cb = a.get(sub, {}), b.get(sub, {})
                    for addr in sorted(set(ca) | set(cb)):
                        if ca.get(addr) != cb.get(addr):
                            lines.append(f"{key}!{addr}: {ca.get(addr)!r} -> {cb.get(addr)!r}")
                else:
                    lines.append(f"{key} {sub}: {a.get(sub)!r} -> {b.get(sub)!r}")
        else:
            lines.append(f"{key}: {a!r} -> {b!r}")
    return "\n".join(lines[:limit]) + (f"\n… {len(lines) - limit} more" if len(lines) > limit else "")


class ExampleTimeout(BaseException):
    """Raised by `limits` when one example runs too long (BaseException: main() must not swallow it)."""


@contextlib.contextmanager
def limits(seconds: int = 60, memory: int = 3 * 2**30) -> Iterator[None]:
    """At most `seconds` and `memory` more bytes of address space for what runs inside (Unix; no-op
    elsewhere): a pathological workbook then fails its example instead of hanging or swapping the run.
    MemoryError inside the check becomes its 程序内部错误 path, which the contract reports."""
    try:
        import resource
        import signal

        signal.SIGALRM  # noqa: B018 - not on Windows
    except (ImportError, AttributeError):
        yield
        return

    def expire(signum, frame):
        raise ExampleTimeout(f"example took more than {seconds} s")

    old_handler = signal.signal(signal.SIGALRM, expire)
    old_as = resource.getrlimit(resource.RLIMIT_AS)
    statm = Path("/proc/self/statm")  # Linux: the address space in use now
    if statm.exists():
        used = int(statm.read_text().split()[0]) * resource.getpagesize()
        cap = used + memory if old_as[0] == resource.RLIM_INFINITY else min(old_as[0], used + memory)
        resource.setrlimit(resource.RLIMIT_AS, (cap, old_as[1]))
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old_handler)
        resource.setrlimit(resource.RLIMIT_AS, old_as)


@contextlib.contextmanager
def workdir() -> Iterator[Path]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="perfeval-fuzz-") as d:
        yield Path(d)


def describe(ops: tuple[Op, ...]) -> str:
    """A short, reproducible description of a mutation (for failure reports)."""
    parts = []
    for op in ops:
        text = repr(op)
        parts.append(text if len(text) < 300 else text[:297] + "...")
    return "[" + ",\n ".join(parts) + "]"


os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def crash_class(e: ContractViolation) -> str:
    """A short key grouping violations with one cause: the exception and the innermost perfeval frame."""
    if e.kind not in ("程序内部错误", "timeout"):
        return e.kind
    frames = re.findall(r'File "([^"]*perfeval[/\\][^"]+)", line (\d+), in (\S+)', e.detail)
    last = e.detail.strip().splitlines()[-1] if e.detail.strip() else "?"
    exc = "timeout" if e.kind == "timeout" else re.sub(r":.*", "", last)
    if frames:
        file, _, func = frames[-1]
        where = re.sub(r".*[/\\]perfeval[/\\]", "perfeval/", file)
        return f"{exc} in {where}:{func}"
    return exc
