"""Browser tests: the app served by werkzeug in a thread, driven by Playwright in Debian's chromium.

Reusable fixtures:

* ``live_server`` — a fresh app on a temporary SQLite file (procedures deployed, sample agencies, officers and
  citizens seeded, as the ``app`` fixture), served on a free port; ``live_server.url`` is its base URL and
  ``live_server.app`` the Flask app (use ``with live_server.app.app_context():`` to look at the database);
* ``browser`` — one headless chromium per test session (``/usr/bin/chromium``; Playwright's own download is not
  used); the tests are skipped, saying why, when Playwright or chromium is missing (``.ci/run`` installs both);
* ``desktop`` / ``phone`` — a fresh page (own cookies) at 1280×800, or at a phone's 390×844 with touch;
  open more with ``new_page(viewport)`` for several users at once;
* ``sign_in_officer_page(page, base_url, username)`` / ``sign_in_citizen_page(page, base_url, personal_id)``.
"""
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from app.seed import SAMPLE_PASSWORD
from tests.conftest import make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: Milliseconds Playwright waits for an element or a navigation before failing (2 shared cores: be patient).
TIMEOUT_MS = 15_000


@dataclass
class LiveServer:
    """A running app: ``url`` (``http://127.0.0.1:<port>``) and the Flask ``app`` behind it."""

    url: str
    app: object


@pytest.fixture
def live_server(tmp_path):
    """Serve a freshly seeded app on a free port in a daemon thread; shut it down after the test."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.db'}",
                   SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 30, "check_same_thread": False}})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the session, or skip when it (or Playwright) is not installed."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip(f"{CHROMIUM} missing: apt-get install -y chromium chromium-driver (.ci/run does)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """``new_page(viewport, **context_options)``: a page in its own browser context (own cookies, own user)."""
    contexts = []

    def open_page(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def desktop(new_page):
    return new_page(DESKTOP)


@pytest.fixture
def phone(new_page):
    return new_page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def sign_in_officer_page(page, base_url: str, username: str, password: str = SAMPLE_PASSWORD) -> None:
    """Sign ``username`` in through the officer sign-in form; lands on the inbox."""
    page.goto(f"{base_url}/officer/sign-in")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/officer/**")


def sign_in_citizen_page(page, base_url: str, personal_id: str) -> None:
    """Sign a sample citizen in through the development VNeID stand-in; lands on "my dossiers"."""
    page.goto(f"{base_url}/sign-in/dev-vneid")
    page.select_option("#personal_id", personal_id)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/my-dossiers**")
