"""Rebuild the example workbooks from examples/data/*.json (run after the template changes).

python examples/build.py
"""

from __future__ import annotations

import json
from pathlib import Path

from perfeval.io.fill import fill_template

HERE = Path(__file__).resolve().parent
EXAMPLES = {
    "taojiang2023.json": "桃江县科协2023.xlsx",
    "lixian2021.json": "澧县科协2021.xlsx",
}


def build(out_dir: Path = HERE) -> list[Path]:
    written = []
    for source, target in EXAMPLES.items():
        doc = json.loads((HERE / "data" / source).read_text(encoding="utf-8"))
        written.append(fill_template(doc["values"], doc.get("tables", {}), out_dir / target))
    return written


if __name__ == "__main__":
    for path in build():
        print(f"已生成 {path}")
