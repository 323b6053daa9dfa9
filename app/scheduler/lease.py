"""The scheduler lease: one row in ``scheduler_leases`` says which process fires; the others stand by.

Works alike on SQLite and PostgreSQL: the holder renews the row with a conditional UPDATE (``holder = me``); a
stand-by reads the row and, once ``expires_at`` has passed, takes it over with a conditional UPDATE
(``expires_at < now``) that at most one process wins. A holder that cannot renew in time (it died, hung, lost
the database) loses the lease after ``SCHEDULER_LEASE_SECONDS``; a holder that stops cleanly releases it at once.

The lease is a courtesy, not the guard of exactly-once: firing is idempotent under the dossier's optimistic
lock, so even two processes that both believe they hold the lease (clocks apart, a paused holder waking up)
fire each timer once.
"""
import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import SchedulerLease

#: The lease of the timer service (timers, external tasks, timer start events).
TIMERS = "timers"


def new_holder_id() -> str:
    """``host:pid:random``: unique per scheduler instance, readable in the ``scheduler_leases`` row."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def hold(holder: str, *, now: datetime, seconds: float, name: str = TIMERS) -> datetime | None:
    """Take or renew the lease ``name`` for ``holder`` until ``now + seconds``; commits.

    :param now: aware UTC time of this process (hosts must keep their clocks in sync, e.g. NTP).
    :return: the new ``expires_at`` (aware UTC) when ``holder`` holds the lease, ``None`` when another holds it.
    """
    expires_at = now + timedelta(seconds=seconds)
    current = db.session.execute(select(SchedulerLease.holder, SchedulerLease.expires_at)
                                 .where(SchedulerLease.name == name)).one_or_none()
    if current is None:
        db.session.add(SchedulerLease(name=name, holder=holder, acquired_at=now, expires_at=expires_at))
        try:
            db.session.commit()
        except IntegrityError:  # another process inserted it first
            db.session.rollback()
            return None
        return expires_at
    if current.holder != holder and current.expires_at >= now:
        db.session.rollback()
        return None
    taken = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=expires_at,
                acquired_at=case((SchedulerLease.holder == holder, SchedulerLease.acquired_at), else_=now))
        .execution_options(synchronize_session=False))
    db.session.commit()
    return expires_at if taken.rowcount == 1 else None


def release(holder: str, *, now: datetime, name: str = TIMERS) -> None:
    """Give the lease up (a clean stop): a stand-by takes it on its next try; commits."""
    db.session.execute(update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
                       .values(expires_at=now - timedelta(microseconds=1))
                       .execution_options(synchronize_session=False))
    db.session.commit()


def current_holder(*, now: datetime, name: str = TIMERS) -> str | None:
    """Who holds the lease at ``now`` (``None``: nobody, or it has lapsed)."""
    row = db.session.get(SchedulerLease, name)
    return row.holder if row is not None and row.expires_at >= now else None
