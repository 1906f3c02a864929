"""The steward report of a release (``rapport/``): the HTML page, the CSV of every cell, the
information loss, and one CSV per gemeente for stewards who work in a spreadsheet.

Reads the release as published (no raw counts exist there); the pure parts live in
:mod:`insights.disclosure.report`.
"""

from __future__ import annotations

import pandas as pd

from insights.disclosure.report import HEADERS_NL, information_loss, steward_report_html, steward_rows, steward_table
from insights.indicators import INDICATORS
from insights.release import REPORT_DIR, Release

__all__ = ["steward_files"]


def _excel_csv(frame: pd.DataFrame) -> str:
    """CSV as Dutch Excel opens it: ``;``-separated, decimal comma, BOM (UTF-8 with signature)."""
    return "\ufeff" + frame.rename(columns=HEADERS_NL).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")


def steward_files(release: Release, cells: pd.DataFrame) -> dict[str, str]:
    """Path relative to the release folder → text of the steward report files of ``release``, made from
    its steward ``cells`` (private status, reason, audit interval; never a raw count).

    ``beheer/rapport/onderdrukking.html`` (the page), ``…/onderdrukking.csv`` and
    ``…/informatieverlies.csv`` (machine-readable, short column names) and ``…/gemeenten/GMxxxx.csv``
    per gemeente (Dutch headers, Excel dialect), holding the cells of the gemeente and of its wijken.
    """
    areas = release.areas
    codes = areas["code"].astype(str)
    gemeente_col = areas["gemeente"] if "gemeente" in areas.columns else pd.Series(None, index=areas.index)
    gemeente_of = {c: (c if lvl == "gemeente" else g) for c, g, lvl in zip(codes, gemeente_col, areas["level"])
                   if lvl == "gemeente" or (isinstance(g, str) and g)}
    names = dict(zip(codes, areas["naam"].astype(str)))
    labels = {key: spec.label for key, spec in INDICATORS.items()}
    rows = steward_rows(cells, gemeente_of, names, labels)
    gemeente_codes = rows["code"].map(gemeente_of)
    links = {f"{names.get(g, g)} ({g})": f"gemeenten/{g}.csv" for g in sorted(set(gemeente_codes.dropna()))}
    rules_version = str(release.manifest.get("rules_version"))
    files = {
        f"{REPORT_DIR}/onderdrukking.html": steward_report_html(
            cells, rules_version, title=f"Onthullingscontrole {release.id}",
            gemeente_of=gemeente_of, names=names, labels=labels, csv_links=links),
        f"{REPORT_DIR}/onderdrukking.csv": steward_table(cells).to_csv(index=False, lineterminator="\n"),
        f"{REPORT_DIR}/informatieverlies.csv": information_loss(cells).to_csv(index=False, lineterminator="\n"),
    }
    for code, part in rows.groupby(gemeente_codes, sort=True):
        files[f"{REPORT_DIR}/gemeenten/{code}.csv"] = _excel_csv(part)
    return files
