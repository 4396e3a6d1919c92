"""The generated references in docs/ match the catalogue and the rule registry."""

from __future__ import annotations

from pathlib import Path

from perfeval.reference import fields_markdown, rules_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_field_reference_is_current() -> None:
    assert (DOCS / "fields.md").read_text(encoding="utf-8") == fields_markdown(), (
        "run python -m perfeval.reference"
    )


def test_rule_reference_is_current() -> None:
    assert (DOCS / "rules.md").read_text(encoding="utf-8") == rules_markdown(), (
        "run python -m perfeval.reference"
    )
