"""Inbox fixtures: a dossier filed with Phường Tô Hiệu, and a second one-stop officer there."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Dossier, Officer
from tests.conftest import APPLICATION, post_form, sign_in_citizen, sign_in_officer


def file_dossier(app, **changes) -> tuple[str, str]:
    """File the household-business procedure as Nguyễn Văn An; returns (dossier code, reception task id)."""
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    assert post_form(citizen, "/procedures/1.001612/apply", {**APPLICATION, **changes}).status_code in (302, 303)
    with app.app_context():
        dossier = db.session.scalars(select(Dossier).order_by(Dossier.id.desc())).first()
        return dossier.code, dossier.work_items[0].task_id


@pytest.fixture
def filed(app):
    return file_dossier(app)


@pytest.fixture
def colleague(app):
    """``motcua2.tohieu``: another one-stop officer of Phường Tô Hiệu (same password as the sample officers)."""
    with app.app_context():
        first = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
        db.session.add(Officer(username="motcua2.tohieu", full_name="Lường Thị Xuân", agency_id=first.agency_id,
                               password_hash=first.password_hash, roles_text="one_stop", must_change_password=False))
        db.session.commit()
    return "motcua2.tohieu"


def officer_client(app, username: str):
    client = app.test_client()
    sign_in_officer(client, username)
    return client
