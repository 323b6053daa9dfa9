"""Command line: ``flask procedures deploy`` and ``flask setup`` (the embedded default in one step)."""
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from .admin.viewer import install_viewer
from .extensions import db
from .models.working_calendar import seed_official_calendar
from .procedures_check import check_command
from .scenarios.cli import test_command
from .seed import seed_sample_data
from .services.procedures import DeployError, deploy_new_content, deploy_processes, deploy_sources, read_sources

procedures_cli = AppGroup("procedures", help="Deploy and inspect procedures (BPMN + Camunda Forms).")
procedures_cli.add_command(test_command)
procedures_cli.add_command(check_command)


@procedures_cli.command("deploy")
@click.option("--draft", is_flag=True, help="Store new versions as drafts, published later at /admin/procedures.")
def deploy_command(draft: bool):
    """Deploy processes/*.bpmn with forms/*.form as new process versions (unchanged files: no new version).

    New versions are published at once (new dossiers start on them) unless --draft is given.
    """
    _deploy_or_exit(_drafts if draft else deploy_processes)
    db.session.commit()


@click.command("setup")
def setup_command():
    """Migrate the database to the newest schema, load the 2025–2026 working calendar and sample data, deploy,
    and install the BPMN diagram viewer (bpmn-js) with npm when npm is there."""
    upgrade()
    seed_official_calendar()
    if seed_sample_data():
        click.echo("Đã tạo dữ liệu mẫu (cơ quan, cán bộ, công dân).")
    _deploy_or_exit(deploy_new_content)  # content some version already holds stays put (admin uploads survive)
    db.session.commit()
    install_viewer(Path(current_app.static_folder), click.echo)  # optional: the admin pages work without it


def _drafts(processes_dir: Path, forms_dir: Path, *, now: datetime):
    return deploy_sources(read_sources(processes_dir, forms_dir), now=now, published_at=None)


def _deploy_or_exit(deploy) -> None:
    cfg = current_app.config
    try:
        results = deploy(Path(cfg["PROCESSES_DIR"]), Path(cfg["FORMS_DIR"]), now=datetime.now(UTC))
    except DeployError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise SystemExit(1) from exc
    for r in results:
        state = "deployed" if r.created else "unchanged"
        click.echo(f"{r.file}: {r.procedure_code} v{r.version_number} {state}{'' if r.published else ' (draft)'}")
