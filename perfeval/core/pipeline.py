"""parse -> model -> rates & totals -> rules -> scores -> write plan. Pure: no Excel library is imported."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from perfeval.core.compute import Unavailable, compute
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
    def grade(self) -> str | None:
        value = self.model.computed.get("ua_grade_calc")
        return value if isinstance(value, str) else None

    def summary(self) -> str:
        parts = [f"{self.count(s)} 个{s.value}" for s in Severity]
        score = self.total_score
        tail = f"总分 {score:.2f}，{self.grade}" if score is not None else "总分无法计算"
        return "、".join(parts) + "；" + tail

    def explained(self, finding: Finding) -> str:
        return self.model.snapshot.explanations.get(finding.fingerprint, "")


def run_check(snapshot: Snapshot, profile: Profile) -> CheckResult:
    model = build_model(snapshot, profile)
    compute(model)
    outcome = run_rules(model)
    return CheckResult(model, outcome.findings, outcome.not_applicable)


__all__ = ["CheckResult", "Unavailable", "run_check"]
