"""Steward report: each cell's state, its audit interval and information-loss totals.

Pure functions: an audited frame in, a frame or HTML text out. Nothing here reads or writes
files. The report contains **no raw count**: only published values, states, reasons and audit
intervals, which all follow from published figures.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from insights.disclosure.primary import Status

__all__ = ["HEADERS_NL", "REPORT_COLUMNS", "gemeente_summary", "information_loss", "steward_report_html",
           "steward_rows", "steward_table"]

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


# Dutch column headers of what a steward reads (the CSV files for machines keep the short names).
HEADERS_NL = {
    "gemeente": "Gemeente",
    "naam": "Gebied",
    "code": "Code",
    "level": "Niveau",
    "period": "Periode",
    "indicator": "Indicator",
    "value": "Gepubliceerde waarde",
    "state": "Toestand",
    "status": "Status (code)",
    "reason": "Reden",
    "protects": "Beschermt",
    "audit_low": "Af te leiden: minimaal",
    "audit_high": "Af te leiden: maximaal",
    "protection_ok": "Voldoende beschermd",
    "cells": "Cellen",
    "published": "Gepubliceerd",
    "hidden_primary": "Verborgen door een regel",
    "hidden_secondary": "Verborgen ter bescherming van een andere cel",
    "hidden_share": "Aandeel verborgen",
    "under_protected": "Onvoldoende beschermd",
    "csv": "Bestand",
}
LEVELS_NL = {"wijk": "wijk", "gemeente": "gemeente", "regio": "veiligheidsregio", "nederland": "Nederland"}
_ROW_COLUMNS = ["gemeente", "naam", "code", "level", "period", "indicator", "value", "state", "reason", "protects",
                "audit_low", "audit_high", "protection_ok"]
_NUMERIC = {"period", "value", "audit_low", "audit_high"}


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table_html(frame: pd.DataFrame, *, table_id: str = "", sortable: bool = False) -> str:
    cols = list(frame.columns)
    head = "".join(
        f'<th scope="col"{" data-num" if c in _NUMERIC else ""}>'
        + (f'<button type="button">{html.escape(HEADERS_NL.get(c, c))}</button>' if sortable
           else html.escape(HEADERS_NL.get(c, c))) + "</th>"
        for c in cols
    )
    body = []
    for row in frame.itertuples(index=False):
        cells = [f'<td><a href="{html.escape(_text(v))}">CSV</a></td>' if c == "csv" and _text(v)
                 else '<td class="hd-bad">nee</td>' if c == "protection_ok" and v is False
                 else f"<td>{html.escape(_text(v))}</td>" for c, v in zip(cols, row)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def steward_rows(audited: pd.DataFrame, gemeente_of: Mapping[str, str], names: Mapping[str, str],
                 labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The steward table with the gemeente and the area's name in front, in Dutch words.

    Parameters
    ----------
    audited : as for :func:`steward_table`.
    gemeente_of : area code → code of its gemeente (a gemeente maps to itself); areas above gemeente
        level (regio, Nederland) are absent and get an empty gemeente.
    names : area code → name.
    labels : indicator key → Dutch label (default: the key).

    Returns
    -------
    Columns ``gemeente`` ("Zwolle (GM0193)"), ``naam`` and the columns of :func:`steward_table`
    (``level`` in Dutch, ``protection_ok`` as bool); no raw count.
    """
    table = steward_table(audited)
    gemeente = table["code"].map(gemeente_of)
    table.insert(0, "naam", [names.get(c, "") for c in table["code"]])
    table.insert(0, "gemeente", [f"{names.get(g, g)} ({g})" if isinstance(g, str) else "" for g in gemeente])
    if "level" in table.columns:
        table["level"] = table["level"].map(LEVELS_NL).fillna(table["level"])
    if labels:
        table["indicator"] = table["indicator"].map(labels).fillna(table["indicator"])
    return table[[c for c in _ROW_COLUMNS if c in table.columns]]


def gemeente_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per gemeente and indicator (all periods): cells, published, hidden and under-protected cells.

    ``rows`` is the output of :func:`steward_rows`; areas above gemeente level form the row
    "boven gemeenteniveau". Counts of cells only, never of what they hide.
    """
    state = rows["state"].astype(str)
    frame = pd.DataFrame({
        "gemeente": rows["gemeente"].replace("", "boven gemeenteniveau"),
        "indicator": rows["indicator"],
        "cells": 1,
        "published": state.eq(_LABEL[Status.published]).astype(int),
        "hidden_secondary": state.eq(_LABEL[Status.secondary]).astype(int),
        "under_protected": (~rows["protection_ok"].fillna(True).astype(bool)).astype(int)
        if "protection_ok" in rows.columns else 0,
    })
    frame["hidden_primary"] = frame["cells"] - frame["published"] - frame["hidden_secondary"]
    out = frame.groupby(["gemeente", "indicator"], sort=True).sum().reset_index()
    out["hidden_share"] = ((out["hidden_primary"] + out["hidden_secondary"]) / out["cells"])
    return out[["gemeente", "indicator", "cells", "published", "hidden_primary", "hidden_secondary",
                "hidden_share", "under_protected"]]


def _percent(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["hidden_share"] = [f"{100 * float(v):.0f}%" for v in out["hidden_share"]]
    return out


def _summary_wide(summary: pd.DataFrame, csv_links: Mapping[str, str]) -> pd.DataFrame:
    """One row per gemeente, one column per indicator: "hidden of cells (share)"; then under-protected."""
    text = [f"{h} van {c} verborgen ({100 * h / c:.0f}%)" if c else ""
            for h, c in zip(summary["hidden_primary"] + summary["hidden_secondary"], summary["cells"])]
    wide = summary.assign(text=text).pivot(index="gemeente", columns="indicator", values="text")
    wide.columns = [str(c) for c in wide.columns]
    wide.insert(0, "csv", [csv_links.get(g, "") for g in wide.index])
    wide["under_protected"] = summary.groupby("gemeente")["under_protected"].sum()
    return wide.reset_index()


def _options(values: pd.Series) -> str:
    return "".join(f"<option>{html.escape(v)}</option>" for v in sorted({_text(v) for v in values} - {""}))


_CSS = (
    "body{font:14px/1.45 system-ui,'Segoe UI',Arial,sans-serif;margin:16px;color:#222}"
    "table{border-collapse:collapse;margin:6px 0 18px}td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;"
    "text-align:left;vertical-align:top}th{background:#f0f0f0;position:sticky;top:0}"
    "th button{font:inherit;font-weight:bold;border:0;background:none;cursor:pointer;padding:0;text-align:left}"
    "th[aria-sort=ascending] button::after{content:' ▲'}th[aria-sort=descending] button::after{content:' ▼'}"
    "td.hd-bad{background:#fdd}#filters{display:flex;flex-wrap:wrap;gap:8px 16px;margin:8px 0}"
    "#filters label{display:flex;flex-direction:column;font-size:12px}.hd-count{color:#525252}"
)

# Filter and sort the cell table in the page itself: no library, no network (the report is opened
# from a file share or the release folder, often without internet).
_JS = r"""
(function () {
  "use strict";
  var table = document.getElementById("cellen"), body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows), heads = table.tHead.rows[0].cells;
  var filters = document.querySelectorAll("#filters [data-col]"), search = document.getElementById("zoek");
  var count = document.getElementById("aantal");
  function apply() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
    rows.forEach(function (row) {
      var ok = true;
      filters.forEach(function (f) {
        var col = +f.getAttribute("data-col");
        if (f.value === "__verborgen") { ok = ok && row.cells[col].textContent !== "gepubliceerd"; }
        else if (f.value) { ok = ok && row.cells[col].textContent === f.value; }
      });
      if (ok && words.length) {
        var text = row.textContent.toLowerCase();
        ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      }
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " van " + rows.length + " cellen";
  }
  function sortBy(index) {
    var head = heads[index], up = head.getAttribute("aria-sort") !== "ascending", num = head.hasAttribute("data-num");
    Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
    head.setAttribute("aria-sort", up ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = a.cells[index].textContent, y = b.cells[index].textContent, r;
      if (num) {
        x = x === "" ? Infinity : +x; y = y === "" ? Infinity : +y;
        r = x === y ? 0 : (x < y ? -1 : 1);
      } else { r = x.localeCompare(y, "nl", {numeric: true}); }
      return up ? r : -r;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  Array.prototype.forEach.call(heads, function (h, i) {
    h.querySelector("button").addEventListener("click", function () { sortBy(i); });
  });
  filters.forEach(function (f) { f.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  apply();
})();
"""


def steward_report_html(audited: pd.DataFrame, rules_version: str, *, title: str = "Onthullingscontrole",
                        gemeente_of: Mapping[str, str] | None = None, names: Mapping[str, str] | None = None,
                        labels: Mapping[str, str] | None = None, csv_links: Mapping[str, str] | None = None) -> str:
    """A self-contained HTML page for data stewards (Dutch, offline: no script or style from elsewhere).

    First the verdict and a summary per gemeente and indicator, then the information loss per period
    and indicator, then every cell in one table that filters (gemeente, indicator, period, state,
    free text) and sorts (click a column header) in the page itself. Only published values, states,
    reasons and audit intervals appear: no raw count.

    Parameters
    ----------
    audited : output of :func:`insights.disclosure.protect` / :func:`insights.disclosure.audit`.
    rules_version : the ``version`` of the rules file in force, printed in the heading.
    gemeente_of, names, labels : see :func:`steward_rows` (default: no gemeente, codes as names).
    csv_links : gemeente text as in :func:`steward_rows` ("Zwolle (GM0193)") → relative link to its CSV.
    """
    loss = information_loss(audited)
    rows = steward_rows(audited, gemeente_of or {}, names or {}, labels)
    summary = gemeente_summary(rows)
    total = loss.iloc[-1]
    verdict = (
        "Audit geslaagd: geen verborgen cel is nauwkeuriger te bepalen dan toegestaan."
        if int(total["under_protected"]) == 0
        else f"Audit NIET geslaagd: {int(total['under_protected'])} verborgen cel(len) onvoldoende beschermd."
    )
    summary_html = _table_html(_summary_wide(summary, csv_links or {}))
    if labels:
        loss["indicator"] = loss["indicator"].map(labels).fillna(loss["indicator"])
    col = list(rows.columns).index
    filters = (
        '<div id="filters">'
        f'<label>Gemeente<select data-col="{col("gemeente")}"><option value="">alle</option>'
        f'{_options(rows["gemeente"])}</select></label>'
        f'<label>Indicator<select data-col="{col("indicator")}"><option value="">alle</option>'
        f'{_options(rows["indicator"])}</select></label>'
        f'<label>Periode<select data-col="{col("period")}"><option value="">alle</option>'
        f'{_options(rows["period"])}</select></label>'
        f'<label>Toestand<select data-col="{col("state")}"><option value="__verborgen">alle verborgen cellen</option>'
        f'<option value="">alle cellen</option>{_options(rows["state"])}</select></label>'
        '<label>Zoeken (naam, code, reden)<input id="zoek" type="search"></label>'
        '<span class="hd-count" id="aantal" aria-live="polite"></span></div>'
    )
    return (
        "<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>Regels versie {html.escape(rules_version)}. "
        f"{int(total['cells'])} cellen, {int(total['published'])} gepubliceerd, "
        f"{int(total['hidden_primary'])} verborgen door een regel en {int(total['hidden_secondary'])} verborgen "
        "ter bescherming van een andere cel.</p>"
        f"<p><strong>{html.escape(verdict)}</strong></p>"
        "<h2>Per gemeente en indicator</h2><p>Verborgen cellen van alle perioden samen; een gemeente telt haar "
        "wijken en zichzelf. Per gemeente is er een CSV-bestand (puntkomma, voor Excel) met al haar cellen.</p>"
        + summary_html
        + "<h2>Informatieverlies per periode en indicator</h2>" + _table_html(_percent(loss))
        + "<h2>Alle cellen</h2><p>Kies wat je wilt zien; klik op een kolomkop om te sorteren. "
        "<i>Af te leiden</i>: de kleinste en grootste telling die met alle gepubliceerde cijfers te rijmen is "
        "(leeg = onbegrensd). Een verborgen cel is goed beschermd als dat interval breed genoeg is.</p>"
        + filters + _table_html(rows, table_id="cellen", sortable=True)
        + f"<script>{_JS}</script></body></html>"
    )
