"""同比 (--previous): each unit against last year's, from last year's workbooks or last year's summary.

Per unit (matched by 单位名称): indicator targets copied unchanged, the 三公 change against last year's 决算,
this year's 上年决算数 against last year's 本年决算数, and the 编制 and 在职 changes. A summary written by
`perfeval review` carries what this needs in its hidden sheet DATA_SHEET, so last year's files need not be kept.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from perfeval.io.safety import InputFileError
from perfeval.review.record import TPC_ROWS, FileRecord

if TYPE_CHECKING:
    import pandas as pd

DATA_SHEET = "_复核数据"
TPC_NAMES = {"tpc": "三公经费", "car": "公务用车", "abroad": "出国经费", "reception": "公务接待"}
YOY_HEADERS = {
    "unit": "单位",
    "previous_year": "上年年度",
    "year": "本年年度",
    "tpc_last": "上年三公经费决算（上年填报）",
    "tpc_now": "本年三公经费决算",
    "tpc_change": "三公经费增减",
    "tpc_change_rate": "三公经费增减率",
    "prior_mismatch": "本年所填上年决算数与上年所填本年决算数不一致",
    "authorized_change": "编制数（上年→本年）",
    "actual_change": "在职人数（上年→本年）",
    "targets_copied": "沿用上年的指标（指标名称和年度指标值均未变）",
    "note": "说明",
}
_EPS = 0.005  # amounts in 万元 with two decimals


def data_rows(records: list[FileRecord]) -> list[tuple[str, str, str, str]]:
    """The hidden sheet's rows: unit, year, file, the record's comparison values as JSON."""
    return [(r.unit, r.year, r.name, json.dumps(r.previous, ensure_ascii=False)) for r in records]


def _from_summary(path: Path) -> dict[str, dict[str, object]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except Exception as e:  # any openpyxl failure means the file is not a summary we wrote
        raise InputFileError(
            f"上年资料“{path.name}”无法读取（{type(e).__name__}）。请使用上年的复核汇总（.xlsx），或上年各单位工作簿的 zip。"
        ) from None
    if DATA_SHEET not in wb.sheetnames:
        raise InputFileError(
            f"上年资料“{path.name}”不是 perfeval review 生成的复核汇总（没有“{DATA_SHEET}”表）。"
            "请使用上年的复核汇总，或上年各单位工作簿所在的文件夹（或 zip）。"
        )
    out = {}
    for unit, year, _file, data in wb[DATA_SHEET].iter_rows(min_row=2, values_only=True):
        if unit:
            out[str(unit)] = {**json.loads(str(data)), "year": str(year or "")}
    wb.close()
    return out


def load_previous(
    path: Path, profile: str | None, jobs: int | None, start_method: str | None = None
) -> dict[str, dict[str, object]]:
    """Last year by unit name: from a summary .xlsx, or by reviewing last year's folder (or zip)."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return _from_summary(path)
    from perfeval.review.job import review

    run = review(path, None, profile, jobs, write=False, start_method=start_method)
    return {r.unit: {**r.previous, "year": r.year} for r in run.records}


def _num(d: dict[str, object], key: str) -> float | None:
    v = d.get(key)
    return float(v) if isinstance(v, (int, float)) else None


def _change(last: float | None, now: float | None) -> str:
    if last is None and now is None:
        return ""
    shown = [("—" if v is None else f"{v:g}") for v in (last, now)]
    diff = f"（{now - last:+g}）" if last is not None and now is not None and last != now else ""
    return f"{shown[0]}→{shown[1]}{diff}"


def yoy_rows(records: list[FileRecord], previous: dict[str, dict[str, object]]) -> list[dict[str, object]]:
    rows = []
    for rec in sorted(records, key=lambda r: r.unit):
        last = previous.get(rec.unit)
        now = rec.previous
        row: dict[str, object] = dict.fromkeys(YOY_HEADERS, "")
        row.update(unit=rec.unit, year=rec.year)
        if last is None:
            row["note"] = "上年无此单位"
            rows.append(row)
            continue
        row["previous_year"] = last.get("year", "")
        tpc_last, tpc_now = _num(last, "tpc_current_actual"), _num(now, "tpc_current_actual")
        row["tpc_last"], row["tpc_now"] = tpc_last, tpc_now
        if tpc_last is not None and tpc_now is not None:
            row["tpc_change"] = round(tpc_now - tpc_last, 2)
            row["tpc_change_rate"] = (tpc_now - tpc_last) / tpc_last if tpc_last else None
        mismatches = []
        for key in TPC_ROWS:
            said_now, said_last = _num(now, f"{key}_prior_actual"), _num(last, f"{key}_current_actual")
            if said_now is not None and said_last is not None and abs(said_now - said_last) > _EPS:
                mismatches.append(f"{TPC_NAMES[key]} {said_now:g}（上年填 {said_last:g}）")
        row["prior_mismatch"] = "；".join(mismatches)
        row["authorized_change"] = _change(_num(last, "authorized_staff"), _num(now, "authorized_staff"))
        row["actual_change"] = _change(_num(last, "actual_staff"), _num(now, "actual_staff"))
        old = {tuple(t) for t in last.get("targets", [])}  # type: ignore[union-attr]
        same = [t for t in now.get("targets", []) if tuple(t) in old]  # type: ignore[union-attr]
        if same:
            names = "、".join(str(t[1]) for t in same[:5]) + ("等" if len(same) > 5 else "")
            row["targets_copied"] = f"{len(same)} 项：{names}"
        rows.append(row)
    return rows


def yoy_frame(records: list[FileRecord], previous: dict[str, dict[str, object]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(yoy_rows(records, previous), columns=list(YOY_HEADERS))
