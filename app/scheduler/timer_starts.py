"""The scheduler job of timer start events: start the dossiers whose occurrence is due.

The ``timer_starts`` rows are the truth (:mod:`app.services.timer_starts`); this job only polls them every
``SCHEDULER_POLL_SECONDS`` in the process holding the scheduler lease, and once right when the scheduler starts, so an occurrence missed while the app was
down starts (once) at the restart.
"""
import logging
from datetime import UTC, datetime

from app.extensions import db
from app.services import timer_starts

logger = logging.getLogger(__name__)


def start_due_instances(app) -> None:
    """Start every due timer start occurrence, one transaction each."""
    with app.app_context():
        try:
            timer_starts.start_due_instances(datetime.now(UTC))
        finally:
            db.session.remove()


def register(scheduler, app, leased=lambda func: func) -> None:
    """Add the polling job to ``scheduler`` (first run at once), wrapped by ``leased`` (the timer service's
    :meth:`~app.scheduler.runner.TimerService.leased`: only the lease holder starts dossiers)."""
    scheduler.add_job(leased(start_due_instances), "interval", seconds=app.config["SCHEDULER_POLL_SECONDS"], args=[app],
                      id="start_due_timer_starts", replace_existing=True, next_run_time=datetime.now(UTC))
