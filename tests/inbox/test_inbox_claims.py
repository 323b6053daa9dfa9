"""Claim, unclaim, a leader's reassignment, and completing an item claimed by someone else."""
from sqlalchemy import select

from app.extensions import db
from app.models import Dossier, Officer
from tests.conftest import csrf_token, post_form
from tests.inbox.conftest import officer_client


def claim(client, task_id):
    return post_form(client, f"/officer/work-items/{task_id}/claim", {}, token_url="/officer/")


def events(app, kind):
    with app.app_context():
        return [e.data for e in db.session.scalar(select(Dossier)).events if e.kind == kind]


def test_a_claimed_item_is_refused_to_a_colleague_with_the_claimers_name(app, filed, colleague):
    code, task_id = filed
    first, second = officer_client(app, "motcua.tohieu"), officer_client(app, colleague)
    assert claim(first, task_id).status_code == 303
    assert code not in second.get("/officer/?filter=groups").get_data(as_text=True)
    assert "Lò Thị Hoa" in second.get("/officer/?filter=all").get_data(as_text=True)
    notice = second.get(f"/officer/work-items/{task_id}").get_data(as_text=True)
    assert "đang do <strong>Lò Thị Hoa</strong> nhận xử lý" in notice
    late = claim(second, task_id)
    assert "đã được Lò Thị Hoa nhận" in second.get(late.headers["Location"]).get_data(as_text=True)
    refused = post_form(second, f"/officer/work-items/{task_id}", {"reception_outcome": "receive"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "đang do Lò Thị Hoa nhận xử lý" in body
    with app.app_context():
        assert db.session.scalar(select(Dossier)).status.name == "submitted"
    assert post_form(first, f"/officer/work-items/{task_id}", {"reception_outcome": "receive"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Dossier)).status.name == "in_progress"
    assert [e["to"] for e in events(app, "work_item_claimed")] == ["motcua.tohieu"]


def test_unclaim_gives_it_back_to_the_group(app, filed, colleague):
    code, task_id = filed
    first, second = officer_client(app, "motcua.tohieu"), officer_client(app, colleague)
    claim(first, task_id)
    assert post_form(second, f"/officer/work-items/{task_id}/unclaim", {}, token_url="/officer/").status_code == 403
    back = post_form(first, f"/officer/work-items/{task_id}/unclaim", {}, token_url="/officer/")
    assert back.status_code == 303 and "Đã trả lại" in first.get(back.headers["Location"]).get_data(as_text=True)
    assert code in second.get("/officer/?filter=groups").get_data(as_text=True)
    assert claim(second, task_id).status_code == 303
    assert events(app, "work_item_unclaimed") == [{"task": "Kiểm tra, tiếp nhận hồ sơ", "bpmn_id": "check_dossier",
                                                   "from": "motcua.tohieu"}]


def test_a_leader_reassigns_within_the_agency_and_the_history_says_who(app, filed, colleague):
    code, task_id = filed
    claim(officer_client(app, "motcua.tohieu"), task_id)
    leader = officer_client(app, "lanhdao.tohieu")
    page = leader.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert "Giao việc" in page and "Lường Thị Xuân (motcua2.tohieu)" in page
    with app.app_context():
        target = db.session.scalar(select(Officer).where(Officer.username == colleague)).id
        specialist = db.session.scalar(select(Officer).where(Officer.username == "chuyenvien.tohieu")).id
        stranger = db.session.scalar(select(Officer).where(Officer.username == "motcua.chiengan")).id
    url = f"/officer/work-items/{task_id}/reassign?next=/officer/dossiers/{code}"
    for wrong in (specialist, stranger):  # not in the task's group; another agency
        assert post_form(leader, url, {"officer_id": wrong}, token_url=f"/officer/dossiers/{code}").status_code == 403
    done = post_form(leader, url, {"officer_id": target}, token_url=f"/officer/dossiers/{code}")
    assert done.headers["Location"] == f"/officer/dossiers/{code}"
    history = leader.get(done.headers["Location"]).get_data(as_text=True)
    assert "Lãnh đạo giao lại công việc" in history and "Đang xử lý: Lường Thị Xuân" in history
    assert events(app, "work_item_reassigned") == [{"task": "Kiểm tra, tiếp nhận hồ sơ", "bpmn_id": "check_dossier",
                                                    "from": "motcua.tohieu", "to": colleague,
                                                    "by": "lanhdao.tohieu"}]
    assert code in officer_client(app, colleague).get("/officer/?filter=mine").get_data(as_text=True)


def test_only_leaders_reassign(app, filed, colleague):
    code, task_id = filed
    with app.app_context():
        target = db.session.scalar(select(Officer).where(Officer.username == colleague)).id
    one_stop = officer_client(app, "motcua.tohieu")
    assert "Giao việc" not in one_stop.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    refused = post_form(one_stop, f"/officer/work-items/{task_id}/reassign", {"officer_id": target},
                        token_url="/officer/")
    assert refused.status_code == 403 and "lãnh đạo" in refused.get_data(as_text=True)
    assert events(app, "work_item_reassigned") == []


def test_a_specialist_cannot_claim_a_one_stop_item(app, filed):
    _, task_id = filed
    assert claim(officer_client(app, "chuyenvien.tohieu"), task_id).status_code == 403


def test_claim_without_csrf_token_is_refused(app, filed):
    _, task_id = filed
    client = officer_client(app, "motcua.tohieu")
    assert client.post(f"/officer/work-items/{task_id}/claim").status_code == 400
    assert events(app, "work_item_claimed") == []
    token = csrf_token(client, "/officer/")
    assert client.post(f"/officer/work-items/{task_id}/claim?next=//evil.example/",
                       data={"csrf_token": token}).headers["Location"] == "/officer/"


def test_a_leader_may_release_a_colleagues_claim(app, filed):
    code, task_id = filed
    claim(officer_client(app, "motcua.tohieu"), task_id)
    leader = officer_client(app, "lanhdao.tohieu")
    url = f"/officer/work-items/{task_id}/unclaim?next=/officer/dossiers/{code}"
    assert post_form(leader, url, {}, token_url=f"/officer/dossiers/{code}").status_code == 303
    assert events(app, "work_item_unclaimed")[0]["from"] == "motcua.tohieu"
    other_leader = officer_client(app, "lanhdao.chiengan")
    claim(officer_client(app, "motcua.tohieu"), task_id)
    assert post_form(other_leader, url, {}, token_url="/officer/").status_code == 403
