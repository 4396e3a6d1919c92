"""The long fuzz run: many more mutated workbooks than CI checks, with a summary instead of a stop.

    python benchmarks/fuzz_long.py [--examples N] [--seed S] [--no-recheck] [--no-shrink]

Uses the strategies and the contract of tests/fuzzing.py (the same as tests/test_fuzz.py). Every violation
is recorded, not raised; at the end it prints the counts, the exit-code distribution, the time per stage,
and for each class of violation (exception + innermost perfeval frame) how often it occurred and the
smallest reproducer found (operations removed one at a time while the same class still occurs).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the source tree and tests/ win over an installed copy

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests.fuzzing import (  # noqa: E402
    ContractViolation,
    ExampleTimeout,
    Op,
    build_workbook,
    check_contract,
    crash_class,
    describe,
    limits,
    mutations,
    workdir,
)

args_seconds = 60  # per example; --timeout


def attempt(
    ops: tuple[Op, ...], recheck: bool, timings: dict[str, float]
) -> tuple[int | None, str | None, str]:
    """(exit code, violation class or None, detail) for one mutation."""
    with workdir() as d:
        path = d / "桃江县科协2023.xlsx"
        start = time.perf_counter()
        try:
            build_workbook(ops, path)
        except Exception as e:  # a mutation openpyxl cannot save is not the tool's problem
            return None, None, f"build failed: {type(e).__name__}: {e}"
        timings["build"] = timings.get("build", 0.0) + time.perf_counter() - start
        try:
            with limits(args_seconds):
                outcome = check_contract(path, d, recheck=recheck, timings=timings)
        except ContractViolation as e:
            return None, crash_class(e), e.detail
        except ExampleTimeout:
            import traceback

            e = ContractViolation("timeout", traceback.format_exc())
            return None, crash_class(e), e.detail
        except Exception as e:  # the harness itself (or an exception main() let through)
            import traceback

            return None, f"harness: {type(e).__name__}", traceback.format_exc()
        return outcome.code, None, ""


def minimise(ops: tuple[Op, ...], cls: str, recheck: bool) -> tuple[Op, ...]:
    """Drop operations one at a time while the violation of class `cls` still occurs."""
    changed = True
    while changed:
        changed = False
        for i in range(len(ops)):
            trial = ops[:i] + ops[i + 1 :]
            if attempt(trial, recheck, {})[1] == cls:
                ops, changed = trial, True
                break
    return ops


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-recheck", action="store_true", help="only the first check (faster)")
    ap.add_argument("--no-shrink", action="store_true", help="do not minimise the reproducers")
    ap.add_argument("--timeout", type=int, default=60, help="seconds one example may take")
    ap.add_argument("--progress", type=int, default=500, help="print a progress line every N examples")
    args = ap.parse_args()
    global args_seconds
    args_seconds = args.timeout
    recheck = not args.no_recheck

    codes: collections.Counter[str] = collections.Counter()
    classes: dict[str, list[tuple[tuple[Op, ...], str]]] = collections.defaultdict(list)
    timings: dict[str, float] = {}
    per_example: list[float] = []
    build_failures: collections.Counter[str] = collections.Counter()
    rechecked = 0

    @seed(args.seed)
    @settings(
        max_examples=args.examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(ops=mutations)
    def run(ops: tuple[Op, ...]) -> None:
        nonlocal rechecked
        start = time.perf_counter()
        code, cls, detail = attempt(ops, recheck, timings)
        per_example.append(time.perf_counter() - start)
        if detail.startswith("build failed"):
            build_failures[detail.split(":")[1].strip()] += 1
            codes["(not built)"] += 1
        elif cls is not None:
            classes[cls].append((ops, detail))
            codes["violation"] += 1
        else:
            codes[str(code)] += 1
            rechecked += recheck and code in (0, 1)
        n = len(per_example)
        if n % args.progress == 0:
            print(
                f"  {n} examples, {sum(per_example):.0f} s, violations: {codes['violation']}",
                file=sys.__stdout__,
                flush=True,
            )

    wall, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu

    n = len(per_example)
    print(
        f"\n{n} examples in {wall:.0f} s wall, {cpu:.0f} s CPU "
        f"({wall / max(n, 1) * 1000:.0f} / {cpu / max(n, 1) * 1000:.0f} ms per example, seed {args.seed})"
    )
    print("exit codes: " + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items())))
    print(f"re-checked (findings and content compared): {rechecked}")
    if build_failures:
        print(
            "mutations openpyxl could not save: " + ", ".join(f"{k} ×{v}" for k, v in build_failures.items())
        )
    if per_example:
        q = statistics.quantiles(per_example, n=20, method="inclusive") if n > 1 else per_example * 19
        print(
            f"per example: median {statistics.median(per_example) * 1000:.0f} ms, "
            f"p95 {q[-1] * 1000:.0f} ms, max {max(per_example) * 1000:.0f} ms"
        )
    print("time per stage (s, total): " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(timings.items())))
    if not classes:
        print("no contract violations")
        return
    print(f"\n{len(classes)} class(es) of contract violation:")
    for cls, cases in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        ops, detail = min(cases, key=lambda c: len(c[0]))
        if not args.no_shrink:
            ops = minimise(ops, cls, recheck)
        print(f"\n== {cls}  ×{len(cases)}")
        print("smallest reproducer: " + describe(ops))
        print("detail (first example): " + "\n".join(detail.strip().splitlines()[-12:]))
    sys.exit(1)


if __name__ == "__main__":
    main()
