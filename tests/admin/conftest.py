"""Fixtures of the administrators' version tests."""
import pytest

from tests.conftest import sign_in_officer


@pytest.fixture
def admin(app):
    """A test client signed in as the sample system administrator ``quantri``."""
    client = app.test_client()
    sign_in_officer(client, "quantri")
    return client
