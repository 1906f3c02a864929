"""Load test of the API on loopback with wrk, side by side with a ceiling and pygeoapi.

Usage: ``.venv/bin/python bench/bench_api.py [--releases DIR] [--duration 20] [--warmup 5] [--setup-pygeoapi]``

Request types: a single item, a 10-item page, the whole IJsselland wijken page, an aggregate request;
each with a valid policy key, 50 connections, ``--duration`` seconds after ``--warmup`` seconds.
Servers (each with 2 workers), one after the other in the same run:
  ours     — ``api.app:create_app`` over the release (auth, scope, ETag, access log all on), uvicorn;
             repeats are answered from its response cache (api/response_cache.py), as in production;
  ours-uncached — the same with ``HELPENDE_RESPONSE_CACHE_MB=0``: every request through routing,
             dependencies and handler (what a first request per URL, key scope and worker costs);
  ceiling  — a bare FastAPI app (``async def`` endpoints) returning the very same bodies from memory, uvicorn;
  pygeoapi — the same wijken with the same properties (taken from our whole-IJsselland page) in a
             GeoPackage, through pygeoapi's OGR provider, gunicorn (sync workers). Needs pygeoapi and
             GDAL's Python bindings in ``build/pygeoapi-venv`` (Python >= 3.12); ``--setup-pygeoapi``
             creates that venv (commands in docs/api.md). Without it the reason is printed.
             pygeoapi has no aggregate endpoint, so that row has no pygeoapi figure.
Targets: ours and ours-uncached each >= 50% of the ceiling's req/s on every request type, p99 < 25 ms
(issue 15: the uncached path matters, real traffic spreads over many URLs and keys).
The load average is printed before and after: other work on the machine lowers every figure, so
compare ours with the ceiling of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
PY = REPO / ".venv" / "bin" / "python"
PYGEOAPI_VENV = REPO / "build" / "pygeoapi-venv"
PYGEOAPI_VERSION = "0.24.0"
REQUESTS = {
    "item": "/v1/collections/wijken/items/WK019310",
    "page10": "/v1/collections/wijken/items?limit=10",
    "page_all": "/v1/collections/wijken/items?limit=1000",
    "aggregate": "/v1/cijfers?gemeente=GM0193&periode=2024",
}
PYGEOAPI_REQUESTS = {
    "item": "/collections/wijken/items/WK019310?f=json",
    "page10": "/collections/wijken/items?limit=10&f=json",
    "page_all": "/collections/wijken/items?limit=1000&f=json",
}

CEILING_APP = '''
import json
from pathlib import Path
from fastapi import FastAPI, Response
bodies = json.loads(Path(__file__).with_name("bodies.json").read_text())
app = FastAPI()
def make(body, media):
    data = body.encode()
    async def endpoint():  # async: a plain def would add a thread-pool hop per request to the ceiling
        return Response(data, media_type=media)
    return endpoint
for path, (media, body) in bodies.items():
    app.add_api_route(path.split("?")[0], make(body, media), methods=["GET"])
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, headers: dict, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) used so far by process ``root`` and all its descendants (workers)."""
    stats: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                rest = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(rest[1]), int(rest[11]) + int(rest[12]))  # ppid, utime + stime
    tree, grown = {root}, True
    while grown:
        children = {pid for pid, (ppid, _) in stats.items() if ppid in tree} - tree
        tree |= children
        grown = bool(children)
    return sum(stats[pid][1] for pid in tree if pid in stats) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, headers: dict, duration: int, warmup: int, server_pid: int) -> dict:
    """wrk with 50 connections; a 30 s timeout so that a slow server's requests count as slow, not as lost.
    Also the server's CPU time per completed request (all its processes, during the measurement)."""
    head = [a for k, v in headers.items() for a in ("-H", f"{k}: {v}")]
    base = ["wrk", "-t2", "-c50", "--timeout", "30s", *head]
    subprocess.run([*base, f"-d{warmup}s", url], capture_output=True, check=True)
    # a slow server still works through the warm-up's abandoned requests; one request queued behind them
    # returns when they are done, so the measurement starts on an idle server
    httpx.get(url, headers=headers, timeout=120)
    cpu_before = tree_cpu_s(server_pid)
    out = subprocess.run([*base, f"-d{duration}s", "--latency", url], capture_output=True, text=True, check=True).stdout
    cpu = tree_cpu_s(server_pid) - cpu_before
    # a server with a backlog (pygeoapi's sync workers keep answering requests wrk has given up on, for
    # seconds, one worker after the other) must not eat into the next server's measurement
    httpx.get(url, headers=headers, timeout=120)
    settle()
    rps_match, requests_match = re.search(r"Requests/sec:\s+([\d.]+)", out), re.search(r"(\d+) requests in", out)
    if rps_match is None or requests_match is None:
        raise RuntimeError(f"wrk printed no request rate for {url}:\n{out}")
    rps = float(rps_match.group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)] if p99 else float("nan")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, socket.groups())) if socket else 0)
    requests = int(requests_match.group(1))
    return {"rps": rps, "p99_ms": p99_ms, "errors": errors, "cpu_ms": cpu * 1000 / max(requests, 1)}


def _cpu_times() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields), fields[3] + fields[4]  # total, idle + iowait


def settle(busy_below: float = 0.15, timeout: float = 120) -> None:
    """Wait until the machine's CPUs are idle (less than ``busy_below`` busy over half a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        total0, idle0 = _cpu_times()
        time.sleep(0.5)
        total1, idle1 = _cpu_times()
        if total1 > total0 and 1 - (idle1 - idle0) / (total1 - total0) < busy_below:
            return


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def start(cmd: list[str], env: dict, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(cmd, env={**os.environ, **env}, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def setup_pygeoapi(python: str) -> None:
    """Create ``build/pygeoapi-venv``: pygeoapi, gunicorn and GDAL's bindings matching the system GDAL
    (Debian: ``apt-get install libgdal-dev``; the bindings compile, a few minutes)."""
    gdal = subprocess.run(["gdal-config", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    env = {**os.environ, "CPLUS_INCLUDE_PATH": "/usr/include/gdal", "C_INCLUDE_PATH": "/usr/include/gdal"}
    pip = [str(PYGEOAPI_VENV / "bin" / "pip"), "install", "-q"]
    if not (PYGEOAPI_VENV / "bin" / "python").exists():
        subprocess.run([python, "-m", "venv", str(PYGEOAPI_VENV)], check=True)
    subprocess.run([*pip, f"pygeoapi=={PYGEOAPI_VERSION}", "gunicorn", "numpy", "setuptools<72", "wheel"],
                   check=True, env=env)
    subprocess.run([*pip, "--no-build-isolation", f"GDAL=={gdal}"], check=True, env=env)


def pygeoapi_reason() -> str | None:
    python = PYGEOAPI_VENV / "bin" / "python"
    if not python.exists():
        return f"no {PYGEOAPI_VENV} (run with --setup-pygeoapi; see docs/api.md)"
    check = subprocess.run([str(python), "-c", "import pygeoapi, gunicorn; from osgeo import ogr"],
                           capture_output=True, text=True, check=False)
    if check.returncode:
        return "pygeoapi's OGR provider needs GDAL's Python bindings (osgeo): " + check.stderr.strip().splitlines()[-1]
    return None


def start_pygeoapi(work: Path, page_all: str) -> tuple[subprocess.Popen, str]:
    """pygeoapi over a GeoPackage holding exactly the features of our whole-IJsselland page (same wijken,
    same properties, CRS84). GeoPackage 1.2: GDAL 3.6 warns (and pygeoapi logs, per request) on 1.4."""
    import geopandas as gpd

    wijken = gpd.GeoDataFrame.from_features(json.loads(page_all)["features"], crs=4326)
    gpkg = work / "wijken.gpkg"
    wijken.to_file(gpkg, layer="wijken", driver="GPKG", VERSION="1.2")
    port = free_port()
    config = work / "pygeoapi.yml"
    config.write_text(json.dumps({
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": f"http://127.0.0.1:{port}",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "language": "en-US",
                   "limits": {"default_items": 10, "max_items": 1000}, "map": {"url": "", "attribution": ""}},
        "logging": {"level": "ERROR"},
        "metadata": {"identification": {"title": "bench", "description": "bench", "keywords": ["bench"],
                                        "keywords_type": "theme", "terms_of_service": "https://example.org",
                                        "url": "https://example.org"},
                     "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
                     "provider": {"name": "bench", "url": "https://example.org"},
                     "contact": {"name": "bench", "email": "bench@example.org", "url": "https://example.org"}},
        "resources": {"wijken": {"type": "collection", "title": "wijken", "description": "wijken", "keywords": [],
                                 "links": [], "extents": {"spatial": {"bbox": [-180, -90, 180, 90]}},
                                 "providers": [{"type": "feature", "name": "OGR", "data": {
                                     "source_type": "GPKG", "source": str(gpkg)}, "id_field": "code",
                                     "layer": "wijken"}]}},
    }))
    openapi = work / "pygeoapi-openapi.yml"
    env = {"PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
    bin_ = PYGEOAPI_VENV / "bin"
    subprocess.run([str(bin_ / "pygeoapi"), "openapi", "generate", str(config), "--output-file", str(openapi)],
                   env={**os.environ, **env}, check=True, capture_output=True)
    proc = start([str(bin_ / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "pygeoapi.flask_app:APP"], env)
    try:
        wait(f"http://127.0.0.1:{port}/collections", {})
        for path in PYGEOAPI_REQUESTS.values():
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=60).raise_for_status()
    except Exception:
        stop(proc)
        raise
    return proc, f"http://127.0.0.1:{port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=Path, help="releases folder with a current release (default: build one)")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--setup-pygeoapi", metavar="PYTHON", nargs="?", const="python3.12",
                        help="first create build/pygeoapi-venv with this Python >= 3.12 (default python3.12)")
    parser.add_argument("--skip-pygeoapi", action="store_true", help="only ours and the ceiling (quick runs)")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from api.keys import issue_key

    if args.setup_pygeoapi:
        setup_pygeoapi(args.setup_pygeoapi)
    reason = "skipped (--skip-pygeoapi)" if args.skip_pygeoapi else pygeoapi_reason()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        work = Path(tmp)
        releases = args.releases
        if releases is None:
            releases = work / "releases"
            subprocess.run([str(REPO / ".venv" / "bin" / "helpende-data"), "build", "--releases", str(releases)],
                           check=True, capture_output=True)
        key = issue_key(work / "keys.json", "policy", ["VR04"], key_id="bench")
        load_before = load()
        headers = {"X-API-Key": key}
        results: dict[str, dict] = {"ours": {}, "ours-uncached": {}, "ceiling": {}, "pygeoapi": {}}
        procs = []
        try:
            servers, pids = {}, {}
            for name, cache_mb in (("ours", "64"), ("ours-uncached", "0")):
                port = free_port()
                procs.append(start([str(PY), "-m", "uvicorn", "api.app:create_app", "--factory", "--workers", "2",
                                    "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                                    "--no-access-log"],
                                   {"HELPENDE_RELEASES_DIR": str(releases),
                                    "HELPENDE_API_KEYS_FILE": str(work / "keys.json"),
                                    "HELPENDE_ACCESS_LOG": str(work / f"access-{name}.log"),
                                    "HELPENDE_RESPONSE_CACHE_MB": cache_mb}, cwd=REPO))
                servers[name] = f"http://127.0.0.1:{port}"
                pids[name] = procs[-1].pid
                wait(f"{servers[name]}{REQUESTS['item']}", headers)
            ours = servers["ours"]
            bodies = {}
            for path in REQUESTS.values():
                r = httpx.get(f"{ours}{path}", headers=headers, timeout=60)
                r.raise_for_status()
                bodies[path] = (r.headers["content-type"], r.text)

            (work / "bodies.json").write_text(json.dumps(bodies))
            (work / "ceiling_app.py").write_text(CEILING_APP)
            port = free_port()
            procs.append(start([str(PY), "-m", "uvicorn", "ceiling_app:app", "--workers", "2", "--host", "127.0.0.1",
                                "--port", str(port), "--log-level", "warning", "--no-access-log"], {}, cwd=work))
            ceiling = f"http://127.0.0.1:{port}"
            pids["ceiling"] = procs[-1].pid
            wait(f"{ceiling}{REQUESTS['item']}", {})

            pygeoapi = None
            if reason is None:
                try:
                    proc, pygeoapi = start_pygeoapi(work, bodies[REQUESTS["page_all"]][1])
                    procs.append(proc)
                    pids["pygeoapi"] = proc.pid
                except (OSError, RuntimeError, subprocess.CalledProcessError, httpx.HTTPError) as exc:
                    reason = f"did not start: {exc}"  # reported; ours and the ceiling still run

            # one request type at a time, the three servers right after each other: a change in the
            # machine's load then hits all three figures of a row alike
            for name, path in REQUESTS.items():
                results["ours"][name] = wrk(f"{ours}{path}", headers, args.duration, args.warmup, pids["ours"])
                results["ours-uncached"][name] = wrk(f"{servers['ours-uncached']}{path}", headers, args.duration,
                                                     args.warmup, pids["ours-uncached"])
                results["ceiling"][name] = wrk(f"{ceiling}{path}", {}, args.duration, args.warmup, pids["ceiling"])
                if pygeoapi is not None and name in PYGEOAPI_REQUESTS:
                    results["pygeoapi"][name] = wrk(f"{pygeoapi}{PYGEOAPI_REQUESTS[name]}", {}, args.duration,
                                                    args.warmup, pids["pygeoapi"])
        finally:
            for proc in procs:
                stop(proc)

    print(f"wrk -t2 -c50 --timeout 30s -d{args.duration}s --latency (after a {args.warmup}s warm-up), "
          f"2 workers each, {os.cpu_count()} cores; load average (1/5/15 min) before {load_before}, after {load()}")
    print(f"{'request':<10} {'server':<13} {'req/s':>9} {'p99 ms':>9} {'errors':>7} {'% ceiling':>9} "
          f"{'CPU ms/req':>10}")
    ok = {"ours": True, "ours-uncached": True}
    for name in REQUESTS:
        for server in ("ours", "ours-uncached", "ceiling", "pygeoapi"):
            row = results[server].get(name)
            if row is None:
                continue
            share = row["rps"] / results["ceiling"][name]["rps"] * 100
            print(f"{name:<10} {server:<13} {row['rps']:>9.1f} {row['p99_ms']:>9.2f} {row['errors']:>7} "
                  f"{share:>8.1f}% {row['cpu_ms']:>10.3f}")
        for server in ok:
            mine = results[server][name]
            ok[server] &= (mine["rps"] >= 0.5 * results["ceiling"][name]["rps"] and mine["p99_ms"] < 25
                           and mine["errors"] == 0)
    if reason is not None:
        print(f"pygeoapi: not run — {reason}")
    for server, met in ok.items():
        print(f"targets (>= 50% of ceiling, p99 < 25 ms), {server}:", "met" if met else "NOT met")


if __name__ == "__main__":
    main()
