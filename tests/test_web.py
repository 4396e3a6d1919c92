"""The web page over real HTTP: a real uvicorn server on a free loopback port, real workbooks, and the CLI's
own output to compare with (the page is an adapter of the same jobs, so what it serves must be the same)."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from perfeval import catalogue as cat
from perfeval.io.safety import InputFileError
from perfeval.service import check_file, read_and_check
from tests.test_safety import flip_byte, make_xlsx, member_data_offset
from tests.web_server import LIMIT, LiveServer
from tests.workbook_content import content
from tests.workbooks import taojiang_data, taojiang_fixed

ROOT = Path(__file__).resolve().parents[1]
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return taojiang_fixed(tmp_path_factory.mktemp("fixed"))


def upload(client: httpx.Client, path: Path, name: str | None = None, profile: str = "") -> httpx.Response:
    with open(path, "rb") as f:
        return client.post(
            "/check", files={"workbook": (name or path.name, f, XLSX)}, data={"profile": profile}
        )


def result_page(client: httpx.Client, path: Path, name: str | None = None) -> tuple[str, str]:
    """Upload, follow the redirect; (token, page)."""
    r = upload(client, path, name)
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    m = re.fullmatch(r"/r/([A-Za-z0-9_-]{32})", location)
    assert m, location
    page = client.get(location)
    assert page.status_code == 200
    return m.group(1), page.text


def links(page: str) -> list[str]:
    return re.findall(r'(?:href|action)="(/[^"]*)"', page)


def assert_secure_headers(r: httpx.Response) -> None:
    h = r.headers
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "script-src 'self'" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "no-referrer"
    assert "server" not in h


def perfeval(*args: str) -> int:
    """The `perfeval` command, run in this process (a subprocess would pay the imports again)."""
    from typer.testing import CliRunner

    from perfeval.cli import app

    done = CliRunner().invoke(app, list(args))
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    return done.exit_code


def cli_check(path: Path, folder: Path) -> Path:
    """`perfeval check` on a copy of `path`; the result workbook it writes."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / path.name
    shutil.copyfile(path, copy)
    assert perfeval("check", str(copy)) in (0, 1)
    return folder / f"{copy.stem}.校验结果.xlsx"


# --- home and template -------------------------------------------------------------------------------------
def test_home_and_blank_templates(live: LiveServer, tmp_path: Path) -> None:
    with live.client() as c:
        home = c.get("/")
        assert home.status_code == 200
        assert_secure_headers(home)
        assert 'enctype="multipart/form-data"' in home.text and 'action="/check"' in home.text
        for href in re.findall(r'(?:href|src)="(/static/[^"]+)"', home.text):
            static = c.get(href)
            assert static.status_code == 200
            assert_secure_headers(static)
        # The default (全部, default profile, nothing typed): the committed template itself, as `new` copies it.
        r = c.get("/template", params={"kind": "全部", "profile": "default"})
        assert r.status_code == 200
        assert "attachment" in r.headers["content-disposition"]
        from perfeval.template import bundled_template

        assert r.content == bundled_template().read_bytes()
        # 项目 with a unit and year: the same workbook `perfeval new --kind 项目 --unit --year` writes.
        r = c.get(
            "/template", params={"kind": "项目", "profile": "default", "unit": "测试单位", "year": "2024"}
        )
        assert r.status_code == 200
        got = tmp_path / "web.xlsx"
        got.write_bytes(r.content)
        made = tmp_path / "cli.xlsx"
        assert perfeval("new", str(made), "--kind", "项目", "--unit", "测试单位", "--year", "2024") == 0
        assert content(got) == content(made)
        wb = load_workbook(got)
        project_sheets = {s.name for s in cat.sheets_of(cat.KINDS_OF_WORKBOOK["项目"])}
        unit_only = {s.name for s in cat.sheets_of(cat.KINDS_OF_WORKBOOK["整体"])} - project_sheets
        assert project_sheets <= set(wb.sheetnames) and not unit_only & set(wb.sheetnames)
        # A year the template cannot hold is refused in Chinese, as `new --year 24` is.
        bad = c.get("/template", params={"kind": "全部", "year": "24"})
        assert bad.status_code == 400 and "四位" in bad.text
        assert_secure_headers(bad)


# --- the 桃江 example: every link ------------------------------------------------------------------------
def test_taojiang_every_link(live: LiveServer, tmp_path: Path) -> None:
    expected = read_and_check(TAOJIANG, None)
    errors = [f for f in expected.findings if f.severity.value == "错误"]
    assert errors  # the example keeps its errors: the refusal below is tested on them
    with live.client() as c:
        token, page = result_page(c, TAOJIANG)
        assert f"结论：{html.escape(expected.summary(), quote=False)}" in page
        for f in expected.findings:
            assert html.escape(f.message, quote=False) in page, f.rule_id
        assert "评分汇总" in page and "预算执行率" in page
        # Findings grouped by sheet: each sheet heading once, in workbook order.
        headings = re.findall(r"<h3>【([^】]+)】", page)
        assert len(headings) == len(set(headings)) >= 2

        found = links(page)
        assert f"/d/{token}/result" in found and f"/d/{token}/report" in found
        assert f"/d/{token}/export" in found and f"/d/{token}/delete" in found

        # The marked workbook: what `perfeval check` writes for the same file.
        r = c.get(f"/d/{token}/result")
        assert r.status_code == 200
        assert_secure_headers(r)
        assert "filename*=UTF-8''" in r.headers["content-disposition"]
        assert "%E6%A0%A1%E9%AA%8C%E7%BB%93%E6%9E%9C" in r.headers["content-disposition"]  # 校验结果
        web = tmp_path / "web.xlsx"
        web.write_bytes(r.content)
        assert content(web) == content(cli_check(TAOJIANG, tmp_path / "cli"))

        # The Word report.
        r = c.get(f"/d/{token}/report")
        assert r.status_code == 200
        with zipfile.ZipFile(__import__("io").BytesIO(r.content)) as zf:
            document = zf.read("word/document.xml").decode("utf-8")
        assert expected.model.text("info_unit_name") in document

        # The package: refused while errors remain, forced only with a reason.
        r = c.post(f"/d/{token}/export", data={})
        assert r.status_code == 409
        for f in errors:
            assert f.rule_id in r.text
        r = c.post(f"/d/{token}/export", data={"force": "1", "reason": "  "})
        assert r.status_code == 400 and "原因" in r.text
        assert not (live.root / token / "package.zip").exists()

        # Delete: the folder and every link are gone.
        r = c.post(f"/d/{token}/delete")
        assert r.status_code == 200 and "已删除" in r.text
        assert not (live.root / token).exists()
        for href in (f"/r/{token}", f"/d/{token}/result", f"/d/{token}/report"):
            gone = c.get(href)
            assert gone.status_code == 404 and "失效" in gone.text


def test_clean_workbook_exports_package(live: LiveServer, fixed: Path) -> None:
    expected = read_and_check(fixed, None)
    assert not [f for f in expected.findings if f.severity.value == "错误"]
    with live.client() as c:
        token, page = result_page(c, fixed)
        assert "0 个错误" in page
        assert 'name="force"' not in page  # no forced export offered when there is nothing to force
        r = c.post(f"/d/{token}/export", data={})
        assert r.status_code == 303, r.text
        z = c.get(r.headers["location"])
        assert z.status_code == 200 and z.headers["content-type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
            names = zf.namelist()
            folder = names[0].split("/")[0]
            manifest = json.loads(zf.read(f"{folder}/manifest.json"))
        assert {Path(n).suffix for n in names} == {".xlsx", ".docx", ".pdf", ".json"}
        assert manifest["forced"] is None
        assert manifest["check"]["errors"] == 0
        assert manifest["unit"] == expected.model.text("info_unit_name")
        # the upload's own name, not the name the server saved it under
        assert manifest["source"]["name"] == fixed.name
        c.post(f"/d/{token}/delete")


def test_forced_export_carries_the_reason(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forced with a reason, on a server without LibreOffice (most WPS PCs): the package comes without its
    PDF and says so, as `perfeval export --pdf auto` does."""
    monkeypatch.setenv("PATH", "/nonexistent")  # find_soffice looks on PATH only, on Linux
    reason = "财政局要求先行报送，错误已说明"
    with live.client() as c:
        token, _ = result_page(c, TAOJIANG)
        r = c.post(f"/d/{token}/export", data={"force": "1", "reason": reason})
        assert r.status_code == 303, r.text
        z = c.get(r.headers["location"])
        with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
            manifest = json.loads(zf.read(next(n for n in zf.namelist() if n.endswith("manifest.json"))))
        assert manifest["forced"]["reason"] == reason
        assert manifest["forced"]["errors"]
        assert manifest["pdf"] is None and "LibreOffice" in manifest["pdf_missing"]["reason"]
        c.post(f"/d/{token}/delete")
    assert not live.jobs()


# --- bad files ---------------------------------------------------------------------------------------------
def bad_files(folder: Path) -> list[Path]:
    """The CLI's safety cases (tests/test_safety.py), one file each."""
    folder.mkdir()
    out = []
    p = folder / "说明.xlsx"
    p.write_text("这不是表格，只是一段说明文字。\n", encoding="utf-8")
    out.append(p)
    p = folder / "导出数据.xlsx"
    p.write_bytes("项目,金额\n办公费,1200.50\n".encode("gbk") * 50)
    out.append(p)
    p = folder / "系统导出.xls"
    p.write_text("<html><body><table><tr><td>预算数</td></tr></table></body></html>", encoding="utf-8")
    out.append(p)
    p = folder / "空文件.xlsx"
    p.write_bytes(b"")
    out.append(p)
    p = folder / "报告.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", "<w:document/>")
    out.append(p)
    whole = TAOJIANG.read_bytes()
    p = folder / "半截.xlsx"
    p.write_bytes(whole[: len(whole) // 2])
    out.append(p)
    import xlwt

    p = folder / "旧版.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    wb.add_sheet("自评表").write(0, 0, "预算单位")
    wb.save(str(p))
    out.append(p)
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_xlsx(folder / "plain" / "明文.xlsx")
    p = folder / "有密码.xlsx"
    with open(plain, "rb") as src, open(p, "wb") as f:
        OOXMLFile(src).encrypt("1234", f)
    out.append(p)
    out.append(make_xlsx(folder / "别的表格.xlsx"))  # a real workbook, not made from the template
    p = folder / "表格.csv"
    p.write_text("a,b\n", encoding="utf-8")
    out.append(p)
    p = make_xlsx(folder / "坏了.xlsx")
    offset, length = member_data_offset(p, "xl/worksheets/sheet1.xml")
    flip_byte(p, offset + length // 2)
    out.append(p)
    p = folder / "高压缩比.xlsx"  # 60 MB of zeros in ~60 KB: the zip-bomb guard, not the upload limit
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/sharedStrings.xml", "w") as member:
            for _ in range(15):
                member.write(b"\x00" * (4 * 1024 * 1024))
    out.append(p)
    return out


def test_bad_files_get_the_cli_reasons(live: LiveServer, tmp_path: Path) -> None:
    with live.client() as c:
        for path in bad_files(tmp_path / "bad"):
            with pytest.raises(InputFileError) as cli:
                check_file(path, None, write=False)
            assert path.stat().st_size < LIMIT  # refused for what it is, not for its size
            r = upload(c, path)
            assert r.status_code == 400, (path.name, r.status_code)
            assert_secure_headers(r)
            # The CLI's message, with the page's own way to a blank template; no command on the page.
            message = str(cli.value).replace(cat.TEMPLATE_HOW, "首页的“下载空白模板”")
            assert html.escape(message, quote=False) in r.text, (path.name, message, r.text)
            assert "perfeval new" not in r.text
            assert "Traceback" not in r.text and str(live.root) not in r.text
    assert not live.jobs()  # a refused upload is not kept


def test_oversized_upload(live: LiveServer) -> None:
    big = b"PK\x03\x04" + b"\0" * (LIMIT + 100_000)
    with live.client() as c:
        r = c.post("/check", files={"workbook": ("大.xlsx", big, XLSX)})
        assert r.status_code == 413 and "超过了允许的上限 2 MB" in r.text
        assert_secure_headers(r)

        # No Content-Length (chunked): refused once the bytes pass the limit.
        boundary = "perfevalboundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="大.xlsx"\r\n'
            f"Content-Type: {XLSX}\r\n\r\n"
        ).encode()

        def body() -> Iterator[bytes]:
            yield head
            for _ in range(40):
                yield b"\0" * 100_000
            yield f"\r\n--{boundary}--\r\n".encode()

        r = c.post(
            "/check", content=body(), headers={"content-type": f"multipart/form-data; boundary={boundary}"}
        )
        assert r.status_code == 413 and "上限" in r.text
        # Two files in one upload: refused.
        r = c.post(
            "/check", files=[("workbook", ("a.xlsx", b"x", XLSX)), ("workbook", ("b.xlsx", b"y", XLSX))]
        )
        assert r.status_code == 400 and "一个" in r.text
    assert not live.jobs()


# --- many users at once -----------------------------------------------------------------------------------
def test_concurrent_burst_loses_nothing(live: LiveServer, fixed: Path) -> None:
    files = [TAOJIANG, fixed] * 3
    summaries = {p: read_and_check(p, None).summary() for p in set(files)}

    def one(path: Path) -> tuple[Path, str, str]:
        with live.client() as c:
            token, page = result_page(c, path)
            result = c.get(f"/d/{token}/result")
            assert result.status_code == 200 and result.content[:2] == b"PK"
            return path, token, page

    with ThreadPoolExecutor(6) as pool:
        done = list(pool.map(one, files))
    assert len({token for _, token, _ in done}) == 6
    for path, _, page in done:
        assert f"结论：{html.escape(summaries[path], quote=False)}" in page
    # Each upload is alone in its folder: nothing of one is in another.
    assert len(live.jobs()) == 6
    for job in live.jobs():
        assert sorted(p.name for p in job.iterdir()) == [
            "meta.json",
            "page.html",
            "result.xlsx",
            "workbook.xlsx",
        ]
    with live.client() as c:
        for _, token, _ in done:
            c.post(f"/d/{token}/delete")
    assert not live.jobs()


def test_expired_uploads_are_swept(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "jobs", expiry_seconds=2)
    try:
        with server.client() as c:
            token, _ = result_page(c, TAOJIANG)  # the expiry counts from when the result is ready
            time.sleep(2.5)
            r = c.get(f"/d/{token}/result")
            assert r.status_code == 404 and "失效" in r.text
        assert not server.jobs()
    finally:
        server.stop()


# --- text from the workbook is text --------------------------------------------------------------------------
def test_workbook_text_is_escaped(live: LiveServer, tmp_path: Path) -> None:
    from perfeval.io.fill import fill_template

    values, tables = taojiang_data()
    values["info_unit_name"] = '<script>alert("x")</script>=HYPERLINK("http://evil","点")'
    path = fill_template(values, tables, tmp_path / "evil.xlsx")
    with live.client() as c:
        token, page = result_page(c, path, name="<img src=x onerror=alert(1)>.xlsx")
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;=HYPERLINK(" in page
        assert "工作簿：img src=x onerror=alert(1).xlsx" in page  # the name's < > are dropped, not used
        # The download name is a header: no quotes or line breaks from the user's name get into it.
        r = c.get(f"/d/{token}/result")
        assert (
            "\n" not in r.headers["content-disposition"]
            and '"' not in r.headers["content-disposition"].split("filename*=")[1]
        )
        c.post(f"/d/{token}/delete")


def test_unknown_pages_and_tokens(live: LiveServer) -> None:
    with live.client() as c:
        for path in (
            "/nothing",
            "/r/xyz",
            "/d/../../etc/passwd/result",
            "/r/" + "A" * 32,
            "/d/" + "B" * 32 + "/report",
        ):
            r = c.get(path)
            assert r.status_code == 404, path
            assert "<html" in r.text and "Traceback" not in r.text
            assert_secure_headers(r)
        r = c.get("/check")
        assert r.status_code == 405 and "首页" in r.text


# --- bureau mode -------------------------------------------------------------------------------------------
def test_access_code(tmp_path: Path) -> None:
    server = LiveServer(tmp_path / "jobs", access_code="科协2024")
    try:
        with server.client() as c:
            r = c.get("/")
            assert r.status_code == 303 and r.headers["location"].startswith("/login")
            r = upload(c, TAOJIANG)
            assert r.status_code == 303 and r.headers["location"].startswith("/login")
            assert not server.jobs()
            login = c.get("/login")
            assert login.status_code == 200 and "访问码" in login.text
            assert_secure_headers(login)
            wrong = c.post("/login", data={"code": "guess"})
            assert wrong.status_code == 401 and "不正确" in wrong.text
            right = c.post("/login?next=/", data={"code": "科协2024"})
            assert right.status_code == 303
            cookie = right.headers["set-cookie"]
            assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
            assert "科协2024" not in cookie
            assert c.get("/").status_code == 200
            token, _ = result_page(c, TAOJIANG)
            assert c.get(f"/d/{token}/result").status_code == 200
        with server.client() as other:  # no cookie: no download, even with the link
            r = other.get(f"/d/{token}/result")
            assert r.status_code == 303
            r = other.post("/login?next=//evil.example/", data={"code": "科协2024"})
            assert r.headers["location"] == "/"
    finally:
        server.stop()


def test_unexpected_error_is_a_chinese_page(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash inside a job (injected: real input that crashes the engine is a bug to fix, not a fixture)
    shows a short Chinese page, never the traceback, and leaves no upload behind."""
    import perfeval.service

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(perfeval.service, "check_file", crash)
    with live.client() as c:
        r = upload(c, TAOJIANG)
    assert r.status_code == 500 and "意外错误" in r.text
    assert "secret internal detail" not in r.text and "Traceback" not in r.text
    assert_secure_headers(r)
    assert not live.jobs()
