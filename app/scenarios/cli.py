"""``flask procedures test SCENARIO…``: the click command (registered under the ``procedures`` group by app.cli)."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .runner import run_paths
from .sandbox import inherited_settings


@click.command("test")
@click.argument("scenarios", nargs=-1, type=click.Path(exists=True, path_type=Path))
@with_appcontext
def test_command(scenarios: tuple[Path, ...]) -> None:
    """Run designer test scenarios, each on a fresh in-memory app; exit 1 if any step is unmet.

    SCENARIOS are scenario files (JSON) or folders of them; none means PROCESSES_DIR/scenarios. Each scenario
    stops at its first unmet step; the others still run.
    """
    settings = inherited_settings(current_app.config)
    paths = list(scenarios) or [Path(settings["PROCESSES_DIR"]) / "scenarios"]
    status = run_paths(paths, settings, click.echo)
    if status:
        raise SystemExit(status)
