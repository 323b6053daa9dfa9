"""An app whose only procedure is tests/data/forms_binding: one element per way of pointing to a form."""
from pathlib import Path

import pytest

from tests.conftest import make_app

DATA = Path(__file__).parents[1] / "data" / "forms_binding"


@pytest.fixture
def forms_app():
    return make_app(PROCESSES_DIR=str(DATA / "processes"), FORMS_DIR=str(DATA / "forms"))
