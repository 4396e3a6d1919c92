"""The web application: pages and downloads over the file jobs of perfeval.service (the CLI's).

Every upload lives in its own private folder named by an unguessable token (perfeval.web.jobs); the page
shows the check, the links fetch the marked workbook, the Word report and the export package made from that
folder only. Users see Chinese pages only: a refused file gets the CLI's reason, anything unexpected a short
apology (the traceback goes to the server's log).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from perfeval import __version__
from perfeval import catalogue as cat
from perfeval.web import jobs as J
from perfeval.web.settings import Settings

log = logging.getLogger("perfeval.web")
HERE = Path(__file__).parent
COOKIE = "perfeval_access"
SMALL_BODY = 64 * 1024  # every form but the upload
MULTIPART_OVERHEAD = 64 * 1024

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # the download token is in the URL: never send it elsewhere
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class TooLarge(Exception):
    """The request body is over the limit (raised from receive, caught by the route)."""


# --- middleware (plain ASGI, so that they also cover error pages and static files) ----------------------
class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                have = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                if b"cache-control" not in have:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuse a body over the limit: at once when Content-Length says so, else when the bytes pass it."""

    def __init__(self, app: ASGIApp, upload_limits: dict[str, int], render_error) -> None:
        self.app = app
        self.upload_limits = upload_limits  # path -> the largest upload it takes
        self.render_error = render_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = self.upload_limits.get(scope["path"])
        limit = SMALL_BODY if upload is None else upload + MULTIPART_OVERHEAD
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            shown = upload if upload is not None else self.upload_limits["/check"]
            response = self.render_error(413, too_large_message(shown, scope["path"] == "/review"))
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge
            return message

        await self.app(scope, counted, send)


class AccessCode:
    """Bureau mode: every page but the code form and the style sheet wants the signed cookie."""

    def __init__(self, app: ASGIApp, expected: str) -> None:
        self.app = app
        self.expected = expected

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path == "/login" or path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if hmac.compare_digest(request.cookies.get(COOKIE, ""), self.expected):
            await self.app(scope, receive, send)
            return
        # Back to the page asked for after the code; a refused POST (an upload) starts again at home.
        back = path if scope.get("method") in ("GET", "HEAD") else "/"
        target = "/login" if back == "/" else "/login?next=" + quote(back)
        await RedirectResponse(target, status_code=303)(scope, receive, send)


def too_large_message(limit: int, batch: bool = False) -> str:
    if batch:
        return (
            f"上传的文件合计超过了允许的上限 {limit // (1024 * 1024)} MB。请分几批复核（例如按主管部门），"
            "或请管理员用 perfeval review 直接复核文件夹。"
        )
    return (
        f"上传的文件超过了允许的上限 {limit // (1024 * 1024)} MB。填好的模板通常不到 1 MB，这么大一般是因为粘贴了"
        "图片、扫描件或多余的工作表。请删除其中的图片和多余的工作表，另存为 .xlsx 后再上传。"
    )


# --- helpers ---------------------------------------------------------------------------------------------
def _profiles():
    from perfeval.core.profile import shipped_profiles

    return shipped_profiles()


def _profile_by_id(profile_id: str):
    """A shipped profile by its id; None for "" (the one the workbook names). Unknown ids: ValueError."""
    if not profile_id:
        return None
    for p in _profiles():
        if p.id == profile_id:
            return p
    raise ValueError(profile_id)


def _user_message(message: str, job: J.Job | None, display: str) -> str:
    """A core message about our copy, worded about the user's file: their file name, no server path, and
    the page's own way to get a template instead of the CLI's command."""
    if job is not None:
        message = message.replace(str(job.folder) + os.sep, "").replace(str(job.folder), "")
        suffix = J.disk_suffix(display)
        message = message.replace(f"{J.INPUT_STEM}{suffix}", display)
    return message.replace(cat.TEMPLATE_HOW, "首页的“下载空白模板”")


def _stem(display: str) -> str:
    return display.rsplit(".", 1)[0] if "." in display else display


def access_cookie(settings: Settings) -> str:
    key = (settings.secret or "").encode() + b"|" + (settings.access_code or "").encode()
    return hmac.new(key, b"perfeval-access", hashlib.sha256).hexdigest()


# --- the application -------------------------------------------------------------------------------------
def create_app(settings: Settings) -> ASGIApp:
    """The ASGI application for `settings` (served by uvicorn; perfeval.web.server.serve starts it)."""
    if settings.access_code and not settings.secret:
        settings = replace(settings, secret=secrets.token_hex(32))
    store = J.JobStore(settings.root, settings.expiry_seconds, settings.max_jobs)
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    limiter = anyio.CapacityLimiter(1)  # one job at a time per process: the engine is not made for threads
    waiting = 0
    profiles = [
        (p.id, p.name, cat.kind_text(p.forms) if p.forms in cat.KINDS_OF_WORKBOOK.values() else "")
        for p in _profiles()
    ]

    def page(template_name: str, status: int = 200, **context) -> HTMLResponse:
        context.setdefault("version", __version__)
        context.setdefault("bureau", bool(settings.access_code))
        return HTMLResponse(env.get_template(template_name).render(**context), status_code=status)

    def error_page(status: int, message: str, title: str = "无法处理") -> HTMLResponse:
        return page("error.html", status, title=title, message=message)

    async def in_worker(fn, *args):
        """Run a file job in a thread, one at a time; refuse when too many wait already."""
        nonlocal waiting
        if waiting >= settings.max_waiting:
            raise J.Busy
        waiting += 1
        try:
            return await anyio.to_thread.run_sync(lambda: fn(*args), limiter=limiter)
        finally:
            waiting -= 1

    busy = lambda: error_page(503, "服务器正忙（同时上传的人较多），请过一两分钟再试。", "请稍后再试")  # noqa: E731
    gone = lambda: error_page(  # noqa: E731
        404,
        f"这个链接已失效：上传的文件只保留 {settings.expiry_seconds // 60} 分钟，或已被删除。请重新上传工作簿。",
        "链接已失效",
    )

    # --- pages
    async def home(request: Request) -> Response:
        store.sweep()
        return page(
            "home.html",
            profiles=profiles,
            kinds=list(cat.KIND_CHOICES.items()),
            max_mb=settings.max_bytes // (1024 * 1024),
            expiry_minutes=settings.expiry_seconds // 60,
        )

    async def template(request: Request) -> Response:
        q = request.query_params
        try:
            content, name = await in_worker(
                _make_template,
                q.get("kind", "全部"),
                q.get("profile", ""),
                q.get("unit", ""),
                q.get("year", ""),
            )
        except J.Busy:
            return busy()
        except ValueError as e:
            return error_page(400, str(e), "无法生成模板")
        return Response(
            content,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"content-disposition": _disposition(name)},
        )

    async def check(request: Request) -> Response:
        try:
            async with request.form(max_files=1, max_fields=8, max_part_size=SMALL_BODY) as form:
                upload = form.get("workbook")
                profile_id = str(form.get("profile") or "")
                if upload is None or isinstance(upload, str) or not upload.filename:
                    return error_page(
                        400, "没有收到文件。请点“选择文件”，选中填好的 .xlsx 工作簿后再点“校验”。"
                    )
                display = J.display_name(upload.filename)
                try:
                    prof = _profile_by_id(profile_id)
                except ValueError:
                    return error_page(400, "所选的评分口径不是本工具自带的口径，请在列表中重新选择。")
                try:
                    job = store.create()
                except J.Busy:
                    return busy()
                suffix = J.disk_suffix(display)
                job.write_meta({"name": display, "suffix": suffix, "profile": profile_id})
                try:
                    await _save_upload(upload, job.folder / (J.INPUT_STEM + suffix), settings.max_bytes)
                except TooLarge:
                    job.delete()
                    raise
        except TooLarge:
            return error_page(413, too_large_message(settings.max_bytes), "文件太大")
        except HTTPException as e:  # the form parser's: too many files or fields, a broken body
            return error_page(
                400, f"上传的表单无法读取（{_form_problem(e.detail)}）。请只选一个工作簿重新上传。"
            )
        try:
            html = await in_worker(_check_job, job, prof, display)
        except J.Busy:
            job.delete()
            return busy()
        except _Refused as e:
            job.delete()  # a refused upload is not kept
            return error_page(400, _user_message(str(e), job, display), "无法校验这个文件")
        except Exception:
            job.delete()
            log.exception("check failed")
            return error_page(
                500, "校验时出现意外错误，已记录在服务器日志中。请把工作簿发给管理员，或稍后重试。", "出错了"
            )
        (job.folder / J.PAGE).write_text(html, encoding="utf-8")
        os.utime(job.folder / J.META)  # the downloads' time counts from when the result is ready
        return RedirectResponse(f"/r/{job.token}", status_code=303)

    def _check_job(job: J.Job, prof, display: str) -> str:
        from perfeval.core.profile import ProfileError
        from perfeval.io.safety import InputFileError
        from perfeval.service import check_file
        from perfeval.web.pages import result_view

        path = job.input
        out = job.path("result.xlsm" if path.suffix == ".xlsm" else J.RESULT)
        try:
            run = check_file(path, prof, out)
        except (InputFileError, ProfileError) as e:
            raise _Refused(str(e)) from None
        view = result_view(run, profile_given=prof is not None)
        return env.get_template("result.html").render(
            v=view,
            token=job.token,
            name=display,
            result_name=f"{_stem(display)}.校验结果{out.suffix}",
            expiry_minutes=settings.expiry_seconds // 60,
            version=__version__,
            bureau=bool(settings.access_code),
        )

    async def result(request: Request) -> Response:
        job = store.get(request.path_params["token"])
        if job is None or not (job.folder / J.PAGE).exists():
            return gone()
        return HTMLResponse((job.folder / J.PAGE).read_text(encoding="utf-8"))

    async def download_result(request: Request) -> Response:
        job = store.get(request.path_params["token"])
        out = next((job.path(n) for n in (J.RESULT, "result.xlsm") if job and job.path(n).exists()), None)
        if job is None or out is None:
            return gone()
        display = job.meta["name"]
        return _file(out, f"{_stem(display)}.校验结果{out.suffix}")

    async def download_report(request: Request) -> Response:
        job = store.get(request.path_params["token"])
        if job is None or not job.input.exists():
            return gone()
        meta = job.meta
        docx = job.path(J.REPORT)
        if not docx.exists():
            try:
                await in_worker(_report_job, job, meta["profile"])
            except J.Busy:
                return busy()
            except _Refused as e:
                return error_page(422, _user_message(str(e), job, meta["name"]), "无法生成报告")
            except Exception:
                log.exception("report failed")
                return error_page(500, "生成报告时出现意外错误，已记录在服务器日志中。请稍后重试。", "出错了")
        return _file(docx, f"{_stem(meta['name'])}.自评报告.docx")

    def _report_job(job: J.Job, profile_id: str) -> None:
        from perfeval.core.profile import ProfileError
        from perfeval.io.safety import InputFileError
        from perfeval.narrative.render import NarrativeError
        from perfeval.report.errors import ReportError
        from perfeval.service import report_file

        made = job.path(f"report-{secrets.token_hex(4)}.docx")
        try:
            report_file(job.input, _profile_by_id(profile_id), made, force=True)
        except (InputFileError, ProfileError, NarrativeError, ReportError) as e:
            raise _Refused(str(e)) from None
        os.replace(made, job.path(J.REPORT))

    async def export(request: Request) -> Response:
        job = store.get(request.path_params["token"])
        if job is None or not job.input.exists():
            return gone()
        meta = job.meta
        try:
            async with request.form(max_files=0, max_fields=4, max_part_size=SMALL_BODY) as form:
                force = form.get("force") == "1"
                reason = str(form.get("reason") or "").strip()
        except TooLarge:
            return error_page(413, "提交的内容太长。", "无法导出")
        except HTTPException:
            return error_page(400, "提交的表单无法读取，请回到结果页重新点“导出报送”。", "无法导出")
        if force and not reason:
            return page("refused.html", 400, token=job.token, errors=[], need_reason=True, name=meta["name"])
        try:
            name = await in_worker(_export_job, job, meta["profile"], force, reason)
        except J.Busy:
            return busy()
        except _ExportRefused as e:
            return page(
                "refused.html", 409, token=job.token, errors=e.errors, need_reason=False, name=meta["name"]
            )
        except _Refused as e:
            return error_page(422, _user_message(str(e), job, meta["name"]), "无法导出")
        except Exception:
            log.exception("export failed")
            return error_page(500, "导出时出现意外错误，已记录在服务器日志中。请稍后重试。", "出错了")
        return RedirectResponse(f"/d/{job.token}/package.zip?n={quote(name)}", status_code=303)

    def _export_job(job: J.Job, profile_id: str, force: bool, reason: str) -> str:
        from perfeval.core.profile import ProfileError
        from perfeval.export.package import ExportError, ExportRefused
        from perfeval.io.safety import InputFileError
        from perfeval.narrative.render import NarrativeError
        from perfeval.service import export_file

        scratch = Path(tempfile.mkdtemp(prefix="export-", dir=job.folder))
        try:
            try:
                res = export_file(
                    job.input,
                    _profile_by_id(profile_id),
                    scratch,
                    force=force,
                    reason=reason or None,
                    source_name=job.meta["name"],
                )
            except ExportRefused as e:
                raise _ExportRefused(e.errors) from None
            except (InputFileError, ProfileError, NarrativeError, ExportError) as e:
                raise _Refused(str(e)) from None
            made = job.path(f"package-{secrets.token_hex(4)}.zip")
            with zipfile.ZipFile(made, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in res.files:
                    zf.write(f, f"{res.folder.name}/{f.name}")
            os.replace(made, job.path(J.PACKAGE))
            (job.folder / "package.name").write_text(res.folder.name, encoding="utf-8")
            return res.folder.name
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    async def download_package(request: Request) -> Response:
        job = store.get(request.path_params["token"])
        if job is None or not job.path(J.PACKAGE).exists():
            return gone()
        name = (job.folder / "package.name").read_text(encoding="utf-8")
        return _file(job.path(J.PACKAGE), f"{name}.zip")

    async def delete(request: Request) -> Response:
        job = store.get(request.path_params["token"])
        if job is not None:
            job.delete()
        return page("deleted.html")

    # --- the bureau's review of many workbooks (perfeval review on the uploads)
    async def review_home(request: Request) -> Response:
        store.sweep()
        return page(
            "review_home.html",
            profiles=profiles,
            max_mb=settings.review_max_bytes // (1024 * 1024),
            max_files=settings.review_max_files,
            expiry_minutes=settings.expiry_seconds // 60,
        )

    async def review_upload(request: Request) -> Response:
        from perfeval.web import batch as B

        try:
            async with request.form(
                max_files=settings.review_max_files + 1, max_fields=8, max_part_size=SMALL_BODY
            ) as form:
                try:
                    prof = _profile_by_id(str(form.get("profile") or ""))
                except ValueError:
                    return error_page(400, "所选的评分口径不是本工具自带的口径，请在列表中重新选择。")
                uploads = B.uploads_of(form.getlist("workbooks"))
                last = B.uploads_of([form.get("previous")])
                if not uploads:
                    return error_page(
                        400,
                        "没有收到文件。请选择各单位的工作簿（可以多选）、存放它们的文件夹，或一个 zip 压缩包。",
                    )
                try:
                    job = store.create()
                except J.Busy:
                    return busy()
                try:
                    meta = await anyio.to_thread.run_sync(_pack_review, job, uploads, last)
                except B.BatchRefused as e:
                    job.delete()
                    return error_page(400, str(e), "无法复核")
                except OSError:
                    job.delete()
                    log.exception("saving a review's uploads failed")
                    return error_page(
                        500,
                        "保存上传的文件时出错（服务器磁盘可能已满），已记录在服务器日志中。请稍后重试。",
                        "出错了",
                    )
        except TooLarge:
            return error_page(413, too_large_message(settings.review_max_bytes, True), "文件太大")
        except HTTPException as e:
            return error_page(400, f"上传的表单无法读取（{_review_form_problem(e.detail)}）。")
        job.write_meta({**meta, "kind": "review", "profile": prof.id if prof else ""})
        B.write_status(job.folder, B.Status("running"))

        def render(run) -> str:
            return env.get_template("review.html").render(
                v=B.batch_view(run, meta["name"]),
                token=job.token,
                summary_name=f"{_stem(meta['name'])}.复核汇总.xlsx",
                expiry_minutes=settings.expiry_seconds // 60,
                version=__version__,
                bureau=bool(settings.access_code),
            )

        def user_message(message: str) -> str:
            for disk, shown in (
                (B.BATCH, meta["name"]),
                (meta.get("previous") or "", meta.get("previous_name")),
            ):
                if disk and shown:
                    message = message.replace(disk, shown)
            return _user_message(message.replace(str(job.folder) + os.sep, ""), None, "")

        started = B.start(
            lambda: B.run_batch(job, prof.id if prof else None, settings.review_jobs, render, user_message)
        )
        if not started:
            job.delete()
            return error_page(503, "服务器正在复核另一批工作簿，请等几分钟再上传。", "请稍后再试")
        return RedirectResponse(f"/b/{job.token}", status_code=303)

    def _pack_review(job: J.Job, uploads, last) -> dict[str, str]:
        from perfeval.web import batch as B

        meta = {"name": B.pack_uploads(job.path(B.BATCH), uploads)}
        if last:
            name, f = last[0]
            suffix = ".zip" if name.lower().endswith(".zip") else ".xlsx"
            with open(job.path("previous" + suffix), "wb") as out:
                shutil.copyfileobj(f, out, 1024 * 1024)
            meta |= {"previous": "previous" + suffix, "previous_name": J.display_name(name)}
        return meta

    async def review_result(request: Request) -> Response:
        from perfeval.web import batch as B

        job = store.get(request.path_params["token"])
        status = B.read_status(job.folder) if job is not None else None
        if job is None or status is None:
            return gone()
        if status.state == "done" and (job.folder / J.PAGE).exists():
            return HTMLResponse((job.folder / J.PAGE).read_text(encoding="utf-8"))
        if status.state == "failed":
            return error_page(422, status.message, "无法复核")
        if status.stalled:
            return error_page(500, "复核中断了（服务器可能重新启动过）。请重新上传这批文件。", "复核中断")
        return page("review_wait.html", state=status, name=job.meta["name"])

    async def download_summary(request: Request) -> Response:
        from perfeval.web import batch as B

        job = store.get(request.path_params["token"])
        if job is None or not job.path(B.SUMMARY).exists():
            return gone()
        return _file(job.path(B.SUMMARY), f"{_stem(job.meta['name'])}.复核汇总.xlsx")

    async def download_lines(request: Request) -> Response:
        from perfeval.web import batch as B

        job = store.get(request.path_params["token"])
        if job is None or not job.path(B.LINES).exists():
            return gone()
        return _file(job.path(B.LINES), f"{_stem(job.meta['name'])}.复核汇总.jsonl")

    async def login(request: Request) -> Response:
        nxt = request.query_params.get("next", "/")
        if not nxt.startswith("/") or nxt.startswith("//"):
            nxt = "/"  # only our own pages: no redirect to another site
        if request.method == "GET" or not settings.access_code:
            return page("login.html", next=nxt, wrong=False)
        try:
            async with request.form(max_files=0, max_fields=4, max_part_size=SMALL_BODY) as form:
                code = str(form.get("code") or "")
        except (TooLarge, HTTPException):
            code = ""
        if not hmac.compare_digest(code.encode(), settings.access_code.encode()):
            await anyio.sleep(1)  # slows guessing down
            return page("login.html", 401, next=nxt, wrong=True)
        response = RedirectResponse(nxt, status_code=303)
        response.set_cookie(
            COOKIE,
            access_cookie(settings),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=12 * 3600,
        )
        return response

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        if status == 405:
            return error_page(405, "这个地址不能这样访问。请从首页重新开始。", "无法处理")
        if status == 404:
            return error_page(404, "没有这个页面。请从首页重新开始。", "找不到页面")
        return error_page(status, "请求无法处理。请从首页重新开始。", "无法处理")

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("unexpected error", exc_info=exc)
        return error_page(500, "出现意外错误，已记录在服务器日志中。请稍后重试。", "出错了")

    token = "{token:str}"
    routes = [
        Route("/", home),
        Route("/template", template),
        Route("/check", check, methods=["POST"]),
        Route(f"/r/{token}", result),
        Route(f"/d/{token}/result", download_result),
        Route(f"/d/{token}/report", download_report),
        Route(f"/d/{token}/export", export, methods=["POST"]),
        Route(f"/d/{token}/package.zip", download_package),
        Route(f"/d/{token}/delete", delete, methods=["POST"]),
        Route("/review", review_home),
        Route("/review", review_upload, methods=["POST"]),
        Route(f"/b/{token}", review_result),
        Route(f"/d/{token}/summary", download_summary),
        Route(f"/d/{token}/summary.jsonl", download_lines),
        Route("/login", login, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: not_found, 500: server_error},
    )
    store.sweep(force=True)
    wrapped: ASGIApp = app
    if settings.access_code:
        wrapped = AccessCode(wrapped, access_cookie(settings))
    wrapped = BodyLimit(
        wrapped, {"/check": settings.max_bytes, "/review": settings.review_max_bytes}, error_page
    )
    return SecurityHeaders(wrapped)


def app_from_env() -> ASGIApp:
    """The factory uvicorn's worker processes call (serve passes the settings in the environment)."""
    return create_app(Settings.from_env())


class _Refused(Exception):
    """A file job refused with a Chinese message for the user."""


class _ExportRefused(Exception):
    def __init__(self, errors: list) -> None:
        super().__init__("errors remain")
        self.errors = errors


def _review_form_problem(detail: object) -> str:
    if "files" in str(detail).lower():
        return "文件太多：请把各单位的工作簿压缩成一个 zip 后上传"
    return "内容不完整或格式不对，请重新选择文件后上传"


def _form_problem(detail: object) -> str:
    text = str(detail)
    if "files" in text.lower():
        return "一次只能上传一个文件"
    if "fields" in text.lower():
        return "表单项太多"
    return "内容不完整或格式不对"


async def _save_upload(upload, target: Path, limit: int) -> None:
    """Copy the upload into its folder, refusing it past `limit` bytes."""
    size = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := await upload.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                raise TooLarge
            out.write(chunk)


def _disposition(name: str) -> str:
    """attachment; an ASCII fallback name and the real one (RFC 6266/5987) for every browser."""
    suffix = Path(name).suffix
    fallback = (
        name if re.fullmatch(r"[A-Za-z0-9._-]+", name) else f"perfeval{suffix if suffix.isascii() else ''}"
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _file(path: Path, name: str) -> FileResponse:
    return FileResponse(path, headers={"content-disposition": _disposition(name)}, media_type=_media(path))


def _media(path: Path) -> str:
    return {
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".zip": "application/zip",
        ".jsonl": "application/x-ndjson; charset=utf-8",
    }.get(path.suffix, "application/octet-stream")


def _make_template(kind: str, profile_id: str, unit: str, year: str) -> tuple[bytes, str]:
    """The blank workbook `perfeval new` makes for a kind and profile (with unit and year typed in), and
    its download name. ValueError: a Chinese message."""
    from perfeval.core.parse import parse_year
    from perfeval.core.profile import default_profile
    from perfeval.service import form_names, new_file

    forms = cat.kind_forms(kind)
    if forms is None:
        raise ValueError(f"未知的工作簿内容“{kind}”，请在列表中选择。")
    try:
        prof = _profile_by_id(profile_id)
    except ValueError:
        raise ValueError("所选的评分口径不是本工具自带的口径，请在列表中重新选择。") from None
    used = prof or default_profile()
    if not forms <= used.forms:
        have = "、".join(form_names(used.forms))
        raise ValueError(f"评分口径“{used.name}”只有{have}的表式，请另选工作簿内容或评分口径。")
    unit = unit.strip()[:100]
    year_value: int | None = None
    if year.strip():
        if not (year.strip().isdigit() and parse_year(int(year.strip())).ok):
            raise ValueError(f"年度应为四位数字，如 2024（收到“{year.strip()[:20]}”）。")
        year_value = int(year.strip())
    with tempfile.TemporaryDirectory(prefix="perfeval-new-") as tmp:
        out = Path(tmp) / "new.xlsx"
        new_file(out, prof, forms, unit=unit or None, year=year_value)
        content = out.read_bytes()
    head = f"{unit}{year_value or ''}" if unit or year_value else ""
    name = J.display_name(f"{head}{cat.kind_text(forms)}绩效自评.xlsx")
    return content, name
