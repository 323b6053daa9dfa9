"""The legal clock of a dossier: pause intervals, the one apology with its new appointment, the step log."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .agency import Agency
from .types import UTCDateTime


class ClockPause(db.Model):
    """One interval during which the legal clock of a dossier stood still (legal.md §9.4 item 5, R121).

    Opened when a user task with property ``clock_pause`` becomes ready, closed when it is no longer ready.
    """

    __tablename__ = "clock_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier: Mapped["Dossier"] = relationship()  # noqa: F821
    #: ``supplement`` (waiting for the applicant's supplement) or ``financial_obligation`` (fee, tax).
    reason: Mapped[str] = mapped_column(String(30))
    #: SpiffWorkflow task UUID and BPMN id of the waiting task.
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(120))
    #: UTC time the wait began / ended (``None`` while still paused).
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Working seconds (office hours of working days) the interval covered; set when it ends.
    paused_working_seconds: Mapped[int | None] = mapped_column()


class Apology(db.Model):
    """A letter of apology with ONE new appointment (ND 118/2025 Art. 19.6, 12.5; TT 03/2025 Mẫu 04; seed Art. 4.8).

    At most one per dossier (unique ``dossier_id``). ``previous_due_at`` is the appointment it replaced, kept for
    on-time statistics (legal.md §9.4 item 7, R51, R107).
    """

    __tablename__ = "apologies"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    dossier: Mapped["Dossier"] = relationship()  # noqa: F821
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency: Mapped[Agency] = relationship()
    reason: Mapped[str] = mapped_column(Text)
    #: UTC appointment before the apology, and the new one (end of office hours of the new appointment day).
    previous_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    new_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: UTC time the letter was issued.
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: Issued later than 1 day before the appointment it replaced (R49: flagged non-compliant).
    issued_late: Mapped[bool] = mapped_column(default=False)
    signed_by: Mapped[str | None] = mapped_column(String(250))


class StepLogEntry(db.Model):
    """One hand-over: a work item completed, for the process-control sheet (TT 03/2025 Mẫu 05; legal.md §9.4 item 6)."""

    __tablename__ = "step_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier: Mapped["Dossier"] = relationship()  # noqa: F821
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(120))
    task_name: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agency: Mapped[Agency] = relationship()
    #: Who completed it (name and agency, as the history shows).
    officer_label: Mapped[str | None] = mapped_column(String(250))
    #: UTC: when the item became ready, when it was due (``None``: no time limit yet), when it was completed.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
