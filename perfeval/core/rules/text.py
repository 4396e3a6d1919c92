"""Rules: text (TXT-). Numbers and statements in the report text against the tables."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.core.compute import indicator_met, split_basis, split_is_spending
from perfeval.core.findings import Severity
from perfeval.core.model import Model, as_text
from perfeval.core.rules.common import qty_text, row_name
from perfeval.core.rules.registry import UNIT, Hit, fmt_amount, fmt_num, fmt_rate, hit, rule
from perfeval.core.snapshot import CellRef
from perfeval.core.textclaims import Claim, extract_claims, repeated_counts

GOAL_FIELDS = tuple(
    f"ua_goal_{side}_{i}" for i in range(1, cat.GOAL_ROWS + 1) for side in ("expected", "actual")
)
# The report text whose statements are compared with the tables.
CLAIM_FIELDS = (*cat.TEXT_FIELDS, *GOAL_FIELDS)
_ADVICE = "请核对后修改报告文字或表格中的数字，使两者一致。"
_TABLE_SEP = ":"  # "tbl_indicators:3:actual" names a table cell as a text source


@functools.lru_cache(maxsize=8)
def _claims_of(texts: tuple[tuple[str, str], ...]) -> tuple[Claim, ...]:
    # Every TXT rule reads the same claims; extract them once per workbook.
    return tuple(extract_claims(dict(texts)))


def _texts(m: Model) -> tuple[tuple[str, str], ...]:
    return tuple((name, m.text(name)) for name in CLAIM_FIELDS if m.text(name))


def claims(m: Model, *kinds: str) -> list[Claim]:
    return [c for c in _claims_of(_texts(m)) if c.kind in kinds]


def quote(snippet: str) -> str:
    return f"“…{snippet}…”"


def _source_label(name: str) -> str:
    return cat.field(name).label.split("（")[0]


def source_ref(m: Model, source: str) -> CellRef:
    if _TABLE_SEP in source:
        table, index, key = source.split(_TABLE_SEP)
        return m.tref(table, int(index), key)
    return m.ref(source)


def _by_source(items: Iterable[Claim]) -> dict[str, list[Claim]]:
    """Claims grouped by text field, one claim per distinct value: one finding per field and table cell."""
    out: dict[str, dict[object, Claim]] = {}
    for c in items:
        out.setdefault(c.source, {}).setdefault(c.value, c)
    return {source: list(by_value.values()) for source, by_value in out.items()}


# --- numbers stated in the text ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Pair:
    kind: str  # claim kind
    field: str  # the table cell it must equal
    accept: tuple[str, ...] = ()  # other cells the text may legitimately quote instead
    amount: bool = True  # amounts compare with the amount tolerance, head counts exactly


def _fmt(v: Decimal, pair: _Pair) -> str:
    return fmt_amount(v) if pair.amount else fmt_num(v, " 人")


def _compare(m: Model, pairs: Iterable[_Pair]) -> Iterator[Hit]:
    tol = m.profile.amount_tolerance
    for pair in pairs:
        table = m.num(pair.field)
        if table is None:
            continue
        allowed = [v for v in (table, *(m.num(a) for a in pair.accept)) if v is not None]
        limit = tol if pair.amount else Decimal(0)
        wrong = [
            c
            for c in claims(m, pair.kind)
            if c.value is not None and all(abs(c.value - v) > limit for v in allowed)
        ]
        for source, group in _by_source(wrong).items():
            stated = "、".join(f"{quote(c.snippet)}（{_fmt(c.value, pair)}）" for c in group)  # type: ignore[arg-type]
            yield hit(
                (m.ref(source), m.ref(pair.field)),
                f"{_source_label(source)}中写 {stated}，与{m.label(pair.field)} {_fmt(table, pair)}不符",
                expected=_fmt(table, pair),
                found="、".join(_fmt(c.value, pair) for c in group),  # type: ignore[arg-type]
                advice=_ADVICE,
            )


@rule(
    "TXT-001",
    "文字中的编制数与附件1不符",
    Severity.ERROR,
    reads=(*CLAIM_FIELDS, "bd_authorized_staff", "info_staff_admin", "info_staff_institution"),
    description=(
        "报告文字中的编制人数（如“共有编制人数6人”）应等于附件1 编制数；"
        "行政、事业编制数应等于基本信息中所填。"
    ),
    forms=UNIT,
)
def authorized_staff(m: Model) -> Iterator[Hit]:
    yield from _compare(
        m,
        (
            _Pair("authorized_staff", "bd_authorized_staff", amount=False),
            _Pair("authorized_staff_admin", "info_staff_admin", amount=False),
            _Pair("authorized_staff_institution", "info_staff_institution", amount=False),
        ),
    )


@rule(
    "TXT-002",
    "文字中的在职人数与附件1不符",
    Severity.ERROR,
    reads=(*CLAIM_FIELDS, "bd_actual_staff"),
    description="报告文字中的实有（在职）人数应等于附件1 实际在职人数。",
    forms=UNIT,
)
def actual_staff(m: Model) -> Iterator[Hit]:
    yield from _compare(m, (_Pair("actual_staff", "bd_actual_staff", amount=False),))


@rule(
    "TXT-003",
    "文字中的年初预算与附件2不符",
    Severity.ERROR,
    reads=(*CLAIM_FIELDS, "ua_initial_budget"),
    description="报告文字中的年初预算数应等于附件2 年初预算数（容差 0.01 万元）。",
    forms=UNIT,
)
def initial_budget(m: Model) -> Iterator[Hit]:
    yield from _compare(m, (_Pair("initial_budget", "ua_initial_budget"),))


@rule(
    "TXT-004",
    "文字中的全年预算或支出与附件2不符",
    Severity.ERROR,
    reads=(*CLAIM_FIELDS, "ua_adjusted_budget", "ua_spent"),
    description="报告文字中的全年预算数、全年支出数应分别等于附件2 全年预算数、全年执行数。",
    forms=UNIT,
)
def adjusted_budget_and_spent(m: Model) -> Iterator[Hit]:
    yield from _compare(m, (_Pair("adjusted_budget", "ua_adjusted_budget"), _Pair("spent", "ua_spent")))


@rule(
    "TXT-005",
    "文字中的基本支出或项目支出与表格不符",
    Severity.ERROR,
    reads=(*CLAIM_FIELDS, *(f"ua_{k}" for k, _ in cat.EXPENSE_SPLITS), *(f"ua_{c}" for c in cat.BUDGET_COLS)),
    description=(
        "报告文字中的基本支出、项目支出应等于附件2 按支出性质分的基本支出、项目支出（按全年执行数填列时）；"
        "文字中的基本支出、项目支出年初预算数，在附件2 按支出性质分按年初预算数填列时与之比较。"
    ),
    forms=UNIT,
)
def expenditure_split(m: Model) -> Iterator[Hit]:
    # The form's 按支出性质分 lines hold one figure each: the text's spending is compared with it when the
    # figures are the year's spending, the text's 年初预算 when they add up to 年初预算数 (澧县 gives only that).
    spending = split_is_spending(m, "expense_sum")
    initial = "initial_budget" in split_basis(m, "expense_sum")
    for part in ("basic", "project"):
        figure = f"ua_{part}_expenditure"
        pairs = [_Pair(f"{part}_expenditure", figure)] if spending else []
        pairs += [_Pair(f"{part}_initial_budget", figure)] if initial else []
        yield from _compare(m, pairs)


@rule(
    "TXT-006",
    "文字中的三公经费与附件1不符",
    Severity.ERROR,
    reads=(*CLAIM_FIELDS, "bd_tpc_current_budget", "bd_tpc_current_actual"),
    description="报告文字中的“三公”经费预算数、实际支出数应等于附件1 三公经费本年预算数、本年决算数。",
    forms=UNIT,
)
def three_public_costs(m: Model) -> Iterator[Hit]:
    yield from _compare(
        m, (_Pair("tpc_budget", "bd_tpc_current_budget"), _Pair("tpc_actual", "bd_tpc_current_actual"))
    )


# --- statements in the text -------------------------------------------------------------------------------
@rule(
    "TXT-007",
    "文字称预算未调整与表格不符",
    Severity.WARNING,
    reads=(*CLAIM_FIELDS, "ua_initial_budget", "ua_adjusted_budget"),
    description="报告文字称预算未调整，但附件2 全年预算数 ≠ 年初预算数。",
    forms=UNIT,
)
def no_adjustment(m: Model) -> Iterator[Hit]:
    initial, adjusted = m.num("ua_initial_budget"), m.num("ua_adjusted_budget")
    if initial is None or adjusted is None or abs(adjusted - initial) <= m.profile.amount_tolerance:
        return
    rate = f"，调整率 {fmt_rate((adjusted - initial) / initial)}" if initial else ""
    change = f"年初预算 {fmt_amount(initial)}调整为全年预算 {fmt_amount(adjusted)}{rate}"
    for source, group in _by_source(claims(m, "no_adjustment")).items():
        said = "、".join(quote(c.snippet) for c in group)
        yield hit(
            (m.ref(source), m.ref("ua_initial_budget"), m.ref("ua_adjusted_budget")),
            f"{_source_label(source)}中称{said}，但附件2 {change}",
            expected=f"说明预算调整情况（{change}）",
            found=said,
            advice="请在报告中如实说明预算调整的金额和原因，或核对附件2 的年初预算数和全年预算数。",
        )


# claim kinds -> (actual cell, budget cell, what): "未超预算" is checked against that pair.
_WITHIN = (
    (
        ("within_budget_tpc", "well_controlled_tpc"),
        "bd_tpc_current_actual",
        "bd_tpc_current_budget",
        "三公经费",
    ),
    (("within_budget_public",), "bd_public_current_actual", "bd_public_current_budget", "公用经费"),
    (("within_budget_total", "well_controlled"), "ua_spent", "ua_adjusted_budget", "全年支出"),
)


@rule(
    "TXT-008",
    "文字称未超预算与表格不符",
    Severity.WARNING,
    reads=(*CLAIM_FIELDS, *(name for _, actual, budget, _ in _WITHIN for name in (actual, budget))),
    description=(
        "报告文字称三公经费、公用经费或整体支出未超预算（控制较好），但表中本年决算数（执行数）大于预算数。"
    ),
    forms=UNIT,
)
def within_budget(m: Model) -> Iterator[Hit]:
    for kinds, actual_name, budget_name, what in _WITHIN:
        actual, budget = m.num(actual_name), m.num(budget_name)
        if actual is None or budget is None or actual - budget <= m.profile.amount_tolerance:
            continue
        over = f"{fmt_amount(actual)}超过预算 {fmt_amount(budget)}"
        rate = f"（{fmt_rate(actual / budget)}）" if budget else ""
        for source, group in _by_source(claims(m, *kinds)).items():
            said = "、".join(quote(c.snippet) for c in group)
            yield hit(
                (m.ref(source), m.ref(actual_name), m.ref(budget_name)),
                f"{_source_label(source)}中称{said}，但{m.label(actual_name)} {over}{rate}",
                expected=f"{what}超预算 {fmt_amount(actual - budget)}，应如实说明",
                found=said,
                advice=f"请修改报告文字，说明{what}超支的金额和原因；或核对表中的预算数和决算数。",
            )


def _count_sources(m: Model) -> dict[str, str]:
    """Every free text where counts are stated: report text, goals, indicator and project texts."""
    texts = dict(_texts(m))
    for ind in m.all_indicators():
        for key, raw in (("level3", ind.level3), ("target", ind.target.raw), ("actual", ind.actual.raw)):
            text = as_text(raw)
            if text:
                texts[_TABLE_SEP.join((ind.table, str(ind.index), key))] = text
    for p in m.projects:
        for key, text in (("goal_expected", p.goal_expected), ("goal_actual", p.goal_actual)):
            if text:
                texts[_TABLE_SEP.join((cat.PROJECTS.name, str(p.index), key))] = text
    return texts


def _place(m: Model, source: str) -> str:
    """Where a count was read: '基本信息!B20 主要工作成效' or '附件2!C31 绩效指标第2行“…”三级指标'."""
    if _TABLE_SEP not in source:
        return f"{m.ref(source)} {_source_label(source)}"
    table, index, key = source.split(_TABLE_SEP)
    ref = source_ref(m, source)
    column = cat.TABLES[table].column(key).header
    if table == cat.PROJECTS.name:
        return f"{ref} 项目{column}"
    ind = next((i for i in m.all_indicators() if i.table == table and i.index == int(index)), None)
    return f"{ref} {row_name(ind) if ind else ''}{column}"


# Planned figures and achieved ones are two accounts of the year: a target of 10期 met with 8期 is a
# deviation (the DEV- and SCORE- rules weigh it), not the same count stated twice. Planned: the goals, the
# 年度指标值 and the indicator's name (set with the target); every other text tells what was done.
_PLANNED_FIELDS = frozenset(
    ("info_performance_goals", *(f"ua_goal_expected_{i}" for i in range(1, cat.GOAL_ROWS + 1)))
)
_PLANNED_KEYS = frozenset(("target", "level3", "goal_expected"))


def _planned(source: str) -> bool:
    if _TABLE_SEP in source:
        return source.split(_TABLE_SEP)[2] in _PLANNED_KEYS
    return source in _PLANNED_FIELDS


def _project_of(m: Model) -> dict[tuple[str, int], str]:
    """The project a table row belongs to: two projects may well count the same thing differently."""
    rows = {(cat.PROJECTS.name, p.index): p.name or f"#{p.index}" for p in m.projects}
    for ind in m.all_indicators():
        if ind.table == cat.PROJECT_INDICATORS.name:
            rows[(ind.table, ind.index)] = ind.project or f"#{ind.index}"
    return rows


def _clashes(conflict_claims: Iterable[Claim], projects: dict[tuple[str, int], str]) -> bool:
    """Two counts of the subject differ on the same side (planned or achieved), within one project or
    between a project and the unit's own texts."""
    values: dict[tuple[bool, str], set[object]] = {}
    for c in conflict_claims:
        scope = ""
        if _TABLE_SEP in c.source:
            table, index, _ = c.source.split(_TABLE_SEP)
            scope = projects.get((table, int(index)), "")
        values.setdefault((_planned(c.source), scope), set()).add(c.value)
    for (planned, scope), seen in values.items():
        if len(seen) > 1:
            return True
        for (planned2, scope2), seen2 in values.items():
            if planned2 == planned and scope2 != scope and "" in (scope, scope2) and seen2 != seen:
                return True
    return False


@rule(
    "TXT-009",
    "同一数量前后不一致",
    Severity.WARNING,
    reads=(*CLAIM_FIELDS, cat.INDICATORS.name, cat.PROJECT_INDICATORS.name, cat.PROJECTS.name),
    description=(
        "报告文字、年度目标和绩效指标中对同一事项的数量（如“示范户共10个”）前后应一致。"
        "预期目标、年度指标值与实际完成情况、实际完成值之间的差异是偏差（由偏差说明和评分规则核对），"
        "不在此列；不同项目各自的数量也不相互比较。"
    ),
)
def repeated_count_conflicts(m: Model) -> Iterator[Hit]:
    projects = _project_of(m)
    for conflict in repeated_counts(_count_sources(m)):
        if not _clashes(conflict.claims, projects):
            continue
        values = Counter(c.value for c in conflict.claims)
        # The rarer value first: it is more likely the slip, so the user looks there first.
        ordered = sorted(conflict.claims, key=lambda c: values[c.value])
        unit = conflict.claims[0].unit
        found = "、".join(f"{fmt_num(v, unit)}（{n} 处）" for v, n in values.most_common())
        where = "；".join(
            f"{_place(m, c.source)}写 {fmt_num(c.value, c.unit)}（{quote(c.snippet)}）" for c in ordered
        )
        yield hit(
            [source_ref(m, c.source) for c in ordered],
            f"“{conflict.subject}”的数量前后不一致：{where}",
            expected="各处数量一致",
            found=found,
            advice="请核实实际数量，统一修改各处的文字和指标。",
        )


@rule(
    "TXT-010",
    "文字称全部完成与指标不符",
    Severity.WARNING,
    reads=(*CLAIM_FIELDS, cat.INDICATORS.name),
    description="报告文字称全部（全面、圆满）完成，但附件2 有定量指标的完成值未达到指标值",
    forms=UNIT,
)
def all_completed(m: Model) -> Iterator[Hit]:
    unmet = [i for i in m.indicators if i.kind == "定量" and indicator_met(i) is False]
    if not unmet:
        return
    listed = "、".join(
        f"{row_name(i)}（指标值 {qty_text(i.target)}，完成 {qty_text(i.actual)}）" for i in unmet[:3]
    )
    more = f"等 {len(unmet)} 项" if len(unmet) > 3 else ""
    for source, group in _by_source(claims(m, "all_completed")).items():
        said = "、".join(quote(c.snippet) for c in group)
        yield hit(
            (m.ref(source), *(m.tref(i.table, i.index, "actual") for i in unmet)),
            f"{_source_label(source)}中称{said}，但{listed}{more}未达到指标值",
            expected=f"{len(unmet)} 项定量指标未完成，应如实说明",
            found=said,
            advice="请修改报告文字，说明未完成的指标及原因；或核对指标值和完成值。",
        )
