"""Load test of the API on loopback with wrk, side by side with a ceiling and (if installable) pygeoapi.

Usage: ``.venv/bin/python bench/bench_api.py [--releases DIR] [--duration 20] [--warmup 5]``

Request types: a single item, a 10-item page, the whole IJsselland wijken page, an aggregate request;
each with a valid policy key, 50 connections, ``--duration`` seconds after ``--warmup`` seconds.
Servers (each with 2 uvicorn workers):
  ours     — ``api.app:create_app`` over the release (auth, scope, ETag, access log all on);
  ceiling  — a bare FastAPI app returning the very same bodies from memory;
  pygeoapi — the same wijken from a GeoPackage through its OGR provider, when pygeoapi (Python ≥ 3.12)
             and GDAL's Python bindings are importable from ``build/pygeoapi-venv``; otherwise the
             reason is printed.
Targets: ours ≥ 50% of the ceiling's req/s on every request type, p99 < 25 ms.
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
    return lambda: Response(data, media_type=media)
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


def wrk(url: str, headers: dict, duration: int, warmup: int) -> dict:
    head = [a for k, v in headers.items() for a in ("-H", f"{k}: {v}")]
    subprocess.run(["wrk", "-t2", "-c50", f"-d{warmup}s", *head, url], capture_output=True, check=True)
    out = subprocess.run(["wrk", "-t2", "-c50", f"-d{duration}s", "--latency", *head, url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p99_ms": p99_ms, "errors": int(non2xx.group(1)) if non2xx else 0}


def start(cmd: list[str], env: dict, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(cmd, env={**os.environ, **env}, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def pygeoapi_reason() -> str | None:
    python = PYGEOAPI_VENV / "bin" / "python"
    if not python.exists():
        return f"no {PYGEOAPI_VENV} (create it with a Python >= 3.12 and 'pip install pygeoapi')"
    check = subprocess.run([str(python), "-c", "import pygeoapi; from osgeo import ogr"], capture_output=True, text=True)
    if check.returncode:
        return "pygeoapi's OGR provider needs GDAL's Python bindings (osgeo): " + check.stderr.strip().splitlines()[-1]
    return None


def run_pygeoapi(work: Path, release: Path, duration: int, warmup: int) -> dict:
    import geopandas as gpd

    areas = gpd.read_parquet(release / "gebieden.parquet")
    wijken = areas[areas["level"].eq("wijk")].to_crs(4326)[["code", "naam", "gemeente", "geometry"]]
    gpkg = work / "wijken.gpkg"
    wijken.to_file(gpkg, layer="wijken", driver="GPKG")
    port = free_port()
    config = work / "pygeoapi.yml"
    config.write_text(json.dumps({
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": f"http://127.0.0.1:{port}",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "language": "en-US",
                   "limits": {"default_items": 10, "max_items": 1000}, "map": {"url": "", "attribution": ""}},
        "logging": {"level": "ERROR"},
        "metadata": {"identification": {"title": "bench", "description": "bench", "keywords": [], "terms_of_service": "",
                                        "url": ""}, "license": {"name": "CC-BY 4.0"}, "provider": {"name": "x"},
                     "contact": {"name": "x"}},
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
        return {name: wrk(f"http://127.0.0.1:{port}{path}", {}, duration, warmup)
                for name, path in PYGEOAPI_REQUESTS.items()}
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=Path, help="releases folder with a current release (default: build one)")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from api.keys import issue_key
    from insights.release import current_release_dir

    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        work = Path(tmp)
        releases = args.releases
        if releases is None:
            releases = work / "releases"
            subprocess.run([str(REPO / ".venv" / "bin" / "helpende-data"), "build", "--releases", str(releases)],
                           check=True, capture_output=True)
        release = current_release_dir(releases)
        key = issue_key(work / "keys.json", "policy", ["VR04"], key_id="bench")
        headers = {"X-API-Key": key}
        results: dict[str, dict] = {}

        port = free_port()
        ours = start([str(PY), "-m", "uvicorn", "api.app:create_app", "--factory", "--workers", "2",
                      "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                     {"HELPENDE_RELEASES_DIR": str(releases), "HELPENDE_API_KEYS_FILE": str(work / "keys.json"),
                      "HELPENDE_ACCESS_LOG": str(work / "access.log")}, cwd=REPO)
        try:
            wait(f"http://127.0.0.1:{port}{REQUESTS['item']}", headers)
            bodies = {}
            for name, path in REQUESTS.items():
                r = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=60)
                r.raise_for_status()
                bodies[path] = (r.headers["content-type"], r.text)
            results["ours"] = {name: wrk(f"http://127.0.0.1:{port}{path}", headers, args.duration, args.warmup)
                               for name, path in REQUESTS.items()}
        finally:
            stop(ours)

        (work / "bodies.json").write_text(json.dumps(bodies))
        (work / "ceiling_app.py").write_text(CEILING_APP)
        port = free_port()
        ceiling = start([str(PY), "-m", "uvicorn", "ceiling_app:app", "--workers", "2", "--host", "127.0.0.1",
                         "--port", str(port), "--log-level", "warning", "--no-access-log"], {}, cwd=work)
        try:
            wait(f"http://127.0.0.1:{port}{REQUESTS['item']}", {})
            results["ceiling"] = {name: wrk(f"http://127.0.0.1:{port}{path}", {}, args.duration, args.warmup)
                                  for name, path in REQUESTS.items()}
        finally:
            stop(ceiling)

        reason = pygeoapi_reason()
        if reason is None:
            results["pygeoapi"] = run_pygeoapi(work, release, args.duration, args.warmup)

    print(f"wrk -t2 -c50 -d{args.duration}s --latency (after {args.warmup}s warm-up), 2 workers each, "
          f"{os.cpu_count()} cores")
    print(f"{'request':<10} {'server':<9} {'req/s':>9} {'p99 ms':>8} {'non-2xx':>8} {'% ceiling':>9}")
    ok = True
    for name in REQUESTS:
        for server in ("ours", "ceiling", "pygeoapi"):
            row = results.get(server, {}).get(name)
            if row is None:
                continue
            share = row["rps"] / results["ceiling"][name]["rps"] * 100
            print(f"{name:<10} {server:<9} {row['rps']:>9.0f} {row['p99_ms']:>8.2f} {row['errors']:>8} {share:>8.0f}%")
        mine = results["ours"][name]
        ok &= mine["rps"] >= 0.5 * results["ceiling"][name]["rps"] and mine["p99_ms"] < 25 and mine["errors"] == 0
    if reason is not None:
        print(f"pygeoapi: not run — {reason}")
    print("targets (>= 50% of ceiling, p99 < 25 ms):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
