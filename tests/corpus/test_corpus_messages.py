"""``app.services.messages.correlate_message``: the app's message API, on the corpus's fee-payment procedure."""
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.engine import MessageNotExpectedError
from app.extensions import db
from app.models import Agency, Applicant, DossierStatus, Officer, Procedure
from app.services.dossiers import complete_work_item, submit_dossier
from app.services.messages import MessageDataError, correlate_message
from app.services.procedures import deploy_processes

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def paying(ctx, tmp_path):
    """A CORPUS.07 dossier received by the one-stop desk and waiting for ``payment_received``."""
    processes = tmp_path / "processes"
    processes.mkdir()
    for path in [*CORPUS.glob("*.bpmn"), *CORPUS.glob("*.dmn")]:
        shutil.copy(path, processes / path.name)
    deploy_processes(processes, CORPUS / "forms", now=NOW)
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "CORPUS.07"))
    applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))
    agency = db.session.scalar(select(Agency).where(Agency.code == "H54.10.01"))
    dossier = submit_dossier(procedure, applicant=applicant, handling_agency=agency, now=NOW, application={
        "business_name": "Quán Tô Hiệu", "business_line": "retail", "capital_vnd": 5, "copies_requested": 1,
        "needs_fire_check": False, "needs_environment_check": False})
    officer = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
    complete_work_item(dossier, dossier.work_items[0].task_id, actor=officer, now=NOW,
                       values={"reception_outcome": "receive"})
    db.session.commit()
    assert dossier.status is DossierStatus.awaiting_payment and dossier.work_items == []
    return dossier


def test_a_message_moves_the_dossier_on_and_is_recorded(paying):
    at = NOW + timedelta(hours=1)
    assert correlate_message(paying, "payment_received", {"paid_amount": 100000, "paid_on": "2026-06-01"},
                             now=at) == ["wait_payment"]
    db.session.commit()
    assert paying.status is DossierStatus.in_progress
    assert [w.bpmn_id for w in paying.work_items] == ["appraise"]
    (event,) = [e for e in paying.events if e.kind == "message_received"]
    assert event.at == at and event.data == {"message": "payment_received", "received_by": ["wait_payment"],
                                             "values": {"paid_amount": 100000, "paid_on": "2026-06-01"}}


def test_a_message_nothing_waits_for_changes_nothing(paying):
    state, version = paying.workflow_state, paying.lock_version
    with pytest.raises(MessageNotExpectedError, match="no event waits for message 'dossier_withdrawn'"):
        correlate_message(paying, "dossier_withdrawn", {}, now=NOW)
    db.session.rollback()
    assert (paying.workflow_state, paying.lock_version) == (state, version)
    assert not paying.has_event("message_received")


@pytest.mark.parametrize(("data", "says"), [
    ({"typename": "x"}, "typename"),
    ({"2nd": 1}, "must be identifiers"),
    ({"receipt": {"typename": 1}}, "receipt: key 'typename'"),
    ({"paid_on": date(2026, 6, 1)}, "paid_on: a date is not JSON data"),
])
def test_variables_that_cannot_be_stored_are_refused_before_the_engine_runs(paying, data, says):
    with pytest.raises(MessageDataError, match=says):
        correlate_message(paying, "payment_received", data, now=NOW)
    assert paying.status is DossierStatus.awaiting_payment
