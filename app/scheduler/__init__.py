"""APScheduler executes what ``pending_timers`` and ``external_tasks`` say; it never holds the truth.

One process runs it (``SCHEDULER_ENABLED=1``; ``python run.py`` does for the embedded default). Jobs use a
``date`` trigger with ``misfire_grace_time=None`` (the default 1 s silently drops a timer that fell due while
the server was down), ``coalesce=True`` and one id per dossier (``dossier:<id>`` for its timers,
``external:<id>`` for its external service tasks), so a dossier's due work runs in one job. At start every
pending timer and waiting external task gets its job again, and sweepers run anything overdue every
``SCHEDULER_SWEEP_SECONDS``.
"""
import logging
import os
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.services.dossier_state import EXTERNAL_TASKS_TO_SCHEDULE, TIMERS_TO_SCHEDULE
from app.services.external_tasks import all_scheduled_external_tasks
from app.services.timers import all_pending_timers

from . import jobs
from . import timer_starts as timer_start_jobs

logger = logging.getLogger(__name__)


def init_scheduler(app, scheduler_cls=BackgroundScheduler):
    """Start the scheduler for ``app`` (skipped in the debug reloader's watcher process); returns it.

    :param scheduler_cls: injectable for tests (``BackgroundScheduler`` by default).
    """
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    scheduler = scheduler_cls(timezone=UTC, job_defaults={"misfire_grace_time": None, "coalesce": True})
    scheduler.add_job(jobs.sweep_due_timers, "interval", seconds=app.config["SCHEDULER_SWEEP_SECONDS"],
                      args=[app], id="sweep_due_timers", replace_existing=True)
    scheduler.add_job(jobs.sweep_due_external_tasks, "interval", seconds=app.config["SCHEDULER_SWEEP_SECONDS"],
                      args=[app], id="sweep_due_external_tasks", replace_existing=True)
    timer_start_jobs.register(scheduler, app)  # timer start events: system-started dossiers
    with app.app_context():
        pending, external = all_pending_timers(), all_scheduled_external_tasks()
    for dossier_id, due_at in pending:
        schedule_timer(scheduler, app, dossier_id, due_at)
    for dossier_id, next_attempt_at in external:
        schedule_external_tasks(scheduler, app, dossier_id, next_attempt_at)
    listeners = _schedule_after_commit(scheduler, app)
    scheduler.start()
    app.extensions["scheduler"] = (scheduler, listeners)
    logger.info("Scheduler started with %d pending timers and %d external tasks", len(pending), len(external))
    return scheduler


def schedule_timer(scheduler, app, dossier_id: int, due_at: datetime) -> None:
    """(Re)place the job of a dossier so that it runs at its earliest pending ``due_at`` (aware UTC)."""
    _plan_earliest(scheduler, f"dossier:{dossier_id}", jobs.fire_timer, [app, dossier_id], due_at)


def schedule_external_tasks(scheduler, app, dossier_id: int, next_attempt_at: datetime) -> None:
    """(Re)place the external-task job of a dossier so that it runs at its earliest ``next_attempt_at`` (aware UTC)."""
    _plan_earliest(scheduler, f"external:{dossier_id}", jobs.run_external_tasks, [app, dossier_id], next_attempt_at)


def _plan_earliest(scheduler, job_id: str, func, args: list, run_at: datetime) -> None:
    existing = scheduler.get_job(job_id)
    # Before start() APScheduler 3 jobs have no next_run_time yet; their trigger's run_date is the plan.
    planned = getattr(existing, "next_run_time", None) or getattr(getattr(existing, "trigger", None), "run_date", None)
    if planned is not None and planned <= run_at:
        return
    scheduler.add_job(func, "date", run_date=run_at, args=args, id=job_id, replace_existing=True,
                      misfire_grace_time=None, coalesce=True)


def _schedule_after_commit(scheduler, app) -> list:
    def after_commit(session):
        for dossier_id, due_at in session.info.pop(TIMERS_TO_SCHEDULE, []):
            schedule_timer(scheduler, app, dossier_id, due_at)
        for dossier_id, next_attempt_at in session.info.pop(EXTERNAL_TASKS_TO_SCHEDULE, []):
            schedule_external_tasks(scheduler, app, dossier_id, next_attempt_at)

    def after_soft_rollback(session, previous_transaction):
        session.info.pop(TIMERS_TO_SCHEDULE, None)
        session.info.pop(EXTERNAL_TASKS_TO_SCHEDULE, None)

    listeners = [("after_commit", after_commit), ("after_soft_rollback", after_soft_rollback)]
    for name, listener in listeners:
        event.listen(Session, name, listener)
    return listeners


def stop_scheduler(app) -> None:
    """Shut the app's scheduler down (waiting for running jobs) and stop listening to commits."""
    scheduler, listeners = app.extensions.pop("scheduler", (None, []))
    for name, listener in listeners:
        event.remove(Session, name, listener)
    if scheduler is not None:
        scheduler.shutdown(wait=True)
