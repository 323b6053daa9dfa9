"""Thin scheduler jobs: set up the app context, call a service with ``now``, commit, retry on conflicts.

External tasks commit inside their service (one transaction per task, failures counted after a rollback).
"""
import logging
from datetime import UTC, datetime

from sqlalchemy import case, func, select, type_coerce
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import ExternalTaskRow
from app.models.types import UTCDateTime
from app.services import external_tasks, timers

logger = logging.getLogger(__name__)
#: Attempts on fresh state when the dossier changed meanwhile (another writer won its optimistic lock).
ATTEMPTS = 3


def fire_timer(app, dossier_id: int) -> int:
    """Fire the due timers of one dossier and commit; a concurrent write makes it retry on fresh state.

    A timer another process fired meanwhile is not fired again (the retry finds no due row). Anything else that
    goes wrong before the commit (an :class:`~app.engine.EngineError`, a database error, a crash) is rolled back
    and raised: the timer stays pending and the caller tries it again later; it is never lost and never doubled.

    :return: how many timers fired (0 when another process was first, or after :data:`ATTEMPTS` conflicts).
    """
    with app.app_context():
        try:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    fired = timers.fire_due_timers(dossier_id, now=datetime.now(UTC))
                    db.session.commit()
                    if fired:
                        logger.info("Dossier %s: %d timer(s) fired", dossier_id, fired)
                    return fired
                except StaleDataError:
                    db.session.rollback()
                    logger.info("Dossier %s changed meanwhile; retry %d", dossier_id, attempt)
            return 0
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def due_timer_dossiers(app, now: datetime, *, limit: int, skip) -> list[int]:
    """Ids of dossiers with timers due at ``now``, longest overdue first (see :func:`timers.dossiers_with_due_timers`)."""
    with app.app_context():
        try:
            return timers.dossiers_with_due_timers(now, limit=limit, skip=skip)
        finally:
            db.session.remove()


def run_due_external_tasks(app) -> int:
    """Run every due external service task (each commits on its own); returns how many completed."""
    with app.app_context():
        try:
            return external_tasks.run_due_external_tasks(datetime.now(UTC))
        finally:
            db.session.remove()


def next_due_at(app, *, skip) -> datetime | None:
    """When there is next something to do: the earliest pending timer (but ``skip`` dossiers') or external task.

    An external task another runner holds counts from the end of its hold (``locked_until``).
    """
    with app.app_context():
        try:
            timer_at = timers.next_due_at(skip=skip)
            held = ExternalTaskRow.locked_until > ExternalTaskRow.next_attempt_at
            task_at = db.session.scalar(select(type_coerce(func.min(case((held, ExternalTaskRow.locked_until),
                                                                         else_=ExternalTaskRow.next_attempt_at)),
                                                           UTCDateTime()))
                                        .where(ExternalTaskRow.next_attempt_at.is_not(None)))
        finally:
            db.session.remove()
    return min((t for t in (timer_at, task_at) if t is not None), default=None)
