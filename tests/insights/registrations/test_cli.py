"""``helpende-data aggregate`` as a script calls it: counts out, one clear line on refused input."""

from __future__ import annotations

import subprocess
import sys

from tests.insights.registrations.conftest import write_records


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpende_data.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_aggregate_writes_counts_and_reports_totals(tmp_path, inside):
    rows = [{"huishouden": "k1", "datum": d, "soort": "melding", "x": inside["WK019310"][0],
             "y": inside["WK019310"][1]} for d in ("2024-01-01", "2024-03-01")]
    rows.append({"huishouden": "k2", "datum": "2024-01-01", "soort": "melding", "x": 320_000.0, "y": 450_000.0})
    out = tmp_path / "counts.csv"
    result = run("aggregate", "--registraties", str(write_records(tmp_path / "r.csv", rows)), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "3 records, 0 duplicates dropped, not assigned to a wijk: 1 outside" in result.stderr
    line = next(row for row in out.read_text(encoding="utf-8-sig").splitlines() if row.startswith("WK019310;2024"))
    assert line == "WK019310;2024;1;1;nee"


def test_an_identifier_column_stops_the_run_with_one_line_and_no_file(tmp_path):
    rows = [{"huishouden": "k", "datum": "2024-01-01", "soort": "melding", "wijkcode": "WK019310",
             "burgerservicenummer": "111222333"}]
    out = tmp_path / "counts.csv"
    result = run("aggregate", "--registraties", str(write_records(tmp_path / "r.csv", rows)), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: r.csv, row 1, column 'burgerservicenummer': a BSN column is a direct identifier and is refused")
    assert "111222333" not in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
