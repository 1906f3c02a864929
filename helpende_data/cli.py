"""The ``helpende-data`` command: a thin layer over the library."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from geo.errors import HelpendeDataError

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Beschermde gebiedscijfers voor de aanpak van huiselijk geweld."
)


def _echo(message: str) -> None:
    typer.echo(message, err=True)


@app.command(epilog="Example: helpende-data build --region Fryslân --releases releases/")
def build(
    region: Annotated[
        str | None,
        typer.Option(help="Veiligheidsregio name or code (IJsselland, Fryslân, Gelderland-Zuid, VR04) or 'Nederland'"),
    ] = None,
    gemeente: Annotated[
        list[str] | None, typer.Option("--gemeente", help="Gemeente code or name; repeat for more (GM0193, Zwolle)")
    ] = None,
    indicators: Annotated[
        list[Path] | None, typer.Option("--indicators", help="Indicator file (CSV, .xlsx, .parquet); repeat for more")
    ] = None,
    boundaries: Annotated[
        Path | None, typer.Option(help="Wijk boundaries (GeoJSON, GeoPackage, shapefile, TopoJSON)")
    ] = None,
    rules: Annotated[Path | None, typer.Option(help="Disclosure rules file (TOML)")] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="Column mapping (TOML) for exports with their own column names")
    ] = None,
    releases: Annotated[Path, typer.Option(help="Releases folder; the new release is swapped in atomically")] = Path(
        "releases"
    ),
    maps: Annotated[bool, typer.Option(help="Render the maps into the release")] = True,
    wait: Annotated[
        bool, typer.Option(help="Wait while another build writes to the releases folder (--no-wait: exit 1 at once)")
    ] = True,
    registraties: Annotated[
        list[Path] | None,
        typer.Option(
            "--registraties",
            help="Record file (CSV/Parquet) to aggregate instead of --indicators; repeat for more",
        ),
    ] = None,
    pc6: Annotated[Path | None, typer.Option(help="PC6 → wijk table for records located by postcode")] = None,
    interventies: Annotated[
        Path | None,
        typer.Option(
            "--interventies", help="Interventions file (TOML) for the effect estimates; default the bundled example"
        ),
    ] = None,
) -> None:
    """Validate, protect and score the indicators, then write and activate a new release."""
    from insights.pipeline import build_release
    from insights.settings import BuildSettings

    overrides: dict[str, Any] = {"releases_dir": releases}
    if indicators:
        overrides["indicators"] = indicators
    if boundaries:
        overrides["boundaries"] = boundaries
    if rules:
        overrides["rules"] = rules
    if mapping:
        overrides["mapping"] = mapping
    if registraties:
        overrides.update(registraties=registraties, pc6=pc6)
    if interventies:
        overrides["interventions"] = interventies
    settings = BuildSettings(**overrides)
    started = time.perf_counter()
    extra_files = None
    if maps:
        from dashboards.pages import render_release_pages

        extra_files = render_release_pages
    release = build_release(settings, region=region, gemeenten=gemeente, progress=_echo, extra_files=extra_files,
                            wait=wait)
    counts = release.manifest["counts"]
    _echo(f"built in {time.perf_counter() - started:.1f} s: {counts['wijken']} wijken, "
          f"{counts['cells']} cells, {counts['cells_hidden']} hidden"
          + (" (SYNTHETIC demo data)" if release.synthetic else ""))
    typer.echo(f"{release.id}\t{release.path}")


@app.command(epilog="Example: helpende-data aggregate --registraties meldingen.parquet --out counts.csv")
def aggregate(
    registraties: Annotated[list[Path], typer.Option("--registraties",
                                                     help="Record file (CSV or Parquet); repeat for more")],
    boundaries: Annotated[Path | None, typer.Option(help="Wijk boundaries (default: bundled 2024)")] = None,
    out: Annotated[Path, typer.Option(
        help="Counts CSV to write (indicator-file shape; raw counts, not for publication)")] = Path("counts.csv"),
    pc6: Annotated[Path | None, typer.Option(help="PC6 → wijk table for records located by postcode")] = None,
    mapping: Annotated[Path | None, typer.Option(
        help="Event kind → indicator mapping (default rules/registraties.toml)")] = None,
) -> None:
    """Count registrations per wijk and year (no disclosure control: the file stays on this machine)."""
    from insights.registrations.cli import aggregate_command

    _echo(aggregate_command(registraties, out, boundaries=boundaries, pc6=pc6, mapping=mapping))
    typer.echo(str(out))


@app.command(epilog="Example: helpende-data serve --releases releases/ --port 8000 --demo-keys")
def serve(
    releases: Annotated[Path, typer.Option(help="Releases folder with a 'current' release")] = Path("releases"),
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    keys: Annotated[
        Path | None, typer.Option(help="API keys file (hashed keys); default <releases>/api-keys.json")
    ] = None,
    demo_keys: Annotated[
        bool,
        typer.Option(
            help="Serve with fresh demo keys only, one per role (wijkteam Zwolle, policy and "
            "steward IJsselland), kept in <releases>/demo-api-keys.json"
        ),
    ] = False,
) -> None:
    """Serve the current release: API and maps. Every figure needs a key (header X-API-Key)."""
    import uvicorn

    from api import create_app
    from api.keys import DEMO_KEYS_FILE, fresh_demo_keys
    from api.server import server_config
    from api.settings import ApiSettings
    from insights.release import current_release_dir

    current_release_dir(releases)  # fail now, with a clear message, when there is nothing to serve
    if demo_keys and keys is not None:
        raise HelpendeDataError(
            "give --keys or --demo-keys, not both (demo keys never go into an operator's keys file)"
        )
    keys = keys or releases / "api-keys.json"
    base = f"http://{host}:{port}/v1"
    if demo_keys:  # a file of their own, fresh on every start; plain keys are never stored
        keys = releases / DEMO_KEYS_FILE
        issued = fresh_demo_keys(keys)
        _echo("Demo keys (send as header 'X-API-Key'; in a browser, give the key as the password):")
        for role, key in issued.items():
            _echo(f"  {role:<9} {key}")
        _echo(f"  e.g.  curl -H 'X-API-Key: {issued['policy']}' {base}/collections/wijken/items")
    application = create_app(ApiSettings(releases_dir=releases, api_keys_file=keys, access_log=releases / "access.log"))
    _echo(f"API:      {base}/collections/wijken/items")
    _echo(f"Kaart:    {base}/kaarten/regio   (gemeente: {base}/kaarten/GM0193)")
    _echo(f"OpenAPI:  {base}/openapi.json   docs: {base}/docs")
    uvicorn.Server(server_config(application, host=host, port=port)).run()


@app.command(epilog="Example: helpende-data audit --releases releases/")
def audit(
    releases: Annotated[Path, typer.Option(help="Releases folder")] = Path("releases"),
) -> None:
    """Re-audit the current release from what it publishes; exit 1 when any hidden cell is under-protected."""
    from insights.disclosure import audit as audit_cells
    from insights.disclosure import information_loss, parse_rules
    from insights.release import RULES_FILE, current_release_dir, load_release, read_beheer

    release = load_release(current_release_dir(releases))
    steward_cells = read_beheer(release.path).cells
    rules = parse_rules((release.path / RULES_FILE).read_text(encoding="utf-8"), source="regels.toml")
    parents = release.areas.set_index("code")["parent"]
    cells = steward_cells.drop(columns=[c for c in ("audit_low", "audit_high", "protection_ok") if c in steward_cells])
    audited = audit_cells(cells, parents, rules)
    total = information_loss(audited).iloc[-1]
    typer.echo(
        f"{release.id}: {int(total['cells'])} cells, {int(total['published'])} published, "
        f"{int(total['hidden_primary'])} hidden by rule, {int(total['hidden_secondary'])} hidden to protect others, "
        f"{int(total['under_protected'])} under-protected"
    )
    if int(total["under_protected"]):
        raise typer.Exit(1)


@app.command(epilog="Example: helpende-data export --publiek /srv/www/helpende-data --releases releases/")
def export(
    publiek: Annotated[Path, typer.Option("--publiek", help="Folder to copy the current release's public part to")],
    releases: Annotated[Path, typer.Option(help="Releases folder")] = Path("releases"),
) -> None:
    """Copy the public part (publiek/) of the current release, and nothing else, to a folder that can be shared."""
    from insights.release import export_public

    target = export_public(releases, publiek)
    typer.echo(f"{target.name}\t{target}")


rules_app = typer.Typer(help="Check and compare disclosure rules files.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("check", epilog="Example: helpende-data rules check rules/disclosure.toml")
def rules_check(path: Annotated[Path, typer.Argument(help="Rules file (TOML)")]) -> None:
    """Validate a rules file and print what it says."""
    from insights.indicators import INDICATORS
    from insights.ingest import read_rules

    rules = read_rules(path)
    typer.echo(f"{path}: version {rules.version}, areas need ≥ {rules.min_households} households")
    for name in INDICATORS:
        rule = rules.for_indicator(name)
        typer.echo(f"  {name:<16} min_count {rule.min_count:>3}  rounding {rule.rounding_base:>2}  "
                   f"min_denominator {rule.min_denominator}")


@rules_app.command("diff", epilog="Example: helpende-data rules diff rules/disclosure.toml new.toml --out changes.csv")
def rules_diff_command(
    old: Annotated[Path, typer.Argument(help="Rules in force")],
    new: Annotated[Path, typer.Argument(help="Proposed rules")],
    region: Annotated[str | None, typer.Option(help="Region to dry-run on (default: IJsselland)")] = None,
    indicators: Annotated[
        list[Path] | None, typer.Option("--indicators", help="Indicator CSV; repeat for more")
    ] = None,
    boundaries: Annotated[Path | None, typer.Option(help="Wijk boundaries (default: bundled)")] = None,
    out: Annotated[Path | None, typer.Option(help="Write every changed cell to this CSV")] = None,
    releases: Annotated[
        Path | None,
        typer.Option(
            "--releases", help="Releases folder: compare what a build on top of it would publish with each rules file"
        ),
    ] = None,
) -> None:
    """Dry-run two rules versions on the same input: which cells change state. Writes nothing else."""
    from insights.disclosure import rules_diff
    from insights.ingest import read_rules
    from insights.pipeline import prepare_cells
    from insights.settings import BuildSettings

    overrides: dict[str, Any] = {"indicators": indicators} if indicators else {}
    if boundaries:
        overrides["boundaries"] = boundaries
    settings = BuildSettings(**overrides)
    if releases is not None:
        changes = _diff_on_releases(settings.model_copy(update={"releases_dir": releases}), old, new, region)
    else:
        cells, parents, _ = prepare_cells(settings, region=region, progress=_echo)
        changes = rules_diff(cells, parents, read_rules(old), read_rules(new))
    summary = changes["change"].value_counts().to_dict() if len(changes) else {}
    typer.echo(f"{len(changes)} cells change state: " + (", ".join(f"{v} {k}" for k, v in summary.items()) or "none"))
    if out is not None:
        changes.to_csv(out, index=False)
        typer.echo(str(out))


def _diff_on_releases(settings, old: Path, new: Path, region: str | None):
    """``rules diff --releases``: what a build on that folder publishes under each rules file."""
    from insights.disclosure.diff import compare_states
    from insights.ingest import read_rules
    from insights.pipeline import dry_run

    before = dry_run(settings, read_rules(old), region=region, progress=_echo)
    after = dry_run(settings, read_rules(new), region=region, progress=lambda _: None)
    return compare_states(before, after)


@app.command(name="map", epilog="Example: helpende-data map --releases releases/ --out kaart.html")
def map_(
    releases: Annotated[Path, typer.Option(help="Releases folder")] = Path("releases"),
    out: Annotated[Path, typer.Option(help="HTML file to write")] = Path("kaart.html"),
    gemeente: Annotated[str | None, typer.Option(help="Only this gemeente: CBS code (GM0193) or name (Zwolle)")] = None,
) -> None:
    """Write the map of the current release to an HTML file."""
    from dashboards.render import region_map
    from insights.release import current_release_dir, load_release
    from insights.selection import resolve_gemeente

    if not out.parent.is_dir():
        raise HelpendeDataError(f"cannot write {out}: folder {out.parent} does not exist; create it first "
                                f"(mkdir -p {out.parent}) or give another --out")
    release = load_release(current_release_dir(releases))
    label = release.manifest.get("selection", {}).get("label") or release.id
    code = resolve_gemeente(release.areas, gemeente, where=f"the current release ({label})") if gemeente else None
    region_map(release, gemeente=code).save(str(out))
    typer.echo(str(out))


@app.command(epilog="Example: helpende-data synthetic --out data/synthetic/indicatoren_synthetisch_2020_2024.csv")
def synthetic(
    out: Annotated[Path, typer.Option(help="CSV to write")],
    seed: Annotated[int, typer.Option(help="Seed of the generator")] = 20261123,
) -> None:
    """Generate the SYNTHETIC demo indicator file from real denominators (seeded, documented model)."""
    from geo.boundaries import normalise_wijken
    from geo.io import read_boundaries
    from insights.ingest import read_gemeente_covariates, write_indicator_csv
    from insights.settings import BuildSettings
    from insights.synthetic import generate_indicators

    settings = BuildSettings()
    wijken = normalise_wijken(read_boundaries(settings.boundaries))
    frame = generate_indicators(wijken, read_gemeente_covariates(settings.covariates), seed=seed)
    write_indicator_csv(frame, out)
    typer.echo(f"{out}\t{len(frame)} rows (synthetic)")


def main() -> None:
    """Entry point: domain errors become one line on stderr and exit code 1."""
    try:
        code = app(standalone_mode=False)  # a typer.Exit comes back as its exit code here
    except HelpendeDataError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except typer.Abort:
        sys.exit(1)
    except OSError as exc:  # a path the user gave: one line, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"error: {where}{exc.strerror or exc}; check that the path exists and that you may write there",
                   err=True)
        sys.exit(1)
    except Exception as exc:  # click usage errors come through standalone_mode=False
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
