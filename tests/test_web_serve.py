"""`perfeval serve` as the bureau runs it: uvicorn with two worker processes and an access code, started by
the command itself in a subprocess. A download may reach the other worker than the check: the uploads'
folders are shared, not in memory."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.test_web import TAOJIANG, XLSX
from tests.web_server import free_port

CODE = "内网2024"


def test_two_workers_share_uploads_and_clean_up(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # serve's private folder lands here, so we can see it go
    command = [sys.executable, "-m", "perfeval", "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        [*command, "--access-code", CODE], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert time.time() < deadline, "serve did not start"
                time.sleep(0.2)
        roots = [p for p in tmp_path.iterdir() if p.name.startswith("perfeval-web-")]
        assert len(roots) == 1
        with httpx.Client(base_url=base, timeout=120) as c:
            assert c.get("/", follow_redirects=False).status_code == 303  # the code is asked for first
            assert c.post("/login", data={"code": CODE}, follow_redirects=False).status_code == 303
            tokens = []
            for _ in range(3):
                with open(TAOJIANG, "rb") as f:
                    r = c.post("/check", files={"workbook": (TAOJIANG.name, f, XLSX)}, follow_redirects=False)
                assert r.status_code == 303, r.text
                tokens.append(re.fullmatch(r"/r/(\S+)", r.headers["location"]).group(1))
            # Each link several times: with two workers, some of these land on the one that did not check.
            for token in tokens:
                for _ in range(3):
                    assert c.get(f"/r/{token}").status_code == 200
                    d = c.get(f"/d/{token}/result")
                    assert d.status_code == 200 and d.content[:2] == b"PK"
            assert len(list(roots[0].iterdir())) == 3
    finally:
        proc.send_signal(signal.SIGTERM)  # what a service manager sends
        out, _ = proc.communicate(timeout=30)
    assert "绩效自评网页已启动" in out
    assert not roots[0].exists()  # every upload goes with the server
    assert proc.returncode == 0


def test_port_in_use_is_a_chinese_message() -> None:
    from perfeval.web.server import ServeError, serve

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError) as e:
            serve("127.0.0.1", port)
        # the command says it and exits 2, without a traceback
        run = subprocess.run(
            [sys.executable, "-m", "perfeval", "serve", "--port", str(port)], capture_output=True, text=True
        )
    assert f"端口 {port} 已被占用" in str(e.value) and "--port" in str(e.value)
    assert run.returncode == 2 and f"端口 {port} 已被占用" in run.stderr and "Traceback" not in run.stderr
    with pytest.raises(ServeError) as e:
        serve("192.0.2.1", free_port())  # TEST-NET-1: never an address of this machine
    assert "不属于本机" in str(e.value)
