"""Working calendar administration at /admin/calendar (R113–R116): the days off and make-up working days of
each year with their legal basis, the ``holidays`` package's proposals for a new year, agencies' office hours.

Only system administrators reach these pages (the blueprint's ``require_administrator``). Appointments already
given to applicants never move when the calendar changes (R120): the page says so.
"""
from datetime import UTC, date, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from app.extensions import db
from app.models import Agency, WorkingCalendarEntry
from app.models.working_calendar import CalendarEntryData
from app.services import calendar_edits
from app.services.calendar_edits import KIND_LABELS, CalendarEditError
from app.services.deadlines import DayKind, OfficeHours
from app.services.working_time import default_office_hours

from . import bp

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_SATURDAY = 5


class CalendarEntryForm(FlaskForm):
    """One dated exception to the Monday–Friday week, with its legal basis."""

    on = DateField("Ngày", validators=[DataRequired("Hãy chọn ngày.")])
    kind = SelectField("Loại ngày", choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()])
    name = StringField("Tên (hiển thị cho cán bộ)", validators=[DataRequired("Hãy nhập tên ngày."), Length(max=200)])
    legal_basis = StringField("Căn cứ pháp lý (số hiệu, ngày văn bản)",
                              validators=[DataRequired("Hãy nhập căn cứ pháp lý, ví dụ Thông báo 6150/TB-BNV."),
                                          Length(max=500)])
    pending_confirmation = BooleanField("Chờ xác nhận (chưa áp dụng khi tính hạn)")

    def validate_kind(self, field):
        """A make-up working day turns a weekend day into a working day; on a weekday it means nothing."""
        if field.data == DayKind.makeup_working_day.value and self.on.data and self.on.data.weekday() < _SATURDAY:
            raise ValidationError("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật.")


class OfficeHoursForm(FlaskForm):
    """An agency's own one-stop office hours (R116); unticked: the agency uses the default hours."""

    own_hours = BooleanField("Cơ quan có giờ làm việc riêng")
    opens_at = TimeField("Giờ mở cửa", validators=[DataRequired("Hãy nhập giờ mở cửa.")])
    closes_at = TimeField("Giờ đóng cửa (cũng là giờ hết hạn trong ngày)",
                          validators=[DataRequired("Hãy nhập giờ đóng cửa.")])
    same_day_cutoff = TimeField("Giờ chốt nhận hồ sơ trả trong ngày",
                                validators=[DataRequired("Hãy nhập giờ chốt (thường là 15:00).")])

    def validate_same_day_cutoff(self, field):
        """Opening ≤ cut-off ≤ closing, opening before closing (``OfficeHours``)."""
        if self.opens_at.data and self.closes_at.data and field.data:
            try:
                OfficeHours(self.opens_at.data, self.closes_at.data, field.data)
            except ValueError:
                raise ValidationError("Giờ mở cửa phải trước giờ đóng cửa, giờ chốt nằm giữa hai giờ đó.") from None


def _now() -> datetime:
    return datetime.now(UTC)


def _editor() -> str:
    return current_user.username


@bp.get("/calendar")
def calendar():
    """The year's calendar entries, the package's proposals for dates not entered, and the recent changes."""
    year = request.args.get("year", type=int) or datetime.now(UTC).year
    if not 2000 <= year <= 2100:
        year = datetime.now(UTC).year
    return render_template("admin/calendar.html", view=calendar_edits.year_calendar(year), kinds=KIND_LABELS,
                           weekdays=WEEKDAYS, day_kind=DayKind, delete_form=FlaskForm())


def _entry_data(form: CalendarEntryForm) -> CalendarEntryData:
    return CalendarEntryData(on=form.on.data, kind=DayKind(form.kind.data), name=form.name.data,
                             legal_basis=form.legal_basis.data,
                             pending_confirmation=bool(form.pending_confirmation.data))


def _save(form: CalendarEntryForm, entry: WorkingCalendarEntry | None):
    try:
        saved = calendar_edits.save_entry(_entry_data(form), by=_editor(), now=_now(), entry=entry)
    except CalendarEditError as exc:
        db.session.rollback()
        form.on.errors = [*form.on.errors, str(exc)]
        return None
    db.session.commit()
    flash(f"Đã lưu ngày {saved.on:%d/%m/%Y} ({saved.name}). Hạn trả kết quả đã hẹn với người nộp hồ sơ "
          "không thay đổi.", "success")
    return redirect(url_for("admin.calendar", year=saved.on.year), 303)


@bp.route("/calendar/new", methods=["GET", "POST"])
def new_calendar_entry():
    """Add an entry; a proposal's link fills the form (``on``, ``kind``, ``name``) for the administrator to check."""
    form = CalendarEntryForm()
    if request.method == "GET":
        form.on.data = _date_arg("on")
        form.kind.data = request.args.get("kind", DayKind.public_holiday.value)
        form.name.data = request.args.get("name", "")
    elif form.validate_on_submit() and (response := _save(form, None)) is not None:
        return response
    return render_template("admin/calendar_entry.html", form=form, entry=None), 422 if request.method == "POST" else 200


@bp.route("/calendar/<int:entry_id>/edit", methods=["GET", "POST"])
def edit_calendar_entry(entry_id: int):
    """Edit an entry (e.g. confirm a pending day by unticking "Chờ xác nhận")."""
    entry = db.get_or_404(WorkingCalendarEntry, entry_id, description="Không tìm thấy ngày trong lịch.")
    form = CalendarEntryForm(obj=entry)
    if request.method == "POST" and form.validate_on_submit() and (response := _save(form, entry)) is not None:
        return response
    return render_template("admin/calendar_entry.html", form=form, entry=entry), 422 if request.method == "POST" else 200


@bp.post("/calendar/<int:entry_id>/delete")
def delete_calendar_entry(entry_id: int):
    """Delete an entry: the date becomes an ordinary day of the week again."""
    entry = db.get_or_404(WorkingCalendarEntry, entry_id, description="Không tìm thấy ngày trong lịch.")
    year, label = entry.on.year, f"{entry.on:%d/%m/%Y} ({entry.name})"
    calendar_edits.delete_entry(entry, by=_editor(), now=_now())
    db.session.commit()
    flash(f"Đã xoá ngày {label} khỏi lịch.", "success")
    return redirect(url_for("admin.calendar", year=year), 303)


@bp.get("/calendar/office-hours")
def office_hours():
    """Every agency's office hours: its own, or the default ones."""
    agencies = db.session.scalars(select(Agency).order_by(Agency.code)).all()
    return render_template("admin/calendar_hours.html", agencies=agencies, own=calendar_edits.office_hours_rows(),
                           default=default_office_hours())


@bp.route("/calendar/office-hours/<int:agency_id>", methods=["GET", "POST"])
def agency_office_hours(agency_id: int):
    """Set or clear one agency's own office hours."""
    agency = db.get_or_404(Agency, agency_id, description="Không tìm thấy cơ quan.")
    row = calendar_edits.office_hours_rows().get(agency_id)
    current = row.as_office_hours() if row else default_office_hours()
    form = OfficeHoursForm(data={"own_hours": row is not None, "opens_at": current.opens_at,
                                 "closes_at": current.closes_at, "same_day_cutoff": current.same_day_cutoff})
    if request.method == "POST" and form.validate_on_submit():
        hours = OfficeHours(form.opens_at.data, form.closes_at.data, form.same_day_cutoff.data)
        calendar_edits.set_office_hours(agency_id, hours if form.own_hours.data else None, by=_editor(), now=_now())
        db.session.commit()
        flash(f"Đã lưu giờ làm việc của {agency.name}.", "success")
        return redirect(url_for("admin.office_hours"), 303)
    return (render_template("admin/calendar_agency_hours.html", form=form, agency=agency,
                            default=default_office_hours(), has_own=row is not None),
            422 if request.method == "POST" else 200)


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
