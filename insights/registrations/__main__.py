"""Write SYNTHETIC registrations drawn from the bundled synthetic counts (see ``synthetic.py``).

    python -m insights.registrations --out registraties.parquet [--region IJsselland | --gemeente GM0193 ...]
                                     [--seed N] [--indicators FILE]

Writes Parquet (or CSV when the name ends in ``.csv``) and prints ``<file>\\t<records> records (synthetic)``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.errors import HelpendeDataError


def write_synthetic_registrations(out: Path, *, region: str | None = None, gemeenten: list[str] | None = None,
                                  seed: int = 20261204, indicators: Path | None = None) -> int:
    """Generate synthetic registrations for a region (default IJsselland) and write them; returns the record count."""
    from geo.hierarchy import build_hierarchy
    from geo.io import read_region_table
    from insights.ingest import read_indicator_file
    from insights.registrations.aggregate import load_boundaries
    from insights.registrations.locate import PointLocator
    from insights.registrations.mapping import read_mapping
    from insights.registrations.synthetic import generate_registrations
    from insights.selection import resolve_selection
    from insights.settings import BuildSettings

    settings = BuildSettings()
    boundaries = load_boundaries(settings.boundaries)
    hierarchy = build_hierarchy(boundaries.wijken, read_region_table(settings.regions))
    selection = resolve_selection(hierarchy, region=None if gemeenten else (region or settings.region),
                                  gemeenten=gemeenten)
    counts = read_indicator_file(indicators or settings.indicators[0]).wijken
    wijken = boundaries.wijken[boundaries.wijken["gemeentecode"].isin(selection.gemeenten)]
    counts = counts[counts["code"].isin(set(wijken["code"]))]
    locator = PointLocator.from_frames(boundaries.wijken, boundaries.water)
    records = generate_registrations(counts, locator, seed=seed, window_months=read_mapping().window_months)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        records.to_csv(out, index=False)
    else:
        records.to_parquet(out, index=False)
    return len(records)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m insights.registrations", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="Parquet or CSV file to write")
    parser.add_argument("--region", help="Veiligheidsregio (default IJsselland) or 'Nederland'")
    parser.add_argument("--gemeente", action="append", help="Gemeente code; repeat for more")
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--indicators", type=Path, help="Counts to draw from (default: the bundled synthetic file)")
    args = parser.parse_args(argv)
    try:
        n = write_synthetic_registrations(args.out, region=args.region, gemeenten=args.gemeente, seed=args.seed,
                                          indicators=args.indicators)
    except HelpendeDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"{args.out}\t{n} records (synthetic)")


if __name__ == "__main__":
    main()
