"""Work items: READY user tasks as rows, so that the inbox is a plain query (spiff-arena's human_task)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .agency import Agency
from .people import Officer
from .types import UTCDateTime


class WorkItem(db.Model):
    """A READY BPMN user task of a dossier; rows are rewritten on every save of the dossier's workflow."""

    __tablename__ = "work_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier: Mapped["Dossier"] = relationship(back_populates="work_items")  # noqa: F821
    #: SpiffWorkflow task UUID.
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    #: BPMN element id, e.g. ``appraise_dossier``.
    bpmn_id: Mapped[str] = mapped_column(String(120))
    task_name: Mapped[str] = mapped_column(String(300))
    #: Comma-separated BPMN candidate groups (``one_stop``, ``specialist``, ``leader``, ``applicant``).
    candidate_groups: Mapped[str] = mapped_column(String(300), default="")
    #: Comma-separated officer usernames named by ``camunda:candidateUsers`` (evaluated).
    candidate_users: Mapped[str] = mapped_column(String(500), default="")
    #: Officer username from ``camunda:assignee`` (evaluated); only they may complete it.
    assignee: Mapped[str | None] = mapped_column(String(120))
    #: Agency whose officers may act on it (the dossier's handling agency).
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency: Mapped[Agency] = relationship()
    form_ref: Mapped[str | None] = mapped_column(String(120))
    #: UTC time the task became ready.
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: UTC due time: the task's ``camunda:dueDate`` when the diagram gives one, else the dossier's.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: UTC due time from ``camunda:dueDate``; ``None`` means "the dossier's".
    task_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    #: Officer who claimed it in the inbox (Camunda Tasklist's claim); only they may complete it until they unclaim
    #: or a leader reassigns it. Kept across workflow saves while the task stays ready.
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    claimed_by: Mapped[Officer | None] = relationship()
    #: UTC time of the claim (or of the reassignment).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def groups(self) -> set[str]:
        return {g for g in self.candidate_groups.split(",") if g}

    @property
    def users(self) -> set[str]:
        return {u for u in self.candidate_users.split(",") if u}
