"""Rules: text (TXT-). Numbers and statements in the report text against the tables."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.core.compute import indicator_met, split_basis, split_is_spending
from perfeval.core.findings import Severity
from perfeval.core.model import Model, as_text
from perfeval.core.rules.common import q_value, qty_text, row_name
from perfeval.core.rules.registry import UNIT, Hit, fmt_amount, fmt_num, fmt_rate, hit, per_run, rule
from perfeval.core.snapshot import CellRef
from perfeval.core.textclaims import (
    APPROX_TOLERANCE,
    Claim,
    extract_claims,
    extract_granted_amounts,
    extract_named_amounts,
    name_core,
    repeated_counts,
    stale_years,
    unspent_shares,
)

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


@per_run
def _texts(m: Model) -> tuple[tuple[str, str], ...]:
    return tuple((name, text) for name in CLAIM_FIELDS if (text := m.text(name)))


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


def _off(c: Claim, allowed: Iterable[Decimal], limit: Decimal) -> bool:
    """The claim matches none of the allowed values; an approximate amount ("约/余/近/左右") may be
    APPROX_TOLERANCE off."""
    if c.value is None:
        return False
    return all(
        abs(c.value - v) > max(limit, APPROX_TOLERANCE * abs(v) if c.approx else limit) for v in allowed
    )


def _compare(m: Model, pairs: Iterable[_Pair]) -> Iterator[Hit]:
    tol = m.profile.amount_tolerance
    for pair in pairs:
        table = m.num(pair.field)
        if table is None:
            continue
        # One root, one finding: when the typed total disagrees with its parts (SUM-), the text may
        # quote the correct sum; that is not a second error.
        recomputed = m.calc(f"{pair.field}_sum") if pair.amount else None
        allowed = [v for v in (table, recomputed, *(m.num(a) for a in pair.accept)) if v is not None]
        limit = tol if pair.amount else Decimal(0)
        wrong = [c for c in claims(m, pair.kind) if _off(c, allowed, limit)]
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


# --- budget lines: every budget/actual pair the tables hold ----------------------------------------------
@dataclass(frozen=True)
class _Line:
    group: str  # total / tpc / public / project / basic / item / project_form
    what: str  # how the message names the line
    actual: Decimal
    budget: Decimal
    actual_ref: CellRef
    budget_ref: CellRef

    @property
    def over(self) -> Decimal:
        return self.actual - self.budget

    def describe(self) -> str:
        rate = f"（{fmt_rate(self.actual / self.budget)}）" if self.budget else ""
        return f"{self.what} {fmt_amount(self.actual)}超过预算 {fmt_amount(self.budget)}{rate}"


@per_run  # TXT-008 and PL-013; shared, not to be changed
def _budget_lines(m: Model) -> list[_Line]:
    out: list[_Line] = []

    def add(
        group: str, what: str, actual: Decimal | None, budget: Decimal | None, a: CellRef, b: CellRef
    ) -> None:
        if actual is not None and budget is not None and budget > 0:
            out.append(_Line(group, what, actual, budget, a, b))

    if m.checks(cat.Form.UNIT):
        add(
            "total",
            "附件2 全年执行数",
            m.num("ua_spent"),
            m.num("ua_adjusted_budget"),
            m.ref("ua_spent"),
            m.ref("ua_adjusted_budget"),
        )
        for group, key in (("tpc", "tpc"), ("public", "public"), ("project", "project"), ("basic", "basic")):
            actual_name, budget_name = f"bd_{key}_current_actual", f"bd_{key}_current_budget"
            add(
                group,
                f"附件1 {cat.COST_LABELS[key]}本年决算数",
                m.num(actual_name),
                m.num(budget_name),
                m.ref(actual_name),
                m.ref(budget_name),
            )
        table = cat.PROJECT_ITEMS.name
        for item in m.project_items:
            add(
                "item",
                f"附件1 项目支出明细“{item.name}”本年决算数",
                q_value(item.amounts["current_actual"]),
                q_value(item.amounts["current_budget"]),
                m.tref(table, item.index, "current_actual"),
                m.tref(table, item.index, "current_budget"),
            )
    for p in m.projects:
        add(
            "project_form",
            f"项目“{p.name}”全年执行数",
            q_value(p.spent),
            q_value(p.adjusted_budget),
            m.tref(cat.PROJECTS.name, p.index, "spent"),
            m.tref(cat.PROJECTS.name, p.index, "adjusted_budget"),
        )
    return out


# claim kinds -> (actual cell, budget cell, what): "未超预算" about a named subject is checked against that pair.
_WITHIN = (
    (
        ("within_budget_tpc", "well_controlled_tpc"),
        "bd_tpc_current_actual",
        "bd_tpc_current_budget",
        "三公经费",
    ),
    (("within_budget_public",), "bd_public_current_actual", "bd_public_current_budget", "公用经费"),
    (("within_budget_total",), "ua_spent", "ua_adjusted_budget", "全年支出"),
    (("within_budget_project",), "bd_project_current_actual", "bd_project_current_budget", "项目支出"),
    (("within_budget_basic",), "bd_basic_current_actual", "bd_basic_current_budget", "基本支出"),
)
# Claims about no subject in particular ("严格控制在预算指标内", "严格按照年初预算", "预算配置控制较好"):
# every budget line the tables hold.
_GENERIC_WITHIN = ("within_budget_any", "by_budget", "well_controlled")
# Fields that state intentions or plans, not what happened: "严格按照预算执行" there is a promise.
_INTENT_FIELDS = frozenset(
    (
        "info_improvements",
        "info_problems",
        "info_performance_goals",
        *(f"ua_goal_expected_{i}" for i in range(1, cat.GOAL_ROWS + 1)),
    )
)


@rule(
    "TXT-008",
    "文字称未超预算与表格不符",
    Severity.WARNING,
    reads=(
        *CLAIM_FIELDS,
        *(name for _, actual, budget, _ in _WITHIN for name in (actual, budget)),
        cat.PROJECT_ITEMS.name,
        cat.PROJECTS.name,
    ),
    description=(
        "报告文字称三公经费、公用经费、项目支出、基本支出或整体支出未超预算（控制较好），但表中本年决算数（执行数）"
        "大于预算数；泛称“严格按照年初预算”“严格控制在预算指标内”“预算控制较好”的，与表中每一对预算数和决算数"
        "（附件2 全年预算与执行数、附件1 各经费行和项目支出明细、各项目）核对。"
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
    over_lines = [ln for ln in _budget_lines(m) if ln.over > m.profile.amount_tolerance]
    if not over_lines:
        return
    generic = [c for c in claims(m, *_GENERIC_WITHIN) if c.source not in _INTENT_FIELDS]
    listed = "；".join(ln.describe() for ln in over_lines)
    for source, group in _by_source(generic).items():
        said = "、".join(quote(c.snippet) for c in group)
        yield hit(
            (m.ref(source), *(r for ln in over_lines for r in (ln.actual_ref, ln.budget_ref))),
            f"{_source_label(source)}中称{said}，但{listed}",
            expected=f"{len(over_lines)} 处超预算，应如实说明",
            found=said,
            advice="请修改报告文字，说明超预算的项目、金额和原因（如年中追加预算）；或核对表中的预算数和决算数。",
        )


FAR_OVER = Decimal("1.2")  # PL-013: spent more than 120 % of the line's budget


@rule(
    "PL-013",
    "预算科目执行数远超预算数",
    Severity.WARNING,
    reads=(
        "bd_project_current_actual",
        "bd_project_current_budget",
        "bd_basic_current_actual",
        "bd_basic_current_budget",
        cat.PROJECT_ITEMS.name,
    ),
    description=(
        "附件1 项目支出、部门基本支出或项目支出明细的本年决算数超过本年预算数的 120%（三公经费、公用经费由 "
        "RATE-009、RATE-011 核对，附件2 和项目表的执行数由 PL-002 核对）：应说明超支原因，"
        "年中追加的预算应在本年预算数中如实反映。"
    ),
    forms=UNIT,
)
def line_far_over_budget(m: Model) -> Iterator[Hit]:
    for ln in _budget_lines(m):
        if ln.group not in ("project", "basic", "item") or ln.actual <= ln.budget * FAR_OVER:
            continue
        if ln.over <= m.profile.amount_tolerance:
            continue
        yield hit(
            (ln.actual_ref, ln.budget_ref),
            f"{ln.describe()}，超支 {fmt_amount(ln.over)}",
            expected=f"不超过预算 {fmt_amount(ln.budget)}，或说明超支原因",
            found=f"{fmt_amount(ln.actual)}（{fmt_rate(ln.actual / ln.budget)}）",
            advice="请核对本年预算数是否已包含年中追加（调整）的预算；确属超预算支出的，请在报告中说明原因和资金来源。",
        )


# "10个", "14 家": a 实际完成值 that is only a count; the indicator's name says what is counted.
_BARE_COUNT_RE = re.compile(
    r"^\s*(\d+|[零〇一二两三四五六七八九十百]+)\s*([个家项名人次场期所户处座篇块台套支条位批份种])\s*$"
)
# The end of an indicator's name that is not its subject: "培育示范户10个", "示范户数量", "示范户数".
_NAME_TAIL_RE = re.compile(
    r"(?:\d+|[一二两三四五六七八九十]+)[个家项名人次场期所户处座篇块台套支条位批份种]$|(?:数量|个数|数)$"
)


def _counted_actual(level3: str, actual: str) -> str | None:
    """ "培育和科技示范企业、示范基地和示范户10个" + "10个" -> "培育和科技示范企业、示范基地和示范户10个": the
    indicator's subject with the achieved count, so the count is compared with the text's counts of the
    same subject (TXT-009).  None unless the 完成值 is a bare count."""
    if not _BARE_COUNT_RE.match(actual):
        return None
    subject = _NAME_TAIL_RE.sub("", level3.strip().rstrip("。；;，,"))
    if not subject or not re.search(r"[\u4e00-\u9fff]{3}$", subject):
        return None
    return f"{subject}{actual.strip()}"


def _count_sources(m: Model) -> dict[str, str]:
    """Every free text where counts are stated: report text, goals, indicator and project texts."""
    texts = dict(_texts(m))
    for ind in m.all_indicators():
        for key, raw in (("level3", ind.level3), ("target", ind.target.raw), ("actual", ind.actual.raw)):
            text = as_text(raw)
            if key == "actual" and text:
                text = _counted_actual(as_text(ind.level3), text) or text
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


# --- amounts, shares and years in the text (issue 11) ------------------------------------------------------
_PROJECT_TEXT_KEYS = ("goal_actual", *(key for key, _ in cat.PROJECT_TEXTS))


@per_run  # TXT-012, TXT-013, TXT-014; shared, not to be changed
def _note_sources(m: Model) -> dict[str, str]:
    """Report text plus the texts of the tables: 偏差原因分析 of every indicator, project goals and texts."""
    texts = dict(_texts(m))
    for ind in m.all_indicators():
        if ind.deviation_note:
            texts[_TABLE_SEP.join((ind.table, str(ind.index), "deviation_note"))] = ind.deviation_note
    for p in m.projects:
        for key in _PROJECT_TEXT_KEYS:
            text = p.goal_actual if key == "goal_actual" else p.texts.get(key, "")
            if text:
                texts[_TABLE_SEP.join((cat.PROJECTS.name, str(p.index), key))] = text
    return texts


def _where(m: Model, source: str) -> str:
    return _place(m, source) if _TABLE_SEP in source else _source_label(source)


@per_run  # TXT-012, TXT-014; shared, not to be changed
def _named_lines(m: Model) -> list[tuple[str, list[Decimal], list[CellRef]]]:
    """(name, amounts, cells) of every 项目支出明细 line and project: what a name in the text may quote."""
    out: list[tuple[str, list[Decimal], list[CellRef]]] = []
    if m.checks(cat.Form.UNIT):
        for item in m.project_items:
            cols = [c for c in ("current_budget", "current_actual") if q_value(item.amounts[c]) is not None]
            values = [v for v in (q_value(item.amounts[c]) for c in cols) if v is not None]
            refs = [m.tref(cat.PROJECT_ITEMS.name, item.index, c) for c in cols]
            if item.name and values:
                out.append((item.name, values, refs))
    for p in m.projects:
        values = [
            v
            for v in (q_value(p.initial_budget), q_value(p.adjusted_budget), q_value(p.spent))
            if v is not None
        ]
        values += [
            v for cols in p.funds.values() for v in (q_value(q) for q in cols.values()) if v is not None
        ]
        refs = [m.tref(cat.PROJECTS.name, p.index, c) for c in ("adjusted_budget", "spent")]
        if p.name and values:
            out.append((p.name, values, refs))
    return out


@rule(
    "TXT-012",
    "文字中的金额与表格不符",
    Severity.WARNING,
    reads=(
        *CLAIM_FIELDS,
        "ua_initial_budget",
        "ua_adjusted_budget",
        cat.PROJECT_ITEMS.name,
        cat.PROJECTS.name,
        cat.INDICATORS.name,
        cat.PROJECT_INDICATORS.name,
    ),
    description=(
        "报告文字、偏差原因分析和项目文字中紧随表中项目名称（项目支出明细、项目支出自评表）的金额，应等于该项目的"
        "预算数或执行数之一；文字中的预算调增（追加）金额应等于附件2 全年预算数 − 年初预算数。"
        "“约、余、近、左右、多”的金额容许相差 10%。"
    ),
)
def amounts_in_text(m: Model) -> Iterator[Hit]:
    tol = m.profile.amount_tolerance
    # The year's adjustment: 全年预算数 − 年初预算数 (附件2).
    initial, adjusted = m.num("ua_initial_budget"), m.num("ua_adjusted_budget")
    if m.checks(cat.Form.UNIT) and initial is not None and adjusted is not None:
        change = adjusted - initial
        stated = claims(m, "adjustment")
        values = {c.value for c in stated if c.value is not None}
        # Several adjustments that add up to the change are its parts.
        if values and abs(sum(values, Decimal(0)) - change) > tol:
            for source, group in _by_source(c for c in stated if _off(c, [change], tol)).items():
                said = "、".join(f"{quote(c.snippet)}（{fmt_amount(c.value)}）" for c in group)
                yield hit(
                    (m.ref(source), m.ref("ua_initial_budget"), m.ref("ua_adjusted_budget")),
                    f"{_source_label(source)}中写 {said}，但附件2 年初预算 {fmt_amount(initial)}、全年预算 "
                    f"{fmt_amount(adjusted)}，调整 {fmt_amount(change)}",
                    expected=fmt_amount(change),
                    found="、".join(fmt_amount(c.value) for c in group),  # type: ignore[arg-type]
                    advice=_ADVICE,
                )
    lines = _named_lines(m)
    # The same name on two lines (附件1 明细 and the project form) may quote either line's figures.
    merged: dict[str, tuple[str, list[Decimal], list[CellRef]]] = {}
    for name, values, refs in lines:
        core = name_core(name)
        if core in merged:
            merged[core][1].extend(values)
            merged[core][2].extend(refs)
        else:
            merged[core] = (name, list(values), list(refs))
    entries = list(merged.values())
    if not entries:
        return
    found = extract_named_amounts(_note_sources(m), [name for name, _, _ in entries])
    wrong: dict[tuple[str, int], list[Claim]] = {}
    for i, c in found:
        if _off(c, entries[i][1], tol):
            wrong.setdefault((c.source, i), []).append(c)
    for (source, i), group in wrong.items():
        name, values, refs = entries[i]
        said = "、".join(f"{quote(c.snippet)}（{fmt_amount(c.value)}）" for c in group)
        table = "、".join(fmt_amount(v) for v in dict.fromkeys(values))
        yield hit(
            (source_ref(m, source), *refs),
            f"{_where(m, source)}中写 {said}，但表中“{name}”的金额为 {table}",
            expected=table,
            found="、".join(fmt_amount(c.value) for c in group),  # type: ignore[arg-type]
            advice=_ADVICE,
        )


_SPECIAL_FUNDS_RE = re.compile(r"专项|专款|上级|补助|转移支付|中央|省级|市级")


def _table_amounts(m: Model) -> set[Decimal]:
    """Every amount the form's cells and tables hold: a text amount equal to one of them is the table's."""
    out = {m.num(f.name) for f in cat.fields().values() if f.type is cat.FieldType.AMOUNT}
    out |= {v for _, values, _ in _named_lines(m) for v in values}
    out |= {q_value(a) for item in m.project_items for a in item.amounts.values()}
    return {v for v in out if v is not None}


@rule(
    "TXT-014",
    "文字中的获批（下达）资金与表中专项资金不一致",
    Severity.INFO,
    reads=(*CLAIM_FIELDS, cat.PROJECT_ITEMS.name, cat.PROJECTS.name),
    description=(
        "报告文字中“获批（下达、拨付）…资金 X 万元”与表中名称含专项、上级、补助等的唯一一行金额相近（相差 10% 以内）"
        "却不相等，且表中没有任何金额等于 X：可能是同一笔资金的两种说法。“约、余”的金额不比较。"
    ),
)
def granted_funds(m: Model) -> Iterator[Hit]:
    tol = m.profile.amount_tolerance
    special = [line for line in _named_lines(m) if _SPECIAL_FUNDS_RE.search(line[0])]
    if not special:
        return
    held = _table_amounts(m)
    for c in extract_granted_amounts(_note_sources(m)):
        if c.approx or c.value is None or any(abs(c.value - v) <= tol for v in held):
            continue
        near = [
            (name, v, refs)
            for name, values, refs in special
            for v in values
            if v > 0 and abs(c.value - v) <= APPROX_TOLERANCE * v
        ]
        if len({name for name, _, _ in near}) != 1:
            continue  # no line, or several, that the amount could be about: stay silent
        name, value, refs = near[0]
        yield hit(
            (source_ref(m, c.source), *refs),
            f"{_where(m, c.source)}中写 {quote(c.snippet)}（{fmt_amount(c.value)}），表中“{name}”为 "
            f"{fmt_amount(value)}，相差 {fmt_amount(abs(value - c.value))}；若是同一笔资金，两处应一致",
            expected=fmt_amount(value),
            found=fmt_amount(c.value),
            advice="请核对获批（下达）资金的金额：若与表中该项资金是同一笔，请统一文字和表格；不是同一笔的，可不处理。",
        )


_SHARE_TOLERANCE = Decimal("0.02")  # 2 percentage points: whole percents and rounding in the text


def _unspent_of(m: Model, source: str) -> tuple[Decimal, str, tuple[CellRef, ...]] | None:
    """The computed unspent share (1 − 执行数 ÷ 全年预算数) of what the text's row is about."""
    table, index, _key = source.split(_TABLE_SEP)
    project = None
    if table == cat.PROJECTS.name:
        project = next((p for p in m.projects if p.index == int(index)), None)
    elif table == cat.PROJECT_INDICATORS.name:
        ind = next((i for i in m.all_indicators() if i.table == table and i.index == int(index)), None)
        project = next((p for p in m.projects if ind is not None and p.name and p.name == ind.project), None)
        if project is None:
            return None
    if project is not None:
        spent, budget = q_value(project.spent), q_value(project.adjusted_budget)
        what = f"项目“{project.name}”"
        refs = (
            m.tref(cat.PROJECTS.name, project.index, "spent"),
            m.tref(cat.PROJECTS.name, project.index, "adjusted_budget"),
        )
    else:
        if not m.checks(cat.Form.UNIT):
            return None
        spent, budget = m.num("ua_spent"), m.num("ua_adjusted_budget")
        what = "附件2 年度资金总额"
        refs = (m.ref("ua_spent"), m.ref("ua_adjusted_budget"))
    if spent is None or budget is None or budget <= 0:
        return None
    return 1 - spent / budget, what, refs


@rule(
    "TXT-013",
    "偏差原因中的未执行比例与表格不符",
    Severity.WARNING,
    reads=(
        "ua_spent",
        "ua_adjusted_budget",
        cat.INDICATORS.name,
        cat.PROJECT_INDICATORS.name,
        cat.PROJECTS.name,
    ),
    description=(
        "偏差原因分析或项目文字中说明未执行（未支付）资金的比例（如“剩余3%尾款未支付”），应与表中算出的未执行比例"
        "（1 − 全年执行数 ÷ 全年预算数，项目的按该项目）相符，容差 2 个百分点；质保金等按合同计的比例不核对。"
    ),
)
def unspent_share(m: Model) -> Iterator[Hit]:
    texts = {k: v for k, v in _note_sources(m).items() if _TABLE_SEP in k}
    for c in unspent_shares(texts):
        base = _unspent_of(m, c.source)
        if base is None or c.value is None:
            continue
        share, what, refs = base
        limit = _SHARE_TOLERANCE * (Decimal("1.5") if c.approx else 1)
        if abs(c.value - share) <= limit:
            continue
        yield hit(
            (source_ref(m, c.source), *refs),
            f"{_place(m, c.source)}写 {quote(c.snippet)}（{fmt_rate(c.value)}），但{what}未执行比例为 "
            f"{fmt_rate(share)}（1 − 执行数 ÷ 全年预算数）",
            expected=fmt_rate(share),
            found=fmt_rate(c.value),
            advice="请按实际未执行（未支付）的金额和比例说明偏差原因，或核对全年预算数和执行数。",
        )


@rule(
    "TXT-011",
    "文字中的年度疑似沿用旧报告",
    Severity.INFO,
    reads=(*CLAIM_FIELDS, "info_year"),
    description=(
        "报告文字中叙述本年工作的句子（以“2021年，…”“2021年部门预算…”开头）写的年度既不是报告年度，也不是上一年度"
        "（或报告编写的下一年度）：可能是沿用旧报告未改。"
    ),
    forms=UNIT,
)
def stale_year(m: Model) -> Iterator[Hit]:
    year = m.num("info_year")
    if year is None:
        return
    for source, group in _by_source(stale_years(dict(_texts(m)), int(year))).items():
        said = "、".join(quote(c.snippet) for c in group)
        yield hit(
            (m.ref(source), m.ref("info_year")),
            f"{_source_label(source)}中写 {said}，而报告年度为 {int(year)} 年",
            expected=f"{int(year)} 年（或上一年度 {int(year) - 1} 年的对比数）",
            found="、".join(f"{int(c.value)} 年" for c in group),  # type: ignore[arg-type]
            advice="请核对年度：若是沿用往年报告的文字，请改为本年度的情况。",
        )
