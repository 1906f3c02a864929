"""Time risk scoring for the whole Netherlands on synthetic published figures.

Run:  .venv/bin/python bench/bench_risk.py            (defaults: 25 regio's, 3,500 wijken, 5 years, 4 indicators)
      .venv/bin/python bench/bench_risk.py --spatial  (wijk prior mean from the gemeente)

The input is generated here (seeded) in the shape of the published frame: threshold 10, rounding
to 5, a 50-household floor, secondary partners, 1% secret at source. No real counts are read.
Prints the wall time and peak memory of ``score()`` (and of the optional extra outputs). Not a test.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np

from insights.effects import effect_tables
from insights.risk import score
from insights.risk.simulate import simulate_published


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regios", type=int, default=25)
    parser.add_argument("--gemeenten-per-regio", type=int, default=14)
    parser.add_argument("--wijken-per-gemeente", type=int, default=10)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--reference", choices=["regio", "nederland"], default="regio")
    parser.add_argument("--spatial", action="store_true", help="prior='gemeente' (spatial variant)")
    parser.add_argument("--prior-group", choices=["level", "regio"], default="level")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    published, _ = simulate_published(
        np.random.default_rng(args.seed), n_regios=args.regios, gemeenten_per_regio=args.gemeenten_per_regio,
        wijken_per_gemeente=args.wijken_per_gemeente, periods=tuple(range(2024 - args.years, 2024)),
        indicators=("schulden", "echtscheidingen", "meldingen", "hermeldingen"), secret_share=0.01,
    )
    n_wijken = published.loc[published["level"].eq("wijk"), "code"].nunique()
    hidden = published["value"].isna().mean()
    print(f"input: {len(published):,} cells, {n_wijken:,} wijken, {args.years} years, "
          f"{published['indicator'].nunique()} indicators, {hidden:.0%} hidden")

    options = {"reference": args.reference, "prior": "gemeente" if args.spatial else "pooled",
               "prior_group": args.prior_group}
    t0 = time.perf_counter()
    scores = score(published, **options)
    wall = time.perf_counter() - t0
    print(f"score(): {wall:.1f} s wall, {len(scores):,} rows")
    tracemalloc.start()  # a second run for memory: tracing slows numpy down
    score(published, **options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"score(): peak traced memory {peak / 2**20:.0f} MiB")

    t0 = time.perf_counter()
    effect_tables(published, scores)
    print(f"trends + repeat shares + profiles (with composite): {time.perf_counter() - t0:.1f} s wall "
          "(see bench/bench_effects.py)")
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("signals:", scores["signal"].value_counts().to_dict())


if __name__ == "__main__":
    main()
