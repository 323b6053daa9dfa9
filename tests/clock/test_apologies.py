"""Late dossiers: one apology with one new appointment (ND 118/2025 Art. 19.6), original kept, published without
personal data (seed Art. 4.8)."""
from datetime import date

import pytest
from sqlalchemy import select

from app.documents.slips import render_slip
from app.extensions import db
from app.models import Agency, Applicant, Procedure
from app.services import dossiers, timers
from app.services.apologies import apology_of, on_time_due_at, record_apology
from app.services.clock import ClockRuleError
from tests.conftest import APPLICATION

from .conftest import complete, local, officer, pdf_text


def _received_household_dossier():
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
    applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))
    agency = db.session.scalar(select(Agency).where(Agency.code == "H54.10.01"))
    values = {**APPLICATION, "capital_vnd": 150000000, "employee_count": 3, "commitment": True}
    dossier = dossiers.submit_dossier(procedure, applicant=applicant, handling_agency=agency, application=values,
                                      now=local(2026, 6, 1, 8))
    complete(dossier, "check_dossier", officer("motcua.tohieu"), {"reception_outcome": "receive"},
             local(2026, 6, 1, 9))
    assert dossier.due_at == local(2026, 6, 4, 17)  # Mon 1/6 + 3 working days
    return dossier


def _overdue(dossier):
    timers.fire_due_timers(dossier.id, now=local(2026, 6, 4, 17))
    timers.fire_due_timers(dossier.id, now=local(2026, 6, 4, 17))
    assert "write_apology" in [w.bpmn_id for w in dossier.work_items]


def test_the_leaders_apology_gives_one_new_appointment_and_keeps_the_original(ctx):
    dossier = _received_household_dossier()
    _overdue(dossier)
    complete(dossier, "write_apology", officer("lanhdao.tohieu"),
             {"apology_reason": "Phải xác minh thêm địa điểm kinh doanh.", "new_appointment_on": "2026-06-09"},
             local(2026, 6, 4, 17, 30))
    apology = apology_of(dossier)
    assert dossier.due_at == apology.new_due_at == local(2026, 6, 9, 17)
    assert apology.previous_due_at == local(2026, 6, 4, 17) == on_time_due_at(dossier) == dossier.original_due_at
    assert apology.issued_late  # the diagram reaches write_apology only at the due time: later than 1 day before
    changed = [e for e in dossier.events if e.kind == "appointment_changed"]
    assert changed[0].data["due_at"] == local(2026, 6, 9, 17).isoformat()
    assert [w.bpmn_id for w in dossier.work_items] == ["appraise_dossier"]
    with pytest.raises(ClockRuleError, match="một lần"):
        record_apology(dossier, officer=officer("lanhdao.tohieu"), reason="Lần hai", new_appointment_on="2026-06-12",
                       now=local(2026, 6, 8, 9))
    assert dossier.due_at == local(2026, 6, 9, 17)


@pytest.mark.parametrize("new_on,message", [
    ("2026-06-06", "không phải ngày làm việc"),   # Saturday
    ("2026-06-04", "phải sau ngày hẹn hiện tại"),  # the current appointment day itself
    ("2026-06-03", "phải sau ngày hẹn hiện tại"),
])
def test_a_new_appointment_breaking_the_rules_is_refused_and_nothing_changes(ctx, new_on, message):
    dossier = _received_household_dossier()
    _overdue(dossier)
    db.session.commit()
    with pytest.raises(dossiers.RuleViolationError, match=message):
        complete(dossier, "write_apology", officer("lanhdao.tohieu"),
                 {"apology_reason": "Chậm xác minh.", "new_appointment_on": new_on}, local(2026, 6, 4, 17, 30))
    db.session.rollback()
    assert apology_of(dossier) is None and dossier.due_at == local(2026, 6, 4, 17)
    assert "write_apology" in [w.bpmn_id for w in dossier.work_items]


def test_an_empty_reason_is_refused(ctx):
    dossier = _received_household_dossier()
    with pytest.raises(ClockRuleError, match="lý do"):
        record_apology(dossier, officer=officer("lanhdao.tohieu"), reason="  ", new_appointment_on=date(2026, 6, 9),
                       now=local(2026, 6, 2, 9))


@pytest.mark.parametrize("issued_at,late", [
    (local(2026, 6, 2, 10), False),   # two days before the appointment
    (local(2026, 6, 3, 16), False),   # the day before: the last day allowed
    (local(2026, 6, 4, 9), True),     # the appointment day itself: flagged non-compliant (R49)
])
def test_an_apology_later_than_one_day_before_the_appointment_is_flagged(ctx, issued_at, late):
    dossier = _received_household_dossier()
    apology = record_apology(dossier, officer=officer("lanhdao.tohieu"), reason="Chờ ý kiến cơ quan thuế.",
                             new_appointment_on=date(2026, 6, 10), now=issued_at)
    assert apology.issued_late is late


def test_the_public_list_of_apologies_shows_no_personal_data(app):
    with app.app_context():
        dossier = _received_household_dossier()
        _overdue(dossier)
        complete(dossier, "write_apology", officer("lanhdao.tohieu"),
                 {"apology_reason": "Phải xác minh thêm địa điểm kinh doanh.", "new_appointment_on": "2026-06-09"},
                 local(2026, 6, 4, 17, 30))
        code, agency = dossier.code, dossier.handling_agency.name
        db.session.commit()
        db.session.remove()
    page = app.test_client().get("/apologies")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for shown in (code, agency, "Đăng ký thành lập hộ kinh doanh", "Phải xác minh thêm địa điểm kinh doanh.",
                  "17:00 04/06/2026", "17:00 09/06/2026"):
        assert shown in html
    for personal in ("Nguyễn Văn An", "014090001234", "0912345678", "an.nguyen@example.vn", "Tổ 3",
                     "Hộ kinh doanh Cà phê Tô Hiệu"):
        assert personal not in html


def test_no_apology_before_the_dossier_has_an_appointment(ctx):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
    dossier = dossiers.submit_dossier(
        procedure, applicant=db.session.scalar(select(Applicant)), now=local(2026, 6, 1, 8),
        handling_agency=db.session.scalar(select(Agency).where(Agency.code == "H54.10.01")),
        application={**APPLICATION, "capital_vnd": 150000000, "employee_count": 3, "commitment": True})
    with pytest.raises(ClockRuleError, match="đã được tiếp nhận"):
        record_apology(dossier, officer=officer("lanhdao.tohieu"), reason="Chậm", new_appointment_on=date(2026, 6, 9),
                       now=local(2026, 6, 1, 9))


def test_the_apology_slip_prints_the_recorded_apology(ctx):
    """Mẫu 04 is issued from the Apology row: reason, the appointment it replaced, the new one, the signer."""
    dossier = _received_household_dossier()
    _overdue(dossier)
    leader = officer("lanhdao.tohieu")
    complete(dossier, "write_apology", leader,
             {"apology_reason": "Phải xác minh thêm địa điểm kinh doanh.", "new_appointment_on": "2026-06-09"},
             local(2026, 6, 4, 17, 30))
    (slip,) = [s for s in dossier.slips if s.kind == "apology"]
    with ctx.test_request_context():
        text = pdf_text(render_slip(slip))
    for required in ["Lý do: Phải xác minh thêm địa điểm kinh doanh.",
                     "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 04 tháng 06 năm 2026",
                     "vào: 17 giờ 00 phút, ngày 09 tháng 06 năm 2026", leader.full_name, "Mẫu 04"]:
        assert required in text, required
