"""Agencies: the province, its departments and its communes/wards (two-tier structure since 1 July 2025)."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Agency(db.Model):
    """An administrative agency; levels are data (``province``, ``department``, ``commune``), never code."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Electronic identifier of the agency (ND 118/2025 Art. 28.2; sample values until the official catalogue is loaded).
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: ``province`` | ``department`` | ``commune``.
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    parent: Mapped["Agency | None"] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return self.name
