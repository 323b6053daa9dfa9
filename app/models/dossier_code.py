"""Daily per-agency sequence behind dossier codes (R9–R10)."""
from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class DossierCodeSequence(db.Model):
    """Last number issued for one agency identifier on one local date (Asia/Ho_Chi_Minh)."""

    __tablename__ = "dossier_code_sequences"

    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: Local reception date the sequence belongs to; a new date starts again at 1.
    on: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
