"""The typed model: the snapshot's raw values parsed once, with accessors the rules share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import FieldType
from perfeval.core.parse import Quantity, Status, parse_number, parse_rate, parse_target, parse_year
from perfeval.core.profile import Profile
from perfeval.core.snapshot import CellRef, Snapshot, TableData


class NotApplicable(Exception):
    """A rule cannot run because an input it reads is missing; the message says which, in Chinese."""


def parse_value(ftype: FieldType, unit: str, raw: object) -> Quantity:
    if ftype is FieldType.RATE:
        return parse_rate(raw)
    if ftype is FieldType.TARGET:
        return parse_target(raw)
    if ftype is FieldType.YEAR:
        return parse_year(raw)
    if ftype in cat.NUMERIC_TYPES:
        return parse_number(raw, unit=unit)
    return parse_text(raw)


def parse_text(raw: object) -> Quantity:
    text = "" if raw is None else str(raw).strip()
    if not text:
        return Quantity(Status.BLANK, raw=raw)
    return Quantity(Status.TEXT, raw=raw)


def as_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


_LEVEL_SUFFIX = re.compile(r"[（(].*?[）)]|\s+")


def normalize_level(text: str, vocabulary: tuple[str, ...]) -> str:
    """'产出\\n指标\\n(50分)' -> '产出指标'; unknown text comes back cleaned but unchanged."""
    cleaned = _LEVEL_SUFFIX.sub("", text)
    for word in vocabulary:
        if cleaned == word or cleaned + "指标" == word or cleaned == word.removesuffix("指标"):
            return word
    return cleaned


@dataclass
class Indicator:
    """One 绩效指标 row; `score_calc` etc. are filled by scoring."""

    table: str
    index: int
    level1: str
    level2: str
    level3: str
    kind: str  # 定量 / 定性
    kind_given: bool
    direction: str  # 正向 / 反向 / 定值
    target: Quantity
    actual: Quantity
    weight: Quantity
    score: Quantity
    band: str
    deviation_note: str
    project: str = ""
    raw_level1: str = ""
    raw_level2: str = ""
    completion: Decimal | None = None
    score_calc: Decimal | None = None
    score_reason: str = ""  # why score_calc could not be computed

    @property
    def blank(self) -> bool:
        return not (self.level3 or self.target.present or self.actual.present or self.weight.present)


@dataclass
class Project:
    index: int
    name: str
    initial_budget: Quantity
    adjusted_budget: Quantity
    spent: Quantity
    execution_weight: Quantity
    execution_rate: Quantity
    execution_score: Quantity
    total_score: Quantity
    goal_expected: str
    goal_actual: str
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class ProjectItem:
    index: int
    name: str
    amounts: dict[str, Quantity]  # prior_actual / current_budget / current_actual


def infer_direction(given: str, target: Quantity) -> str:
    if given in cat.DIRECTIONS:
        return given
    if target.comparator in ("<=", "<"):
        return "反向"
    if target.comparator == "=":
        return "定值"
    return "正向"


@dataclass
class Model:
    snapshot: Snapshot
    profile: Profile
    q: dict[str, Quantity]
    indicators: list[Indicator]
    projects: list[Project]
    project_items: list[ProjectItem]
    orphan_indicators: list[Indicator]  # project indicators naming no listed project
    computed: dict[str, object] = field(default_factory=dict)  # field name -> value
    table_computed: dict[tuple[str, int, str], object] = field(default_factory=dict)

    # --- accessors the rules use ------------------------------------------------------------------
    def num(self, name: str) -> Decimal | None:
        qty = self.q.get(name)
        return qty.value if qty is not None and qty.ok else None

    def present(self, name: str) -> bool:
        qty = self.q.get(name)
        return qty is not None and qty.present

    def text(self, name: str) -> str:
        return as_text(self.snapshot.values.get(name))

    def ref(self, name: str) -> CellRef:
        if name in self.snapshot.cells:
            return self.snapshot.cells[name]
        f = cat.field(name)
        return CellRef(f.sheet, f.cell)

    def label(self, name: str) -> str:
        return f"{self.ref(name)} {cat.field(name).label}"

    def need(self, *names: str) -> tuple[Decimal, ...]:
        """The parsed numbers, or NotApplicable naming the blank or unreadable cells."""
        missing = [self.label(n) for n in names if self.num(n) is None]
        if missing:
            raise NotApplicable("缺少或无法识别：" + "、".join(missing))
        return tuple(self.num(n) for n in names)  # type: ignore[misc]

    def table(self, name: str) -> TableData:
        return self.snapshot.tables[name]

    def tref(self, table: str, index: int, key: str) -> CellRef:
        return _rows(self.snapshot, table).ref(index, key)

    def calc(self, name: str) -> Decimal | None:
        value = self.computed.get(name)
        return value if isinstance(value, Decimal) else None

    def all_indicators(self) -> list[Indicator]:
        return self.indicators + [i for p in self.projects for i in p.indicators] + self.orphan_indicators


def _on_percent_scale(qty: Quantity, other: Quantity) -> Quantity:
    """A bare number in a %-formatted cell (0.98) against a target in % (≥95%): read it as 98 %."""
    if other.ok and other.unit == "%" and qty.ok and not qty.unit and isinstance(qty.raw, int | float):
        assert qty.value is not None
        if abs(qty.value) <= 3:
            return replace(qty, value=qty.value * 100, unit="%", note="按百分数理解")
    return qty


def _indicator(table: TableData, index: int, row: dict[str, object], project: str = "") -> Indicator:
    target = parse_target(row.get("target"))
    actual = parse_target(row.get("actual"))
    target, actual = _on_percent_scale(target, actual), _on_percent_scale(actual, target)
    kind_raw = as_text(row.get("kind"))
    kind_given = kind_raw in cat.KINDS
    kind = kind_raw if kind_given else ("定量" if target.ok else "定性")
    raw1, raw2 = as_text(row.get("level1")), as_text(row.get("level2"))
    return Indicator(
        table=table.name,
        index=index,
        level1=normalize_level(raw1, cat.LEVEL1),
        level2=normalize_level(raw2, cat.ALL_LEVEL2),
        level3=as_text(row.get("level3")),
        kind=kind,
        kind_given=kind_given,
        direction=infer_direction(as_text(row.get("direction")), target),
        target=target,
        actual=actual,
        weight=parse_number(row.get("weight"), unit="分"),
        score=parse_number(row.get("score"), unit="分"),
        band=as_text(row.get("band")),
        deviation_note=as_text(row.get("deviation_note")),
        project=project,
        raw_level1=raw1,
        raw_level2=raw2,
    )


def _rows(snapshot: Snapshot, name: str) -> TableData:
    if name in snapshot.tables:
        return snapshot.tables[name]
    spec = cat.TABLES[name]
    place = cat.table_placement(spec)
    return TableData(
        name,
        spec.sheet,
        place.header_row + 1,
        {c.key: place.first_col + i for i, c in enumerate(spec.columns)},
    )


def _nonblank(row: dict[str, object], keys: tuple[str, ...]) -> bool:
    return any(as_text(row.get(k)) for k in keys)


def build_model(snapshot: Snapshot, profile: Profile) -> Model:
    q = {}
    for f in cat.input_fields():
        q[f.name] = parse_value(f.type, f.unit, snapshot.values.get(f.name))

    ind_table = _rows(snapshot, cat.INDICATORS.name)
    input_keys = tuple(c.key for c in cat.INDICATOR_COLUMNS if not c.computed)
    indicators = [
        _indicator(ind_table, i, row) for i, row in enumerate(ind_table.rows) if _nonblank(row, input_keys)
    ]

    proj_table = _rows(snapshot, cat.PROJECTS.name)
    projects: list[Project] = []
    for i, row in enumerate(proj_table.rows):
        keys = tuple(c.key for c in cat.PROJECTS.columns if not c.computed)
        if not _nonblank(row, keys):
            continue
        projects.append(
            Project(
                index=i,
                name=as_text(row.get("name")),
                initial_budget=parse_number(row.get("initial_budget"), unit="万元"),
                adjusted_budget=parse_number(row.get("adjusted_budget"), unit="万元"),
                spent=parse_number(row.get("spent"), unit="万元"),
                execution_weight=parse_number(row.get("execution_weight"), unit="分"),
                execution_rate=parse_rate(row.get("execution_rate")),
                execution_score=parse_number(row.get("execution_score"), unit="分"),
                total_score=parse_number(row.get("total_score"), unit="分"),
                goal_expected=as_text(row.get("goal_expected")),
                goal_actual=as_text(row.get("goal_actual")),
            )
        )
    by_name = {p.name: p for p in projects if p.name}
    orphans: list[Indicator] = []
    pind_table = _rows(snapshot, cat.PROJECT_INDICATORS.name)
    for i, row in enumerate(pind_table.rows):
        if not _nonblank(row, (*input_keys, "project")):
            continue
        ind = _indicator(pind_table, i, row, project=as_text(row.get("project")))
        (by_name[ind.project].indicators if ind.project in by_name else orphans).append(ind)

    items_table = _rows(snapshot, cat.PROJECT_ITEMS.name)
    items = [
        ProjectItem(
            i,
            as_text(row.get("name")),
            {col: parse_number(row.get(col), unit="万元") for col in cat.YEAR_COLS},
        )
        for i, row in enumerate(items_table.rows)
        if _nonblank(row, ("name", *cat.YEAR_COLS))
    ]
    return Model(snapshot, profile, q, indicators, projects, items, orphans)
