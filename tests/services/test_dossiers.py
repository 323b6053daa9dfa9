"""Dossier services: codes, reception, concurrent completion, agency and role checks."""
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Agency, Applicant, Dossier, DossierStatus, Officer, Procedure
from app.services import dossiers, timers
from app.services.dossier_codes import next_dossier_code
from app.services.external_tasks import run_due_external_tasks
from config import BASE_DIR
from tests.conftest import APPLICATION, make_app


def _file(now=None) -> Dossier:
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
    applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))
    agency = db.session.scalar(select(Agency).where(Agency.code == "H54.10.01"))
    values = {**APPLICATION, "capital_vnd": 150000000, "employee_count": 3, "commitment": True}
    return dossiers.submit_dossier(procedure, applicant=applicant, handling_agency=agency, application=values,
                                   now=now or datetime.now(UTC))


def _officer(username: str) -> Officer:
    return db.session.scalar(select(Officer).where(Officer.username == username))


def test_dossier_codes_count_per_agency_and_restart_each_day(ctx):
    assert next_dossier_code("H54.10.01", date(2026, 11, 30)) == "H54.10.01-261130-0001"
    assert next_dossier_code("H54.10.01", date(2026, 11, 30)) == "H54.10.01-261130-0002"
    assert next_dossier_code("H54.10.02", date(2026, 11, 30)) == "H54.10.02-261130-0001"
    assert next_dossier_code("H54.10.01", date(2026, 12, 1)) == "H54.10.01-261201-0001"


def test_code_uses_the_local_date_of_receipt(ctx):
    dossier = _file(now=datetime(2026, 11, 29, 18, 30, tzinfo=UTC))  # 01:30 on 30/11 in Sơn La
    assert dossier.code == "H54.10.01-261130-0001"


def test_concurrent_receptions_never_share_a_code(file_app):
    codes, errors = [], []

    def issue():
        with file_app.app_context():
            try:
                for _ in range(10):
                    codes.append(next_dossier_code("H54.10.01", date(2026, 11, 30)))
                    db.session.commit()
            except Exception as exc:  # collected, so that the assertion shows it
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(codes) == [f"H54.10.01-261130-{n:04d}" for n in range(1, 61)]


def test_two_officers_completing_the_same_task_at_once(file_app):
    with file_app.app_context():
        dossier = _file()
        db.session.commit()
        dossier_id, task_id = dossier.id, dossier.work_items[0].task_id
        db.session.remove()
    # Two independent sessions load the same dossier before either commits, as two requests would.
    with file_app.app_context():
        session_a = db.session.session_factory()
        session_b = db.session.session_factory()
        dossier_a, dossier_b = session_a.get(Dossier, dossier_id), session_b.get(Dossier, dossier_id)
        officer_a = session_a.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
        officer_b = session_b.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
        for loaded in (dossier_a, dossier_b):  # everything a request reads, read before either commits
            assert loaded.work_items and loaded.workflow_state and loaded.process_version.spec_json
            assert loaded.handling_agency and loaded.events and loaded.pending_timers == []
        now = datetime.now(UTC)
        dossiers.complete_work_item(dossier_a, task_id, actor=officer_a, values={"reception_outcome": "receive"},
                                    now=now)
        session_a.commit()
        with pytest.raises(StaleDataError):
            dossiers.complete_work_item(dossier_b, task_id, actor=officer_b,
                                        values={"reception_outcome": "refuse", "refusal_reason": "x"}, now=now)
            session_b.commit()
        session_b.rollback()
        session_a.close()
        session_b.close()
        stored = db.session.get(Dossier, dossier_id)
        assert stored.status is DossierStatus.in_progress and stored.due_at is not None
        assert [e.kind for e in stored.events].count("task_completed") == 1
        assert [w.bpmn_id for w in stored.work_items] == ["appraise_dossier"]


def test_completing_a_task_already_handled_is_refused(ctx):
    dossier = _file()
    task_id = dossier.work_items[0].task_id
    dossiers.complete_work_item(dossier, task_id, actor=_officer("motcua.tohieu"),
                                values={"reception_outcome": "receive"}, now=datetime.now(UTC))
    with pytest.raises(dossiers.AlreadyHandledError):
        dossiers.complete_work_item(dossier, task_id, actor=_officer("motcua.tohieu"),
                                    values={"reception_outcome": "receive"}, now=datetime.now(UTC))


@pytest.mark.parametrize("username", ["motcua.chiengan", "chuyenvien.tohieu", "lanhdao.tohieu"],
                         ids=["other-agency", "wrong-role-specialist", "wrong-role-leader"])
def test_only_the_agencys_one_stop_can_check_a_dossier(ctx, username):
    dossier = _file()
    with pytest.raises(dossiers.NotAllowedError):
        dossiers.complete_work_item(dossier, dossier.work_items[0].task_id, actor=_officer(username),
                                    values={"reception_outcome": "receive"}, now=datetime.now(UTC))
    assert dossier.status is DossierStatus.submitted


def test_reception_sets_due_time_three_working_days_later(ctx):
    dossier = _file()
    received_at = datetime(2025, 4, 25, 3, 0, tzinfo=UTC)  # Fri 25/4/2025 10:00 in Sơn La (R119 a)
    dossiers.complete_work_item(dossier, dossier.work_items[0].task_id, actor=_officer("motcua.tohieu"),
                                values={"reception_outcome": "receive"}, now=received_at)
    assert dossier.received_at == received_at
    assert dossier.due_at == datetime(2025, 4, 29, 10, 0, tzinfo=UTC)  # end of Tue 29/4 (17:00 +07)


def test_late_dossier_warns_then_asks_the_leader_for_an_apology(ctx):
    """Both boundary timers of the real diagram: due soon → warning; due → leader's apology task."""
    dossier = _file(now=datetime(2025, 4, 25, 2, 0, tzinfo=UTC))
    received_at = datetime(2025, 4, 25, 3, 0, tzinfo=UTC)  # Fri 25/4/2025 10:00: due Tue 29/4 17:00 (+07)
    dossiers.complete_work_item(dossier, dossier.work_items[0].task_id, actor=_officer("motcua.tohieu"),
                                values={"reception_outcome": "receive"}, now=received_at)
    db.session.flush()
    warning_at = min(t.due_at for t in dossier.pending_timers)
    assert warning_at == datetime(2025, 4, 28, 10, 0, tzinfo=UTC)  # one working day earlier: Mon 28/4 17:00
    assert timers.fire_due_timers(dossier.id, now=warning_at - timedelta(seconds=1)) == 0
    assert timers.fire_due_timers(dossier.id, now=warning_at) == 1  # due at or before now fires
    assert "deadline_warning" not in [e.kind for e in dossier.events]  # the service task runs after commit
    assert run_due_external_tasks(warning_at) == 1  # what the scheduler does once the firing commits
    assert [e.kind for e in dossier.events].count("deadline_warning") == 1
    assert [w.bpmn_id for w in dossier.work_items] == ["appraise_dossier"]
    assert timers.fire_due_timers(dossier.id, now=dossier.due_at) == 1
    assert sorted(w.bpmn_id for w in dossier.work_items) == ["appraise_dossier", "write_apology"]
    assert dossier.pending_timers == [] and dossier.status is DossierStatus.in_progress
    apology = next(w for w in dossier.work_items if w.bpmn_id == "write_apology")
    assert apology.groups == {"leader"}
    with pytest.raises(dossiers.NotAllowedError):
        dossiers.complete_work_item(dossier, apology.task_id, actor=_officer("chuyenvien.tohieu"), values={},
                                    now=datetime.now(UTC))
    dossiers.complete_work_item(dossier, apology.task_id, actor=_officer("lanhdao.tohieu"), now=dossier.due_at,
                                values={"apology_reason": "Phải xác minh thêm địa điểm kinh doanh.",
                                        "new_appointment_on": "2025-05-06"})
    assert [w.bpmn_id for w in dossier.work_items] == ["appraise_dossier"]


def test_assignee_from_dossier_data_is_the_only_one_who_may_act():
    app = make_app(PROCESSES_DIR=str(BASE_DIR / "tests" / "data"), FORMS_DIR=str(BASE_DIR / "tests" / "data"))
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == "T.0001"))
        dossier = dossiers.submit_dossier(
            procedure, applicant=db.session.scalar(select(Applicant)), now=datetime.now(UTC),
            handling_agency=db.session.scalar(select(Agency).where(Agency.code == "H54.10.01")),
            application={"remind_at": "2030-01-01T00:00:00+07:00", "reviewer": "chuyenvien.tohieu"})
        (item,) = dossier.work_items
        assert (item.assignee, item.groups) == ("chuyenvien.tohieu", {"specialist", "leader"})
        with pytest.raises(dossiers.NotAllowedError):  # a candidate by group, but not the assignee
            dossiers.complete_work_item(dossier, item.task_id, actor=_officer("lanhdao.tohieu"),
                                        values={"approved": True, "blocked": False}, now=datetime.now(UTC))
        dossiers.complete_work_item(dossier, item.task_id, actor=_officer("chuyenvien.tohieu"),
                                    values={"approved": True, "blocked": False}, now=datetime.now(UTC))
        assert dossier.status is DossierStatus.handled
