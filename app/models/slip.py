"""Slips printed at the one-stop counter (TT 03/2025/TT-VPCP Phụ lục I) and the versioned templates they use."""
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime


class SlipTemplate(db.Model):
    """One version of a slip's HTML template (Jinja2), in force from ``effective_on`` (R36).

    Rows are loaded from ``app/templates/documents/`` (``manifest.json``) and never edited: a changed form is a
    new version with its own effective date, and every issued slip records the version that printed it.
    """

    __tablename__ = "slip_templates"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``receipt`` | ``supplement_request`` | ``refusal`` | ``apology`` | ``control_sheet``.
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    #: Form number in its circular, e.g. "Mẫu 01".
    form_number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    #: Legal source of the form, e.g. "Thông tư số 03/2025/TT-VPCP, Phụ lục I".
    legal_basis: Mapped[str] = mapped_column(String(200))
    #: Local date from which this version prints new slips.
    effective_on: Mapped[date] = mapped_column(Date)
    #: Jinja2 HTML rendered by WeasyPrint (A5).
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))


class Slip(db.Model):
    """A slip issued for a dossier: what it printed is frozen in ``data`` at issue time (R2, R31)."""

    __tablename__ = "slips"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier: Mapped["Dossier"] = relationship(back_populates="slips")  # noqa: F821
    kind: Mapped[str] = mapped_column(String(40))
    template_id: Mapped[int] = mapped_column(ForeignKey("slip_templates.id"))
    template: Mapped[SlipTemplate] = relationship(lazy="joined")
    #: Printed number, e.g. "0003/PBS", counted per issuing agency, kind and year.
    number: Mapped[str] = mapped_column(String(40))
    #: UTC time of issue.
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by_label: Mapped[str | None] = mapped_column(String(250))
    #: Every value the slip prints (JSON-ready), taken from the catalogue and the dossier at issue time.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    @property
    def title(self) -> str:
        return self.template.title
