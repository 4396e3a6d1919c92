"""What a running web server is set up with; passed to worker processes through one environment variable."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

ENV_VAR = "PERFEVAL_WEB_SETTINGS"


@dataclass(frozen=True)
class Settings:
    root: Path  # every upload gets its own folder under it; no other file is ever served from it
    max_bytes: int = 20 * 1024 * 1024  # one workbook; a filled template is well under 1 MB
    review_max_bytes: int = 300 * 1024 * 1024  # one bureau review: a county's workbooks, zipped or not
    review_max_files: int = 5000  # files in one review upload (a zip may hold more)
    review_jobs: int | None = None  # processes a review checks with; None: one per core
    expiry_seconds: int = 30 * 60  # how long the downloads of one upload stay available
    max_jobs: int = 500  # uploads kept for download at once; more are refused as 繁忙
    max_waiting: int = 16  # checks queued in one process before a new upload is refused as 繁忙
    access_code: str | None = None  # bureau mode: a shared code the page asks for first
    secret: str = ""  # signs the access cookie; shared by the workers of one server

    def to_env(self) -> str:
        data = asdict(self)
        data["root"] = str(self.root)
        return json.dumps(data)

    @classmethod
    def from_env(cls) -> Settings:
        data = json.loads(os.environ[ENV_VAR])
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        data["root"] = Path(data["root"])
        return cls(**data)
