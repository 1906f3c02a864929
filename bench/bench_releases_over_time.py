"""Acceptance walk-through of issue 12 on the bundled IJsselland data: six builds into one folder.

Command (from the repository root)::

    .venv/bin/python bench/bench_releases_over_time.py /tmp/releases-over-time

1. first build; 2. one published-year figure corrected (first 2024 meldingen row of GM0148, +3);
3. min_count 10 -> 15; 4. rounding_base 5 -> 10; 5. one gemeente (GM0148); 6. the region again.
Each builds on the existing folder (every earlier release is attacker knowledge). Then an
independent LP attacker (``tests/insights/disclosure/independent.py``: one LP over all releases,
knowing exactly which cells the correction changed) attacks four (period, indicator) tables over all
six releases together and counts hidden cells narrower than their protection range. Not a test.
"""
import glob
import sys
import time
from pathlib import Path

import pandas as pd

from geo.errors import HelpendeDataError
from insights.pipeline import build_release
from insights.settings import BuildSettings

root = Path(sys.argv[1])
root.mkdir(parents=True)  # a new folder: never overwrite anything
base = BuildSettings()
src = Path(base.indicators[0]).read_text(encoding="utf-8-sig").splitlines()
ind = root / "indicatoren.csv"
ind.write_text("\n".join(src) + "\n", encoding="utf-8")
rules_text = Path(base.rules).read_text()
rules = root / "regels.toml"
rules.write_text(rules_text)
s = base.model_copy(update={"indicators": [ind], "rules": rules, "releases_dir": root / "releases"})
def go(label, **kw):
    t = time.perf_counter()
    try:
        r = build_release(s, progress=lambda _: None, **kw)
        c = r.cells
        print(
            f"{label}: ok {time.perf_counter() - t:.1f}s hidden {int(c['value'].isna().sum())}/{len(c)} "
            f"herzien {int(c['herzien'].sum())}"
        )
    except (HelpendeDataError, ValueError) as e:
        print(f"{label}: FAIL {type(e).__name__}: {str(e)[:400]}")
    time.sleep(1.1)
go("1 first")
# correct one published-year figure: first wijk of GM0148 2024 meldingen +3
lines = ind.read_text().splitlines()
hdr = lines[0].split(";")
for i, line in enumerate(lines):
    f = line.split(";")
    if f[0].startswith("WK0148") and f[1] == "2024":
        j = hdr.index("meldingen")
        print("correct", f[0], f[j], "->", int(f[j]) + 3)
        f[j] = str(int(f[j]) + 3)
        lines[i] = ";".join(f)
        break
ind.write_text("\n".join(lines) + "\n")
go("2 corrected")
rules.write_text(
    rules_text.replace('version = "2026.1"', 'version = "2026.2"').replace("min_count = 10", "min_count = 15")
)
go("3 min_count 15")
rules.write_text(
    rules_text.replace('version = "2026.1"', 'version = "2026.3"')
    .replace("rounding_base = 5", "rounding_base = 10")
    .replace("min_count = 10", "min_count = 15")
)
go("4 rounding 10")
go("5 one gemeente", gemeenten=["GM0148"])
go("6 region again")

# --- independent attack over all releases of the folder ---
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.insights.disclosure.independent import attack_releases  # noqa: E402 (the repo root goes on sys.path first)

rels = [pd.read_parquet(f) for f in sorted(glob.glob(f"{root}/releases/2*/cellen.parquet"))]
areas = pd.read_parquet(max(glob.glob(f"{root}/releases/2*/gebieden.parquet"))).set_index("code")
parents = areas["parent"].astype(object).where(areas["parent"].notna(), None)
corrected = next(r.split(";")[0] for r in src if r.startswith("WK0148") and r.split(";")[1] == "2024")
changed_12 = {(corrected, 2024, "meldingen"), ("GM0148", 2024, "meldingen"), ("VR04", 2024, "meldingen")}
total = bad = 0
for period, ind in [(2024, "meldingen"), (2022, "echtscheidingen"), (2024, "hermeldingen"), (2020, "schulden")]:
    frames = [r[(r["period"] == period) & (r["indicator"] == ind)].reset_index(drop=True) for r in rels]
    changed = [changed_12 if (period, ind) == (2024, "meldingen") else set()] + [set()] * (len(rels) - 2)
    for attacked in attack_releases(frames, parents, changed):
        total += len(attacked)
        bad += int((~attacked["ok"]).sum())
print(f"{len(rels)} releases; hidden cells attacked: {total}; narrower than their range: {bad}")
