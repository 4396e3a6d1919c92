"""Rules: consistency."""

from __future__ import annotations
