"""Uploading a version at /admin/procedures/upload: lint first, store a draft, refuse bad files with reasons."""
import shutil
from datetime import UTC, datetime
from io import BytesIO

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Procedure
from app.services import versions
from app.services.procedures import deploy_new_content
from config import BASE_DIR
from tests.admin.helpers import BPMN_FILE, ORIGINAL, bpmn_upload, form_uploads, upload, with_legal_check
from tests.conftest import csrf_token

URL = "/admin/procedures/upload"


def _versions(app) -> list[tuple[int, bool]]:
    """``(number, published)`` of every version of the household-business procedure."""
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
        found = [(v.number, v.published_at is not None) for v in procedure.versions]
        db.session.remove()
    return found


def test_the_upload_page_has_a_csrf_protected_form(admin):
    page = admin.get(URL)
    assert page.status_code == 200 and 'name="csrf_token"' in page.text and 'type="file"' in page.text
    response = admin.post(URL, data={"files": [bpmn_upload(with_legal_check())]}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Phiên làm việc đã hết hạn" in response.text


def test_a_clean_diagram_becomes_a_draft_and_new_dossiers_stay_on_the_published_version(app, admin):
    response = upload(admin, [bpmn_upload(with_legal_check())])
    assert response.status_code == 200, response.text
    assert "Đã lưu bản nháp v2 của thủ tục 1.001612" in response.text
    assert "form_appraisal.form" in response.text  # borrowed: the diagram's forms were deployed before
    assert _versions(app) == [(1, True), (2, False)]
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
        assert procedure.published_version.number == 1
        assert "legal_check" in procedure.versions[1].bpmn_xml
        db.session.remove()
    assert (BASE_DIR / "processes" / BPMN_FILE).read_text(encoding="utf-8") == ORIGINAL  # nothing on disk


def test_forms_uploaded_with_the_diagram_are_checked_and_stored(app, admin):
    response = upload(admin, [bpmn_upload(with_legal_check()), *form_uploads()])
    assert response.status_code == 200 and "Đã lưu bản nháp v2" in response.text
    assert "lấy theo nội dung đã triển khai gần nhất:" not in response.text


def test_the_same_content_again_makes_no_new_version(app, admin):
    response = upload(admin, [bpmn_upload(ORIGINAL)])
    assert response.status_code == 200 and "không tạo phiên bản mới" in response.text
    assert _versions(app) == [(1, True)]


def test_lint_errors_are_all_shown_and_nothing_is_stored(app, admin):
    broken = with_legal_check().replace('camunda:formRef="form_appraisal" camunda:formRefBinding="latest" '
                                        'camunda:candidateGroups="specialist">\n        <bpmn:extensionElements>\n'
                                        '          <camunda:properties>\n            <camunda:property name="dossier_'
                                        'status" value="in_progress" />\n          </camunda:properties>\n        '
                                        '</bpmn:extensionElements>\n        <bpmn:incoming>flow_appraise_to_legal',
                                        'camunda:formRef="form_legal" camunda:candidateGroups="specialist">\n        '
                                        '<bpmn:incoming>flow_appraise_to_legal')
    assert "form_legal" in broken
    response = upload(admin, [bpmn_upload(broken)])
    assert response.status_code == 422
    assert "Không lưu phiên bản" in response.text
    assert f"{BPMN_FILE}:" in response.text and ": legal_check: error: " in response.text and "form_legal" in response.text
    assert _versions(app) == [(1, True)]


def test_a_broken_form_is_reported_with_its_file(app, admin):
    response = upload(admin, [bpmn_upload(with_legal_check()), (BytesIO(b'{"id": "form_appraisal", '), "appraisal.form")])
    assert response.status_code == 422 and "appraisal.form:1: -: error: not valid JSON" in response.text
    assert _versions(app) == [(1, True)]


@pytest.mark.parametrize("files, message", [
    ([(BytesIO(b"x"), "notes.txt"), bpmn_upload(ORIGINAL)], "notes.txt: chỉ nhận tệp .bpmn, .form, .dmn"),
    ([bpmn_upload(ORIGINAL), bpmn_upload(ORIGINAL, "other.bpmn")], "Cần đúng một tệp .bpmn"),
    ([(BytesIO(b'{"id": "a"}'), "a.form")], "Cần đúng một tệp .bpmn trong mỗi lần tải lên (đã chọn 0)"),
    ([(BytesIO(b""), BPMN_FILE)], f"{BPMN_FILE}: tệp rỗng."),
    ([(BytesIO("<a>Thẩm định</a>".encode("utf-16")), BPMN_FILE)], "không phải văn bản UTF-8"),
    ([(BytesIO(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'),
       BPMN_FILE)], "khai báo DOCTYPE/ENTITY"),
    ([bpmn_upload(ORIGINAL), bpmn_upload('{"id": "x"}', "x.form"), bpmn_upload('{"id": "y"}', "x.form")],
     "x.form: có hai tệp cùng tên."),
])
def test_unacceptable_files_are_refused_with_the_reason(app, admin, files, message):
    response = upload(admin, files)
    assert response.status_code == 400 and message in response.text
    assert _versions(app) == [(1, True)]


def test_a_file_over_the_size_limit_is_refused():
    # through the service: a test client's multipart body over 500 KB leaves a spooled file unclosed
    with pytest.raises(versions.UploadError) as refused:
        versions.read_upload([versions.UploadedFile(BPMN_FILE, b"<a/>" + b" " * versions.MAX_FILE_BYTES)])
    assert refused.value.problems == [f"{BPMN_FILE}: tệp lớn hơn 2 MB."]


def test_a_request_with_no_file_is_refused(app, admin):
    response = admin.post(URL, data={"csrf_token": csrf_token(admin, URL)}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Hãy chọn từ 1 đến" in response.text


def test_cli_deploy_publishes_unless_draft_and_setup_keeps_uploaded_versions(app, tmp_path):
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    shutil.copytree(BASE_DIR / "processes", processes)
    shutil.copytree(BASE_DIR / "forms", forms)
    app.config.update(PROCESSES_DIR=str(processes), FORMS_DIR=str(forms))
    runner = app.test_cli_runner()
    (processes / BPMN_FILE).write_text(with_legal_check(), encoding="utf-8")
    result = runner.invoke(args=["procedures", "deploy", "--draft"])
    assert result.exit_code == 0 and "1.001612 v2 deployed (draft)" in result.output
    assert _versions(app) == [(1, True), (2, False)]
    result = runner.invoke(args=["procedures", "deploy"])  # the ops path: what is on disk is published
    assert result.exit_code == 0 and "1.001612 v2 unchanged" in result.output and "draft" not in result.output
    assert _versions(app) == [(1, True), (2, True)]

    (processes / BPMN_FILE).write_text(ORIGINAL, encoding="utf-8")  # disk still holds v1, v2 came from elsewhere
    with app.app_context():
        result = next(r for r in deploy_new_content(processes, forms, now=datetime.now(UTC))  # what `flask setup` runs
                      if r.procedure_code == "1.001612")
        assert (result.version_number, result.created) == (1, False)
        db.session.commit()
    assert _versions(app) == [(1, True), (2, True)]
    result = runner.invoke(args=["procedures", "deploy"])  # an explicit deploy of the reverted file: a new version
    assert "1.001612 v3 deployed" in result.output and _versions(app)[-1] == (3, True)
