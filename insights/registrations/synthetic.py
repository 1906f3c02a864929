"""Seeded generator of **synthetic** registrations whose aggregation gives the bundled synthetic counts.

No public record-level data exist; these records exist to test and demonstrate the aggregation. For
each wijk and year of an indicator table (the bundled synthetic counts) the generator writes:

* ``meldingen`` = M households with a Veilig Thuis report (``soort = melding``), H of which are
  re-reports (``hermeldingen``). About 35% of the H re-reported households (Binomial(H, 0.35), as far
  as there are candidates) were reported in the same wijk the year before and are reported again
  within ``28 × window − 1`` days of that report, across the year boundary; the others are new
  households with a first report and a second one 1 + Exponential(75 days) later in the same year
  (capped at 300 days and inside the window). The M − H others are new households with one report.
* ``schulden`` = S households with a ``schuldhulp`` registration; 15% of them have a second one
  later that year (a household counts once per year).
* ``echtscheidingen`` = D ``echtscheiding`` registrations, each of its own household.
* 1% of all records are exact duplicates (a register that exported a record twice).

Each household lives at one point (RD New, metres) drawn uniformly inside its wijk's polygon, kept
only where the point locator puts it in that wijk (so edges, overlaps of simplified polygons and
water never move a record). Keys are 16 hex digits from a keyed hash of a counter (pseudonyms, no
meaning). Dates are ISO text; records are shuffled. Every record carries ``synthetisch = ja``.
Wijken whose counts are secret (NA) get no records.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import numpy as np
import pandas as pd
import shapely

from insights.registrations.locate import PointLocator

__all__ = ["generate_registrations"]

_CARRY_SHARE = 0.35
_SECOND_DEBT_SHARE = 0.15
_DUPLICATE_SHARE = 0.01


class _Keys:
    def __init__(self, seed: int) -> None:
        self.salt, self.n = str(seed).encode(), 0

    def take(self, k: int) -> list[str]:
        out = [hashlib.blake2b(f"{i}".encode(), key=self.salt, digest_size=8).hexdigest()
               for i in range(self.n, self.n + k)]
        self.n += k
        return out


def _days(rng: np.random.Generator, start: date, end: date, k: int) -> np.ndarray:
    """``k`` uniform day offsets from ``start`` such that start + offset ≤ end."""
    return rng.integers(0, (end - start).days + 1, size=k)


def _points(rng: np.random.Generator, polygon: shapely.Geometry, index: int, locator: PointLocator,
            k: int) -> tuple[np.ndarray, np.ndarray]:
    xmin, ymin, xmax, ymax = polygon.bounds
    xs, ys, have = [], [], 0
    while have < k:
        n = max(64, 3 * (k - have))
        x, y = xmin + rng.random(n) * (xmax - xmin), ymin + rng.random(n) * (ymax - ymin)
        keep = locator.locate(x, y) == index
        xs.append(x[keep])
        ys.append(y[keep])
        have += int(keep.sum())
    return np.concatenate(xs)[:k], np.concatenate(ys)[:k]


def generate_registrations(
    counts: pd.DataFrame,
    locator: PointLocator,
    *,
    seed: int = 20261204,
    window_months: int = 12,
) -> pd.DataFrame:
    """Synthetic records whose aggregation equals ``counts``.

    Parameters
    ----------
    counts : ``code``, ``period`` and any of ``meldingen``, ``hermeldingen``, ``schulden``,
        ``echtscheidingen`` (Int64; NA = secret, no records), one row per wijk and year; codes must
        be in ``locator.codes``.
    locator : the point locator of the boundaries the records will be aggregated with.
    seed : seed of the generator; the same seed and inputs give identical records.
    window_months : the re-report window of the mapping the records will be counted with.

    Returns
    -------
    DataFrame with ``huishouden``, ``datum`` (``YYYY-MM-DD``), ``soort``, ``x``, ``y`` (RD New,
    metres), ``synthetisch`` (``"ja"``).
    """
    rng = np.random.default_rng(seed)
    keys = _Keys(seed)
    carry_days = 28 * window_months - 1
    max_gap = min(300, carry_days)
    position = {code: i for i, code in enumerate(locator.codes)}
    rows: list[tuple[str, date, str, int]] = []  # key, date, soort, wijk index
    frame = counts.sort_values(["code", "period"])
    for code, years in frame.groupby("code", sort=True):
        wijk = position[str(code)]
        previous: list[tuple[str, date]] = []
        for _, cell in years.iterrows():
            t = int(cell["period"])
            jan1, dec31 = date(t, 1, 1), date(t, 12, 31)
            reported: dict[str, date] = {}
            m, h = cell.get("meldingen", pd.NA), cell.get("hermeldingen", pd.NA)
            if pd.notna(m):
                h = 0 if pd.isna(h) else int(h)
                candidates = [(k, d) for k, d in previous if d + timedelta(days=carry_days) >= jan1]
                c = min(len(candidates), int(rng.binomial(h, _CARRY_SHARE)))
                for i in rng.choice(len(candidates), size=c, replace=False) if c else []:
                    key, last = candidates[int(i)]
                    end = min(dec31, last + timedelta(days=carry_days))
                    day = jan1 + timedelta(days=int(_days(rng, jan1, end, 1)[0]))
                    rows.append((key, day, "melding", wijk))
                    reported[key] = day
                for key in keys.take(h - c):
                    gap = min(max_gap, 1 + int(rng.exponential(75)))
                    first = jan1 + timedelta(days=int(_days(rng, jan1, dec31 - timedelta(days=gap), 1)[0]))
                    rows += [(key, first, "melding", wijk), (key, first + timedelta(days=gap), "melding", wijk)]
                    reported[key] = first + timedelta(days=gap)
                offsets = _days(rng, jan1, dec31, int(m) - h)
                for key, offset in zip(keys.take(int(m) - h), offsets, strict=True):
                    day = jan1 + timedelta(days=int(offset))
                    rows.append((key, day, "melding", wijk))
                    reported[key] = day
            previous = list(reported.items())
            s = cell.get("schulden", pd.NA)
            if pd.notna(s):
                offsets = _days(rng, jan1, dec31, int(s))
                for key, offset in zip(keys.take(int(s)), offsets, strict=True):
                    day = jan1 + timedelta(days=int(offset))
                    rows.append((key, day, "schuldhulp", wijk))
                    if rng.random() < _SECOND_DEBT_SHARE and day < dec31:
                        rows.append((key, day + timedelta(days=int(_days(rng, day, dec31, 1)[0])), "schuldhulp", wijk))
            d = cell.get("echtscheidingen", pd.NA)
            if pd.notna(d):
                offsets = _days(rng, jan1, dec31, int(d))
                rows += [(key, jan1 + timedelta(days=int(o)), "echtscheiding", wijk)
                         for key, o in zip(keys.take(int(d)), offsets, strict=True)]
    records = pd.DataFrame(rows, columns=["huishouden", "datum", "soort", "wijk"])
    households = records.drop_duplicates("huishouden")[["huishouden", "wijk"]]
    xs = np.empty(len(households))
    ys = np.empty(len(households))
    for wijk, idx in households.groupby("wijk").indices.items():
        xs[idx], ys[idx] = _points(rng, locator.polygons[int(wijk)], int(wijk), locator, len(idx))
    where = pd.DataFrame({"huishouden": households["huishouden"].to_numpy(), "x": xs, "y": ys})
    records = records.merge(where, on="huishouden", how="left").drop(columns="wijk")
    duplicates = records.sample(frac=_DUPLICATE_SHARE, random_state=rng.integers(2**32))
    records = pd.concat([records, duplicates], ignore_index=True)
    records = records.iloc[rng.permutation(len(records))].reset_index(drop=True)
    records["datum"] = pd.to_datetime(records["datum"]).dt.strftime("%Y-%m-%d")
    records["synthetisch"] = "ja"
    return records
