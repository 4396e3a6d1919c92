"""Amounts typed in the other unit: 元 in a form printed in 万元, or 万元 in a form printed in 元 (重庆).

One such figure is ten thousand times too large or too small, and everything computed from it is noise
("相差 4,614,172.00 万元", "执行率得分应为 0.00"). So after parsing, each amount is compared with the amounts
it belongs with, and a figure that is about 10,000 times (元 in a 万元 form) or 1/10,000 (万元 in a 元 form)
of its consistent siblings is *held back*: its Quantity is replaced by one that is present but not `ok`
(Status.UNIT_DOUBT), with a Chinese note saying why. PL-003 reports the cell once; every rule and every
复核 value computed from it sees a non-number and stays silent until the cell is fixed.

Relations used, each only where the form prints them:
- a row's own columns (年初/全年/执行, 上年决算/本年预算/本年决算, 预算投资/实际投资);
- a total and its parts (附件2 年度资金总额 and each split; 三公经费, 公务用车, 项目支出 and the 项目支出明细;
  a project's 年度资金总额 and its 其中 lines; 附件1 决算 and 附件2 执行数 of the same spending);
- for a lone figure in a 万元 form: the profile's cap (amount_in_yuan) and 1000 × the unit's 全年预算数.

Conservative on purpose: a figure the user wrote with a unit ("4614172元") was converted by the parser and
is trusted; a small part of a total (其他资金 0.05 of 500) and a budget largely unspent are left alone; a
figure too small is suspected only next to its own row's siblings, within a factor of 2 of 1/10,000 of them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from perfeval import catalogue as cat
from perfeval.catalogue import FieldType
from perfeval.core.parse import Quantity, Status, parse_number

if TYPE_CHECKING:
    from perfeval.core.model import Model

__all__ = ["FACTOR", "HELD_REASON", "held_amounts", "held_back", "hold_back"]

FACTOR = Decimal(10000)  # 元 per 万元
ZERO = Decimal(0)
# A row's values this far apart (×100) are in two magnitudes; within a magnitude they are "consistent".
_CLUSTER_GAP = Decimal(100)
# How far from exactly 10,000 times its nearest sibling a figure may be: 执行数 against 预算数, 本年 against
# 上年 differ, but rarely by more than half or double.
_WINDOW = Decimal(2)
# A 万元 figure has two decimals: read as 元 and multiplied back it is off by up to half a cent of 万元.
_HALF_CENT = Decimal("0.005")
_BUDGET_MULTIPLE = Decimal(1000)  # one amount a thousand times the unit's whole budget is surely in 元
_SUBSET_LIMIT = 3  # a sum is explained by flipping at most this many cells (or all its parts)
# ... and then adds up to within this share of its size too: with most of it flipped a sum becomes tiny,
# and an absolute tolerance alone would call 0.02 = 0.027 equal.
_RELATIVE = Decimal("0.005")
_UNIT_MARKS = ("元", "万", "亿")  # a unit typed in the cell: the parser converted it, trust it


# What a 复核 cell computed from a held-back amount says instead of a number.
HELD_REASON = "金额单位疑误（见 PL-003），改正后计算"


def held_back(*qtys: Quantity) -> bool:
    """Whether any of these amounts is held back: whatever is computed from them is not computed."""
    return any(q.status is Status.UNIT_DOUBT for q in qtys)


def other_unit(unit: str) -> str:
    return "元" if unit == "万元" else "万元"


def held_amounts(qty: Quantity) -> tuple[Decimal, Decimal] | None:
    """(as read, as meant) in 万元 of a held-back amount; None for any other quantity.

    A held-back Quantity keeps the raw cell and, as its unit, the unit it seems typed in.
    """
    if qty.status is not Status.UNIT_DOUBT:
        return None
    form_unit = other_unit(qty.unit)
    typed = parse_number(qty.raw, unit=form_unit).value
    if typed is None:
        return None
    read = typed / FACTOR if form_unit == "元" else typed
    meant = typed / FACTOR if qty.unit == "元" else typed
    return read, meant


def shown(value_wan: Decimal, form_unit: str) -> str:
    """A 万元 amount as the form prints it, without the unit: 461.42 (万元) or 4,614,200.00 (元)."""
    value = value_wan * FACTOR if form_unit == "元" else value_wan
    return f"{value:,.2f}"


# --- the amounts and their relations -------------------------------------------------------------------------
@dataclass
class _Cell:
    qty: Quantity
    put: Callable[[Quantity], None]

    @property
    def value(self) -> Decimal | None:
        """The number as read (万元), if any."""
        return self.qty.value if self.qty.ok else None

    @property
    def positive(self) -> Decimal | None:
        value = self.value
        return value if value is not None and value > 0 else None

    @property
    def doubtable(self) -> bool:
        """A positive number typed bare: one the user wrote with a unit was converted, and is trusted."""
        raw = self.qty.raw
        return self.positive is not None and not (isinstance(raw, str) and any(u in raw for u in _UNIT_MARKS))


@dataclass
class _Sum:
    """Parts that add up to a total; `totals` are the alternatives it may be (附件2's one-figure splits add
    up to 全年执行数, or to 全年预算数 where the unit put that), the first that explains the sum is used."""

    totals: list[str]
    parts: list[str]
    # For two amounts that must be equal: what each one is ("附件2 按支出性质分 项目支出", "附件1 …本年决算数").
    what: tuple[str, str] | None = None


@dataclass
class _Relations:
    cells: dict[str, _Cell] = field(default_factory=dict)
    rows: list[list[str]] = field(default_factory=list)
    sums: list[_Sum] = field(default_factory=list)


def _relations(m: Model) -> _Relations:
    rel = _Relations()

    def add(key: str, qty: Quantity, put: Callable[[Quantity], None]) -> str:
        rel.cells[key] = _Cell(qty, put)
        return key

    for f in cat.input_fields():
        if f.type is FieldType.AMOUNT:
            add(f.name, m.q[f.name], lambda q, n=f.name: m.q.__setitem__(n, q))

    # 附件2: the 年度资金总额 row; each split group (one figure a line) adding up to it.
    rel.rows.append([f"ua_{c}" for c in cat.BUDGET_COLS])
    for _, _, splits in cat.SPLIT_GROUPS:
        rel.sums.append(_Sum([f"ua_{b}" for b in cat.SPLIT_BASES], [f"ua_{k}" for k, _ in splits]))
    # 附件1: each cost row over its three year columns; the totals with parts that add up to them.
    rel.rows += [[f"bd_{key}_{c}" for c in cat.YEAR_COLS] for key, *_ in cat.COST_ROWS]
    rel.rows.append(["bd_building_budgeted_investment", "bd_building_actual_investment"])
    item_keys: dict[str, list[str]] = {c: [] for c in cat.YEAR_COLS}
    for it in m.project_items:
        row = [
            add(f"item{it.index}.{c}", it.amounts[c], lambda q, a=it.amounts, c=c: a.__setitem__(c, q))
            for c in cat.YEAR_COLS
        ]
        rel.rows.append(row)
        for c, key in zip(cat.YEAR_COLS, row, strict=True):
            item_keys[c].append(key)
    for key, parts in cat.SUM_ROWS.items():
        for c in cat.YEAR_COLS:
            names = item_keys[c] if parts == (cat.PROJECT_ITEMS.name,) else [f"bd_{p}_{c}" for p in parts]
            rel.sums.append(_Sum([f"bd_{key}_{c}"], names))
    # The same spending on both sheets (XT-001, XT-002).
    for kind, what in (("project", "项目支出"), ("basic", "基本支出")):
        pair = (f"附件2 按支出性质分 {what}", f"附件1 {what}本年决算数")
        rel.sums.append(_Sum([f"ua_{kind}_expenditure"], [f"bd_{kind}_current_actual"], pair))
    # Projects: the 年度资金总额 row and each 其中 line, and the lines adding up to the total.
    for p in m.projects:
        total = [
            add(f"p{p.index}.{c}", getattr(p, c), lambda q, p=p, c=c: setattr(p, c, q)) for c in cat.FUND_COLS
        ]
        rel.rows.append(total)
        lines = [
            [
                add(f"p{p.index}.{s}_{c}", p.funds[s][c], lambda q, d=p.funds[s], c=c: d.__setitem__(c, q))
                for c in cat.FUND_COLS
            ]
            for s, _ in cat.FUND_SOURCES
            if s in p.funds
        ]
        rel.rows += lines
        for i, _ in enumerate(cat.FUND_COLS):
            rel.sums.append(_Sum([total[i]], [line[i] for line in lines]))
    return rel


# --- detection ----------------------------------------------------------------------------------------------
def _log_distance(ratio: Decimal) -> float:
    """How far a ratio (≥ 1) is from exactly 10,000, in powers of ten (0 = exactly)."""
    return abs(math.log10(ratio) - 4)


def _row_doubts(rel: _Relations, row: list[str], meant: str, form: str) -> Iterator[tuple[str, str]]:
    """Cells of one row in another magnitude than their siblings, about 10,000 times apart."""
    values = sorted((v, k) for k in row if (v := rel.cells[k].positive) is not None)
    if len(values) < 2:
        return
    clusters: list[list[tuple[Decimal, str]]] = [[values[0]]]
    for prev, cur in itertools.pairwise(values):
        if cur[0] >= prev[0] * _CLUSTER_GAP:
            clusters.append([])
        clusters[-1].append(cur)
    if len(clusters) < 2:
        return
    # 元 in a 万元 form: the top magnitude against the one below it; 万元 in a 元 form: the bottom one.
    suspects, others = (clusters[-1], clusters[-2]) if meant == "元" else (clusters[0], clusters[1])
    if len(suspects) > len(others):
        return  # the odd one out is the other magnitude (a small 年初 with a large 全年 is common)
    for value, key in suspects:
        if not rel.cells[key].doubtable:
            continue
        ref = min((v for v, _ in others), key=lambda v: _log_distance(max(value, v) / min(value, v)))
        ratio = value / ref if meant == "元" else ref / value
        if FACTOR / _WINDOW <= ratio <= FACTOR * _WINDOW:
            yield key, f"同行其余金额约为 {shown(ref, form)}"


def _sum_doubts(
    rel: _Relations, s: _Sum, meant: str, form: str, tolerance: Decimal
) -> Iterator[tuple[str, str]]:
    """Cells whose value in the other unit makes a total and its parts add up, where they did not."""
    parts = [rel.cells[k] for k in s.parts]
    if any(c.qty.present and c.value is None for c in parts):
        return  # a part is unreadable: no sum to explain
    part_values = [c.value or ZERO for c in parts]  # blank parts count as 0, as in the SUM rules
    totals = [t for t in s.totals if rel.cells[t].positive is not None]
    if not any(part_values) or not totals:
        return
    if any(abs(_value(rel, t) - sum(part_values, ZERO)) <= tolerance for t in totals):
        return  # it adds up to one of the totals
    for total in totals:
        found = _flips(rel, [total, *s.parts], meant, tolerance)
        if found is None:
            continue
        keys, fixed, subset = found
        for i in subset:
            if s.what:
                why = f"{s.what[1 - i]}为 {shown(fixed[1 - i], form)}"
            elif i == 0:
                why = f"分项合计约为 {shown(sum(fixed[1:], ZERO), form)}"
            else:
                why = f"所属合计为 {shown(fixed[0], form)}，按此应约为 {shown(fixed[i], form)}"
            yield keys[i], why
        return


def _value(rel: _Relations, key: str) -> Decimal:
    return rel.cells[key].value or ZERO


def _flips(
    rel: _Relations, keys: list[str], meant: str, tolerance: Decimal
) -> tuple[list[str], list[Decimal], tuple[int, ...]] | None:
    """The one smallest set of cells that, read in the other unit, makes keys[0] = sum(keys[1:])."""
    values = [_value(rel, k) for k in keys]
    scale = 1 / FACTOR if meant == "元" else FACTOR
    flippable = [i for i, k in enumerate(keys) if rel.cells[k].doubtable]
    nonzero = {i for i, v in enumerate(values) if v}
    # Reading every figure in the other unit changes nothing but the scale: at least one stays as read.
    subsets = [
        subset
        for size in range(1, min(_SUBSET_LIMIT, len(flippable)) + 1)
        for subset in itertools.combinations(flippable, size)
        if not nonzero <= set(subset)
    ]
    all_parts = tuple(i for i in flippable if i > 0)
    if len(all_parts) > _SUBSET_LIMIT and not nonzero <= set(all_parts):
        subsets.append(all_parts)  # a whole list typed in the other unit
    for size in sorted({len(x) for x in subsets}):
        found = []
        for subset in (x for x in subsets if len(x) == size):
            fixed = [v * scale if i in subset else v for i, v in enumerate(values)]
            gap = abs(fixed[0] - sum(fixed[1:], ZERO))
            if gap <= tolerance + _HALF_CENT * size and gap <= _RELATIVE * max(
                fixed[0], sum(fixed[1:], ZERO)
            ):
                found.append((keys, fixed, subset))
        if len(found) > 1:
            return None  # more than one way to explain it: say nothing
        if found:
            return found[0]
    return None


def _lone_doubts(m: Model, rel: _Relations, doubted: set[str]) -> Iterator[tuple[str, str]]:
    """A 元 figure in a 万元 form with nothing to compare it with: too large for any unit's budget."""
    limit = m.profile.amount_in_yuan
    budget_cell = rel.cells.get("ua_adjusted_budget")
    budget = budget_cell.positive if budget_cell and "ua_adjusted_budget" not in doubted else None
    for key, c in rel.cells.items():
        value = c.positive
        if value is None or not c.doubtable:
            continue
        if value > limit:
            yield key, f"超过 {limit.normalize():f} 万元"
        elif key != "ua_adjusted_budget" and budget is not None and value > budget * _BUDGET_MULTIPLE:
            yield key, f"超过全年预算数 {shown(budget, '万元')} 的 {_BUDGET_MULTIPLE} 倍"


def _find(m: Model, rel: _Relations) -> dict[str, str]:
    """Each amount that seems typed in the other unit, by its key in `rel`, with why (Chinese)."""
    form = m.amount_unit
    meant = other_unit(form)
    tolerance = m.profile.amount_tolerance
    doubts: dict[str, str] = {}
    for row in rel.rows:
        for key, why in _row_doubts(rel, row, meant, form):
            doubts.setdefault(key, why)
    for s in rel.sums:
        for key, why in _sum_doubts(rel, s, meant, form, tolerance):
            doubts.setdefault(key, why)
    if meant == "元":  # a lone figure can only be seen too large
        for key, why in _lone_doubts(m, rel, set(doubts)):
            doubts.setdefault(key, why)
    return doubts


def hold_back(m: Model) -> Model:
    """Replace each amount typed in the other unit by a held-back Quantity; returns the model."""
    rel = _relations(m)
    form = m.amount_unit
    meant = other_unit(form)
    for key, why in _find(m, rel).items():
        c = rel.cells[key]
        note = f"{why}，疑似按“{meant}”填报（本表金额单位为{form}）"
        c.put(replace(c.qty, status=Status.UNIT_DOUBT, value=None, unit=meant, note=note))
    return m
