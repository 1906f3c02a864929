"""Builds on an existing releases folder: corrections and rule changes, and the dry run that predicts them."""

from pathlib import Path

import pandas as pd

from insights.ingest import read_rules
from insights.pipeline import build_release, dry_run
from insights.release import REPORT_DIR, read_beheer

KEY = ["code", "period", "indicator"]


def quiet(_: str) -> None:
    pass


def _stricter(settings, tmp_path: Path) -> Path:
    text = Path(settings.rules).read_text(encoding="utf-8")
    text = text.replace('version = "2026.1"', 'version = "2026.9"').replace("min_count = 10", "min_count = 15")
    path = tmp_path / "strenger.toml"
    path.write_text(text.replace("rounding_base = 5", "rounding_base = 10"), encoding="utf-8")
    return path


def test_correction_and_stricter_rules_build_on_the_folder_and_the_dry_run_predicts_the_build(small_world, tmp_path):
    import time

    first = build_release(small_world, progress=quiet)
    # correct one published figure of a published year, tighten the threshold and change the rounding base
    indicators = small_world.indicators[0]
    lines = indicators.read_text(encoding="utf-8").splitlines()
    fields = lines[1].split(";")
    fields[3] = str(int(fields[3]) + 9)  # meldingen of the first wijk, first year
    lines[1] = ";".join(fields)
    indicators.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = small_world.model_copy(update={"rules": _stricter(small_world, tmp_path)})
    predicted = dry_run(settings, read_rules(settings.rules), progress=quiet)
    time.sleep(1.1)
    second = build_release(settings, progress=quiet)
    cols = KEY + ["value", "status", "min_count", "rounding_base", "herzien"]
    steward = read_beheer(second.path).cells  # the dry run speaks to stewards: private statuses
    pd.testing.assert_frame_equal(
        predicted[cols].sort_values(KEY).reset_index(drop=True),
        steward[cols].sort_values(KEY).reset_index(drop=True),
    )
    assert steward["protection_ok"].all()
    # cells published before keep their value and rules unless revised; the corrected wijk is revised
    before = first.cells.set_index(KEY)
    after = second.cells.set_index(KEY)
    kept = before["value"].notna() & ~after.loc[before.index, "herzien"].astype(bool)
    assert (after.loc[kept[kept].index, "value"] == before.loc[kept[kept].index, "value"]).all()
    assert (after.loc[kept[kept].index, "rounding_base"] == 5).all()
    assert after.loc[(fields[0], int(fields[1]), "meldingen"), "herzien"]
    report = (second.path / REPORT_DIR / "herzieningen.csv").read_text(encoding="utf-8")
    assert f"{fields[0]},{fields[1]},meldingen,{first.id}," in report
