"""One review from start to finish: collect, check in parallel, tabulate, write the summary workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from perfeval.io.safety import InputFileError, OutputPathError, check_output_location, write_atomically
from perfeval.review.collect import Collected, collect
from perfeval.review.record import FileRecord
from perfeval.review.run import Skip, default_jobs, review_all

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class ReviewRun:
    records: list[FileRecord]
    skipped: list[Skip]
    summary: pd.DataFrame
    output: Path | None
    rows: list[dict[str, object]] = field(default_factory=list)  # summary_records: 汇总's rows, for --json
    rules: pd.DataFrame | None = None  # 问题分布
    extra: dict[str, object] = field(default_factory=dict)


def default_output(source: Path) -> Path:
    """Beside the folder or zip, never inside the folder: 各单位.复核汇总.xlsx."""
    stem = source.stem if source.is_file() else source.resolve().name
    return source.resolve().parent / f"{stem}.复核汇总.xlsx"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def review_output_path(source: Path, output: Path | None) -> Path:
    out = Path(output) if output is not None else default_output(source)
    if out.suffix.lower() != ".xlsx":
        raise OutputPathError(f"汇总文件应以 .xlsx 结尾：{out}。例如 -o 汇总.xlsx")
    if source.is_dir() and _inside(out, source):
        raise OutputPathError(
            f"汇总文件“{out}”在被复核的文件夹中。为不改动各单位报来的文件夹，请把汇总保存到该文件夹之外，"
            "例如 -o 汇总.xlsx（在当前目录）。"
        )
    check_output_location(out, what="汇总文件", option="-o", example="汇总.xlsx")
    return out


def review(
    source: Path,
    output: Path | None,
    profile: str | None = None,
    jobs: int | None = None,
    *,
    write: bool = True,
    progress: Callable[[int, str], None] | None = None,
    previous: Path | None = None,
    start_method: str | None = None,
    source_name: str | None = None,
) -> ReviewRun:
    """Review every workbook under `source` (read only). `progress(total, name)`: called with total first
    (name "") and then once per file checked. `source_name`: the folder's or zip's name as the user knows
    it (an upload's), for messages and 说明. InputFileError when nothing can be reviewed or written."""
    from perfeval.review import table

    source = Path(source)
    shown = source_name or source.name
    out = review_output_path(source, output) if write else None  # refused before anything is read
    if out is not None:
        from perfeval.review.workbook import About, SummaryWriter
    last_year = None
    if previous is not None:
        from perfeval.review.yoy import load_previous

        last_year = load_previous(Path(previous), profile, jobs, start_method)
    collected: Collected = collect(source, source_name)
    # 明细 is written as the results come in, while the workers check the rest; a summary that is not
    # saved (the review failed) leaves no temporary file behind.
    with SummaryWriter(yoy=last_year is not None) if out is not None else nullcontext() as writer:
        try:
            if not collected.candidates and not collected.skipped:
                raise InputFileError(f"“{shown}”中没有 Excel 工作簿（.xlsx）。请确认文件夹或压缩包是否选对。")
            if progress:
                progress(len(collected.candidates), "")
            jobs = jobs or default_jobs()
            results = review_all(
                collected.candidates,
                profile,
                jobs,
                (lambda n: progress(0, n)) if progress else None,
                start_method,
                (lambda i, r: writer.add(i, r if isinstance(r, FileRecord) else None)) if writer else None,
            )
        finally:
            collected.cleanup()
        records = [r for r in results if isinstance(r, FileRecord)]
        skipped = [Skip(n, "", why) for n, why in collected.skipped]
        skipped += [r for r in results if isinstance(r, Skip)]
        if not records:
            reasons = "；".join(f"{s.name}：{s.reason}" for s in skipped[:3])
            raise InputFileError(f"“{shown}”中没有可以校验的本工具工作簿。{reasons}")
        rows = table.summary_records(records)
        rules = table.rule_frame(table.detail_frame(records))
        run = ReviewRun(records, skipped, table.summary_frame(records, rows), out, rows, rules)
        summary = run.summary
        yoy = None
        if last_year is not None:
            from perfeval.review.yoy import yoy_frame

            run.extra["同比"] = yoy = yoy_frame(records, last_year)
        if out is None or writer is None:
            return run
        about = About(
            source=source_name or str(source),
            profile="；".join(sorted({r.profile for r in records})),
            ruleset="；".join(sorted({r.ruleset for r in records})),
            made=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
            jobs=jobs,
            manifest=[(r.name, r.sha256, "已校验") for r in records]
            + [(s.name, s.sha256, f"未校验：{s.reason}") for s in skipped],
        )
        skipped_table = table.skipped_frame(skipped)
        try:
            write_atomically(out, lambda tmp: writer.finish(tmp, summary, rules, skipped_table, about, yoy))
        except OSError as e:
            from perfeval.io.safety import describe_write_error

            raise OutputPathError(describe_write_error(e, out, what="汇总文件")) from None
    return run
