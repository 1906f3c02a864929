"""Map benchmark: time to render every map of a whole-Netherlands release, and the map sizes.

Run: ``.venv/bin/python bench/bench_maps.py`` (builds an NL release without maps into a temporary
folder first, ~40 s) or ``--releases DIR`` to use the current release of an existing folder, e.g.
one made by ``helpende-data build --region Nederland --releases /tmp/nl --no-maps``.
``--out DIR`` keeps the rendered files. Not a test: CI does not run it.

Prints the wall time for all HTML maps, all print PNGs and both together (what the build spends on
maps), then sizes: the NL map, the per-gemeente maps (min / median / max) and each file kind's total.
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
from dashboards.render import _title, region_map
from insights.release import Release, current_release_dir, load_release

MB = 1_000_000


def nl_release(folder: Path) -> Release:
    from insights.pipeline import build_release
    from insights.settings import BuildSettings

    settings = BuildSettings().model_copy(update={"releases_dir": folder})
    started = time.perf_counter()
    release = build_release(settings, region="Nederland", progress=lambda _: None, render_maps=False)
    print(f"built NL release without maps in {time.perf_counter() - started:.1f} s")
    return release


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=Path, help="releases folder whose current release is used")
    parser.add_argument("--out", type=Path, help="write the rendered maps here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        release = load_release(current_release_dir(args.releases)) if args.releases else nl_release(Path(tmp))
        n_gemeenten = int(release.areas["level"].eq("gemeente").sum())
        print(f"machine: {os.cpu_count()} cores; release {release.id}: "
              f"{release.manifest['counts']['wijken']} wijken, {n_gemeenten} gemeenten")

        cpu_started = time.process_time()
        started = time.perf_counter()
        table = map_table(release)
        layers = layers_for(table)
        prepare = time.perf_counter() - started
        targets = [("regio", None)] + [(g, g) for g in sorted(release.areas.loc[release.areas["level"].eq("gemeente"), "code"])]

        html_sizes: dict[str, int] = {}
        started = time.perf_counter()
        pages = {}
        for name, gemeente in targets:
            pages[name] = region_map(release, gemeente=gemeente, table=table, layers=layers).get_root().render().encode()
            html_sizes[name] = len(pages[name])
        html_time = time.perf_counter() - started

        png_sizes: dict[str, int] = {}
        started = time.perf_counter()
        pngs = {}
        for name, gemeente in targets:
            pngs[name] = map_png(release, table, layers[0], gemeente=gemeente, title=_title(release, gemeente))
            png_sizes[name] = len(pngs[name])
        png_time = time.perf_counter() - started
        cpu = time.process_time() - cpu_started

        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            for name, page in pages.items():
                (args.out / f"{name}.html").write_bytes(page)
                (args.out / f"{name}.png").write_bytes(pngs[name])

    gm_html = [v for k, v in html_sizes.items() if k != "regio"]
    gm_png = [v for k, v in png_sizes.items() if k != "regio"]
    print(f"prepare (simplify, classes): {prepare:6.1f} s")
    print(f"{len(pages)} HTML maps:          {html_time:6.1f} s")
    print(f"{len(pngs)} print PNGs:          {png_time:6.1f} s")
    print(f"all maps:                   {prepare + html_time + png_time:6.1f} s wall, {cpu:.1f} s CPU "
          f"(load average now {os.getloadavg()[0]:.1f}; wall ≈ CPU on an idle machine)")
    print(f"NL map (regio.html):        {html_sizes['regio'] / MB:6.2f} MB (budget 8 MB)")
    print(f"NL print (regio.png):       {png_sizes['regio'] / MB:6.2f} MB")
    print(f"gemeente maps HTML:         min {min(gm_html) / MB:.2f} / median {statistics.median(gm_html) / MB:.2f} / "
          f"max {max(gm_html) / MB:.2f} MB ({max(html_sizes, key=lambda k: -1 if k == 'regio' else html_sizes[k])})")
    print(f"gemeente maps PNG:          min {min(gm_png) / MB:.2f} / median {statistics.median(gm_png) / MB:.2f} / "
          f"max {max(gm_png) / MB:.2f} MB")
    print(f"total on disk:              HTML {sum(html_sizes.values()) / MB:.1f} MB, PNG {sum(png_sizes.values()) / MB:.1f} MB")


if __name__ == "__main__":
    main()
