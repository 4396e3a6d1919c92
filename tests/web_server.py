"""A real uvicorn server running create_app on a free loopback port, for the web tests (the `live` fixture
in conftest.py gives each test module its own)."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from perfeval.web.app import create_app
from perfeval.web.settings import Settings

LIMIT = 2 * 1024 * 1024  # the test servers' upload limit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """create_app on uvicorn in a thread, on 127.0.0.1 only."""

    def __init__(self, root: Path, **settings) -> None:
        self.root = root
        self.settings = Settings(root=root, max_bytes=LIMIT, **settings)
        self.port = free_port()
        config = uvicorn.Config(
            create_app(self.settings),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            server_header=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            assert time.time() < deadline, "server did not start"
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, follow_redirects=False)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def jobs(self) -> list[Path]:
        return list(self.root.iterdir())
