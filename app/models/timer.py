"""Pending timers: the truth about what must fire and when; APScheduler only executes it."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime


class PendingTimerRow(db.Model):
    """A BPMN timer a dossier waits for; rewritten with the dossier on every save."""

    __tablename__ = "pending_timers"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier: Mapped["Dossier"] = relationship(back_populates="pending_timers")  # noqa: F821
    #: SpiffWorkflow task UUID of the waiting timer event.
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    bpmn_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300), default="")
    #: UTC time the timer falls due.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
