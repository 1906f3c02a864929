"""Build-time benchmark: the default release (IJsselland) and the whole Netherlands.

Run: ``make bench`` or ``.venv/bin/python bench/bench_build.py [--repeat N] [--no-maps]``.
Each build runs as its own ``helpende-data build`` process on the bundled data into a temporary
releases folder; prints wall time (median of N) and the peak resident memory of the process.
Not a test: CI does not run it.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "helpende_data.cli", "build"]


def one_build(region: str, maps: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as releases:
        args = [*CLI, "--region", region, "--releases", releases] + ([] if maps else ["--no-maps"])
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=Path(__file__).resolve().parents[1])
        wall = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return wall, max(peak, before) / 1024  # KiB → MiB (Linux)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-maps", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; maps {'off' if args.no_maps else 'on'}; repeat {args.repeat}")
    print(f"{'region':<12} {'median s':>9} {'min s':>7} {'max s':>7} {'peak MiB':>9}")
    for region in ("IJsselland", "Nederland"):
        runs = [one_build(region, not args.no_maps) for _ in range(args.repeat)]
        walls = [w for w, _ in runs]
        print(
            f"{region:<12} {statistics.median(walls):>9.1f} {min(walls):>7.1f} {max(walls):>7.1f} "
            f"{max(p for _, p in runs):>9.0f}"
        )


if __name__ == "__main__":
    main()
