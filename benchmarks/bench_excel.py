"""Time what the ribbon's 校验并评分 costs: importing its entry module, and one click on the 桃江 example.

    python benchmarks/bench_excel.py [--repeat N]

1. Fresh interpreters, N of each, taken in turn: one imports xlwings only; the other imports xlwings and
   perfeval.excel.ribbon, then presses 校验并评分 once on the 桃江 example (xlwings' remote engine, the
   first click in that process, as when Excel's RunPython starts Python for a click). Each child times its
   own imports and click (wall clock and CPU), so interpreter start-up is left out. Printed: the medians,
   the ratio import(xlwings + perfeval.excel.ribbon) / import(xlwings) from this run, the first click, and
   which of the modules only 导出报送 needs (or the narrative) were loaded by the import and by the click.
   Bytecode is compiled once into a temporary PYTHONPYCACHEPREFIX first, for xlwings and perfeval alike,
   as on an installed PC (pip compiles .pyc); otherwise, with PYTHONDONTWRITEBYTECODE set, perfeval would
   be compiled from source on every run while xlwings' .pyc are read from site-packages.
2. `python -X importtime -c "import xlwings, perfeval.excel.ribbon"`: what each part of the import costs
   (cumulative) and the modules with the most time of their own.
3. In this process: a click after the first (templates compiled, as when Python stays up between clicks)
   and the number of actions sent back (the Excel calls a click costs) for 10 and 300 indicators.
Only prints; asserts nothing: wall-clock times depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
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
# Modules a check click should not load: what only 导出报送 needs, and the heavy libraries.
NOT_ON_CLICK = (
    "perfeval.export",
    "perfeval.report.official",
    "perfeval.report.docx_writer",
    "perfeval.report.pdf",
    "docx",
    "openpyxl",
    "pandas",
    "numpy",
    "python_calamine",
)
NARRATIVE = ("perfeval.narrative.render", "perfeval.narrative.facts", "perfeval.report.titles")
PARTS = (
    "perfeval.excel.ribbon",
    "perfeval.catalogue",
    "perfeval.core.pipeline",
    "perfeval.core.plan",
    "perfeval.narrative.render",
    "perfeval.service",
    "perfeval.export.package",
)

# One fresh interpreter: time `import xlwings` [+ the ribbon module [+ one 校验并评分]]; print JSON.
CHILD = """
import json, sys, time
data = json.loads(open(sys.argv[1], encoding="utf-8").read())  # read before timing, in both kinds of run
w0, c0 = time.perf_counter(), time.process_time()
import xlwings
w1, c1 = time.perf_counter(), time.process_time()
out = {"xlwings": [w1 - w0, c1 - c0], "jinja2": "jinja2" in sys.modules}
if sys.argv[2] == "ribbon":
    before = set(sys.modules)
    import perfeval.excel.ribbon as ribbon
    w2, c2 = time.perf_counter(), time.process_time()
    imported = set(sys.modules) - before
    outcome = ribbon.run_action(xlwings.Book(json=data), "perfeval_check")
    w3, c3 = time.perf_counter(), time.process_time()
    assert outcome.result is not None, outcome.message
    out.update(
        both=[w2 - w0, c2 - c0],
        click=[w3 - w2, c3 - c2],
        imported=sorted(imported),
        clicked=sorted(set(sys.modules) - before - imported),
    )
print(json.dumps(out))
"""


def child_env(cache: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": cache, "PYTHONPATH": str(ROOT)}


def run_child(payload_file: Path, kind: str, env: dict[str, str]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(payload_file), kind],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,  # sys.path[0] is the working directory: this checkout's perfeval, wherever we run from
    )
    return json.loads(proc.stdout.splitlines()[-1])


def loaded(modules: list[str], wanted: tuple[str, ...]) -> list[str]:
    return [w for w in wanted if any(m == w or m.startswith(w + ".") for m in modules)]


def fresh_interpreters(repeat: int, payload_file: Path, env: dict[str, str]) -> None:
    print(f"== 新进程中的导入与第一次点击（各 {repeat} 次，中位数；字节码已缓存）==")
    run_child(payload_file, "ribbon", env)  # compiles the bytecode into the cache
    alone, both = [], []
    for _ in range(repeat):  # in turn, so that a change in the machine's load hits both alike
        alone.append(run_child(payload_file, "xlwings", env))
        both.append(run_child(payload_file, "ribbon", env))
    for clock, i in (("墙钟", 0), ("CPU", 1)):
        x = statistics.median(r["xlwings"][i] for r in alone) * 1000
        xr = statistics.median(r["both"][i] for r in both) * 1000
        click = statistics.median(r["click"][i] for r in both) * 1000
        total = statistics.median(r["both"][i] + r["click"][i] for r in both) * 1000
        print(
            f"  {clock}：import xlwings {x:6.1f} ms；import xlwings + perfeval.excel.ribbon {xr:6.1f} ms，"
            f"比值 {xr / x:.2f}×；第一次“校验并评分” {click:6.1f} ms；导入+点击 {total:6.1f} ms"
            f"（为 import xlwings 的 {total / x:.2f}×）"
        )
    if alone[-1]["jinja2"]:
        print("  （xlwings 自身已导入 jinja2：报告模板引擎不增加导入耗时，耗时在编译模板。）")
    last = both[-1]
    for label, modules in (("导入时", last["imported"]), ("点击时", last["clicked"])):
        unwanted = loaded(modules, NOT_ON_CLICK)
        narrative = loaded(modules, NARRATIVE)
        print(
            f"  {label}加载（xlwings 之外）：{len(modules)} 个模块；不应在点击路径上的 "
            f"{('、'.join(unwanted) + '（不应加载）') if unwanted else '无'}；报告文字 {'、'.join(narrative) or '无'}"
        )


def import_times(env: dict[str, str]) -> tuple[dict[str, int], list[tuple[int, str]]]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import xlwings, perfeval.excel.ribbon"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    cumulative: dict[str, int] = {}
    self_times = []
    seen_ribbon = False
    for line in proc.stderr.splitlines():
        m = _LINE.match(line)
        if m:
            cumulative[m.group(4)] = int(m.group(2))
            if m.group(4) == "xlwings":
                seen_ribbon = True  # what follows xlwings' own subtree is what the ribbon adds
                continue
            if seen_ribbon or m.group(4).startswith("perfeval"):
                self_times.append((int(m.group(1)), m.group(4)))
    return cumulative, sorted(self_times, reverse=True)[:8]


def importtime_parts(repeat: int, env: dict[str, str]) -> None:
    print("\n== 各部分导入耗时（python -X importtime，先导入 xlwings，累计，中位数）==")
    runs = [import_times(env) for _ in range(repeat)]
    for module in ("xlwings", *PARTS):
        values = [c[module] / 1000 for c, _ in runs if module in c]
        text = f"{statistics.median(values):7.1f} ms" if len(values) == len(runs) else "    未导入"
        print(f"  {module:<26} {text}")
    heavy = runs[-1][1]
    print("  自身耗时最多的模块：" + "，".join(f"{name} {us / 1000:.1f} ms" for us, name in heavy))


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    data = payload(TAOJIANG)
    with tempfile.TemporaryDirectory() as tmp:
        payload_file = Path(tmp) / "payload.json"
        payload_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        env = child_env(str(Path(tmp) / "pycache"))
        fresh_interpreters(args.repeat, payload_file, env)
        importtime_parts(max(3, args.repeat // 3), env)

    print("\n== 同一进程中再次点击“校验并评分”（模板已编译；xlwings 远程引擎，桃江示例）==")
    import xlwings as xw

    run_action(xw.Book(json=data), "perfeval_check")  # the first click compiles the templates
    book_ms = median_ms(lambda: xw.Book(json=data), args.repeat)
    click_ms = median_ms(lambda: run_action(xw.Book(json=data), "perfeval_check"), args.repeat) - book_ms
    print(f"  由载荷建立 Book：{book_ms:6.1f} ms")
    print(f"  run_action（读取、校验、生成报告、写回动作）：{click_ms:6.1f} ms")

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
