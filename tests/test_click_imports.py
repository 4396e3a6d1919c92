"""What a ribbon click loads, in a fresh interpreter as Excel's RunPython starts one for each click.

Importing the entry module (perfeval.excel.ribbon), and then pressing 校验并评分, must not load what only
导出报送 needs: the export, the official table layout, the Word and PDF writers, the file adapter's
openpyxl. The check still writes its 自评报告 sheet (the narrative is loaded for that, by the click).
Only which modules are loaded is asserted, never how long anything took.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from perfeval import catalogue as cat
from tests.remote_client import payload

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
EXPORT_ONLY = (
    "perfeval.export",
    "perfeval.report.official",
    "perfeval.report.docx_writer",
    "perfeval.report.pdf",
    "docx",
    "openpyxl",
)

CHILD = """
import json, sys
before = set(sys.modules)
import perfeval.excel.ribbon as ribbon
imported = set(sys.modules) - before
import xlwings
data = json.loads(open(sys.argv[1], encoding="utf-8").read())
book = xlwings.Book(json=data)
outcome = ribbon.run_action(book, "perfeval_check")
print(json.dumps({
    "imported": sorted(imported),
    "after_check": sorted(sys.modules),
    "message": outcome.message,
    "sheets": {sp.kind: len(sp.rows) for sp in outcome.plan.sheets} if outcome.plan else {},
    "added": [a["args"][1] for a in book.json()["actions"] if a["func"] == "addSheet"],
}, ensure_ascii=False))
"""


def _export_only(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == name or m.startswith(name + ".") for name in EXPORT_ONLY)]


def test_check_click_loads_nothing_only_the_export_needs(tmp_path: Path) -> None:
    data = tmp_path / "payload.json"
    data.write_text(json.dumps(payload(TAOJIANG), ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(data)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"},
        cwd=ROOT,  # this checkout's perfeval
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    child = json.loads(proc.stdout.splitlines()[-1])

    assert "perfeval.excel.ribbon" in child["imported"]
    assert _export_only(child["imported"]) == []
    assert _export_only(child["after_check"]) == []

    # The check itself still works, and still writes the generated report.
    assert child["message"].startswith("校验完成：")
    assert "perfeval.narrative.render" in child["after_check"]
    assert child["sheets"][cat.SHEET_REPORT] > 10
    assert cat.SHEET_REPORT in child["added"] and cat.SHEET_FINDINGS in child["added"]
