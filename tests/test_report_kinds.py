"""The report and the export follow the workbook's kind: a workbook of projects only gets a project 自评报告
(title, one chapter per project, one 项目支出绩效自评表 each) and no 部门整体 parts; a workbook of both kinds
gets both. The figures are those of tests/projects.py, checked by hand there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.core.plan import build_plan
from perfeval.core.profile import default_profile
from perfeval.export.package import MANIFEST, export_package, package_name
from perfeval.io.fill import fill_template
from perfeval.narrative.facts import Figure, build_facts
from perfeval.narrative.render import chinese_number, render_report
from perfeval.narrative.sheet import report_texts
from perfeval.report.document import Merge, OfficialTable
from perfeval.report.official import official_tables
from perfeval.service import check_file, report_file
from tests.pdf_pages import page_count, poppler
from tests.projects import PROJECT_A, PROJECT_B, UNIT_NAME, project_tables, project_workbook
from tests.workbooks import taojiang_data

PROJECT_TITLE = f"{UNIT_NAME}2023年度项目支出绩效自评报告"
PROJECT_PACKAGE = f"{UNIT_NAME}2023年度项目支出绩效自评"
UNIT_WORDS = ("部门整体", "基础数据表", "附件1!", "附件2!", "三公", "编制数")
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")
_QUOTED = re.compile(r"“[^”]*”|【[^】]*】")


@pytest.fixture(scope="module")
def projects_only(tmp_path_factory):
    """The project-only workbook checked and written: (result, output workbook)."""
    folder = tmp_path_factory.mktemp("projects")
    run = check_file(
        project_workbook(folder / "项目.xlsx"), default_profile(), folder / "项目（已校验）.xlsx"
    )
    return run.result, run.output


@pytest.fixture(scope="module")
def both_kinds(tmp_path_factory):
    """桃江 (its errors corrected as in tests/workbooks.taojiang_fixed) with the two projects added."""
    values, tables = taojiang_data()
    values["info_overview"] = str(values["info_overview"]).replace("共有编制人数6人", "共有编制人数7人")
    for row in tables["tbl_indicators"]:
        if str(row["level1"]).startswith("效益"):
            row["weight"], row["score"] = 7.5, 7.5
    tables.update(project_tables())
    folder = tmp_path_factory.mktemp("both")
    book = fill_template(values, tables, folder / "桃江县科协2023（含项目）.xlsx")
    return check_file(book, default_profile(), write=False).result


def _chapters(report) -> dict[str, str]:
    """Each 一级 chapter's heading -> its text (headings and paragraphs, one a line)."""
    out: dict[str, list[str]] = {}
    current = ""
    for p in report.paragraphs:
        if p.kind == "heading1":
            current = p.text
        out.setdefault(current, []).append(p.text)
    return {k: "\n".join(v) for k, v in out.items()}


def _sheet_text(path: Path, sheet: str) -> list[str]:
    ws = load_workbook(path)[sheet]
    return [str(c.value) for row in ws.iter_rows(max_col=1) for c in row if c.value is not None]


def _row(t: OfficialTable, text: str, col: int = 0) -> int:
    return next(r for r, row in enumerate(t.rows) if row[col] == text)


# --- the narrative -----------------------------------------------------------------------------------------


def test_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 23, 99)] == [
        *("一", "九", "十", "十一", "二十", "二十三", "九十九")
    ]


def test_project_report_has_the_project_title_and_one_chapter_per_project(projects_only) -> None:
    result, _ = projects_only
    report = render_report(result)
    assert report.title == PROJECT_TITLE
    headings = [p.text for p in report.paragraphs if p.kind == "heading1"]
    assert headings == ["一、基本情况", f"二、{PROJECT_A}绩效自评情况", f"三、{PROJECT_B}绩效自评情况"]
    # Each project's parts in the order project reports use (seed 002).
    parts = [p.text for p in report.paragraphs if p.kind == "heading2"]
    order = [
        "（一）项目基本情况",
        "（二）项目资金预算和执行情况",
        "（三）绩效目标及完成情况",
        "（四）绩效指标完成情况",
        "（五）偏差情况及原因分析",
        "（六）存在的问题",
        "（七）改进措施和有关建议",
    ]
    assert parts == order * 2
    text = "\n".join(report_texts(report))
    for word in UNIT_WORDS:
        assert word not in text, word
    assert "【待补充" not in text  # every cell the report needs is filled in this workbook
    attachments = [p.text for p in report.paragraphs if p.kind == "attachment"]
    assert attachments == [
        f"附件：1．{UNIT_NAME}2023年度项目支出绩效自评表（{PROJECT_A}）",
        f"2．{UNIT_NAME}2023年度项目支出绩效自评表（{PROJECT_B}）",
    ]


def test_each_project_chapter_states_its_own_figures(projects_only) -> None:
    result, _ = projects_only
    chapters = _chapters(render_report(result))
    overview = chapters["一、基本情况"]
    assert "对2个项目开展了绩效自评" in overview
    # 46 + 20 budget, 46 + 19 spent: 65 ÷ 66 = 98.48 %.
    assert "各项目合计年初预算66.00万元，全年预算66.00万元，全年执行65.00万元，预算执行率98.48%" in overview
    assert f"“{PROJECT_A}”总分100.00分，等级“优”；“{PROJECT_B}”总分95.50分，等级“优”" in overview

    a = chapters[f"二、{PROJECT_A}绩效自评情况"]
    for phrase in (
        # the budget is said once, in part 2, not also in part 1
        f"本项目主管部门为{UNIT_NAME}，实施单位为{UNIT_NAME}。",
        "年初预算46.00万元，年内未调整，全年预算46.00万元；全年执行46.00万元，预算执行率100.00%，资金全部执行",
        "其中：当年财政拨款全年预算46.00万元，执行46.00万元，执行率100.00%。",
        "年度总体目标：开展科普惠农培训12次，培育科普示范基地3个。",
        "本项目共设绩效指标4项（产出指标2项、效益指标1项、满意度指标1项）。各项指标均达到年度指标值。",
        "预算执行率得分10.00分（分值10分），产出指标得分50.00分（分值50分）",
        "总分100.00分，等级“优”",
        "评价结论：项目资金全部执行，年度目标全部完成，自评等级为优。",
        "部分培训内容与农户需求结合不够紧密。",
        "培训前开展需求调查，按产业安排课程。",
    ):
        assert phrase in a, phrase
    assert "95.50" not in a and PROJECT_B not in a  # no figure of the other project

    b = chapters[f"三、{PROJECT_B}绩效自评情况"]
    for phrase in (
        "实施单位为各乡镇科协",
        "全年执行19.00万元，预算执行率95.00%，未执行1.00万元",
        # 14 ÷ 15 = 93.33 %
        "其中：当年财政拨款全年预算15.00万元，执行14.00万元，执行率93.33%；"
        "上年结转资金全年预算5.00万元，执行5.00万元，执行率100.00%。",
        "其中2项达到年度指标值，1项未达到。另有1项为定性指标",
        "产出指标（分值50分，复核得分46.00分）",  # 8 ÷ 10 × 20 = 16, + 30
        "预算执行率得分9.50分（分值10分）",
        "总分95.50分，等级“优”",
        "“基层科协干部培训期数”：年度指标值“10期”，实际完成“8期”，得分16.00分（分值20分）。"
        "偏差原因及改进措施：受汛期影响两期培训未能举办，次年提前安排。",
        "受汛期影响，两期培训未能举办。",
    ):
        assert phrase in b, phrase


def test_every_number_of_the_project_report_is_a_figure_of_the_tables(projects_only) -> None:
    result, _ = projects_only
    report = render_report(result)
    facts = build_facts(result)

    def figures(obj) -> list[Figure]:
        if isinstance(obj, Figure):
            return [obj]
        if isinstance(obj, list | tuple):
            return [f for item in obj for f in figures(item)]
        if hasattr(obj, "__dataclass_fields__"):
            found = [f for name in obj.__dataclass_fields__ for f in figures(getattr(obj, name))]
            for name in dir(type(obj)):
                if isinstance(getattr(type(obj), name, None), property):
                    found += figures(getattr(obj, name))
            return found
        return []

    known = [f for f in figures(facts) if f.known]
    allowed = {f.bare() for f in known} | {f.abs().bare() for f in known} | {facts.year}
    allowed |= {str(n) for n in range(1, 8)}  # counts of projects, indicators and levels; part numbers
    generated = "\n".join(p.text for p in report.paragraphs if p.generated and p.kind != "attachment")
    numbers = _NUMBER.findall(_QUOTED.sub("", generated))
    assert numbers and set(numbers) <= allowed, set(numbers) - allowed


def test_missing_project_data_is_said_not_invented(tmp_path: Path) -> None:
    tables = project_tables()
    first = tables[cat.PROJECTS.name][0]
    for key in ("department", "problems", "goal_actual", "conclusion", "fiscal_initial_budget"):
        first[key] = None
    first["fiscal_adjusted_budget"] = first["fiscal_spent"] = None
    first["adjusted_budget"] = None
    run = check_file(project_workbook(tmp_path / "缺项.xlsx", tables=tables), default_profile(), write=False)
    a = _chapters(render_report(run.result))[f"二、{PROJECT_A}绩效自评情况"]
    sheet = cat.SHEET_PROJECTS
    assert re.search(rf"主管部门为【待补充：{sheet}!B\d+ 项目“{PROJECT_A}”主管部门】", a)
    assert re.search(rf"全年预算【待补充：{sheet}!E\d+ 项目“{PROJECT_A}”全年预算数】", a)
    assert "预算执行率【待补充：项目“科普惠农项目”的执行率（全年执行数或全年预算数未填）】" in a
    assert "资金来源：【待补充：项目“科普惠农项目”项目资金的其中各项" in a
    assert re.search(rf"【待补充：{sheet}!\w+ 项目“{PROJECT_A}”实际完成情况】", a)
    assert re.search(rf"（六）存在的问题\n【待补充：{sheet}!\w+ 项目“{PROJECT_A}”存在问题】", a)
    assert "资金全部执行" not in a and "年内未调整" not in a


# --- the official project table ----------------------------------------------------------------------------


def test_project_table_in_the_national_layout(projects_only) -> None:
    result, _ = projects_only
    tables = official_tables(result)
    assert [t.label for t in tables] == ["附件1", "附件2"]
    t = tables[1]
    assert t.title == f"{UNIT_NAME}2023年度项目支出绩效自评表（{PROJECT_B}）"
    assert t.rows[0][0] == "项目名称" and t.rows[0][4] == PROJECT_B
    # 主管部门 and 实施单位 on one row, as on the national form.
    assert t.rows[1] == ["主管部门", "", "", UNIT_NAME, "", "实施单位", "各乡镇科协", "", ""]
    assert {Merge(1, 0, 1, 2), Merge(1, 3, 1, 4), Merge(1, 6, 1, 8)} <= set(t.merges)
    assert {(1, 0), (1, 5)} <= t.bold_cells and (1, 3) not in t.bold_cells
    assert t.rows[2][0] == "项目资金\n(万元)" and t.rows[2][3:] == [
        *("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    ]
    total = _row(t, "年度资金总额", col=1)
    assert t.rows[total][3:] == ["20.00", "20.00", "19.00", "10", "95.00%", "9.50"]
    assert [t.rows[total + i][1:] for i in (1, 2, 3)] == [
        ["其中：\n当年财政拨款", "", "15.00", "15.00", "14.00", "—", "93.33%", "—"],
        ["上年结转资金", "", "5.00", "5.00", "5.00", "—", "100.00%", "—"],
        ["其他资金", "", "", "", "", "—", "", "—"],
    ]
    assert Merge(2, 0, total + 3, 0) in t.merges  # 项目资金 over its header, total and 其中 lines
    goals = _row(t, "年度总体\n目标")
    assert goals == total + 4 and t.rows[goals + 1][5].startswith("举办基层科协干部培训8期")
    head = _row(t, "绩\n效\n指\n标")
    assert t.rows[head][7] == "得分"
    score = _row(t, "总分")
    assert t.rows[score][6:] == ["100", "95.50", "等级：优"]
    assert [(t.rows[r][0], t.rows[r][4]) for r in range(score + 1, len(t.rows))] == [
        ("评价结论", "项目基本完成，培训期数未达目标。"),
        ("存在问题", "受汛期影响，两期培训未能举办。"),
        ("改进措施", "提前安排培训计划，避开汛期。"),
    ]


# --- the sheets of a checked workbook -----------------------------------------------------------------------


def test_report_sheet_of_a_project_workbook(projects_only) -> None:
    _, output = projects_only
    lines = _sheet_text(output, cat.SHEET_REPORT)
    assert lines[0] == PROJECT_TITLE
    text = "\n".join(lines)
    assert f"二、{PROJECT_A}绩效自评情况" in text and f"三、{PROJECT_B}绩效自评情况" in text
    assert "全年执行46.00万元，预算执行率100.00%" in text and "总分95.50分" in text
    for word in UNIT_WORDS:
        assert word not in text, word


def test_scores_and_findings_sheets_show_the_projects_not_a_unit_total(projects_only) -> None:
    result, output = projects_only
    plan = build_plan(result)
    scores = next(s for s in plan.sheets if s.kind == cat.SHEET_SCORES)
    labels = [row[0] if row else "" for row in scores.rows]
    assert labels[1] == "项目支出"  # the header row: no 部门整体 block above it
    assert scores.rows[2] == [PROJECT_A, 1.0, 100.0, 100.0, "优"]
    assert scores.rows[3] == [PROJECT_B, 0.95, 95.5, 95.5, "优"]
    assert "绩效指标明细" not in labels
    # Then each project's own block: 预算执行率, the 一级指标, 总分, its indicators.
    b = labels.index(f"项目：{PROJECT_B}")
    assert labels[b + 1 : b + 6] == ["预算执行率", "产出指标", "效益指标", "满意度指标", "总分"]
    assert scores.rows[b + 1][1:4] == [10.0, 9.5, 9.5] and scores.rows[b + 5][2:4] == [95.5, 95.5]
    assert labels.index("总分") > labels.index(f"项目：{PROJECT_A}")

    findings = next(s for s in plan.sheets if s.kind == cat.SHEET_FINDINGS)
    title = str(findings.rows[0][0])
    assert f"{PROJECT_A} 100.00 分" in title and f"{PROJECT_B} 95.50 分" in title
    assert "部门整体" not in title and "总分无法计算" not in title
    written = load_workbook(output)
    assert written[cat.SHEET_SCORES]["A2"].value == "项目支出"


# --- Word and PDF -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_docx(tmp_path_factory):
    folder = tmp_path_factory.mktemp("word")
    book = project_workbook(folder / "项目.xlsx")
    return report_file(book, default_profile(), folder / "项目.自评报告.docx", pdf=True)


def test_word_report_of_a_project_workbook(project_docx) -> None:
    doc = Document(str(project_docx.docx))
    paragraphs = [p.text for p in doc.paragraphs if p.text]
    # The title broken after "…年度", as GB/T 9704 breaks a long title: words whole.
    assert paragraphs[0] == f"{UNIT_NAME}2023年度\n项目支出绩效自评报告"
    text = "\n".join(paragraphs)
    assert "附件1\n" in text + "\n" and "附件2\n" in text + "\n"  # the two project tables' labels
    assert "附件3" not in text
    for word in UNIT_WORDS:
        assert word not in text, word
    assert len(doc.tables) == 2
    for table, name in zip(doc.tables, (PROJECT_A, PROJECT_B), strict=True):
        cells = [c.text for c in table.rows[0].cells]
        assert cells[0] == "项目名称" and cells[-1] == name
        assert table.rows[1].cells[0].text == "主管部门"
        column = [row.cells[1].text for row in table.rows]
        assert "其中：\n当年财政拨款" in column and "上年结转资金" in column and "其他资金" in column


def test_pdf_of_a_project_workbook(project_docx) -> None:
    assert project_docx.pdf is not None
    pages = page_count(project_docx.pdf)
    assert pages >= 4  # the report, then one page a table
    text = poppler("pdftotext", "-layout", str(project_docx.pdf), "-")
    assert "项目支出绩效自评报告" in text and "部门整体" not in text
    last_two = poppler("pdftotext", "-f", str(pages - 1), "-l", str(pages), str(project_docx.pdf), "-")
    for word in (
        "主管部门",
        "实施单位",
        "当年财政拨款",
        "上年结转资金",
        "预期目标",
        "总分",
        "93.33%",
        "填表人",
    ):
        assert word in last_two, word


# --- the export package -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_export(projects_only, tmp_path_factory):
    result, _ = projects_only
    return export_package(result, tmp_path_factory.mktemp("export"))


def test_project_package_is_named_for_projects_and_holds_one_table_a_project(project_export) -> None:
    res = project_export
    assert res.folder.name == PROJECT_PACKAGE == package_name(res.result)
    names = sorted(p.name for p in res.folder.iterdir())
    assert names == sorted([f"{PROJECT_PACKAGE}.{ext}" for ext in ("xlsx", "docx", "pdf")] + [MANIFEST])
    wb = load_workbook(res.folder / f"{PROJECT_PACKAGE}.xlsx")
    assert wb.sheetnames == ["报送说明", "自评报告", "附件1", "附件2"]
    for sheet, name in (("附件1", PROJECT_A), ("附件2", PROJECT_B)):
        values = [str(c.value) for row in wb[sheet].iter_rows() for c in row if c.value is not None]
        assert values[1] == f"{UNIT_NAME}2023年度\n项目支出绩效自评表（{name}）"
        assert "主管部门" in values and "其中：\n当年财政拨款" in values
    everything = "\n".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    )
    for word in UNIT_WORDS:
        assert word not in everything, word
    cover = [str(c.value) for row in wb["报送说明"].iter_rows() for c in row if c.value is not None]
    assert cover[cover.index("自评表") + 1] == "项目支出绩效自评（2 个项目）"
    assert cover[cover.index("项目总分（复核）") + 1] == f"{PROJECT_A} 100.00（优）；{PROJECT_B} 95.50（优）"
    assert "总分（复核）" not in cover
    doc = Document(str(res.folder / f"{PROJECT_PACKAGE}.docx"))
    assert len(doc.tables) == 2


def test_project_manifest_says_which_forms_were_checked(project_export) -> None:
    manifest = json.loads((project_export.folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["forms"] == [{"form": "project", "name": "项目支出绩效自评"}]
    assert manifest["check"]["total_score"] is None and manifest["check"]["grade"] is None
    assert manifest["check"]["projects"] == [
        {"name": PROJECT_A, "total_score": 100.0, "grade": "优"},
        {"name": PROJECT_B, "total_score": 95.5, "grade": "优"},
    ]


# --- a workbook of both kinds -------------------------------------------------------------------------------


def test_both_kinds_get_both_reports(both_kinds) -> None:
    report = render_report(both_kinds)
    assert report.title == "2023年度部门整体支出绩效自评报告"
    headings = [p.text for p in report.paragraphs if p.kind == "heading1"]
    assert headings[:3] == ["一、部门概况", "二、部门整体支出管理及使用情况", "三、部门整体支出绩效评价"]
    assert headings[-1] == "八、项目支出绩效自评情况" and len(headings) == 8
    chapter = _chapters(report)["八、项目支出绩效自评情况"]
    assert f"（一）{PROJECT_A}\n1．项目基本情况\n本项目主管部门为" in chapter
    assert f"（二）{PROJECT_B}\n1．项目基本情况" in chapter
    assert "全年执行19.00万元，预算执行率95.00%，未执行1.00万元" in chapter and "总分95.50分" in chapter
    attachments = [p.text for p in report.paragraphs if p.kind == "attachment"]
    assert attachments == [
        "附件：1．桃江县科学技术协会2023年度部门整体支出绩效评价基础数据表",
        "2．桃江县2023年度部门整体支出绩效自评表",
        f"3．桃江县科学技术协会2023年度项目支出绩效自评表（{PROJECT_A}）",
        f"4．桃江县科学技术协会2023年度项目支出绩效自评表（{PROJECT_B}）",
    ]
    tables = official_tables(both_kinds)
    assert [t.label for t in tables] == ["附件1", "附件2", "附件3", "附件4"]
    assert tables[3].rows[1][6] == "各乡镇科协"

    plan = build_plan(both_kinds)
    scores = next(s for s in plan.sheets if s.kind == cat.SHEET_SCORES)
    labels = [row[0] if row else "" for row in scores.rows]
    assert labels[2] == "预算执行率" and "绩效指标明细" in labels and "项目支出" in labels
    assert f"项目：{PROJECT_A}" not in labels  # 附件2's block stays the only score block


def test_both_kinds_package(both_kinds, tmp_path: Path) -> None:
    def no_pdf(book: Path, folder: Path) -> Path:
        out = folder / f"{book.stem}.pdf"
        out.write_bytes(b"%PDF-1.4\n")
        return out

    res = export_package(both_kinds, tmp_path, pdf_maker=no_pdf)
    assert res.folder.name == "桃江县科学技术协会2023年度部门整体支出绩效自评"
    wb = load_workbook(res.folder / f"{res.folder.name}.xlsx")
    assert wb.sheetnames == ["报送说明", "自评报告", "附件1", "附件2", "附件3", "附件4"]
    cover = [str(c.value) for row in wb["报送说明"].iter_rows() for c in row if c.value is not None]
    assert cover[cover.index("自评表") + 1] == "部门整体支出绩效自评、项目支出绩效自评（2 个项目）"
    assert cover[cover.index("总分（复核）") + 1] == "100.00（优）"
    assert cover[cover.index("项目总分（复核）") + 1] == f"{PROJECT_A} 100.00（优）；{PROJECT_B} 95.50（优）"
    manifest = json.loads((res.folder / MANIFEST).read_text(encoding="utf-8"))
    assert [f["form"] for f in manifest["forms"]] == ["unit", "project"]
    assert manifest["check"]["total_score"] == 100.0 and len(manifest["check"]["projects"]) == 2


def test_one_project_is_not_summed_up_twice(tmp_path: Path) -> None:
    """With one project its chapter states its money and scores: the overview names it and points there,
    rather than repeating each figure (or each 待补充) as a "total" of one. Two projects keep the totals."""
    tables = project_tables()
    tables[cat.PROJECTS.name] = tables[cat.PROJECTS.name][:1]
    tables[cat.PROJECT_INDICATORS.name] = [
        r for r in tables[cat.PROJECT_INDICATORS.name] if r["project"] == PROJECT_A
    ]
    run = check_file(
        project_workbook(tmp_path / "一个项目.xlsx", tables=tables), default_profile(), write=False
    )
    chapters = _chapters(render_report(run.result))
    overview, chapter = chapters["一、基本情况"], chapters[f"二、{PROJECT_A}绩效自评情况"]
    assert f"对“{PROJECT_A}”开展了项目支出绩效自评" in overview and "见下文" in overview
    assert not _NUMBER.search(_QUOTED.sub("", overview).replace("2023年度", ""))  # no figure at all
    assert "年初预算" in chapter and "总分" in chapter  # the chapter still says them
    both = _chapters(
        render_report(check_file(project_workbook(tmp_path / "两个项目.xlsx"), None, write=False).result)
    )
    assert "各项目合计年初预算" in both["一、基本情况"] and "按评分规则复核" in both["一、基本情况"]
