"""Fixtures for the Camunda Forms tests: the anchors §6.6 example form and small form builders."""

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from app.camunda_forms import parse_form

DATA = Path(__file__).parent / "data"


@pytest.fixture
def example_form():
    """The household-business registration form of anchors §6.6."""
    return parse_form((DATA / "hkd_dang_ky.form").read_text(encoding="utf-8"), "forms/hkd_dang_ky.form")


@pytest.fixture
def example_context():
    return {
        "businessLineOptions": [
            {"label": "Bán lẻ hàng tạp hoá", "value": "retail"},
            {"label": "Dịch vụ ăn uống", "value": "food"},
        ],
        "dossierCode": "000.00.01.H52-250701-0001",
    }


@pytest.fixture
def example_submission():
    """A valid submission of the example form: family registration, delivery by post."""
    return MultiDict([
        ("applicant.fullName", "  Lò Văn Minh "),
        ("applicant.idNumber", "014090001234"),
        ("applicant.dateOfBirth", "1990-05-01"),
        ("applicant.email", "minh@example.vn"),
        ("registrationType", "family"),
        ("members.0.name", "Lò Thị Hoa"),
        ("members.0.idNumber", "014190005678"),
        ("businessLine", "retail"),
        ("capital", "50000000"),
        ("hasEmployees", "true"),
        ("employeeCount", "3"),
        ("resultDelivery", "post"),
        ("deliveryAddress", "Tổ 2, phường Chiềng Lề, Sơn La"),
        ("commitment", "true"),
    ])


@pytest.fixture
def make_form():
    """Build a form from a list of component dicts."""

    def make(*components, **top):
        document = {"type": "default", "id": "Form_Test", "schemaVersion": 19, "components": list(components)}
        return parse_form({**document, **top}, "forms/test.form")

    return make
