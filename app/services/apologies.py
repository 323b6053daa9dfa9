"""Late dossiers: the letter of apology with one new appointment, and its public list.

Rules (ND 118/2025/NĐ-CP Art. 19.6 and 12.5, formerly ND 61/2018 Art. 19.9; TT 03/2025/TT-VPCP Mẫu 04;
legal.md §1.4 item 9, R49–R51; seed QĐ 19/2024/QĐ-UBND Art. 4.8):

* the agency sends the apology, with the reason and the new return date, **at the latest 1 day before** the
  appointment; a later letter is still recorded (the dossier must get its new date) but flagged
  ``issued_late`` (R49 "blocked or flagged non-compliant");
* the return date is re-set **only once**: a second apology is refused;
* the new appointment is a working day after the current appointment (an extension, never earlier) and not in
  the past; it is due at the closing time of the handling agency's office hours that day (R116);
* the replaced appointment is kept (``Apology.previous_due_at``) for the on-time statistics (legal.md §9.4
  item 7, R51, R107): a dossier with an apology still counts against its earlier appointment;
* apologies are published (seed Art. 4.8) without personal data: :func:`public_apologies`.

A user task whose form has the fields ``apology_reason`` and ``new_appointment_on`` (``YYYY-MM-DD``) records
the apology when completed (the household procedure's ``write_apology``).
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import object_session

from app.extensions import db
from app.models import Apology, Dossier, Officer
from app.models.working_calendar import load_working_calendar

from .clock import ClockRuleError
from .working_time import local_tz, office_hours

REASON_FIELD, NEW_APPOINTMENT_FIELD = "apology_reason", "new_appointment_on"


@dataclass(frozen=True)
class PublicApology:
    """One line of the public list: no applicant's name, identifier or address."""

    dossier_code: str
    procedure_name: str
    agency_name: str
    reason: str
    previous_due_at: datetime
    new_due_at: datetime
    issued_at: datetime
    issued_late: bool


def is_apology(values: dict) -> bool:
    """Whether completed form ``values`` are an apology letter (both fields present)."""
    return REASON_FIELD in values and NEW_APPOINTMENT_FIELD in values


def apology_of(dossier: Dossier) -> Apology | None:
    """The dossier's apology, if one was issued."""
    if dossier.id is None:
        return None
    return object_session(dossier).scalar(select(Apology).where(Apology.dossier_id == dossier.id))


def record_apology(dossier: Dossier, *, officer: Officer, reason: str, new_appointment_on: date | str,
                   now: datetime) -> Apology:
    """Record the apology and move the appointment to the end of ``new_appointment_on`` (local date).

    :raises ClockRuleError: a second apology, a dossier not received (no appointment yet), an empty reason, a
        new appointment that is not a working day, not after the current appointment, or in the past.
    """
    if isinstance(new_appointment_on, str):
        new_appointment_on = date.fromisoformat(new_appointment_on[:10])
    if apology_of(dossier) is not None:
        raise ClockRuleError("Hồ sơ này đã có văn bản xin lỗi và hẹn lại ngày trả kết quả; ngày hẹn chỉ được "
                             "điều chỉnh một lần (Nghị định 118/2025/NĐ-CP, Điều 19 khoản 6).")
    if dossier.due_at is None:
        raise ClockRuleError("Chỉ lập văn bản xin lỗi cho hồ sơ đã được tiếp nhận (đã có ngày hẹn trả kết quả).")
    if not (reason or "").strip():
        raise ClockRuleError("Văn bản xin lỗi phải nêu rõ lý do chậm trả kết quả.")
    calendar, hours, tz = load_working_calendar(), office_hours(dossier.handling_agency_id), local_tz()
    current_on = dossier.due_at.astimezone(tz).date()
    if not calendar.is_working_day(new_appointment_on):
        raise ClockRuleError(f"Ngày hẹn trả kết quả mới {new_appointment_on:%d/%m/%Y} không phải ngày làm việc.")
    if new_appointment_on <= current_on or new_appointment_on < now.astimezone(tz).date():
        raise ClockRuleError(f"Ngày hẹn trả kết quả mới phải sau ngày hẹn hiện tại ({current_on:%d/%m/%Y}) "
                             "và không ở trong quá khứ.")
    new_due_at = datetime.combine(new_appointment_on, hours.closes_at, tzinfo=tz).astimezone(UTC)
    issued_late = now.astimezone(tz).date() > current_on - timedelta(days=1)
    apology = Apology(dossier=dossier, agency=dossier.handling_agency, reason=reason.strip(),
                      previous_due_at=dossier.due_at, new_due_at=new_due_at, issued_at=now,
                      issued_late=issued_late, signed_by=officer.full_name if officer else None)
    object_session(dossier).add(apology)
    dossier.due_at = new_due_at
    dossier.record_event("appointment_changed", at=now, actor=officer, data={
        "reason": apology.reason, "previous_due_at": apology.previous_due_at.isoformat(),
        "due_at": new_due_at.isoformat(), "issued_late": issued_late})
    return apology


def on_time_due_at(dossier: Dossier) -> datetime | None:
    """The appointment the on-time statistics judge the dossier by: the one before any apology (R51, R107)."""
    apology = apology_of(dossier)
    return apology.previous_due_at if apology is not None else dossier.due_at


def public_apologies(limit: int = 200) -> list[PublicApology]:
    """Published apologies, newest first, without personal data (seed Art. 4.8)."""
    rows = db.session.scalars(select(Apology).order_by(Apology.issued_at.desc(), Apology.id.desc()).limit(limit))
    return [PublicApology(dossier_code=a.dossier.code, procedure_name=a.dossier.procedure.name,
                          agency_name=a.agency.name, reason=a.reason, previous_due_at=a.previous_due_at,
                          new_due_at=a.new_due_at, issued_at=a.issued_at, issued_late=a.issued_late)
            for a in rows]


__all__ = ["PublicApology", "apology_of", "is_apology", "on_time_due_at", "public_apologies", "record_apology"]
