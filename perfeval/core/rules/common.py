"""Helpers the rule modules share: cell references, labels, quantities."""

from __future__ import annotations

from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.core.model import Indicator, Model, as_text
from perfeval.core.parse import Quantity
from perfeval.core.rules.registry import fmt_num
from perfeval.core.snapshot import CellRef

ZERO = Decimal(0)
PROJECTS = cat.PROJECTS.name

_COMPARATOR_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


# --- workbook cells and labels ----------------------------------------------------------------------------
def missing(m: Model, name: str) -> bool:
    """The workbook lacks the defined name: CMP-001 reports it, so other rules stay quiet about it."""
    return name in m.snapshot.missing_names


def row_title(m: Model, table: str, index: int) -> str:
    """Project and 三级指标 of a project indicator, else the 三级指标 or the name; "" when blank."""
    data = m.snapshot.tables.get(table)
    if data is None or not 0 <= index < len(data.rows):
        return ""
    row = data.rows[index]
    parts = [as_text(row.get("project")), as_text(row.get("level3")) or as_text(row.get("name"))]
    return "：".join(p for p in parts if p)


def table_label(m: Model, table: str, index: int, key: str) -> str:
    """Cell, column header and row, e.g. 附件2!H30 分值（开展科普活动次数）."""
    header = cat.TABLES[table].column(key).header
    title = row_title(m, table, index)
    return f"{m.tref(table, index, key)} {header}" + (f"（{title}）" if title else "")


def join_labels(labels: list[str], limit: int = 8) -> str:
    """A readable list; a long one is cut so a message stays one paragraph."""
    if len(labels) <= limit:
        return "、".join(labels)
    return "、".join(labels[:limit]) + f" 等 {len(labels)} 项"


# --- indicator rows ---------------------------------------------------------------------------------------
def row_name(ind: Indicator) -> str:
    """'绩效指标第3行“开展科普活动次数”' or '项目“X”的绩效指标第2行“…”' for messages."""
    name = f"“{ind.level3}”" if ind.level3 else ""
    if ind.table == cat.INDICATORS.name:
        where = "绩效指标"
    else:
        where = f"项目“{ind.project}”的绩效指标" if ind.project else "项目绩效指标"
    return f"{where}第{ind.index + 1}行{name}"


def qty_text(q: Quantity) -> str:
    """A target or actual as the user meant it: '≥8次', '100%', or the typed text."""
    if q.ok:
        return _COMPARATOR_SIGNS.get(q.comparator, "") + fmt_num(q.value, q.unit)
    return as_text(q.raw) or "（空）"


def cell(m: Model, ind: Indicator, key: str) -> CellRef:
    return m.tref(ind.table, ind.index, key)


# --- quantities and tolerances ----------------------------------------------------------------------------
def num(q: Quantity) -> Decimal | None:
    return q.value if q.ok else None


def q_value(qty: Quantity) -> Decimal | None:
    return qty.value if qty.ok else None


def score_matches(typed: Decimal, computed: Decimal, m: Model) -> bool:
    return abs(typed - computed) <= m.profile.score_tolerance


def exceeds(amount: Decimal, limit: Decimal, m: Model) -> bool:
    """amount > limit beyond the amount tolerance."""
    return amount - limit > m.profile.amount_tolerance
