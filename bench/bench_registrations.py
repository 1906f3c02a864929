"""Registrations benchmark: N records (default 10,000,000) → counts per wijk × year, nationally (3,393 wijken).

Run: ``.venv/bin/python bench/bench_registrations.py [--records N] [--only METHOD ...]``
(``make bench-registrations``). Not a test: CI does not run it.

Data (not timed): N records over 2020–2024, households drawn per wijk in proportion to CBS 2024
households, each at a point uniform inside its wijk (RD New), about 2 records per household;
written once to Parquet in a temporary folder. Every method runs in its own process (peak resident
memory is that process's) and produces the same thing: a count per wijk and year of the points
inside the wijk polygons.

Methods:
  ours-locate   our grid point locator (insights.registrations.locate) over Arrow batches + bincount
  ours-full     ``aggregate_registrations``: identifier guard, checks, locate, deduplication,
                households once per year and the re-report window (reported separately), in DuckDB
  geopandas     ``geopandas.sjoin(points, wijken, predicate="within")`` + groupby
  duckdb        raw DuckDB spatial: JOIN … ON ST_Contains(wijk, ST_Point(x, y)) GROUP BY
                (spatial extension loaded from the duckdb-extension-spatial wheel)
  sedonadb      SedonaDB (``pip install sedonadb``), the same SQL join, when installed
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

METHODS = ("ours-locate", "ours-full", "geopandas", "duckdb", "sedonadb")


def _wijken():
    from insights.registrations import load_boundaries
    from insights.settings import BuildSettings

    return load_boundaries(BuildSettings().boundaries)


def make_data(path: Path, n: int, seed: int = 1) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    import shapely

    boundaries = _wijken()
    wijken = boundaries.wijken
    rng = np.random.default_rng(seed)
    h = wijken["huishoudens"].astype("Float64").fillna(0).to_numpy(float)
    households = n // 2
    home = rng.choice(len(wijken), size=households, p=h / h.sum())
    from insights.registrations.locate import PointLocator

    locator = PointLocator.from_frames(wijken, boundaries.water)
    bounds = shapely.bounds(wijken.geometry.values)
    hx, hy = np.empty(households), np.empty(households)
    todo = np.arange(households)
    while len(todo):  # uniform inside the home wijk: draw in its box, keep what lands in it
        b = bounds[home[todo]]
        x = b[:, 0] + rng.random(len(todo)) * (b[:, 2] - b[:, 0])
        y = b[:, 1] + rng.random(len(todo)) * (b[:, 3] - b[:, 1])
        ok = locator.locate(x, y) == home[todo]
        hx[todo[ok]], hy[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    who = np.sort(rng.integers(0, households, n))  # about 2 records per household, some 1, some 3+
    epoch_2020 = int((np.datetime64("2020-01-01") - np.datetime64("1970-01-01")).astype(int))
    day = rng.integers(0, 5 * 365, n).astype("int32") + np.int32(epoch_2020)
    kinds = pa.array(rng.choice(["melding", "schuldhulp", "echtscheiding"], n, p=[0.4, 0.5, 0.1]))
    keys = pc.utf8_lpad(pc.cast(pa.array(who * 7919 + 13), pa.string()), 16, "0")
    table = pa.table({"huishouden": keys, "datum": pa.array(day, pa.date32()), "soort": kinds,
                      "x": hx[who], "y": hy[who]})
    pq.write_table(table, path, row_group_size=1_000_000)


def run_method(method: str, data: Path) -> dict[str, float]:
    import numpy as np
    import pyarrow.parquet as pq

    boundaries = _wijken()
    wijken = boundaries.wijken
    out: dict[str, float] = {}
    started = time.perf_counter()
    if method == "ours-locate":
        from insights.registrations.locate import PointLocator

        locator = PointLocator.from_frames(wijken, boundaries.water)
        out["index_s"] = time.perf_counter() - started
        counts = np.zeros((len(wijken) + 1, 5), dtype=np.int64)
        for batch in pq.ParquetFile(data).iter_batches(batch_size=1_000_000, columns=["datum", "x", "y"]):
            where = locator.locate(batch.column("x").to_numpy(zero_copy_only=False),
                                   batch.column("y").to_numpy(zero_copy_only=False))
            days = batch.column("datum").to_numpy(zero_copy_only=False)
            year = days.astype("datetime64[Y]").astype(int) + 1970 - 2020
            np.add.at(counts, (np.where(where >= 0, where, len(wijken)), year), 1)
        out["cells"] = int((counts[:-1] > 0).sum())
        out["assigned"] = int(counts[:-1].sum())
    elif method == "ours-full":
        from insights.registrations import aggregate_registrations

        result = aggregate_registrations([data], boundaries, memory_limit="1GB")
        out.update({f"{k}_s": v for k, v in result.seconds.items()})
        out["assigned"] = result.records - sum(result.unassigned.values())
    elif method == "geopandas":
        import geopandas as gpd

        points = pq.read_table(data, columns=["datum", "x", "y"]).to_pandas()
        gdf = gpd.GeoDataFrame(points[["datum"]], geometry=gpd.points_from_xy(points["x"], points["y"]), crs=wijken.crs)
        del points
        joined = gpd.sjoin(gdf, wijken[["code", "geometry"]], predicate="within", how="inner")
        counts = joined.groupby(["code", pd_year(joined["datum"])]).size()
        out["cells"], out["assigned"] = len(counts), int(counts.sum())
    elif method in ("duckdb", "sedonadb"):
        sql = ("SELECT w.code, YEAR(p.datum) AS jaar, COUNT(*) AS n FROM points p JOIN wijken w "
               "ON ST_Contains(w.geom, ST_Point(p.x, p.y)) GROUP BY w.code, YEAR(p.datum)")
        if method == "duckdb":
            import duckdb
            import duckdb_extension_spatial

            wheel = Path(duckdb_extension_spatial.__file__).parent
            extension = next(wheel.glob("extensions/*/spatial.duckdb_extension"))  # never from the network
            con = duckdb.connect(config={"autoinstall_known_extensions": False, "memory_limit": "1.5GB"})
            con.execute(f"LOAD '{extension}'")
            polygons = wijken[["code"]].assign(wkb=wijken.geometry.to_wkb())
            con.register("w_raw", polygons)
            con.execute("CREATE TABLE wijken AS SELECT code, ST_GeomFromWKB(wkb) AS geom FROM w_raw")
            con.execute(f"CREATE VIEW points AS SELECT * FROM read_parquet('{data}')")
            counts = con.execute(sql).df()
        else:
            import sedonadb

            sd = sedonadb.connect()
            plain = wijken[["code", "geometry"]].rename_geometry("geom").set_crs(None, allow_override=True)
            sd.create_data_frame(plain).to_view("wijken")  # no CRS on either side, as in the DuckDB query
            sd.read_parquet(str(data)).to_view("points")
            counts = sd.sql(sql.replace("YEAR(p.datum)", "date_part('year', p.datum)")).to_pandas()
        out["cells"], out["assigned"] = len(counts), int(counts["n"].sum())
    out["total_s"] = time.perf_counter() - started
    # VmHWM: this process's peak resident memory (ru_maxrss would start at the parent's at fork)
    status = Path("/proc/self/status").read_text()
    out["peak_mib"] = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    return out


def pd_year(series):
    import pandas as pd

    return pd.to_datetime(series).dt.year


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--only", nargs="*", choices=METHODS)
    parser.add_argument("--method", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.method:  # child process
        print(json.dumps(run_method(args.method, args.data)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-registraties-") as folder:
        data = Path(folder) / "records.parquet"
        started = time.perf_counter()
        make_data(data, args.records)
        print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {args.records:,} records "
              f"({data.stat().st_size / 2**20:.0f} MiB Parquet, made in {time.perf_counter() - started:.0f} s)")
        print(f"{'method':<12} {'total s':>8} {'records/s':>11} {'peak MiB':>9} {'assigned':>11}  detail")
        for method in args.only or METHODS:
            proc = subprocess.run([sys.executable, __file__, "--method", method, "--data", str(data)],
                                  capture_output=True, text=True, cwd=ROOT, check=False)
            if proc.returncode != 0:
                last = (proc.stderr.strip().splitlines() or ["?"])[-1]
                print(f"{method:<12} {'failed':>8}  {last[:100]}")
                continue
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            total, peak = result.pop("total_s"), result.pop("peak_mib")
            assigned = int(result.pop("assigned"))
            result.pop("cells", None)
            detail = ", ".join(f"{k} {v:.1f}" for k, v in result.items())
            print(f"{method:<12} {total:>8.1f} {args.records / total:>11,.0f} {peak:>9.0f} {assigned:>11,}  {detail}",
                  flush=True)


if __name__ == "__main__":
    main()
