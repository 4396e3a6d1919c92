"""parse -> model -> rates & totals -> rules -> scores -> write plan. Pure: no Excel library is imported."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.compute import GRADE_PENDING, Unavailable, compute
from perfeval.core.findings import Finding, Severity
from perfeval.core.model import Model, build_model
from perfeval.core.profile import Profile
from perfeval.core.rules import run_rules
from perfeval.core.snapshot import Snapshot


@dataclass
class CheckResult:
    model: Model
    findings: list[Finding]
    not_applicable: dict[str, str]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def total_score(self) -> Decimal | None:
        value = self.model.computed.get("ua_total_score_calc")
        return value if isinstance(value, Decimal) else None

    @property
    def unit_weights_off(self) -> bool:
        """The 部门整体 weights do not add up to the profile's total: compute graded it 等级待定."""
        return self.grade == GRADE_PENDING

    @property
    def grade(self) -> str | None:
        value = self.model.computed.get("ua_grade_calc")
        return value if isinstance(value, str) else None

    def weights_note(self, form: Form) -> str:
        """The note "分值合计不是 100 分，等级待定", with the profile's total."""
        total = sum(self.model.profile.weights_of(form).values(), Decimal(0))
        return f"分值合计不是 {total:f} 分，{GRADE_PENDING}"

    def project_scores(self) -> list[tuple[str, Decimal | None, str | None]]:
        """Each project's name, computed total and grade (None when it cannot be computed; 等级待定 when its
        weights do not add up to the profile's total)."""
        out = []
        for p in self.model.projects:
            total = self.model.table_computed.get((cat.PROJECTS.name, p.index, "total_score_calc"))
            grade = self.model.table_computed.get((cat.PROJECTS.name, p.index, "grade_calc"))
            out.append(
                (
                    p.name or f"第{p.index + 1}行项目",
                    total if isinstance(total, Decimal) else None,
                    grade if isinstance(grade, str) else None,
                )
            )
        return out

    def scope(self) -> str:
        """What was checked: "部门整体支出绩效自评 总分 92.00，优；项目支出绩效自评 2 个项目：A 95.00 分、B …"."""
        parts = []
        forms = self.model.forms
        if Form.UNIT in forms:
            score = self.total_score
            if score is None:
                tail = "总分无法计算"
            elif self.unit_weights_off:
                tail = f"总分 {score:.2f}（{self.weights_note(Form.UNIT)}）"
            else:
                tail = f"总分 {score:.2f}，{self.grade}"
            parts.append(f"{cat.FORM_NAMES[Form.UNIT]} {tail}")
        if Form.PROJECT in forms:
            scores = self.project_scores()
            note = self.weights_note(Form.PROJECT)
            shown = [
                f"{name} 总分无法计算"
                if total is None
                else f"{name} {total:.2f} 分（{note}）"
                if grade == GRADE_PENDING
                else f"{name} {total:.2f} 分"
                for name, total, grade in scores
            ]
            listing = "：" + join_short(shown) if shown else "：没有填写项目"
            parts.append(f"{cat.FORM_NAMES[Form.PROJECT]} {len(scores)} 个项目{listing}")
        return "；".join(parts)

    def summary(self) -> str:
        counts = "、".join(f"{self.count(s)} 个{s.value}" for s in Severity)
        return counts + "；" + self.scope()

    def explained(self, finding: Finding) -> str:
        return self.model.snapshot.explanations.get(finding.fingerprint, "")


def join_short(items: list[str], limit: int = 5) -> str:
    """A list for one line: the first few and how many in all."""
    if len(items) <= limit:
        return "、".join(items)
    return "、".join(items[:limit]) + f" 等 {len(items)} 个"


def run_check(snapshot: Snapshot, profile: Profile) -> CheckResult:
    model = build_model(snapshot, profile)
    compute(model)
    outcome = run_rules(model)
    return CheckResult(model, outcome.findings, outcome.not_applicable)


__all__ = ["CheckResult", "Unavailable", "run_check"]
