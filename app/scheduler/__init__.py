"""APScheduler executes what ``pending_timers`` and ``external_tasks`` say; it never holds the truth.

One process fires (``flask scheduler run``, or in-process with ``SCHEDULER_ENABLED=1``; ``python run.py`` does for
the embedded default): the one holding the lease row in ``scheduler_leases``. Every other scheduler process stands
by and takes over within ``SCHEDULER_LEASE_SECONDS`` when the holder dies. The holder keeps a single ``due_work``
job planned at the earliest due time (one indexed query; nothing to rebuild at start, however many timers wait) and
fires whatever is due when it runs (:mod:`.runner`). Jobs use ``misfire_grace_time=None`` (the default 1 s silently
drops a timer that fell due while the server was down) and ``coalesce=True``.
"""
import logging
import os
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.services.dossier_state import EXTERNAL_TASKS_TO_SCHEDULE, TIMERS_TO_SCHEDULE

from . import timer_starts as timer_start_jobs
from .runner import TimerService, utcnow

logger = logging.getLogger(__name__)


def init_scheduler(app, scheduler_cls=BackgroundScheduler, *, holder: str | None = None):
    """Start the scheduler for ``app`` (skipped in the debug reloader's watcher process); returns it.

    The first ``tick`` runs at once: it takes the lease if it is free and plans the earliest due work.
    The :class:`TimerService` is ``app.extensions["scheduler"].service``.

    :param scheduler_cls: injectable for tests (``BackgroundScheduler`` by default).
    :param holder: the lease holder id (default ``host:pid:random``).
    """
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return None
    scheduler = scheduler_cls(timezone=UTC, job_defaults={"misfire_grace_time": None, "coalesce": True})
    service = TimerService(app, scheduler, holder=holder)
    scheduler.add_job(service.tick, "interval", seconds=app.config["SCHEDULER_POLL_SECONDS"], id="tick",
                      next_run_time=utcnow(), replace_existing=True, max_instances=1)
    _add_extra_jobs(scheduler, app, service)
    listeners = _wake_after_commit(service)
    scheduler.start()
    app.extensions["scheduler"] = RunningScheduler(scheduler, service, listeners)
    logger.info("Scheduler %s started", service.holder)
    return scheduler


def _add_extra_jobs(scheduler, app, service: TimerService) -> None:
    """Other periodic jobs of the timer service (e.g. timer start events of procedures) are added here.

    Wrap each job in ``service.leased(func)`` so that it runs only in the process holding the lease, e.g.
    ``scheduler.add_job(service.leased(jobs.start_due_processes), "interval", seconds=…, args=[app], id=…,
    replace_existing=True)``.
    """
    timer_start_jobs.register(scheduler, app, service.leased)  # timer start events: system-started dossiers


class RunningScheduler:
    """What :func:`init_scheduler` keeps in ``app.extensions["scheduler"]``."""

    def __init__(self, scheduler, service: TimerService, listeners: list):
        self.scheduler, self.service, self.listeners = scheduler, service, listeners


def _wake_after_commit(service: TimerService) -> list:
    """A timer or external task committed in this process wakes ``due_work`` at once if it is due earlier."""
    def after_commit(session):
        due = [at for _, at in session.info.pop(TIMERS_TO_SCHEDULE, [])]
        due += [at for _, at in session.info.pop(EXTERNAL_TASKS_TO_SCHEDULE, [])]
        if due and service.holds_lease():
            service.wake(min(due))

    def after_soft_rollback(session, previous_transaction):
        session.info.pop(TIMERS_TO_SCHEDULE, None)
        session.info.pop(EXTERNAL_TASKS_TO_SCHEDULE, None)

    listeners = [("after_commit", after_commit), ("after_soft_rollback", after_soft_rollback)]
    for name, listener in listeners:
        event.listen(Session, name, listener)
    return listeners


def stop_scheduler(app) -> None:
    """Shut the app's scheduler down (waiting for running jobs), release the lease, stop listening to commits."""
    running = app.extensions.pop("scheduler", None)
    if running is None:
        return
    for name, listener in running.listeners:
        event.remove(Session, name, listener)
    running.service.stop()  # first: a job must not add jobs while shutdown() holds the job store lock
    running.scheduler.shutdown(wait=True)
    running.service.release()
