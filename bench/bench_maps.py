"""Map benchmark: time to render every map of a whole-Netherlands release, and the map sizes.

Run: ``.venv/bin/python bench/bench_maps.py`` (builds an NL release without maps into a temporary
folder first, ~40 s) or ``--releases DIR`` to use the current release of an existing folder, e.g.
one made by ``helpende-data build --region Nederland --releases /tmp/nl --no-maps``.
``--out DIR`` keeps the rendered files; ``--breakdown`` also times HTML and PNG separately, in one
process. Not a test: CI does not run it.

Prints the wall time of :func:`dashboards.render.render_release_maps` (what the build spends on maps;
processes in parallel for a release this size), then sizes: the NL map, the per-gemeente maps
(min / median / max) and each file kind's total.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from dashboards.classify import layers_for
from dashboards.data import map_table
from dashboards.png import map_png
from dashboards.render import _title, region_map, render_release_maps
from dashboards.settings import MapSettings
from insights.release import Release, current_release_dir, load_release

MB = 1_000_000


def nl_release(folder: Path) -> Release:
    from insights.pipeline import build_release
    from insights.settings import BuildSettings

    settings = BuildSettings().model_copy(update={"releases_dir": folder})
    started = time.perf_counter()
    release = build_release(settings, region="Nederland", progress=lambda _: None)
    print(f"built NL release without maps in {time.perf_counter() - started:.1f} s")
    return release


def breakdown(release: Release) -> None:
    """HTML and PNG timed separately, in this process only (CPU time = work, whatever the load)."""
    cpu, started = time.process_time(), time.perf_counter()
    table = map_table(release)
    layers = layers_for(table)
    print(f"  prepare (simplify, classes): {time.perf_counter() - started:6.1f} s")
    targets = [("regio", None)] + [
        (g, g) for g in sorted(release.areas.loc[release.areas["level"].eq("gemeente"), "code"])
    ]
    started = time.perf_counter()
    for _, gemeente in targets:
        region_map(release, gemeente=gemeente, table=table, layers=layers).get_root().render()
    print(f"  {len(targets)} HTML maps:          {time.perf_counter() - started:6.1f} s")
    started = time.perf_counter()
    for _, gemeente in targets:
        map_png(release, table, layers[0], gemeente=gemeente, title=_title(release, gemeente))
    print(f"  {len(targets)} print PNGs:          {time.perf_counter() - started:6.1f} s")
    print(f"  one process, CPU time:       {time.process_time() - cpu:6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=Path, help="releases folder whose current release is used")
    parser.add_argument("--out", type=Path, help="write the rendered maps here")
    parser.add_argument("--breakdown", action="store_true", help="also time HTML and PNG separately")
    parser.add_argument("--workers", type=int, default=1, help="processes (0 = one per core); default 1")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        release = load_release(current_release_dir(args.releases)) if args.releases else nl_release(Path(tmp))
        n_gemeenten = int(release.areas["level"].eq("gemeente").sum())
        settings = MapSettings(workers=args.workers)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; release {release.id}: "
              f"{release.manifest['counts']['wijken']} wijken, {n_gemeenten} gemeenten; "
              f"{settings.workers or os.cpu_count()} process(es)")
        started = time.perf_counter()
        files = render_release_maps(release, settings)
        wall = time.perf_counter() - started
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            for relative, content in files.items():
                (args.out / Path(relative).name).write_bytes(
                    content if isinstance(content, bytes) else content.encode()
                )
        if args.breakdown:
            breakdown(release)

    sizes = {Path(k).name: len(v if isinstance(v, bytes) else v.encode()) for k, v in files.items()}
    html = {k: v for k, v in sizes.items() if k.endswith(".html")}
    png = {k: v for k, v in sizes.items() if k.endswith(".png")}
    gm_html = [v for k, v in html.items() if k != "regio.html"]
    gm_png = [v for k, v in png.items() if k != "regio.png"]
    print(f"all {len(html)} maps (HTML + PNG): {wall:6.1f} s wall (render_release_maps)")
    print(f"NL map (regio.html):        {html['regio.html'] / MB:6.2f} MB (budget 8 MB)")
    print(f"NL print (regio.png):       {png['regio.png'] / MB:6.2f} MB")
    largest = max((k for k in html if k != "regio.html"), key=html.get)
    print(f"gemeente maps HTML:         min {min(gm_html) / MB:.2f} / median {statistics.median(gm_html) / MB:.2f} / "
          f"max {max(gm_html) / MB:.2f} MB ({largest})")
    print(f"gemeente maps PNG:          min {min(gm_png) / MB:.2f} / median {statistics.median(gm_png) / MB:.2f} / "
          f"max {max(gm_png) / MB:.2f} MB")
    print(f"total on disk:              HTML {sum(html.values()) / MB:.1f} MB, PNG {sum(png.values()) / MB:.1f} MB")


if __name__ == "__main__":
    main()
