"""The ``helpende-data`` command: a thin layer over the library."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from geo.errors import HelpendeDataError

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Beschermde gebiedscijfers voor de aanpak van huiselijk geweld.")


def _echo(message: str) -> None:
    typer.echo(message, err=True)


@app.command(epilog="Example: helpende-data build --region Fryslân --releases releases/")
def build(
    region: Annotated[str | None, typer.Option(help="Veiligheidsregio name or code (IJsselland, Fryslân, Gelderland-Zuid, VR04) or 'Nederland'")] = None,
    gemeente: Annotated[list[str] | None, typer.Option("--gemeente", help="Gemeente code; repeat for more (GM0193)")] = None,
    indicators: Annotated[list[Path] | None, typer.Option("--indicators", help="Indicator CSV; repeat for more")] = None,
    boundaries: Annotated[Path | None, typer.Option(help="Wijk boundaries (GeoJSON, GeoPackage, shapefile, TopoJSON)")] = None,
    rules: Annotated[Path | None, typer.Option(help="Disclosure rules file (TOML)")] = None,
    releases: Annotated[Path, typer.Option(help="Releases folder; the new release is swapped in atomically")] = Path("releases"),
    maps: Annotated[bool, typer.Option(help="Render the maps into the release")] = True,
    interventies: Annotated[Path | None, typer.Option(
        "--interventies", help="Interventions file (TOML) for the effect estimates; default the bundled example")] = None,
) -> None:
    """Validate, protect and score the indicators, then write and activate a new release."""
    from insights.pipeline import build_release
    from insights.settings import BuildSettings

    overrides: dict[str, object] = {"releases_dir": releases}
    if indicators:
        overrides["indicators"] = indicators
    if boundaries:
        overrides["boundaries"] = boundaries
    if rules:
        overrides["rules"] = rules
    if interventies:
        overrides["interventions"] = interventies
    settings = BuildSettings(**overrides)
    started = time.perf_counter()
    release = build_release(settings, region=region, gemeenten=gemeente, progress=_echo, render_maps=maps)
    counts = release.manifest["counts"]
    _echo(f"built in {time.perf_counter() - started:.1f} s: {counts['wijken']} wijken, "
          f"{counts['cells']} cells, {counts['cells_hidden']} hidden"
          + (" (SYNTHETIC demo data)" if release.synthetic else ""))
    typer.echo(f"{release.id}\t{release.path}")


@app.command(epilog="Example: helpende-data serve --releases releases/ --port 8000 --demo-keys")
def serve(
    releases: Annotated[Path, typer.Option(help="Releases folder with a 'current' release")] = Path("releases"),
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    keys: Annotated[Path | None, typer.Option(help="API keys file (hashed keys); default <releases>/api-keys.json")] = None,
    demo_keys: Annotated[bool, typer.Option(help="Issue and print one demo key per role (wijkteam Zwolle, policy and steward IJsselland)")] = False,
) -> None:
    """Serve the current release: API and maps. Every figure needs a key (header X-API-Key)."""
    import uvicorn

    from api import create_app
    from api.keys import issue_demo_keys
    from api.settings import ApiSettings
    from insights.release import current_release_dir

    current_release_dir(releases)  # fail now, with a clear message, when there is nothing to serve
    keys = keys or releases / "api-keys.json"
    base = f"http://{host}:{port}/v1"
    if demo_keys:
        keys.unlink(missing_ok=True)  # demo keys are fresh on every start; plain keys are never stored
        issued = issue_demo_keys(keys)
        _echo("Demo keys (send as header 'X-API-Key'; in a browser, give the key as the password):")
        for role, key in issued.items():
            _echo(f"  {role:<9} {key}")
        _echo(f"  e.g.  curl -H 'X-API-Key: {issued['policy']}' {base}/collections/wijken/items")
    application = create_app(ApiSettings(releases_dir=releases, api_keys_file=keys, access_log=releases / "access.log"))
    _echo(f"API:      {base}/collections/wijken/items")
    _echo(f"Kaart:    {base}/kaarten/regio   (gemeente: {base}/kaarten/GM0193)")
    _echo(f"OpenAPI:  {base}/openapi.json   docs: {base}/docs")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command(epilog="Example: helpende-data audit --releases releases/")
def audit(
    releases: Annotated[Path, typer.Option(help="Releases folder")] = Path("releases"),
) -> None:
    """Re-audit the current release from what it publishes; exit 1 when any hidden cell is under-protected."""
    from insights.disclosure import audit as audit_cells
    from insights.disclosure import information_loss, parse_rules
    from insights.release import current_release_dir, load_release

    release = load_release(current_release_dir(releases))
    rules = parse_rules((release.path / "regels.toml").read_text(encoding="utf-8"), source="regels.toml")
    parents = release.areas.set_index("code")["parent"]
    cells = release.cells.drop(columns=[c for c in ("audit_low", "audit_high", "protection_ok") if c in release.cells])
    audited = audit_cells(cells, parents, rules)
    total = information_loss(audited).iloc[-1]
    typer.echo(f"{release.id}: {int(total['cells'])} cells, {int(total['published'])} published, "
               f"{int(total['hidden_primary'])} hidden by rule, {int(total['hidden_secondary'])} hidden to protect others, "
               f"{int(total['under_protected'])} under-protected")
    if int(total["under_protected"]):
        raise typer.Exit(1)


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
    indicators: Annotated[list[Path] | None, typer.Option("--indicators", help="Indicator CSV; repeat for more")] = None,
    boundaries: Annotated[Path | None, typer.Option(help="Wijk boundaries (default: bundled)")] = None,
    out: Annotated[Path | None, typer.Option(help="Write every changed cell to this CSV")] = None,
) -> None:
    """Dry-run two rules versions on the same input: which cells change state. Writes nothing else."""
    from insights.ingest import read_rules
    from insights.pipeline import prepare_cells
    from insights.settings import BuildSettings

    from insights.disclosure import rules_diff

    overrides: dict[str, object] = {"indicators": indicators} if indicators else {}
    if boundaries:
        overrides["boundaries"] = boundaries
    settings = BuildSettings(**overrides)
    cells, parents, _ = prepare_cells(settings, region=region, progress=_echo)
    changes = rules_diff(cells, parents, read_rules(old), read_rules(new))
    summary = changes["change"].value_counts().to_dict() if len(changes) else {}
    typer.echo(f"{len(changes)} cells change state: " + (", ".join(f"{v} {k}" for k, v in summary.items()) or "none"))
    if out is not None:
        changes.to_csv(out, index=False)
        typer.echo(str(out))


@app.command(name="map", epilog="Example: helpende-data map --releases releases/ --out kaart.html")
def map_(
    releases: Annotated[Path, typer.Option(help="Releases folder")] = Path("releases"),
    out: Annotated[Path, typer.Option(help="HTML file to write")] = Path("kaart.html"),
    gemeente: Annotated[str | None, typer.Option(help="Only this gemeente (GM0193)")] = None,
) -> None:
    """Write the map of the current release to an HTML file."""
    from dashboards.render import region_map
    from insights.release import current_release_dir, load_release

    release = load_release(current_release_dir(releases))
    region_map(release, gemeente=gemeente).save(str(out))
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
    except Exception as exc:  # click usage errors come through standalone_mode=False
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
