"""The bureau view of the web page: a county's workbooks uploaded (a zip, a folder, several files), reviewed
by `perfeval review` in the server's background on a real uvicorn server with a real process pool, and what
the page and its downloads show against the same review run directly."""

from __future__ import annotations

import html
import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from perfeval.review.collect import _wrapper
from perfeval.review.job import review
from perfeval.review.table import json_lines
from perfeval.web import batch as B
from tests.test_review import gbk_zip, unit
from tests.web_server import LiveServer

ZIP = "application/zip"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("county") / "各单位"
    unit(src, "甲单位", 1)  # weights fixed, everything spent, typed 100: 自评满分, graded 优
    unit(src / "教育局", "乙单位", 2, spent=200)  # typed 100 with 66.32 of 266.32 unspent: 黄色预警
    (src / "坏文件.xlsx").write_text("not a workbook", encoding="utf-8")
    return src


@pytest.fixture(scope="module")
def bureau(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Two processes, started by spawn as the server does: the real pool, not the in-process shortcut.
    server = LiveServer(tmp_path_factory.mktemp("bureau") / "jobs", review_jobs=2)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def county_zip(county: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What 发送到→压缩文件夹 on Chinese Windows makes: the folder itself at the top, names in GBK."""
    zpath = tmp_path_factory.mktemp("zip") / "各单位.zip"
    gbk_zip(zpath, {f"各单位/{p.relative_to(county).as_posix()}": p for p in sorted(county.rglob("*.xlsx"))})
    return zpath


def finished(client: httpx.Client, location: str, timeout: float = 120) -> httpx.Response:
    """Poll the review's page as the browser does (it refreshes itself) until it is no longer the wait page."""
    deadline = time.time() + timeout
    while True:
        r = client.get(location)
        if 'http-equiv="refresh"' not in r.text:
            return r
        assert "正在复核" in r.text and r.status_code == 200
        assert time.time() < deadline, "the review did not finish"
        time.sleep(0.3)


def post(client: httpx.Client, files: list, data: dict | None = None) -> httpx.Response:
    return client.post("/review", files=files, data=data or {"profile": ""})


def started(r: httpx.Response) -> str:
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert re.fullmatch(r"/b/[A-Za-z0-9_-]{32}", location), location
    return location


def table_rows(page: str, css: str) -> list[list[str]]:
    body = page.split(f'<table class="{css}">', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [[html.unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in row] for row in cells]  # type: ignore[misc]


def test_zip_upload_is_the_review_of_that_zip(bureau: LiveServer, county_zip: Path) -> None:
    expected = review(county_zip, None, None, 1, write=False)
    with bureau.client() as c, open(county_zip, "rb") as f:
        location = started(post(c, [("workbooks", ("各单位.zip", f, ZIP))]))
        page = finished(c, location)
        assert page.status_code == 200
        text = html.unescape(page.text)
        # 2 workbooks of 2 units; 乙 typed full marks with a quarter unspent: errors (its 执行 score), and the
        # only flags beyond 自评满分.
        with_errors = sum(1 for r in expected.summary.to_dict("records") if r["errors"])
        assert with_errors == 1
        assert "已复核 2 个工作簿（2 个单位），其中 1 个有错误；1 个文件未能复核" in text
        badges = dict(re.findall(r'<span class="badge[^"]*">(\S+) (\d+)</span>', page.text))
        assert badges == {
            "红色预警": "0",
            "黄色预警": "1",
            "自评满分": "2",
            "满分但有结余": "1",
            "得分高于执行": "1",
            "文字雷同": "0",
        }
        rows = table_rows(page.text, "units")
        want = expected.summary.to_dict("records")
        assert len(rows) == len(want) == 2
        for row, r in zip(rows, want, strict=True):
            assert row[0] == [r["unit"], r["file"]]  # unit, and the file as named in the zip
            assert row[1] == ([r["department"]] if r["department"] else [])
            assert row[3] == [f"{r['execution_rate']:.2%}"] and row[5] == [f"{r['score']:.2f}"]
        # The folder the zip wraps is not a 主管部门; the subfolder is.
        assert {(r[0][0], tuple(r[1])) for r in rows} == {("甲单位", ()), ("乙单位", ("教育局",))}
        skipped = html.unescape(page.text.split("未能复核的文件", 1)[1])
        assert "各单位/坏文件.xlsx" in skipped and expected.skipped[0].reason in skipped
        # The most frequent rules are the summary's 问题分布, first lines.
        rule_ids = [row[0][0] for row in table_rows(page.text, "rules")]
        assert rule_ids and all(re.fullmatch(r"[A-Z]+-\d{3}", r) for r in rule_ids)

        token = location.rsplit("/", 1)[1]
        xlsx = c.get(f"/d/{token}/summary")
        assert (
            xlsx.status_code == 200
            and "%E5%90%84%E5%8D%95%E4%BD%8D.%E5%A4%8D%E6%A0%B8" in xlsx.headers["content-disposition"]
        )  # 各单位.复核汇总.xlsx
        wb = load_workbook(io.BytesIO(xlsx.content))
        assert wb.sheetnames[:6] == ["汇总", "问题分布", "明细", "图表", "未校验", "说明"]
        assert wb["汇总"].max_row - 1 >= len(want)
        about = [str(v) for row in wb["说明"].iter_rows(values_only=True) for v in row if v]
        assert "各单位.zip" in about and not any("batch.zip" in v for v in about)
        lines = c.get(f"/d/{token}/summary.jsonl").text.splitlines()
        assert [json.loads(x) for x in lines] == [
            json.loads(x) for x in json_lines(expected.rows, expected.skipped)
        ]
    folder = bureau.root / token
    # The units' files are gone once reviewed; the summary, its JSON and the page stay until expiry.
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["meta.json", B.STATUS, "page.html", B.SUMMARY, B.LINES]
    )


def test_folder_pick_and_several_files(bureau: LiveServer, county: Path) -> None:
    a, b = county / "甲单位.xlsx", county / "教育局" / "乙单位.xlsx"
    with bureau.client() as c, open(a, "rb") as fa, open(b, "rb") as fb:
        # A folder pick: the browser names each file under the folder picked.
        files = [
            ("workbooks", ("各单位/甲单位.xlsx", fa, XLSX)),
            ("workbooks", ("各单位/教育局/乙单位.xlsx", fb, XLSX)),
        ]
        page = finished(c, started(post(c, files)))
        rows = {r[0][0]: r[1] for r in table_rows(page.text, "units")}
        assert rows == {"甲单位": [], "乙单位": ["教育局"]}
        assert '<p class="small">各单位</p>' in page.text
        fa.seek(0), fb.seek(0)
        # Several files picked at once, two of one name: both reviewed, the second renamed.
        files = [("workbooks", ("甲单位.xlsx", fa, XLSX)), ("workbooks", ("甲单位.xlsx", fb, XLSX))]
        page = finished(c, started(post(c, files)))
        names = sorted(r[0][1] for r in table_rows(page.text, "units"))
        assert names == ["甲单位(2).xlsx", "甲单位.xlsx"]
        assert "已复核 2 个工作簿" in page.text and '<p class="small">2 个工作簿</p>' in page.text


def test_last_year_adds_the_yoy_table(bureau: LiveServer, county_zip: Path, tmp_path: Path) -> None:
    last = tmp_path / "上年.复核汇总.xlsx"
    review(county_zip, last, None, 1)
    with bureau.client() as c, open(county_zip, "rb") as f, open(last, "rb") as g:
        files = [("workbooks", ("各单位.zip", f, ZIP)), ("previous", ("上年.复核汇总.xlsx", g, XLSX))]
        location = started(post(c, files))
        page = finished(c, location)
        assert "已与上年资料比较：“同比”表 2 行" in html.unescape(page.text)
        wb = load_workbook(io.BytesIO(c.get(f"/d/{location.rsplit('/', 1)[1]}/summary").content))
        assert "同比" in wb.sheetnames and wb["同比"].max_row == 3  # header and the two units


def test_refused_uploads_say_why(bureau: LiveServer, county: Path, tmp_path: Path) -> None:
    book = (county / "甲单位.xlsx").read_bytes()
    fake = tmp_path / "报送.zip"
    fake.write_text("not a zip", encoding="utf-8")
    other = tmp_path / "其他.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("说明.txt", "no workbook here")
    before = set(bureau.jobs())
    with bureau.client() as c:
        r = post(c, [])
        assert r.status_code == 400 and "没有收到文件" in html.unescape(r.text)
        r = post(c, [("workbooks", ("a.zip", b"PK", ZIP)), ("workbooks", ("b.xlsx", book, XLSX))])
        assert r.status_code == 400 and "请只上传一个压缩包，或者只上传工作簿" in html.unescape(r.text)
        r = post(c, [("workbooks", ("说明.txt", b"text", "text/plain"))])
        assert r.status_code == 400 and "没有收到 Excel 工作簿" in html.unescape(r.text)
        r = post(c, [("workbooks", ("各单位.rar", b"Rar!", "application/octet-stream"))])
        assert r.status_code == 400 and "压缩包只支持 zip 格式" in html.unescape(r.text)
        assert set(bureau.jobs()) == before  # refused before a review: nothing kept
        # Refused by the review itself: the page names the user's zip, never the server's copy.
        for path, why in (
            (fake, "“报送.zip”不是可以打开的 zip 压缩包"),
            (other, "“其他.zip”中没有 Excel 工作簿"),
        ):
            with open(path, "rb") as f:
                page = finished(c, started(post(c, [("workbooks", (path.name, f, ZIP))])))
            text = html.unescape(page.text)
            assert page.status_code == 422 and why in text, text
            assert "batch" not in text and str(bureau.root) not in text
        r = post(c, [("workbooks", ("a.xlsx", book, XLSX))], {"profile": "不存在"})
        assert r.status_code == 400 and "不是本工具自带的口径" in html.unescape(r.text)
    for job in set(bureau.jobs()) - before:
        assert not (job / B.BATCH).exists()  # a failed review keeps no unit's file either


def test_one_review_at_a_time(bureau: LiveServer, county: Path) -> None:
    """The server runs in this process, so holding its review slot is holding it for the page."""
    assert B._running.acquire(blocking=False)
    try:
        with bureau.client() as c:
            r = post(c, [("workbooks", ("甲单位.xlsx", (county / "甲单位.xlsx").read_bytes(), XLSX))])
        assert r.status_code == 503 and "正在复核另一批工作簿" in html.unescape(r.text)
    finally:
        B._running.release()


def test_upload_over_the_limit(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "jobs", review_max_bytes=64 * 1024)
    try:
        with server.client() as c:
            r = post(c, [("workbooks", ("大.zip", b"x" * 300 * 1024, ZIP))])
            assert r.status_code == 413
            assert "合计超过了允许的上限" in html.unescape(r.text)
            assert c.get("/review").status_code == 200
        assert server.jobs() == []
    finally:
        server.stop()


def test_upload_names() -> None:
    # Old browsers send where the file was on their disk: that is no folder of the upload.
    assert B.relative_name("C:\\Users\\财务\\各单位\\甲.xlsx") == "甲.xlsx"
    assert B.relative_name("/home/财务/甲.xlsx") == "甲.xlsx"
    assert B.relative_name("各单位\\教育局\\乙.xlsx") == "各单位/教育局/乙.xlsx"
    assert B.relative_name("../../etc/甲?.xlsx") == "etc/甲.xlsx"  # no way out of the zip, no odd characters
    assert B.relative_name("./ /a:b.xlsx") == "ab.xlsx"
    assert B._without_picked_folder(["各单位/甲.xlsx", "各单位/教育局/乙.xlsx"]) == [
        "甲.xlsx",
        "教育局/乙.xlsx",
    ]
    assert B._without_picked_folder(["甲.xlsx", "各单位/乙.xlsx"]) == ["甲.xlsx", "各单位/乙.xlsx"]
    seen: set[str] = set()
    assert [B._unique(n, seen) for n in ("a.xlsx", "A.xlsx", "a.xlsx")] == [
        "a.xlsx",
        "A(2).xlsx",
        "a(3).xlsx",
    ]


@pytest.mark.parametrize(
    ("names", "stem", "wrapper"),
    [
        (
            ["各单位/甲.xlsx", "各单位/乙.xlsx"],
            "各单位",
            "各单位",
        ),  # the zip of a flat folder, named after it
        (["2023/甲.xlsx", "2023/教育局/乙.xlsx"], "报送", "2023"),  # a level below it: it only wraps
        (["教育局/甲.xlsx", "教育局/乙.xlsx"], "报送", ""),  # one department's flat folder stays its name
        (["甲.xlsx", "教育局/乙.xlsx"], "各单位", ""),  # files at the top: nothing wraps them
        (["教育局/甲.xlsx", "卫健委/乙.xlsx"], "各单位", ""),
    ],
)
def test_wrapping_folder(names: list[str], stem: str, wrapper: str) -> None:
    assert _wrapper(names, stem) == wrapper


def test_wait_page_and_a_stalled_review(bureau: LiveServer) -> None:
    """The page while a review runs, read from the status on disk (any worker process can show it)."""
    token = "w" * 32
    job = bureau.root / token
    job.mkdir()
    (job / "meta.json").write_text(json.dumps({"name": "报送.zip", "kind": "review"}), encoding="utf-8")
    with bureau.client() as c:
        B.write_status(job, B.Status("running"))
        r = c.get(f"/b/{token}")
        assert r.status_code == 200 and 'http-equiv="refresh"' in r.text and "正在解压" in r.text
        B.write_status(job, B.Status("running", total=5, done=2))
        assert "已校验 <b>2</b> / 5 个工作簿" in c.get(f"/b/{token}").text
        B.write_status(job, B.Status("running", total=5, done=5))
        assert "正在生成复核汇总工作簿" in c.get(f"/b/{token}").text
        status = B.Status("running", total=5, done=3)
        B.write_status(job, status)
        status.updated -= B.STALL_SECONDS + 1  # as if its server process died long ago
        (job / B.STATUS).write_text(json.dumps(status.__dict__), encoding="utf-8")
        r = c.get(f"/b/{token}")
        assert r.status_code == 500 and "复核中断" in html.unescape(r.text)
        assert 'http-equiv="refresh"' not in r.text


def test_progress_counts_every_file(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text("{}", encoding="utf-8")
    progress = B.Progress(tmp_path)
    progress(3, "")
    for name in ("a", "b", "c"):
        progress(0, name)
    status = B.read_status(tmp_path)
    assert status is not None and (status.state, status.total, status.done) == ("running", 3, 3)


def test_bureau_mode_asks_for_the_code_first(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "jobs", access_code="县财政局2024")
    try:
        with server.client() as c:
            r = c.get("/review")
            assert r.status_code == 303 and r.headers["location"] == "/login?next=/review"
            r = post(c, [("workbooks", ("a.zip", b"PK", ZIP))])
            assert r.status_code == 303 and r.headers["location"] == "/login"
            assert server.jobs() == []  # nothing saved before the code
            r = c.post("/login?next=/review", data={"code": "县财政局2024"})
            assert r.status_code == 303 and r.headers["location"] == "/review"
            assert "批量复核" in c.get("/review").text
    finally:
        server.stop()
