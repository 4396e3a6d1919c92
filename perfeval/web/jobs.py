"""One folder per upload, named by an unguessable token: the only place an upload and what is made from it
live. The folder is private (0700), holds no name the user chose, and is deleted when the upload is refused,
when the user deletes it, or when it expires. Kept on disk, not in memory, so that every worker process of
one server finds the downloads of an upload another worker checked."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32}")
INPUT_STEM = "workbook"  # the upload on disk; the user's name is only shown, never used as a path
META = "meta.json"
PAGE = "page.html"
RESULT = "result.xlsx"
REPORT = "report.docx"
PACKAGE = "package.zip"
_SUFFIX_RE = re.compile(r"\.[A-Za-z0-9]{1,8}")
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f<>\\/:*?\"|]")


class Busy(Exception):
    """Too many uploads are kept already."""


def display_name(filename: str | None) -> str:
    """The upload's name as the user knows it, for messages and download names: its last path part (old
    browsers send C:\\Users\\…\\x.xlsx), without characters no file name may hold, at most 80 characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = _BAD_CHARS.sub("", name).strip().strip(".")
    if len(name) > 80:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 80 - len(suffix) - 2] + "…" + dot + suffix) if dot and len(suffix) <= 8 else name[:80]
    return name or "工作簿.xlsx"


def disk_suffix(filename: str) -> str:
    """The upload's extension when it is a plain one (the file checks word their message by it), else ""."""
    suffix = Path(filename).suffix
    return suffix.lower() if _SUFFIX_RE.fullmatch(suffix) else ""


@dataclass
class Job:
    token: str
    folder: Path

    @property
    def meta(self) -> dict:
        return json.loads((self.folder / META).read_text(encoding="utf-8"))

    def write_meta(self, meta: dict) -> None:
        tmp = self.folder / (META + ".tmp")
        tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.folder / META)

    @property
    def input(self) -> Path:
        return self.folder / (INPUT_STEM + self.meta["suffix"])

    def path(self, name: str) -> Path:
        return self.folder / name

    def delete(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class JobStore:
    def __init__(self, root: Path, expiry_seconds: int, max_jobs: int) -> None:
        self.root = root
        self.expiry = expiry_seconds
        self.max_jobs = max_jobs
        self._last_sweep = 0.0
        root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def create(self) -> Job:
        self.sweep()
        if sum(1 for _ in self.root.iterdir()) >= self.max_jobs:
            raise Busy
        token = secrets.token_urlsafe(24)  # 32 characters, 192 bits
        folder = self.root / token
        folder.mkdir(mode=0o700)
        return Job(token, folder)

    def get(self, token: str) -> Job | None:
        """The job of a token, or None: unknown, malformed or expired tokens alike."""
        if not TOKEN_RE.fullmatch(token):
            return None
        folder = self.root / token
        try:
            made = (folder / META).stat().st_mtime
        except OSError:
            return None
        if time.time() - made > self.expiry:
            shutil.rmtree(folder, ignore_errors=True)
            return None
        return Job(token, folder)

    def sweep(self, force: bool = False) -> None:
        """Delete the folders of expired uploads (and of uploads that never got their meta, after a while)."""
        now = time.time()
        if not force and now - self._last_sweep < 30:
            return
        self._last_sweep = now
        try:
            entries = list(self.root.iterdir())
        except OSError:
            return
        for folder in entries:
            try:
                made = (folder / META).stat().st_mtime
            except OSError:
                try:
                    made = folder.stat().st_mtime + 600  # a check still running gets ten more minutes
                except OSError:
                    continue
            if now - made > self.expiry:
                shutil.rmtree(folder, ignore_errors=True)
