"""Command line: ``flask procedures deploy`` and ``flask setup`` (the embedded default in one step)."""
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from .extensions import db
from .models.working_calendar import seed_official_calendar
from .procedures_check import check_command
from .scenarios.cli import test_command
from .seed import seed_sample_data
from .services.procedures import DeployError, deploy_processes

procedures_cli = AppGroup("procedures", help="Deploy and inspect procedures (BPMN + Camunda Forms).")
procedures_cli.add_command(test_command)
procedures_cli.add_command(check_command)


@procedures_cli.command("deploy")
def deploy_command():
    """Deploy processes/*.bpmn with forms/*.form as new process versions (unchanged files: no new version)."""
    _deploy_or_exit()
    db.session.commit()


@click.command("setup")
def setup_command():
    """Migrate the database to the newest schema, load the 2025–2026 working calendar and sample data, deploy."""
    upgrade()
    seed_official_calendar()
    if seed_sample_data():
        click.echo("Đã tạo dữ liệu mẫu (cơ quan, cán bộ, công dân).")
    _deploy_or_exit()
    db.session.commit()


def _deploy_or_exit() -> None:
    cfg = current_app.config
    try:
        results = deploy_processes(Path(cfg["PROCESSES_DIR"]), Path(cfg["FORMS_DIR"]), now=datetime.now(UTC))
    except DeployError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise SystemExit(1) from exc
    for r in results:
        click.echo(f"{r.file}: {r.procedure_code} v{r.version_number} {'deployed' if r.created else 'unchanged'}")
