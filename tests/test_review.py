"""perfeval review: a generated county of units, checked as a folder and as a zip with GBK names.

Expected values are worked out by hand from what each generated unit was given (comments say how); the
finding counts come from `perfeval check`'s own engine on the same file (service.read_and_check), since
review must report exactly what check finds.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from perfeval import catalogue as cat
from perfeval.core.findings import Severity
from perfeval.io.fill import fill_template
from perfeval.io.safety import InputFileError
from perfeval.review.collect import zip_member_name
from perfeval.review.job import review
from perfeval.review.record import FileRecord, Row
from perfeval.review.yoy import YOY_HEADERS
from perfeval.service import read_and_check
from tests.workbooks import ROOT, taojiang_data

LIXIAN_PROJECT = ROOT / "examples" / "澧县科协2021项目.xlsx"
LABELS = sorted(cat.field(n).label for n in cat.TEXT_FIELDS)


def unique_text(seed: int, field: int) -> str:
    """80 characters drawn at random (seeded) from 3,000 CJK ones: two such texts share next to no 3-gram."""
    rnd = random.Random(f"{seed}-{field}")
    return "".join(chr(0x4E00 + rnd.randrange(3000)) for _ in range(80))


def unit(
    folder: Path, name: str, seed: int, *, fixed: bool = True, spent: float | None = None, texts=None
) -> Path:
    values, tables = taojiang_data()
    values["info_unit_name"] = name
    for i, field in enumerate(cat.TEXT_FIELDS):
        values[field] = texts[field] if texts else unique_text(seed, i)
    if fixed:  # the 效益 weights of tests/workbooks.taojiang_fixed: 4 × 7.5 = 30, so the weights add to 100
        for row in tables["tbl_indicators"]:
            if str(row["level1"]).startswith("效益"):
                row["weight"], row["score"] = 7.5, 7.5
    if spent is not None:
        values["ua_spent"] = spent
    folder.mkdir(parents=True, exist_ok=True)
    return fill_template(values, tables, folder / f"{name}.xlsx")


def gbk_zip(zpath: Path, members: dict[str, Path]) -> None:
    """A zip as Chinese Windows writes it: names in GBK, the UTF-8 flag (0x800) not set."""

    class GbkInfo(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):  # zipfile's own hook, which would set the UTF-8 flag
            return self.filename.encode("gbk"), self.flag_bits & ~0x800

    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in members.items():
            zf.writestr(GbkInfo(name), path.read_bytes())


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("county")
    src = root / "各单位"
    unit(src, "甲单位", 1)  # clean: budget 266.32 spent 266.32, typed 100
    unit(src / "教育局", "乙单位", 2, spent=200)  # all-100 with 66.32 unspent
    unit(src, "丙单位", 3, fixed=False)  # 桃江 as reported: its 效益 weights are wrong (errors)
    copied = {f: unique_text(1, i)[:-2] + "复制" for i, f in enumerate(cat.TEXT_FIELDS)}
    unit(src, "丁单位", 4, texts=copied)  # 甲's texts with the last two characters changed
    shutil.copy(LIXIAN_PROJECT, src / "项目单位.xlsx")
    (src / "坏文件.xlsx").write_text("not a workbook", encoding="utf-8")
    other = Workbook()
    other.active["A1"] = "别的表格"
    other.save(src / "其他表格.xlsx")
    (src / "~$甲单位.xlsx").write_bytes(b"lock")  # Office's lock file: not a workbook, silently ignored
    return src


@pytest.fixture(scope="module")
def reviewed(county: Path, tmp_path_factory):
    before = tree_hashes(county)
    out = tmp_path_factory.mktemp("out") / "汇总.xlsx"
    run = review(county, out, None, 2)
    assert tree_hashes(county) == before  # the input folder is unchanged: same files, same bytes
    return run, out


def rows_by(run) -> dict[tuple[str, str], dict]:
    return {(r["unit"], r["project"]): r for r in run.summary.to_dict("records")}


def test_columns_and_flags(reviewed, county: Path) -> None:
    run, _ = reviewed
    rows = rows_by(run)
    a, b, c, d = (rows[(n, "")] for n in ("甲单位", "乙单位", "丙单位", "丁单位"))
    # 桃江's 附件2: 年初 158.43, 全年 266.32, typed 总分 100 (examples/data/taojiang2023.json).
    for r in (a, b, c, d):
        assert (r["kind"], r["year"], r["initial_budget"], r["adjusted_budget"]) == (
            "部门整体",
            "2023",
            158.43,
            266.32,
        )
    assert a["spent"] == 266.32 and a["execution_rate"] == pytest.approx(1.0)
    # 乙: 200 ÷ 266.32 = 0.750976…; unspent 66.32 ÷ 266.32 = 24.9 % > 20 %: the yellow 自评预警.
    assert b["spent"] == 200 and b["execution_rate"] == pytest.approx(200 / 266.32)
    assert b["department"] == "教育局" and a["department"] == ""
    # Flags: all typed 100 = full marks; 乙 has money left, and 100 % of marks > 75.1 % spent.
    assert [(r["full_marks"], r["full_but_unspent"], r["score_ahead"]) for r in (a, b)] == [
        ("是", "", ""),
        ("是", "是", "是"),
    ]
    assert b["warning"] == "黄色" and a["warning"] == "—"
    # 甲 (fixed weights): the scores typed are the weights, 100 in all, 优; 丙 keeps 效益 weights of 10
    # each (4 × 10 = 40, total 110): compute grades it 等级待定.
    assert (a["typed_score"], a["score"], a["grade"]) == (100, 100, "优")
    assert c["grade"] == "等级待定"
    # 文字雷同: 丁's texts are 甲's but the last two characters: 76 of 78 3-grams shared in each, Jaccard
    # 76/80 = 0.95 ≥ 0.9. Every text field of both is named; 乙 and 丙 have their own texts.
    assert a["similar_text"] == "与“丁单位”雷同：" + "、".join(LABELS)
    assert d["similar_text"] == "与“甲单位”雷同：" + "、".join(LABELS)
    assert b["similar_text"] == c["similar_text"] == ""
    # The finding counts are check's own (same engine, same file).
    for r in (a, b, c, d):
        result = read_and_check(county / r["file"], None)
        assert (r["errors"], r["warnings"], r["infos"]) == tuple(result.count(s) for s in Severity)
    assert c["errors"] > 0 and a["errors"] == 0
    # Sorted: more errors first; a unit's project rows directly under it.
    errors = [
        r["errors"] for r in run.summary.groupby("file", sort=False).sum(numeric_only=True).to_dict("records")
    ]
    assert errors == sorted(errors, reverse=True)


def test_project_rows_and_top_rules(reviewed, county: Path) -> None:
    run, _ = reviewed
    proj = [r for r in run.summary.to_dict("records") if r["kind"] == "项目"]
    result = read_and_check(county / "项目单位.xlsx", None)
    assert [r["project"] for r in proj] == [p.name for p in result.model.projects]
    # The project-only workbook: its findings all belong to its one project row; top rules by count, then id.
    ids = sorted(f.rule_id for f in result.findings)
    assert proj[0]["top_rules"] == "、".join(f"{i}×1" for i in ids[:3])
    assert proj[0]["errors"] == result.count(Severity.ERROR)


def test_skipped_with_reasons(reviewed) -> None:
    run, _ = reviewed
    reasons = {s.name: s.reason for s in run.skipped}
    assert set(reasons) == {"坏文件.xlsx", "其他表格.xlsx"}  # the ~$ lock file is not listed
    assert "不是 Excel 工作簿" in reasons["坏文件.xlsx"]
    assert "模板" in reasons["其他表格.xlsx"]


def test_summary_workbook(reviewed) -> None:
    run, out = reviewed
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "问题分布", "明细", "图表", "未校验", "说明", "_复核数据"]
    assert wb["_复核数据"].sheet_state == "hidden"  # what next year's --previous reads
    ws = wb["汇总"]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == f"A1:V{len(run.summary) + 1}"
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["单位", "主管部门", "类别"] and "文字雷同" in headers
    assert ws.cell(2, headers.index("执行率") + 1).number_format == "0.00%"
    assert len(ws.conditional_formatting) >= 5
    # 明细 holds every finding; 问题分布 counts them per rule.
    detail = wb["明细"]
    total = int(run.summary[["errors", "warnings", "infos"]].to_numpy().sum())
    assert detail.max_row - 1 == total
    dist = wb["问题分布"]
    assert sum(r[4] for r in dist.iter_rows(min_row=2, values_only=True)) == total
    charts = wb["图表"]._charts
    assert len(charts) == 3
    refs = [(s.val or s.yVal).numRef.f for ch in charts for s in ch.series]
    n = len(run.summary) + 1
    assert refs == ["'图表'!$B$2:$B$6", "'图表'!$B$10:$B$14", f"'汇总'!$J$2:$J${n}"]
    assert charts[2].series[0].xVal.numRef.f == f"'汇总'!$K$2:$K${n}"
    # Score bins: the 复核得分 column binned by hand from the summary.
    scores = [v for v in run.summary["score"] if v == v]
    assert wb["图表"]["B6"].value == sum(1 for v in scores if v >= 90)
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r[0]}
    assert about["工作簿"].startswith("共 7 个：已校验 5 个，未校验 2 个")
    manifest = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True) if r[1] and len(str(r[1])) == 64}
    assert len(manifest) == 7


def test_zip_with_gbk_names(county: Path, tmp_path: Path) -> None:
    zpath = tmp_path / "报送.zip"
    gbk_zip(
        zpath,
        {"财政局/甲单位.xlsx": county / "甲单位.xlsx", "乙单位.xlsx": county / "教育局" / "乙单位.xlsx"},
    )
    with zipfile.ZipFile(zpath) as zf:
        infos = zf.infolist()
        assert not infos[0].flag_bits & 0x800 and infos[0].filename != "财政局/甲单位.xlsx"
        assert [zip_member_name(i) for i in infos] == ["财政局/甲单位.xlsx", "乙单位.xlsx"]
    before = set(tmp_path.iterdir())
    run = review(zpath, tmp_path / "汇总.xlsx", None, 1)
    assert set(tmp_path.iterdir()) == before | {tmp_path / "汇总.xlsx"}  # nothing extracted beside the zip
    assert {(r.name, r.department, r.unit) for r in run.records} == {
        ("财政局/甲单位.xlsx", "财政局", "甲单位"),
        ("乙单位.xlsx", "", "乙单位"),
    }


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfeval", "review", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_cli_json_and_exit_codes(county: Path, tmp_path: Path) -> None:
    r = _cli(str(county), "--json", "--jobs", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert sum(1 for x in lines if "unit" in x) == 4 + 1  # 甲乙丙丁 部门整体 and the one project
    assert {x["skipped"] for x in lines if "skipped" in x} == {"坏文件.xlsx", "其他表格.xlsx"}
    assert not list(tmp_path.iterdir())  # --json alone writes nothing
    inside = _cli(str(county), "-o", str(county / "汇总.xlsx"), cwd=tmp_path)
    assert (
        inside.returncode == 2
        and "被复核的文件夹中" in inside.stderr.replace("\n", "")
        and not (county / "汇总.xlsx").exists()
    )
    assert _cli(str(county / "甲单位.xlsx"), cwd=tmp_path).returncode == 2  # a workbook, not a folder
    empty = tmp_path / "空"
    empty.mkdir()
    r = _cli(str(empty), cwd=tmp_path)
    assert r.returncode == 2 and "没有 Excel 工作簿" in r.stderr.replace("\n", "")
    assert _cli(str(county), "--jobs", "0", cwd=tmp_path).returncode == 3


def last_year(folder: Path) -> Path:
    """甲单位 in 2022: 三公 决算 1.2 (this year's file says 上年决算 1.04: a mismatch), 公务接待 决算 1.04 (as
    this year's 上年决算 says), 编制 6, 在职 5, and its first indicator's target other than this year's."""
    values, tables = taojiang_data()
    values.update(info_unit_name="甲单位", info_year=2022, bd_tpc_current_actual=1.2)
    values.update(bd_reception_current_actual=1.04, bd_authorized_staff=6, bd_actual_staff=5)
    tables["tbl_indicators"][0]["target"] = "去年的目标"
    folder.mkdir(parents=True, exist_ok=True)
    return fill_template(values, tables, folder / "甲单位2022.xlsx")


def test_previous_year(county: Path, tmp_path: Path) -> None:
    last = last_year(tmp_path / "上年")
    run = review(county, tmp_path / "汇总.xlsx", None, 1, previous=tmp_path / "上年")
    yoy = {r["unit"]: r for r in run.extra["同比"].to_dict("records")}
    a = yoy["甲单位"]
    assert (a["previous_year"], a["year"]) == ("2022", "2023")
    # 三公 决算 1.2 → 1.3: +0.1, 0.1 ÷ 1.2 = 8.33 %.
    assert (a["tpc_last"], a["tpc_now"], a["tpc_change"]) == (1.2, 1.3, 0.1)
    assert a["tpc_change_rate"] == pytest.approx(0.1 / 1.2)
    assert a["prior_mismatch"] == "三公经费 1.04（上年填 1.2）"  # 公务接待 agrees (1.04 both)
    assert (a["authorized_change"], a["actual_change"]) == ("6→7（+1）", "5→7（+2）")
    # 桃江 has 11 indicators with distinct names; last year's first had another target: 10 copied.
    assert str(a["targets_copied"]).startswith("10 项：")
    assert yoy["乙单位"]["note"] == "上年无此单位" and yoy["乙单位"]["tpc_change"] == ""
    wb = load_workbook(tmp_path / "汇总.xlsx")
    # (a header too wide for its column is broken before its "（…）")
    assert [c.value.replace("\n", "") for c in wb["同比"][1]] == list(YOY_HEADERS.values())
    assert wb["同比"]["D1"].value == "上年三公经费决算\n（上年填报）"
    # Last year's summary instead of its files gives the same table (its hidden data sheet).
    review(tmp_path / "上年", tmp_path / "上年汇总.xlsx", None, 1)
    again = review(county, None, None, 1, write=False, previous=tmp_path / "上年汇总.xlsx")
    assert again.extra["同比"].equals(run.extra["同比"])
    assert last.exists()
    bad = _cli(str(county), "--previous", str(tmp_path / "汇总.xlsx").replace("汇总", "无"), cwd=tmp_path)
    assert bad.returncode == 2


def test_near_identical_texts() -> None:
    from perfeval.review.similar import near_identical

    a = unique_text(1, 0)
    items = [
        ((0, 0), "主要职责", a),
        ((1, 0), "存在问题", a[:-1] + "改"),  # one character of 80 changed: 77/79 = 0.975
        ((2, 0), "主要职责", unique_text(2, 0)),  # its own text
        ((3, 0), "主要职责", unique_text(3, 0)),
        ((3, 1), "存在问题", unique_text(3, 0)),  # the same text twice in one file is not copying
    ]
    found = near_identical(items)
    assert set(found) == {(0, 0), (1, 0)}
    assert found[(0, 0)] == (frozenset({0, 1}), ["主要职责"]) and found[(1, 0)][1] == ["存在问题"]
    # A paragraph left in 2,000 files: every file is flagged, and the one distinct text is never measured
    # against itself pair by pair (counted, not timed).
    import perfeval.review.similar as similar

    calls = 0
    measure = similar.jaccard

    def counted(x, y):
        nonlocal calls
        calls += 1
        return measure(x, y)

    many = [((i, 0), "主要职责", a) for i in range(2000)]
    similar.jaccard = counted
    try:
        assert len(near_identical(many)) == 2000
    finally:
        similar.jaccard = measure
    assert calls == 0


def test_a_units_own_workbooks_do_not_copy_each_other() -> None:
    """A unit's 部门整体 and 项目 workbooks may share their words: only another unit's text is 雷同."""
    from types import SimpleNamespace

    from perfeval.review.table import similar_texts

    text = unique_text(7, 0)

    def rec(name: str, own_text: str) -> SimpleNamespace:
        return SimpleNamespace(unit=name, rows=[SimpleNamespace(texts={"主要职责": own_text})])

    records = [rec("甲单位", text), rec("甲单位", text), rec("乙单位", unique_text(8, 0))]
    assert similar_texts(records) == {}
    records.append(rec("丙单位", text))  # now another unit has it: all three files say so, naming 丙 / 甲
    found = similar_texts(records)
    assert found[(0, 0)] == found[(1, 0)] == "与“丙单位”雷同：主要职责"
    assert found[(3, 0)] == "与“甲单位”雷同：主要职责"


def test_a_zip_that_unpacks_too_large_is_refused_before_any_write(tmp_path: Path, monkeypatch) -> None:
    import perfeval.review.collect as collect_module
    from perfeval.io.safety import InputFileError

    members = {f"单位{i}.xlsx": LIXIAN_PROJECT for i in range(3)}
    gbk_zip(tmp_path / "报送.zip", members)
    size = LIXIAN_PROJECT.stat().st_size
    monkeypatch.setattr(collect_module, "MAX_ZIP_TOTAL_BYTES", 3 * size - 1)  # one byte short of the three
    made_before = set(Path(tempfile.gettempdir()).glob("perfeval-review-*"))
    with pytest.raises(InputFileError, match="解压后超过"):
        collect_module.collect(tmp_path / "报送.zip")
    assert set(Path(tempfile.gettempdir()).glob("perfeval-review-*")) == made_before  # nothing left behind
    monkeypatch.setattr(collect_module, "MAX_ZIP_TOTAL_BYTES", 3 * size)
    collected = collect_module.collect(tmp_path / "报送.zip")
    try:
        assert sorted(c.name for c in collected.candidates) == sorted(members)
    finally:
        collected.cleanup()


def _record(name: str, findings: int) -> FileRecord:
    row = Row("部门整体", "", 10.0, 10.0, 9.0, 0.9, 100.0, 95.0, "优", 100.0)
    row.findings = [
        (f"TXT-{i:03d}", "警告", "附件2", f"C{i}", f"{name} 的第 {i} 条") for i in range(findings)
    ]
    return FileRecord(f"{name}.xlsx", "0" * 64, "", name, "2024", "默认", "规则", [row])


def test_detail_is_written_in_file_order_whatever_order_checks_finish(tmp_path: Path) -> None:
    """The workers finish in any order; 明细 is streamed in the order of the files all the same (a skipped
    file, None, holds no line), so a review gives the same summary every time."""
    from perfeval.review import table
    from perfeval.review.workbook import About, SummaryWriter

    a, b, c = _record("甲", 2), _record("乙", 1), _record("丙", 3)
    with SummaryWriter() as writer:
        for index, rec in ((2, c), (1, None), (3, b), (0, a)):
            writer.add(index, rec)
        records = [a, c, b]
        detail = table.detail_frame(records)
        about = About("x", "默认", "规则", "now", 1, [(r.name, r.sha256, "已校验") for r in records])
        writer.finish(
            tmp_path / "汇总.xlsx",
            table.summary_frame(records),
            table.rule_frame(detail),
            table.skipped_frame([]),
            about,
        )
    wb = load_workbook(tmp_path / "汇总.xlsx")
    lines = [r[7] for r in wb["明细"].iter_rows(min_row=2, values_only=True)]
    assert lines == [
        "甲 的第 0 条",
        "甲 的第 1 条",
        "丙 的第 0 条",
        "丙 的第 1 条",
        "丙 的第 2 条",
        "乙 的第 0 条",
    ]
    assert lines == list(detail["message"])  # the same order as the table the review keeps
    assert [r[0] for r in wb["_复核数据"].iter_rows(min_row=2, values_only=True)] == ["甲", "丙", "乙"]


def test_a_failed_review_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # where openpyxl streams the summary's sheets
    src = tmp_path / "各单位"
    src.mkdir()
    other = Workbook()
    other.active["A1"] = "别的表格"
    other.save(src / "其他表格.xlsx")
    with pytest.raises(InputFileError, match="没有可以校验的本工具工作簿"):
        review(src, tmp_path / "汇总.xlsx", None, 1)
    assert list(temp.iterdir()) == [] and not (tmp_path / "汇总.xlsx").exists()
