"""Project-only workbooks as data: two projects filled in the national 项目支出绩效自评表, checked by hand.

科普惠农项目: 46.00 of 46.00 spent (100 %), execution 10.00; every indicator met, full marks: total 100.00.
基层科协组织建设: 20.00 budgeted, 19.00 spent: 95 % × 10 = 9.50. Indicators 50 + 30 + 10 weights; one
quantitative indicator unmet (8 of 10 training sessions: 8 ÷ 10 × 20 = 16.00, explained), the rest full:
9.50 + 16.00 + 30 + 30 + 10 = 95.50. Funding: 15.00 + 5.00 = 20.00 budget, 14.00 + 5.00 = 19.00 spent.
No 自评预警: indicators 86 of 90 (95.56 %) against execution 9.50 of 10 (95 %) is a 0.58 % gap, under the
red line of 5 %; 5 % unspent is under the yellow line of 20 %.
"""

from __future__ import annotations

from pathlib import Path

from perfeval import catalogue as cat
from perfeval.core.profile import Profile
from perfeval.io.fill import fill_template

UNIT_NAME = "示例县科学技术协会"
PROJECT_A = "科普惠农项目"
PROJECT_B = "基层科协组织建设"


def _ind(project: str, level1: str, level2: str, level3: str, target, actual, weight, score, note=""):
    return {
        "project": project,
        "level1": level1,
        "level2": level2,
        "level3": level3,
        "target": target,
        "actual": actual,
        "weight": weight,
        "score": score,
        "deviation_note": note,
    }


def project_values() -> dict[str, object]:
    return {"info_unit_name": UNIT_NAME, "info_year": 2023}


def project_tables() -> dict[str, list[dict[str, object]]]:
    projects = [
        {
            "name": PROJECT_A,
            "department": "示例县科学技术协会",
            "implementer": "示例县科学技术协会",
            "initial_budget": 46,
            "adjusted_budget": 46,
            "spent": 46,
            "execution_weight": 10,
            "execution_rate": 1,
            "execution_score": 10,
            "fiscal_initial_budget": 46,
            "fiscal_adjusted_budget": 46,
            "fiscal_spent": 46,
            "goal_expected": "开展科普惠农培训12次，培育科普示范基地3个。",
            "goal_actual": "开展科普惠农培训12次，培育科普示范基地3个。",
            "total_score": 100,
            "conclusion": "项目资金全部执行，年度目标全部完成，自评等级为优。",
            "problems": "部分培训内容与农户需求结合不够紧密。",
            "improvements": "培训前开展需求调查，按产业安排课程。",
        },
        {
            "name": PROJECT_B,
            "department": "示例县科学技术协会",
            "implementer": "各乡镇科协",
            "initial_budget": 20,
            "adjusted_budget": 20,
            "spent": 19,
            "execution_weight": 10,
            "execution_rate": 0.95,
            "execution_score": 9.5,
            "fiscal_initial_budget": 15,
            "fiscal_adjusted_budget": 15,
            "fiscal_spent": 14,
            "carryover_initial_budget": 5,
            "carryover_adjusted_budget": 5,
            "carryover_spent": 5,
            "goal_expected": "举办基层科协干部培训10期，建成乡镇科协服务站5个。",
            "goal_actual": "举办基层科协干部培训8期，建成乡镇科协服务站5个。",
            "total_score": 95.5,
            "conclusion": "项目基本完成，培训期数未达目标。",
            "problems": "受汛期影响，两期培训未能举办。",
            "improvements": "提前安排培训计划，避开汛期。",
        },
    ]
    indicators = [
        _ind(PROJECT_A, "产出指标", "数量指标", "开展科普惠农培训次数", "≥12次", "12次", 30, 30),
        _ind(PROJECT_A, "产出指标", "质量指标", "培训合格率", "≥95%", "98%", 20, 20),
        _ind(PROJECT_A, "效益指标", "社会效益指标", "培育科普示范基地", "3个", "3个", 30, 30),
        _ind(PROJECT_A, "满意度指标", "服务对象满意度指标", "参训农户满意度", "≥90%", "95%", 10, 10),
        _ind(
            PROJECT_B,
            "产出指标",
            "数量指标",
            "基层科协干部培训期数",
            "10期",
            "8期",
            20,
            16,
            "受汛期影响两期培训未能举办，次年提前安排。",
        ),
        _ind(PROJECT_B, "产出指标", "数量指标", "建成乡镇科协服务站", "5个", "5个", 30, 30),
        _ind(PROJECT_B, "效益指标", "社会效益指标", "基层科普服务能力", "明显提升", "达成年度指标", 30, 30),
        _ind(PROJECT_B, "满意度指标", "服务对象满意度指标", "基层群众满意度", "≥90%", "92%", 10, 10),
    ]
    return {cat.PROJECTS.name: projects, cat.PROJECT_INDICATORS.name: indicators}


def project_workbook(
    out: Path,
    *,
    values: dict[str, object] | None = None,
    tables: dict[str, list[dict[str, object]]] | None = None,
    profile: Profile | None = None,
    forms: frozenset[cat.Form] = cat.KINDS_OF_WORKBOOK["项目"],
) -> Path:
    """A project-only workbook (made as `perfeval new --kind 项目` makes it), filled."""
    return fill_template(
        {**project_values(), **(values or {})},
        tables if tables is not None else project_tables(),
        out,
        profile=profile,
        forms=forms,
    )
