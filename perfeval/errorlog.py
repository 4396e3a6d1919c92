"""Where unexpected errors go: users never see a traceback, only a Chinese message naming this file."""

from __future__ import annotations

import tempfile
import traceback
from datetime import datetime
from pathlib import Path


def write_error_log(context: str) -> Path:
    """Write the current exception's traceback (call inside `except`) and return the log's path."""
    log = Path(tempfile.gettempdir()) / "perfeval-error.log"
    stamp = datetime.now().isoformat(timespec="seconds")
    log.write_text(f"{stamp} {context}\n{traceback.format_exc()}", encoding="utf-8")
    return log
