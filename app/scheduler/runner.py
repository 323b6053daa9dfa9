"""The timer service of one scheduler process: hold the lease, plan one job at the next due time, fire what is due.

Two APScheduler jobs do everything:

- ``tick`` (interval, every ``SCHEDULER_POLL_SECONDS``): take or renew the lease (:mod:`.lease`); while holding it,
  ask the database for the earliest due time (one indexed ``min(due_at)``) and plan ``due_work`` at it. This is
  also how a timer committed by another process (a web worker) is seen: within one poll.
- ``due_work`` (``date`` trigger, ``misfire_grace_time=None``): fire every due timer, the longest overdue first,
  in batches, one transaction per dossier, and run the due external tasks; then plan itself at the next due time.

A commit in this very process (``after_commit``) wakes ``due_work`` at once when it adds an earlier timer. Only the
lease holder fires; it stops between two dossiers once its lease has lapsed. A dossier whose firing fails (engine
error, database error, a crash before the commit) keeps its timer pending and is tried again
``SCHEDULER_SWEEP_SECONDS`` later.
"""
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

from . import jobs, lease

logger = logging.getLogger(__name__)
#: Dossiers fired per query of due timers.
BATCH = 200
#: A holder treats its lease as lapsed this long before ``expires_at`` (commit delays, clocks a little apart).
LEASE_MARGIN = timedelta(seconds=1)


def utcnow() -> datetime:
    return datetime.now(UTC)


class TimerService:
    """Lease, planning and firing for one scheduler process (see the module docstring).

    :param app: the Flask app (each job pushes its own app context, hence its own session).
    :param scheduler: an APScheduler scheduler, started by the caller.
    """

    def __init__(self, app, scheduler, *, holder: str | None = None):
        self.app, self.scheduler = app, scheduler
        self.holder = holder or lease.new_holder_id()
        self.lease_seconds = float(app.config["SCHEDULER_LEASE_SECONDS"])
        self.retry_after = timedelta(seconds=app.config["SCHEDULER_SWEEP_SECONDS"])
        self.held_until: datetime | None = None
        self._renew_after: datetime | None = None
        self._lock = threading.Lock()
        self._running = 0  # due_work runs in progress (a new one may start while the last one returns)
        self._stopped = False
        self._planned_at: datetime | None = None
        self._woken_at: datetime | None = None
        self._retry_at: dict[int, datetime] = {}  # dossier id → when its failed firing is tried again

    # ---- lease ----------------------------------------------------------------------------------------------

    def holds_lease(self, now: datetime | None = None) -> bool:
        """Whether this process may fire now (it holds the lease, with :data:`LEASE_MARGIN` to spare)."""
        return (not self._stopped and self.held_until is not None
                and (now or utcnow()) < self.held_until - LEASE_MARGIN)

    def tick(self) -> None:
        """Take or renew the lease when due; while holding it, plan ``due_work`` at the next due time."""
        if self._stopped:
            return
        now = utcnow()
        if self._renew_after is None or now >= self._renew_after or not self.holds_lease(now):
            self._renew(now)
        if self.holds_lease():
            self.wake(self._next_due_at())

    def _renew(self, now: datetime) -> None:
        was_holding = self.holds_lease(now)
        with self.app.app_context():
            try:
                expires_at = lease.hold(self.holder, now=now, seconds=self.lease_seconds)
            except SQLAlchemyError:
                db.session.rollback()
                logger.exception("Scheduler %s: the lease could not be renewed", self.holder)
                return  # a holder keeps firing until its lease lapses; it retries on the next tick
            finally:
                db.session.remove()
        self.held_until = expires_at
        self._renew_after = now + timedelta(seconds=self.lease_seconds / 3)
        if expires_at and not was_holding:
            logger.info("Scheduler %s holds the timer lease", self.holder)
        elif was_holding and not expires_at:
            logger.warning("Scheduler %s lost the timer lease; standing by", self.holder)

    def stop(self) -> None:
        """Plan nothing more and fire no further dossier (before the scheduler shuts down, which waits for jobs)."""
        with self._lock:
            self._stopped = True

    def release(self) -> None:
        """Give the lease up on a clean stop, so that a stand-by takes over on its next tick."""
        if self.held_until is None:
            return
        self.held_until = None
        with self.app.app_context():
            try:
                lease.release(self.holder, now=utcnow())
            except SQLAlchemyError:
                db.session.rollback()
                logger.exception("Scheduler %s: the lease could not be released (it lapses by itself)", self.holder)
            finally:
                db.session.remove()

    def leased(self, func: Callable[..., object]) -> Callable[..., object]:
        """``func`` run only while this process holds the lease (for extra jobs, e.g. timer start events)."""
        def run_if_holder(*args, **kwargs):
            if self.holds_lease():
                return func(*args, **kwargs)
            return None
        run_if_holder.__name__ = getattr(func, "__name__", "leased_job")
        return run_if_holder

    # ---- planning -------------------------------------------------------------------------------------------

    def wake(self, at: datetime | None) -> None:
        """Make ``due_work`` run at ``at`` (aware UTC) unless it is planned earlier already; ``None``: nothing."""
        if at is None:
            return
        with self._lock:
            if self._stopped:
                return
            if self._running:
                self._woken_at = at if self._woken_at is None else min(self._woken_at, at)
            elif self._planned_at is None or at < self._planned_at or self._planned_at <= utcnow():
                # a plan in the past has not run (yet): planning it again costs nothing and loses nothing
                self._planned_at = at
                # more than one instance: a run may fall due while the previous one returns (it plans last)
                self.scheduler.add_job(self.run_due, "date", run_date=at, id="due_work", replace_existing=True,
                                       misfire_grace_time=None, coalesce=True, max_instances=3)

    def _next_due_at(self) -> datetime | None:
        now = utcnow()
        self._retry_at = {d: at for d, at in self._retry_at.items() if at > now}
        try:
            due = jobs.next_due_at(self.app, skip=self._retry_at)
        except SQLAlchemyError:
            logger.exception("Scheduler %s: the next due time could not be read", self.holder)
            return now + self.retry_after
        return min([t for t in (due, *self._retry_at.values()) if t is not None], default=None)

    # ---- firing ---------------------------------------------------------------------------------------------

    def run_due(self) -> None:
        """Fire every due timer and run the due external tasks while holding the lease; then plan the next run.

        Whatever falls due meanwhile is done in this same run (no job is planned "now" from inside a job: the
        scheduler would still count this run and could skip the new one); only a future time is planned.
        """
        with self._lock:
            self._running += 1
            self._planned_at = None
        next_at = None
        try:
            while self.holds_lease():
                try:
                    self._run_due()
                except Exception:  # noqa: BLE001 -- the loop must plan its next run whatever went wrong
                    logger.exception("Scheduler %s: firing due work failed; trying again later", self.holder)
                    next_at = utcnow() + self.retry_after
                    break
                with self._lock:
                    woken_at, self._woken_at = self._woken_at, None
                next_at = min((t for t in (woken_at, self._next_due_at()) if t is not None), default=None)
                if next_at is None or next_at > utcnow():
                    break
        finally:
            with self._lock:
                self._running -= 1
                woken_at, self._woken_at = (self._woken_at, None) if not self._running else (None, self._woken_at)
            if self.holds_lease():
                self.wake(min((t for t in (woken_at, next_at) if t is not None), default=None))

    def _run_due(self) -> None:
        while self.holds_lease():
            now = utcnow()
            self._retry_at = {d: at for d, at in self._retry_at.items() if at > now}
            due = jobs.due_timer_dossiers(self.app, now, limit=BATCH, skip=self._retry_at)
            for dossier_id in due:
                if not self.holds_lease():
                    return
                self._fire(dossier_id)
            completed = jobs.run_due_external_tasks(self.app) if self.holds_lease() else 0
            if not due and not completed:
                return

    def _fire(self, dossier_id: int) -> None:
        try:
            jobs.fire_timer(self.app, dossier_id)
        except Exception:  # noqa: BLE001 -- rolled back: the timer stays pending and is tried again later
            self._retry_at[dossier_id] = utcnow() + self.retry_after
            logger.exception("Dossier %s: timer could not fire; trying again at %s", dossier_id,
                             self._retry_at[dossier_id].isoformat())
