"""Property: whatever is typed into the 桃江 example, and however its structure is bent, `perfeval check`
keeps its contract (tests/fuzzing.py).

- every example (PERFEVAL_FUZZ_EXAMPLES, default 500): no 程序内部错误 and no traceback, exit 0/1/2 as
  documented (2 with a Chinese message and no output file; 1 exactly when there are 错误), the input file
  byte-identical afterwards;
- a subset (PERFEVAL_FUZZ_RECHECK_EXAMPLES, default 100), as the re-check costs three times the check: in
  addition, checking the output again gives the same findings (rule, cells, severity) and the same workbook
  content (tests/workbook_content.py).

The examples are derandomized (the same ones on every run, no example database), so CI is reproducible;
shrinking is off so that a failure costs seconds, not minutes (PERFEVAL_FUZZ_SHRINK=1 turns it on; the
failing operations are printed either way). benchmarks/fuzz_long.py runs many more examples.
test_what_the_fuzzer_found keeps what it found as regressions (outside the property tests, so a
known failure does not stop the random examples from running).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings

from tests.fuzzing import (
    AddSheet,
    AddTableRows,
    DeleteSheet,
    DeleteSheetRows,
    RenameSheet,
    RepointName,
    SetField,
    build_workbook,
    check_contract,
    describe,
    limits,
    mutations,
    workdir,
)

EXAMPLES = int(os.environ.get("PERFEVAL_FUZZ_EXAMPLES", "500"))
RECHECK_EXAMPLES = int(os.environ.get("PERFEVAL_FUZZ_RECHECK_EXAMPLES", "100"))
PHASES = (Phase.explicit, Phase.generate) + (
    (Phase.shrink,) if os.environ.get("PERFEVAL_FUZZ_SHRINK") else ()
)

_common = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "print_blob": True,
    "phases": PHASES,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}

# Found by this test; each once crashed the check or broke the re-check.
FOUND = (
    (RepointName("bd_actual_staff", "'附件2'!#REF!"),),  # a name whose cell was deleted
    (RepointName("info_unit_name", ""),),  # a name with no formula
    (RepointName("info_unit_name", "'附件1'!$B$1048577"),),  # a row Excel does not have
    (RepointName("info_unit_name", "'附件1'!$A$0"),),
    (DeleteSheetRows("附件2", 1, 1),),  # rows deleted above the names
    (SetField("info_overview", "三公经费10个。" * 4681),),  # long report texts (quadratic count matching)
    (AddTableRows("tbl_projects", 4, ("单位编制人数7人，" * 4000,)),),  # report paragraph > 32,767 chars
    (RenameSheet("附件2", "自评报告", True), AddSheet("校验结果", ("x",))),
    # a name left pointing at a deleted sheet called like one of the tool's own
    (RenameSheet("填报说明", "审核公式", True), DeleteSheet("填报说明")),
    (DeleteSheetRows("填报说明", 15, 1),),  # the version mark's row deleted: the name becomes #REF!
)


def _run(ops, *, recheck: bool) -> None:
    with workdir() as d, limits(seconds=60):
        path = d / "桃江县科协2023.xlsx"
        build_workbook(ops, path)
        check_contract(path, d, recheck=recheck)


# openpyxl warns about cells the mutations make odd (a huge number in a date-formatted cell); not ours.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl.*")


def _contract(ops) -> None:
    note(describe(ops))  # printed with a failure
    _run(ops, recheck=False)


def _recheck(ops) -> None:
    note(describe(ops))
    _run(ops, recheck=True)


# Each property runs as two halves with different (fixed) examples, so that pytest-xdist can spread them
# over two workers; run serially the total is the same.
@settings(max_examples=EXAMPLES - EXAMPLES // 2, **_common)
@given(ops=mutations)
def test_check_keeps_its_contract_on_mutated_workbooks_1(ops) -> None:
    _contract(ops)


@settings(max_examples=EXAMPLES // 2, **_common)
@given(ops=mutations)
def test_check_keeps_its_contract_on_mutated_workbooks_2(ops) -> None:
    _contract(ops)


@settings(max_examples=RECHECK_EXAMPLES - RECHECK_EXAMPLES // 2, **_common)
@given(ops=mutations)
def test_rechecking_the_output_changes_nothing_1(ops) -> None:
    _recheck(ops)


@settings(max_examples=RECHECK_EXAMPLES // 2, **_common)
@given(ops=mutations)
def test_rechecking_the_output_changes_nothing_2(ops) -> None:
    _recheck(ops)


@pytest.mark.parametrize("ops", FOUND, ids=[f"found{i}" for i in range(len(FOUND))])
def test_what_the_fuzzer_found(ops) -> None:
    _run(ops, recheck=True)
