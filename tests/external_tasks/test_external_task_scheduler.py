"""The scheduler runs external tasks after commit, retries them after their backoff, and picks them up at start."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Dossier, ExternalTaskRow, Incident, IncidentState, Officer
from app.scheduler import init_scheduler, stop_scheduler
from app.services import external_tasks
from config import BASE_DIR
from tests.conftest import file_two_step, make_app, read_in_app, wait_for

DATA = BASE_DIR / "tests" / "data"


@pytest.fixture
def scheduled_app(tmp_path, monkeypatch):
    """Two-step diagram on a SQLite file; one retry, one second after the first failure."""
    monkeypatch.setattr(external_tasks, "BACKOFF_SECONDS", (1,))
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'external.db'}", PROCESSES_DIR=str(DATA),
                   FORMS_DIR=str(DATA), SCHEDULER_SWEEP_SECONDS=1, EXTERNAL_TASK_RETRIES=1)
    yield app
    stop_scheduler(app)
    with app.app_context():
        db.engine.dispose()


def _kinds(app, dossier_id: int) -> list[str]:
    return read_in_app(app, lambda: [e.kind for e in db.session.get(Dossier, dossier_id).events])


def _incident_state(app) -> IncidentState | None:
    return read_in_app(app, lambda: db.session.scalar(select(Incident.state)))


def test_failures_are_retried_after_their_backoff_and_an_administrators_retry_runs_at_once(scheduled_app,
                                                                                            monkeypatch):
    calls = []
    original = external_tasks.handler_for("deadline_warning")

    def flaky(dossier, data, *, now):
        calls.append(now)
        if len(calls) <= 2:
            raise ConnectionError("gateway timeout")
        return original(dossier, data, now=now)

    monkeypatch.setitem(external_tasks._HANDLERS, "deadline_warning", flaky)
    init_scheduler(scheduled_app)
    with scheduled_app.app_context():
        dossier_id = file_two_step(datetime.now(UTC) + timedelta(seconds=0.5))
        db.session.remove()
    assert wait_for(lambda: _incident_state(scheduled_app) is IncidentState.open)
    assert len(calls) == 2 and calls[1] - calls[0] >= timedelta(seconds=1)  # the retry waited for its backoff
    assert "deadline_warning" not in _kinds(scheduled_app, dossier_id)

    with scheduled_app.app_context():
        admin = db.session.scalar(select(Officer).where(Officer.username == "quantri"))
        external_tasks.retry_incident(db.session.scalar(select(Incident)), by=admin, now=datetime.now(UTC))
        db.session.commit()  # the scheduler plans the task on this commit
        db.session.remove()
    assert wait_for(lambda: _incident_state(scheduled_app) is IncidentState.resolved, seconds=0.9)  # before a sweep
    assert _kinds(scheduled_app, dossier_id).count("deadline_warning") == 1 and len(calls) == 3
    assert read_in_app(scheduled_app, lambda: db.session.scalar(select(ExternalTaskRow))) is None


def test_tasks_waiting_at_start_get_their_job_again(scheduled_app):
    with scheduled_app.app_context():
        dossier_id = file_two_step(datetime.now(UTC) - timedelta(seconds=1))  # the reminder fires at filing
        assert db.session.scalar(select(ExternalTaskRow.topic)) == "deadline_warning"  # no scheduler: it waits
        db.session.remove()
    assert "deadline_warning" not in _kinds(scheduled_app, dossier_id)

    init_scheduler(scheduled_app)  # its job is rebuilt from the row and runs before the first sweep (1 s)
    assert wait_for(lambda: "deadline_warning" in _kinds(scheduled_app, dossier_id), seconds=0.9)
