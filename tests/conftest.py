"""Shared fixtures: an app on in-memory SQLite with the real procedures deployed and the sample data loaded."""
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.models.working_calendar import seed_official_calendar
from app.seed import SAMPLE_PASSWORD, seed_sample_data
from app.services.procedures import deploy_processes
from config import BASE_DIR, TestingConfig

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')


@pytest.fixture
def app():
    """The app with no context pushed: each test-client request gets its own (``g`` never leaks between users)."""
    return make_app()


@pytest.fixture
def ctx(app):
    """The app with an application context pushed, for tests that call services directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, url: str) -> str:
    """GET ``url`` like a browser and return the CSRF token its form carries."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return CSRF.search(page.get_data(as_text=True)).group(1)


def hidden_fields(client, url: str) -> dict[str, str]:
    """GET ``url`` like a browser and return its hidden form fields (CSRF token, one-time submission key)."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    return {**dict(HIDDEN.findall(html)), "csrf_token": CSRF.search(html).group(1)}


def post_form(client, url: str, data: dict, token_url: str | None = None):
    """POST ``data`` to ``url`` with the hidden fields of the page at ``token_url`` (default: ``url``)."""
    return client.post(url, data={**hidden_fields(client, token_url or url), **data})


def read_in_app(app, query):
    """``query()`` in a fresh app context of ``app`` (e.g. while its scheduler thread writes), session removed after."""
    with app.app_context():
        try:
            return query()
        finally:
            db.session.remove()


def sign_in_officer(client, username: str):
    response = post_form(client, "/officer/sign-in", {"username": username, "password": SAMPLE_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def sign_in_citizen(client, personal_id: str):
    response = post_form(client, "/sign-in/dev-vneid", {"personal_id": personal_id})
    assert response.status_code == 302
    return response


APPLICATION = {
    "applicant_full_name": "Nguyễn Văn An", "applicant_birth_date": "1990-03-12",
    "applicant_personal_id": "014090001234", "applicant_phone": "0912345678",
    "applicant_email": "an.nguyen@example.vn", "applicant_address": "Tổ 3, phường Tô Hiệu, tỉnh Sơn La",
    "registration_type": "individual", "business_name": "Hộ kinh doanh Cà phê Tô Hiệu",
    "handling_agency_code": "H54.10.01", "business_address": "Số 12 đường Tô Hiệu, phường Tô Hiệu",
    "business_lines": "Kinh doanh đồ uống (5630)", "capital_vnd": "150000000", "employee_count": "3",
    "commitment": "true",
}


def make_app(config_class=TestingConfig, **overrides):
    """An app whose database is set up like the ``app`` fixture's; ``overrides`` become config attributes."""
    config = type("TestConfig", (config_class,), overrides)
    app = create_app(config)
    with app.app_context():
        db.create_all()
        seed_official_calendar()
        seed_sample_data()
        deploy_processes(Path(config.PROCESSES_DIR), Path(config.FORMS_DIR), now=datetime.now(UTC))
        db.session.commit()
    return app


@pytest.fixture
def file_app(tmp_path):
    """Like ``app`` but on a SQLite file, so that several sessions and threads really run side by side."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'test.db'}",
                   SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30}})
    yield app
    with app.app_context():
        db.engine.dispose()


def file_two_step(remind_at: datetime) -> int:
    """File a dossier of tests/data/two_step.bpmn (a reminder timer at ``remind_at``) and commit; returns its id.

    Needs an app context of an app deployed from tests/data (``PROCESSES_DIR``).
    """
    from sqlalchemy import select

    from app.models import Agency, Applicant, Procedure
    from app.services import dossiers
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "T.0001"))
    dossier = dossiers.submit_dossier(
        procedure, applicant=db.session.scalar(select(Applicant)), now=datetime.now(UTC),
        handling_agency=db.session.scalar(select(Agency).where(Agency.code == "H54.10.01")),
        application={"remind_at": remind_at.isoformat(), "reviewer": "chuyenvien.tohieu"})
    db.session.commit()
    return dossier.id


def wait_for(predicate, seconds: float = 10.0) -> bool:
    """Poll ``predicate`` every 50 ms until it is true (True) or ``seconds`` pass (False): for scheduler tests."""
    import time
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def designer_dirs(tmp_path):
    """Writable copies of processes/ and forms/, as a designer's working folder."""
    import shutil
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    shutil.copytree(BASE_DIR / "processes", processes)
    shutil.copytree(BASE_DIR / "forms", forms)
    return processes, forms
