"""The report's error type: raised with a Chinese message the CLI prints as is (never a traceback)."""

from __future__ import annotations


class ReportError(Exception):
    """A report that cannot be written or converted; str() is a Chinese message saying what to do."""
