"""Calibration of the scores by simulation through the build's real chain.

Run:  .venv/bin/python bench/bench_calibration.py       (3 replicates, 25 regio's × 14 gemeenten × 10 wijken)
      .venv/bin/python bench/bench_calibration.py --replicates 1 --regios 5   (quick)

Per replicate and scenario, synthetic wijk counts (seeded; :func:`insights.risk.simulate.simulate_published`
with ``rules``) go through ``insights.disclosure.protect`` with the repository's ``rules/disclosure.toml``
(threshold, rounding, secondary suppression, audit intervals) → ``public_cells`` → ``public_status`` →
``score`` (default model: regio reference, pooled prior). Scenarios:

* null: every true RR = 1 → share of wijken signalled "duidelijk hoger" (target ≤ 5%);
* spread: true RR ~ Gamma(8, 8) → 95% coverage overall, on hidden (``beschermd``) and published cells
  (target 93–97%), largest calibration error of P(RR > 1) over ten bins with ≥ 30 wijken (target ≤ 0.1);
* hotspots: 10% of wijken at true RR 2, the rest 1 → power (share signalled "duidelijk hoger"), for hidden
  and published cells, and the false-flag rate among the others.

Prints one table per indicator and whether each target is met. Not a test: CI runs a small version
(``tests/insights/risk/test_calibration.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from insights.disclosure.rules import parse_rules  # noqa: E402
from insights.risk import score  # noqa: E402
from insights.risk.calibration import calibration_measures, power_measures  # noqa: E402
from insights.risk.simulate import simulate_published  # noqa: E402

INDICATORS = ("schulden", "echtscheidingen", "meldingen", "hermeldingen")


def run(scenario: dict, replicates: int, seed: int, size: dict,
        rules) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    frames = []
    for r in range(replicates):
        pub, truth = simulate_published(np.random.default_rng([seed, r]), indicators=INDICATORS, rules=rules,
                                        **size, **scenario)
        frames.append((pub, truth, score(pub)))
    return tuple(pd.concat(list(x), ignore_index=True) for x in zip(*frames, strict=True))  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=3)
    parser.add_argument("--regios", type=int, default=25)
    parser.add_argument("--gemeenten-per-regio", type=int, default=14)
    parser.add_argument("--wijken-per-gemeente", type=int, default=10)
    parser.add_argument("--households", type=float, default=1000.0, help="median households per wijk")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rules = parse_rules((ROOT / "rules" / "disclosure.toml").read_text(encoding="utf-8"))
    size = {"n_regios": args.regios, "gemeenten_per_regio": args.gemeenten_per_regio,
            "wijken_per_gemeente": args.wijken_per_gemeente, "household_scale": args.households}
    started = time.perf_counter()
    null = calibration_measures(*run({"rr_shape": np.inf}, args.replicates, args.seed, size, rules))
    spread = calibration_measures(*run({"rr_shape": 8.0}, args.replicates, args.seed + 1, size, rules))
    power = power_measures(*run({"rr_shape": np.inf, "hotspot_share": 0.1, "hotspot_rr": 2.0},
                                args.replicates, args.seed + 2, size, rules))
    table = pd.DataFrame({
        "indicator": spread["indicator"],
        "wijken": spread["n_wijken"],
        "hidden": spread["share_hidden"],
        "null: hoger": null.set_index("indicator").reindex(spread["indicator"])["flag_rate_higher"].to_numpy(),
        "cov95": spread["coverage95"],
        "cov95 hidden": spread["coverage95_hidden"],
        "cov95 published": spread["coverage95_published"],
        "calib max err": spread["calibration_max_error"],
    }).merge(power.rename(columns={"power": "power RR2", "power_hidden": "power hidden",
                                   "power_published": "power published", "false_flag_rate": "false hoger"}),
             on="indicator").drop(columns="n_raised")
    table["targets met"] = ((table["null: hoger"] <= 0.05) & table["cov95"].between(0.93, 0.97)
                            & table["cov95 hidden"].between(0.93, 0.97) & (table["calib max err"] <= 0.1))
    pd.set_option("display.width", 250)
    print(f"{args.replicates} replicate(s) × {args.regios * args.gemeenten_per_regio * args.wijken_per_gemeente} "
          f"wijken per scenario, seed {args.seed}; {time.perf_counter() - started:.0f} s")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
