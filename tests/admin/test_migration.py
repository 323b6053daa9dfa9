"""Moving running dossiers to a newer published version: the diff, the refusals, the event, the new path."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.engine import compare_specs
from app.extensions import db
from app.models import Dossier, Officer, Procedure, ProcessVersion
from app.services import version_migration
from app.services.version_migration import MigrationError, check_dossiers, migrate_dossiers
from tests.admin.helpers import (NOW, complete, deploy_variant, file_dossier, receive, renamed_only, with_legal_check,
                                 with_signing_after_handling, without_appraisal, without_return)
from tests.conftest import csrf_token, sign_in_officer

LATER = NOW + timedelta(hours=2)


def _admin() -> Officer:
    return db.session.scalar(select(Officer).where(Officer.username == "quantri"))


def _v1() -> ProcessVersion:
    return db.session.scalar(select(ProcessVersion).join(ProcessVersion.procedure).where(
        ProcessVersion.number == 1, Procedure.code == "1.001612"))


def test_the_diff_names_tasks_added_removed_and_changed(ctx):
    v1 = _v1()
    changes = compare_specs(v1.spec_json, deploy_variant(with_legal_check()).spec_json)
    assert [(e.bpmn_id, e.name, e.kind) for e in changes.added] == [("legal_check", "Kiểm tra pháp lý", "UserTask")]
    assert changes.removed == []
    changed = {e.bpmn_id: e for e in changes.changed}
    assert set(changed) == {"appraise_dossier", "approve_dossier"}
    assert "bpmn_name" in changed["approve_dossier"].attributes and changed["approve_dossier"].name == "Phê duyệt kết quả"
    removed = compare_specs(v1.spec_json, deploy_variant(without_appraisal()).spec_json).removed
    assert [(e.bpmn_id, e.name) for e in removed] == [("appraise_dossier", "Thẩm định hồ sơ")]


def test_a_dossier_at_appraisal_moves_to_v2_and_continues_on_its_new_path(ctx):
    dossier = file_dossier()
    receive(dossier)
    item = dossier.work_items[0]
    task_id, opened_at, timers = item.task_id, item.opened_at, sorted((t.bpmn_id, t.due_at) for t in dossier.pending_timers)
    v1, v2 = _v1(), deploy_variant(with_legal_check())

    (outcome,) = migrate_dossiers(v1, v2, [dossier.id], by=_admin(), now=LATER)
    assert outcome.migrated and outcome.dossier_code == dossier.code
    assert dossier.process_version_id == v2.id
    event = dossier.events[-1]
    assert event.kind == "version_migrated" and event.actor_label.startswith("Lê Minh Quân")
    assert event.data == {"from_version": 1, "to_version": 2, "from_version_id": v1.id, "to_version_id": v2.id,
                          "by": "quantri", "tasks": ["appraise_dossier"]}
    assert [(w.bpmn_id, w.task_id, w.opened_at) for w in dossier.work_items] == [("appraise_dossier", task_id, opened_at)]
    assert sorted((t.bpmn_id, t.due_at) for t in dossier.pending_timers) == timers  # the legal clock is unchanged
    db.session.commit()

    dossier = db.session.get(Dossier, dossier.id)
    complete(dossier, "appraise_dossier", "chuyenvien.tohieu", {"proposal": "approve"}, now=LATER)
    assert [w.bpmn_id for w in dossier.work_items] == ["legal_check"]  # the step v2 added
    complete(dossier, "legal_check", "chuyenvien.tohieu", {"proposal": "approve"}, now=LATER)
    assert [(w.bpmn_id, w.task_name) for w in dossier.work_items] == [("approve_dossier", "Phê duyệt và ký kết quả")]
    complete(dossier, "approve_dossier", "lanhdao.tohieu", {"decision": "approve"}, now=LATER)
    complete(dossier, "return_result", "motcua.tohieu", {"return_channel": "counter"}, now=LATER)
    assert dossier.status.name == "result_returned" and dossier.work_items == []


@pytest.mark.parametrize("variant, path", [
    (with_signing_after_handling, ["approve_dossier", "sign_result", "return_result"]),  # added after the subprocess
    (without_return, ["approve_dossier"]),  # a step ahead removed: the dossier has not reached it, so it moves
])
def test_steps_ahead_outside_the_running_subprocess_follow_the_new_version(ctx, variant, path):
    dossier = file_dossier()
    receive(dossier)
    (outcome,) = migrate_dossiers(_v1(), deploy_variant(variant()), [dossier.id], by=_admin(), now=LATER)
    assert outcome.migrated, outcome.message
    complete(dossier, "appraise_dossier", "chuyenvien.tohieu", {"proposal": "approve"}, now=LATER)
    walked = []
    users = {"approve_dossier": "lanhdao.tohieu", "sign_result": "lanhdao.tohieu", "return_result": "motcua.tohieu"}
    while dossier.work_items:
        bpmn_id = dossier.work_items[0].bpmn_id
        walked.append(bpmn_id)
        complete(dossier, bpmn_id, users[bpmn_id], {"decision": "approve", "return_channel": "counter"}, now=LATER)
    assert walked == path and dossier.finished_at is not None


def test_a_renamed_task_is_shown_under_its_new_name_after_the_move(ctx):
    dossier = file_dossier()
    receive(dossier)
    opened_at = dossier.work_items[0].opened_at
    (outcome,) = migrate_dossiers(_v1(), deploy_variant(renamed_only()), [dossier.id], by=_admin(), now=LATER)
    assert outcome.migrated
    assert [(w.task_name, w.opened_at) for w in dossier.work_items] == [("Thẩm định hồ sơ (bản mới)", opened_at)]


def test_a_dossier_waiting_at_a_removed_task_is_refused_with_the_task_named(ctx):
    waiting, not_there_yet, passed = file_dossier(), file_dossier(), file_dossier()
    receive(waiting)
    receive(passed)
    complete(passed, "appraise_dossier", "chuyenvien.tohieu", {"proposal": "approve"})
    v1, v3 = _v1(), deploy_variant(without_appraisal())
    state_before = waiting.workflow_state

    checks = {c.dossier.id: c for c in check_dossiers(v1, v3)}
    assert checks[not_there_yet.id].movable and not checks[waiting.id].movable
    assert [(b.bpmn_id, b.reason) for b in checks[waiting.id].blockers] == [("appraise_dossier", "waiting")]

    outcomes = migrate_dossiers(v1, v3, [waiting.id, not_there_yet.id, passed.id], by=_admin(), now=LATER)
    assert [(o.dossier_code, o.migrated) for o in outcomes] == [
        (waiting.code, False), (not_there_yet.code, True), (passed.code, False)]
    assert outcomes[0].message == "hồ sơ đang chờ ở bước «Thẩm định hồ sơ» (appraise_dossier) mà v2 đã bỏ."
    assert "đã qua bước «Thẩm định hồ sơ» (appraise_dossier)" in outcomes[2].message
    assert waiting.process_version_id == v1.id and waiting.workflow_state == state_before
    assert not any(e.kind == "version_migrated" for e in waiting.events)

    complete(not_there_yet, "check_dossier", "motcua.tohieu", {"reception_outcome": "receive"}, now=LATER)
    assert [w.bpmn_id for w in not_there_yet.work_items] == ["approve_dossier"]  # v3 has no appraisal


@pytest.mark.parametrize("target", ["draft", "older", "same"])
def test_only_a_newer_published_version_is_a_target(ctx, target):
    dossier = file_dossier()
    v1 = _v1()
    v2 = deploy_variant(with_legal_check(), published=target != "draft")
    source, to = {"draft": (v1, v2), "older": (v2, v1), "same": (v1, v1)}[target]
    with pytest.raises(MigrationError):
        migrate_dossiers(source, to, [dossier.id], by=_admin(), now=LATER)
    assert version_migration.migration_targets(v1) == ([] if target == "draft" else [v2])


def _setup_dossiers(app, variant=with_legal_check) -> tuple[int, int, list[int]]:
    """Two dossiers at appraisal on v1 and a published v2: ``(v1 id, v2 id, dossier ids)``."""
    with app.app_context():
        ids = []
        for _ in range(2):
            dossier = file_dossier()
            receive(dossier)
            ids.append(dossier.id)
        found = (_v1().id, deploy_variant(variant()).id, ids)
        db.session.commit()
        db.session.remove()
    return found


def test_the_migration_page_shows_the_diff_and_moves_the_selected_dossiers(app, admin):
    v1, v2, (first, second) = _setup_dossiers(app)
    url = f"/admin/versions/{v1}/migration"
    assert f'href="{url}"' in admin.get(f"/admin/versions/{v1}").text
    page = admin.get(url)
    assert page.status_code == 200
    for shown in ("Chuyển hồ sơ đang xử lý từ v1 sang v2", "Kiểm tra pháp lý", "legal_check", "Phê duyệt kết quả",
                  "tên", "Chuyển được", f'name="dossier_ids" value="{first}"', f'name="to" value="{v2}"'):
        assert shown in page.text, shown

    assert admin.post(url, data={"to": v2, "dossier_ids": [first]}).status_code == 400  # no CSRF token
    empty = admin.post(url, data={"csrf_token": csrf_token(admin, url), "to": v2})
    assert empty.status_code == 400 and "Hãy chọn ít nhất một hồ sơ" in empty.text

    moved = admin.post(url, data={"csrf_token": csrf_token(admin, url), "to": v2, "dossier_ids": [first]})
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"{url}?to={v2}")
    page = admin.get(moved.headers["Location"]).text
    assert "Đã chuyển hồ sơ H54.10.01-" in page and f'value="{first}"' not in page and f'value="{second}"' in page
    with app.app_context():
        assert db.session.get(Dossier, first).process_version_id == v2
        assert db.session.get(Dossier, second).process_version_id == v1
        db.session.remove()
    history = _officer_history(app, first)
    assert "Chuyển sang phiên bản quy trình mới" in history and "Phiên bản v1 → v2" in history


def _officer_history(app, dossier_id: int) -> str:
    """The dossier's page as its one-stop officer sees it."""
    with app.app_context():
        code = db.session.get(Dossier, dossier_id).code
        db.session.remove()
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    page = officer.get(f"/officer/dossiers/{code}")
    assert page.status_code == 200
    return page.text


def test_when_every_selected_dossier_is_refused_the_page_says_why_with_409(app, admin):
    v1, v3, (first, _) = _setup_dossiers(app, without_appraisal)
    url = f"/admin/versions/{v1}/migration"
    page = admin.get(url).text
    assert "Không chuyển được: hồ sơ đang chờ ở bước «Thẩm định hồ sơ» (appraise_dossier) mà v2 đã bỏ." in page
    assert f'value="{first}" id="dossier-{first}"\n                   aria-label' in page and "disabled" in page
    refused = admin.post(url, data={"csrf_token": csrf_token(admin, url), "to": v3, "dossier_ids": [first]})
    assert refused.status_code == 409
    assert "Không chuyển hồ sơ H54.10.01-" in refused.text and "«Thẩm định hồ sơ» (appraise_dossier)" in refused.text


def test_without_a_newer_published_version_nothing_can_move(app, admin):
    with app.app_context():
        file_dossier()
        v1 = _v1().id
        draft = deploy_variant(with_legal_check(), published=False).id
        db.session.commit()
        db.session.remove()
    url = f"/admin/versions/{v1}/migration"
    assert "Chưa có phiên bản đã công bố nào mới hơn v1" in admin.get(url).text
    assert admin.get(f"{url}?to={draft}").status_code == 404
    refused = admin.post(url, data={"csrf_token": csrf_token(admin, url), "dossier_ids": ["1"]})
    assert refused.status_code == 409 and "Chưa có phiên bản đã công bố nào mới hơn v1" in refused.text
