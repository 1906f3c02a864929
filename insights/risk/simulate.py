"""Synthetic published frames with known relative risks, for tests, benchmarks and the model card.

Nothing here touches real data: areas get made-up codes in the CBS shape, counts are drawn from
Poisson(E·RR) with RRs the caller can read back, and either a simplified copy of the disclosure rules
(threshold, rounding, area floor, one secondary partner per lone hidden wijk) or, with ``rules``, the
build's own protection chain turns them into the published-frame shape
:func:`insights.risk.score.score` takes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.disclosure.primary import Status
from insights.disclosure.rules import Rules
from insights.indicators import INDICATORS

__all__ = ["RATES", "simulate_published"]

#: Typical rates per unit of denominator (rough national orders of magnitude), from the registry.
RATES = {name: spec.typical_rate for name, spec in INDICATORS.items()}
_DENOMINATOR = {name: spec.denominator for name, spec in INDICATORS.items()}


def simulate_published(
    rng: np.random.Generator,
    *,
    n_regios: int = 3,
    gemeenten_per_regio: int = 4,
    wijken_per_gemeente: int = 8,
    periods: tuple[int, ...] = (2023,),
    indicators: tuple[str, ...] = ("schulden", "echtscheidingen", "meldingen"),
    rr_shape: float = 8.0,
    min_count: int = 10,
    rounding_base: int = 5,
    min_households: int = 50,
    secret_share: float = 0.0,
    household_scale: float = 1500.0,
    rules: Rules | None = None,
    hotspot_share: float = 0.0,
    hotspot_rr: float = 2.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw a published frame and the true values behind it.

    Parameters
    ----------
    rng : seeded generator (the only source of randomness).
    n_regios, gemeenten_per_regio, wijken_per_gemeente : size of the made-up hierarchy.
    periods : years.
    indicators : names from :data:`RATES`; ``hermeldingen`` needs ``meldingen`` too.
    rr_shape : shape of the Gamma(shape, shape) the true wijk relative risks are drawn from (mean 1,
        CV 1/√shape); ``inf`` gives RR = 1 everywhere (the null).
    min_count, rounding_base, min_households : the simplified disclosure rules.
    secret_share : share of wijk cells marked ``geheim_in_bron``.
    household_scale : median households per wijk (log-normal, σ = 0.8).
    hotspot_share, hotspot_rr : a random share of wijken (per period and indicator) gets its RR
        multiplied by ``hotspot_rr`` (for power: with ``rr_shape=inf`` they have RR 2, the rest 1).
    rules : when given, the cells go through the build's real chain instead of the simplified
        rules: :func:`insights.disclosure.protect` (primary and secondary suppression, audit
        intervals) → :func:`insights.cells.public_cells` → :func:`insights.disclosure.public_status`,
        so hidden cells read ``beschermd`` with their audit interval, as in a release. Then
        ``min_count``, ``rounding_base``, ``min_households`` and ``secret_share`` are not used, and
        ``truth`` also holds ``private_status`` (the steward's status, for benchmarks only).

    Returns
    -------
    ``(published, truth)``: ``published`` in the shape :func:`insights.risk.score.score` takes
    (no raw counts); ``truth`` aligned with it: ``count`` (true count), ``rr`` (true relative risk
    of a wijk against the national rate; NaN above wijk level) and ``expected`` (true E at the
    national rate).
    """
    n_gm = n_regios * gemeenten_per_regio
    n_wk = n_gm * wijken_per_gemeente
    gm_idx = np.repeat(np.arange(n_gm), wijken_per_gemeente)
    vr_idx = gm_idx // gemeenten_per_regio
    gm_code = np.array([f"GM{1000 + g:04d}" for g in range(n_gm)], dtype=object)
    vr_code = np.array([f"VR{r + 1:02d}" for r in range(n_regios)], dtype=object)
    wk_code = np.array([f"WK{1000 + g:04d}{k:02d}" for g in range(n_gm) for k in range(wijken_per_gemeente)],
                       dtype=object)
    households = np.maximum(np.round(household_scale * rng.lognormal(0.0, 0.8, n_wk)), 20).astype(np.int64)
    inhabitants = np.round(households * rng.uniform(1.8, 2.6, n_wk)).astype(np.int64)

    frames = []
    for period in periods:
        wk_counts: dict[str, np.ndarray] = {}
        wk_rr: dict[str, np.ndarray] = {}
        wk_exp: dict[str, np.ndarray] = {}
        for name in indicators:
            den = {"huishoudens": households, "inwoners": inhabitants}.get(_DENOMINATOR[name])
            if den is None:
                den = wk_counts["meldingen"]
            rr = np.ones(n_wk) if np.isinf(rr_shape) else rng.gamma(rr_shape, 1 / rr_shape, n_wk)
            if hotspot_share > 0:
                rr = np.where(rng.random(n_wk) < hotspot_share, rr * hotspot_rr, rr)
            lam = den * RATES[name] * rr
            count = rng.binomial(den, np.minimum(lam / np.maximum(den, 1), 1)) if name == "hermeldingen" \
                else rng.poisson(lam)
            wk_counts[name], wk_rr[name], wk_exp[name] = count, rr, den * RATES[name]
        for name in indicators:
            den_name = _DENOMINATOR[name]
            wk_den = {"huishoudens": households, "inwoners": inhabitants}.get(den_name, wk_counts.get("meldingen"))
            rows = []
            for level, codes, group in (("wijk", wk_code, np.arange(n_wk)), ("gemeente", gm_code, gm_idx),
                                        ("regio", vr_code, vr_idx)):
                n = len(codes)
                rows.append(pd.DataFrame({
                    "code": codes, "level": level,
                    "gemeente": gm_code if level == "gemeente" else (
                        gm_code[gm_idx] if level == "wijk" else np.full(n, None, dtype=object)),
                    "regio": vr_code[vr_idx] if level == "wijk" else (
                        vr_code[np.arange(n_gm) // gemeenten_per_regio] if level == "gemeente" else vr_code),
                    "count": np.bincount(group, weights=wk_counts[name], minlength=n).astype(np.int64),
                    "_den": np.bincount(group, weights=wk_den, minlength=n).astype(np.int64),
                    "_hh": np.bincount(group, weights=households, minlength=n).astype(np.int64),
                    "_rr": wk_rr[name] if level == "wijk" else np.full(n, np.nan),
                    "_exp": np.bincount(group, weights=wk_exp[name], minlength=n),
                }))
            cells = pd.concat(rows, ignore_index=True)
            cells["period"], cells["indicator"] = period, name
            frames.append(cells)
    cells = pd.concat(frames, ignore_index=True)
    if rules is not None:
        return _protect_for_real(cells, rules)
    return _protect(cells, rng, min_count, rounding_base, min_households, secret_share)


def _protect_for_real(cells: pd.DataFrame, rules: Rules) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The build's own chain: protect (primary, secondary, audit) → public_cells → public_status."""
    from insights.cells import public_cells
    from insights.disclosure import protect, public_status

    # hermeldingen are divided by the raw meldingen count on the build machine; public_cells then
    # replaces that denominator by the published meldingen value, as in a release.
    raw = cells.assign(count=cells["count"].astype("Int64"), denominator=cells["_den"].astype("Int64"),
                       households=cells["_hh"].astype("Int64"), period=cells["period"].astype(np.int64))
    parent = pd.concat([
        pd.Series(raw.loc[raw["level"].eq("wijk"), "gemeente"].to_numpy(),
                  index=raw.loc[raw["level"].eq("wijk"), "code"]),
        pd.Series(raw.loc[raw["level"].eq("gemeente"), "regio"].to_numpy(),
                  index=raw.loc[raw["level"].eq("gemeente"), "code"]),
        pd.Series(pd.NA, index=raw.loc[raw["level"].eq("regio"), "code"], dtype="object"),
    ])
    parent = parent[~parent.index.duplicated()]
    protected = protect(raw[["code", "level", "gemeente", "regio", "period", "indicator", "count", "denominator",
                             "households"]], parent, rules)
    public = public_cells(protected)
    public["status"] = public_status(public)
    truth = pd.DataFrame({"count": cells["count"].to_numpy(), "rr": cells["_rr"].to_numpy(),
                          "expected": cells["_exp"].to_numpy(), "private_status": protected["status"].to_numpy()})
    return public, truth


def _protect(cells, rng, min_count, rounding_base, min_households, secret_share):
    status = np.full(len(cells), Status.published, dtype=object)
    status[(cells["level"].eq("wijk") & (rng.random(len(cells)) < secret_share)).to_numpy()] = Status.secret_at_source
    status[(cells["_hh"] < min_households).to_numpy() & (status == Status.published)] = Status.few_households
    status[(cells["count"] < min_count).to_numpy() & (status == Status.published)] = Status.below_threshold
    cells["status"] = status
    # Secondary: a gemeente group with exactly one hidden wijk hides its smallest published sibling.
    wk = cells[cells["level"].eq("wijk")]
    hidden = wk["status"].ne(Status.published)
    n_hidden = hidden.groupby([wk["gemeente"], wk["period"], wk["indicator"]]).transform("sum")
    candidates = wk[(n_hidden == 1) & ~hidden]
    partners = candidates.sort_values(["count", "code"]).groupby(["gemeente", "period", "indicator"]).head(1).index
    cells.loc[partners, "status"] = Status.secondary
    published = cells["status"].eq(Status.published)
    value = (np.floor(cells["count"] / rounding_base + 0.5) * rounding_base).astype("Int64")
    cells["value"] = value.where(published, pd.NA)
    # Denominators: hermeldingen are divided by the published meldingen value of the same cell.
    den = cells["_den"].astype("Int64")
    if "hermeldingen" in set(cells["indicator"]):
        meld = cells[cells["indicator"].eq("meldingen")].set_index(["code", "period"])["value"]
        her = cells["indicator"].eq("hermeldingen")
        keys = pd.MultiIndex.from_frame(cells.loc[her, ["code", "period"]])
        den[her] = meld.reindex(keys).to_numpy()
    cells["denominator"] = den
    cells["min_count"] = pd.array([min_count] * len(cells), dtype="Int64")
    cells["rounding_base"] = pd.array([rounding_base] * len(cells), dtype="Int64")
    cols = ["code", "level", "gemeente", "regio", "period", "indicator", "value", "status", "denominator",
            "min_count", "rounding_base"]
    published_frame = cells[cols].copy()
    published_frame["period"] = published_frame["period"].astype(np.int64)
    truth = pd.DataFrame({"count": cells["count"], "rr": cells["_rr"], "expected": cells["_exp"]})
    return published_frame, truth
