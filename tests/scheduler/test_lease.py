"""One scheduler fires, the others stand by; each timer fires exactly once, even across crashes and conflicts."""
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Dossier, DossierEvent, PendingTimerRow
from app.scheduler import init_scheduler, jobs, lease, stop_scheduler
from app.services import timers
from config import BASE_DIR
from tests.conftest import file_two_step, make_app, read_in_app, wait_for

DATA = BASE_DIR / "tests" / "data"


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "timers.db"


@pytest.fixture
def timer_app(db_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}", PROCESSES_DIR=str(DATA), FORMS_DIR=str(DATA),
                   SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}}, SCHEDULER_SWEEP_SECONDS=1,
                   SCHEDULER_POLL_SECONDS=0.2, SCHEDULER_LEASE_SECONDS=3)
    yield app
    stop_scheduler(app)
    with app.app_context():
        db.engine.dispose()


def _count(app, kind: str) -> dict[int, int]:
    """``{dossier id: number of events of kind}`` over every dossier."""
    return read_in_app(app, lambda: dict(db.session.execute(
        select(DossierEvent.dossier_id, func.count()).where(DossierEvent.kind == kind)
        .group_by(DossierEvent.dossier_id)).all()))


def _kinds(app, dossier_id: int) -> list[str]:
    return read_in_app(app, lambda: [e.kind for e in db.session.get(Dossier, dossier_id).events])


def _file_due_dossier() -> int:
    """File a two-step dossier whose reminder is due (pending, not fired: no scheduler runs yet)."""
    due = datetime.now(UTC) + timedelta(seconds=0.2)
    dossier_id = file_two_step(due)
    assert wait_for(lambda: datetime.now(UTC) > due)
    db.session.remove()
    return dossier_id


def _holder(app) -> str | None:
    return read_in_app(app, lambda: lease.current_holder(now=datetime.now(UTC)))


def test_the_lease_has_one_holder_until_it_lapses_or_is_released(timer_app):
    start = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    with timer_app.app_context():
        assert lease.hold("a", now=start, seconds=15) == start + timedelta(seconds=15)
        assert lease.hold("b", now=start + timedelta(seconds=5), seconds=15) is None  # a holds it: b stands by
        assert lease.hold("a", now=start + timedelta(seconds=10), seconds=15) == start + timedelta(seconds=25)
        assert lease.hold("b", now=start + timedelta(seconds=24), seconds=15) is None  # renewed: still a's
        assert lease.hold("b", now=start + timedelta(seconds=26), seconds=15) is not None  # a died: b takes over
        assert lease.hold("a", now=start + timedelta(seconds=27), seconds=15) is None  # a is back: it stands by
        assert lease.current_holder(now=start + timedelta(seconds=27)) == "b"
        lease.release("b", now=start + timedelta(seconds=28))
        assert lease.current_holder(now=start + timedelta(seconds=28)) is None
        assert lease.hold("a", now=start + timedelta(seconds=28), seconds=15) is not None  # at once after release


def test_a_stand_by_scheduler_fires_nothing(timer_app):
    with timer_app.app_context():
        lease.hold("another-process", now=datetime.now(UTC), seconds=3600)
        dossier_id = _file_due_dossier()
    init_scheduler(timer_app)
    service = timer_app.extensions["scheduler"].service
    assert wait_for(lambda: service._renew_after is not None)  # it has looked at the lease at least once
    service.run_due()  # even run by hand, the due work is not done without the lease
    assert "timer_fired" not in _kinds(timer_app, dossier_id)
    assert not service.holds_lease()


def test_a_conflicting_firing_is_retried_on_fresh_state_and_fires_nothing_twice(timer_app, monkeypatch):
    """Two firings of one dossier race; the loser's commit fails on the optimistic lock and it retries."""
    with timer_app.app_context():
        dossier_id = _file_due_dossier()
    real_save, results, raced = timers.save_workflow, [], []

    def save_after_a_rival(dossier, workflow, *, now):
        if not raced:  # the first firing is overtaken by another one, which commits first
            raced.append(True)
            rival = threading.Thread(target=lambda: results.append(jobs.fire_timer(timer_app, dossier_id)))
            rival.start()
            rival.join()
        real_save(dossier, workflow, now=now)

    monkeypatch.setattr(timers, "save_workflow", save_after_a_rival)
    assert jobs.fire_timer(timer_app, dossier_id) == 0  # StaleDataError, retried: nothing left to fire
    assert results == [1]
    assert _kinds(timer_app, dossier_id).count("timer_fired") == 1


def test_a_crash_between_firing_and_commit_leaves_the_timer_pending_and_it_fires_once_later(timer_app, monkeypatch):
    real_fire, crashes = timers.fire_due_timers, []

    def fire_then_crash(dossier_id, *, now):
        fired = real_fire(dossier_id, now=now)  # the engine fired and the state was flushed …
        if not crashes:
            crashes.append(dossier_id)
            raise RuntimeError("crash before commit")  # … but the transaction never commits
        return fired

    monkeypatch.setattr(timers, "fire_due_timers", fire_then_crash)
    with timer_app.app_context():
        dossier_id = _file_due_dossier()
    with pytest.raises(RuntimeError):
        jobs.fire_timer(timer_app, dossier_id)
    assert crashes == [dossier_id]
    assert "timer_fired" not in _kinds(timer_app, dossier_id)
    assert read_in_app(timer_app, lambda: db.session.scalar(select(func.count()).select_from(PendingTimerRow))) == 1

    monkeypatch.setattr(timers, "fire_due_timers", lambda *a, **k: fire_then_crash(*a, **k))
    crashes.clear()
    init_scheduler(timer_app)  # the scheduler meets the same crash, then tries again a sweep period later
    assert wait_for(lambda: "deadline_warning" in _kinds(timer_app, dossier_id))
    assert crashes == [dossier_id]
    kinds = _kinds(timer_app, dossier_id)
    assert kinds.count("timer_fired") == 1 and kinds.count("deadline_warning") == 1
    assert read_in_app(timer_app, lambda: db.session.scalar(select(func.count()).select_from(PendingTimerRow))) == 0


def _scheduler_process(db_path) -> subprocess.Popen:
    env = {**os.environ, "FLASK_APP": "run.py", "DATABASE_URL": f"sqlite:///{db_path}", "SCHEDULER_ENABLED": "0",
           "SCHEDULER_POLL_SECONDS": "0.2", "SCHEDULER_LEASE_SECONDS": "3", "SCHEDULER_SWEEP_SECONDS": "1"}
    return subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "run"], cwd=BASE_DIR, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_two_scheduler_processes_fire_each_timer_once_and_the_stand_by_takes_over(timer_app, db_path):
    n = 12
    with timer_app.app_context():
        soon = datetime.now(UTC) + timedelta(seconds=4)
        ids = [file_two_step(soon + timedelta(milliseconds=100 * i)) for i in range(n)]
        db.session.remove()
    first = _scheduler_process(db_path)
    second = None
    try:
        assert wait_for(lambda: (_holder(timer_app) or "").split(":")[1:2] == [str(first.pid)], seconds=60)
        second = _scheduler_process(db_path)
        assert wait_for(lambda: len(_count(timer_app, "deadline_warning")) == n, seconds=120)
        assert _count(timer_app, "timer_fired") == dict.fromkeys(ids, 1)
        assert _count(timer_app, "deadline_warning") == dict.fromkeys(ids, 1)

        first.send_signal(signal.SIGKILL)  # the holder dies without releasing its lease
        first.wait()
        with timer_app.app_context():
            late = file_two_step(datetime.now(UTC) + timedelta(seconds=0.5))
            db.session.remove()
        assert wait_for(lambda: "deadline_warning" in _kinds(timer_app, late), seconds=120)
        assert _holder(timer_app).split(":")[1] == str(second.pid)  # only the stand-by can have fired it
        assert _kinds(timer_app, late).count("timer_fired") == 1

        second.send_signal(signal.SIGTERM)  # a clean stop releases the lease
        assert second.wait(timeout=60) == 0
        assert _holder(timer_app) is None
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
