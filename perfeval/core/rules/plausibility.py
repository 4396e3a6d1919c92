"""Rules: plausibility."""

from __future__ import annotations
