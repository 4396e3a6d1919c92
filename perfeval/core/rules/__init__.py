"""All rules; importing this package registers them."""

from perfeval.core.rules import (  # noqa: F401  (imported to register)
    completeness,
    consistency,
    deviation,
    parsing,
    plausibility,
    project,
    rates,
    report,
    scoring,
    sums,
    text,
    warnings,
    weights,
    workbook,
)
from perfeval.core.rules.registry import REGISTRY, Rule, RuleOutcome, run_rules

__all__ = ["REGISTRY", "Rule", "RuleOutcome", "run_rules"]
