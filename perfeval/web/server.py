"""`perfeval serve`: run the web page on uvicorn. Imported only by that command (lazily), so that the CLI's
other commands and the Excel ribbon never load a web library."""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path

from perfeval.web.settings import ENV_VAR, Settings


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


class ServeError(Exception):
    """The page cannot be served; str() is a Chinese message for the user."""


def _check_address(host: str, port: int) -> None:
    """Say in Chinese what uvicorn would only log in English: the port is taken or the address is not ours."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise ServeError(f"无法识别地址“{host}”。请用 --host 127.0.0.1（仅本机）或本机的 IP 地址。") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"无法在 {host}:{port} 上启动网页：端口 {port} 已被占用（可能已有一个 perfeval serve 在运行）。"
                    f"请直接打开 http://127.0.0.1:{port}/，或用 --port 换一个端口（如 --port {port + 1}）。"
                ) from None
            if e.errno == errno.EACCES:
                raise ServeError(
                    f"无法在 {host}:{port} 上启动网页：没有使用端口 {port} 的权限。请用 1024 以上的端口，如 --port 8765。"
                ) from None
            raise ServeError(
                f"无法在 {host}:{port} 上启动网页：地址“{host}”不属于本机。"
                "请用 --host 127.0.0.1（仅本机）、--host 0.0.0.0（所有网卡）或本机的 IP 地址。"
            ) from None


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = False,
    workers: int = 1,
    access_code: str | None = None,
    *,
    max_mb: int = 20,
    review_max_mb: int = 300,
    expiry_minutes: int = 30,
    log_level: str = "warning",  # uvicorn's English start-up lines are for an administrator who asks
) -> None:
    """Serve the page until interrupted. Uploads live in a private temporary folder made here and deleted
    on exit; with several workers they share it (a download may reach another worker than its check).
    ServeError (Chinese) when the address cannot be used."""
    import uvicorn

    _check_address(host, port)
    root = Path(tempfile.mkdtemp(prefix="perfeval-web-"))  # 0700
    settings = Settings(
        root=root,
        max_bytes=max_mb * 1024 * 1024,
        review_max_bytes=review_max_mb * 1024 * 1024,
        expiry_seconds=expiry_minutes * 60,
        access_code=access_code or None,
        secret=secrets.token_hex(32),
    )
    os.environ[ENV_VAR] = settings.to_env()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/"
    print(f"绩效自评网页已启动：{url}（按 Ctrl+C 停止）", flush=True)
    if not _is_loopback(host):
        print(f"其他电脑请用本机的 IP 地址或域名访问（端口 {port}）。", flush=True)
        if access_code:
            print("单位内网模式：打开网页须输入访问码。", flush=True)
        else:
            print(
                "注意：网页对网络中的其他电脑开放且没有设置访问码；在单位内网使用时建议加 --access-code。",
                file=sys.stderr,
                flush=True,
            )
    if open_browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    # uvicorn re-raises the SIGTERM it caught once it has shut down; by default that would end the process
    # before the finally below, leaving the uploads on disk. Turned into SystemExit, it runs the finally.
    with contextlib.suppress(ValueError):  # not the main thread: the caller handles signals
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(
            "perfeval.web.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=max(1, workers),
            log_level=log_level,
            server_header=False,
            proxy_headers=True,  # behind the bureau's HTTPS proxy (on this host): https URLs, secure cookies
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
