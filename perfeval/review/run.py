"""Check the collected workbooks in a process pool; each worker returns a small picklable record."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from perfeval.review.collect import Candidate
from perfeval.review.record import FileRecord, previous_values, rows_of


@dataclass
class Skip:
    name: str
    sha256: str
    reason: str  # Chinese, as `perfeval check` words it


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@cache
def _profile(ref: str | None):
    from perfeval.core.profile import load_profile

    return None if ref is None else load_profile(Path(ref))


def ruleset_of(result) -> str:
    from perfeval.export.package import _ruleset

    r = _ruleset(result)
    return f"{r['version']}，{r['rules']} 条规则（{r['digest']}）"


def review_one(c: Candidate, profile: str | None) -> FileRecord | Skip:
    """Check one workbook (read only); the record holds what the summary shows, not the CheckResult."""
    from perfeval.io.safety import InputFileError
    from perfeval.service import read_and_check

    try:
        digest = sha256_of(c.path)
    except OSError as e:
        return Skip(c.name, "", f"无法读取该文件（{e.strerror or e}）")
    try:
        result = read_and_check(c.path, _profile(profile), test_members=False)  # only read: see there
    except InputFileError as e:
        return Skip(c.name, digest, str(e))
    except Exception as e:  # one broken file must not stop the county's review
        return Skip(c.name, digest, f"读取或校验时出错（{type(e).__name__}：{e}），请单独校验该文件查看详情")
    m = result.model
    year = m.snapshot.values.get("info_year")
    return FileRecord(
        name=c.name,
        sha256=digest,
        department=c.department,
        unit=m.text("info_unit_name") or Path(c.name).stem,
        year=str(int(year)) if isinstance(year, (int, float)) else m.text("info_year"),
        profile=m.profile.name,
        ruleset=ruleset_of(result),
        rows=rows_of(result),
        previous=previous_values(result),
    )


def default_jobs() -> int:
    return os.cpu_count() or 1


def review_all(
    candidates: list[Candidate],
    profile: str | None,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    start_method: str | None = None,
    on_result: Callable[[int, FileRecord | Skip], None] | None = None,
) -> list[FileRecord | Skip]:
    """Every candidate checked, in the order given. `jobs` 1 checks in this process (no pool to start).
    `start_method` "spawn" for a caller with threads of its own (the web server): fork copies their locks.
    `on_result(index, result)` as each one is done (in the order they finish), while the rest are checked."""
    jobs = max(1, jobs or default_jobs())
    out: list[FileRecord | Skip | None] = [None] * len(candidates)
    if jobs == 1 or len(candidates) <= 1:
        for i, c in enumerate(candidates):
            out[i] = done = review_one(c, profile)
            if on_result:
                on_result(i, done)
            if progress:
                progress(c.name)
    else:
        context = multiprocessing.get_context(start_method) if start_method else None
        with ProcessPoolExecutor(max_workers=min(jobs, len(candidates)), mp_context=context) as pool:
            futures = {pool.submit(review_one, c, profile): i for i, c in enumerate(candidates)}
            for fut in as_completed(futures):
                i = futures[fut]
                out[i] = done = fut.result()
                if on_result:
                    on_result(i, done)
                if progress:
                    progress(candidates[i].name)
    return [r for r in out if r is not None]
