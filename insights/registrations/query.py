"""The counting query, one definition for every engine (DuckDB embedded, Apache Spark).

Both statements are plain SQL that DuckDB and Spark SQL read alike. The engine registers the
inputs as views with these columns and runs them in order:

* ``records``  : ``household`` (text), ``event_date`` (DATE), ``kind`` (text, lower case),
  ``pc6`` (text, ``1234AB``, may be NULL), ``wijk`` (text wijk code, may be NULL)
* ``kinds``    : ``kind``, ``indicator``   (from the mapping file)
* ``pc6_wijk`` : ``pc6``, ``wijk``          (a PC6 may be listed under several wijken)

:data:`LOCATE_BY_KEY` gives ``located`` (records with their wijk, or NULL plus a reason);
:data:`COUNT` turns ``located`` into counts per wijk, year and indicator.
"""

from __future__ import annotations

__all__ = ["COUNT", "LOCATE_BY_KEY", "count_sql"]

LOCATE_BY_KEY = """
SELECT r.household, r.event_date, k.indicator,
       CASE WHEN r.wijk IS NOT NULL THEN r.wijk WHEN p.n = 1 THEN p.wijk END AS wijk,
       CASE WHEN r.wijk IS NOT NULL THEN NULL
            WHEN r.pc6 IS NULL THEN 'missing'
            WHEN p.n IS NULL THEN 'pc6_unknown'
            WHEN p.n > 1 THEN 'pc6_several_wijken' END AS reason
FROM records AS r
JOIN kinds AS k ON k.kind = r.kind
LEFT JOIN (SELECT pc6, MIN(wijk) AS wijk, COUNT(DISTINCT wijk) AS n FROM pc6_wijk GROUP BY pc6) AS p
  ON p.pc6 = r.pc6
"""

COUNT = """
WITH events AS (
    SELECT DISTINCT household, event_date, indicator, wijk FROM located WHERE wijk IS NOT NULL
),
reports AS (
    SELECT household, event_date, wijk,
           LAG(event_date) OVER (PARTITION BY household ORDER BY event_date, wijk NULLS LAST) AS previous_date
    FROM (SELECT DISTINCT household, event_date, wijk FROM located WHERE indicator = '{reports}') AS r
)
SELECT wijk, YEAR(event_date) AS period, indicator, COUNT(DISTINCT household) AS n
FROM events WHERE indicator IN ({by_household}) GROUP BY wijk, YEAR(event_date), indicator
UNION ALL
SELECT wijk, YEAR(event_date) AS period, indicator, COUNT(*) AS n
FROM events WHERE indicator IN ({by_record}) GROUP BY wijk, YEAR(event_date), indicator
UNION ALL
SELECT wijk, YEAR(event_date) AS period, '{re_reports}' AS indicator, COUNT(DISTINCT household) AS n
FROM reports WHERE wijk IS NOT NULL AND previous_date >= event_date - INTERVAL {months} MONTHS
GROUP BY wijk, YEAR(event_date)
"""


def count_sql(by_household: list[str], by_record: list[str], *, window_months: int,
              reports: str = "meldingen", re_reports: str = "hermeldingen") -> str:
    """The :data:`COUNT` statement for a mapping (indicator names are checked identifiers, not user text).

    Duplicates (same household, date, indicator and wijk) count once. A report is a re-report when
    the household's previous report (in any wijk, or not located at all) falls on or after its date minus
    ``window_months`` months; the re-report counts in the wijk and year of the later report.
    """
    def names(values: list[str]) -> str:
        return ", ".join(f"'{v}'" for v in values) or "NULL"

    return COUNT.format(by_household=names(by_household), by_record=names(by_record), months=int(window_months),
                        reports=reports, re_reports=re_reports)
