"""Registrations (pseudonymised records) → indicator counts per wijk and year.

The only package of helpende-data that sees records. It refuses direct identifiers, assigns each
record to a wijk of the release's boundaries, counts per wijk, year and indicator in DuckDB (or, for
records located by key, on Apache Spark from the same SQL) and hands back the same indicator table
an indicator CSV gives. No record, key or point leaves it: not in logs, errors or the release.
"""

from insights.registrations.aggregate import (
    Aggregated,
    Boundaries,
    aggregate_registrations,
    load_boundaries,
    read_pc6_table,
)
from insights.registrations.guard import IdentifierRefused, check_no_identifiers, is_bsn
from insights.registrations.locate import PointLocator
from insights.registrations.mapping import DEFAULT_MAPPING, RegistrationMapping, read_mapping

__all__ = [
    "DEFAULT_MAPPING",
    "Aggregated",
    "Boundaries",
    "IdentifierRefused",
    "PointLocator",
    "RegistrationMapping",
    "aggregate_registrations",
    "check_no_identifiers",
    "is_bsn",
    "load_boundaries",
    "read_mapping",
    "read_pc6_table",
]
