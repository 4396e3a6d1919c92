"""The generated 自评报告: its figures are the tables' figures, its wording follows them, gaps are marked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from perfeval import catalogue as cat
from perfeval.core.profile import default_profile
from perfeval.narrative.facts import Figure, build_facts
from perfeval.narrative.render import NarrativeError, render_report
from perfeval.service import check_file
from tests.builders import CLEAN_INDICATORS, CLEAN_ITEMS, CLEAN_VALUES, check, indicator

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
_QUOTED = re.compile(r"“[^”]*”|【[^】]*】")


@pytest.fixture(scope="module")
def taojiang():
    result = check_file(TAOJIANG, default_profile(), write=False).result
    return result, render_report(result)


def _generated(report) -> str:
    """Sentences the tool wrote (not the user's paragraphs, the typed report date or the attachment list)."""
    kinds = ("body", "heading1", "heading2")
    return "\n".join(p.text for p in report.paragraphs if p.generated and p.kind in kinds)


def _figures(obj) -> list[Figure]:
    """Every Figure reachable from the facts (dataclasses, lists, tuples)."""
    if isinstance(obj, Figure):
        return [obj]
    if dataclasses.is_dataclass(obj):
        found = [f for field in dataclasses.fields(obj) for f in _figures(getattr(obj, field.name))]
        for name in dir(type(obj)):  # computed figures: shares, changes, overruns
            if isinstance(getattr(type(obj), name, None), property):
                found.extend(_figures(getattr(obj, name)))
        return found
    if isinstance(obj, list | tuple):
        return [f for item in obj for f in _figures(item)]
    return []


def test_every_number_in_the_generated_text_is_a_figure_of_the_tables(taojiang) -> None:
    result, report = taojiang
    facts = build_facts(result)
    allowed = {fig.bare() for fig in _figures(facts) if fig.known}
    allowed |= {fig.abs().bare() for fig in _figures(facts) if fig.known}
    counts = {
        len(facts.indicators),
        len(facts.met),
        len(facts.missed),
        len(facts.not_comparable),
        *(len([i for i in facts.indicators if i.level1 == lvl]) for lvl, _, _ in facts.scores.levels),
    }
    allowed |= {str(c) for c in counts} | {facts.year}
    # Quoted text is the user's (indicator names, typed targets); 【】 markers name cells.
    numbers = _NUMBER.findall(_QUOTED.sub("", _generated(report)))
    assert numbers, "the report states figures"
    assert set(numbers) <= allowed, set(numbers) - allowed


def test_taojiang_figures_checked_by_hand(taojiang) -> None:
    _, report = taojiang
    text = _generated(report)
    for phrase in (
        "编制数7人",  # 附件1 B4 (the text's 6 is the user's, flagged; 实有7人 the user states, so not repeated)
        "在职人员控制率100.00%",  # 7 / 7
        # 年初 158.43 and 全年 266.32 are the user's words in the same section: only what they add is said.
        "全年预算较年初调增107.89万元，预算调整率68.10%",  # 266.32 − 158.43; 107.89 / 158.43
        "预算执行率100.00%",  # 266.32 / 266.32
        "基本支出占40.42%；项目支出占59.58%",  # 107.64 / 266.32, 158.68 / 266.32
        "预算执行方面：全年执行266.32万元，全年预算266.32万元，预算执行率100.00%",  # 四: the user's text differs
        "“三公”经费：控制率82.28%，控制较好；较上年决算1.04万元增长25.00%",  # 三公 1.30/1.58; 1.30/1.04 − 1
        "控制率113.66%，超出预算2.22万元；较上年决算33.08万元下降44.17%",  # 公用 18.47/16.25; 18.47/33.08 − 1
        # 10 + 50 + 40 + 10 over the typed weights: 110 points are not graded (优 would be untrustworthy)
        "总分110.00分，分值合计不符合评分口径，等级待定",
    ):
        assert phrase in text, phrase
    assert "未进行预算调整" not in text and "全部完成" not in text
    user = "\n".join(p.text for p in report.paragraphs if not p.generated)
    assert "县财政批复年初预算158.43万元，全年预算调整为266.32万元" in user  # said once, in the user's words


def test_user_text_is_kept_and_contradictions_are_flagged(taojiang) -> None:
    _, report = taojiang
    user = [p.text for p in report.paragraphs if not p.generated]
    assert any("共有编制人数6人" in t for t in user)  # the user's words, as typed
    flags = [p.text for p in report.paragraphs if p.text.startswith("【待核对")]
    assert any("TXT-001" in t for t in flags) and any("TXT-007" in t for t in flags)


def test_sections_in_the_order_of_seed_000(taojiang) -> None:
    _, report = taojiang
    headings = [p.text for p in report.paragraphs if p.kind == "heading1"]
    assert [h[:2] for h in headings] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、"]
    assert headings[1] == "二、部门整体支出管理及使用情况" and headings[2] == "三、部门整体支出绩效评价"
    assert report.title == "2023年度部门整体支出绩效自评报告"
    attachments = [p.text for p in report.paragraphs if p.kind == "attachment"]
    assert attachments == [  # the titles printed on the tables, as in seed 000
        "附件：1．桃江县科学技术协会2023年度部门整体支出绩效评价基础数据表",
        "2．桃江县2023年度部门整体支出绩效自评表",
    ]


def _report(values: dict | None = None, **tables):
    tables.setdefault("indicators", CLEAN_INDICATORS)
    tables.setdefault("items", CLEAN_ITEMS)
    return render_report(check({**CLEAN_VALUES, **(values or {})}, **tables))


def _text(report) -> str:
    return "\n".join(p.text for p in report.paragraphs)


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        (dt.date(2025, 4, 10), "2025年4月10日"),  # calamine's value for a date cell
        (dt.datetime(2025, 4, 10), "2025年4月10日"),  # xlwings' value for the same cell
        ("2025年4月10日", "2025年4月10日"),  # typed as text: kept as typed
    ],
)
def test_the_report_date_prints_in_chinese(typed: object, printed: str) -> None:
    text = _text(_report({"info_report_date": typed}))
    assert printed in text.splitlines()
    assert "2025-04-10" not in text


@pytest.mark.parametrize(("actual", "well"), [(1.58, True), (1.50, True), (1.59, False)])
def test_controlled_well_only_at_or_under_100_percent(actual: float, well: bool) -> None:
    text = _text(_report({"bd_tpc_current_actual": actual, "bd_reception_current_actual": actual}))
    line = next(t for t in text.splitlines() if t.startswith("“三公”经费："))
    assert ("控制较好" in line) is well
    assert ("超出预算0.01万元" in line) is (not well)


@pytest.mark.parametrize(("adjusted", "unchanged"), [(266.32, True), (270.00, False), (250, False)])
def test_not_adjusted_only_when_full_year_equals_initial(adjusted: float, unchanged: bool) -> None:
    text = _text(_report({"ua_adjusted_budget": adjusted, "ua_spent": adjusted}))
    assert ("未进行预算调整" in text) is unchanged and ("本年预算未进行调整" in text) is unchanged
    if not unchanged:
        verb = "调增" if adjusted > 266.32 else "调减"
        diff = f"{abs(Decimal(str(adjusted)) - Decimal('266.32')):.2f}"
        assert f"较年初{verb}{diff}万元" in text


def test_all_completed_only_when_every_target_is_met() -> None:
    quantitative = [i for i in CLEAN_INDICATORS if i["level3"] != "科普队伍建设"]
    assert "全部完成" in _text(_report(indicators=quantitative))
    missed = [
        *quantitative[:-1],
        indicator("满意度指标", "服务对象满意度指标", "社会公众满意度", "≥95%", "90%", 10, 9),
    ]
    text = _text(_report(indicators=missed))
    assert "全部完成" not in text and "1项未达到" in text
    assert "“社会公众满意度”，年度指标值“≥95%”，实际完成“90%”；【待补充：偏差原因分析及改进措施】" in text
    # A qualitative row cannot be compared: "全部完成" is not said either.
    assert "全部完成" not in _text(_report(indicators=CLEAN_INDICATORS))


def test_missing_data_is_said_not_invented() -> None:
    report = _report({"ua_adjusted_budget": None, "info_effectiveness": None, "bd_tpc_current_budget": None})
    text = _text(report)
    assert "全年预算【待补充：附件2!C4 年度资金总额 全年预算数】" in text
    assert "预算执行率【待补充：预算执行率（附件2 全年执行数或全年预算数未填）】" in text
    assert f"【待补充：基本信息!{cat.field('info_effectiveness').cell} 有效性和效率性】" in text
    tpc = next(t for t in text.splitlines() if t.startswith("“三公”经费："))
    assert "控制较好" not in tpc and "【待补充：附件1!C7 三公经费 本年预算数】" in tpc


def test_no_indicators_and_no_projects() -> None:
    text = _text(_report(indicators=[]))
    assert "【待补充：附件2 绩效指标（未填写任何指标）】" in text
    assert "项目“" not in text


def _project(i: int) -> dict[str, object]:
    return {
        "name": f"项目{i:02d}",
        "initial_budget": 10,
        "adjusted_budget": 10,
        "spent": 9,
        "execution_weight": 10,
        "execution_rate": 0.9,
        "execution_score": 9,
        "total_score": 90,
    }


@pytest.mark.parametrize("n", [0, 1, 12])
def test_one_sentence_and_one_attachment_per_project(n: int) -> None:
    report = _report(projects=[_project(i) for i in range(1, n + 1)])
    lines = [p.text for p in report.paragraphs if p.text.startswith("项目“")]
    assert len(lines) == n
    if n:
        assert lines[0].startswith("项目“项目01”：全年预算10.00万元，全年执行9.00万元，执行率90.00%")
    attachments = [p.text for p in report.paragraphs if p.kind == "attachment"]
    assert len(attachments) == 2 + n
    if n == 12:
        assert attachments[-1] == "14．示例县科学技术协会2023年度项目支出绩效自评表（项目12）"


def test_a_bureau_can_override_one_section(tmp_path: Path) -> None:
    folder = tmp_path / "措辞"
    folder.mkdir()
    (folder / "6_evaluation.j2").write_text(
        "§1 六、评价工作\n本单位于{{ f.year }}年组织了自评。\n", encoding="utf-8"
    )
    profile_file = tmp_path / "本局.toml"
    default = (ROOT / "perfeval" / "profiles" / "default.toml").read_text(encoding="utf-8")
    profile_file.write_text(default + '\n[narrative]\ntemplates = "措辞"\n', encoding="utf-8")
    from perfeval.core.profile import load_profile

    report = render_report(
        check(CLEAN_VALUES, indicators=CLEAN_INDICATORS, profile=load_profile(profile_file))
    )
    text = _text(report)
    assert "六、评价工作\n本单位于2023年组织了自评。" in text
    assert "七、改进措施和有关建议" in text  # the sections not overridden are the bundled ones


def test_a_broken_template_gives_a_chinese_message(tmp_path: Path) -> None:
    (tmp_path / "6_evaluation.j2").write_text("{{ f.no_such_figure }}", encoding="utf-8")
    with pytest.raises(NarrativeError, match=r"报告措辞模板 6_evaluation\.j2 有误"):
        render_report(check(CLEAN_VALUES, indicators=CLEAN_INDICATORS), template_dir=tmp_path)


def test_compiled_templates_are_cached_and_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    # Each add-in click is a new Python: the templates' compiled code is kept in the temp folder.
    from jinja2 import Environment, PackageLoader

    from perfeval.narrative.render import _QuietCache, environment

    assert isinstance(environment().bytecode_cache, _QuietCache)
    cache = _QuietCache(str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    env = Environment(loader=PackageLoader("perfeval.narrative", "templates"), bytecode_cache=cache)
    name = env.list_templates()[0]
    env.get_template(name)
    assert list((tmp_path / "cache").iterdir())  # written
    # A cache folder that vanished (a temp cleaner) costs a compile, never an error.
    for f in (tmp_path / "cache").iterdir():
        f.unlink()
    (tmp_path / "cache").rmdir()
    fresh = Environment(loader=PackageLoader("perfeval.narrative", "templates"), bytecode_cache=cache)
    assert fresh.get_template(name).name == name
