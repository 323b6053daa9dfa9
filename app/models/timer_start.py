"""Timer start schedules: when the next instance of a system-started procedure is due (the truth; APScheduler
only executes it), and which occurrences have started a dossier."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .procedure import Procedure, ProcessVersion
from .types import UTCDateTime


class TimerStart(db.Model):
    """The schedule of a procedure's timer start event, on its newest published version (one row per procedure:
    publishing a version moves the schedule to it, or removes it when that version has no timer start)."""

    __tablename__ = "timer_starts"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), unique=True)
    procedure: Mapped[Procedure] = relationship()
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_version: Mapped[ProcessVersion] = relationship()
    #: ``cycle`` (ISO R[n]/[start/]duration), ``cron`` (Camunda/Quartz) or ``date``, and the text as drawn.
    kind: Mapped[str] = mapped_column(String(10))
    expression: Mapped[str] = mapped_column(String(200))
    #: UTC time the schedule was set up (a cycle without a start date counts from it).
    anchor_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: UTC time of the next occurrence; None when the schedule has no more (date passed, R5 used up).
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: number (from 0) of the next occurrence in the cycle (R5: none from 5 on).
    next_index: Mapped[int] = mapped_column(default=0)


class TimerStartOccurrence(db.Model):
    """One occurrence that started a dossier: unique per procedure and moment, so two schedulers never start
    two instances for the same occurrence."""

    __tablename__ = "timer_start_occurrences"
    __table_args__ = (UniqueConstraint("procedure_id", "occurrence_at", name="uq_timer_start_occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime())
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    dossier: Mapped["Dossier"] = relationship()  # noqa: F821
    #: UTC time the scheduler started it (later than ``occurrence_at`` after downtime).
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
