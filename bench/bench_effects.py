"""Effects benchmark: national timing of trends + profiles + effects, and the full simulations.

    .venv/bin/python bench/bench_effects.py timing      # whole Netherlands (synthetic, seeded), 5 years, 4 indicators
    .venv/bin/python bench/bench_effects.py simulate    # real chain, IJsselland: false positives, power, coverage

``timing`` draws a SYNTHETIC published frame of national size (25 regio's, 350 gemeenten, 3,500 wijken) with
:func:`insights.risk.simulate.simulate_published`, scores it and times :func:`insights.effects.effect_tables`
with 25 made-up interventions (one per regio, three wijken each). ``simulate`` pushes seeded counts through
the real chain (build cells → protect → public view) many times, as the CI tests do in small.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from insights.effects import effect_tables
from insights.risk import score
from insights.risk.did import Intervention, intervention_effects
from insights.risk.public_interval import public_count_interval
from insights.risk.simulate import simulate_published
from insights.risk.trend_test import TOO_LITTLE, trend_markers


def timing(seed: int) -> None:
    published, _ = simulate_published(
        np.random.default_rng(seed), n_regios=25, gemeenten_per_regio=14, wijken_per_gemeente=10,
        periods=(2020, 2021, 2022, 2023, 2024), indicators=("schulden", "echtscheidingen", "meldingen", "hermeldingen"),
        secret_share=0.01)
    wijken = published.loc[published["level"].eq("wijk")].drop_duplicates("code")
    print(f"input: {len(published):,} cells, {len(wijken):,} wijken, 5 years, 4 indicators")
    t0 = time.perf_counter()
    scores = score(published)
    print(f"score(): {time.perf_counter() - t0:.1f} s")
    interventions = [Intervention(f"iv-{regio}", tuple(g["code"].iloc[:3]), 2022)
                     for regio, g in wijken.groupby("regio")]
    t0 = time.perf_counter()
    tables = effect_tables(published, scores, interventions)
    print(f"effect_tables() (trends + repeat shares + profiles + {len(interventions)} interventions): "
          f"{time.perf_counter() - t0:.1f} s; rows " + ", ".join(f"{k} {len(v):,}" for k, v in tables.tables.items()))
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def simulate(reps: int, seed: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.insights.risk.chain import _inputs, simulate_public

    rng = np.random.default_rng(seed)
    for label, change in (("no change", 0.0), ("+10% a year", 0.10)):
        hits = tested = 0
        for _ in range(reps):
            public, _ = simulate_public(rng, lambda w, year, c=change: np.full(len(w), (1 + c) ** (year - 2020)))
            markers = trend_markers(public_count_interval(public))["marker"]
            markers = markers[markers.ne(TOO_LITTLE)]
            hits += int((markers.eq("stijgend") if change else markers.isin(["stijgend", "dalend"])).sum())
            tested += len(markers)
        print(f"trend marker, {label}: {hits}/{tested} = {hits / tested:.1%} of tested series"
              + (" (false positives)" if not change else " marked stijgend (power)"))
    wijken = _inputs()[0]["code"].to_numpy()
    covered = total = 0
    for _ in range(reps):
        order = rng.permutation(len(wijken))
        groups = [wijken[order[3 * i:3 * i + 3]] for i in range(20)]
        treated = set(np.concatenate(groups))
        rest = tuple(sorted(set(wijken) - treated))
        public, _ = simulate_public(
            rng, lambda w, year, t=treated: np.where(w["code"].isin(t) & (year >= 2022), 0.85, 1.0)
        )
        eff = intervention_effects(
            public_count_interval(public),
            [Intervention(f"iv{i}", tuple(g), 2022, comparison=rest) for i, g in enumerate(groups)],
        )
        eff = eff[eff["rate_ratio"].notna()]
        covered += int(((eff["low95"] <= 0.85) & (eff["high95"] >= 0.85)).sum())
        total += len(eff)
    print(f"DiD 95% interval coverage (true rate ratio 0.85): {covered}/{total} = {covered / total:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["timing", "simulate"])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    timing(args.seed) if args.what == "timing" else simulate(args.reps, args.seed)


if __name__ == "__main__":
    main()
