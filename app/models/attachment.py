"""Scanned dossier components kept outside task data: one row per stored file (content on disk, by sha256)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime

#: Outcomes of the malware-scan hook (:mod:`app.services.attachments`).
SCAN_CLEAN, SCAN_NOT_SCANNED = "clean", "not_scanned"


class Attachment(db.Model):
    """A file attached to a dossier (a scanned component at the counter, ND 118/2025 Art. 17.1(c)).

    The bytes live under ``ATTACHMENTS_DIR`` named by their sha256; the workflow's task data never holds them.
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier: Mapped["Dossier"] = relationship(back_populates="attachments")  # noqa: F821
    #: Which dossier component the file is (e.g. "Giấy đề nghị đăng ký hộ kinh doanh").
    component: Mapped[str] = mapped_column(String(300))
    #: The name the file had on the officer's computer (shown, never used as a path).
    original_name: Mapped[str] = mapped_column(String(255))
    #: MIME type sniffed from the content: application/pdf, image/jpeg or image/png.
    content_type: Mapped[str] = mapped_column(String(60))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: ``clean`` (ClamAV found nothing) or ``not_scanned`` (no scanner installed).
    scan_status: Mapped[str] = mapped_column(String(20))
    #: What the scanner said (its name and version line), for the audit.
    scan_detail: Mapped[str] = mapped_column(String(300), default="")
    #: UTC time of the upload.
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    uploaded_by_label: Mapped[str | None] = mapped_column(String(250))
