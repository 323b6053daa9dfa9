"""The scheduler lease: which process fires timers and external tasks, until when."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .types import UTCDateTime


class SchedulerLease(db.Model):
    """One row per lease name (``timers``): the holder fires; every other scheduler process stands by.

    The holder renews ``expires_at`` every few seconds; once it has passed (the holder died, hung or lost the
    database) any stand-by takes the row over with one conditional UPDATE (:mod:`app.services.scheduler_lease`).
    """

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: ``host:pid:random`` of the process holding the lease.
    holder: Mapped[str] = mapped_column(String(200))
    #: UTC time the holder took the lease (renewals keep it).
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: UTC time the lease lapses unless renewed.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
