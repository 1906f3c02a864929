"""In-process cost of an uncached request: the app's ASGI stack called in a loop, no network, no uvicorn.

Usage: ``.venv/bin/python bench/bench_uncached.py [item|page10|page_all|aggregate ...]`` from the repository
(its code is imported from the current directory, so a checkout of another commit measures that commit).
Environment: ``BENCH_RELEASES`` (default ``/tmp/bench-releases``, built with ``helpende-data build --no-maps``);
``PROF=tottime`` (or ``cumulative``) prints a cProfile of the measured requests. Same request types and policy
key (VR04) as bench/bench_api.py, response cache off; 200 requests per type to warm up, then 3000 timed.
Complements bench_api.py: same-process figures are steadier on a shared machine than wrk's req/s.
"""

import asyncio
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

sys.path.insert(0, os.getcwd())
from api.keys import issue_key  # noqa: E402

tmp = Path(tempfile.mkdtemp())
key = issue_key(tmp / "keys.json", "policy", ["VR04"], key_id="bench")
os.environ.update(HELPENDE_RELEASES_DIR=os.environ.get("BENCH_RELEASES", "/tmp/bench-releases"),
                  HELPENDE_API_KEYS_FILE=str(tmp / "keys.json"), HELPENDE_ACCESS_LOG=str(tmp / "access.log"),
                  HELPENDE_RESPONSE_CACHE_MB="0")
from api.app import create_app  # noqa: E402 - after the environment is set

REQ = {"item": "/v1/collections/wijken/items/WK019310", "page10": "/v1/collections/wijken/items?limit=10",
       "page_all": "/v1/collections/wijken/items?limit=1000", "aggregate": "/v1/cijfers?gemeente=GM0193&periode=2024"}


async def main() -> None:
    app = create_app()
    stack = app.build_middleware_stack()

    async def one(url: str) -> None:
        path, _, query = url.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
                 "query_string": query.encode(), "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000),
                 "headers": [(b"host", b"127.0.0.1:8000"), (b"x-api-key", key.encode()), (b"user-agent", b"wrk")],
                 "state": {}, "app": app}
        out: list[MutableMapping[str, Any]] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            out.append(message)

        await stack(scope, receive, send)
        assert out[0]["status"] == 200, (url, out[:1])

    async with app.router.lifespan_context(app):
        for url in REQ.values():
            for _ in range(200):
                await one(url)
        prof = cProfile.Profile() if os.environ.get("PROF") else None
        for name in sys.argv[1:] or list(REQ):
            n = 3000
            if prof:
                prof.enable()
            start = time.perf_counter()
            for _ in range(n):
                await one(REQ[name])
            per_request = (time.perf_counter() - start) / n * 1e6
            if prof:
                prof.disable()
            print(f"{name:10s} {per_request:7.1f} us/request")
        if prof:
            pstats.Stats(prof).sort_stats(os.environ["PROF"]).print_stats(45)


asyncio.run(main())
