"""The rule registry: each rule has a stable id, a title, a severity, the fields it reads and a check."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.findings import Finding, Severity
from perfeval.core.model import Model, NotApplicable
from perfeval.core.snapshot import CellRef

CATEGORIES = {
    "PARSE": "数据格式",
    "CMP": "完整性",
    "SUM": "合计与结构",
    "XT": "跨表一致",
    "RATE": "比率",
    "SCORE": "评分",
    "WT": "分值权重",
    "DEV": "偏差说明",
    "PL": "合理性",
    "TXT": "文字与表格一致",
    "RPT": "自评报告",
    "WB": "工作簿",
}


@dataclass(frozen=True)
class Hit:
    """What a check returns; the runner turns it into a Finding with the rule's id and severity."""

    cells: tuple[CellRef, ...]
    message: str
    expected: str = ""
    found: str = ""
    advice: str = ""


Check = Callable[[Model], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    reads: tuple[str, ...]
    description: str
    check: Check
    completeness: bool = False  # completeness rules run on missing inputs; the others become n/a
    forms: frozenset[Form] = frozenset()  # the forms the rule needs checked (empty: any workbook)

    @property
    def category(self) -> str:
        return CATEGORIES[self.id.split("-")[0]]


REGISTRY: dict[str, Rule] = {}


UNIT = frozenset({Form.UNIT})
PROJECT = frozenset({Form.PROJECT})
BOTH = frozenset({Form.UNIT, Form.PROJECT})


def rule(
    rule_id: str,
    title: str,
    severity: Severity,
    reads: tuple[str, ...] = (),
    description: str = "",
    forms: frozenset[Form] = frozenset(),
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id} registered twice")
        if rule_id.split("-")[0] not in CATEGORIES:
            raise ValueError(f"rule {rule_id} has an unknown category")
        REGISTRY[rule_id] = Rule(
            rule_id,
            title,
            severity,
            reads,
            description or inspect.cleandoc(check.__doc__ or ""),
            check,
            completeness=rule_id.startswith("CMP-"),
            forms=forms,
        )
        return check

    return register


def hit(
    cells: CellRef | Iterable[CellRef], message: str, expected: str = "", found: str = "", advice: str = ""
) -> Hit:
    cell_tuple = (cells,) if isinstance(cells, CellRef) else tuple(dict.fromkeys(cells))
    return Hit(cell_tuple, message, expected, found, advice)


@dataclass(frozen=True)
class RuleOutcome:
    findings: list[Finding]
    not_applicable: dict[str, str]  # rule id -> reason


# What several rules derive from the model alike (the texts, the numeric inputs), kept for one run_rules:
# the model does not change while the rules read it. Outside a run (a rule called alone) nothing is kept.
_RUN_MEMO: ContextVar[dict[tuple[object, ...], tuple[Model, Any]] | None] = ContextVar(
    "run_memo", default=None
)
_P = ParamSpec("_P")
_R = TypeVar("_R")


def per_run(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """fn(model, *args) computed once per run_rules; its result is shared, so callers must not change it."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        memo = _RUN_MEMO.get()
        if memo is None or kwargs:
            return fn(*args, **kwargs)
        m, rest = args[0], args[1:]
        key = (fn, id(m), *rest)
        kept = memo.get(key)
        if kept is not None and kept[0] is m:
            return kept[1]
        value = fn(*args)
        memo[key] = (m, value)  # type: ignore[assignment]
        return value

    return wrapper


def run_rules(model: Model) -> RuleOutcome:
    token = AMOUNT_DISPLAY.set(model.amount_unit)
    memo = _RUN_MEMO.set({})
    try:
        return _run_rules(model)
    finally:
        _RUN_MEMO.reset(memo)
        AMOUNT_DISPLAY.reset(token)


def _run_rules(model: Model) -> RuleOutcome:
    findings: list[Finding] = []
    skipped: dict[str, str] = {}
    profile = model.profile
    for rule_id, r in sorted(REGISTRY.items()):
        if rule_id in profile.disabled:
            skipped[rule_id] = "评分口径已关闭此规则"
            continue
        if not r.forms <= model.forms:
            missing = "、".join(cat.FORM_NAMES[f] for f in sorted(r.forms - model.forms))
            skipped[rule_id] = f"本工作簿未填写{missing}"
            continue
        severity = profile.severity_overrides.get(rule_id, r.severity)
        try:
            hits = list(r.check(model))
        except NotApplicable as e:
            skipped[rule_id] = str(e)
            continue
        findings.extend(
            Finding(rule_id, severity, r.title, h.cells, h.message, h.expected, h.found, h.advice)
            for h in hits
        )
    findings.sort(key=lambda f: (f.severity.rank, f.rule_id, f.cells))
    return RuleOutcome(findings, skipped)


# --- formatting shared by the messages -----------------------------------------------------------------
# The model holds amounts in 万元; messages show them in the unit the workbook's forms print (元 in 重庆).
AMOUNT_DISPLAY: ContextVar[str] = ContextVar("amount_display", default="万元")


def amount_unit() -> str:
    """The unit messages show amounts in: the workbook's forms' (万元, or 元)."""
    return AMOUNT_DISPLAY.get()


def amount_number(v: Decimal) -> str:
    """An amount (held in 万元) as a bare number in the display unit, for arithmetic in messages."""
    return fmt_num(v * 10000 if AMOUNT_DISPLAY.get() == "元" else v)


def fmt_amount(v: Decimal | None) -> str:
    if v is None:
        return "（空）"
    if AMOUNT_DISPLAY.get() == "元":
        return f"{v * 10000:,.2f} 元"
    return f"{v:,.2f} 万元"


def fmt_rate(v: Decimal | None) -> str:
    return "（空）" if v is None else f"{v * 100:.2f}%"


def fmt_score(v: Decimal | None) -> str:
    return "（空）" if v is None else f"{v:.2f} 分"


def fmt_num(v: Decimal | None, unit: str = "") -> str:
    if v is None:
        return "（空）"
    text = f"{v:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + unit
