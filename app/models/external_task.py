"""External service tasks waiting for the app's handlers, and the incidents raised when a handler keeps failing."""
import enum
from datetime import datetime, timedelta

from sqlalchemy import Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime

from .dossier import Dossier
from .people import Officer


class ExternalTaskRow(db.Model):
    """A BPMN service task (``camunda:type="external"``) of a dossier waiting for its topic's handler.

    Written in the same transaction as the workflow save that started the task and removed by the save that
    finds it no longer started; the scheduler (or :func:`app.services.external_tasks.run_due_external_tasks`)
    only executes what these rows say, after commit.
    """

    __tablename__ = "external_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier: Mapped[Dossier] = relationship()
    #: SpiffWorkflow task UUID of the started service task.
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    #: BPMN element id, e.g. ``notify_due_soon``.
    bpmn_id: Mapped[str] = mapped_column(String(120))
    #: ``camunda:topic``: which registered handler runs it.
    topic: Mapped[str] = mapped_column(String(120))
    #: Failed attempts since the task started or an administrator last retried it.
    attempts: Mapped[int] = mapped_column(default=0)
    #: UTC time of the next attempt; ``None`` while an open incident holds the task.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: UTC time until which one runner holds the task (Camunda's fetch-and-lock); an expired hold is taken over.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What the handler raised on its last failed attempt (exception type and message).
    last_error: Mapped[str | None] = mapped_column(Text)
    #: UTC time the workflow started the task.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def record_failure(self, error: str, *, at: datetime, retry_after_seconds: int | None) -> None:
        """Count one failed attempt; the next one is ``retry_after_seconds`` later, or none (``None``: incident)."""
        self.attempts += 1
        self.last_error = error
        self.locked_until = None
        self.next_attempt_at = None if retry_after_seconds is None else at + timedelta(seconds=retry_after_seconds)

    def schedule_retry(self, *, at: datetime) -> None:
        """Start a fresh run of attempts at ``at`` (an administrator's retry)."""
        self.attempts, self.next_attempt_at, self.locked_until = 0, at, None


class IncidentState(enum.Enum):
    """An incident is open until its task succeeds or the workflow stops waiting for it."""

    open = "open"
    resolved = "resolved"


#: How an incident ended: the task succeeded after an administrator's retry, or the workflow no longer waits for it.
RESOLUTIONS = ("retried", "obsolete")


class IncidentStateError(Exception):
    """The incident is not open (already resolved): nothing to retry or resolve."""


class Incident(db.Model):
    """A service task whose handler failed on every attempt: shown to administrators, who may retry it."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier: Mapped[Dossier] = relationship(lazy="joined")
    #: SpiffWorkflow task UUID of the failing service task (its :class:`ExternalTaskRow` goes once it succeeds).
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    #: BPMN element id of the service task, e.g. ``notify_due_soon``.
    bpmn_id: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(120))
    #: The last attempt's error (exception type and message).
    error: Mapped[str] = mapped_column(Text)
    #: Failed attempts of the run that raised (or last renewed) the incident.
    attempts: Mapped[int] = mapped_column()
    state: Mapped[IncidentState] = mapped_column(Enum(IncidentState, native_enum=False, length=10), index=True)
    #: UTC time the last attempt failed and the incident opened.
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: UTC time an administrator asked for the retry now pending, and who (cleared when it fails again).
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retried_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    retried_by: Mapped[Officer | None] = relationship(foreign_keys=[retried_by_id])
    #: UTC time the incident was resolved, by whom (the administrator who retried; none when obsolete) and how.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    resolved_by: Mapped[Officer | None] = relationship(foreign_keys=[resolved_by_id])
    #: One of :data:`RESOLUTIONS`.
    resolution: Mapped[str | None] = mapped_column(String(20))

    @property
    def retry_pending(self) -> bool:
        """An administrator asked for a retry and the task has neither succeeded nor failed every attempt since."""
        return self.state is IncidentState.open and self.retried_at is not None

    def renew(self, error: str, attempts: int, *, at: datetime) -> None:
        """The retried task failed again on every attempt: show the new error and count, offer the retry again."""
        self._ensure_open()
        self.error, self.attempts, self.opened_at = error, attempts, at
        self.retried_at, self.retried_by = None, None

    def request_retry(self, *, by: Officer, at: datetime) -> None:
        """Record an administrator's retry. :raises IncidentStateError: the incident is resolved."""
        self._ensure_open()
        self.retried_at, self.retried_by = at, by

    def resolve(self, resolution: str, *, at: datetime, by: Officer | None = None) -> None:
        """Close the incident. :raises IncidentStateError: already resolved."""
        self._ensure_open()
        if resolution not in RESOLUTIONS:
            raise ValueError(f"unknown resolution {resolution!r}")
        self.state, self.resolution, self.resolved_at, self.resolved_by = IncidentState.resolved, resolution, at, by

    def _ensure_open(self) -> None:
        if self.state is not IncidentState.open:
            raise IncidentStateError("Sự cố này đã được xử lý.")
