"""The small picklable record a worker returns for one workbook: the summary rows, findings and texts.

Everything is read from the engine's CheckResult (model, computed values, findings); nothing is computed
again here except which row a finding belongs to and the bureau's flags, which compare engine values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.findings import Finding
from perfeval.core.pipeline import CheckResult

KIND_UNIT, KIND_PROJECT = "部门整体", "项目"
RED_RULES = {"PL-021", "PL-023"}  # the budget system's 自评预警, as core/rules/warnings.py raises it
YELLOW_RULES = {"PL-022", "PL-024"}
MIN_TEXT = 20  # shorter texts ("无", a date) are alike by nature and say nothing about copying
PROJECT_TEXTS = {
    "goal_actual": "实际完成情况",
    "conclusion": "评价结论",
    "problems": "存在问题",
    "improvements": "改进措施",
}
# 三公 and the staff counts compared year on year (--previous).
TPC_ROWS = ("tpc", "car", "abroad", "reception")


def _f(value: object) -> float | None:
    return float(value) if isinstance(value, Decimal) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass
class Row:
    """One line of 汇总: a unit's 部门整体 form or one of its projects."""

    kind: str
    project: str
    initial_budget: float | None
    adjusted_budget: float | None
    spent: float | None
    execution_rate: float | None  # a fraction (0.95), the engine's 执行率（复核）
    typed_score: float | None
    score: float | None  # 复核得分
    grade: str | None
    full_marks: float  # the profile's total for this form (100)
    findings: list[tuple[str, str, str, str, str]] = field(
        default_factory=list
    )  # rule, sev, sheet, cells, text
    texts: dict[str, str] = field(default_factory=dict)  # label -> text, for 文字雷同

    @property
    def warning(self) -> str:
        rules = {f[0] for f in self.findings}
        shown = [name for name, ids in (("红色", RED_RULES), ("黄色", YELLOW_RULES)) if rules & ids]
        return "、".join(shown) or "—"


@dataclass
class FileRecord:
    name: str  # the path shown: relative to the folder or zip
    sha256: str
    department: str  # 主管部门 where known
    unit: str
    year: str
    profile: str
    ruleset: str
    rows: list[Row]
    previous: dict[str, object] = field(default_factory=dict)  # what --previous compares


def _sum_weights(result: CheckResult, form: Form) -> float:
    return float(sum(result.model.profile.weights_of(form).values(), Decimal(0)))


def _owner(result: CheckResult, finding: Finding) -> int | None:
    """Which project (index) a finding's cells lie in; None for the unit's own sheets."""
    m = result.model
    projects = m.snapshot.tables.get(cat.PROJECTS.name)
    indicators = m.snapshot.tables.get(cat.PROJECT_INDICATORS.name)
    by_name = {p.name: p.index for p in m.projects}
    for ref in finding.cells:
        row, _ = cat.split_address(ref.address) if cat.is_cell(ref.address) else (0, 0)
        if projects is not None and ref.sheet == projects.sheet and row >= projects.first_row:
            index = row - projects.first_row
            if any(p.index == index for p in m.projects):
                return index
        if indicators is not None and ref.sheet == indicators.sheet and row >= indicators.first_row:
            index = row - indicators.first_row
            if index < len(indicators.rows):
                name = str(indicators.rows[index].get("project") or "").strip()
                if name in by_name:
                    return by_name[name]
    return None


def _finding_tuple(f: Finding) -> tuple[str, str, str, str, str]:
    sheet = f.cells[0].sheet if f.cells else ""
    cells = "、".join(c.address for c in f.cells)
    return (f.rule_id, f.severity.value, sheet, cells, f.text())


def rows_of(result: CheckResult) -> list[Row]:
    """The 部门整体 row (when the workbook holds that form) and one row per project, with their findings."""
    m = result.model
    rows: list[Row] = []
    unit_row: Row | None = None
    if Form.UNIT in m.forms:
        c = m.computed
        unit_row = Row(
            KIND_UNIT,
            "",
            _f(m.num("ua_initial_budget")),
            _f(m.num("ua_adjusted_budget")),
            _f(m.num("ua_spent")),
            _f(c.get("ua_execution_rate_calc")),
            _f(m.num("ua_total_score")),
            _f(c.get("ua_total_score_calc")),
            _text(c.get("ua_grade_calc")),
            _sum_weights(result, Form.UNIT),
            texts={
                f.label: m.text(f.name)
                for f in (cat.field(n) for n in cat.TEXT_FIELDS)
                if len(m.text(f.name)) >= MIN_TEXT
            },
        )
        rows.append(unit_row)
    by_index: dict[int, Row] = {}
    t = cat.PROJECTS.name
    for p in m.projects:
        row = Row(
            KIND_PROJECT,
            p.name or f"第{p.index + 1}行项目",
            _f(p.initial_budget.value if p.initial_budget.ok else None),
            _f(p.adjusted_budget.value if p.adjusted_budget.ok else None),
            _f(p.spent.value if p.spent.ok else None),
            _f(m.table_computed.get((t, p.index, "execution_rate_calc"))),
            _f(p.total_score.value if p.total_score.ok else None),
            _f(m.table_computed.get((t, p.index, "total_score_calc"))),
            _text(m.table_computed.get((t, p.index, "grade_calc"))),
            _sum_weights(result, Form.PROJECT),
            texts={
                f"{p.name}·{label}": text
                for key, label in PROJECT_TEXTS.items()
                if len(text := (p.goal_actual if key == "goal_actual" else p.texts.get(key, "")) or "")
                >= MIN_TEXT
            },
        )
        by_index[p.index] = row
        rows.append(row)
    for f in result.findings:
        owner = _owner(result, f)
        # Findings on shared cells (基本信息) go to the unit's first row: the unit has to answer them.
        target = by_index.get(owner) if owner is not None else None
        target = target or unit_row or (rows[0] if rows else None)
        if target is not None:
            target.findings.append(_finding_tuple(f))
    return rows


def previous_values(result: CheckResult) -> dict[str, object]:
    """What next year's review compares: targets, 三公 (上年决算/本年决算), 编制 and 在职."""
    m = result.model
    values: dict[str, object] = {
        f"{key}_{col}": _f(m.num(f"bd_{key}_{col}")) for key in TPC_ROWS for col in cat.YEAR_COLS
    }
    values["authorized_staff"] = _f(m.num("bd_authorized_staff"))
    values["actual_staff"] = _f(m.num("bd_actual_staff"))
    # (project, 三级指标, 年度指标值 as typed): lists, so that they survive JSON in the summary's data sheet.
    values["targets"] = sorted(
        {
            (i.project, i.level3, str(i.target.raw))
            for i in m.all_indicators()
            if i.level3 and i.target.present
        }
    )
    return values
