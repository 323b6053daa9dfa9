"""The scheduler job of timer start events: start the dossiers whose occurrence is due.

The ``timer_starts`` rows are the truth (:mod:`app.services.timer_starts`); this job only polls them every
``SCHEDULER_SWEEP_SECONDS``, and once right when the scheduler starts, so an occurrence missed while the app was
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


def register(scheduler, app) -> None:
    """Add the polling job to ``scheduler`` (first run at once)."""
    scheduler.add_job(start_due_instances, "interval", seconds=app.config["SCHEDULER_SWEEP_SECONDS"], args=[app],
                      id="start_due_timer_starts", replace_existing=True, next_run_time=datetime.now(UTC))
