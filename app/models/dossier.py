"""Dossiers (an applicant's filed hồ sơ), their statuses and their audit trail."""
import enum
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, exists, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from app.extensions import db

from .types import UTCDateTime

from .agency import Agency
from .people import Applicant, Officer
from .procedure import Procedure, ProcessVersion


class DossierStatus(enum.Enum):
    """Dossier status, one-to-one with the national portal's status codes 1–10 (legal.md §1.8)."""

    submitted = 1
    received = 2
    not_received = 3
    in_progress = 4
    awaiting_supplement = 5
    awaiting_payment = 6
    withdrawal_requested = 7
    stopped = 8
    handled = 9
    result_returned = 10

    @property
    def national_code(self) -> int:
        return self.value

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in (DossierStatus.not_received, DossierStatus.stopped, DossierStatus.result_returned)


STATUS_LABELS = {
    DossierStatus.submitted: "Mới đăng ký", DossierStatus.received: "Được tiếp nhận",
    DossierStatus.not_received: "Không được tiếp nhận", DossierStatus.in_progress: "Đang xử lý",
    DossierStatus.awaiting_supplement: "Yêu cầu bổ sung giấy tờ",
    DossierStatus.awaiting_payment: "Yêu cầu thực hiện nghĩa vụ tài chính",
    DossierStatus.withdrawal_requested: "Công dân yêu cầu rút hồ sơ", DossierStatus.stopped: "Dừng xử lý",
    DossierStatus.handled: "Đã xử lý xong", DossierStatus.result_returned: "Đã trả kết quả",
}


#: National channel codes (DVCQG; legal.md §1.1 and R16) → Vietnamese label.
CHANNELS = {1: "Trực tiếp tại Bộ phận Một cửa", 2: "Trực tuyến", 3: "Qua dịch vụ bưu chính công ích"}
CHANNEL_DIRECT, CHANNEL_ONLINE, CHANNEL_POSTAL = 1, 2, 3
#: How the dossier came to the counter (ND 118/2025 Art. 15.2) → Vietnamese label.
SUBMITTER_KINDS = {"self": "Chủ hồ sơ tự nộp", "authorised": "Người được ủy quyền",
                   "hired_service": "Tổ chức, cá nhân được thuê dịch vụ"}


class Dossier(db.Model):
    """A filed dossier travelling through its procedure's BPMN, bound to the process version it started on."""

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Dossier code ``<handling agency identifier>-YYMMDD-NNNN`` (ND 118/2025 Art. 28); never changes.
    code: Mapped[str] = mapped_column(String(60), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    procedure: Mapped[Procedure] = relationship()
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_version: Mapped[ProcessVersion] = relationship(lazy="joined")
    #: The citizen account that filed online; ``None`` for a dossier received at the counter or by post, and
    #: for a system-started dossier (a timer start event started it: app.services.timer_starts).
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"))
    applicant: Mapped[Applicant | None] = relationship()
    handling_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    handling_agency: Mapped[Agency] = relationship(foreign_keys=[handling_agency_id], lazy="joined")
    #: One-time key of the filing form, so a double tap or a replayed POST files one dossier, not two.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: National (DVCQG) channel code, :data:`CHANNELS`: 1 direct at the counter, 2 online, 3 postal (ND 118/2025
    #: Art. 15; legal.md R16).
    channel: Mapped[int] = mapped_column(default=2)
    #: Who brought the dossier for its owner, :data:`SUBMITTER_KINDS`: ``self``, ``authorised`` (ủy quyền) or
    #: ``hired_service`` (thuê dịch vụ) (ND 118/2025 Art. 15.2; R16, R24).
    submitter_kind: Mapped[str] = mapped_column(String(20), default="self")
    #: The dossier owner (chủ hồ sơ): ``person`` or ``organisation``, with identifier and contacts (R24; TT 03/2025
    #: Mẫu 01). Filled from the citizen's identity online and typed at the counter.
    owner_kind: Mapped[str] = mapped_column(String(20), default="person")
    owner_name: Mapped[str | None] = mapped_column(String(200))
    #: 12-digit personal ID number, or the organisation's enterprise/tax code.
    owner_id_number: Mapped[str | None] = mapped_column(String(20), index=True)
    owner_address: Mapped[str | None] = mapped_column(String(300))
    owner_phone: Mapped[str | None] = mapped_column(String(20))
    owner_email: Mapped[str | None] = mapped_column(String(120))
    #: The person who brought it when not the owner (representative or hired service) and the authorisation.
    submitter_name: Mapped[str | None] = mapped_column(String(200))
    submitter_id_number: Mapped[str | None] = mapped_column(String(20))
    submitter_phone: Mapped[str | None] = mapped_column(String(20))
    submitter_address: Mapped[str | None] = mapped_column(String(300))
    #: The authorisation paper (number, date, issuer) for an authorised or hired submitter.
    authorisation_note: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[DossierStatus] = mapped_column(Enum(DossierStatus, native_enum=False, length=30))
    #: What the applicant filed (the start form's values), JSON object.
    application: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Instance-only SpiffWorkflow JSON (the spec lives on the process version).
    workflow_state: Mapped[str] = mapped_column(Text)
    #: UTC time the applicant submitted.
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: UTC time the one-stop accepted the complete dossier; the legal clock starts here.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: UTC time the result is due now: computed at reception, moved by clock pauses, a restart or the apology.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: UTC due time first given at reception (printed on the receipt); never moved.
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: UTC time the dossier reached a final status.
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Optimistic lock: two officers completing the same task → one wins, the other gets "already handled".
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    events: Mapped[list["DossierEvent"]] = relationship(back_populates="dossier", order_by="DossierEvent.id",
                                                         cascade="all, delete-orphan")
    # Every save rewrites these two, so they are loaded with the dossier (one extra SELECT each, not per row).
    work_items: Mapped[list["WorkItem"]] = relationship(back_populates="dossier", cascade="all, delete-orphan",  # noqa: F821
                                                        lazy="selectin")
    pending_timers: Mapped[list["PendingTimerRow"]] = relationship(back_populates="dossier",  # noqa: F821
                                                                   cascade="all, delete-orphan", lazy="selectin")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="dossier",  # noqa: F821
                                                           order_by="Attachment.id", cascade="all, delete-orphan")
    #: Slips issued for the dossier (Mẫu 01–04), oldest first (:mod:`app.documents.slips`).
    slips: Mapped[list["Slip"]] = relationship(back_populates="dossier", order_by="Slip.id",  # noqa: F821
                                               cascade="all, delete-orphan")

    @property
    def owner_display_name(self) -> str:
        """The owner's name, or the filing citizen's for a dossier filed before owners were recorded."""
        return self.owner_name or (self.applicant.full_name if self.applicant else "")

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, str(self.channel))

    def record_event(self, kind: str, *, at: datetime, actor: Officer | Applicant | None = None,
                     data: dict[str, Any] | None = None) -> "DossierEvent":
        """Append one audit-trail entry (the history officers and applicants see).

        Setting the event's ``dossier`` and adding it to the session does not load the whole history.
        """
        event = DossierEvent(dossier=self, kind=kind, at=at, actor_label=_actor_label(actor), data=data or {})
        session = object_session(self)
        if session is not None:
            session.add(event)
        return event

    @property
    def system_started(self) -> bool:
        """True when the scheduler started it at a timer start event (no applicant filed it)."""
        return self.applicant_id is None and not self.owner_name and self.process_version.system_started

    @property
    def applicant_label(self) -> str:
        """What pages show as the applicant: the name, or that the system started the dossier on its schedule."""
        if self.system_started:
            return "Hệ thống (khởi tạo theo lịch)"
        return self.owner_display_name

    def has_event(self, kind: str) -> bool:
        """Whether the history holds an event of ``kind`` (one query; the history is not loaded)."""
        session = object_session(self)
        if session is None or self.id is None:
            return any(e.kind == kind for e in self.events)
        return session.scalar(select(exists().where(DossierEvent.dossier_id == self.id, DossierEvent.kind == kind)))


def _actor_label(actor) -> str | None:
    if isinstance(actor, Officer):
        return f"{actor.full_name} ({actor.agency.name})"
    return actor.full_name if isinstance(actor, Applicant) else None


class DossierEvent(db.Model):
    """One entry of a dossier's history, written in the same transaction as the state it describes."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier: Mapped[Dossier] = relationship(back_populates="events")
    #: e.g. ``submitted``, ``task_completed``, ``received``, ``supplement_requested``, ``timer_fired``.
    kind: Mapped[str] = mapped_column(String(40))
    #: UTC time of the event.
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_label: Mapped[str | None] = mapped_column(String(250))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    def summary(self) -> str:
        return json.dumps(self.data, ensure_ascii=False)
