"""A work item another officer claimed cannot be completed through any path: the rule lives in the service."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Applicant, DossierStatus, Officer, Procedure
from app.services import dossiers, work_items
from tests.conftest import APPLICATION

RECEIVE = {"reception_outcome": "receive"}


def _officer(username: str) -> Officer:
    return db.session.scalar(select(Officer).where(Officer.username == username))


def _file():
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
    applicant = db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))
    agency = db.session.scalar(select(Agency).where(Agency.code == "H54.10.01"))
    values = {**APPLICATION, "capital_vnd": 150000000, "employee_count": 3, "commitment": True}
    return dossiers.submit_dossier(procedure, applicant=applicant, handling_agency=agency, application=values,
                                   now=datetime.now(UTC))


@pytest.fixture
def colleague(ctx):
    first = _officer("motcua.tohieu")
    other = Officer(username="motcua2.tohieu", full_name="Lường Thị Xuân", agency_id=first.agency_id,
                    password_hash=first.password_hash, roles_text="one_stop", must_change_password=False)
    db.session.add(other)
    db.session.flush()
    return other


def test_completing_an_item_claimed_by_a_colleague_is_refused_by_the_service(ctx, colleague):
    dossier = _file()
    (item,) = dossier.work_items
    work_items.claim_work_item(item, officer=colleague, now=datetime.now(UTC))
    with pytest.raises(dossiers.ClaimConflictError, match="Lường Thị Xuân"):
        dossiers.complete_work_item(dossier, item.task_id, actor=_officer("motcua.tohieu"), values=RECEIVE,
                                    now=datetime.now(UTC))
    assert dossier.status is DossierStatus.submitted and not dossier.has_event("received")
    # opening it is still allowed; only completing is refused
    dossiers.ensure_may_act(_officer("motcua.tohieu"), dossier, item, completing=False)


def test_the_claimer_completes_it(ctx, colleague):
    dossier = _file()
    (item,) = dossier.work_items
    work_items.claim_work_item(item, officer=colleague, now=datetime.now(UTC))
    dossiers.complete_work_item(dossier, item.task_id, actor=colleague, values=RECEIVE, now=datetime.now(UTC))
    assert dossier.status is DossierStatus.in_progress


def test_an_unclaimed_item_is_completed_by_any_candidate(ctx):
    dossier = _file()
    (item,) = dossier.work_items
    dossiers.complete_work_item(dossier, item.task_id, actor=_officer("motcua.tohieu"), values=RECEIVE,
                                now=datetime.now(UTC))
    assert dossier.status is DossierStatus.in_progress
