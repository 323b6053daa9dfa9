"""External service tasks: rows written with the save, run after commit, retried with backoff, incidents, retry."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import (
    Agency, Applicant, Dossier, ExternalTaskRow, Incident, IncidentState, IncidentStateError, Officer, Procedure,
)
from app.services import dossiers, external_tasks, timers
from app.services.external_tasks import retry_incident, run_due_external_tasks
from config import BASE_DIR
from tests.conftest import make_app

DATA = BASE_DIR / "tests" / "data"
FILED_AT = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
#: When the two-step diagram's boundary timer fires and starts its ``deadline_warning`` service task.
REMIND_AT = FILED_AT + timedelta(hours=1)


@pytest.fixture
def two_step():
    """An app with the two-step test diagram deployed (review task, a reminder timer starting a service task)."""
    app = make_app(PROCESSES_DIR=str(DATA), FORMS_DIR=str(DATA))
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def failing(monkeypatch):
    """Make the ``deadline_warning`` handler raise until ``failing.fixed = True``; counts its calls."""
    class Failing:
        calls, fixed = 0, False

        def __call__(self, dossier, data, *, now):
            self.calls += 1
            if not self.fixed:
                raise RuntimeError("SMS gateway unreachable")
            return original(dossier, data, now=now)

    original = external_tasks.handler_for("deadline_warning")
    handler = Failing()
    monkeypatch.setitem(external_tasks._HANDLERS, "deadline_warning", handler)
    return handler


def _reminded_dossier() -> Dossier:
    """File a two-step dossier and fire its reminder: the service task is started, its row written, then commit."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "T.0001"))
    dossier = dossiers.submit_dossier(
        procedure, applicant=db.session.scalar(select(Applicant)), now=FILED_AT,
        handling_agency=db.session.scalar(select(Agency).where(Agency.code == "H54.10.01")),
        application={"remind_at": REMIND_AT.isoformat(), "reviewer": "chuyenvien.tohieu"})
    db.session.commit()
    assert timers.fire_due_timers(dossier.id, now=REMIND_AT) == 1
    db.session.commit()
    return dossier


def _kinds(dossier: Dossier) -> list[str]:
    db.session.expire(dossier, ["events"])
    return [e.kind for e in dossier.events]


def _row() -> ExternalTaskRow | None:
    return db.session.scalar(select(ExternalTaskRow))


def _admin() -> Officer:
    return db.session.scalar(select(Officer).where(Officer.username == "quantri"))


def test_a_started_service_task_is_saved_as_a_row_and_runs_only_after_commit(two_step):
    dossier = _reminded_dossier()
    row = _row()
    assert (row.dossier_id, row.bpmn_id, row.topic, row.attempts) == (dossier.id, "notify", "deadline_warning", 0)
    assert row.next_attempt_at == REMIND_AT and row.last_error is None
    assert "deadline_warning" not in _kinds(dossier)  # nothing ran inside the timer's transaction

    assert run_due_external_tasks(REMIND_AT) == 1
    assert _kinds(dossier).count("deadline_warning") == 1
    assert _row() is None and db.session.scalar(select(Incident)) is None
    assert run_due_external_tasks(REMIND_AT + timedelta(days=1)) == 0  # done once, never again
    assert [w.bpmn_id for w in dossier.work_items] == ["review"]


def test_a_failing_handler_is_retried_after_1_5_and_30_minutes_then_raises_an_incident(two_step, failing):
    dossier = _reminded_dossier()
    lock_version = dossier.lock_version
    now = REMIND_AT
    for attempt, wait in enumerate((60, 300, 1800), start=1):
        assert run_due_external_tasks(now) == 0
        row = _row()
        assert (row.attempts, row.next_attempt_at) == (attempt, now + timedelta(seconds=wait))
        assert row.last_error == "RuntimeError: SMS gateway unreachable" and row.locked_until is None
        assert run_due_external_tasks(row.next_attempt_at - timedelta(seconds=1)) == 0  # not due yet
        assert failing.calls == attempt
        now = row.next_attempt_at

    assert run_due_external_tasks(now) == 0  # the last retry fails too
    row, incident = _row(), db.session.scalar(select(Incident))
    assert (row.attempts, row.next_attempt_at) == (4, None)
    assert (incident.dossier_id, incident.task_id, incident.bpmn_id, incident.topic) == (
        dossier.id, row.task_id, "notify", "deadline_warning")
    assert (incident.state, incident.attempts, incident.opened_at) == (IncidentState.open, 4, now)
    assert incident.error == "RuntimeError: SMS gateway unreachable"
    assert run_due_external_tasks(now + timedelta(days=30)) == 0 and failing.calls == 4  # an incident waits
    db.session.refresh(dossier)
    assert dossier.lock_version == lock_version  # every failed attempt was rolled back
    kinds = _kinds(dossier)
    assert kinds.count("incident_opened") == 1 and "deadline_warning" not in kinds


def test_an_administrators_retry_runs_the_task_again_and_success_resolves_the_incident(two_step, failing):
    two_step.config["EXTERNAL_TASK_RETRIES"] = 0  # the first failure raises the incident
    dossier = _reminded_dossier()
    assert run_due_external_tasks(REMIND_AT) == 0
    incident = db.session.scalar(select(Incident))
    assert incident.attempts == 1

    retried_at = REMIND_AT + timedelta(hours=2)
    retry_incident(incident, by=_admin(), now=retried_at)  # still failing: the incident opens again
    db.session.commit()
    assert (_row().attempts, _row().next_attempt_at) == (0, retried_at) and incident.retry_pending
    assert run_due_external_tasks(retried_at) == 0
    assert incident.state is IncidentState.open and not incident.retry_pending and incident.opened_at == retried_at
    assert db.session.scalar(select(db.func.count(Incident.id))) == 1  # the same incident, renewed

    failing.fixed = True
    fixed_at = retried_at + timedelta(hours=1)
    retry_incident(incident, by=_admin(), now=fixed_at)
    db.session.commit()
    assert incident.state is IncidentState.open  # resolved only once the task succeeds
    assert run_due_external_tasks(fixed_at) == 1
    assert (incident.state, incident.resolution, incident.resolved_at) == (IncidentState.resolved, "retried", fixed_at)
    assert incident.resolved_by.username == "quantri" and _row() is None
    resolved = next(e for e in dossier.events if e.kind == "incident_resolved")
    assert resolved.at == fixed_at and resolved.actor_label.startswith("Lê Minh Quân")
    assert resolved.data["resolution"] == "retried" and _kinds(dossier).count("deadline_warning") == 1
    with pytest.raises(IncidentStateError):
        retry_incident(incident, by=_admin(), now=fixed_at)


def test_an_incident_whose_task_the_workflow_no_longer_waits_for_is_closed_by_the_retry(two_step, failing):
    two_step.config["EXTERNAL_TASK_RETRIES"] = 0
    _reminded_dossier()
    run_due_external_tasks(REMIND_AT)
    db.session.delete(_row())  # as if the workflow had gone on without the task
    db.session.commit()
    incident = db.session.scalar(select(Incident))
    retry_incident(incident, by=_admin(), now=REMIND_AT)
    db.session.commit()
    assert (incident.state, incident.resolution) == (IncidentState.resolved, "obsolete")
    assert failing.calls == 1


def test_a_concurrent_change_of_the_dossier_is_retried_on_fresh_state_not_counted(two_step, monkeypatch):
    """The optimistic lock refuses the first save; the task runs again at once and succeeds: no attempt counted."""
    original, calls = external_tasks.handler_for("deadline_warning"), []

    def racing(dossier, data, *, now):
        calls.append(now)
        if len(calls) == 1:  # someone else saves the dossier while the handler runs
            db.session.execute(text("UPDATE dossiers SET lock_version = lock_version + 1 WHERE id = :id"),
                               {"id": dossier.id})
        return original(dossier, data, now=now)

    monkeypatch.setitem(external_tasks._HANDLERS, "deadline_warning", racing)
    dossier = _reminded_dossier()
    assert run_due_external_tasks(REMIND_AT) == 1
    assert len(calls) == 2 and _row() is None and db.session.scalar(select(Incident)) is None
    assert _kinds(dossier).count("deadline_warning") == 1


def test_a_dossier_that_keeps_changing_leaves_the_task_due_for_a_later_run(two_step, monkeypatch):
    def always_racing(dossier, data, *, now):
        db.session.execute(text("UPDATE dossiers SET lock_version = lock_version + 1 WHERE id = :id"),
                           {"id": dossier.id})
        return {}

    monkeypatch.setitem(external_tasks._HANDLERS, "deadline_warning", always_racing)
    _reminded_dossier()
    assert external_tasks.run_external_task(_row().id, now=REMIND_AT) == "busy"
    row = _row()
    assert (row.attempts, row.next_attempt_at, row.locked_until, row.last_error) == (0, REMIND_AT, None, None)
    assert db.session.scalar(select(Incident)) is None


def test_a_task_held_by_another_runner_is_left_alone_until_the_hold_expires(two_step):
    dossier = _reminded_dossier()
    _row().locked_until = REMIND_AT + timedelta(minutes=5)  # another runner claimed it
    db.session.commit()
    assert run_due_external_tasks(REMIND_AT + timedelta(minutes=1)) == 0
    assert "deadline_warning" not in _kinds(dossier)
    assert run_due_external_tasks(REMIND_AT + timedelta(minutes=5)) == 1  # that runner died: taken over


def test_a_topic_without_handler_fails_like_a_failing_handler(two_step, monkeypatch):
    two_step.config["EXTERNAL_TASK_RETRIES"] = 0
    monkeypatch.delitem(external_tasks._HANDLERS, "deadline_warning")
    _reminded_dossier()
    assert external_tasks.run_external_task(_row().id, now=REMIND_AT) == "incident"
    assert db.session.scalar(select(Incident)).error == \
        "UnknownTopicError: no handler is registered for topic 'deadline_warning'"
