"""Rules: weights."""

from __future__ import annotations
