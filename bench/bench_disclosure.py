"""Benchmark: national secondary suppression, ours versus pytauargus (τ-ARGUS OPT), same tables.

Command (from the repository root; needs ``pip install -e '.[bench]'``)::

    .venv/bin/python bench/bench_disclosure.py            # 3 indicators × 5 years, seed 2026
    .venv/bin/python bench/bench_disclosure.py --years 1 --indicators 1   # one table, quick

What it does
------------
1. Builds the table of the whole Netherlands from bundled real data: every wijk of
   ``data/open/wijken_2024_wgs84_simplified.geojson`` (households, inhabitants; "Groot water" and
   GM0998 Buitenland dropped) ⊂ gemeente ⊂ veiligheidsregio (``data/open/gemeente_veiligheidsregio_
   ggdregio_2023.csv``) ⊂ NL01. Counts per wijk are seeded Poisson draws (schulden per household,
   echtscheidingen per inhabitant, meldingen per household) for 5 years; parents are sums.
2. Ours: ``insights.disclosure.protect`` over all 15 tables at once (linked, with the exact audit
   inside), then ``assert_protected``.
3. pytauargus 0.6.0: per table, tabular input with our primary cells as unsafe with the same
   protection range (lower protection level = count, upper = threshold - count), ``OPT``, then
   its own ``engine.audit``.
4. Our independent LP audit (``audit(method="lp")``: HiGHS, two LPs per hidden cell, rounding
   intervals for published cells) on both patterns.

Each tool runs in its own subprocess, so the peak resident memory printed is that tool's alone.
Prints one table of wall time, cells hidden, cells under-protected (by our LP audit) and peak
memory. Not a test: nothing here runs in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RULES_TEXT = (ROOT / "rules" / "disclosure.toml").read_text(encoding="utf-8")
# Per 1 of the denominator: chosen so that about a third of the wijken fall below the threshold.
RATES = {
    "schulden": ("households", 0.012),
    "echtscheidingen": ("inhabitants", 0.002),
    "meldingen": ("households", 0.006),
}


def build_table(years: int, indicators: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    """The national cells (all levels, periods, indicators) and parent_of."""
    feats = json.loads((ROOT / "data/open/wijken_2024_wgs84_simplified.geojson").read_text())["features"]
    wijk = pd.DataFrame([f["properties"] for f in feats])
    wijk = wijk[(wijk["wijknaam"] != "Groot water") & (wijk["gemeentecode"] != "GM0998")].copy()
    wijk["households"] = pd.to_numeric(wijk["huishoudens"]).fillna(0).astype(int)
    wijk["inhabitants"] = pd.to_numeric(wijk["aantal_inwoners"]).fillna(0).astype(int)
    vr = pd.read_csv(ROOT / "data/open/gemeente_veiligheidsregio_ggdregio_2023.csv", dtype=str)
    gm_to_vr = vr.set_index("gemeentecode")["veiligheidsregiocode"]
    parent_of = pd.concat([
        pd.Series({"NL01": None}),
        pd.Series("NL01", index=sorted(gm_to_vr.unique())),
        gm_to_vr,
        wijk.set_index("wijkcode")["gemeentecode"],
    ]).astype(object)
    missing = set(wijk["gemeentecode"]) - set(gm_to_vr.index)
    if missing:
        raise SystemExit(f"gemeenten without veiligheidsregio: {sorted(missing)}")
    level = {c: "wijk" for c in wijk["wijkcode"]} | {c: "gemeente" for c in gm_to_vr.index}
    level |= {c: "regio" for c in gm_to_vr.unique()} | {"NL01": "nederland"}
    rng = np.random.default_rng(seed)
    frames = []
    den_leaf = wijk.set_index("wijkcode")[["households", "inhabitants"]]
    chain = pd.DataFrame({"wijk": wijk["wijkcode"].to_numpy(), "gm": wijk["gemeentecode"].to_numpy()})
    chain["vr"] = chain["gm"].map(gm_to_vr)
    chain["nl"] = "NL01"
    for name in list(RATES)[:indicators]:
        den_col, rate = RATES[name]
        for year in range(2024 - years + 1, 2025):
            counts = rng.poisson(rate * den_leaf[den_col].to_numpy())
            leaf = chain.assign(count=counts, den=den_leaf[den_col].to_numpy(), hh=den_leaf["households"].to_numpy())
            parts = []
            for col in ("wijk", "gm", "vr", "nl"):
                g = (
                    leaf.groupby(col, sort=True)[["count", "den", "hh"]]
                    .sum()
                    .reset_index()
                    .rename(columns={col: "code"})
                )
                parts.append(g)
            t = pd.concat(parts, ignore_index=True)
            t["period"], t["indicator"] = year, name
            frames.append(t)
    cells = pd.concat(frames, ignore_index=True).rename(columns={"den": "denominator", "hh": "households"})
    cells["level"] = cells["code"].map(level)
    for c in ("count", "denominator", "households"):
        cells[c] = cells[c].astype("Int64")
    return cells[["code", "level", "period", "indicator", "count", "denominator", "households"]], parent_of


def run_ours(cells: pd.DataFrame, parent_of: pd.Series) -> pd.DataFrame:
    from insights.disclosure import assert_protected, parse_rules, protect

    rules = parse_rules(RULES_TEXT)
    out = protect(cells, parent_of, rules)
    assert_protected(out, rules)
    return out[["code", "period", "indicator", "value", "status"]]


def _hrc_lines(parent_of: pd.Series, codes: set[str]) -> list[str]:
    children: dict[str, list[str]] = {}
    for c, p in parent_of.items():
        if p is not None and c in codes:
            children.setdefault(p, []).append(c)
    lines: list[str] = []

    def walk(code: str, depth: int) -> None:
        for c in sorted(children.get(code, [])):
            lines.append("@" * depth + c)
            walk(c, depth + 1)

    walk("NL01", 0)
    return lines


def run_tauargus(cells: pd.DataFrame, parent_of: pd.Series, workdir: Path) -> tuple[pd.DataFrame, int]:
    """pytauargus OPT per table with our primary pattern and protection range; its audit after.

    Returns the pattern and the number of cells its own audit flags as unsafe.
    """
    from pytauargus.engine import run_batch

    from insights.disclosure import parse_rules, primary_suppression

    rules = parse_rules(RULES_TEXT)
    prim = primary_suppression(cells, rules)
    (workdir / "regions.hrc").write_text("\n".join(_hrc_lines(parent_of, set(cells["code"]))) + "\n")
    (workdir / "t.rda").write_text(
        '<SEPARATOR> ";"\n<SAFE> S\n<UNSAFE> U\n<PROTECT> P\n'
        'Region "" ""\n<RECODEABLE>\n<TOTCODE> "NL01"\n<HIERARCHICAL>\n<HIERCODELIST> "regions.hrc"\n'
        '<HIERLEADSTRING> "@"\nCount "" ""\n<NUMERIC>\nFreq "" ""\n<FREQUENCY>\nStatus "" ""\n<STATUS>\n'
        'LPL "" ""\n<NUMERIC> <LOWERPL>\nUPL "" ""\n<NUMERIC> <UPPERPL>\n'
    )
    results = []
    unsafe_by_own_audit = 0
    for (period, indicator), t in prim.groupby(["period", "indicator"], sort=True):
        mc = rules.for_indicator(indicator).min_count
        hidden = t["status"].ne("gepubliceerd")
        count = t["count"].fillna(0).astype(int)  # source-secret cells: none in this benchmark
        lpl = np.where(hidden, count, 0)
        upl = np.where(hidden, np.maximum(mc - count, 1), 0)
        lines = [
            f"{c};{n};1;{'U' if h else 'S'};{lo};{up}"
            for c, n, h, lo, up in zip(t["code"], count, hidden, lpl, upl)
        ]
        (workdir / "t.tab").write_text("\n".join(lines) + "\n")
        (workdir / "t.arb").write_text(
            '<OPENTABLEDATA> "t.tab"\n<OPENMETADATA> "t.rda"\n<SPECIFYTABLE> "Region"|"Count"||\n'
            "<SAFETYRULE>\n<READTABLE> 0\n<SUPPRESS> OPT(1,600)\n"
        )
        eng = run_batch(str(workdir / "t.arb"))
        tau = eng._tau
        _, n_active = tau.get_var_number_of_codes(0)
        status = {}
        for ci in range(n_active):
            ok, _ctype, code, _missing, _level = tau.get_var_code(0, ci)
            cell = tau.get_table_cell(0, [ci], 0)
            status[code or "NL01"] = cell[10]
        unsafe_by_own_audit += sum(1 for r in eng.audit(0) if r["unsafe"])
        st = t["code"].map(status)
        hid = st.between(3, 12).to_numpy()  # CS_UNSAFE_* .. CS_SECONDARY_*; 1, 2 safe, 14 empty
        value = t["count"].astype("Float64")
        base = rules.for_indicator(indicator).rounding_base
        rounded = (np.floor(value / base + 0.5) * base).astype("Int64")
        results.append(pd.DataFrame({
            "code": t["code"], "period": period, "indicator": indicator,
            "value": rounded.mask(hid),
            "status": np.where(hid, np.where(hidden, t["status"], "secundair"), "gepubliceerd"),
        }))
    return pd.concat(results, ignore_index=True), unsafe_by_own_audit


def child(tool: str, args: argparse.Namespace, out: Path) -> None:
    cells, parent_of = build_table(args.years, args.indicators, args.seed)
    start = time.perf_counter()
    own_unsafe = None
    if tool == "ours":
        pattern = run_ours(cells, parent_of)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            pattern, own_unsafe = run_tauargus(cells, parent_of, Path(tmp))
    wall = time.perf_counter() - start
    pattern.to_pickle(out)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "peak_mib": peak_mib, "own_unsafe": own_unsafe}))


def lp_audit(pattern: pd.DataFrame, parent_of: pd.Series) -> tuple[int, int, float]:
    from insights.disclosure import audit, parse_rules

    rules = parse_rules(RULES_TEXT)
    start = time.perf_counter()
    audited = audit(pattern, parent_of, rules, method="lp")
    hidden = audited["value"].isna()
    return int(hidden.sum()), int((~audited["protection_ok"]).sum()), time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--indicators", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--child", choices=["ours", "tauargus"])
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.child:
        child(args.child, args, args.out)
        return
    cells, parent_of = build_table(args.years, args.indicators, args.seed)
    n_tables = cells.groupby(["period", "indicator"]).ngroups
    from insights.disclosure import parse_rules, primary_suppression

    n_primary = int(primary_suppression(cells, parse_rules(RULES_TEXT))["status"].ne("gepubliceerd").sum())
    print(f"table: {len(cells)} cells in {n_tables} tables ({len(cells) // n_tables} per table), "
          f"{n_primary} primary; seed {args.seed}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for tool in ("ours", "tauargus"):
            out = Path(tmp) / f"{tool}.pkl"
            cmd = [sys.executable, __file__, "--child", tool, "--out", str(out), "--years", str(args.years),
                   "--indicators", str(args.indicators), "--seed", str(args.seed)]
            res = subprocess.run(cmd, capture_output=True, text=True, env=os.environ | {"PYTHONHASHSEED": "0"})
            if res.returncode != 0:
                print(f"{tool} failed:\n{res.stderr[-3000:]}")
                rows.append({"tool": tool, "error": res.stderr.strip().splitlines()[-1] if res.stderr else "?"})
                continue
            stats = json.loads(res.stdout.strip().splitlines()[-1])
            pattern = pd.read_pickle(out)
            hidden, under, t_audit = lp_audit(pattern, parent_of)
            rows.append({"tool": tool, "wall_s": round(stats["wall"], 2), "hidden": hidden,
                         "under_protected_lp": under, "own_audit_unsafe": stats["own_unsafe"],
                         "peak_MiB": round(stats["peak_mib"]), "lp_audit_s": round(t_audit, 1)})
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
