"""The key-based path on Apache Spark (local mode) gives the same table as DuckDB, from the same SQL."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from insights.ingest import read_indicator_file
from insights.registrations import aggregate_registrations, read_pc6_table
from insights.registrations.spark import aggregate_registrations_spark, local_session
from insights.registrations.synthetic import generate_registrations
from insights.settings import BuildSettings
from tests.insights.registrations.conftest import write_records


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    session = local_session(cores=1)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def key_files(tmp_path_factory, locator) -> tuple[list, object]:
    """Synthetic records of three Dalfsen wijken, located by wijk code in one file and by PC6 in another."""
    folder = tmp_path_factory.mktemp("keys")
    counts = read_indicator_file(BuildSettings().indicators[0]).wijken
    records = generate_registrations(counts[counts["code"].isin(["WK014801", "WK014802", "WK014803"])], locator)
    records["wijkcode"] = locator.codes[locator.locate(records["x"].to_numpy(), records["y"].to_numpy())]
    by_code, by_pc6 = records.iloc[: len(records) // 2], records.iloc[len(records) // 2:].copy()
    pc6_of = {"WK014801": "7721AA", "WK014802": "7722BB", "WK014803": "7723CC"}
    by_pc6["pc6"] = by_pc6["wijkcode"].map(pc6_of)
    by_pc6.iloc[:5, by_pc6.columns.get_loc("pc6")] = "7799ZZ"  # in two wijken
    by_pc6.iloc[5:8, by_pc6.columns.get_loc("pc6")] = "1000AA"  # unknown
    edges = pd.DataFrame({"huishouden": "leap", "datum": ["2023-02-28", "2024-02-29", "2025-02-28"],
                          "soort": "melding", "wijkcode": "WK014801"})
    code_file = write_records(folder / "codes.csv", pd.concat([by_code.drop(columns=["x", "y", "synthetisch"]), edges])
                              .to_dict("records"))
    pc6_file = write_records(folder / "pc6.parquet", by_pc6.drop(columns=["x", "y", "wijkcode"]).to_dict("records"))
    table = folder / "pc6_wijk.csv"
    rows = [*(f"{p},{w}" for w, p in pc6_of.items()), "7799ZZ,WK014801", "7799ZZ,WK014802"]
    table.write_text("pc6,wijkcode\n" + "\n".join(rows) + "\n")
    return [code_file, pc6_file], read_pc6_table(table)


def test_spark_and_duckdb_give_identical_tables(spark, boundaries, key_files):
    paths, pc6 = key_files
    on_duckdb = aggregate_registrations(paths, boundaries, pc6_table=pc6)
    on_spark = aggregate_registrations_spark(spark, paths, boundaries, pc6_table=pc6)
    columns = ["code", "period", *on_duckdb.table.indicators]
    assert on_spark.table.indicators == on_duckdb.table.indicators
    pd.testing.assert_frame_equal(on_spark.table.frame[columns], on_duckdb.table.frame[columns])
    assert on_spark.unassigned == on_duckdb.unassigned == {"pc6_several_wijken": 5, "pc6_unknown": 3}
    assert (on_spark.records, on_spark.duplicates) == (on_duckdb.records, on_duckdb.duplicates)
    frame = on_spark.table.frame.set_index(["code", "period"])
    assert np.asarray(frame["hermeldingen"]).sum() > 0
