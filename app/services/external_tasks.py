"""External service tasks: a registry ``topic → handler``, run after commit with retries, and incidents.

A BPMN service task (``camunda:type="external" camunda:topic="…"``) parks STARTED in the engine. The save that
parks it writes an ``external_tasks`` row in the same transaction (:func:`.dossier_state.save_workflow`); nothing
runs inside the request. After commit the scheduler — or, where none runs (tests, scenarios, the CLI), an explicit
call of :func:`run_due_external_tasks` — executes each due row in a transaction of its own::

    claim the row (commit) → load the dossier → handler(dossier, data, now=now) → complete the service task
    → save the workflow → commit

A handler that raises is rolled back; the row counts the attempt and waits :data:`BACKOFF_SECONDS` (1, 5, 30 min).
The attempt after ``EXTERNAL_TASK_RETRIES`` retries that fails too opens an :class:`~app.models.Incident`, shown on
*/admin/incidents*; an administrator's retry (:func:`retry_incident`) starts a fresh run of attempts, and the
success resolves the incident. A concurrent change of the dossier (``StaleDataError`` under its optimistic lock)
is no failure: the task runs again on fresh state. Handlers run at least once: one with effects outside the
database must tolerate a repeat (a crash between its effect and the commit).

A handler receives the dossier and a copy of the task's data, may record dossier events, must only flush, and
returns a dict merged into the process data.
"""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm.exc import StaleDataError

from app.engine import frozen_at
from app.extensions import db
from app.models import ExternalTaskRow, Incident, IncidentState, Officer

from .dossier_state import restore_workflow, save_workflow, schedule_external_task_after_commit

logger = logging.getLogger(__name__)

Handler = Callable[..., dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}

#: Wait before each retry of a failing handler; retries beyond the list wait as long as its last entry.
BACKOFF_SECONDS = (60, 300, 1800)
#: How long a runner holds a claimed task; a runner that died holding one loses it after this (fetch-and-lock).
LOCK_SECONDS = 300
#: Attempts on fresh state when the dossier changed meanwhile, before the task is left for the next run.
CONFLICT_ATTEMPTS = 3
#: Longest error text kept on a row or an incident.
ERROR_CHARS = 2000
#: Tasks one call runs at most; the rest waits for the next job or sweep (a diagram looping through service
#: tasks must not hold a scheduler thread for ever).
MAX_TASKS_PER_CALL = 500


class UnknownTopicError(LookupError):
    """No handler is registered for a task's topic (deploy refuses such diagrams; code may have changed since)."""


def external_task(topic: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of ``camunda:topic="<topic>"``."""
    def register(handler: Handler) -> Handler:
        _HANDLERS[topic] = handler
        return handler
    return register


def registered_topics() -> set[str]:
    """Topics that have a handler; deploy refuses a service task whose topic is not here."""
    return set(_HANDLERS)


def handler_for(topic: str) -> Handler:
    """The handler of ``topic``. :raises UnknownTopicError: none is registered."""
    try:
        return _HANDLERS[topic]
    except KeyError:
        raise UnknownTopicError(f"no handler is registered for topic {topic!r}") from None


def run_due_external_tasks(now: datetime, *, dossier_id: int | None = None) -> int:
    """Run every external task due at or before ``now`` (of one dossier, or all), each in its own transaction.

    Commits: it is the entry point of a scheduler job, and of tests, scenarios and commands that run no scheduler.
    Tasks a handler starts in turn (a chain of service tasks) run in the same call, up to :data:`MAX_TASKS_PER_CALL`.

    :param now: aware UTC time; handlers and the engine's timers see it.
    :return: how many tasks completed.
    """
    completed, tried = 0, set()
    while True:
        due = [row_id for row_id in due_external_tasks(now, dossier_id=dossier_id) if row_id not in tried]
        if not due or len(tried) >= MAX_TASKS_PER_CALL:
            return completed
        for row_id in due:
            tried.add(row_id)
            completed += run_external_task(row_id, now=now) == "completed"


def due_external_tasks(now: datetime, *, dossier_id: int | None = None) -> list[int]:
    """Ids of the rows due at or before ``now`` that no runner holds, soonest first."""
    query = (select(ExternalTaskRow.id).where(ExternalTaskRow.next_attempt_at <= now, _not_held(now))
             .order_by(ExternalTaskRow.next_attempt_at, ExternalTaskRow.id))
    if dossier_id is not None:
        query = query.where(ExternalTaskRow.dossier_id == dossier_id)
    return list(db.session.scalars(query))


def all_scheduled_external_tasks() -> list[tuple[int, datetime]]:
    """``(dossier_id, next_attempt_at)`` of every row waiting for an attempt, to rebuild scheduler jobs at start."""
    query = select(ExternalTaskRow.dossier_id, ExternalTaskRow.next_attempt_at).where(
        ExternalTaskRow.next_attempt_at.is_not(None))
    return [(dossier_id, at) for dossier_id, at in db.session.execute(query)]


def run_external_task(row_id: int, *, now: datetime) -> str:
    """Claim one due external task, run its handler and save the dossier; commit.

    :return: ``completed``; ``failed`` (a retry is scheduled); ``incident`` (retries exhausted); ``busy``
        (another runner holds it, it is not due, or the dossier kept changing: left for a later run); ``gone``.
    """
    if not _claim(row_id, now):
        return "busy"
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            outcome = _execute(row_id, now)
            db.session.commit()
            return outcome
        except StaleDataError:
            db.session.rollback()
            logger.info("External task %s: the dossier changed meanwhile; attempt %d on fresh state", row_id, attempt)
        except Exception as exc:  # noqa: BLE001 -- whatever a handler raises is a failed attempt, never a crash
            db.session.rollback()
            outcome = _record_failure(row_id, exc, now)
            db.session.commit()
            return outcome
    db.session.execute(update(ExternalTaskRow).where(ExternalTaskRow.id == row_id).values(locked_until=None)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return "busy"


def retry_incident(incident: Incident, *, by: Officer, now: datetime) -> None:
    """An administrator's retry: the task gets a fresh run of attempts, the first one now; only flushes.

    The incident stays open until an attempt succeeds (then it is resolved as ``retried`` by ``by``), or opens
    again with the new error when every attempt fails.

    :raises app.models.IncidentStateError: the incident is already resolved.
    """
    incident.request_retry(by=by, at=now)
    row = db.session.scalar(select(ExternalTaskRow).where(ExternalTaskRow.task_id == incident.task_id))
    if row is None:  # the workflow no longer waits for the task
        incident.resolve("obsolete", at=now)
        _record_incident_event(incident, "incident_resolved", now, resolution="obsolete")
    else:
        row.schedule_retry(at=now)
        schedule_external_task_after_commit(db.session, row)
    db.session.flush()


def open_incidents() -> list[Incident]:
    """Open incidents, newest first (for the administrators' page)."""
    return list(db.session.scalars(select(Incident).where(Incident.state == IncidentState.open)
                                   .order_by(Incident.opened_at.desc(), Incident.id.desc())))


def _not_held(now: datetime):
    return or_(ExternalTaskRow.locked_until.is_(None), ExternalTaskRow.locked_until <= now)


def _claim(row_id: int, now: datetime) -> bool:
    """Hold the row for :data:`LOCK_SECONDS` if it is due and nobody holds it; committed at once."""
    claimed = db.session.execute(
        update(ExternalTaskRow).where(ExternalTaskRow.id == row_id, ExternalTaskRow.next_attempt_at <= now,
                                      _not_held(now))
        .values(locked_until=now + timedelta(seconds=LOCK_SECONDS)).execution_options(synchronize_session=False))
    db.session.commit()
    return claimed.rowcount == 1


def _execute(row_id: int, now: datetime) -> str:
    """Run the handler and complete the service task; flushes. :raises: whatever the handler or engine raises."""
    row = db.session.get(ExternalTaskRow, row_id)
    if row is None:
        return "gone"
    dossier = row.dossier
    workflow = restore_workflow(dossier)
    call = next((c for c in workflow.started_service_tasks() if c.task_id == row.task_id), None)
    with frozen_at(now):
        if call is not None:
            result = handler_for(row.topic)(dossier, dict(call.data), now=now)
            workflow.complete_service_task(row.task_id, result or {})
            incident = _open_incident_of(row.task_id)
            if incident is not None:
                incident.resolve("retried", at=now, by=incident.retried_by)
                _record_incident_event(incident, "incident_resolved", now, resolution="retried")
        save_workflow(dossier, workflow, now=now)  # removes the row (and any stale one) and adds rows for new tasks
    logger.info("Dossier %s: external task %s (%s) %s", dossier.code, row.bpmn_id, row.topic,
                "completed" if call else "no longer waited for")
    return "completed" if call else "gone"


def _record_failure(row_id: int, exc: Exception, now: datetime) -> str:
    """Count a failed attempt: schedule the retry after its backoff, or open (or renew) the incident; flushes."""
    row = db.session.get(ExternalTaskRow, row_id)
    if row is None:
        return "gone"
    error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
    if row.attempts < current_app.config["EXTERNAL_TASK_RETRIES"]:
        row.record_failure(error, at=now, retry_after_seconds=BACKOFF_SECONDS[min(row.attempts,
                                                                                  len(BACKOFF_SECONDS) - 1)])
        schedule_external_task_after_commit(db.session, row)
        logger.warning("Dossier %s: external task %s (%s) failed, attempt %d, retry at %s: %s", row.dossier.code,
                       row.bpmn_id, row.topic, row.attempts, row.next_attempt_at.isoformat(), error)
        return "failed"
    row.record_failure(error, at=now, retry_after_seconds=None)
    incident = _open_incident_of(row.task_id)
    if incident is None:
        incident = Incident(dossier=row.dossier, task_id=row.task_id, bpmn_id=row.bpmn_id, topic=row.topic,
                            error=error, attempts=row.attempts, state=IncidentState.open, opened_at=now)
        db.session.add(incident)
        db.session.flush()
    else:
        incident.renew(error, row.attempts, at=now)
    _record_incident_event(incident, "incident_opened", now, error=error, attempts=row.attempts)
    logger.error("Dossier %s: external task %s (%s) failed %d times: incident %s: %s", row.dossier.code,
                 row.bpmn_id, row.topic, row.attempts, incident.id, error)
    return "incident"


def _open_incident_of(task_id: str) -> Incident | None:
    return db.session.scalar(select(Incident).where(Incident.task_id == task_id,
                                                    Incident.state == IncidentState.open))


def _record_incident_event(incident: Incident, kind: str, now: datetime, **details: Any) -> None:
    actor = incident.resolved_by if kind == "incident_resolved" else None
    incident.dossier.record_event(kind, at=now, actor=actor, data={
        "incident_id": incident.id, "bpmn_id": incident.bpmn_id, "topic": incident.topic, **details})


@external_task("deadline_warning")
def warn_due_soon(dossier, data: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Warn the officers holding the dossier that its due time is near (one working day by default)."""
    holders = sorted({w.task_name for w in dossier.work_items})
    dossier.record_event("deadline_warning", at=now, data={"due_at": dossier.due_at.isoformat() if dossier.due_at
                                                          else None, "open_tasks": holders})
    return {"deadline_warning_sent_at": now.isoformat()}
