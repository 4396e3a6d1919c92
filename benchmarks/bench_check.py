"""Time the check on the 桃江 example and on generated larger workbooks; print the figures.

    python benchmarks/bench_check.py [--repeat N] [--quick]

Measures, for each workbook size, the in-process stages of `perfeval.service.check_file` (open + read
snapshot, run_check, build_plan, write_result) and the whole command as a subprocess; then the import
time of the CLI entry point. Only prints: no threshold is asserted, wall-clock times vary too much between
machines for that. The in-process check must stay linear in rows; the linearity lines show whether it is.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
# Run from a checkout without installing: the source tree wins over any installed copy.
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from perfeval.core.findings import Severity  # noqa: E402
from perfeval.core.pipeline import run_check  # noqa: E402
from perfeval.core.plan import build_plan  # noqa: E402
from perfeval.core.profile import Profile, default_profile  # noqa: E402
from perfeval.io.fill import fill_template  # noqa: E402
from perfeval.io.xlsx_reader import open_workbook, read_snapshot  # noqa: E402
from perfeval.io.xlsx_writer import write_result  # noqa: E402

EXAMPLE_JSON = ROOT / "examples" / "data" / "taojiang2023.json"

# (unit indicators, projects); (11, 0) is the 桃江 example itself, the last is the size.
SIZES: tuple[tuple[int, int], ...] = ((11, 0), (75, 15), (150, 30), (300, 60))
EXAMPLE_SIZE = (11, 0)
INDICATORS_PER_PROJECT = 5
STAGES = ("读取", "run_check", "build_plan", "写出", "进程内合计")
NONLINEAR_RATIO = 2.0


# --- generated data ----------------------------------------------------------------------------------
class Tpl(NamedTuple):
    level1: str
    level2: str
    level3: str
    kind: str
    direction: str
    target: str
    met: str  # actual value when the target is met
    unmet: str | None = None  # actual value when it is not (None: always met)
    completion: tuple[int, int] = (1, 1)  # unmet completion as a fraction, how the scoring rule computes it
    band: str = ""  # qualitative rows: 完成等次


Q, D = "定量", "定性"
MET, PART = "达成年度指标", "部分达成并具有一定效果"  # 定性完成等次
TEMPLATES: tuple[Tpl, ...] = (
    Tpl("产出指标", "数量指标", "开展科普宣传活动", Q, "正向", "≥10次", "12次", "8次", (8, 10)),
    Tpl("产出指标", "数量指标", "培育科技示范户", Q, "正向", "10个", "10个", "7个", (7, 10)),
    Tpl("产出指标", "数量指标", "举办技术培训班", Q, "正向", "≥2期", "2期", "1期", (1, 2)),
    Tpl("产出指标", "质量指标", "培训合格率", Q, "正向", "≥95%", "98%", "90%", (90, 95)),
    Tpl("产出指标", "质量指标", "活动规范开展", D, "正向", "规范", "按规定程序组织实施", band=MET),
    Tpl("产出指标", "时效指标", "任务按时完成率", Q, "正向", "100%", "100%", "92%", (92, 100)),
    Tpl("产出指标", "成本指标", "单次活动成本", Q, "反向", "≤5万元", "4.6万元", "5.8万元", (50, 58)),
    Tpl("效益指标", "经济效益指标", "带动相关产业产值增长", Q, "正向", "≥3%", "3.5%", "2.1%", (21, 30)),
    Tpl("效益指标", "社会效益指标", "公众科学素质", D, "正向", "明显提升", "有所提高", band=PART),
    Tpl("效益指标", "生态效益指标", "节能降耗", D, "正向", "有效改善", "单位能耗下降2%", band=MET),
    Tpl("效益指标", "可持续影响指标", "科普阵地长效运行", D, "正向", "长期坚持", "长期坚持", band=MET),
    Tpl("满意度指标", "服务对象满意度指标", "服务对象满意度", Q, "正向", "≥90%", "96%", "85%", (85, 90)),
)
BY_LEVEL1: dict[str, list[Tpl]] = {}
for _t in TEMPLATES:
    BY_LEVEL1.setdefault(_t.level1, []).append(_t)
# Share of indicators per level1 (roughly as in real forms: most are output indicators).
LEVEL1_SHARE = {"产出指标": 0.6, "效益指标": 0.3, "满意度指标": 0.1}
LEVEL1_WEIGHT = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
CENT = Decimal("0.01")


def _split(total: Decimal, parts: int) -> list[Decimal]:
    """Split `total` into `parts` amounts of 0.01 that add up exactly (so the sum rules stay quiet)."""
    cents = int(total * 100)
    base, extra = divmod(cents, parts)
    return [Decimal(base + (1 if i < extra else 0)) / 100 for i in range(parts)]


def _counts(n: int) -> dict[str, int]:
    sat = max(1, round(n * LEVEL1_SHARE["满意度指标"]))
    ben = max(1, round(n * LEVEL1_SHARE["效益指标"]))
    return {"产出指标": n - sat - ben, "效益指标": ben, "满意度指标": sat}


def _indicators(n: int, seed: int) -> list[dict[str, object]]:
    """n indicator rows, weights adding up to 90 (the other 10 are the execution rate).

    Mostly consistent, like a real form: every 7th quantitative row misses its target (scored by
    completion, with a deviation note) and every 23rd row has a mistyped score, so that the rules have
    something to report in proportion to the rows.
    """
    rows: list[dict[str, object]] = []
    for level1, count in _counts(n).items():
        templates = BY_LEVEL1[level1]
        for k, weight in enumerate(_split(Decimal(LEVEL1_WEIGHT[level1]), count)):
            t = templates[(k + seed) % len(templates)]
            i = len(rows) + seed
            miss = t.unmet is not None and i % 7 == 3
            if miss:
                num, den = t.completion
                score = (weight * num / den).quantize(CENT, ROUND_HALF_UP)
            elif t.band == PART:
                score = (weight * Decimal("0.7")).quantize(CENT, ROUND_HALF_UP)
            else:
                score = weight
            if i % 23 == 11:
                score = (score / 2).quantize(CENT, ROUND_HALF_UP)  # the typo the scoring rule must catch
            row: dict[str, object] = {
                "level1": t.level1,
                "level2": t.level2,
                "level3": f"{t.level3}（{len(rows) + 1}）",
                "kind": t.kind,
                "direction": t.direction,
                "target": t.target,
                "actual": t.unmet if miss else t.met,
                "weight": float(weight),
                "score": float(score),
            }
            if t.band:
                row["band"] = t.band
            if miss or t.band == PART:
                row["deviation_note"] = "受天气和场地影响部分活动推迟，下年度提前安排。"
            rows.append(row)
    return rows


def _score_sum(rows: list[dict[str, object]]) -> Decimal:
    return sum((Decimal(str(r["score"])) for r in rows), Decimal(0))


def _projects(p: int, values: dict[str, object]) -> dict[str, list[dict[str, object]]]:
    """p projects sharing the unit's project spending, each with INDICATORS_PER_PROJECT indicators.

    The 附件1 project list (tbl_project_items) is replaced by the same projects so names and the
    project spending totals (bd_project_*) still agree.
    """
    projects: list[dict[str, object]] = []
    indicators: list[dict[str, object]] = []
    items: list[dict[str, object]] = []
    spent_all = _split(Decimal(str(values["bd_project_current_actual"])), p)
    budget_all = _split(Decimal(str(values["bd_project_current_budget"])), p)
    prior_all = _split(Decimal(str(values["bd_project_prior_actual"])), p)
    for i, (spent, budget, prior) in enumerate(zip(spent_all, budget_all, prior_all, strict=True)):
        name = f"科普能力提升项目{i + 1:02d}"
        # Every 5th project has money left over: execution rate below 100%, fewer execution points.
        adjusted = (spent * Decimal("1.25")).quantize(CENT) if i % 5 == 4 else spent
        rate = spent / adjusted
        exec_score = (10 * rate).quantize(CENT, ROUND_HALF_UP)
        own = _indicators(INDICATORS_PER_PROJECT, seed=i)
        projects.append(
            {
                "name": name,
                "initial_budget": float(budget),
                "adjusted_budget": float(adjusted),
                "spent": float(spent),
                "execution_weight": 10,
                "execution_rate": f"{rate * 100:.2f}%",
                "execution_score": float(exec_score),
                "total_score": float(exec_score + _score_sum(own)),
                "goal_expected": "开展科普活动10次以上，培训咨询服务500人次以上。",
                "goal_actual": "开展科普活动12次，培训咨询服务620人次。",
            }
        )
        indicators.extend({"project": name, **r} for r in own)
        items.append(
            {
                "name": name,
                "prior_actual": float(prior),
                "current_budget": float(budget),
                "current_actual": float(spent),
            }
        )
    return {"tbl_projects": projects, "tbl_project_indicators": indicators, "tbl_project_items": items}


def make_workbook(n: int, p: int, out_dir: Path, profile: Profile) -> Path:
    doc = json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))
    out = out_dir / f"bench_{n}_{p}.xlsx"
    if (n, p) == EXAMPLE_SIZE:
        # The example itself, built from its data as examples/build.py does: the shipped .xlsx may lag a
        # template change while others work on it, the data file does not.
        return fill_template(doc["values"], doc.get("tables", {}), out)
    values: dict[str, object] = dict(doc["values"])
    tables = dict(doc.get("tables", {}))
    tables["tbl_indicators"] = _indicators(n, seed=0)
    if p:
        tables.update(_projects(p, values))
    # Keep the unit's total and grade consistent with the generated rows (the example's are for 11 rows).
    total = Decimal(str(values["ua_execution_score"])) + _score_sum(tables["tbl_indicators"])
    values["ua_total_score"] = float(total)
    values["ua_grade"] = profile.grade(total)
    return fill_template(values, tables, out)


# --- timing --------------------------------------------------------------------------------------------
@dataclass
class SizeResult:
    n: int
    p: int
    rows: int  # indicator rows: unit + project indicators
    size_kb: float
    stages: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STAGES})
    # CPU time of this process per stage: other processes on a shared machine inflate wall time but not
    # this, so the linearity verdict uses it.
    cpu: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STAGES})
    command: list[float] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=dict)
    # CPU time of openpyxl saving the same workbook whole: what the write stage cost before it patched
    # the package, measured in the same run so the ratio is not skewed by the machine's load.
    openpyxl_save: list[float] = field(default_factory=list)

    def median(self, stage: str) -> float:
        return statistics.median(self.stages[stage])

    def cpu_median(self, stage: str) -> float:
        return statistics.median(self.cpu[stage])


def _timed(fn: Callable[[], object]) -> tuple[object, tuple[float, float]]:
    """(result, (wall seconds, CPU seconds of this process))."""
    w0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    return value, (time.perf_counter() - w0, time.process_time() - c0)


def time_in_process(path: Path, out: Path, profile: Profile, res: SizeResult) -> None:
    # Same steps as service.check_file, split so each stage is timed on its own. Collect first so that a
    # garbage collection left over from the previous run does not land in a stage of this one.
    gc.collect()
    wb, t_open = _timed(lambda: open_workbook(path))
    snapshot, t_read = _timed(lambda: read_snapshot(wb, path))
    result, t_check = _timed(lambda: run_check(snapshot, profile))
    plan, t_plan = _timed(lambda: build_plan(result))
    _, t_write = _timed(lambda: write_result(path, plan, out))
    whole = load_workbook(path)  # the reader no longer loads openpyxl's model: the baseline loads it
    _, t_baseline = _timed(lambda: whole.save(out.with_suffix(".openpyxl.xlsx")))
    res.openpyxl_save.append(t_baseline[1])
    for k, into in enumerate((res.stages, res.cpu)):  # k = 0: wall, 1: CPU
        times = (t_open[k] + t_read[k], t_check[k], t_plan[k], t_write[k])
        for stage, t in zip(STAGES, (*times, sum(times)), strict=True):
            into[stage].append(t)
    res.findings = {s.value: result.count(s) for s in Severity} | {"合计": len(result.findings)}


def time_command(path: Path, out: Path, res: SizeResult) -> None:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "perfeval", "check", str(path), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    res.command.append(time.perf_counter() - t0)
    if proc.returncode not in (0, 1):  # 1 = the workbook has errors, a normal outcome
        # A failing command would be timed as a fast one: stop rather than print a wrong figure.
        raise SystemExit(
            f"perfeval check {path.name} 失败（退出码 {proc.returncode}）：\n{proc.stderr[-2000:]}"
        )


HEAVY = ("pandas", "numpy", "xlwings", "docx")
# Two import statements so each shows as its own top-level line (service only adds what cli did not
# import); then the heavy modules really loaded, from sys.modules: importtime also logs failed attempts
# (openpyxl tries numpy), which are not imports.
IMPORT_CODE = (
    "import perfeval.cli; import perfeval.service; import sys; "
    f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
)
IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)\s*$")


@dataclass
class ImportResult:
    cli_s: float  # cumulative of the top-level perfeval.cli line
    service_s: float  # what `perfeval check` imports on top, lazily: perfeval.service (openpyxl, rules)
    wall_s: float
    heavy: list[str]  # modules that must not be loaded by `perfeval check` (pandas above all)


def time_import() -> ImportResult:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", IMPORT_CODE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t0
    top: dict[str, int] = {}
    for line in proc.stderr.splitlines():
        m = IMPORT_LINE.match(line)
        if not m:
            continue
        _, cumulative, indent, name = m.groups()
        if indent == " ":  # one space after the bar: imported directly by the -c statement
            top[name] = int(cumulative)
    heavy = proc.stdout.split()
    return ImportResult(top.get("perfeval.cli", 0) / 1e6, top.get("perfeval.service", 0) / 1e6, wall, heavy)


# --- report --------------------------------------------------------------------------------------------
def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    def width(s: str) -> int:  # CJK characters take two columns in a terminal
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    cols = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [
            (" " * (cols[i] - width(c)) + c) if i else (c + " " * (cols[i] - width(c)))
            for i, c in enumerate(r)
        ]
        lines.append("  ".join(cells))
    lines.insert(1, "  ".join("-" * c for c in cols))
    return "\n".join(lines)


def report(results: list[SizeResult], imp: ImportResult, repeat: int) -> None:
    print(f"\n每项为 {repeat} 次运行的中位数，单位毫秒（ms）。行数 = 部门指标行 + 项目指标行。")
    header = ["指标/项目", "行数", "文件KB", *STAGES, "整条命令", "命令额外", "发现(错/警/提/合计)"]
    rows = []
    for r in results:
        f = r.findings
        found = "/".join(str(f.get(k, 0)) for k in ("错误", "警告", "提示", "合计"))
        rows.append(
            [
                f"{r.n}/{r.p}",
                str(r.rows),
                f"{r.size_kb:.0f}",
                *(_ms(r.median(s)) for s in STAGES),
                _ms(statistics.median(r.command)),
                # What the command adds to the in-process check: interpreter start, imports and the rich
                # findings table on the console (which grows with the number of findings).
                _ms(statistics.median(r.command) - r.median("进程内合计")),
                found,
            ]
        )
    print(_table(header, rows))

    print(
        "\n写出（逐部件修补结果文件）与 openpyxl 整本保存同一工作簿之比（CPU 时间，同一次运行中测得；<1 即更快）："
    )
    for r in results:
        base = statistics.median(r.openpyxl_save)
        print(
            f"  {r.n}/{r.p}：写出 {_ms(r.cpu_median('写出'))} ms ÷ openpyxl 保存 {_ms(base)} ms = "
            f"{r.cpu_median('写出') / base:.2f}"
        )

    print("\n线性检查：run_check 每行耗时（ms/行；CPU 时间，不受其他进程占用影响；括号内为墙钟时间）")
    for r in results:
        cpu, wall = r.cpu_median("run_check") / r.rows, r.median("run_check") / r.rows
        print(f"  {r.rows:>5} 行：{cpu * 1000:.3f}（{wall * 1000:.3f}）")
    # The example's per-row time is dominated by fixed costs (hundreds of single fields, the report text),
    # which would hide any growth; so the ratio compares the largest with the smallest generated size.
    gen = [r for r in results if (r.n, r.p) != EXAMPLE_SIZE] or results
    if len(gen) >= 2:
        lo, hi = gen[0], gen[-1]
        ratio = (hi.cpu_median("run_check") / hi.rows) / (lo.cpu_median("run_check") / lo.rows)
        verdict = "疑似非线性" if ratio > NONLINEAR_RATIO else "线性"
        print(f"  每行耗时之比（{hi.rows} 行 ÷ {lo.rows} 行）：{ratio:.2f} → {verdict}")
    if len(results) >= 3:
        # Marginal cost (extra time per extra row) ignores fixed costs entirely; informative for every
        # stage, but it amplifies noise, so it only flags, the verdict above stays the per-row ratio.
        print("\n边际耗时（相邻两档之差 ÷ 行数之差，CPU 时间，ms/行）：")
        marg_rows = []
        flagged = []
        for stage in STAGES:
            marg = [
                (b.cpu_median(stage) - a.cpu_median(stage)) / (b.rows - a.rows) for a, b in pairwise(results)
            ]
            ref = marg[0] if marg[0] > 0 else float("nan")
            ratio = marg[-1] / ref
            if ratio > NONLINEAR_RATIO:
                flagged.append(stage)
            marg_rows.append([stage, *(f"{m * 1000:.3f}" for m in marg), f"{ratio:.2f}"])
        steps = [f"{a.rows}→{b.rows}" for a, b in pairwise(results)]
        print(_table(["阶段", *steps, "末档÷首档"], marg_rows))
        if flagged:
            names = "、".join(flagged)
            print(f"  注意：边际耗时增长超过 {NONLINEAR_RATIO:g} 倍的阶段：{names}（可能是噪声，请重跑确认）")

    print("\n导入耗时（python -X importtime，累计列）：")
    print(f"  perfeval.cli（命令行入口）{_ms(imp.cli_s)} ms")
    print(f"  perfeval.service（check 时再导入：openpyxl、calamine、规则）另加 {_ms(imp.service_s)} ms")
    print(f"  该进程总耗时（含解释器启动）{_ms(imp.wall_s)} ms")
    pandas = "是（不应如此）" if any(n.split(".")[0] == "pandas" for n in imp.heavy) else "否"
    print(f"  pandas 是否被导入（导入上述两个模块后查 sys.modules）：{pandas}")
    if imp.heavy:
        print(f"  导入的重型模块：{', '.join(sorted({n.split('.')[0] for n in imp.heavy}))}")


def _parse_sizes(text: str) -> tuple[tuple[int, int], ...]:
    try:
        sizes = tuple((int(n), int(p)) for n, p in (part.split(":") for part in text.split(",")))
    except ValueError:
        raise argparse.ArgumentTypeError("格式应为 指标数:项目数[,指标数:项目数…]，如 11:0,300:60") from None
    if any(n < 3 or p < 0 for n, p in sizes):  # 3: one indicator per level1 at least
        raise argparse.ArgumentTypeError("指标数至少为 3，项目数不能为负")
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="校验耗时基准：桃江示例与生成的大工作簿。")
    parser.add_argument("--repeat", type=int, default=None, help="每项重复次数，取中位数（默认 5）")
    parser.add_argument("--quick", action="store_true", help="快速：每项只跑 2 次")
    parser.add_argument(
        "--sizes",
        type=_parse_sizes,
        default=SIZES,
        help="工作簿规模，“指标数:项目数”以逗号分隔（默认 11:0,75:15,150:30,300:60；11:0 即桃江示例）",
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (2 if args.quick else 5)
    if repeat < 1:
        parser.error("--repeat 至少为 1")
    profile = default_profile()
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="perfeval-bench-") as tmp:
        tmp_dir = Path(tmp)
        results = []
        for n, p in args.sizes:
            path = make_workbook(n, p, tmp_dir, profile)
            rows = n + p * INDICATORS_PER_PROJECT
            results.append(SizeResult(n, p, rows, path.stat().st_size / 1024))
        made = time.perf_counter() - started
        print(f"已生成 {len(results)} 个工作簿（{made:.1f} s），开始计时，每项 {repeat} 次……")

        # Warm-up: lazy imports inside the pipeline must not be charged to the first size.
        first = tmp_dir / f"bench_{results[0].n}_{results[0].p}.xlsx"
        time_in_process(first, tmp_dir / "warmup.out.xlsx", profile, SizeResult(0, 0, 1, 0))

        # Round-robin over the sizes: a burst of load from another process then spreads over all sizes
        # instead of inflating one of them, which would read as non-linear growth.
        imports = []
        for _ in range(repeat):
            for res in results:
                path = tmp_dir / f"bench_{res.n}_{res.p}.xlsx"
                out = tmp_dir / f"bench_{res.n}_{res.p}.out.xlsx"
                time_in_process(path, out, profile, res)
                time_command(path, out, res)
            imports.append(time_import())

    imp = ImportResult(
        statistics.median(i.cli_s for i in imports),
        statistics.median(i.service_s for i in imports),
        statistics.median(i.wall_s for i in imports),
        imports[-1].heavy,
    )
    report(results, imp, repeat)
    print(f"\n基准总耗时 {time.perf_counter() - started:.1f} s。")


if __name__ == "__main__":
    main()
