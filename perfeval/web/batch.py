"""The bureau view's file job: the uploads packed into one zip, `perfeval review` run on it in the background
with its progress on disk, and what the page shows of the result. No web library here: the routes in
perfeval.web.app call it, and it is tested like any other function.

The progress lives in the job's folder (not in memory) so that every worker process of one server can show
the page of a review another worker runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from perfeval.web import jobs as J

if TYPE_CHECKING:
    from perfeval.review.job import ReviewRun

BATCH = "batch.zip"  # every upload of a review, as one zip (a zip upload is kept as it came)
SUMMARY = "summary.xlsx"
LINES = "summary.jsonl"
STATUS = "status.json"
EXCEL = (".xlsx", ".xlsm", ".xls", ".et")
STALL_SECONDS = 15 * 60  # a running review that has not moved for this long died with its server process
_PART_RE = re.compile(r"[\x00-\x1f\x7f<>:*?\"|]")
_ABSOLUTE_RE = re.compile(r"[A-Za-z]:[\\/]|[\\/]")
_OTHER_ARCHIVES = (".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz")


class BatchRefused(Exception):
    """The uploads cannot be reviewed; str() is a Chinese message for the page."""


# --- the uploads ------------------------------------------------------------------------------------------
def relative_name(filename: str) -> str:
    """An upload's path as the browser sent it (a folder pick sends 各单位/教育局/a.xlsx), cleaned part by part:
    no empty, "." or ".." part, no character a file name may not hold. "" when nothing is left."""
    parts = []
    if _ABSOLUTE_RE.match(filename or ""):  # old browsers send C:\Users\…\甲.xlsx: no folder of the upload
        filename = re.split(r"[\\/]", filename)[-1]
    for part in re.split(r"[\\/]", filename or ""):
        part = _PART_RE.sub("", part).strip().rstrip(".")
        if part and part not in (".", ".."):
            parts.append(part[:80])
    return "/".join(parts)


def _without_picked_folder(names: list[str]) -> list[str]:
    """A folder pick names every file under the folder picked (各单位/…): drop it, as if that folder had been
    given to `perfeval review`, so that its subfolders are the 主管部门."""
    parts = [n.split("/") for n in names]
    if parts and all(len(p) > 1 for p in parts) and len({p[0] for p in parts}) == 1:
        return ["/".join(p[1:]) for p in parts]
    return names


def pack_uploads(target: Path, uploads: list[tuple[str, IO[bytes]]]) -> str:
    """Write the uploads (name as sent, readable file) as the review's input at `target` and return the name
    the user knows it by: one .zip is kept as it came; Excel files (any number, or a folder's) go into one
    zip under their relative names. Other files are left out; BatchRefused when nothing is left to review."""
    named = [(relative_name(name), f) for name, f in uploads]
    named = [(n, f) for n, f in named if n]
    zips = [(n, f) for n, f in named if n.lower().endswith(".zip")]
    books = [(n, f) for n, f in named if n.lower().endswith(EXCEL)]
    if zips and (len(zips) > 1 or books):
        raise BatchRefused(
            "请只上传一个压缩包，或者只上传工作簿（可以多选，也可以选整个文件夹），不要混在一起。"
            "有多个压缩包时，请解压到同一个文件夹后选择该文件夹。"
        )
    if zips:
        name, f = zips[0]
        with open(target, "wb") as out:
            shutil.copyfileobj(f, out, 1024 * 1024)
        return PurePosixPath(name).name
    if not books:
        if any(n.lower().endswith(_OTHER_ARCHIVES) for n, _ in named):
            raise BatchRefused(
                "压缩包只支持 zip 格式。请把 .rar、.7z 等压缩包先解压，再选择解压出的文件夹上传，"
                "或重新压缩成 zip（Windows 中右键文件夹→“发送到”→“压缩(zipped)文件夹”）。"
            )
        raise BatchRefused(
            "没有收到 Excel 工作簿（.xlsx）。请选择各单位的工作簿（可以多选），或选择存放它们的文件夹，"
            "或上传一个 zip 压缩包。"
        )
    names = _without_picked_folder([n for n, _ in books])
    seen: set[str] = set()
    # Stored, not deflated: an .xlsx is a zip already and would not get smaller.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        for name, (_, f) in zip(names, books, strict=True):
            name = _unique(name, seen)
            with zf.open(name, "w", force_zip64=True) as member:
                shutil.copyfileobj(f, member, 1024 * 1024)
    top = {n.split("/")[0] for n, _ in books}
    picked = top.pop() if len(top) == 1 and all("/" in n for n, _ in books) else ""
    return picked or f"{len(books)} 个工作簿"


def _unique(name: str, seen: set[str]) -> str:
    """Two uploads of one name (a.xlsx picked from two folders) both stay: the second is a(2).xlsx."""
    stem, dot, suffix = name.rpartition(".")
    candidate, n = name, 1
    while candidate.lower() in seen:
        n += 1
        candidate = f"{stem}({n}){dot}{suffix}"
    seen.add(candidate.lower())
    return candidate


# --- progress on disk -----------------------------------------------------------------------------------
@dataclass
class Status:
    state: str  # "running", "done" or "failed"
    total: int = 0
    done: int = 0
    message: str = ""  # the Chinese reason when failed
    updated: float = field(default_factory=time.time)

    @property
    def stalled(self) -> bool:
        return self.state == "running" and time.time() - self.updated > STALL_SECONDS


def write_status(folder: Path, status: Status) -> None:
    status.updated = time.time()
    tmp = folder / (STATUS + ".tmp")
    tmp.write_text(json.dumps(status.__dict__, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / STATUS)


def read_status(folder: Path) -> Status | None:
    try:
        return Status(**json.loads((folder / STATUS).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


class Progress:
    """review()'s progress callback: the count on disk, at most a few times a second, and always the last."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.status = Status("running")
        self._written = 0.0

    def __call__(self, total: int, name: str) -> None:
        if total:
            self.status.total = total
        if name:
            self.status.done += 1
        now = time.monotonic()
        if now - self._written >= 0.25 or self.status.done >= self.status.total:
            self._written = now
            write_status(self.folder, self.status)
            os.utime(self.folder / J.META)  # a long review is not swept away as expired while it runs


# --- the job ----------------------------------------------------------------------------------------------
def run_batch(
    job: J.Job,
    profile: str | None,
    jobs: int | None,
    render: Callable[[ReviewRun], str],
    user_message: Callable[[str], str],
) -> None:
    """Review the job's batch.zip (and its previous year, when uploaded) and leave in its folder the summary
    workbook, the JSON lines, the page (from `render`) and the final status. Never raises: a refusal or an
    unexpected error becomes the failed status the page shows."""
    import logging

    from perfeval.core.profile import ProfileError
    from perfeval.io.safety import InputFileError
    from perfeval.review.job import review
    from perfeval.review.table import json_lines

    meta = job.meta
    progress = Progress(job.folder)
    write_status(job.folder, progress.status)
    previous = job.path(meta["previous"]) if meta.get("previous") else None
    try:
        run = review(
            job.path(BATCH),
            job.path(SUMMARY),
            profile,
            jobs,
            progress=progress,
            previous=previous,
            start_method="spawn",  # the server has threads of its own: a forked worker would copy their locks
            source_name=meta["name"],
        )
        job.path(LINES).write_text(
            "".join(line + "\n" for line in json_lines(run.rows, run.skipped)), encoding="utf-8"
        )
        (job.folder / J.PAGE).write_text(render(run), encoding="utf-8")
    except (InputFileError, ProfileError) as e:
        progress.status.state, progress.status.message = "failed", user_message(str(e))
    except Exception:
        logging.getLogger("perfeval.web").exception("review failed")
        progress.status.state = "failed"
        progress.status.message = (
            "复核时出现意外错误，已记录在服务器日志中。请稍后重试，或把压缩包发给管理员。"
        )
    else:
        progress.status.state = "done"
    finally:
        for name in (BATCH, meta.get("previous") or ""):  # the units' files are not kept past their review
            if name:
                job.path(name).unlink(missing_ok=True)
    try:
        write_status(job.folder, progress.status)
        os.utime(job.folder / J.META)  # the downloads' time counts from when the summary is ready
    except OSError:  # the user deleted the job (or it expired) while it ran: nothing is left to tell
        pass


_running = threading.BoundedSemaphore(1)  # one review at a time per server process: it takes every core


def start(target: Callable[[], None]) -> bool:
    """Run `target` in a background thread unless a review runs already in this process (False)."""
    if not _running.acquire(blocking=False):
        return False

    def body() -> None:
        try:
            target()
        finally:
            _running.release()

    threading.Thread(target=body, name="perfeval-review", daemon=True).start()
    return True


# --- what the page shows ------------------------------------------------------------------------------
@dataclass
class UnitLine:
    unit: str
    file: str  # as named in the upload: two files of one unit stay apart
    department: str
    what: str  # 部门整体, or the project's name
    execution_rate: str
    typed_score: str
    score: str
    grade: str
    errors: int
    warnings: int
    infos: int
    warning: str
    flags: list[str]
    css: str  # "error", "warning" or ""


@dataclass
class BatchView:
    name: str
    files: int  # workbooks reviewed
    units: int
    skipped: list[tuple[str, str]]
    with_errors: int
    counts: list[tuple[str, int]]  # flag or 预警 -> rows
    lines: list[UnitLine]
    rules: list[tuple[str, str, str, int, int]]  # rule, title, severity, units, findings
    yoy: int | None  # rows of 同比, when last year was given


def _pct(v: object) -> str:
    return f"{v:.2%}" if isinstance(v, float) and v == v else ""


def _num(v: object) -> str:
    return f"{v:.2f}" if isinstance(v, float) and v == v else ""


FLAG_NAMES = (
    ("full_marks", "自评满分"),
    ("full_but_unspent", "满分但有结余"),
    ("score_ahead", "得分高于执行"),
    ("similar_text", "文字雷同"),
)


def batch_view(run: ReviewRun, name: str, top: int = 10) -> BatchView:
    """The page's figures, all taken from the review's own tables (the summary workbook's 汇总 and 问题分布)."""
    from perfeval.review.table import YES

    rows = run.rows  # 汇总's rows as summary_records made them (None where the frame holds NaN)
    lines = []
    for r in rows:
        flags = [label for key, label in FLAG_NAMES if r[key] == YES or (key == "similar_text" and r[key])]
        lines.append(
            UnitLine(
                unit=str(r["unit"]),
                file=str(r["file"]),
                department=str(r["department"] or ""),
                what=str(r["project"] or r["kind"]),
                execution_rate=_pct(r["execution_rate"]),
                typed_score=_num(r["typed_score"]),
                score=_num(r["score"]),
                grade=str(r["grade"] or ""),
                errors=int(r["errors"]),
                warnings=int(r["warnings"]),
                infos=int(r["infos"]),
                warning=str(r["warning"]),
                flags=flags,
                css="error" if r["errors"] else ("warning" if r["warnings"] else ""),
            )
        )
    warnings = Counter(w for r in rows for w in str(r["warning"]).split("、") if w in ("红色", "黄色"))
    counts = [(f"{w}预警", warnings[w]) for w in ("红色", "黄色")]
    counts += [(label, sum(1 for line in lines if label in line.flags)) for _, label in FLAG_NAMES]
    return BatchView(
        name=name,
        files=len(run.records),
        units=len({rec.unit for rec in run.records}),
        skipped=[(s.name, s.reason) for s in run.skipped],
        with_errors=len({r["file"] for r in rows if r["errors"]}),
        counts=counts,
        lines=lines,
        rules=[
            (str(r.rule), str(r.title), str(r.severity), int(r.units), int(r.findings))
            for r in (run.rules.head(top).itertuples() if run.rules is not None else ())
        ],
        yoy=len(run.extra["同比"]) if "同比" in run.extra else None,  # type: ignore[arg-type]
    )


def uploads_of(form_files: Iterable[object]) -> list[tuple[str, IO[bytes]]]:
    """(name as sent, file) of every file part of a parsed form (starlette's UploadFile has both)."""
    return [(f.filename, f.file) for f in form_files if getattr(f, "filename", None)]  # type: ignore[attr-defined]
