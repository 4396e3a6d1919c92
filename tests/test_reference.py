"""The generated references in docs/ match the catalogue and the rule registry."""

from __future__ import annotations

from pathlib import Path

from perfeval.core.rules import REGISTRY
from perfeval.reference import (
    RULE_COUNT,
    fields_markdown,
    profiles_markdown,
    readme_with_rule_count,
    rules_markdown,
)

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_field_reference_is_current() -> None:
    assert (DOCS / "fields.md").read_text(encoding="utf-8") == fields_markdown(), (
        "run python -m perfeval.reference"
    )


def test_rule_reference_is_current() -> None:
    assert (DOCS / "rules.md").read_text(encoding="utf-8") == rules_markdown(), (
        "run python -m perfeval.reference"
    )


def test_profile_reference_is_current() -> None:
    text = profiles_markdown()
    assert (DOCS / "profiles.md").read_text(encoding="utf-8") == text, "run python -m perfeval.reference"
    # every shipped profile is listed with its unit; 重庆 prints 元 and its two optional columns
    assert "| `重庆` | 重庆市部门整体绩效自评 | 部门整体 | 元 |" in text and "得分系数、核心指标" in text
    assert "产出 60" in text


def test_readme_counts_the_registered_rules() -> None:
    text = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert RULE_COUNT.search(text), "the README no longer says how many rules there are"
    assert f"按 {len(REGISTRY)} 条校验规则" in text, "run python -m perfeval.reference"
    assert text == readme_with_rule_count(text)
