"""An app deployed from tests/clock/data (procedure T.CLOCK: fee pause, post-appraisal supplement with restart,
step budgets, a ``${dossier_due_at}`` boundary timer) and helpers to walk a dossier through it."""
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Applicant, Dossier, Officer, Procedure
from app.services import dossiers
from config import BASE_DIR
from tests.conftest import make_app

DATA = BASE_DIR / "tests" / "clock" / "data"


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """The aware UTC instant of a Sơn La local time."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)


@pytest.fixture
def clock_app():
    return make_app(PROCESSES_DIR=str(DATA), FORMS_DIR=str(DATA))


@pytest.fixture
def clock_ctx(clock_app):
    with clock_app.app_context():
        yield clock_app
        db.session.remove()


def officer(username: str) -> Officer:
    return db.session.scalar(select(Officer).where(Officer.username == username))


def citizen() -> Applicant:
    return db.session.scalar(select(Applicant).where(Applicant.personal_id == "014090001234"))


def file_clock_dossier(now: datetime) -> Dossier:
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "T.CLOCK"))
    agency = db.session.scalar(select(Agency).where(Agency.code == "H54.10.01"))
    return dossiers.submit_dossier(procedure, applicant=citizen(), handling_agency=agency,
                                   application={"business_name": "Hộ kinh doanh thử"}, now=now)


def complete(dossier: Dossier, bpmn_id: str, actor, values: dict, now: datetime) -> None:
    item = next(w for w in dossier.work_items if w.bpmn_id == bpmn_id)
    dossiers.complete_work_item(dossier, item.task_id, actor=actor, values=values, now=now)
    db.session.flush()


def received_clock_dossier(received_at: datetime) -> Dossier:
    dossier = file_clock_dossier(received_at)
    complete(dossier, "check_dossier", officer("motcua.tohieu"), {"reception_outcome": "receive"}, received_at)
    return dossier


def pdf_text(content: bytes) -> str:
    """All text of a PDF (pypdf), whitespace collapsed."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))
