"""Sample workbooks the tests build from the examples' data: real template, real files."""

from __future__ import annotations

import json
from pathlib import Path

from perfeval.io.fill import fill_template

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG_DATA = ROOT / "examples" / "data" / "taojiang2023.json"


def taojiang_data() -> tuple[dict[str, object], dict[str, list[dict[str, object]]]]:
    doc = json.loads(TAOJIANG_DATA.read_text(encoding="utf-8"))
    return dict(doc["values"]), {k: [dict(r) for r in rows] for k, rows in doc["tables"].items()}


def taojiang_fixed(folder: Path) -> Path:
    """桃江 with its four 错误 corrected: the text's 编制数 (TXT-001) and the 效益 weights (WT-003, WT-005,
    SUM-007: 4 × 7.5 = 30, so the weights add to 100 and the typed 总分 100 is the sum of the scores)."""
    values, tables = taojiang_data()
    values["info_overview"] = str(values["info_overview"]).replace("共有编制人数6人", "共有编制人数7人")
    for row in tables["tbl_indicators"]:
        if str(row["level1"]).startswith("效益"):
            row["weight"], row["score"] = 7.5, 7.5
    folder.mkdir(parents=True, exist_ok=True)
    return fill_template(values, tables, folder / "桃江县科协2023（改正后）.xlsx")


def taojiang_with_indicators(n: int, out: Path) -> Path:
    """桃江 with its indicator rows repeated to n rows (names kept distinct)."""
    values, tables = taojiang_data()
    base = tables["tbl_indicators"]
    rows = []
    for i in range(n):
        row = dict(base[i % len(base)])
        row["level3"] = f"{row.get('level3') or '指标'}{i}"
        rows.append(row)
    tables["tbl_indicators"] = rows
    return fill_template(values, tables, out)


def taojiang_with_two_projects(folder: Path) -> Path:
    """桃江 with two projects and their indicators, so there are 附件3 and 附件4."""
    values, tables = taojiang_data()
    tables["tbl_projects"] = [
        {
            "name": "科普活动经费",
            "initial_budget": 48,
            "adjusted_budget": 98.68,
            "spent": 98.68,
            "execution_weight": 10,
            "goal_expected": "建成科普小镇1个",
            "goal_actual": "建成马迹塘科普小镇",
        },
        {
            "name": "专家工作站建设补助",
            "initial_budget": 0,
            "adjusted_budget": 60,
            "spent": 54,
            "execution_weight": 10,
            "execution_score": 9,
            "total_score": 95,
        },
    ]
    tables["tbl_project_indicators"] = [
        {
            "project": "科普活动经费",
            "level1": "产出指标",
            "level2": "数量指标",
            "level3": "科普小镇",
            "target": "1个",
            "actual": "1个",
            "weight": 50,
            "score": 50,
        },
        {
            "project": "科普活动经费",
            "level1": "满意度指标",
            "level2": "服务对象满意度指标",
            "level3": "群众满意度",
            "target": "≥90%",
            "actual": "95%",
            "weight": 40,
        },
        {
            "project": "专家工作站建设补助",
            "level1": "效益指标",
            "level2": "社会效益指标",
            "level3": "企业技术攻关",
            "target": "持续",
            "actual": "完成",
            "weight": 90,
            "score": 86,
        },
    ]
    folder.mkdir(parents=True, exist_ok=True)
    return fill_template(values, tables, folder / "projects.xlsx")
