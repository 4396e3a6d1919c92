"""The page in a real browser: Debian's Chromium driven by Playwright (it cannot download its own browser
here; .ci/run installs chromium when missing). Upload by the form, read the findings, download the result;
once with scripting on (drag-and-drop and progress script loaded) and once with scripting off."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from perfeval.service import read_and_check
from tests.test_review import unit
from tests.test_web import TAOJIANG
from tests.web_server import LiveServer
from tests.workbook_content import content

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: apt-get install -y chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield b
        b.close()


@pytest.mark.parametrize("scripting", [True, False], ids=["script", "no-script"])
def test_upload_read_download(live: LiveServer, browser: Browser, tmp_path: Path, scripting: bool) -> None:
    expected = read_and_check(TAOJIANG, None)
    context = browser.new_context(java_script_enabled=scripting, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(m.text) if m.type == "error" else None
    )  # CSP refusals land here
    posts: list[str] = []
    page.on(
        "request",
        lambda r: posts.append(r.resource_type) if r.method == "POST" and r.url.endswith("/check") else None,
    )
    try:
        page.goto(live.url + "/")
        hint = page.locator(".js-only")
        assert hint.is_visible() is scripting  # the drag-and-drop hint shows only where the script runs
        if scripting:  # a file dropped on the box becomes the form's file
            dropped = page.evaluate_handle(
                "() => { const dt = new DataTransfer();"
                " dt.items.add(new File(['x'], '拖来的.xlsx')); return dt; }"
            )
            page.dispatch_event("#drop", "drop", {"dataTransfer": dropped})
            assert page.evaluate("document.getElementById('workbook').files[0].name") == "拖来的.xlsx"
        page.set_input_files("#workbook", str(TAOJIANG))
        page.click("#submit")
        page.wait_for_url("**/r/*", timeout=60_000)
        # With scripting the upload goes by XMLHttpRequest (the progress bar); without, by the plain form.
        assert posts == (["xhr"] if scripting else ["document"])

        assert page.locator(".conclusion").inner_text() == f"结论：{expected.summary()}"
        rows = page.locator("table.findings tbody tr")
        assert rows.count() == len(expected.findings)
        shown = {rows.nth(i).locator("td").nth(3).inner_text() for i in range(rows.count())}
        for f in expected.findings:
            assert any(f.message in text for text in shown), f.rule_id
        assert page.locator("tr.error .tag.error").count() == sum(
            1 for f in expected.findings if f.severity.value == "错误"
        )
        page.screenshot(path=str(tmp_path / "result.png"), full_page=True)

        with page.expect_download() as info:
            page.click("a[href$='/result']")
        download = info.value
        assert download.suggested_filename == "桃江县科协2023.校验结果.xlsx"
        saved = tmp_path / "downloaded.xlsx"
        download.save_as(saved)
        token = page.url.rsplit("/", 1)[1]
        assert content(saved) == content(live.root / token / "result.xlsx")

        # A forced export without a reason is stopped by the browser (required), so the server never sees it.
        page.click("form.export button")
        assert page.url.endswith(f"/r/{token}")
        page.click("form.delete button")
        assert "已删除" in page.content()
        assert not (live.root / token).exists()
        assert not [e for e in errors if "Content Security Policy" in e], errors
        assert html.escape(expected.model.text("info_unit_name")) not in page.content()  # the result is gone
    finally:
        context.close()


@pytest.mark.parametrize("scripting", [True, False], ids=["script", "no-script"])
def test_bureau_review_of_a_folder(
    live: LiveServer, browser: Browser, tmp_path: Path, scripting: bool
) -> None:
    """A folder picked in the browser: every workbook under it reviewed, its subfolder the 主管部门; the page
    waits (refreshing itself) and then shows the units, and the summary downloads."""
    folder = tmp_path / "各单位"
    unit(folder, "甲单位", 1)
    unit(folder / "教育局", "乙单位", 2, spent=200)
    context = browser.new_context(java_script_enabled=scripting, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(live.url + "/")
        page.click("a[href='/review']")
        page.set_input_files("#folder", str(folder))  # a webkitdirectory input: the whole folder
        page.click("#submit")
        page.wait_for_url("**/b/*", timeout=60_000)
        page.wait_for_selector("table.units", timeout=120_000)
        rows = page.locator("table.units tbody tr")
        got = {
            (
                rows.nth(i).locator("td").nth(0).inner_text().split("\n")[0],
                rows.nth(i).locator("td").nth(1).inner_text(),
            )
            for i in range(rows.count())
        }
        assert got == {("甲单位", ""), ("乙单位", "教育局")}
        assert page.locator("p.small").first.inner_text() == "各单位"
        page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        with page.expect_download() as info:
            page.click("a[href$='/summary']")
        assert info.value.suggested_filename == "各单位.复核汇总.xlsx"
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()
