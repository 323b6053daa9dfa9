"""Thin scheduler jobs: set up the app context, call a service with ``now``, commit, retry on conflicts.

External tasks commit inside their service (one transaction per task, failures counted after a rollback).
"""
import logging
from datetime import UTC, datetime

from sqlalchemy.orm.exc import StaleDataError

from app.engine import EngineError
from app.extensions import db
from app.services import external_tasks, timers

logger = logging.getLogger(__name__)
ATTEMPTS = 3


def fire_timer(app, dossier_id: int) -> None:
    """Fire the due timers of one dossier; a concurrent write makes it retry on fresh state."""
    with app.app_context():
        for attempt in range(1, ATTEMPTS + 1):
            try:
                fired = timers.fire_due_timers(dossier_id, now=datetime.now(UTC))
                db.session.commit()
                logger.info("Dossier %s: %d timer(s) fired", dossier_id, fired)
                return
            except StaleDataError:
                db.session.rollback()
                logger.info("Dossier %s changed meanwhile; retry %d", dossier_id, attempt)
            except EngineError:
                db.session.rollback()
                logger.exception("Dossier %s: timer could not fire", dossier_id)
                return
            finally:
                db.session.remove()


def sweep_due_timers(app) -> None:
    """Every ``SCHEDULER_SWEEP_SECONDS``: fire whatever is overdue (a lost job never loses a timer)."""
    with app.app_context():
        due = timers.dossiers_with_due_timers(datetime.now(UTC))
        db.session.remove()
    for dossier_id in due:
        fire_timer(app, dossier_id)


def run_external_tasks(app, dossier_id: int) -> None:
    """Run the dossier's due external service tasks; the service commits each and schedules any retry."""
    with app.app_context():
        try:
            done = external_tasks.run_due_external_tasks(datetime.now(UTC), dossier_id=dossier_id)
            logger.info("Dossier %s: %d external task(s) completed", dossier_id, done)
        finally:
            db.session.remove()


def sweep_due_external_tasks(app) -> None:
    """Every ``SCHEDULER_SWEEP_SECONDS``: run every due external task (lost jobs, expired holds, other processes)."""
    with app.app_context():
        try:
            external_tasks.run_due_external_tasks(datetime.now(UTC))
        finally:
            db.session.remove()
