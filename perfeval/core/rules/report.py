"""Rules: the generated 自评报告 sheet."""

from __future__ import annotations

from collections.abc import Iterator

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.model import Model
from perfeval.core.rules.registry import Hit, hit, rule
from perfeval.core.sheets import output_names, report_kept_as
from perfeval.core.snapshot import CellRef


@rule("RPT-001", "自评报告工作表被手工修改过", Severity.INFO)
def report_edited_by_hand(m: Model) -> Iterator[Hit]:
    """“自评报告”由工具按数据生成；发现其中文字被手工改过时，修改稿另存为“自评报告（修改稿）”，
    不会被覆盖，再按最新数据重新生成“自评报告”。"""
    kept = report_kept_as(m.snapshot)
    if kept is not None:
        old = m.snapshot.own_sheets[cat.SHEET_REPORT]
        new = output_names(m.snapshot)[cat.SHEET_REPORT]
        yield hit(
            CellRef(kept, "A1"),
            f"“{old}”工作表中的文字与工具上次生成的不同，您的修改稿已另存为“{kept}”，"
            f"“{new}”已按最新数据重新生成。",
            advice="请把修改稿中需要保留的内容改写到“基本信息”的对应文字栏（下次生成时会带入报告），"
            "或在 Word 报告中修改；核对后可删除修改稿工作表。",
        )
