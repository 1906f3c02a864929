"""Small file helpers of the ingest edge: hashes, the rules file, CBS covariates, writing counts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.io import sha256_file
from insights.disclosure.rules import Rules, parse_rules
from insights.errors import InputFileError, RulesError
from insights.ingest.numbers import SENTINEL as _SENTINEL

__all__ = ["read_gemeente_covariates", "read_rules", "sha256_file", "write_indicator_csv"]


def read_rules(path: Path) -> Rules:
    """Read and validate the steward's rules file (TOML)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(f"{path}: rules file not found") from None
    return parse_rules(text, source=path.name)


def read_gemeente_covariates(path: Path) -> pd.DataFrame:
    """CBS kerncijfers per gemeente used as model covariates (percentages, 0–100).

    Reads a PDOK wijk- en buurtkaart gemeente layer (GeoJSON or GeoPackage; geometry ignored).
    Returns ``gemeentecode``, ``percentage_gescheiden``, ``percentage_eenpersoons``,
    ``percentage_met_kinderen``. Values ≤ −99990 (PDOK secrecy sentinels) become NA.
    """
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found")
    frame = pyogrio.read_dataframe(path, read_geometry=False)
    columns = {
        "gemeentecode": "gemeentecode",
        "percentageGescheid": "percentage_gescheiden",
        "percentageEenpersoonshuishoudens": "percentage_eenpersoons",
        "percentageHuishoudensMetKinderen": "percentage_met_kinderen",
    }
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputFileError(path, f"missing column(s) {missing}")
    if "water" in frame.columns:
        frame = frame[frame["water"].astype(str).str.upper().ne("JA")]
    out = frame[list(columns)].rename(columns=columns)
    for col in list(columns.values())[1:]:
        values = pd.to_numeric(out[col], errors="coerce")
        out[col] = values.where(values > _SENTINEL)
    return out.reset_index(drop=True)


def write_indicator_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write counts in the register-export shape: ``;``-separated UTF-8 with BOM, empty = secret."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig", na_rep="", lineterminator="\n")
