"""The typed model: the snapshot's raw values parsed once, with accessors the rules share."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import FieldType, Form
from perfeval.core.parse import (
    Quantity,
    Status,
    date_text,
    parse_number,
    parse_rate,
    parse_target,
    parse_year,
)
from perfeval.core.profile import Profile
from perfeval.core.snapshot import CellRef, Snapshot, TableData
from perfeval.core.units import hold_back


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
    # A date cell (填报日期, 报告日期): every page and sheet prints it as 2025年4月10日, not 2025-04-10.
    if isinstance(raw, dt.date):
        return date_text(raw)
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
    band_from_actual: bool = False  # the band was read from 实际完成值 ("达成年度指标")
    coefficient: Quantity = field(default_factory=lambda: Quantity(Status.BLANK))  # 得分系数 (重庆)
    core: bool = False  # 核心指标 (重庆)
    raw_level1: str = ""
    raw_level2: str = ""
    # Where `direction` came from when the 方向 cell is blank: DIRECTION_* below; `direction_basis` is the
    # sign ("≤") or the word of the 三级指标 ("成本") it was read from.
    direction_source: str = "given"
    direction_basis: str = ""
    completion: Decimal | None = None
    score_calc: Decimal | None = None
    score_exact: Decimal | None = None  # score_calc before rounding, to tell a rounding difference
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
    department: str = ""
    implementer: str = ""
    # 项目资金 其中 lines: source (fiscal / carryover / other) -> column (initial_budget ...) -> amount
    funds: dict[str, dict[str, Quantity]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # conclusion / problems / improvements

    def quantity(self, key: str) -> Quantity:
        """A numeric column's value by its table key ("spent", "fiscal_initial_budget")."""
        source, _, col = key.partition("_")
        if source in self.funds and col in self.funds[source]:
            return self.funds[source][col]
        value = getattr(self, key)
        assert isinstance(value, Quantity), key
        return value


@dataclass
class ProjectItem:
    index: int
    name: str
    amounts: dict[str, Quantity]  # prior_actual / current_budget / current_actual


# The budget system's wording of a 定性 result, typed in 实际完成值 (often with 预期 for 年度); longest first
# so that 部分达成 and 未达成 are not read as 达成.
_BAND_WORDING = (
    ("部分达成", "部分达成并具有一定效果"),
    ("未达成", "未达成且效果较差"),
    ("达成", "达成年度指标"),
)
_BAND_PHRASE = re.compile(r"^(部分达成|未达成|达成)(年度|预期)?(指标|目标)")


def band_in_actual(actual: Quantity) -> str:
    """The band a 实际完成值 such as "达成年度指标" or "部分达成预期指标并具有一定效果" names, else ""."""
    if actual.ok or not actual.present:
        return ""
    m = _BAND_PHRASE.match(as_text(actual.raw).replace(" ", ""))
    if not m:
        return ""
    return dict(_BAND_WORDING)[m.group(1)]


DIRECTION_GIVEN = "given"  # typed in the 方向 cell
DIRECTION_SIGN = "sign"  # read from the target's comparison sign (≤, 不高于, 以内 …): unambiguous
DIRECTION_NAME = "name"  # read from the 三级指标's nature (成本, 投诉率, 控制率 against 100 %): a guess
DIRECTION_DEFAULT = "default"  # nothing said: 正向

_SIGN_TEXT = {"<=": "≤", "<": "<", "=": "=", ">=": "≥", ">": ">"}


@dataclass(frozen=True)
class Direction:
    value: str  # 正向 / 反向 / 定值
    source: str = DIRECTION_GIVEN
    basis: str = ""  # the sign or the word it was read from

    @property
    def inferred_from_name(self) -> bool:
        return self.source == DIRECTION_NAME


def _full_rate(target: Quantity) -> bool:
    """A target of 100 % (控制率 against 100 % is a ceiling: 财政供养人员控制率 "100%")."""
    return target.ok and target.unit == "%" and target.value == 100


def infer_direction(
    given: str, target: Quantity, name: str = "", profile: Profile | None = None
) -> Direction:
    """The 方向 cell, else the comparison sign of the target, else the nature of the 三级指标 `name`
    (the profile's [directions] words), else 正向."""
    if given in cat.DIRECTIONS:
        return Direction(given)
    sign = _SIGN_TEXT.get(target.comparator, "")
    if target.comparator in ("<=", "<"):
        return Direction("反向", DIRECTION_SIGN, sign)
    if target.comparator == "=":
        return Direction("定值", DIRECTION_SIGN, sign)
    if target.comparator in (">=", ">"):
        return Direction("正向", DIRECTION_SIGN, sign)
    text = name.replace(" ", "")
    if profile is not None and text and not any(w in text for w in profile.floor_words):
        word = next((w for w in profile.ceiling_words if w in text), "")
        if not word and _full_rate(target):
            word = next((w for w in profile.full_rate_ceiling_words if w in text), "")
        if word:
            return Direction("反向", DIRECTION_NAME, word)
    return Direction("正向", DIRECTION_DEFAULT)


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
    # What the workbook holds: the forms it was made for, those with anything typed in, and those checked
    # (the filled ones; the declared ones when nothing is filled, so an empty workbook says what it lacks).
    declared_forms: frozenset[Form] = frozenset({Form.UNIT, Form.PROJECT})
    filled_forms: frozenset[Form] = frozenset()
    amount_unit: str = "万元"  # the unit the workbook's forms print amounts in; the model holds 万元

    @property
    def forms(self) -> frozenset[Form]:
        return self.filled_forms or self.declared_forms

    def checks(self, form: Form) -> bool:
        return form in self.forms

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


_CEILING_PREFIX = re.compile(r"^\s*控制在\s*")


def indicator_value(raw: object) -> Quantity:
    """A target or actual; "控制在5%以内" / "控制在5%" is a ceiling (≤ 5 %) like "不超过5%"."""
    qty = parse_target(raw)
    if qty.status is Status.TEXT and isinstance(raw, str) and (m := _CEILING_PREFIX.match(raw)):
        rest = parse_target(raw[m.end() :])
        if rest.ok:
            return replace(rest, raw=raw, comparator=rest.comparator or "<=")
    return qty


def _indicator(
    table: TableData, index: int, row: dict[str, object], project: str = "", profile: Profile | None = None
) -> Indicator:
    target = indicator_value(row.get("target"))
    actual = indicator_value(row.get("actual"))
    target, actual = _on_percent_scale(target, actual), _on_percent_scale(actual, target)
    kind_raw = as_text(row.get("kind"))
    kind_given = kind_raw in cat.KINDS
    kind = kind_raw if kind_given else ("定量" if target.ok else "定性")
    raw1, raw2 = as_text(row.get("level1")), as_text(row.get("level2"))
    band = as_text(row.get("band"))
    from_actual = band_in_actual(actual)
    if from_actual and not kind_given:
        kind = "定性"
    level3 = as_text(row.get("level3"))
    direction = infer_direction(as_text(row.get("direction")), target, level3, profile)
    return Indicator(
        table=table.name,
        index=index,
        level1=normalize_level(raw1, cat.LEVEL1),
        level2=normalize_level(raw2, cat.ALL_LEVEL2),
        level3=level3,
        kind=kind,
        kind_given=kind_given,
        direction=direction.value,
        direction_source=direction.source,
        direction_basis=direction.basis,
        target=target,
        actual=actual,
        weight=parse_number(row.get("weight"), unit="分"),
        score=parse_number(row.get("score"), unit="分"),
        band=band or from_actual,
        deviation_note=as_text(row.get("deviation_note")),
        project=project,
        raw_level1=raw1,
        raw_level2=raw2,
        band_from_actual=bool(from_actual) and not band,
        coefficient=parse_rate(row.get("coefficient")),
        core=as_text(row.get("core")) in ("是", "√", "✓", "Y", "y", "核心"),
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
        {c.key: place.first_col + i for i, c in enumerate(spec.laid_out())},
    )


def _nonblank(row: dict[str, object], keys: tuple[str, ...]) -> bool:
    for k in keys:  # a loop, not any(): every row of every table is asked, most of them blank
        value = row.get(k)
        if value is not None and as_text(value):
            return True
    return False


def workbook_amount_unit(snapshot: Snapshot, profile: Profile) -> str:
    """元 or 万元: what the workbook's 金额单位 cell says, else what its profile prints."""
    typed = as_text(snapshot.values.get("info_amount_unit")).replace(" ", "")
    return typed if typed in cat.AMOUNT_UNITS else profile.amount_unit


def declared_forms(snapshot: Snapshot) -> frozenset[Form]:
    """The forms the workbook was made for: its 工作簿内容 cell, else the forms whose sheets it has."""
    typed = cat.kind_forms(snapshot.values.get("info_kind"))
    if typed:
        return typed
    sheets = set(snapshot.sheet_names) or {s.name for s in cat.SHEETS}
    have = frozenset(
        form
        for form in (Form.UNIT, Form.PROJECT)
        if any(s.name in sheets for s in cat.SHEETS if s.form is form)
    )
    return have or frozenset({Form.UNIT, Form.PROJECT})


def build_model(snapshot: Snapshot, profile: Profile) -> Model:
    unit = workbook_amount_unit(snapshot, profile)

    def amount(raw: object) -> Quantity:
        """Amounts are held in 万元 whatever the form prints, so the rules compare like with like."""
        qty = parse_number(raw, unit=unit)
        if unit == "元" and qty.ok:
            assert qty.value is not None
            return replace(qty, value=qty.value / 10000, unit="万元")
        return qty

    q = {}
    for f in cat.input_fields():
        raw = snapshot.values.get(f.name)
        q[f.name] = amount(raw) if f.type is FieldType.AMOUNT else parse_value(f.type, f.unit, raw)

    ind_table = _rows(snapshot, cat.INDICATORS.name)
    input_keys = tuple(c.key for c in cat.INDICATOR_COLUMNS if not c.computed)
    indicators = [
        _indicator(ind_table, i, row, profile=profile)
        for i, row in enumerate(ind_table.rows)
        if _nonblank(row, input_keys)
    ]

    proj_table = _rows(snapshot, cat.PROJECTS.name)
    projects: list[Project] = []
    keys = tuple(c.key for c in cat.PROJECTS.columns if not c.computed)
    for i, row in enumerate(proj_table.rows):
        if not _nonblank(row, keys):
            continue
        projects.append(
            Project(
                index=i,
                name=as_text(row.get("name")),
                initial_budget=amount(row.get("initial_budget")),
                adjusted_budget=amount(row.get("adjusted_budget")),
                spent=amount(row.get("spent")),
                execution_weight=parse_number(row.get("execution_weight"), unit="分"),
                execution_rate=parse_rate(row.get("execution_rate")),
                execution_score=parse_number(row.get("execution_score"), unit="分"),
                total_score=parse_number(row.get("total_score"), unit="分"),
                goal_expected=as_text(row.get("goal_expected")),
                goal_actual=as_text(row.get("goal_actual")),
                department=as_text(row.get("department")),
                implementer=as_text(row.get("implementer")),
                funds={
                    source: {col: amount(row.get(f"{source}_{col}")) for col in cat.FUND_COLS}
                    for source, _ in cat.FUND_SOURCES
                },
                texts={key: as_text(row.get(key)) for key, _ in cat.PROJECT_TEXTS},
            )
        )
    by_name = {p.name: p for p in projects if p.name}
    orphans: list[Indicator] = []
    pind_table = _rows(snapshot, cat.PROJECT_INDICATORS.name)
    for i, row in enumerate(pind_table.rows):
        if not _nonblank(row, (*input_keys, "project")):
            continue
        ind = _indicator(pind_table, i, row, project=as_text(row.get("project")), profile=profile)
        (by_name[ind.project].indicators if ind.project in by_name else orphans).append(ind)

    items_table = _rows(snapshot, cat.PROJECT_ITEMS.name)
    items = [
        ProjectItem(i, as_text(row.get("name")), {col: amount(row.get(col)) for col in cat.YEAR_COLS})
        for i, row in enumerate(items_table.rows)
        if _nonblank(row, ("name", *cat.YEAR_COLS))
    ]
    unit_filled = bool(indicators or items) or any(
        q[f.name].present for f in cat.input_fields() if f.form is Form.UNIT
    )
    filled = frozenset(
        form for form, yes in ((Form.UNIT, unit_filled), (Form.PROJECT, bool(projects or orphans))) if yes
    )
    model = Model(
        snapshot,
        profile,
        q,
        indicators,
        projects,
        items,
        orphans,
        declared_forms=declared_forms(snapshot),
        filled_forms=filled,
        amount_unit=unit,
    )
    return hold_back(model)  # amounts typed in the other unit are held back (core/units.py)
