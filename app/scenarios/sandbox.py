"""A throw-away app for one scenario: in-memory SQLite, the working calendar, sample people, procedures deployed."""
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask

from app import create_app
from app.extensions import db
from app.models.working_calendar import seed_official_calendar
from app.seed import seed_sample_data
from app.services.procedures import deploy_processes
from config import TestingConfig

#: Settings a scenario app takes over from the app that runs the command (deadlines depend on them).
INHERITED_SETTINGS = ("TIMEZONE", "OFFICE_OPENS_AT", "OFFICE_CLOSES_AT", "SAME_DAY_CUTOFF",
                      "DUE_WARNING_WORKING_DAYS", "DUE_WARNING_WORKING_HOURS", "PROCESSES_DIR", "FORMS_DIR")


def inherited_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The :data:`INHERITED_SETTINGS` found in ``config`` (e.g. ``current_app.config``)."""
    return {key: config[key] for key in INHERITED_SETTINGS if key in config}


def scenario_app(settings: Mapping[str, Any], *, now: datetime) -> Flask:
    """A fresh app on its own in-memory database with every procedure of ``PROCESSES_DIR`` deployed at ``now``.

    :param settings: config overrides (at least ``PROCESSES_DIR`` and ``FORMS_DIR`` to test other diagrams).
    :param now: aware time of deployment (the scenario's start, so versions exist before the first dossier).
    :raises app.services.procedures.DeployError: a diagram or form is refused.
    """
    config = type("ScenarioConfig", (TestingConfig,), {**settings, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                                                        "SQLALCHEMY_ENGINE_OPTIONS": {}, "SCHEDULER_ENABLED": False})
    app = create_app(config)
    with app.app_context():
        try:
            db.create_all()
            seed_official_calendar()
            seed_sample_data()
            deploy_processes(Path(app.config["PROCESSES_DIR"]), Path(app.config["FORMS_DIR"]), now=now)
            db.session.commit()
        finally:
            db.session.remove()
    return app


def dispose(app: Flask) -> None:
    """Free the scenario app's in-memory database."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
