"""What the result page shows, taken from the check and its write plan (the same 评分汇总 rows the result
workbook gets); no web library here, so it is tested like any other function."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.core.findings import Finding, Severity
from perfeval.core.plan import RATE_FORMAT, SheetPlan, WritePlan
from perfeval.service import CheckRun, ProfileChoice, form_title, skipped_rules, unfilled_forms
from perfeval.terminal import grouped

SEVERITY_CLASS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


@dataclass
class FindingView:
    number: int
    rule: str
    severity: str
    css: str
    title: str
    cells: str
    message: str
    expected: str
    found: str
    advice: str
    explanation: str


@dataclass
class SheetGroup:
    sheet: str
    counts: str
    findings: list[FindingView] = field(default_factory=list)


@dataclass
class ScoreRow:
    cells: list[str]
    kind: str  # "title", "header", "total", "blank" or ""


def _cells_text(f: Finding, sheet: str, limit: int = 6) -> str:
    names = [c.address if c.sheet == sheet else str(c) for c in f.cells]
    text = "、".join(names[:limit])
    return text + (f" 等 {len(names)} 处" if len(names) > limit else "")


def _counts(findings: list[Finding]) -> str:
    return "、".join(
        f"{n} 个{s.value}" for s in Severity if (n := sum(1 for f in findings if f.severity is s))
    )


def finding_groups(run: CheckRun) -> list[SheetGroup]:
    """Findings by sheet in workbook order, as the CLI lists them (perfeval.terminal.grouped)."""
    result = run.result
    order = list(result.model.snapshot.sheet_names) or [sp.name for sp in cat.SHEETS]
    groups: list[SheetGroup] = []
    number = 0
    for sheet, items in grouped(result.findings, order):
        group = SheetGroup(sheet or "不对应单元格", _counts(items))
        for f in items:
            number += 1
            group.findings.append(
                FindingView(
                    number=number,
                    rule=f.rule_id,
                    severity=f.severity.value,
                    css=SEVERITY_CLASS[f.severity],
                    title=f.title,
                    cells=_cells_text(f, sheet),
                    message=f.message,
                    expected=f.expected,
                    found=f.found,
                    advice=f.advice,
                    explanation=result.explained(f),
                )
            )
        groups.append(group)
    return groups


def _cell_text(value: object, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        if number_format == RATE_FORMAT:
            return f"{float(value) * 100:.2f}%"
        if number_format:
            return f"{float(value):.2f}"
        return f"{value}"
    return str(value)


def score_rows(plan: WritePlan) -> list[ScoreRow]:
    """The 评分汇总 sheet of the result workbook, row by row, as text formatted like the sheet."""
    sheet: SheetPlan = next(sp for sp in plan.sheets if sp.kind == cat.SHEET_SCORES)
    rows: list[ScoreRow] = []
    for r, row in enumerate(sheet.rows, start=1):
        if r == 1:
            continue  # the sheet's title: the page has its own heading
        if not row:
            rows.append(ScoreRow([], "blank"))
            continue
        texts = [_cell_text(v, sheet.number_formats.get((r, c))) for c, v in enumerate(row, start=1)]
        texts += [""] * (5 - len(texts))
        # Header rows are the ones plan._scores_sheet starts a block with.
        is_header = len(row) > 1 and row[1] in ("分值", "执行率（复核）")
        kind = "header" if is_header else "total" if row[0] == "总分" else ""
        rows.append(ScoreRow(texts, kind))
    return rows


@dataclass
class ResultView:
    unit: str
    year: str
    title: str
    conclusion: str
    errors: int
    warnings: int
    infos: int
    total_score: str | None
    grade: str | None
    projects: list[tuple[str, str, str]]
    profile_line: str
    notes: list[str]
    groups: list[SheetGroup]
    scores: list[ScoreRow]


def result_view(run: CheckRun, profile_given: bool) -> ResultView:
    result = run.result
    m = result.model
    choice = ProfileChoice.of(result, given=profile_given)
    notes: list[str] = []
    note = choice.note(option="")
    if note:
        notes.append(note)
    for form in sorted(unfilled_forms(m)):
        sheets = "“" + "”“".join(sp.name for sp in cat.SHEETS if sp.form is form) + "”"
        notes.append(f"本工作簿的{cat.FORM_NAMES[form]}（{sheets}表）未填写，未作校验。")
    skipped = skipped_rules(result)
    waiting = skipped.could_give(m)
    if waiting:
        notes.append(f"另有 {len(waiting)} 条规则因缺少数据未执行（详见结果工作簿“校验结果”表）。")
    if skipped.disabled:
        notes.append(
            f"评分口径关闭了 {len(skipped.disabled)} 条规则：{'、'.join(sorted(skipped.disabled))}。"
        )
    total = result.total_score
    return ResultView(
        unit=m.text("info_unit_name") or "（未填单位名称）",
        year=m.text("info_year") or "（未填年度）",
        title=form_title(m.forms),
        conclusion=result.summary(),
        errors=result.count(Severity.ERROR),
        warnings=result.count(Severity.WARNING),
        infos=result.count(Severity.INFO),
        total_score=f"{total:.2f}" if cat.Form.UNIT in m.forms and total is not None else None,
        grade=result.grade if cat.Form.UNIT in m.forms else None,
        projects=[
            (name, f"{t:.2f}" if t is not None else "无法计算", grade or "")
            for name, t, grade in result.project_scores()
        ],
        profile_line=choice.line().replace("按 --profile 指定的", "按所选的"),
        notes=notes,
        groups=finding_groups(run),
        scores=score_rows(run.plan),
    )
