"""Offline HTML profile page per wijk and gemeente: a spine chart and a sparkline per indicator.

Everything comes from the release's ``profielen`` table (published figures and what was computed from
them); the page is self-contained (inline SVG and CSS, no scripts, no network) so it opens from the
release folder. A hidden figure is shown as "beschermd", never as 0.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from insights.indicators import INDICATORS
from insights.release import Release

__all__ = ["profile_page", "render_profile_pages"]

_SPINE_W, _SPINE_H = 320, 26
_SPARK_W, _SPARK_H = 160, 40
_RR_MIN, _RR_MAX = 0.25, 4.0
_CSS = """body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:72rem}
table{border-collapse:collapse;width:100%}th,td{padding:.35rem .5rem;border-bottom:1px solid #ddd;text-align:left;
vertical-align:middle;font-size:.9rem}.note{color:#555;font-size:.85rem}.synthetic{background:#fff3cd;padding:.5rem}
.hoger{color:#b2182b}.lager{color:#2166ac}"""


def _x(rr: float) -> float:
    rr = min(max(rr, _RR_MIN), _RR_MAX)
    return (math.log(rr) - math.log(_RR_MIN)) / (math.log(_RR_MAX) - math.log(_RR_MIN)) * _SPINE_W


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value):.{digits}f}".replace(".", ",")


def _spine(row: pd.Series) -> str:
    """Relative risk against the region (1 = the regio) on a log axis, with its 95% interval."""
    mid = _x(1.0)
    parts = [
        f'<svg class="spine" role="img" width="{_SPINE_W}" height="{_SPINE_H}" viewBox="0 0 {_SPINE_W} {_SPINE_H}">',
        (
            f"<title>RR tegen de regio: {_fmt(row['rr'], 2)} (95%: {_fmt(row['rr_low95'], 2)}–"
            f"{_fmt(row['rr_high95'], 2)})</title>"
        ),
        f'<rect x="0" y="8" width="{_SPINE_W}" height="10" fill="#eee"/>',
        f'<line x1="{mid:.1f}" y1="2" x2="{mid:.1f}" y2="24" stroke="#333" stroke-width="1.5"/>',
    ]
    if pd.notna(row["rr"]) and pd.notna(row["rr_low95"]) and pd.notna(row["rr_high95"]):
        lo, hi, x = _x(row["rr_low95"]), _x(row["rr_high95"]), _x(row["rr"])
        parts.append(f'<rect class="interval" x="{lo:.1f}" y="9" width="{max(hi - lo, 1):.1f}" height="8" '
                     'fill="#9ecae1"/>')
        parts.append(f'<circle class="estimate" cx="{x:.1f}" cy="13" r="4.5" fill="#08519c"/>')
    parts.append("</svg>")
    return "".join(parts)


def _sparkline(series: pd.DataFrame) -> str:
    """Rate per period with its interval band; hidden periods show only the band the public interval allows."""
    s = series.sort_values("period")
    highs = [v for v in s["rate_high95"].tolist() + s["rate"].tolist() if pd.notna(v)]
    top = max(highs) if highs else 1.0
    n = len(s)
    xs = [4 + i * (_SPARK_W - 8) / max(n - 1, 1) for i in range(n)]

    def y(v: float) -> float:
        return _SPARK_H - 3 - (float(v) / top) * (_SPARK_H - 6) if top > 0 else _SPARK_H - 3

    band = [(x, r) for x, r in zip(xs, s.itertuples()) if pd.notna(r.rate_low95) and pd.notna(r.rate_high95)]
    parts = [
        f'<svg class="spark" role="img" width="{_SPARK_W}" height="{_SPARK_H}" viewBox="0 0 {_SPARK_W} {_SPARK_H}">',
        "<title>"
        + "; ".join(f"{int(r.period)}: {_fmt(r.rate) if pd.notna(r.rate) else 'beschermd'}" for r in s.itertuples())
        + "</title>",
    ]
    if band:
        upper = " ".join(f"{x:.1f},{y(r.rate_high95):.1f}" for x, r in band)
        lower = " ".join(f"{x:.1f},{y(r.rate_low95):.1f}" for x, r in reversed(band))
        parts.append(f'<polygon class="band" points="{upper} {lower}" fill="#c6dbef"/>')
    line = [f"{x:.1f},{y(r.rate):.1f}" for x, r in zip(xs, s.itertuples()) if pd.notna(r.rate)]
    if len(line) > 1:
        parts.append(
            f'<polyline class="rate" points="{" ".join(line)}" fill="none" stroke="#08519c" stroke-width="1.5"/>'
        )
    for x, r in zip(xs, s.itertuples()):
        if pd.notna(r.rate):
            parts.append(f'<circle cx="{x:.1f}" cy="{y(r.rate):.1f}" r="2" fill="#08519c"/>')
    parts.append("</svg>")
    return "".join(parts)


def profile_page(release: Release, code: str) -> str:
    """The HTML profile of one wijk or gemeente of ``release`` (its latest period, all periods as sparklines)."""
    table = release.tables.get("profielen")
    rows = pd.DataFrame() if table is None else table[table["code"].eq(code)]
    names = release.areas.set_index("code")["naam"]
    name = str(names.get(code, code))
    latest = int(rows["period"].max()) if len(rows) else None
    body = []
    for indicator, group in rows.groupby("indicator", sort=False):
        now = group[group["period"].eq(latest)].iloc[0]
        spec = INDICATORS.get(str(indicator))
        label = spec.label if spec else str(indicator)
        per = spec.per if spec else ""
        figure = ("beschermd" if pd.isna(now["value"]) else
                  f'{_fmt(now["rate"])} {html.escape(per)} <span class="note">(95%: {_fmt(now["rate_low95"])}–'
                  f'{_fmt(now["rate_high95"])})</span>')
        signal = str(now["signal"]) if pd.notna(now["signal"]) else "–"
        klass = "hoger" if "hoger" in signal else ("lager" if "lager" in signal else "")
        trend = html.escape(str(now["trend"]))
        if pd.notna(now.get("apc")):
            trend += f' <span class="note">({_fmt(now["apc"])}% per jaar, 95%: {_fmt(now["apc_low95"])} tot ' \
                     f'{_fmt(now["apc_high95"])})</span>'
        extra = ""
        if pd.notna(now.get("repeat_share")):
            extra = (f'<br><span class="note">aandeel hermeldingen {_fmt(100 * now["repeat_share"])}% '
                     f'(95%: {_fmt(100 * now["repeat_low95"])}–{_fmt(100 * now["repeat_high95"])}%), '
                     f'{html.escape(str(now["repeat_signal"]))}</span>')
        if pd.notna(now.get("composite")):
            extra += (f'<br><span class="note">samengestelde uitleg {_fmt(now["composite"], 2)} — '
                      f'{html.escape(str(now["composite_label"]))}</span>')
        body.append(
            f'<tr data-indicator="{html.escape(str(indicator))}"><th scope="row">{html.escape(label)}</th>'
            f"<td>{figure}<br><span class=\"note\">regio {_fmt(now['regio_rate'])}</span></td>"
            f"<td>{_spine(now)}</td><td class=\"{klass}\">{html.escape(signal)}<br>"
            f"<span class=\"note\">trechter: {html.escape(str(now['funnel']))}</span>{extra}</td>"
            f"<td>{_sparkline(group)}</td><td>{trend}</td></tr>")
    synthetic = ('<p class="synthetic"><strong>Let op:</strong> de tellingen in deze release zijn SYNTHETISCH '
                 "(demonstratie), niet echt.</p>" if release.synthetic else "")
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Profiel {html.escape(name)} ({code})</title>
<style>{_CSS}</style></head><body>
<h1>Profiel {html.escape(name)} <span class="note">{code}, {latest if latest is not None else '–'}</span></h1>
{synthetic}
<p class="note">Per indicator het cijfer met 95%-interval tegen de eigen veiligheidsregio. De balk toont de
geschatte verhouding (RR, empirisch Bayes) op een logaritmische as van {_RR_MIN:g} tot {_RR_MAX:g}; de streep is de
regio (1). De kleine grafiek toont het cijfer per jaar met zijn interval. Meldingen zijn geen prevalentie;
een signaal is een aanleiding voor een gesprek, geen oordeel. Release {html.escape(release.id)}.</p>
<table><thead><tr><th>Indicator</th><th>Cijfer</th><th>Tegen de regio</th><th>Signaal</th>
<th>Verloop</th><th>Trend (laatste vijf jaar)</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table>
</body></html>
"""


def render_profile_pages(release: Release) -> dict[str, str]:
    """``profielen/<code>.html`` for every wijk and gemeente in the release's ``profielen`` table."""
    table = release.tables.get("profielen")
    if table is None:
        return {}
    return {f"profielen/{code}.html": profile_page(release, str(code)) for code in sorted(table["code"].unique())}
