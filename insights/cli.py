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
    settings = BuildSettings(**overrides)
    started = time.perf_counter()
    release = build_release(settings, region=region, gemeenten=gemeente, progress=_echo, render_maps=maps)
    counts = release.manifest["counts"]
    _echo(f"built in {time.perf_counter() - started:.1f} s: {counts['wijken']} wijken, "
          f"{counts['cells']} cells, {counts['cells_hidden']} hidden"
          + (" (SYNTHETIC demo data)" if release.synthetic else ""))
    typer.echo(f"{release.id}\t{release.path}")


@app.command(epilog="Example: helpende-data serve --releases releases/ --port 8000")
def serve(
    releases: Annotated[Path, typer.Option(help="Releases folder with a 'current' release")] = Path("releases"),
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve the current release: API and maps."""
    import uvicorn

    from api import create_app
    from api.settings import ApiSettings
    from insights.release import current_release_dir

    current_release_dir(releases)  # fail now, with a clear message, when there is nothing to serve
    application = create_app(ApiSettings(releases_dir=releases))
    _echo(f"API:  http://{host}:{port}/v1/collections/wijken/items")
    _echo(f"Kaart: http://{host}:{port}/v1/kaarten/regio")
    uvicorn.run(application, host=host, port=port, log_level="warning")


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
        app(standalone_mode=False)
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


if __name__ == "__main__":
    main()
