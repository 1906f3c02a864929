"""Words every public output uses for the same thing (Dutch, as users read them) — defined once."""

from __future__ import annotations

__all__ = ["HIDDEN_LABEL", "SOURCE", "SYNTHETIC_NOTE", "source_line"]

#: What a hidden (protected) cell is called on maps, in tooltips, scores and reports.
HIDDEN_LABEL = "beschermd: te weinig waarnemingen"

#: Attribution of the open data every release is built on (boundaries, denominators, covariates).
SOURCE = "Bron: CBS, Kadaster (CC BY 4.0)"

#: Added to the source line when the indicator counts are synthetic.
SYNTHETIC_NOTE = "indicator counts are SYNTHETIC demo data"


def source_line(*, synthetic: bool) -> str:
    """The attribution line of a release: the open-data source, plus the synthetic note when it applies."""
    return SOURCE + (f"; {SYNTHETIC_NOTE}" if synthetic else "")
