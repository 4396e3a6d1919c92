"""The web page under load: checks of the 桃江 example per second with 1 and 2 workers, and how long a user
waits from upload to result page; print the figures.

    python benchmarks/web_throughput.py [--requests N] [--clients C] [--workers 1,2]

For each worker count, `perfeval.web.server.serve` runs in a subprocess on a free loopback port. First one
user alone uploads the example several times (upload → 303 → result page: the wait a user sees; median and
worst). Then C users at once send N uploads in all (each followed to its result page): checks per second.
Every upload is deleted after use. Only prints: wall-clock times depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TAOJIANG = ROOT / "examples" / "桃江县科协2023.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); from perfeval.web.server import serve; "
        f"serve('127.0.0.1', {port}, False, {workers}, None, log_level='warning')"
    )
    env = {**os.environ, "XLWINGS_LICENSE_KEY": os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial")}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            httpx.get(base + "/", timeout=2)
            return proc, base
        except httpx.TransportError:
            if proc.poll() is not None or time.time() > deadline:
                raise SystemExit("服务未能启动") from None
            time.sleep(0.2)


def one_check(base: str, data: bytes) -> float:
    """Upload, follow to the result page, delete; the seconds until the result page arrived."""
    with httpx.Client(base_url=base, timeout=300) as c:
        t0 = time.perf_counter()
        r = c.post("/check", files={"workbook": (TAOJIANG.name, data, XLSX)})
        assert r.status_code == 303, r.status_code
        page = c.get(r.headers["location"])
        waited = time.perf_counter() - t0
        assert page.status_code == 200 and "结论：" in page.text
        c.post(r.headers["location"].replace("/r/", "/d/") + "/delete")
        return waited


def measure(workers: int, requests: int, clients: int, alone: int) -> dict[str, float]:
    proc, base = start(workers)
    data = TAOJIANG.read_bytes()
    try:
        one_check(base, data)  # warm-up: the first check imports the engine in that worker
        waits = [one_check(base, data) for _ in range(alone)]
        with ThreadPoolExecutor(clients) as pool:
            warm = [pool.submit(one_check, base, data) for _ in range(clients)]
            for f in warm:  # every worker warmed up before the clock starts
                f.result()
            t0 = time.perf_counter()
            loaded = list(pool.map(lambda _: one_check(base, data), range(requests)))
            elapsed = time.perf_counter() - t0
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    return {
        "alone_median": statistics.median(waits),
        "alone_max": max(waits),
        "rps": requests / elapsed,
        "loaded_median": statistics.median(loaded),
        "loaded_max": max(loaded),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=12, help="同时上传时的上传总数（默认 12）")
    ap.add_argument("--clients", type=int, default=4, help="同时上传的用户数（默认 4）")
    ap.add_argument("--alone", type=int, default=5, help="单个用户依次上传的次数（默认 5）")
    ap.add_argument("--workers", default="1,2", help="要测的 worker 数，逗号分隔（默认 1,2）")
    args = ap.parse_args()
    print(f"桃江示例（{TAOJIANG.stat().st_size // 1024} KB），本机 {os.cpu_count()} 核")
    print(
        f"{'workers':>7}  {'单人等待中位/最长(秒)':>20}  {'每秒校验数':>8}  {f'{args.clients} 人同时时等待中位/最长(秒)':>24}"
    )
    for workers in (int(w) for w in args.workers.split(",")):
        m = measure(workers, args.requests, args.clients, args.alone)
        print(
            f"{workers:>7}  {m['alone_median']:>10.2f} / {m['alone_max']:<8.2f}  {m['rps']:>12.2f}"
            f"  {m['loaded_median']:>14.2f} / {m['loaded_max']:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
