"""People who sign in: officers (password, per agency, with roles) and applicants (via VNeID)."""
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime

from .agency import Agency

#: Officer roles, each also a BPMN candidate group name (``camunda:candidateGroups``).
OFFICER_ROLES = ("one_stop", "specialist", "leader", "province_monitor", "process_designer", "system_admin")


class Officer(UserMixin, db.Model):
    """A civil servant with an argon2-hashed password, bound to one agency (seed Art. 19.2)."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agency: Mapped[Agency] = relationship(lazy="joined")
    #: Comma-separated roles from :data:`OFFICER_ROLES`.
    roles_text: Mapped[str] = mapped_column(String(200), default="")
    must_change_password: Mapped[bool] = mapped_column(default=True)
    #: Consecutive failed sign-ins since the last success or lockout.
    failed_logins: Mapped[int] = mapped_column(default=0)
    #: Locked by an administrator (departure, compromise: seed Art. 19.6) until unlocked.
    locked: Mapped[bool] = mapped_column(default=False)
    #: UTC end of a temporary lockout after repeated failed sign-ins.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def roles(self) -> set[str]:
        return {r.strip() for r in self.roles_text.split(",") if r.strip()}

    def get_id(self) -> str:
        return f"officer:{self.id}"

    def __str__(self) -> str:
        return self.full_name


class Applicant(UserMixin, db.Model):
    """A citizen known by the 12-digit personal identification number from VNeID."""

    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    personal_id: Mapped[str] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    #: Local date of birth.
    birth_on: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    #: UTC time of the last sign-in.
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def get_id(self) -> str:
        return f"applicant:{self.id}"

    def __str__(self) -> str:
        return self.full_name
