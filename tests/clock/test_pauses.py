"""The legal clock stands still while the applicant pays or supplements; a post-appraisal supplement restarts it."""
from datetime import datetime

import pytest

from app.extensions import db
from app.models import DossierStatus
from app.services import dossiers, timers
from app.services.clock import pauses_of
from app.services.dossier_state import restore_workflow
from tests.conftest import make_app, sign_in_citizen, sign_in_officer

from .conftest import DATA, citizen, complete, local, officer, received_clock_dossier


def _overdue_timer(dossier):
    return next(t for t in dossier.pending_timers if t.bpmn_id == "timer_overdue")


def test_fee_pause_moves_the_due_time_and_the_due_timer(clock_ctx):
    dossier = received_clock_dossier(local(2026, 6, 1, 9))  # Mon: due Thu 4/6 17:00
    assert dossier.due_at == local(2026, 6, 4, 17) == _overdue_timer(dossier).due_at
    complete(dossier, "appraise_dossier", officer("chuyenvien.tohieu"), {"appraisal_outcome": "fee"},
             local(2026, 6, 1, 10))
    assert dossier.status is DossierStatus.awaiting_payment
    (pause,) = pauses_of(dossier)
    assert (pause.reason, pause.started_at, pause.ended_at) == ("financial_obligation", local(2026, 6, 1, 10), None)
    assert _overdue_timer(dossier).due_at.year == 2999  # paused: the overdue timer waits
    assert timers.fire_due_timers(dossier.id, now=local(2026, 6, 2, 9)) == 0

    complete(dossier, "pay_fee", citizen(), {}, local(2026, 6, 3, 10))  # paid Wed 10:00
    # paused: Mon 10:00–17:00 (7 h) + Tue 7:30–17:00 (9.5 h) + Wed 7:30–10:00 (2.5 h) = 19 working hours;
    # 19 more working hours after Thu 17:00: Fri (9.5 h) and Mon 8/6 (9.5 h) → Mon 8/6 17:00
    assert pause.ended_at == local(2026, 6, 3, 10) and pause.paused_working_seconds == 19 * 3600
    assert dossier.due_at == local(2026, 6, 8, 17)
    assert dossier.original_due_at == local(2026, 6, 4, 17)
    assert _overdue_timer(dossier).due_at == local(2026, 6, 8, 17)  # the ${dossier_due_at} timer moved too
    assert timers.fire_due_timers(dossier.id, now=local(2026, 6, 5, 9)) == 0  # nothing at the old due time
    assert [e.kind for e in dossier.events if e.kind.startswith("clock_")] == ["clock_paused", "clock_resumed"]
    assert dossier.status is DossierStatus.in_progress


def test_post_appraisal_supplement_restarts_the_clock_with_a_new_appointment(clock_app):
    with clock_app.app_context():
        dossier = received_clock_dossier(local(2026, 6, 1, 9))
        complete(dossier, "appraise_dossier", officer("chuyenvien.tohieu"), {"appraisal_outcome": "supplement"},
                 local(2026, 6, 4, 16))  # Thu: still within 3 working days of reception (until Thu 17:00)
        assert dossier.status is DossierStatus.awaiting_supplement
        complete(dossier, "submit_supplement", citizen(), {}, local(2026, 6, 9, 9))  # complete dossier on Tue 9/6
        assert dossier.due_at == local(2026, 6, 12, 17)  # counted again from zero: 3 working days after Tue 9/6
        assert _overdue_timer(dossier).due_at == local(2026, 6, 12, 17)
        assert "write_apology" not in [w.bpmn_id for w in dossier.work_items]  # nothing was overdue while paused
        restarted = [e for e in dossier.events if e.kind == "clock_restarted"]
        assert restarted and restarted[0].data["due_at"] == local(2026, 6, 12, 17).isoformat()
        assert [w.bpmn_id for w in dossier.work_items] == ["appraise_dossier"]
        code = dossier.code
        db.session.commit()
        db.session.remove()

    citizen_client = clock_app.test_client()
    sign_in_citizen(citizen_client, "014090001234")
    page = citizen_client.get(f"/my-dossiers/{code}").get_data(as_text=True)
    assert "tính lại thời hạn giải quyết từ đầu" in page and "17:00 12/06/2026" in page
    officer_client = clock_app.test_client()
    sign_in_officer(officer_client, "chuyenvien.tohieu")
    page = officer_client.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "tính lại thời hạn giải quyết từ đầu" in page and "17:00 12/06/2026" in page


def test_supplement_request_later_than_3_working_days_after_reception_is_refused(clock_ctx):
    dossier = received_clock_dossier(local(2026, 6, 1, 9))
    db.session.commit()
    with pytest.raises(dossiers.RuleViolationError, match="3 ngày làm việc"):
        complete(dossier, "appraise_dossier", officer("chuyenvien.tohieu"), {"appraisal_outcome": "supplement"},
                 local(2026, 6, 5, 9))  # Friday: the window closed Thu 17:00
    db.session.rollback()
    assert [w.bpmn_id for w in dossier.work_items] == ["appraise_dossier"]
    assert pauses_of(dossier) == [] and dossier.due_at == local(2026, 6, 4, 17)


def test_the_warning_can_be_set_in_working_hours_before_the_due_time():
    app = make_app(PROCESSES_DIR=str(DATA), FORMS_DIR=str(DATA), DUE_WARNING_WORKING_HOURS=4)
    with app.app_context():
        dossier = received_clock_dossier(local(2026, 6, 1, 9))  # due Thu 4/6 17:00
        assert datetime.fromisoformat(restore_workflow(dossier).data()["warning_at"]) == local(2026, 6, 4, 13)
        complete(dossier, "appraise_dossier", officer("chuyenvien.tohieu"), {"appraisal_outcome": "fee"},
                 local(2026, 6, 1, 10))
        complete(dossier, "pay_fee", citizen(), {}, local(2026, 6, 1, 12))  # 2 working hours paused
        assert dossier.due_at == local(2026, 6, 5, 9, 30)
        # 4 working hours before Fri 9:30: Fri 7:30–9:30 (2 h) and Thu 15:00–17:00 (2 h)
        assert datetime.fromisoformat(restore_workflow(dossier).data()["warning_at"]) == local(2026, 6, 4, 15)
        timer = next(t for t in dossier.pending_timers if t.bpmn_id == "timer_overdue")
        assert timer.due_at == local(2026, 6, 5, 9, 30)
