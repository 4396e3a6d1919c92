"""Time what the ribbon's 校验并评分 costs: importing its entry module, and one click on the 桃江 example.

    python benchmarks/bench_excel.py [--repeat N]

1. `python -X importtime -c "import perfeval.excel.ribbon, xlwings"` in a fresh interpreter: the cumulative
   import time of the module the button runs and of xlwings, the heaviest imports below them, and whether
   pandas/openpyxl are imported (they should not be on the click path).
2. One click through xlwings' remote engine (Excel's stand-in on Linux): building the Book from the payload
   Excel's desktop client would send, then `run_action(book, "perfeval_check")`, and the number of actions
   sent back (the Excel calls the click costs) for 10 and 300 indicators. Only prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

from perfeval.excel.ribbon import run_action  # noqa: E402
from tests.remote_client import actions, payload  # noqa: E402
from tests.workbooks import taojiang_with_indicators  # noqa: E402

TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_times(module: str) -> tuple[dict[str, int], list[tuple[int, str]]]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    cumulative: dict[str, int] = {}
    self_times = []
    for line in proc.stderr.splitlines():
        m = _LINE.match(line)
        if m:
            cumulative[m.group(4)] = int(m.group(2))
            self_times.append((int(m.group(1)), m.group(4)))
    return cumulative, sorted(self_times, reverse=True)[:6]


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    print("== 导入耗时（python -X importtime，新进程，累计）==")
    runs = [import_times("perfeval.excel.ribbon, xlwings") for _ in range(args.repeat)]
    for module in ("perfeval.excel.ribbon", "xlwings", "perfeval.core.pipeline"):
        values = [c.get(module, 0) / 1000 for c, _ in runs]
        print(f"  {module:<26} {statistics.median(values):7.1f} ms")
    heavy = runs[-1][1]
    print("  自身耗时最多的模块：" + "，".join(f"{name} {us / 1000:.1f} ms" for us, name in heavy))
    # importtime also lists imports that failed (xlwings tries pandas), so ask sys.modules instead.
    heavy_names = ("pandas", "numpy", "openpyxl", "python_calamine")
    probe = f"import sys, perfeval.excel.ribbon, xlwings; print(*[m for m in {heavy_names!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    for name in heavy_names:
        print(f"  {name}: {'已导入（不应在点击路径上）' if name in loaded else '未导入'}")

    print("\n== 一次“校验并评分”（xlwings 远程引擎，桃江示例）==")
    data = payload(TAOJIANG)
    import xlwings as xw

    book_ms = median_ms(lambda: xw.Book(json=data), args.repeat)
    click_ms = median_ms(lambda: run_action(xw.Book(json=data), "perfeval_check"), args.repeat) - book_ms
    print(f"  由载荷建立 Book：{book_ms:6.1f} ms")
    print(f"  run_action（读取、校验、写回动作）：{click_ms:6.1f} ms")

    print("\n== 每次点击的 Excel 动作数（不随指标行数增长）==")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (10, 300):
            book = xw.Book(json=payload(taojiang_with_indicators(n, Path(tmp) / f"n{n}.xlsx")))
            outcome = run_action(book, "perfeval_check")
            acts = actions(book)
            size = sum(len(str(a)) for a in acts) / 1024
            print(
                f"  {n:>3} 个指标：{len(acts)} 个动作，{len(outcome.result.findings)} 个问题，约 {size:.0f} KB"
            )


if __name__ == "__main__":
    main()
