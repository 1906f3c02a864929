"""The key-based path (records located by wijk code or PC6) on Apache Spark, from the same SQL.

For users beyond one machine: :data:`~insights.registrations.query.LOCATE_BY_KEY` and
:func:`~insights.registrations.query.count_sql` run unchanged in Spark SQL; only reading the files
and parsing their text (dates) is Spark's own. Point files need the grid locator and stay on DuckDB.

Pointing it at a cluster: build the session yourself and pass it in, e.g.::

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("spark://head:7077")      # or "yarn", "k8s://…"
             .config("spark.executor.memory", "8g").getOrCreate())
    result = aggregate_registrations_spark(spark, ["hdfs:///vt/meldingen/*.parquet"], boundaries, pc6_table=pc6)

Paths are then read by the executors (HDFS, S3 via ``s3a://``, or a shared file system). Only the
counts per wijk, year and indicator come back to the driver. Errors name file and column and the
number of offending rows; Spark does not keep a row's line number.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from geo.errors import InputFileError
from insights.ingest import sha256_file
from insights.registrations.aggregate import Aggregated, Boundaries, counts_to_table
from insights.registrations.guard import check_no_identifiers
from insights.registrations.mapping import DEFAULT_MAPPING, read_mapping
from insights.registrations.query import LOCATE_BY_KEY, count_sql
from insights.registrations.records import resolve_columns

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["aggregate_registrations_spark", "local_session"]


def local_session(cores: int = 1) -> SparkSession:
    """A small local Spark session (tests, one machine): no UI, few shuffle partitions, no whole-stage
    code generation and a JVM that starts fast (compiling code costs more than it saves on small data)."""
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master(f"local[{cores}]").appName("helpende-data-registraties")
            .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", str(cores))
            .config("spark.default.parallelism", str(cores)).config("spark.sql.codegen.wholeStage", "false")
            .config("spark.driver.extraJavaOptions", "-XX:+UseSerialGC -XX:TieredStopAtLevel=1")
            .config("spark.sql.session.timeZone", "UTC").getOrCreate())


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def aggregate_registrations_spark(spark: SparkSession, paths: Iterable[Path | str], boundaries: Boundaries, *,
                                  mapping_path: Path = DEFAULT_MAPPING,
                                  pc6_table: pd.DataFrame | None = None) -> Aggregated:
    """Count records located by wijk code or PC6 per wijk, year and indicator on Spark.

    Same rules and result as :func:`~insights.registrations.aggregate.aggregate_registrations`
    (identical tables on the same input); ``unassigned`` counts records per reason.
    """
    mapping = read_mapping(mapping_path)
    files = [Path(p) for p in paths]
    frames = []
    for path in files:
        reader = spark.read
        df = (reader.parquet(str(path)) if path.suffix.lower() in (".parquet", ".pq")
              else reader.option("header", True).option("inferSchema", False).csv(str(path)))
        sample = pd.DataFrame(df.limit(10_000).toPandas()).astype("string")
        check_no_identifiers(path, {c: sample[c].dropna().tolist() for c in sample.columns})
        cols = resolve_columns(path, list(df.columns))
        if cols.location not in ("wijk", "pc6"):
            raise InputFileError(path, "the Spark path reads records located by wijkcode or pc6; points need DuckDB",
                                 row=1)
        if cols.location == "pc6" and pc6_table is None:
            raise InputFileError(path, "records give a PC6: pass a PC6 → wijk table", row=1, column=cols.a)
        df.createOrReplaceTempView("source")

        def text(col: str) -> str:
            return f"NULLIF(TRIM(CAST({_q(col)} AS STRING)), '')"

        date = text(cols.date)
        location = f"UPPER(REPLACE({text(cols.a)}, ' ', ''))"
        canonical = spark.sql(
            f"SELECT {text(cols.household)} AS household, "
            f"COALESCE(try_to_date({date}, 'yyyy-MM-dd'), try_to_date({date}, 'dd-MM-yyyy')) AS event_date, "
            f"LOWER({text(cols.kind)}) AS kind, "
            f"{location if cols.location == 'pc6' else 'CAST(NULL AS STRING)'} AS pc6, "
            f"{location if cols.location == 'wijk' else 'CAST(NULL AS STRING)'} AS wijk FROM source")
        canonical.createOrReplaceTempView("canonical")
        kinds = ", ".join(f"'{k}'" for k in sorted(mapping.kinds))
        spark.createDataFrame(pd.DataFrame({"code": sorted(boundaries.wijken["code"])})
                              ).createOrReplaceTempView("known_wijken")
        bad = spark.sql(  # one pass over the file for every check
            "SELECT COUNT_IF(household IS NULL), COUNT_IF(event_date IS NULL), "
            f"COUNT_IF(kind IS NULL OR kind NOT IN ({kinds})), "
            "COUNT_IF(pc6 IS NOT NULL AND NOT pc6 RLIKE '^[0-9]{4}[A-Z]{2}$'), "
            f"COUNT_IF({'wijk IS NULL OR k.code IS NULL' if cols.location == 'wijk' else 'FALSE'}) "
            "FROM canonical LEFT JOIN known_wijken AS k ON k.code = canonical.wijk").collect()[0]
        problems = ("no household key", "not a date (YYYY-MM-DD or DD-MM-YYYY)", "unknown event kind",
                    "not a PC6 (1234AB)", "not a wijk code of the boundaries in use")
        for n, column, problem in zip(bad, (cols.household, cols.date, cols.kind, cols.a, cols.a), problems,
                                      strict=True):
            if n:
                raise InputFileError(path, f"{problem} ({n} rows)", column=column)
        canonical = canonical.localCheckpoint()  # read and parsed once
        frames.append(canonical)
    records = frames[0]
    for frame in frames[1:]:
        records = records.unionByName(frame)
    records.createOrReplaceTempView("records")
    spark.createDataFrame(pd.DataFrame({"kind": list(mapping.kinds), "indicator": list(mapping.kinds.values())})
                          ).createOrReplaceTempView("kinds")
    pc6 = pc6_table if pc6_table is not None else pd.DataFrame({"pc6": ["0000XX"], "wijk": ["WK000000"]}).iloc[:0]
    spark.createDataFrame(pc6[["pc6", "wijk"]].astype(str), schema="pc6 STRING, wijk STRING"
                          ).createOrReplaceTempView("pc6_wijk")
    spark.sql(LOCATE_BY_KEY).createOrReplaceTempView("located")
    spark.catalog.cacheTable("located")
    try:
        by_household = sorted({i for i, u in mapping.unit.items() if u == "huishoudens"} & set(mapping.kinds.values()))
        by_record = sorted({i for i, u in mapping.unit.items() if u == "registraties"} & set(mapping.kinds.values()))
        counts = pd.DataFrame(spark.sql(count_sql(by_household, by_record,
                                                  window_months=mapping.window_months)).toPandas())
        summary = spark.sql(  # reasons, totals, years and indicators in one pass
            "SELECT reason, indicator, YEAR(event_date) AS period, COUNT(*) AS n, "
            "COUNT(DISTINCT household, event_date, indicator, wijk) AS d FROM located "
            "GROUP BY reason, indicator, YEAR(event_date)").toPandas()
        summary = pd.DataFrame(summary)
    finally:
        spark.catalog.uncacheTable("located")
    lost = summary[summary["reason"].notna()]
    unassigned = {str(k): int(v) for k, v in lost.groupby("reason")["n"].sum().items()}
    kept = summary[summary["reason"].isna()]
    total, distinct = int(kept["n"].sum()), int(kept["d"].sum())
    periods = sorted(int(p) for p in summary["period"].dropna().unique())
    present = set(summary["indicator"].dropna())
    counts["n"] = counts["n"].astype("int64")
    counts["period"] = counts["period"].astype("int64")
    hashes = {p.name: sha256_file(p) for p in files}
    hashes[Path(mapping_path).name] = sha256_file(mapping_path)
    table = counts_to_table(counts, boundaries.wijken, periods=periods, present=present, paths=files,
                            synthetic=False, sha256=hashes)
    return Aggregated(table, unassigned, sum(unassigned.values()) + total, total - distinct)
