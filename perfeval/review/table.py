"""The summary tables as pandas DataFrames: 汇总 (one row per unit and kind), 问题分布, 明细, 未校验.

Columns are keyed in English (the --json keys) and headed in Chinese (the workbook); HEADERS maps them.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from perfeval.review.record import FileRecord, Row
from perfeval.review.run import Skip
from perfeval.review.similar import near_identical

if TYPE_CHECKING:
    import pandas as pd

SUMMARY_HEADERS = {
    "unit": "单位",
    "department": "主管部门",
    "kind": "类别",
    "project": "项目",
    "year": "年度",
    "initial_budget": "年初预算数（万元）",
    "adjusted_budget": "全年预算数（万元）",
    "spent": "全年执行数（万元）",
    "execution_rate": "执行率",
    "typed_score": "自评得分",
    "score": "复核得分",
    "grade": "等级",
    "errors": "错误",
    "warnings": "警告",
    "infos": "提示",
    "top_rules": "最常见的问题",
    "warning": "自评预警",
    "full_marks": "自评满分",
    "full_but_unspent": "满分但有结余",
    "score_ahead": "得分高于执行",
    "similar_text": "文字雷同",
    "file": "文件",
}
FLAGS = ("full_marks", "full_but_unspent", "score_ahead")
YES = "是"
DETAIL_HEADERS = {
    "unit": "单位",
    "kind": "类别",
    "project": "项目",
    "sheet": "工作表",
    "cells": "单元格",
    "rule": "规则",
    "severity": "级别",
    "message": "问题",
    "file": "文件",
}
RULE_HEADERS = {
    "rule": "规则",
    "title": "规则名称",
    "severity": "级别",
    "units": "单位数",
    "findings": "问题数",
}
_EPS = 1e-9


def top_rules(row: Row, n: int = 3) -> str:
    counts = Counter(f[0] for f in row.findings)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return "、".join(f"{rule}×{count}" for rule, count in ranked)


def flags(row: Row) -> dict[str, str]:
    """自评满分: the typed total is the profile's full marks. 满分但有结余: that, with money unspent.
    得分高于执行: the typed total's share of full marks is above the execution rate (a unit scoring 98 of
    100 while spending 70 %)."""
    full = row.typed_score is not None and abs(row.typed_score - row.full_marks) < 0.005
    unspent = (
        full
        and row.adjusted_budget is not None
        and row.spent is not None
        and row.spent < row.adjusted_budget - _EPS
    )
    ahead = (
        row.typed_score is not None
        and row.execution_rate is not None
        and row.full_marks > 0
        and row.typed_score / row.full_marks > row.execution_rate + _EPS
    )
    return {
        "full_marks": YES if full else "",
        "full_but_unspent": YES if unspent else "",
        "score_ahead": YES if ahead else "",
    }


def similar_texts(records: list[FileRecord]) -> dict[tuple[int, int], str]:
    """(file, row) -> "与“某单位”雷同：主要职责、…" for rows whose narrative matches another unit's."""
    items = [
        ((i, j), label, text)
        for i, rec in enumerate(records)
        for j, row in enumerate(rec.rows)
        for label, text in row.texts.items()
    ]
    out = {}
    ranked: dict[frozenset[int], list[tuple[str, int]]] = {}  # shared by the keys of one union
    for key, (files, labels) in near_identical(items).items():
        if files not in ranked:
            ranked[files] = sorted((records[f].unit, f) for f in files)
        # Another unit's: a unit's own 部门整体 and 项目 workbooks may share their words.
        own = records[key[0]].unit
        names = list(dict.fromkeys(name for name, f in ranked[files] if f != key[0] and name != own))
        if not names:
            continue
        who = f"“{names[0]}”" + (f"等 {len(names)} 个单位" if len(names) > 1 else "")
        out[key] = f"与{who}雷同：{'、'.join(labels)}"
    return out


def summary_records(records: list[FileRecord]) -> list[dict[str, object]]:
    """One dict per unit and kind, sorted: units with more 错误 first, then by name; 项目 under their unit."""
    similar = similar_texts(records)
    groups = []
    for i, rec in enumerate(records):
        lines = []
        for j, row in enumerate(rec.rows):
            sev = Counter(f[1] for f in row.findings)
            lines.append(
                {
                    "unit": rec.unit,
                    "department": rec.department,
                    "kind": row.kind,
                    "project": row.project,
                    "year": rec.year,
                    "initial_budget": row.initial_budget,
                    "adjusted_budget": row.adjusted_budget,
                    "spent": row.spent,
                    "execution_rate": row.execution_rate,
                    "typed_score": row.typed_score,
                    "score": row.score,
                    "grade": row.grade or "",
                    "errors": sev["错误"],
                    "warnings": sev["警告"],
                    "infos": sev["提示"],
                    "top_rules": top_rules(row),
                    "warning": row.warning,
                    **flags(row),
                    "similar_text": similar.get((i, j), ""),
                    "file": rec.name,
                }
            )
        errors = sum(int(line["errors"]) for line in lines)  # type: ignore[call-overload]
        groups.append(((-errors, rec.unit, rec.name), lines))
    groups.sort(key=lambda g: g[0])
    return [line for _, lines in groups for line in lines]


def summary_frame(records: list[FileRecord], rows: list[dict[str, object]] | None = None) -> pd.DataFrame:
    """汇总 as a table: `rows` when summary_records made them already, else made here."""
    import pandas as pd

    return pd.DataFrame(summary_records(records) if rows is None else rows, columns=list(SUMMARY_HEADERS))


def detail_rows(rec: FileRecord) -> list[list[object]]:
    """One unit's lines of 明细, in DETAIL_HEADERS' order."""
    return [
        [rec.unit, row.kind, row.project, sheet, cells, rule, sev, text, rec.name]
        for row in rec.rows
        for rule, sev, sheet, cells, text in row.findings
    ]


def detail_frame(records: list[FileRecord]) -> pd.DataFrame:
    import pandas as pd

    rows = [line for rec in records for line in detail_rows(rec)]
    return pd.DataFrame(rows, columns=list(DETAIL_HEADERS))


def rule_frame(detail: pd.DataFrame) -> pd.DataFrame:
    """问题分布: each rule, the number of units (files) it was found in and of its findings."""
    import pandas as pd

    from perfeval.core.rules import REGISTRY

    if detail.empty:
        return pd.DataFrame(columns=list(RULE_HEADERS))
    grouped = detail.groupby("rule").agg(
        severity=("severity", lambda s: s.mode().iloc[0]),
        units=("file", "nunique"),
        findings=("rule", "size"),
    )
    grouped = grouped.reset_index()
    grouped["title"] = grouped["rule"].map(lambda r: REGISTRY[r].title if r in REGISTRY else "")
    grouped = grouped.sort_values(["units", "findings", "rule"], ascending=[False, False, True])
    return grouped[list(RULE_HEADERS)].reset_index(drop=True)


def json_lines(rows: list[dict[str, object]], skipped: list[Skip]) -> list[str]:
    """--json and the web page's download: one object per row of summary_records (one per unit and kind),
    then one per file not checked."""
    import json

    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    lines += [json.dumps({"skipped": s.name, "reason": s.reason}, ensure_ascii=False) for s in skipped]
    return lines


def skipped_frame(skipped: list[Skip]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([{"file": s.name, "reason": s.reason} for s in skipped], columns=["file", "reason"])
