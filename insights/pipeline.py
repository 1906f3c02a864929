"""The build: boundaries + indicators + rules → protected, scored release (with whatever extra files,
such as maps, the caller renders from it).

This module wires the pure steps together; reading happens in ``geo.io``/``insights.ingest`` and
writing in ``insights.release``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.boundaries import normalise_wijken
from geo.geometry import dissolve_by
from geo.hierarchy import NEDERLAND, build_hierarchy, parent_of
from geo.io import read_boundaries, read_region_table, sha256_file
from insights.artefacts import render_release_files
from insights.cells import build_cells, public_cells
from insights.disclosure import assert_protected, protect, public_status
from insights.disclosure.attacker import Version
from insights.disclosure.history import revisions
from insights.disclosure.rules import Rules, parse_rules
from insights.effects import effect_tables
from insights.errors import RulesError
from insights.ingest import IndicatorTable, read_indicators, read_mapping
from insights.interventions import read_interventions
from insights.labels import source_line
from insights.release import PUBLIEK, REPORT_DIR, Release, StewardPart, earlier_releases, releases_lock, write_release
from insights.risk import score
from insights.selection import Selection, resolve_selection
from insights.settings import EXAMPLE_INTERVENTIONS, BuildSettings

__all__ = ["Prepared", "build_release", "dry_run", "earlier_versions", "prepare_cells"]

Progress = Callable[[str], None]


@contextmanager
def _step(progress: Progress, label: str) -> Iterator[None]:
    progress(f"{label} …")
    started = time.perf_counter()
    yield
    progress(f"{label}: {time.perf_counter() - started:.1f} s")


def _area_table(hierarchy: pd.DataFrame, wijken: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every area with its geometry (wijken as given; higher levels dissolved) and its CBS
    households and inhabitants (sums of the wijk figures; NA when a wijk's figure is secret)."""
    regio_of = hierarchy.set_index("code")["regio"]
    wijk_geo = wijken.assign(regio=wijken["gemeentecode"].map(regio_of))
    shapes = pd.concat([
        wijken.set_index("code").geometry,
        dissolve_by(wijk_geo[["gemeentecode", "geometry"]], "gemeentecode"),
        dissolve_by(wijk_geo[["regio", "geometry"]], "regio"),
    ])
    columns = ["huishoudens", "inwoners"]
    totals = [wijken.set_index("code")[columns]]
    for key in ("gemeentecode", "regio"):
        grouped = wijk_geo.groupby(key)[columns]
        totals.append(grouped.sum(min_count=1).mask(wijk_geo[columns].isna().groupby(wijk_geo[key]).any()))
    if NEDERLAND in set(hierarchy["code"]):
        shapes = pd.concat([shapes, gpd.GeoSeries([shapes.loc[sorted(set(wijk_geo["regio"]))].union_all()],
                                                  index=[NEDERLAND], crs=wijken.crs)])
        known = wijk_geo[columns].notna().all()
        totals.append(pd.DataFrame([wijk_geo[columns].sum().where(known)], index=[NEDERLAND]))
    table = hierarchy.join(pd.concat(totals).astype("Int64"), on="code")
    areas = gpd.GeoDataFrame(table, geometry=table["code"].map(shapes).values, crs=wijken.crs)
    return areas[["code", "naam", "level", "parent", "gemeente", "regio", "huishoudens", "inwoners", "geometry"]]


def earlier_versions(releases_dir: Path) -> tuple[Version, ...]:
    """Every earlier release of the folder (oldest first) as attacker knowledge: its published cells
    read with its own ``regels.toml``. Empty when the folder has no release yet."""
    return tuple(
        Version(r.id, r.cells, parse_rules(r.rules_text, source=f"{r.id}/regels.toml"))
        for r in earlier_releases(releases_dir)
    )


def _restrict(frame: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """Keep the selected gemeenten and their wijken, and the regio/Nederland rows."""
    keep = frame["gemeente"].isin(selection.gemeenten) | frame["level"].isin(["regio", "nederland"])
    return frame[keep].reset_index(drop=True)


@dataclass(frozen=True)
class Prepared:
    """Validated inputs of a build: the raw cells stay in memory on the build machine."""

    cells: pd.DataFrame
    hierarchy: pd.DataFrame
    wijken: gpd.GeoDataFrame
    selection: Selection
    table: IndicatorTable
    rules: Rules
    rules_text: str
    rules_path: Path


def prepare_cells(
    settings: BuildSettings,
    *,
    region: str | None = None,
    gemeenten: list[str] | None = None,
    progress: Progress = print,
) -> tuple[pd.DataFrame, pd.Series, Prepared]:
    """Read and validate every input and build the raw cell table of the selection's regio(s).

    Returns the cells, the parent of every area, and everything else read (for the build).
    """
    with _step(progress, "reading boundaries and rules"):
        rules_path = Path(settings.rules)
        try:
            rules_text = rules_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RulesError(f"{rules_path}: rules file not found") from None
        rules = parse_rules(rules_text, source=rules_path.name)
        wijken_all = normalise_wijken(read_boundaries(settings.boundaries), source=Path(settings.boundaries).name)
        regions = read_region_table(settings.regions)
        hierarchy_all = build_hierarchy(wijken_all, regions)
        selection = resolve_selection(
            hierarchy_all, region=None if gemeenten else (region or settings.region), gemeenten=gemeenten
        )
    if settings.registraties:
        from insights.registrations.aggregate import registrations_table

        with _step(progress, "aggregating registrations"):
            table = registrations_table(settings.registraties, settings.boundaries, progress=progress,
                                        mapping_path=settings.registraties_mapping, pc6_path=settings.pc6)
    else:
        with _step(progress, "reading and validating indicators"):
            gemeenten_all = hierarchy_all[hierarchy_all["level"].eq("gemeente")]
            table = read_indicators(
                settings.indicators,
                wijk_codes=wijken_all["code"],
                denominators=wijken_all[["code", "huishoudens", "inwoners"]],
                mapping=read_mapping(settings.mapping) if settings.mapping else None,
                regio_of=dict(zip(gemeenten_all["code"], gemeenten_all["regio"])),
            )
            for note in table.notes:
                progress(f"note: {note}")
    wijken = wijken_all[wijken_all["gemeentecode"].map(hierarchy_all.set_index("code")["regio"]).isin(selection.regios)]
    hierarchy = build_hierarchy(wijken, regions)
    if not selection.whole_country:
        hierarchy = hierarchy[hierarchy["code"].ne(NEDERLAND)].copy()
        hierarchy.loc[hierarchy["level"].eq("regio"), "parent"] = pd.NA
    cells = build_cells(table.frame[table.frame["code"].isin(wijken["code"])], hierarchy)
    prepared = Prepared(cells, hierarchy, wijken, selection, table, rules, rules_text, rules_path)
    return cells, parent_of(hierarchy), prepared


def dry_run(
    settings: BuildSettings,
    rules: Rules,
    *,
    region: str | None = None,
    gemeenten: list[str] | None = None,
    progress: Progress = print,
) -> pd.DataFrame:
    """The cells a build with ``rules`` on ``settings.releases_dir`` would publish, protected and
    audited over every earlier release of that folder exactly as :func:`build_release` does;
    writes nothing."""
    cells, parents, prep = prepare_cells(settings, region=region, gemeenten=gemeenten, progress=progress)
    protected = protect(cells, parents, rules, history=earlier_versions(settings.releases_dir))
    return _restrict(public_cells(protected), prep.selection)
def _interventions(settings: BuildSettings, published: pd.DataFrame):
    """The interventions to evaluate: the settings' file, validated against the release's wijken and
    periods. The bundled example is used only where its wijken and start fit the release."""
    if settings.interventions is None:
        return []
    wijken = set(published.loc[published["level"].eq("wijk"), "code"])
    periods = sorted(int(p) for p in published["period"].unique())
    if Path(settings.interventions) == EXAMPLE_INTERVENTIONS:
        every = read_interventions(settings.interventions)
        return [iv for iv in every if set(iv.wijken) | set(iv.comparison) <= wijken
                and periods[0] < iv.start <= periods[-1]]
    return read_interventions(settings.interventions, wijken=wijken, periods=periods)


def build_release(
    settings: BuildSettings,
    *,
    region: str | None = None,
    gemeenten: list[str] | None = None,
    progress: Progress = print,
    extra_files: Callable[[Release], dict[str, str | bytes]] | None = None,
    wait: bool = True,
) -> Release:
    """Validate, protect and score the indicators, then write and activate a new release.

    Any error leaves the releases folder as it was. Protection and reference rates are computed over
    the complete veiligheidsregio(s) of the selected gemeenten; only the selection is published.
    ``extra_files`` renders more public files (path relative to ``publiek/`` → content) from the written
    release, e.g. maps; it is passed in by the composition root so that ``insights`` never imports ``dashboards``.
    The build holds the releases folder's lock throughout (:func:`insights.release.releases_lock`):
    a second build waits for it, or raises :class:`~insights.errors.BuildInProgress` when ``wait`` is False.
    """
    with releases_lock(settings.releases_dir, wait=wait, progress=progress):
        return _build_locked(settings, region=region, gemeenten=gemeenten, progress=progress,
                             extra_files=extra_files)


def _build_locked(settings: BuildSettings, *, region: str | None, gemeenten: list[str] | None,
                  progress: Progress, extra_files: Callable[[Release], dict[str, str | bytes]] | None) -> Release:
    cells, parents, prep = prepare_cells(settings, region=region, gemeenten=gemeenten, progress=progress)
    selection, rules, table = prep.selection, prep.rules, prep.table
    with _step(progress, f"protecting and auditing {selection.label}"):
        history = earlier_versions(settings.releases_dir)
        protected = protect(cells, parents, rules, history=history)
        assert_protected(protected, rules)
        published = _restrict(public_cells(protected), selection)
        changes = revisions(protected, history, rules)
    with _step(progress, "scoring"):
        # Scores are public: they see hidden cells only as "beschermd" with the audit's interval.
        scores = score(published.assign(status=public_status(published)))
    with _step(progress, "trends, repeat shares, profiles and effects"):
        effects = effect_tables(published, scores, _interventions(settings, published))
    with _step(progress, "assembling areas"):
        areas = _restrict(_area_table(prep.hierarchy, prep.wijken), selection)
    manifest = {
        "title": f"helpende-data {selection.label}",
        "selection": {
            "label": selection.label,
            "gemeenten": sorted(selection.gemeenten),
            "regios": sorted(selection.regios),
        },
        "synthetic": table.synthetic,
        "previous_release": history[-1].name if history else None,
        "periods": sorted(int(p) for p in published["period"].unique()),
        "inputs": {
            "indicators": table.sha256,
            "boundaries": {Path(settings.boundaries).name: sha256_file(settings.boundaries)},
            "regions": {Path(settings.regions).name: sha256_file(settings.regions)},
            "rules": {prep.rules_path.name: sha256_file(prep.rules_path)},
        },
        "counts": {
            "areas": int(len(areas)),
            "wijken": int(areas["level"].eq("wijk").sum()),
            "cells": int(len(published)),
            "cells_hidden": int(published["value"].isna().sum()),
        },
        "effects": effects.facts,
        "licence": source_line(synthetic=table.synthetic),
    }
    def render(written: Release, steward: StewardPart) -> dict[str, str | bytes]:
        extra = extra_files(written) if extra_files else {}
        return {**render_release_files(written, steward),
                f"{REPORT_DIR}/herzieningen.csv": changes.to_csv(index=False, lineterminator="\n"),
                **{f"{PUBLIEK}/{path}": body for path, body in extra.items()}}

    with _step(progress, "writing release, reports" + (" and maps" if extra_files else "")):
        release = write_release(
            settings.releases_dir, areas=areas, cells=published, scores=scores, rules=rules,
            rules_text=prep.rules_text, manifest=manifest, tables=effects.tables,
            render=render,
        )
    return release
