"""The file-level job shared by the CLI (and later the batch review): read, check, write a new workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from perfeval.core.pipeline import CheckResult, run_check
from perfeval.core.plan import WritePlan, build_plan
from perfeval.core.profile import Profile
from perfeval.io.safety import default_output_path, ensure_distinct_output
from perfeval.io.xlsx_reader import open_workbook, read_snapshot
from perfeval.io.xlsx_writer import apply_plan, save_workbook


@dataclass
class CheckRun:
    result: CheckResult
    plan: WritePlan
    output: Path | None


def check_file(path: Path, profile: Profile, output: Path | None = None, *, write: bool = True) -> CheckRun:
    wb = open_workbook(path)
    snapshot = read_snapshot(wb, path)
    result = run_check(snapshot, profile)
    plan = build_plan(result)
    if not write:
        return CheckRun(result, plan, None)
    out = output or default_output_path(path)
    if output is None and path.suffix.lower() == ".xlsm":
        out = out.with_suffix(".xlsm")  # keep the macros the user's workbook carries
    ensure_distinct_output(path, out)
    apply_plan(wb, plan)
    save_workbook(wb, out)
    return CheckRun(result, plan, out)
