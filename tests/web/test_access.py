"""Who may see and do what: sign-in, CSRF, agency and role boundaries on every officer and portal route."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Dossier, Officer
from tests.conftest import APPLICATION, csrf_token, post_form, sign_in_citizen, sign_in_officer


@pytest.fixture
def filed(app):
    """A dossier filed by Nguyễn Văn An with Phường Tô Hiệu; returns (code, task id of the reception check)."""
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    post_form(citizen, "/procedures/1.001612/apply", APPLICATION)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        return dossier.code, dossier.work_items[0].task_id


@pytest.mark.parametrize("url", ["/officer/", "/officer/work-items/x", "/officer/dossiers/x"])
def test_officer_pages_need_an_officer(app, url):
    assert app.test_client().get(url).headers["Location"].startswith("/officer/sign-in")
    citizen = app.test_client()
    sign_in_citizen(citizen, "014090001234")
    assert citizen.get(url).headers["Location"].startswith("/officer/sign-in")


@pytest.mark.parametrize("url", ["/my-dossiers", "/procedures/1.001612/apply"])
def test_portal_pages_need_a_citizen(app, url):
    assert app.test_client().get(url).headers["Location"].startswith("/sign-in")
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    assert officer.get(url).status_code == 403


def test_officer_of_another_agency_can_neither_see_nor_act(app, filed):
    code, task_id = filed
    other = app.test_client()
    sign_in_officer(other, "motcua.chiengan")
    assert code not in other.get("/officer/").get_data(as_text=True)
    assert other.get(f"/officer/dossiers/{code}").status_code == 404
    assert other.get(f"/officer/work-items/{task_id}").status_code == 403
    token = csrf_token(other, "/officer/")
    refused = other.post(f"/officer/work-items/{task_id}", data={"csrf_token": token, "reception_outcome": "receive"})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Dossier)).status.name == "submitted"


def test_officer_of_the_agency_sees_the_item_in_the_inbox(app, filed):
    code, task_id = filed
    mine = app.test_client()
    sign_in_officer(mine, "motcua.tohieu")
    inbox = mine.get("/officer/").get_data(as_text=True)
    assert code in inbox and f"/officer/work-items/{task_id}" in inbox and "Kiểm tra, tiếp nhận hồ sơ" in inbox
    specialist = app.test_client()
    sign_in_officer(specialist, "chuyenvien.tohieu")
    assert code not in specialist.get("/officer/").get_data(as_text=True)
    assert specialist.get(f"/officer/work-items/{task_id}").status_code == 403


def test_another_citizen_cannot_open_my_dossier(app, filed):
    code, task_id = filed
    other = app.test_client()
    sign_in_citizen(other, "014195004567")
    assert other.get(f"/my-dossiers/{code}").status_code == 404
    assert other.get(f"/my-dossiers/{code}/tasks/{task_id}").status_code == 404
    assert code not in other.get("/my-dossiers").get_data(as_text=True)


def test_posts_without_csrf_token_are_refused(app, filed):
    code, task_id = filed
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    response = officer.post(f"/officer/work-items/{task_id}", data={"reception_outcome": "receive"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Dossier)).status.name == "submitted"


def test_wrong_passwords_lock_the_account_for_a_while(app):
    client = app.test_client()
    for _ in range(5):
        response = post_form(client, "/officer/sign-in", {"username": "motcua.tohieu", "password": "sai-mat-khau"})
        assert response.status_code == 401
    right = {"username": "motcua.tohieu", "password": "MotCua@2026"}
    assert post_form(client, "/officer/sign-in", right).status_code == 401
    with app.app_context():
        officer = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
        assert officer.locked_until is not None and officer.password_hash.startswith("$argon2id$")
        officer.locked_until = datetime.now(UTC) - timedelta(seconds=1)  # the lockout has run out
        db.session.commit()
    assert post_form(client, "/officer/sign-in", right).status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/x", "/%09/evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_sign_in_never_redirects_off_site(app, target):
    client = app.test_client()
    url = f"/sign-in/dev-vneid?next={target}"
    response = client.post(url, data={"personal_id": "014090001234", "csrf_token": csrf_token(client, url)})
    assert response.headers["Location"] == "/my-dossiers"


@pytest.mark.parametrize("username, landing", [("quantri", "/admin/"), ("motcua.tohieu", "/officer/"),
                                               ("lanhdao.tohieu", "/officer/")])
def test_officers_land_where_their_work_is(app, username, landing):
    assert sign_in_officer(app.test_client(), username).headers["Location"] == landing


def test_unknown_code_in_public_lookup_says_so(app):
    response = app.test_client().get("/lookup?code=H54.10.01-000000-9999")
    assert response.status_code == 404 and "Không tìm thấy hồ sơ" in response.get_data(as_text=True)


def test_completed_task_link_says_already_handled(app, filed):
    code, task_id = filed
    first, second = app.test_client(), app.test_client()
    sign_in_officer(first, "motcua.tohieu")
    sign_in_officer(second, "motcua.tohieu")
    second_token = csrf_token(second, f"/officer/work-items/{task_id}")  # both have the form open
    assert post_form(first, f"/officer/work-items/{task_id}", {"reception_outcome": "receive"}).status_code == 303
    late = second.post(f"/officer/work-items/{task_id}", data={"csrf_token": second_token,
                                                                "reception_outcome": "refuse",
                                                                "refusal_reason": "Thiếu giấy tờ"})
    assert late.status_code == 303
    assert "đã được xử lý" in second.get(late.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        assert dossier.status.name == "in_progress"
        assert [e.kind for e in dossier.events].count("task_completed") == 1


def test_initial_password_must_be_changed_before_anything_else(app):
    with app.app_context():
        officer = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
        officer.must_change_password = True
        db.session.commit()
    client = app.test_client()
    sign_in_officer(client, "motcua.tohieu")
    assert client.get("/officer/").headers["Location"] == "/officer/password"
    mismatch = post_form(client, "/officer/password", {"current_password": "MotCua@2026",
                                                        "new_password": "Bản-Hài-2026!", "confirm_password": "khác"})
    assert mismatch.status_code == 400 and "Hai mật khẩu không khớp" in mismatch.get_data(as_text=True)
    changed = post_form(client, "/officer/password", {"current_password": "MotCua@2026",
                                                       "new_password": "Bản-Hài-2026!",
                                                       "confirm_password": "Bản-Hài-2026!"})
    assert changed.headers["Location"] == "/officer/"
    assert client.get("/officer/").status_code == 200
    fresh = app.test_client()
    assert post_form(fresh, "/officer/sign-in", {"username": "motcua.tohieu",
                                                 "password": "Bản-Hài-2026!"}).status_code == 302


def test_admin_sign_in_goes_back_to_the_admin_page(app):
    client = app.test_client()
    to_sign_in = client.get("/admin/incidents")
    assert to_sign_in.status_code == 302 and "/officer/sign-in" in to_sign_in.headers["Location"]
    response = post_form(client, to_sign_in.headers["Location"], {"username": "quantri", "password": "MotCua@2026"})
    assert response.headers["Location"].startswith("/admin/incidents")


# --- Every route, by who may use it -------------------------------------------------------------------------------
# A route the app gains without an entry here fails test_every_route_has_an_access_rule: add it, and the tests below
# check it for its kind (public; citizen: own dossiers only; officer; agency: officers of the dossier's agency only;
# admin: system administrators only).
PUBLIC, CITIZEN, OWN_DOSSIER, OFFICER, AGENCY, ADMIN = "public", "citizen", "own", "officer", "agency", "admin"
ROUTES = {
    "static": (PUBLIC, "/static/style.css", {"GET"}),
    "portal.index": (PUBLIC, "/", {"GET"}),
    "portal.lookup": (PUBLIC, "/lookup", {"GET"}),
    "portal.procedure_detail": (PUBLIC, "/procedures/1.001612", {"GET"}),
    "portal.sign_in": (PUBLIC, "/sign-in", {"GET"}),
    "portal.dev_sign_in": (PUBLIC, "/sign-in/dev-vneid", {"GET", "POST"}),
    "portal.sign_out": (PUBLIC, "/sign-out", {"POST"}),
    "portal.my_dossiers": (CITIZEN, "/my-dossiers", {"GET"}),
    "portal.file_dossier": (CITIZEN, "/procedures/1.001612/apply", {"GET", "POST"}),
    "portal.my_dossier": (OWN_DOSSIER, "/my-dossiers/{code}", {"GET"}),
    "portal.my_task": (OWN_DOSSIER, "/my-dossiers/{code}/tasks/{task_id}", {"GET", "POST"}),
    "officer.sign_in": (PUBLIC, "/officer/sign-in", {"GET", "POST"}),
    "officer.sign_out": (PUBLIC, "/officer/sign-out", {"POST"}),
    "officer.change_password": (OFFICER, "/officer/password", {"GET", "POST"}),
    "officer.inbox": (OFFICER, "/officer/", {"GET"}),
    "officer.dossier_detail": (AGENCY, "/officer/dossiers/{code}", {"GET"}),
    "officer.dossier_bpmn": (AGENCY, "/officer/dossiers/{code}/diagram.bpmn", {"GET"}),
    "officer.work_item": (AGENCY, "/officer/work-items/{task_id}", {"GET", "POST"}),
    "officer.claim_work_item": (AGENCY, "/officer/work-items/{task_id}/claim", {"POST"}),
    "officer.unclaim_work_item": (AGENCY, "/officer/work-items/{task_id}/unclaim", {"POST"}),
    "officer.reassign_work_item": (AGENCY, "/officer/work-items/{task_id}/reassign", {"POST"}),
    "admin.index": (ADMIN, "/admin/", {"GET"}),
    "admin.incidents": (ADMIN, "/admin/incidents", {"GET"}),
    "admin.retry_incident": (ADMIN, "/admin/incidents/1/retry", {"POST"}),
    "admin.procedures": (ADMIN, "/admin/procedures", {"GET"}),
    "admin.upload_form": (ADMIN, "/admin/procedures/upload", {"GET"}),
    "admin.upload_version": (ADMIN, "/admin/procedures/upload", {"POST"}),
    "admin.version": (ADMIN, "/admin/versions/1", {"GET"}),
    "admin.version_bpmn": (ADMIN, "/admin/versions/1/diagram.bpmn", {"GET"}),
    "admin.migration": (ADMIN, "/admin/versions/1/migration", {"GET"}),
    "admin.migrate_dossiers": (ADMIN, "/admin/versions/1/migration", {"POST"}),
    "admin.publish_version": (ADMIN, "/admin/versions/1/publish", {"POST"}),
    "admin.run_version_scenarios": (ADMIN, "/admin/versions/1/scenarios", {"POST"}),
    "admin.calendar": (ADMIN, "/admin/calendar", {"GET"}),
    "admin.new_calendar_entry": (ADMIN, "/admin/calendar/new", {"GET", "POST"}),
    "admin.edit_calendar_entry": (ADMIN, "/admin/calendar/1/edit", {"GET", "POST"}),
    "admin.delete_calendar_entry": (ADMIN, "/admin/calendar/1/delete", {"POST"}),
    "admin.office_hours": (ADMIN, "/admin/calendar/office-hours", {"GET"}),
    "admin.agency_office_hours": (ADMIN, "/admin/calendar/office-hours/1", {"GET", "POST"}),
    "officer.reception_index": (OFFICER, "/officer/reception", {"GET"}),
    "officer.receive_at_counter": (OFFICER, "/officer/reception/1.001612", {"GET", "POST"}),
    "officer.tracking_book": (OFFICER, "/officer/tracking-book/2026.xlsx", {"GET"}),
    "officer.slip_pdf": (AGENCY, "/officer/dossiers/{code}/slips/1.pdf", {"GET"}),
    "officer.control_sheet": (AGENCY, "/officer/dossiers/{code}/control-sheet.pdf", {"GET"}),
    "officer.attachment_file": (AGENCY, "/officer/dossiers/{code}/attachments/1", {"GET"}),
    "portal.apologies": (PUBLIC, "/apologies", {"GET"}),
    "portal.my_slip": (OWN_DOSSIER, "/my-dossiers/{code}/slips/1.pdf", {"GET"}),
    "portal.withdraw_dossier": (OWN_DOSSIER, "/my-dossiers/{code}/withdraw", {"POST"}),
    "officer.record_withdrawal": (AGENCY, "/officer/dossiers/{code}/withdrawal", {"POST"}),
    "portal.my_attachment": (OWN_DOSSIER, "/my-dossiers/{code}/attachments/1", {"GET"}),
}


def routes_of(*kinds):
    return [pytest.param(endpoint, method, id=f"{endpoint}-{method}")
            for endpoint, (kind, _, methods) in ROUTES.items() if kind in kinds for method in sorted(methods)]


def request_as(client, method: str, url: str):
    """GET, or POST with a valid CSRF token of the client's session (so that only the access rule can refuse)."""
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(client, "/officer/sign-in"), "officer_id": "1",
                                  "reception_outcome": "receive"})


def test_every_route_has_an_access_rule(app):
    found = {}
    for rule in app.url_map.iter_rules():
        found.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    missing = sorted(set(found) - set(ROUTES))
    assert not missing, f"routes without an access rule in tests/web/test_access.py ROUTES: {missing}"
    assert {e: found[e] for e in found} == {e: ROUTES[e][2] for e in found}
    assert not set(ROUTES) - set(found), "ROUTES names endpoints the app no longer has"


@pytest.mark.parametrize("endpoint, method", routes_of(PUBLIC))
def test_public_routes_are_open(app, endpoint, method):
    if method == "POST":
        return  # the sign-in and sign-out posts are exercised by every sign_in_* helper
    response = app.test_client().get(ROUTES[endpoint][1])
    response.close()  # the static file's handle
    assert response.status_code == 200


@pytest.mark.parametrize("endpoint, method", routes_of(OFFICER, AGENCY))
def test_every_officer_route_sends_others_to_the_officer_sign_in(app, filed, endpoint, method):
    code, task_id = filed
    url = ROUTES[endpoint][1].format(code=code, task_id=task_id)
    anonymous, citizen = app.test_client(), app.test_client()
    sign_in_citizen(citizen, "014090001234")
    for client in (anonymous, citizen):
        response = request_as(client, method, url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/officer/sign-in")


@pytest.mark.parametrize("username", ["motcua.chiengan", "chuyenvien.chiengan", "lanhdao.chiengan"])
@pytest.mark.parametrize("endpoint, method", routes_of(AGENCY))
def test_every_agency_route_refuses_officers_of_another_agency(app, filed, endpoint, method, username):
    code, task_id = filed
    with app.app_context():
        before = [(e.kind, e.data) for e in db.session.scalar(select(Dossier)).events]
    other = app.test_client()
    sign_in_officer(other, username)
    response = request_as(other, method, ROUTES[endpoint][1].format(code=code, task_id=task_id))
    assert response.status_code in (403, 404)
    assert code not in response.get_data(as_text=True) and b"check_dossier" not in response.data
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        assert [(e.kind, e.data) for e in dossier.events] == before
        assert dossier.status.name == "submitted" and dossier.work_items[0].claimed_by_id is None


@pytest.mark.parametrize("endpoint, method", routes_of(ADMIN))
def test_every_admin_route_needs_a_system_administrator(app, endpoint, method):
    url = ROUTES[endpoint][1]
    anonymous = request_as(app.test_client(), method, url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/officer/sign-in")
    for username in ("motcua.tohieu", "lanhdao.tohieu"):
        officer = app.test_client()
        sign_in_officer(officer, username)
        assert request_as(officer, method, url).status_code == 403


@pytest.mark.parametrize("endpoint, method", routes_of(CITIZEN, OWN_DOSSIER))
def test_every_citizen_route_refuses_officers_and_other_citizens(app, filed, endpoint, method):
    code, task_id = filed
    url = ROUTES[endpoint][1].format(code=code, task_id=task_id)
    anonymous = request_as(app.test_client(), method, url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/sign-in")
    officer = app.test_client()
    sign_in_officer(officer, "motcua.tohieu")
    assert request_as(officer, method, url).status_code == 403
    if ROUTES[endpoint][0] == OWN_DOSSIER:
        other = app.test_client()
        sign_in_citizen(other, "014195004567")
        response = request_as(other, method, url)
        assert response.status_code == 404 and code not in response.get_data(as_text=True)
