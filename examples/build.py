"""Rebuild the example workbooks from examples/data/*.json (run after the template changes).

python examples/build.py
"""

from __future__ import annotations

import json
from pathlib import Path

from perfeval import catalogue as cat
from perfeval.io.fill import fill_template

HERE = Path(__file__).resolve().parent
# data file -> (workbook, kind of workbook: "全部" is the bundled template)
EXAMPLES = {
    "taojiang2023.json": ("桃江县科协2023.xlsx", "全部"),
    "lixian2021.json": ("澧县科协2021.xlsx", "全部"),
    "lixian2021_project.json": ("澧县科协2021项目.xlsx", "项目"),
}


def build(out_dir: Path = HERE) -> list[Path]:
    written = []
    for source, (target, kind) in EXAMPLES.items():
        doc = json.loads((HERE / "data" / source).read_text(encoding="utf-8"))
        forms = None if kind == "全部" else cat.KINDS_OF_WORKBOOK[kind]
        written.append(fill_template(doc["values"], doc.get("tables", {}), out_dir / target, forms=forms))
    return written


if __name__ == "__main__":
    for path in build():
        print(f"已生成 {path}")
