"""Expected counts: denominator × reference rate."""

from __future__ import annotations

import pandas as pd

__all__ = ["expected_counts"]


def expected_counts(denominator: pd.Series, reference_rate: float | pd.Series) -> pd.Series:
    """Expected number of events per area.

    Parameters
    ----------
    denominator : households or inhabitants per area (a count), indexed by area code.
    reference_rate : events per unit of denominator in the reference population (a rate, not per
        1,000), scalar or aligned with ``denominator``.

    Returns
    -------
    Float Series named ``expected``: a count, not a rate. NA where the denominator is NA.
    """
    expected = denominator.astype("Float64") * reference_rate
    return expected.rename("expected")


def reference_rates(published: pd.DataFrame, reference: str = "regio") -> pd.Series:
    """Reference rate per row of a published frame, from published regio figures only.

    Parameters
    ----------
    published : published frame with ``level``, ``code``, ``regio``, ``period``, ``indicator``,
        ``value`` (Int64 rounded count, NA when hidden) and ``denominator`` (count).
    reference : ``"regio"`` (default): the row's own veiligheidsregio, rate = regio value /
        regio denominator. ``"nederland"``: the published ``nederland`` row (level ``"nederland"``)
        where present, else the sum of published regio values over the sum of their
        denominators, per period and indicator.

    Returns
    -------
    Float64 Series aligned with ``published``, named ``reference_rate``: events per unit of
    denominator (not per 1,000). NA where the reference cell is hidden or unknown.

    Notes
    -----
    Only published (rounded) totals are used, so the rate carries the rounding of one or a few
    large counts: a relative error below 0.1% for a regio total in the thousands. For
    ``"nederland"`` a regio whose cell is hidden is left out of both sums.
    """
    if reference not in ("regio", "nederland"):
        raise ValueError(f"reference must be 'regio' or 'nederland', got {reference!r}")
    regio = published[published["level"].eq("regio")]
    value = regio["value"].astype("Float64")
    den = regio["denominator"].astype("Float64")
    ok = value.notna() & den.notna() & (den > 0)
    regio = regio.assign(_v=value.where(ok), _d=den.where(ok))
    if reference == "regio":
        rates = (regio["_v"] / regio["_d"]).set_axis(pd.MultiIndex.from_frame(regio[["code", "period", "indicator"]]))
        keys = pd.MultiIndex.from_frame(published[["regio", "period", "indicator"]].astype({"regio": "object"}))
    else:
        sums = regio.groupby(["period", "indicator"])[["_v", "_d"]].sum(min_count=1)
        rates = sums["_v"] / sums["_d"]
        nl = published[published["level"].eq("nederland")]
        if len(nl):  # a published national row beats the sum of regio rows
            nl_rate = nl["value"].astype("Float64") / nl["denominator"].astype("Float64")
            nl_rate = pd.Series(nl_rate.to_numpy(), index=pd.MultiIndex.from_frame(nl[["period", "indicator"]]))
            nl_rate = nl_rate[~nl_rate.index.duplicated()].dropna()
            rates = nl_rate.combine_first(rates)
        keys = pd.MultiIndex.from_frame(published[["period", "indicator"]])
    rates = rates[~rates.index.duplicated()]
    out = rates.reindex(keys).astype("Float64")
    return pd.Series(out.to_numpy(), index=published.index, name="reference_rate", dtype="Float64")
