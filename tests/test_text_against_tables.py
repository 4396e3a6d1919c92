"""Issue 11, text parts: the report text against the tables, in the shapes real reports use.

Each check has a case that fires (the seed's own mistake or a real report's) and the near miss that must
stay silent ("宁可漏报，不可误报").  Sentences are taken from seed 000 (桃江县科协 2023) where it has them.
"""

from __future__ import annotations

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.core.snapshot import CellRef
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check, findings_of, ids, indicator


def fref(name: str) -> CellRef:
    f = cat.field(name)
    return CellRef(f.sheet, f.cell)


def run(values: dict[str, object] | None = None, indicators=None, items=None):
    return check(
        {**CLEAN_VALUES, **(values or {})},
        indicators=CLEAN_INDICATORS if indicators is None else indicators,
        items=CLEAN_ITEMS if items is None else items,
    )


def only(result, rule_id: str):
    found = findings_of(result, rule_id)
    assert len(found) == 1, [f.text() for f in found]
    return found[0]


# --- 1. counts and sub-counts ------------------------------------------------------------------------------
def test_sub_counts_are_not_the_units_headcount():
    # 附件1: 7 在职.  A report of a bureau with 事业单位 gives the parts, not the total.
    text = "示例县科学技术协会属行政单位，共有编制人数7人。局机关在职113人，下属事业单位在职45人。"
    assert "TXT-002" not in ids(run({"info_overview": text}))
    text = "示例县科学技术协会共有编制人数7人，其中：局机关编制5人，实有人数7人。"
    assert "TXT-001" not in ids(run({"info_overview": text}))


def test_the_whole_units_headcount_beside_a_sub_count_is_still_compared():
    text = "示例县科学技术协会共有编制人数7人，在职人员共9人，其中局机关在职6人。"
    f = only(run({"info_overview": text}), "TXT-002")
    assert f.found == "9 人" and f.expected == "7 人"


# --- 2. one root, one finding ------------------------------------------------------------------------------
TPC_TEXT = "“三公”经费预算1.58万元，实际支出{actual}万元。"
TPC_TYPED_WRONG = {"bd_tpc_current_actual": 1.70, "bd_reception_current_actual": 1.60}  # parts add to 1.60


def test_text_quoting_the_correct_sum_is_not_a_second_error():
    r = run({**TPC_TYPED_WRONG, "info_economic_notes": TPC_TEXT.format(actual="1.60")})
    assert "SUM-001" in ids(r)
    assert "TXT-006" not in ids(r)


def test_text_matching_neither_the_total_nor_the_parts_is_still_wrong():
    r = run({**TPC_TYPED_WRONG, "info_economic_notes": TPC_TEXT.format(actual="1.50")})
    f = only(r, "TXT-006")
    assert f.found == "1.50 万元"


# --- 3. amounts next to a label the tables hold -----------------------------------------------------------
ADJUSTED = {"ua_initial_budget": 158.43, "info_budget_notes": ""}  # 全年 266.32: adjustment 107.89


def test_adjustment_in_the_text_against_the_table():
    f = only(run({**ADJUSTED, "info_economic_notes": "年中追加预算100万元，用于科普小镇建设。"}), "TXT-012")
    assert f.severity is Severity.WARNING
    assert f.expected == "107.89 万元" and f.found == "100.00 万元"
    assert f.cells == (fref("info_economic_notes"), fref("ua_initial_budget"), fref("ua_adjusted_budget"))


def test_adjustment_stated_right_or_approximately_is_fine():
    for text in ("全年预算调增107.89万元。", "年中追加预算约100万元。", "年中追加预算100余万元。"):
        assert "TXT-012" not in ids(run({**ADJUSTED, "info_economic_notes": text})), text
    # A part's adjustment ("项目支出追加50万元") is not the unit's.
    assert "TXT-012" not in ids(run({**ADJUSTED, "info_economic_notes": "项目支出追加50万元。"}))


ITEMS = [
    {"name": "业务工作经费", "prior_actual": 66.55, "current_budget": 48, "current_actual": 48},
    {
        "name": "2023国家基层科普行动计划专项资金",
        "prior_actual": 0,
        "current_budget": 50.68,
        "current_actual": 50.68,
    },
    {
        "name": "上级专款：人才发展专项资金及专家工作站建设补助",
        "prior_actual": 0,
        "current_budget": 60,
        "current_actual": 60,
    },
]
SEED_PROJECTS = (
    "其中1、科普活动支出98.68万元，（年初预算科普工作经费48万元，上级财政拨付国家基层科普行动计划专项资金"
    "{sci}万元）2、上级专款人才发展专项资金及专家工作站建设补助60万元。"
)


def test_amount_after_a_project_name_against_its_line():
    r = run({"info_project_notes": SEED_PROJECTS.format(sci="50")}, items=ITEMS)
    f = only(r, "TXT-012")
    assert "国家基层科普行动计划专项资金" in f.message and f.found == "50.00 万元"
    assert "50.68 万元" in f.expected


def test_amount_after_a_project_name_that_agrees_is_fine():
    assert "TXT-012" not in ids(run({"info_project_notes": SEED_PROJECTS.format(sci="50.68")}, items=ITEMS))
    # "获批项目资金50万元" names no line of the tables: silent.
    text = "目前已申报成功了马迹塘镇为2023年湖南省科普小镇建设项目，获批项目资金50万元。"
    assert "TXT-012" not in ids(run({"info_achievements": text}, items=ITEMS))


GRANTED = "目前已申报成功了马迹塘镇为2023年湖南省科普小镇建设项目，获批项目资金{amount}万元。"


def test_granted_funds_near_the_one_special_fund_line():
    # Seed 000: "获批项目资金50万元" while 附件1 holds 专项资金 50.68 and no 50 anywhere: a 提示 only.
    r = run({"info_achievements": GRANTED.format(amount="50")}, items=ITEMS)
    f = only(r, "TXT-014")
    assert f.severity is Severity.INFO
    assert "国家基层科普行动计划专项资金" in f.message and "相差 0.68 万元" in f.message
    assert (f.found, f.expected) == ("50.00 万元", "50.68 万元")
    assert f.cells[0] == fref("info_achievements")
    # The same figure in 元 (500,000 元) is the same claim.
    in_yuan = GRANTED.format(amount="500000").replace("万元", "元")
    assert "TXT-014" in ids(run({"info_achievements": in_yuan}, items=ITEMS))


def test_granted_funds_silent_when_unsure():
    texts = (
        GRANTED.format(amount="50.68"),  # equal to the line
        GRANTED.format(amount="48"),  # equal to another table amount (业务工作经费 48)
        GRANTED.format(amount="约50"),  # approximate
        GRANTED.format(amount="30"),  # near no special line: a different grant
    )
    for text in texts:
        assert "TXT-014" not in ids(run({"info_achievements": text}, items=ITEMS)), text
    # Near two special lines at once (50.68, and 48 once its line is a 专项 line): which one is unknown.
    items = [{**ITEMS[0], "name": "省级科普专项经费"}, *ITEMS[1:]]
    assert "TXT-014" not in ids(run({"info_achievements": GRANTED.format(amount="50")}, items=items))
    # Without a verb of granting, the amount is not about granted funds.
    assert "TXT-014" not in ids(run({"info_achievements": "马迹塘镇科普小镇建设项目50万元。"}, items=ITEMS))


def _with_note(note: str) -> list[dict[str, object]]:
    rows = [dict(r) for r in CLEAN_INDICATORS]
    rows[3] = indicator("产出指标", "时效指标", "资金支付及时率", "100%", "86%", 10, 8.6, deviation_note=note)
    return rows


def test_unspent_share_in_the_deviation_note_against_the_table():
    # 229.58 of 266.32 spent: 13.80 % unspent, while the note says 3 %.
    r = run({"ua_spent": 229.58}, indicators=_with_note("项目已完工，剩余3%尾款未支付。"))
    f = only(r, "TXT-013")
    assert f.severity is Severity.WARNING
    assert f.found == "3.00%" and f.expected == "13.80%"


def test_unspent_share_that_agrees_or_is_a_retention_is_fine():
    assert "TXT-013" not in ids(run({"ua_spent": 258.33}, indicators=_with_note("剩余3%尾款未支付。")))
    assert "TXT-013" not in ids(run({"ua_spent": 229.58}, indicators=_with_note("剩余3%质保金未支付。")))


# --- 4. budget control claims and a line spent far beyond its budget ------------------------------------
OVER = {"bd_project_current_budget": 48, "bd_project_current_actual": 158.68}  # 附件1 of seed 000: 330.58 %


def test_by_budget_claim_against_a_line_spent_beyond_its_budget():
    r = run({**OVER, "info_project_notes": "科普宣传活动费严格按照年初预算专项使用。"})
    f = only(r, "TXT-008")
    assert "330.58%" in f.message and f.cells[0] == fref("info_project_notes")
    g = only(r, "PL-013")
    assert g.severity is Severity.WARNING and "330.58%" in g.found


def test_budget_claims_when_lines_are_within_budget_or_only_promised():
    assert "TXT-008" not in ids(run({"info_project_notes": "科普宣传活动费严格按照年初预算专项使用。"}))
    # a promise in 改进措施 is not a statement about the year; 120 % or less is not "far beyond"
    r = run({**OVER, "info_improvements": "严格按照年初预算执行。"})
    assert "TXT-008" not in ids(r)
    near = run({"bd_project_current_budget": 140, "bd_project_current_actual": 158.68})  # 113 %
    assert "PL-013" not in ids(near)


# --- 5. counts: text against the indicator's 完成值, additions ----------------------------------------------
def test_count_in_text_against_the_indicators_achieved_value():
    # 培育示范户数量: 完成值 10个; the text says 14.
    f = only(run({"info_achievements": "开展科普活动10次，培育示范户共14个。"}), "TXT-009")
    assert "14个" in f.found and "10个" in f.found


def test_count_in_text_that_matches_the_indicator_is_fine():
    assert "TXT-009" not in ids(run({"info_achievements": "开展科普活动10次，培育示范户共10个。"}))


ADDITION = "今年以来在原有3家工作站的基础上，培育建设惊石农业、波贝恩竹木科技2家专家工作站。"


def test_addition_is_a_total_against_a_restated_total():
    f = only(run({"info_achievements": ADDITION, "info_project_notes": "完成专家工作站3个。"}), "TXT-009")
    assert "5家" in f.message and "3个" in f.message


def test_addition_agreeing_with_the_restated_total_is_fine():
    assert "TXT-009" not in ids(
        run({"info_achievements": ADDITION, "info_project_notes": "完成专家工作站5个。"})
    )


# --- 6. a stale year -------------------------------------------------------------------------------------
def test_year_neither_the_report_year_nor_the_one_before():
    r = run({"info_budget_notes": "2021年，县财政批复年初预算266.32万元，全年预算266.32万元。"})
    f = only(r, "TXT-011")
    assert f.severity is Severity.INFO and f.found == "2021 年"


def test_years_that_are_not_the_time_of_the_years_work():
    text = (
        "2023年，县财政批复年初预算266.32万元。2022年决算数为250万元。集中宣传进入2021年院士评选候选人。"
        "科学编制《桃江县全民科学素质行动规划纲要实施方案（2021-2025）》。报告日期2024年4月15日。"
    )
    assert "TXT-011" not in ids(run({"info_budget_notes": text}))
