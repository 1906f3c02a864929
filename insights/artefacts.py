"""Files rendered from a written release into its own folder: steward report and model card.

The model card, register entry and maps read the public part only; the steward report (under
``beheer/``) reads the steward cells. No raw counts exist in either.
"""

from __future__ import annotations

import json

from geo.codes import Level
from insights.rapport import steward_files
from insights.release import MODEL_CARD_FILE, REGISTER_FILE, Release, StewardPart
from insights.risk import algoritmeregister_entry, model_card_markdown
from insights.risk.signal import posterior_fdr

__all__ = ["release_summary", "render_release_files"]


def release_summary(release: Release) -> dict:
    """Facts of a release for the model card and the Algoritmeregister entry."""
    scores = release.scores
    signals = scores["signal"].value_counts().to_dict() if "signal" in scores.columns else {}
    return {
        "release": release.id,
        "periods": release.periods,
        "indicators": sorted(release.cells["indicator"].unique()),
        "levels": [lvl.value for lvl in Level if lvl.value in set(release.areas["level"])],
        "n_areas": int(len(release.areas)),
        "n_cells": int(len(release.cells)),
        "n_hidden": int(release.cells["value"].isna().sum()),
        "reference": "regio",
        "national": bool("rr_nl" in scores.columns and scores["rr_nl"].notna().any()),
        "rules_version": release.manifest.get("rules_version"),
        "synthetic": release.synthetic,
        "signals": {str(k): int(v) for k, v in signals.items()},
        "priors": scores.attrs.get("priors", []),
        "fdr": posterior_fdr(scores["p_exceed"], scores["signal"]) if "p_exceed" in scores.columns else {},
        "effects": release.manifest.get("effects") or {},
    }


def render_release_files(release: Release, steward: StewardPart) -> dict[str, str | bytes]:
    """Path relative to the release folder → content of the steward report and the model card."""
    files: dict[str, str | bytes] = dict(steward_files(release, steward.cells))
    summary = release_summary(release)
    files[MODEL_CARD_FILE] = model_card_markdown(summary)
    files[REGISTER_FILE] = json.dumps(algoritmeregister_entry(summary), indent=2, ensure_ascii=False) + "\n"
    return files
