"""Findings: what a rule reports, traced to the cells it concerns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from perfeval.core.snapshot import CellRef


class Severity(StrEnum):
    ERROR = "错误"
    WARNING = "警告"
    INFO = "提示"

    @property
    def rank(self) -> int:
        return {"错误": 0, "警告": 1, "提示": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    title: str
    cells: tuple[CellRef, ...]
    message: str  # what is wrong, in Chinese
    expected: str = ""
    found: str = ""
    advice: str = ""  # what to do

    def __post_init__(self) -> None:
        if not self.message:
            raise ValueError(f"{self.rule_id}: a finding needs a message")

    @property
    def fingerprint(self) -> str:
        """Stable across runs while the rule and the cells stay the same; keys the user's 审核说明."""
        return self.rule_id + "@" + ",".join(str(c) for c in sorted(self.cells))

    @property
    def location(self) -> str:
        return "、".join(str(c) for c in self.cells)

    def text(self) -> str:
        parts = [self.message]
        if self.expected:
            parts.append(f"应为：{self.expected}")
        if self.found:
            parts.append(f"填报：{self.found}")
        if self.advice:
            parts.append(f"处理：{self.advice}")
        return "；".join(parts)
