"""Steward report: each cell's state, its audit interval and information-loss totals.

Pure functions: an audited frame in, a frame or HTML text out. Nothing here reads or writes
files. The report contains **no raw count**: only published values, states, reasons and audit
intervals, which all follow from published figures.
"""

from __future__ import annotations

import html

import pandas as pd

from insights.disclosure.primary import Status

__all__ = ["steward_table", "information_loss", "steward_report_html", "REPORT_COLUMNS"]

REPORT_COLUMNS = [
    "code", "level", "period", "indicator", "value", "status", "reason", "protects",
    "audit_low", "audit_high", "protection_ok",
]

_LABEL = {
    Status.published: "gepubliceerd",
    Status.secret_at_source: "verborgen: geheim in de bron",
    Status.below_threshold: "verborgen: telling onder de drempel",
    Status.small_denominator: "verborgen: noemer te klein",
    Status.few_households: "verborgen: te weinig huishoudens",
    Status.secondary: "verborgen ter bescherming van een andere cel",
}


def steward_table(audited: pd.DataFrame) -> pd.DataFrame:
    """One row per cell for stewards (CSV-able), sorted by period, indicator, level and code.

    Parameters
    ----------
    audited : output of :func:`insights.disclosure.protect` or :func:`insights.disclosure.audit`.

    Returns
    -------
    Columns :data:`REPORT_COLUMNS` that exist in ``audited`` plus ``state`` (Dutch label of the
    status). The raw ``count`` (and anything derived from it other than the audit) is dropped.
    """
    cols = [c for c in REPORT_COLUMNS if c in audited.columns]
    out = audited[cols].copy()
    out.insert(cols.index("status") + 1, "state", out["status"].map(_LABEL).fillna(out["status"]))
    keys = [c for c in ("period", "indicator", "level", "code") if c in out.columns]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def information_loss(audited: pd.DataFrame) -> pd.DataFrame:
    """Information-loss totals per period and indicator, and overall.

    Returns
    -------
    One row per (period, indicator) plus a row ``period = "totaal"``: ``cells``, ``published``,
    ``hidden_primary``, ``hidden_secondary``, ``hidden_share`` (fraction of cells hidden) and
    ``under_protected`` (hidden cells whose audit interval misses the protection range; must be
    0 before sign-off). Counts of cells only: no sum of hidden counts, which would itself leak.
    """
    s = audited["status"]
    frame = pd.DataFrame({
        "period": audited["period"].astype(str),
        "indicator": audited["indicator"],
        "cells": 1,
        "published": s.eq(Status.published).astype(int),
        "hidden_primary": (s.ne(Status.published) & s.ne(Status.secondary)).astype(int),
        "hidden_secondary": s.eq(Status.secondary).astype(int),
        "under_protected": (~audited["protection_ok"].astype(bool)).astype(int)
        if "protection_ok" in audited.columns else 0,
    })
    per = frame.groupby(["period", "indicator"], sort=True).sum().reset_index()
    total = per.drop(columns=["period", "indicator"]).sum().to_frame().T
    total.insert(0, "indicator", "alle")
    total.insert(0, "period", "totaal")
    out = pd.concat([per, total], ignore_index=True)
    out["hidden_share"] = ((out["hidden_primary"] + out["hidden_secondary"]) / out["cells"]).round(4)
    return out


def _table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = "".join(
            f"<td>{'' if pd.isna(v) else html.escape(str(v))}</td>" for v in row
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def steward_report_html(audited: pd.DataFrame, rules_version: str, *, title: str = "Onthullingscontrole") -> str:
    """A self-contained HTML page: summary, information loss, and every hidden cell with its reason
    and audit interval (published cells are summarised, not listed).

    Parameters
    ----------
    audited : output of :func:`insights.disclosure.protect` / :func:`insights.disclosure.audit`.
    rules_version : the ``version`` of the rules file in force, printed in the heading.
    """
    loss = information_loss(audited)
    table = steward_table(audited)
    hidden = table[table["status"].ne(Status.published)]
    total = loss.iloc[-1]
    verdict = (
        "Audit geslaagd: geen verborgen cel is nauwkeuriger te bepalen dan toegestaan."
        if int(total["under_protected"]) == 0
        else f"Audit NIET geslaagd: {int(total['under_protected'])} verborgen cel(len) onvoldoende beschermd."
    )
    return (
        "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>Regels versie {html.escape(rules_version)}. "
        f"{int(total['cells'])} cellen, {int(total['published'])} gepubliceerd, "
        f"{int(total['hidden_primary'])} primair en {int(total['hidden_secondary'])} secundair verborgen.</p>"
        f"<p><strong>{html.escape(verdict)}</strong></p>"
        "<h2>Informatieverlies</h2>" + _table_html(loss)
        + "<h2>Verborgen cellen</h2><p>Interval: de kleinste en grootste telling die met alle "
        "gepubliceerde cijfers te rijmen is (leeg = onbegrensd).</p>"
        + _table_html(hidden) + "</body></html>"
    )
