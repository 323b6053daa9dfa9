"""A version's page: diagram (bpmn-js when installed), lint, scenarios against the version, publish a draft."""
import subprocess

import pytest
from sqlalchemy import select

from app.admin import viewer
from app.extensions import db
from app.models import Dossier, Procedure, ProcessVersion
from tests.admin.helpers import ORIGINAL, bpmn_upload, complete, file_dossier, receive, upload, with_legal_check
from tests.conftest import csrf_token


def _draft(app, admin, text: str | None = None) -> int:
    """Upload ``text`` (default: v2 with *legal_check*) and return the draft's id."""
    response = upload(admin, [bpmn_upload(text or with_legal_check())])
    assert response.status_code == 200, response.text
    with app.app_context():
        version_id = db.session.scalar(select(ProcessVersion.id).order_by(ProcessVersion.id.desc()))
        db.session.remove()
    return version_id


def _household_v1(app) -> int:
    """The id of the household registration's first version (processes/ holds other procedures too)."""
    with app.app_context():
        version_id = db.session.scalar(select(ProcessVersion.id).join(ProcessVersion.procedure).where(
            Procedure.code == "1.001612", ProcessVersion.number == 1))
        db.session.remove()
    return version_id


def _fake_viewer(folder, version=viewer.BPMN_JS_VERSION):
    dist = folder / viewer.VENDOR / "node_modules" / "bpmn-js"
    (dist / "dist" / "assets").mkdir(parents=True)
    (dist / "package.json").write_text(f'{{"name": "bpmn-js", "version": "{version}"}}')
    (folder / viewer.ASSETS["script"]).write_text("window.BpmnJS = function () {};")


def test_the_page_shows_lint_scenarios_and_offers_the_xml_without_the_viewer(app, admin, tmp_path):
    v1 = _household_v1(app)
    app.static_folder = str(tmp_path)  # nothing installed there
    page = admin.get(f"/admin/versions/{v1}")
    assert page.status_code == 200
    for shown in ("Đăng ký thành lập hộ kinh doanh", "v1", "Đang áp dụng cho hồ sơ mới", "Không có lỗi hay cảnh báo nào.",
                  "household_business_registration.happy_path.json", "Chạy kịch bản trên v1",
                  "Trình xem sơ đồ (bpmn-js 18.31.1) chưa được cài", f"/admin/versions/{v1}/diagram.bpmn"):
        assert shown in page.text, shown
    assert "Công bố</button>" not in page.text  # published already
    xml = admin.get(f"/admin/versions/{v1}/diagram.bpmn")
    assert xml.status_code == 200 and xml.mimetype == "application/xml" and xml.text == ORIGINAL
    assert xml.headers["Content-Disposition"] == 'attachment; filename="v1-household_business_registration.bpmn"'
    assert admin.get("/admin/versions/999").status_code == 404


def test_with_the_viewer_installed_the_diagram_is_drawn_with_waiting_dossiers(app, admin, tmp_path):
    v1 = _household_v1(app)
    _fake_viewer(tmp_path)
    app.static_folder = str(tmp_path)
    with app.app_context():
        receive(file_dossier())
        file_dossier()
        db.session.commit()
    page = admin.get(f"/admin/versions/{v1}").text
    assert 'src="/static/vendor/node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js"' in page
    assert 'src="/static/bpmn-viewer.js"' in page and f'data-xml-url="/admin/versions/{v1}/diagram.bpmn"' in page
    assert """data-badges='{"appraise_dossier": 1, "check_dossier": 1}'""" in page
    assert "chưa được cài" not in page


def test_scenarios_run_against_the_version_they_are_asked_for(app, admin):
    v1 = _household_v1(app)
    url = f"/admin/versions/{v1}"
    passed = admin.post(f"{url}/scenarios", data={"csrf_token": csrf_token(admin, url)})
    assert passed.status_code == 200 and "6/6 kịch bản đạt." in passed.text and "✓ start 1.001612" in passed.text
    draft = _draft(app, admin)
    url = f"/admin/versions/{draft}"
    failed = admin.post(f"{url}/scenarios", data={"csrf_token": csrf_token(admin, url)})
    assert failed.status_code == 200 and "kịch bản đạt." in failed.text and "6/6" not in failed.text
    assert "✗ expect tasks: wanted [approve_dossier] got [legal_check]" in failed.text  # the draft's own path
    assert admin.post(f"{url}/scenarios").status_code == 400  # no CSRF token


def test_publishing_needs_the_tested_confirmation_then_new_dossiers_start_on_it(app, admin):
    with app.app_context():
        running = file_dossier()
        receive(running)
        db.session.commit()
        running_id = running.id
        db.session.remove()
    draft = _draft(app, admin)
    url = f"/admin/versions/{draft}"
    page = admin.get(url).text
    assert "Bản nháp" in page and "Công bố</button>" in page

    refused = admin.post(f"{url}/publish", data={"csrf_token": csrf_token(admin, url)})
    assert refused.status_code == 400 and "Hãy xác nhận phiên bản đã được kiểm thử" in refused.text
    assert admin.post(f"{url}/publish", data={"tested": "y"}).status_code == 400  # no CSRF token
    published = admin.post(f"{url}/publish", data={"csrf_token": csrf_token(admin, url), "tested": "y"})
    assert published.status_code == 303 and published.headers["Location"].endswith(url)
    assert "Đã công bố phiên bản v2" in admin.get(url).text
    again = admin.post(f"{url}/publish", data={"csrf_token": csrf_token(admin, url), "tested": "y"})
    assert again.status_code == 409 and "Phiên bản v2 đã được công bố." in again.text

    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
        assert procedure.published_version.number == 2
        fresh = file_dossier()
        assert fresh.process_version.number == 2
        running = db.session.get(Dossier, running_id)
        complete(running, "appraise_dossier", "chuyenvien.tohieu", {"proposal": "approve"})
        assert running.process_version.number == 1  # it keeps the version it started on …
        assert [w.bpmn_id for w in running.work_items] == ["approve_dossier"]  # … and its path: no legal_check
        db.session.rollback()
        db.session.remove()


def test_an_older_draft_cannot_be_published_over_a_newer_version(app, admin):
    older = _draft(app, admin)
    newer = _draft(app, admin, with_legal_check().replace("Kiểm tra pháp lý", "Kiểm tra pháp lý (bản 3)"))
    url = f"/admin/versions/{newer}"
    assert admin.post(f"{url}/publish", data={"csrf_token": csrf_token(admin, url), "tested": "y"}).status_code == 303
    url = f"/admin/versions/{older}"
    refused = admin.post(f"{url}/publish", data={"csrf_token": csrf_token(admin, url), "tested": "y"})
    assert refused.status_code == 409 and "Phiên bản v2 cũ hơn phiên bản đang áp dụng v3" in refused.text


def test_setup_installs_the_pinned_viewer_with_npm(tmp_path, monkeypatch):
    calls = []

    def npm(command, **kwargs):
        calls.append(command)
        _fake_viewer(tmp_path)

    monkeypatch.setattr(viewer.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(viewer.subprocess, "run", npm)
    messages = []
    assert viewer.install_viewer(tmp_path, messages.append)
    assert calls == [["/usr/bin/npm", "install", "--prefix", str(tmp_path / "vendor"), "--no-audit", "--no-fund",
                      "--ignore-scripts", "--loglevel=error", f"bpmn-js@{viewer.BPMN_JS_VERSION}"]]
    assert viewer.install_viewer(tmp_path, messages.append) and len(calls) == 1  # already there: npm not run again


@pytest.mark.parametrize("which, error, message", [
    (None, None, "Không có npm"),
    ("/usr/bin/npm", subprocess.CalledProcessError(1, "npm", stderr=b"ENOTFOUND registry.npmjs.org"),
     "Không cài được bpmn-js 18.31.1 bằng npm (CalledProcessError: ENOTFOUND registry.npmjs.org)"),
    ("/usr/bin/npm", subprocess.TimeoutExpired("npm", 300), "TimeoutExpired"),
])
def test_without_npm_or_network_setup_goes_on_without_the_viewer(tmp_path, monkeypatch, which, error, message):
    def npm(command, **kwargs):
        raise error

    monkeypatch.setattr(viewer.shutil, "which", lambda name: which)
    monkeypatch.setattr(viewer.subprocess, "run", npm)
    messages = []
    assert viewer.install_viewer(tmp_path, messages.append) is False
    assert len(messages) == 1 and message in messages[0]
