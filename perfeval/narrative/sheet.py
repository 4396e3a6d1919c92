"""The 自评报告 sheet: one paragraph a row, and a stamp so a hand-edited copy is never silently replaced.

The tool writes, in hidden cell B1, a stamp of the text it generated. On the next run, if column A no
longer matches its stamp, the user edited the sheet: the plan renames it to a free "自评报告（修改稿）"
name (kept, never overwritten) and writes a fresh one, and rule RPT-001 says so.
"""

from __future__ import annotations

import hashlib

from perfeval import catalogue as cat
from perfeval.core.snapshot import Snapshot
from perfeval.report.document import Report

STAMP_PREFIX = "perfeval:"
KEPT_NAME = "自评报告（修改稿）"


def report_texts(report: Report) -> list[str]:
    return [t for t in report.texts() if t.strip()]


def stamp(texts: list[str] | tuple[str, ...]) -> str:
    digest = hashlib.sha256("\n".join(t.strip() for t in texts).encode("utf-8")).hexdigest()
    return STAMP_PREFIX + digest[:16]


def edited(snapshot: Snapshot) -> bool:
    """The tool's report sheet is there, carries our stamp, and its text no longer matches it."""
    return (
        cat.SHEET_REPORT in snapshot.own_sheets
        and snapshot.report_stamp.startswith(STAMP_PREFIX)
        and stamp(snapshot.report_rows) != snapshot.report_stamp
    )


def kept_name(sheet_names: tuple[str, ...] | list[str]) -> str:
    """A sheet name not yet taken: 自评报告（修改稿）, then 自评报告（修改稿2）… (Excel allows 31 characters)."""
    taken = set(sheet_names)
    if KEPT_NAME not in taken:
        return KEPT_NAME
    n = 2
    while f"自评报告（修改稿{n}）" in taken:
        n += 1
    return f"自评报告（修改稿{n}）"
