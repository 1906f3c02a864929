"""The command line as scripts and reviewers call it."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from insights.release import PUBLIC_MANIFEST, STEWARD_CELLS_FILE, STEWARD_MANIFEST, current_release_dir


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helpende_data.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_build_prints_release_id_and_folder_and_progress(small_world):
    result = run("build", "--boundaries", str(small_world.boundaries), "--indicators", str(small_world.indicators[0]),
                 "--releases", str(small_world.releases_dir), "--no-maps")
    assert result.returncode == 0, result.stderr
    release_id, folder = result.stdout.strip().split("\t")
    assert Path(folder) == current_release_dir(small_world.releases_dir)
    assert Path(folder).name == release_id
    assert "protecting and auditing IJsselland" in result.stderr


def test_bad_input_exits_non_zero_with_one_clear_line(small_world):
    indicators = small_world.indicators[0]
    indicators.write_text(indicators.read_text() + "WK019310;2025;10;-4;0\n")
    result = run("build", "--boundaries", str(small_world.boundaries), "--indicators", str(indicators),
                 "--releases", str(small_world.releases_dir), "--no-maps")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == "error: indicatoren.csv, row 12, column 'meldingen': '-4' is negative; counts are ≥ 0"
    assert "Traceback" not in result.stderr
    assert not Path(small_world.releases_dir).exists() or not any(Path(small_world.releases_dir).iterdir())


def test_unknown_region_lists_the_choices(small_world):
    result = run("build", "--region", "Atlantis", "--releases", str(small_world.releases_dir), "--no-maps")
    assert result.returncode == 1
    assert "unknown region 'Atlantis'" in result.stderr and "IJsselland" in result.stderr


def test_serve_without_release_says_to_build_first(tmp_path):
    result = run("serve", "--releases", str(tmp_path))
    assert result.returncode == 1
    assert "run 'helpende-data build' first" in result.stderr


def test_rules_check_prints_the_rules_and_refuses_a_bad_file(tmp_path, bundled_settings):
    ok = run("rules", "check", str(bundled_settings.rules))
    assert ok.returncode == 0
    assert "meldingen" in ok.stdout and "min_count  10" in ok.stdout
    bad = tmp_path / "regels.toml"
    bad.write_text('version = "1"\n[indicators.meldngen]\nmin_count = 10\n')
    result = run("rules", "check", str(bad))
    assert result.returncode == 1
    assert "regels.toml" in result.stderr and "meldngen" in result.stderr


def test_rules_diff_dry_runs_without_writing_a_release(small_world, tmp_path):
    stricter = tmp_path / "strenger.toml"
    stricter.write_text(small_world.rules.read_text().replace("min_households = 50", "min_households = 2000"))
    out = tmp_path / "changes.csv"
    result = run("rules", "diff", str(small_world.rules), str(stricter), "--indicators", str(small_world.indicators[0]),
                 "--boundaries", str(small_world.boundaries), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "cells change state" in result.stdout
    import pandas as pd

    changes = pd.read_csv(out)
    # Lemelerveld (1,200 households) falls below the new floor: its published cells are now hidden
    assert (changes[changes["code"] == "WK014801"]["status_new"] == "te_weinig_huishoudens").all()
    assert "count" not in changes.columns
    assert not Path(small_world.releases_dir).exists()


def test_audit_passes_a_fresh_release_and_fails_a_tampered_one(small_world):
    import pandas as pd

    build = run("build", "--boundaries", str(small_world.boundaries), "--indicators", str(small_world.indicators[0]),
                "--releases", str(small_world.releases_dir), "--no-maps")
    assert build.returncode == 0, build.stderr
    ok = run("audit", "--releases", str(small_world.releases_dir))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 under-protected" in ok.stdout

    folder = current_release_dir(small_world.releases_dir)
    cells = pd.read_parquet(folder / STEWARD_CELLS_FILE)
    partner = cells.index[cells["status"] == "secundair"][0]  # publish a cell that protects another
    low = int(cells.loc[partner, "audit_low"])
    cells.loc[partner, "status"] = "gepubliceerd"
    cells.loc[partner, "value"] = max(10, 5 * round(low / 5))
    cells.to_parquet(folder / STEWARD_CELLS_FILE, index=False)
    manifest = json.loads((folder / STEWARD_MANIFEST).read_text())  # as if the build had written this table
    manifest["outputs"][STEWARD_CELLS_FILE] = hashlib.sha256((folder / STEWARD_CELLS_FILE).read_bytes()).hexdigest()
    (folder / STEWARD_MANIFEST).write_text(json.dumps(manifest))
    tampered = run("audit", "--releases", str(small_world.releases_dir))
    assert tampered.returncode == 1
    assert "0 under-protected" not in tampered.stdout


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()  # progress lines may come before the error
    errors = [line for line in lines if line.startswith("error:")]
    assert errors == lines[-1:], result.stderr
    return lines[-1]


def test_build_takes_a_gemeente_name_and_hints_at_the_code_for_a_wrong_one(small_world):
    args = ["--boundaries", str(small_world.boundaries), "--indicators", str(small_world.indicators[0]),
            "--releases", str(small_world.releases_dir), "--no-maps"]
    wrong = run("build", "--gemeente", "Zwole", *args)
    line = _one_line_error(wrong)
    assert "did you mean Zwolle?" in line and "GM0193 (Zwolle)" in line
    built = run("build", "--gemeente", "zwolle", *args)
    assert built.returncode == 0, built.stderr
    manifest = (Path(built.stdout.strip().split("\t")[1]) / PUBLIC_MANIFEST).read_text()
    assert '"Zwolle"' in manifest


def test_map_errors_are_one_line_with_a_hint(small_world, tmp_path):
    build = run("build", "--boundaries", str(small_world.boundaries), "--indicators", str(small_world.indicators[0]),
                "--releases", str(small_world.releases_dir), "--no-maps")
    assert build.returncode == 0, build.stderr
    releases = str(small_world.releases_dir)
    absent = _one_line_error(
        run("map", "--releases", releases, "--gemeente", "GM0363", "--out", str(tmp_path / "k.html"))
    )
    assert "GM0363" in absent and "current release" in absent and "e.g. GM0193 (Zwolle)" in absent
    no_folder = _one_line_error(run("map", "--releases", releases, "--out", str(tmp_path / "nergens" / "k.html")))
    assert "does not exist" in no_folder and "mkdir -p" in no_folder
    by_name = run("map", "--releases", releases, "--gemeente", "Zwolle", "--out", str(tmp_path / "k.html"))
    assert by_name.returncode == 0, by_name.stderr
    assert "Gemeente Zwolle (GM0193)" in (tmp_path / "k.html").read_text()
