"""Time `perfeval review`: per-file cost against a raw python-calamine read, and wall time by workers.

    python benchmarks/bench_review.py [--quick] [--counts 200,1000] [--jobs 1,2] [--runs 30]

1. Per file, on the 桃江 example: the fastest of --runs runs of each (after one warm-up of each, so imports
   are not counted; the fastest, as a shared machine only ever adds time): review_one (read + check + the
   record) against a raw python-calamine read of every sheet's values, and the ratio, both measured in this
   run of the script; the review's read split into the structure (defined names, tables, from the XML) and
   the rest. The same file every run: caches keyed by its texts are warm, as for copies of one workbook.
2. Wall time of review() (collect, pool, summary workbook) for N generated workbooks (copies of 桃江 under
   distinct names) with each number of workers, and the speed-up. Only prints: no threshold is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the source tree wins over any installed copy

import python_calamine as calamine  # noqa: E402

from perfeval.core.pipeline import run_check  # noqa: E402
from perfeval.core.profile import default_profile  # noqa: E402
from perfeval.io.xlsx_reader import open_workbook, read_snapshot  # noqa: E402
from perfeval.review.collect import Candidate  # noqa: E402
from perfeval.review.job import review  # noqa: E402
from perfeval.review.run import review_one  # noqa: E402

EXAMPLE = ROOT / "examples" / "桃江县科协2023.xlsx"


def calamine_read(path: Path) -> int:
    book = calamine.CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def fastest(runs: int, fn, *args) -> float:
    return min(timed(fn, *args) for _ in range(runs))


def per_file(runs: int) -> None:
    c = Candidate(EXAMPLE, EXAMPLE.name, "")
    calamine_read(EXAMPLE), review_one(c, None)  # warm-up: imports, caches
    raw = fastest(runs, calamine_read, EXAMPLE)
    whole = fastest(runs, review_one, c, None)
    load = fastest(runs, lambda: open_workbook(EXAMPLE, test_members=False))  # as the review opens it
    wb = open_workbook(EXAMPLE)
    snap = fastest(runs, read_snapshot, wb, EXAMPLE)
    snapshot = read_snapshot(wb, EXAMPLE)
    check = fastest(runs, run_check, snapshot, default_profile())
    print(f"每个文件（{EXAMPLE.name}，各取 {runs} 次中最快的一次）：")
    print(f"  python-calamine 直接读取全部工作表  {raw * 1000:8.1f} ms")
    print(
        f"  review 单个文件（读取+校验+记录）  {whole * 1000:8.1f} ms   为 calamine 的 {whole / raw:.1f} 倍"
    )
    print(f"    其中 读结构（名称、表格，XML）    {load * 1000:8.1f} ms")
    print(f"    其中 读快照（calamine 取值等）    {snap * 1000:8.1f} ms")
    print(f"    其中 run_check                    {check * 1000:8.1f} ms")


def wall(counts: list[int], jobs: list[int]) -> None:
    print("批量（review 全流程，含写汇总）：")
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "各单位"
            src.mkdir()
            for i in range(n):
                shutil.copy(EXAMPLE, src / f"单位{i:05d}.xlsx")
            times = {}
            for j in jobs:
                times[j] = timed(review, src, Path(tmp) / f"汇总{j}.xlsx", None, j)
                print(
                    f"  {n:5d} 个工作簿，{j} 个进程：{times[j]:7.1f} s（每个 {times[j] / n * 1000:6.1f} ms）"
                )
            if 1 in times and len(times) > 1:
                best = max(times)
                print(f"  {n:5d} 个工作簿：{best} 个进程的加速比 {times[1] / times[best]:.2f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller counts: 40 and 100 workbooks")
    p.add_argument("--counts", default="")
    p.add_argument("--jobs", default="1,2")
    p.add_argument("--runs", type=int, default=30, help="per-file timings: the fastest of this many runs")
    a = p.parse_args()
    counts = [int(x) for x in (a.counts or ("40,100" if a.quick else "200,1000")).split(",")]
    per_file(max(1, a.runs))
    wall(counts, [int(x) for x in a.jobs.split(",")])


if __name__ == "__main__":
    main()
