"""What ``helpende-data aggregate`` does, kept here so the CLI module stays a thin layer."""

from __future__ import annotations

from pathlib import Path

from insights.ingest import write_indicator_csv
from insights.registrations.aggregate import aggregate_registrations, describe, load_boundaries, read_pc6_table
from insights.registrations.mapping import DEFAULT_MAPPING
from insights.settings import BuildSettings

__all__ = ["aggregate_command"]


def aggregate_command(paths: list[Path], out: Path, *, boundaries: Path | None = None, pc6: Path | None = None,
                      mapping: Path | None = None) -> str:
    """Aggregate ``paths`` and write the counts in the indicator-file shape (``build --indicators`` reads it).

    Returns the summary line (totals only). The file is written to a temporary name and renamed, so a
    failed run leaves no partial file.
    """
    result = aggregate_registrations(
        paths, load_boundaries(boundaries or BuildSettings().boundaries), mapping_path=mapping or DEFAULT_MAPPING,
        pc6_table=read_pc6_table(pc6) if pc6 else None,
    )
    frame = result.table.frame
    columns = ["code", "period", *result.table.indicators]
    table = frame[columns].rename(columns={"code": "gebiedscode", "period": "periode"})
    table["synthetisch"] = "ja" if result.table.synthetic else "nee"
    out = Path(out)
    partial = out.with_name(f".{out.name}.partial")
    try:
        write_indicator_csv(table, partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return describe(result)
