"""Build snapshots and models in memory for rule and scoring tests (no workbook needed)."""

from __future__ import annotations

from perfeval import catalogue as cat
from perfeval.core.compute import compute
from perfeval.core.model import Model, build_model
from perfeval.core.pipeline import CheckResult, run_check
from perfeval.core.profile import Profile, default_profile
from perfeval.core.snapshot import CellRef, Snapshot, TableData


def _table(name: str, rows: list[dict[str, object]]) -> TableData:
    spec = cat.TABLES[name]
    place = cat.table_placement(spec)
    columns = {c.key: place.first_col + i for i, c in enumerate(spec.laid_out())}
    return TableData(name, spec.sheet, place.header_row + 1, columns, [dict(r) for r in rows])


def snapshot(
    values: dict[str, object] | None = None,
    *,
    indicators: list[dict[str, object]] = (),  # type: ignore[assignment]
    projects: list[dict[str, object]] = (),  # type: ignore[assignment]
    project_indicators: list[dict[str, object]] = (),  # type: ignore[assignment]
    items: list[dict[str, object]] = (),  # type: ignore[assignment]
    explanations: dict[str, str] | None = None,
) -> Snapshot:
    fields = cat.fields()
    vals: dict[str, object] = {f.name: None for f in fields.values()}
    for k, v in (values or {}).items():
        if k not in fields:
            raise KeyError(f"unknown field {k}")
        vals[k] = v
    return Snapshot(
        values=vals,
        cells={f.name: CellRef(f.sheet, f.cell) for f in fields.values()},
        tables={
            cat.INDICATORS.name: _table(cat.INDICATORS.name, list(indicators)),
            cat.PROJECTS.name: _table(cat.PROJECTS.name, list(projects)),
            cat.PROJECT_INDICATORS.name: _table(cat.PROJECT_INDICATORS.name, list(project_indicators)),
            cat.PROJECT_ITEMS.name: _table(cat.PROJECT_ITEMS.name, list(items)),
        },
        explanations=explanations or {},
        template_version=cat.TEMPLATE_VERSION,
        source="memory",
    )


def model(values: dict[str, object] | None = None, *, profile: Profile | None = None, **tables) -> Model:
    m = build_model(snapshot(values, **tables), profile or default_profile())
    compute(m)
    return m


def check(
    values: dict[str, object] | None = None, *, profile: Profile | None = None, **tables
) -> CheckResult:
    return run_check(snapshot(values, **tables), profile or default_profile())


def ids(result: CheckResult) -> set[str]:
    return {f.rule_id for f in result.findings}


def findings_of(result: CheckResult, rule_id: str):
    return [f for f in result.findings if f.rule_id == rule_id]


def indicator(
    level1: str = "产出指标",
    level2: str = "数量指标",
    level3: str = "指标",
    target: object = "10个",
    actual: object = "10个",
    weight: object = 10,
    score: object = 10,
    **extra: object,
) -> dict[str, object]:
    row: dict[str, object] = dict(
        level1=level1, level2=level2, level3=level3, target=target, actual=actual, weight=weight, score=score
    )
    row.update(extra)
    return row


# A consistent, complete workbook: no rule should fire on it. Tests change one thing at a time.
CLEAN_VALUES: dict[str, object] = {
    "info_unit_name": "示例县科学技术协会",
    "info_year": 2023,
    "info_unit_type": "行政单位",
    "info_staff_admin": 7,
    "info_overview": "示例县科学技术协会属行政单位，共有编制人数7人，实有人数7人。内设股室2个。",
    "info_duties": "开展科学普及。",
    "info_performance_goals": "完成年初制定的全年工作任务。",
    "info_budget_notes": (
        "2023年，县财政批复年初预算266.32万元，全年预算266.32万元，全年预算整体支出266.32万元，"
        "其中基本支出107.64万元，项目支出158.68万元。"
    ),
    "info_achievements": "开展科普活动10次，培育示范户10个。",
    "info_economic_notes": "“三公”经费预算1.58万元，实际支出1.30万元，没有超过预算。",
    "info_improvements": "加强预算编制。",
    "bd_authorized_staff": 7,
    "bd_actual_staff": 7,
    "bd_staff_control_rate": 1,
    "bd_tpc_prior_actual": 1.40,
    "bd_tpc_current_budget": 1.58,
    "bd_tpc_current_actual": 1.30,
    "bd_reception_prior_actual": 1.40,
    "bd_reception_current_budget": 1.58,
    "bd_reception_current_actual": 1.30,
    "bd_project_prior_actual": 99.18,
    "bd_project_current_budget": 158.68,
    "bd_project_current_actual": 158.68,
    "bd_public_prior_actual": 20.00,
    "bd_public_current_budget": 18.50,
    "bd_public_current_actual": 18.47,
    "bd_office_prior_actual": 10,
    "bd_office_current_budget": 10,
    "bd_office_current_actual": 10,
    "bd_utilities_travel_prior_actual": 5,
    "bd_utilities_travel_current_budget": 5,
    "bd_utilities_travel_current_actual": 5,
    "bd_meeting_training_prior_actual": 3,
    "bd_meeting_training_current_budget": 3,
    "bd_meeting_training_current_actual": 3,
    "bd_procurement_prior_actual": 1.00,
    "bd_procurement_current_budget": 1.50,
    "bd_procurement_current_actual": 1.32,
    "bd_basic_prior_actual": 105.00,
    "bd_basic_current_budget": 107.64,
    "bd_basic_current_actual": 107.64,
    "bd_building_approved_area": "无",
    "bd_frugality_measures": "严格执行机关财务管理制度，严控各项支出。",
    "ua_initial_budget": 266.32,
    "ua_adjusted_budget": 266.32,
    "ua_spent": 266.32,
    "ua_execution_weight": 10,
    "ua_execution_rate": 1,
    "ua_execution_score": 10,
    "ua_general_budget": 266.32,
    "ua_basic_expenditure": 107.64,
    "ua_project_expenditure": 158.68,
    "ua_goal_expected_1": "完成年初制定的全年工作任务。",
    "ua_goal_actual_1": "完成了年初制定的全年工作任务。",
    "ua_total_score": 99,
    "ua_grade": "优",
}

CLEAN_ITEMS: list[dict[str, object]] = [
    {"name": "业务工作经费", "prior_actual": 66.55, "current_budget": 48, "current_actual": 48},
    {"name": "科学技术普及", "prior_actual": 32.63, "current_budget": 50.68, "current_actual": 50.68},
    {"name": "专家工作站建设补助", "prior_actual": 0, "current_budget": 60, "current_actual": 60},
]

CLEAN_INDICATORS: list[dict[str, object]] = [
    indicator("产出指标", "数量指标", "开展科普活动次数", "≥8次", "8次", 10, 10),
    indicator("产出指标", "数量指标", "培育示范户数量", "10个", "10个", 10, 10),
    indicator("产出指标", "质量指标", "活动验收合格率", "≥95%", "100%", 10, 10),
    indicator("产出指标", "时效指标", "任务按时完成率", "100%", "100%", 10, 10),
    indicator("产出指标", "成本指标", "三公经费控制数", "≤1.58万元", "1.30万元", 10, 10),
    indicator("效益指标", "社会效益指标", "科普受众人次", "≥500人次", "520人次", 10, 10),
    indicator(
        "效益指标",
        "可持续影响指标",
        "科普队伍建设",
        "持续规范",
        "建成稳定的科普工作队伍",
        10,
        9,
        band="达成年度指标",
        deviation_note="队伍稳定性仍需加强，下一步完善激励机制。",
    ),
    indicator("效益指标", "经济效益指标", "示范户增收户数", "≥10户", "10户", 10, 10),
    indicator("满意度指标", "服务对象满意度指标", "社会公众满意度", "≥95%", "98%", 10, 10),
]
