"""The report says each fact once per section: a generated clause the user's paragraph already states is
left out, a user paragraph another field already holds is not repeated (issue 13, "the report repeats
itself")."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from perfeval.core.profile import default_profile
from perfeval.core.textclaims import extract_claims
from perfeval.narrative import weave
from perfeval.narrative.render import render_report
from perfeval.report.document import Paragraph, Report
from perfeval.service import check_file
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check
from tests.projects import project_tables, project_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _report(path: Path) -> Report:
    return render_report(check_file(path, default_profile(), write=False).result)


@pytest.fixture(scope="module")
def taojiang() -> Report:
    return _report(EXAMPLES / "桃江县科协2023.xlsx")


@pytest.fixture(scope="module")
def lixian() -> Report:
    return _report(EXAMPLES / "澧县科协2021.xlsx")  # both kinds: the 部门整体 report and a project chapter


def _clean(values: dict | None = None) -> Report:
    return render_report(
        check({**CLEAN_VALUES, **(values or {})}, indicators=CLEAN_INDICATORS, items=CLEAN_ITEMS)
    )


_PART = re.compile(r"^\d+．")  # a project's part in a report of both kinds ("1．项目基本情况")


def _sections(report: Report) -> list[tuple[str, list[Paragraph]]]:
    out: list[tuple[str, list[Paragraph]]] = [("", [])]
    for p in report.paragraphs:
        if p.kind in ("heading1", "heading2") or (p.generated and _PART.match(p.text)):
            out.append((p.text, []))
        elif p.kind == "body":
            out[-1][1].append(p)
    return out


def _facts(paragraphs: list[Paragraph]) -> set[tuple[str, Decimal]]:
    """Amounts and head counts the text states, as (what, value): read by the checks' own extractor."""
    texts = {str(i): p.text for i, p in enumerate(paragraphs)}
    return {(c.kind, c.value.quantize(Decimal("0.01"))) for c in extract_claims(texts) if c.value is not None}


def _twice(report: Report) -> dict[str, set[tuple[str, Decimal]]]:
    twice = {}
    for title, paragraphs in _sections(report):
        generated = _facts([p for p in paragraphs if p.generated])
        user = _facts([p for p in paragraphs if not p.generated])
        if generated & user:
            twice[title] = generated & user
    return twice


def _text(report: Report) -> str:
    return "\n".join(p.text for p in report.paragraphs)


# --- whole reports -----------------------------------------------------------------------------------------


def test_taojiang_states_no_amount_or_count_twice_in_a_section(taojiang: Report) -> None:
    assert _twice(taojiang) == {}
    # Head counts: "7人" may appear once per section from each side only when the values differ.
    overview = dict(_sections(taojiang))["（一）单位基本情况"]
    generated = " ".join(p.text for p in overview if p.generated)
    assert re.findall(r"\d+人", generated) == ["7人"]  # 编制数 7 (附件1); the user wrote 6, flagged
    assert "实际在职人数" not in generated  # the user's "实有人数7人" says it


def test_the_check_would_have_seen_the_old_repetitions() -> None:
    # The same measure on the report as it read before weaving (issue 13): each repetition is found.
    before = Report(
        "t",
        [
            Paragraph("heading2", "（一）单位基本情况"),
            Paragraph("body", "桃江县科学技术协会属行政单位，编制数7人，2023年实际在职人数7人。"),
            Paragraph(
                "body", "桃江县科学技术协会属行政单位，共有编制人数6人，实有人数7人。", generated=False
            ),
            Paragraph("heading2", "（二）部门整体支出情况"),
            Paragraph("body", "2023年，年初预算158.43万元；全年执行266.32万元。其中基本支出107.64万元。"),
            Paragraph("body", "县财政批复年初预算158.43万元，全年预算整体支出266.32万元。", generated=False),
        ],
    )
    assert _twice(before) == {
        "（一）单位基本情况": {("actual_staff", Decimal("7.00"))},
        "（二）部门整体支出情况": {("initial_budget", Decimal("158.43")), ("spent", Decimal("266.32"))},
    }


def test_taojiang_woven_sections_read_as_hand_checked(taojiang: Report) -> None:
    sections = {title: [(p.generated, p.text) for p in ps] for title, ps in _sections(taojiang)}
    overview = sections["（一）单位基本情况"]
    # The user's paragraph says the unit, its type, 实有7人; it says 编制6人 (附件1: 7), so 7 stays. What is
    # left follows the user's paragraph and its 【待核对】 line.
    assert overview[0][1].startswith("桃江县科学技术协会属行政单位，共有编制人数6人") and not overview[0][0]
    assert overview[1][1].startswith("【待核对：上段文字与表格不一致，见校验结果 TXT-001")
    assert overview[2] == (True, "编制数7人，在职人员控制率100.00%。")
    # 内设机构 "办公室、学会部" is in the overview already ("分别为办公室和学会部"): not listed again.
    assert not any(t.startswith("内设机构") for _, t in overview)
    # The user states 年初158.43, 全年266.32, 支出266.32, 基本107.64, 项目158.68: the rates are what is new,
    # said after the user's paragraph; the income line goes with the sentence it followed.
    spending = sections["（二）部门整体支出情况"]
    assert spending[0][1].startswith("2023年，县财政批复年初预算158.43万元") and not spending[0][0]
    assert spending[1:] == [
        (
            True,
            "全年预算较年初调增107.89万元，预算调整率68.10%；预算执行率100.00%。"
            "基本支出占40.42%；项目支出占59.58%。",
        ),
        (True, "按收入性质分：一般公共预算266.32万元。"),
    ]
    # 二（一）: the user states 基本支出107.64, 公用经费 budget 16.25 (机关运行经费), 三公 1.58 / 1.30.
    assert sections["（一）基本支出"][1] == (
        True,
        "基本支出占全年执行数的40.42%。公用经费本年决算18.47万元，控制率113.66%。“三公”经费控制率82.28%。",
    )
    # 二（二）: two of three lines are named with their amounts in the user's text (60 and 50.68); the rest
    # follows the user's text (five paragraphs of one field, not cut in two) and its 【待核对】 line.
    projects = sections["（二）项目支出"]
    assert [g for g, _ in projects] == [False] * 5 + [True, True]
    assert projects[-2][1].startswith("【待核对")
    assert (
        projects[-1][1] == "项目支出占全年执行数的59.58%。按项目支出明细，本年决算：业务工作经费48.00万元。"
    )
    # 四: the 三公 line lost 1.58 / 1.30 to the user's "1、…"; it and the line after it follow "1、2、3、".
    economy = sections["四、经济效益评价"]
    assert [t[:2] for _, t in economy] == ["预算", "1、", "2、", "3、", "【待", "“三", "公用"]
    assert economy[5][1].startswith("“三公”经费：控制率82.28%，控制较好")
    # The goals of 附件2 differ from the user's list of tasks: both kept, each once.
    goals = sections["（三）绩效目标设立情况"]
    assert [t[:7] for _, t in goals[1:]] == ["年度总体目标1", "年度总体目标2", "年度总体目标3"]


def test_a_project_chapter_does_not_repeat_the_units_goals_problems_and_measures(lixian: Report) -> None:
    text = _text(lixian)
    assert text.count("搞好科普宣传") == 1 and text.count("科普经费不足，人员有限") == 1
    assert "年度总体目标：见“一、部门概况（三）绩效目标设立情况”。" in text
    assert "见“七、存在的问题和改进措施（一）存在的问题”。" in text
    assert "见“七、存在的问题和改进措施（二）改进措施和有关建议”。" in text
    assert "实际完成情况：开展送科技下乡" in text  # the project's own words that add something stay
    assert _twice(lixian) == {}


def test_a_project_report_states_nothing_twice() -> None:
    report = _report(EXAMPLES / "澧县科协2021项目.xlsx")
    assert _twice(report) == {}
    assert _text(report).count("搞好科普宣传") == 1  # nothing earlier to point to: the goals stay


# --- the rules, on the clean workbook -----------------------------------------------------------------------


def test_a_user_paragraph_with_other_figures_keeps_both() -> None:
    notes = "2023年，县财政批复年初预算250.00万元，全年预算260.00万元，全年预算整体支出266.32万元。"
    text = _text(_clean({"info_budget_notes": notes}))
    # 年初 and 全年预算 differ from 附件2 (266.32): the generated figures stay, the user's paragraph too.
    assert "2023年年初预算266.32万元，年内未进行预算调整，全年预算266.32万元；预算执行率100.00%。" in text
    assert notes in text


def test_an_empty_user_text_keeps_the_generated_sentence() -> None:
    text = _text(_clean({"info_budget_notes": None, "info_overview": None}))
    assert (
        "2023年年初预算266.32万元，年内未进行预算调整，全年预算266.32万元；全年执行266.32万元，"
        "预算执行率100.00%。其中基本支出107.64万元，占40.42%；项目支出158.68万元，占59.58%。"
    ) in text
    assert "示例县科学技术协会属行政单位，编制数7人，2023年实际在职人数7人，在职人员控制率100.00%。" in text


def test_a_goal_typed_twice_is_listed_once() -> None:
    # CLEAN_VALUES: 年度绩效目标 (基本信息) and 附件2 目标1 are the same sentence.
    report = _clean()
    section = dict(_sections(report))["（三）绩效目标设立情况"]
    assert [p.text for p in section] == ["完成年初制定的全年工作任务。"]
    # A goal that adds something is kept.
    section = dict(_sections(_clean({"ua_goal_expected_2": "举办科普讲座12场。"})))["（三）绩效目标设立情况"]
    assert [p.text for p in section] == ["完成年初制定的全年工作任务。", "年度总体目标2：举办科普讲座12场。"]


def test_an_approximate_figure_does_not_replace_the_table() -> None:
    notes = "全年预算约266万元，全年执行266.32万元。"
    section = dict(_sections(_clean({"info_budget_notes": notes})))["（二）部门整体支出情况"]
    generated = "".join(p.text for p in section if p.generated)
    assert "全年预算266.32万元" in generated and "全年执行266.32万元" not in generated


# --- the clause rules, on marked lines ------------------------------------------------------------------------


def _fig(kind: str, value: str, text: str) -> str:
    return weave.fact((kind,), Decimal(value), text)


def _rate(text: str) -> str:
    return weave.fact((), None, text)  # a figure no user sentence is read as


def _said(text: str, *paragraphs: str) -> str:
    return weave.weave_sentence_line(text, weave.Stated(list(paragraphs), []))


def test_a_dropped_clause_hands_its_topic_to_the_next_clause_kept() -> None:
    line = (
        f"{weave.topic('公用经费')}本年预算{_fig('public_funds_budget', '16.25', '16.25万元')}，"
        f"本年决算{_fig('public_funds_actual', '18.47', '18.47万元')}，控制率{_rate('113.66%')}。"
    )
    assert _said(line) == "公用经费本年预算16.25万元，本年决算18.47万元，控制率113.66%。"
    assert _said(line, "机关运行经费预算16.25万元。") == "公用经费本年决算18.47万元，控制率113.66%。"
    both = "公用经费预算16.25万元，实际支出18.47万元。"
    assert _said(line, both) == "公用经费控制率113.66%。"
    # Every figure the user's: the sentence goes, its judgement words with it.
    assert (
        _said(
            f"{weave.topic('公用经费')}本年预算{_fig('public_funds_budget', '16.25', 'x')}，控制较好。", both
        )
        == ""
    )


def test_separators_and_the_topics_scope() -> None:
    line = (
        f"2023年，{weave.topic('全年预算')}调整为{_fig('adjusted_budget', '266.32', '266.32万元')}，"
        f"较年初调增{_fig('adjustment', '107.89', '107.89万元')}，预算调整率{_rate('68.10%')}；"
        f"全年执行{_fig('spent', '266.32', '266.32万元')}，预算执行率{_rate('100.00%')}。"
    )
    user = "全年预算调整为266.32万元，全年执行266.32万元。"
    assert _said(line, user) == "2023年，全年预算较年初调增107.89万元，预算调整率68.10%；预算执行率100.00%。"
    # The topic's last word begins the next clause kept: not said twice ("全年预算预算调整率").
    user2 = user + "全年预算调增107.89万元。"
    assert _said(line, user2) == "2023年，预算调整率68.10%；预算执行率100.00%。"


def test_a_name_is_said_when_the_user_wrote_it() -> None:
    line = f"{weave.said('示例县科协')}属{weave.said('行政单位')}，编制数{_fig('authorized_staff', '7', '7人')}。"
    assert _said(line, "示例县科协属行政单位，编制7人。") == ""
    assert _said(line, "示例县科协属事业单位，编制7人。") == "示例县科协属行政单位。"
    assert _said(line) == "示例县科协属行政单位，编制数7人。"


def test_a_projects_own_text_speaks_of_the_project() -> None:
    line = f"全年执行{weave.fact(('project:spent', 'project:project_expenditure'), Decimal('46'), '46.00万元')}，执行率{_rate('100.00%')}。"
    text = "项目资金全年执行46万元。"
    assert weave.weave_sentence_line(line, weave.Stated([text], [], project=True)) == "执行率100.00%。"
    assert weave.weave_sentence_line(line, weave.Stated([text], [])) == "全年执行46.00万元，执行率100.00%。"


def test_quoted_names_and_markers_are_not_cut_at_their_commas() -> None:
    line = (
        f"未达到：“甲，乙”，实际完成{_fig('spent', '1', '【待补充：附件2!D4 年度资金总额，全年执行数】')}。"
    )
    assert _said(line) == "未达到：“甲，乙”，实际完成【待补充：附件2!D4 年度资金总额，全年执行数】。"


# --- project reports ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def projects_result(tmp_path_factory):
    """The two-project workbook of tests/projects.py; 科普惠农项目's 评价结论 restates its spending."""
    tables = project_tables()
    tables["tbl_projects"][0]["conclusion"] = "项目资金全年执行46万元，年度目标全部完成，自评等级为优。"
    folder = tmp_path_factory.mktemp("weave")
    return check_file(
        project_workbook(folder / "项目.xlsx", tables=tables), default_profile(), write=False
    ).result


def test_a_projects_goal_and_what_was_done_are_both_said_even_when_alike(projects_result) -> None:
    sections = _sections(render_report(projects_result))
    section = next(ps for title, ps in sections if title == "（三）绩效目标及完成情况")  # the first project's
    # 科普惠农项目 typed the same words as 预期目标 and 实际完成情况: two statements (plan, outcome), both kept.
    assert [p.text for p in section] == [
        "年度总体目标：开展科普惠农培训12次，培育科普示范基地3个。",
        "实际完成情况：开展科普惠农培训12次，培育科普示范基地3个。",
    ]


def test_a_projects_own_figures_are_woven_in_its_section(projects_result, tmp_path: Path) -> None:
    # A bureau's wording that puts the 评价结论 under 项目资金: the conclusion's "项目资金全年执行46万元"
    # is the project's 全年执行数 (46.00), so the generated clause goes and the rate stays.
    bundled = (ROOT / "perfeval" / "narrative" / "templates" / "project" / "1_projects.j2").read_text("utf-8")
    moved = bundled.replace(
        '{{ part(3, "绩效目标及完成情况") }}',
        '{{ project_text(p, "conclusion", "评价结论：") }}\n{{ part(3, "绩效目标及完成情况") }}',
    )
    assert moved != bundled
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "1_projects.j2").write_text(moved, encoding="utf-8")
    report = render_report(projects_result, template_dir=tmp_path)
    funds = [p.text for title, ps in _sections(report) if title == "（二）项目资金预算和执行情况" for p in ps]
    assert funds[:2] == [
        "评价结论：项目资金全年执行46万元，年度目标全部完成，自评等级为优。",
        "年初预算46.00万元，年内未调整，全年预算46.00万元；预算执行率100.00%，资金全部执行。",
    ]
    # The other project's section has no such text: its sentence is whole.
    assert "全年执行19.00万元，预算执行率95.00%，未执行1.00万元" in _text(report)
    assert _twice(report) == {}


def test_no_marker_reaches_the_report(taojiang: Report, lixian: Report) -> None:
    for report in (taojiang, lixian):
        texts = [report.title, *(p.text for p in report.paragraphs)]
        assert not [t for t in texts if re.search("[\ue000-\uf8ff]", t)]
