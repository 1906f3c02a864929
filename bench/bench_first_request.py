"""Time of the first request after ``helpende-data serve`` starts (issue 15: target <= 50 ms).

Starts the real command on a releases folder (``--demo-keys``), waits until its port accepts a
connection (uvicorn binds only after the app's start-up, which loads and verifies the release), then
times the first request of each kind: an items page with the policy demo key, and a 401 without a key.

Usage::

    .venv/bin/helpende-data build --releases /tmp/bench-releases      # once (or use an existing folder)
    .venv/bin/python bench/bench_first_request.py --releases /tmp/bench-releases [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_run(releases: Path) -> tuple[float, float, float]:
    """(seconds until the port accepts, ms of the first items request, ms of the first 401)."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "releases"
        shutil.copytree(releases, folder, ignore=shutil.ignore_patterns("*.log", "*keys*.json"))
        command = [str(Path(sys.executable).with_name("helpende-data")), "serve", "--releases", str(folder),
                   "--port", str(port), "--demo-keys"]
        started = time.perf_counter()
        server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        try:
            key = None
            while key is None:
                line = server.stderr.readline()  # type: ignore[union-attr]
                if not line:
                    raise RuntimeError("serve ended before printing its demo keys")
                match = re.match(r"\s+policy\s+(hd_\S+)", line)
                key = match.group(1) if match else None
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.01)
            ready = time.perf_counter() - started
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                t0 = time.perf_counter()
                r = client.get("/v1/collections/wijken/items", headers={"X-API-Key": key})
                first = (time.perf_counter() - t0) * 1000
                assert r.status_code == 200, r.text
                t0 = time.perf_counter()
                r = client.get("/v1/collections/wijken/items")
                unauthorised = (time.perf_counter() - t0) * 1000
                assert r.status_code == 401
            return ready, first, unauthorised
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("run  ready_s  first_items_ms  first_401_ms")
    for run in range(1, args.runs + 1):
        ready, first, unauthorised = one_run(args.releases)
        print(f"{run:>3}  {ready:7.2f}  {first:14.1f}  {unauthorised:12.1f}")


if __name__ == "__main__":
    main()
