"""Property: whatever is typed into the 桃江 example, and however its structure is bent, `perfeval check`
keeps its contract (tests/fuzzing.py): no 程序内部错误, exit 0/1/2, the input never changed, and a check of
its own output gives the same findings and the same workbook.

The examples are derandomized (the same ones on every run, no example database), so CI is reproducible.
PERFEVAL_FUZZ_EXAMPLES sets how many (default 1,000); benchmarks/fuzz_long.py runs many more.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, note, settings

from tests.fuzzing import build_workbook, check_contract, describe, mutations, workdir

EXAMPLES = int(os.environ.get("PERFEVAL_FUZZ_EXAMPLES", "1000"))

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@FUZZ
@given(ops=mutations)
def test_check_keeps_its_contract_on_mutated_workbooks(ops) -> None:
    note(describe(ops))
    with workdir() as d:
        path = d / "桃江县科协2023.xlsx"
        build_workbook(ops, path)
        check_contract(path, d)
