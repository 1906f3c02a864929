"""Ingest benchmark: reading and validating indicator files (``insights.ingest.read_indicators``).

Run: ``.venv/bin/python bench/bench_ingest.py [--repeat N] [--rows 1000000]``.

Two inputs, each read in its own process (so the peak resident memory is that case's alone):

* ``national``: the bundled SYNTHETIC national 5-year file (``data/synthetic/``, all 3,393 wijken ×
  2020–2024 = 16,965 rows, ``;`` + BOM, the project's synthetic generator) against the bundled boundaries;
* ``1M``: a generated file of ``--rows`` rows in the register-export shape (``;``, BOM, ``.`` as
  thousands separator, ~1 % secret cells): fabricated wijk codes ``WKggggww`` × 5 years, seeded,
  with matching boundary codes and denominators. Written once to a temporary folder by a process of
  its own (not timed, not in the reader's peak memory).

Prints per case the wall time of ``read_indicators`` (median of N runs, imports and inputs excluded),
its CPU time (all threads of the process; on a shared machine the wall time also holds waiting), the
resident memory before the first read and the process's peak (``ru_maxrss``). Targets (issue 11):
national ≤ 0.5 s; 1M rows ≤ 5 s and ≤ 1 GB peak. Not a test: CI does not run it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
YEARS = (2020, 2021, 2022, 2023, 2024)


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _codes(n_codes: int) -> list[str]:
    return [f"WK{g:04d}{w:02d}" for g in range(1, n_codes // 100 + 2) for w in range(100)][:n_codes]


def generate(path: Path, rows: int, seed: int = 20261204) -> None:
    """Write ``rows`` rows (``rows / 5`` wijken × 5 years) in the register-export shape."""
    rng = np.random.default_rng(seed)
    n_codes = rows // len(YEARS)
    codes = np.repeat(np.array(_codes(n_codes)), len(YEARS))
    households = np.repeat(rng.integers(50, 9_000, n_codes), len(YEARS))
    inhabitants = households * 2 + np.repeat(rng.integers(0, 500, n_codes), len(YEARS))
    reports = rng.binomial(households, 0.016)
    frame = pd.DataFrame({
        "gebiedscode": codes,
        "periode": np.tile(YEARS, n_codes),
        "huishoudens": households,
        "inwoners": inhabitants,
        "schulden": rng.binomial(households, 0.05),
        "echtscheidingen": rng.binomial(inhabitants, 0.002),
        "meldingen": reports,
        "hermeldingen": rng.binomial(reports, 0.38),
    })
    for column in ("huishoudens", "inwoners", "schulden"):  # Dutch thousands separator where it applies
        frame[column] = frame[column].map(lambda v: f"{v:,}".replace(",", "."))
    for column in ("schulden", "meldingen", "hermeldingen"):
        secret = rng.random(len(frame)) < 0.01
        frame[column] = frame[column].astype(str).where(~secret, ".")
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig", lineterminator="\n")


def _inputs(case: str, folder: Path, rows: int) -> tuple[list[Path], pd.Series, pd.DataFrame]:
    if case == "national":
        from geo.boundaries import normalise_wijken
        from geo.io import read_boundaries
        from insights.settings import BuildSettings

        settings = BuildSettings()
        wijken = normalise_wijken(read_boundaries(settings.boundaries))
        return list(settings.indicators), wijken["code"], wijken[["code", "huishoudens", "inwoners"]]
    path = folder / f"indicatoren_{rows}.csv"
    codes = pd.Series(_codes(rows // len(YEARS)))
    denominators = pd.DataFrame({"code": codes, "huishoudens": pd.NA, "inwoners": pd.NA})
    return [path], codes, denominators


def worker(case: str, folder: Path, rows: int, repeat: int) -> None:
    from insights.ingest import read_indicators

    paths, codes, denominators = _inputs(case, folder, rows)
    before = _rss_mib()
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        table = read_indicators(paths, wijk_codes=codes, denominators=denominators)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": case, "rows": len(table.frame), "median_s": statistics.median(times),
                      "runs_s": times, "cpu_s": statistics.median(cpu), "rss_before_mib": before, "peak_mib": peak,
                      "file_mib": sum(p.stat().st_size for p in paths) / 2**20}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--worker", choices=["national", "1M", "generate"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "generate":
        generate(args.folder / f"indicatoren_{args.rows}.csv", args.rows)
        return
    if args.worker:
        worker(args.worker, args.folder, args.rows, args.repeat)
        return
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; repeat {args.repeat}")
    with tempfile.TemporaryDirectory() as folder:
        # the file is generated in a process of its own, so its memory is not in the reader's peak
        subprocess.run([sys.executable, __file__, "--worker", "generate", "--folder", folder, "--rows", str(args.rows)],
                       check=True, cwd=ROOT)
        for case in ("national", "1M"):
            out = subprocess.run([sys.executable, __file__, "--worker", case, "--folder", folder,
                                  "--rows", str(args.rows), "--repeat", str(args.repeat)],
                                 check=True, capture_output=True, text=True, cwd=ROOT)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{case:>8}: {result['rows']:>9,} rows ({result['file_mib']:.1f} MiB) "
                  f"read_indicators median {result['median_s']:.3f} s "
                  f"(runs {', '.join(f'{t:.3f}' for t in result['runs_s'])}; CPU median {result['cpu_s']:.3f} s); "
                  f"RSS before {result['rss_before_mib']:.0f} MiB, peak {result['peak_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
