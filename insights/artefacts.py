"""Files rendered from a written release into its own folder: steward report, model card, maps.

Everything here reads the release as published (no raw counts exist there).
"""

from __future__ import annotations

import json

from insights.disclosure import information_loss, steward_report_html, steward_table
from insights.release import Release
from insights.risk import algoritmeregister_entry, model_card_markdown

__all__ = ["release_summary", "render_release_files"]


def release_summary(release: Release) -> dict:
    """Facts of a release for the model card and the Algoritmeregister entry."""
    scores = release.scores
    signals = scores["signal"].value_counts().to_dict() if "signal" in scores.columns else {}
    return {
        "release": release.id,
        "periods": release.periods,
        "indicators": sorted(release.cells["indicator"].unique()),
        "levels": [lvl for lvl in ("wijk", "gemeente", "regio", "nederland") if lvl in set(release.areas["level"])],
        "n_areas": int(len(release.areas)),
        "n_cells": int(len(release.cells)),
        "n_hidden": int(release.cells["value"].isna().sum()),
        "reference": "regio",
        "rules_version": release.manifest.get("rules_version"),
        "synthetic": release.synthetic,
        "signals": {str(k): int(v) for k, v in signals.items()},
        "effects": release.manifest.get("effects") or {},
    }


def render_release_files(release: Release, *, maps: bool = True) -> dict[str, str | bytes]:
    """Relative path → content of every rendered file of ``release``."""
    rules_version = str(release.manifest.get("rules_version"))
    files: dict[str, str | bytes] = {
        "rapport/onderdrukking.html": steward_report_html(release.cells, rules_version,
                                                          title=f"Onthullingscontrole {release.id}"),
        "rapport/onderdrukking.csv": steward_table(release.cells).to_csv(index=False, lineterminator="\n"),
        "rapport/informatieverlies.csv": information_loss(release.cells).to_csv(index=False, lineterminator="\n"),
    }
    summary = release_summary(release)
    files["modelkaart.md"] = model_card_markdown(summary)
    files["algoritmeregister.json"] = json.dumps(algoritmeregister_entry(summary), indent=2, ensure_ascii=False) + "\n"
    if maps:
        from dashboards.profile import render_profile_pages
        from dashboards.render import render_release_maps

        files.update(render_release_maps(release))
        files.update(render_profile_pages(release))
    return files
