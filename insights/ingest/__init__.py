"""Reading indicator tables, mappings and the rules file (the I/O edge of ``insights``).

Accepted shapes (README, "Indicator files"): CBS StatLine CSV downloads, tables of the ``cbsodata``
package written to CSV or Parquet, municipal register exports (``;`` + decimal comma or ``,`` +
decimal point, UTF-8/Latin-1/UTF-16) and Excel ``.xlsx`` workbooks. A steward's column mapping
(:mod:`insights.ingest.mapping`) names the columns of an export that uses its own names.

Modules: ``source`` (bytes → raw cells), ``numbers`` (one number convention per file), ``columns``
(what each column is), ``mapping`` (the TOML mapping), ``read`` (one file), ``combine`` (several
files, totals against their wijken), ``files`` (rules, hashes, covariates, writing counts).
"""

from insights.ingest.combine import (
    IndicatorTable,
    complete_indicator_table,
    read_indicators,
    rounding_tolerance,
)
from insights.ingest.files import read_gemeente_covariates, read_rules, sha256_file, write_indicator_csv
from insights.ingest.mapping import ColumnMapping, parse_mapping, read_mapping
from insights.ingest.read import FileRows, default_periods, read_indicator_file

__all__ = [
    "complete_indicator_table",
    "ColumnMapping",
    "FileRows",
    "IndicatorTable",
    "default_periods",
    "parse_mapping",
    "read_gemeente_covariates",
    "read_indicator_file",
    "read_indicators",
    "read_mapping",
    "read_rules",
    "rounding_tolerance",
    "sha256_file",
    "write_indicator_csv",
]
