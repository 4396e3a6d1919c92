"""Test-wide settings: xlwings' remote engine (the Excel stand-in) needs its licence key before import."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.web_server import LiveServer

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The web page on a real server, one per test module."""
    from tests.web_server import LiveServer

    server = LiveServer(tmp_path_factory.mktemp("web") / "jobs")
    yield server
    server.stop()
