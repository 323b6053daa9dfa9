"""Timers survive downtime: a timer that fell due while the app was stopped fires after restart, once."""
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Applicant, Dossier, Officer, Procedure
from app.scheduler import init_scheduler, stop_scheduler
from app.services import dossiers, timers
from config import BASE_DIR
from tests.conftest import APPLICATION, file_two_step, make_app, wait_for

DATA = BASE_DIR / "tests" / "data"


@pytest.fixture
def timer_app(tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'timers.db'}", PROCESSES_DIR=str(DATA),
                   FORMS_DIR=str(DATA), SCHEDULER_SWEEP_SECONDS=1)
    yield app
    stop_scheduler(app)
    with app.app_context():
        db.engine.dispose()


def _events(app, dossier_id: int) -> list[str]:
    with app.app_context():
        kinds = [e.kind for e in db.session.get(Dossier, dossier_id).events]
        db.session.remove()
        return kinds


def test_timer_due_during_downtime_fires_once_after_restart(timer_app):
    with timer_app.app_context():
        dossier_id = file_two_step(datetime.now(UTC) + timedelta(seconds=1))
        assert len(db.session.get(Dossier, dossier_id).pending_timers) == 1
        db.session.remove()
    time.sleep(1.3)  # the app is "stopped": no scheduler runs while the timer falls due
    assert "timer_fired" not in _events(timer_app, dossier_id)

    init_scheduler(timer_app)  # restart: jobs are rebuilt from pending_timers
    assert wait_for(lambda: "timer_fired" in _events(timer_app, dossier_id))
    # the timer started the deadline_warning service task: its job runs once the firing has committed
    assert wait_for(lambda: "deadline_warning" in _events(timer_app, dossier_id))
    time.sleep(2.5)  # the sweeper runs every second meanwhile; it must find nothing left to fire
    kinds = _events(timer_app, dossier_id)
    assert kinds.count("timer_fired") == 1 and kinds.count("deadline_warning") == 1
    with timer_app.app_context():
        dossier = db.session.get(Dossier, dossier_id)
        assert dossier.pending_timers == [] and [w.bpmn_id for w in dossier.work_items] == ["review"]


def test_timer_scheduled_after_commit_fires_on_time(timer_app):
    init_scheduler(timer_app)
    with timer_app.app_context():
        due = datetime.now(UTC) + timedelta(seconds=1)
        dossier_id = file_two_step(due)
    assert wait_for(lambda: "timer_fired" in _events(timer_app, dossier_id), seconds=5)
    with timer_app.app_context():
        fired = next(e for e in db.session.get(Dossier, dossier_id).events if e.kind == "timer_fired")
        assert due <= fired.at < due + timedelta(seconds=1.5)


def test_firing_twice_is_harmless(timer_app):
    with timer_app.app_context():
        dossier_id = file_two_step(datetime.now(UTC) + timedelta(seconds=0.5))
        time.sleep(0.7)
        assert timers.fire_due_timers(dossier_id, now=datetime.now(UTC)) == 1
        db.session.commit()
        assert timers.fire_due_timers(dossier_id, now=datetime.now(UTC)) == 0
        assert [e.kind for e in db.session.get(Dossier, dossier_id).events].count("timer_fired") == 1


def test_restart_with_several_timers_per_dossier_keeps_the_earliest(tmp_path):
    """A received dossier waits for two timers (due soon, overdue); restarting must plan the due work at the first."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'two.db'}")
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
        dossier = dossiers.submit_dossier(
            procedure, applicant=db.session.scalar(select(Applicant)), now=datetime.now(UTC),
            handling_agency=db.session.scalar(select(Agency).where(Agency.code == "H54.10.01")),
            application={**APPLICATION, "capital_vnd": 1, "commitment": True})
        officer = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
        dossiers.complete_work_item(dossier, dossier.work_items[0].task_id, actor=officer,
                                    values={"reception_outcome": "receive"}, now=datetime.now(UTC))
        db.session.commit()
        earliest = min(t.due_at for t in dossier.pending_timers)
        assert len(dossier.pending_timers) == 2
        dossier_id = dossier.id
    try:
        scheduler = init_scheduler(app)
        assert wait_for(lambda: scheduler.get_job("due_work") is not None)
        assert scheduler.get_job("due_work").next_run_time == earliest
        with app.app_context():
            assert "timer_fired" not in [e.kind for e in db.session.get(Dossier, dossier_id).events]
    finally:
        stop_scheduler(app)
        with app.app_context():
            db.engine.dispose()
