"""The inbox: Tasklist-like filters with counts, search by dossier code, by procedure, agency boundaries."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Dossier
from tests.conftest import post_form
from tests.inbox.conftest import file_dossier, officer_client

COUNT = re.compile(r'data-filter="(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>')


def counts(client, url="/officer/") -> dict[str, int]:
    page = client.get(url)
    assert page.status_code == 200
    return {key: int(n) for key, n in COUNT.findall(page.get_data(as_text=True))}


def test_new_dossier_counts_for_the_one_stop_group_until_claimed(app, filed):
    code, task_id = filed
    one_stop = officer_client(app, "motcua.tohieu")
    assert counts(one_stop) == {"todo": 1, "mine": 0, "groups": 1, "unassigned": 1, "due_soon": 0, "overdue": 0,
                                "all": 1}
    assert post_form(one_stop, f"/officer/work-items/{task_id}/claim", {}, token_url="/officer/").status_code == 303
    assert counts(one_stop) == {"todo": 1, "mine": 1, "groups": 0, "unassigned": 0, "due_soon": 0,
                                "overdue": 0, "all": 1}
    mine = one_stop.get("/officer/?filter=mine").get_data(as_text=True)
    assert code in mine and "Trả lại" in mine


def test_specialist_sees_it_only_among_all_items_of_the_agency(app, filed):
    code, _ = filed
    specialist = officer_client(app, "chuyenvien.tohieu")
    assert counts(specialist)["groups"] == 0 and counts(specialist)["all"] == 1
    assert code not in specialist.get("/officer/?filter=groups").get_data(as_text=True)
    everything = specialist.get("/officer/?filter=all").get_data(as_text=True)
    assert code in everything and "Nhận việc" not in everything  # not their group: nothing to claim


def test_after_reception_the_specialist_has_it_under_my_groups(app, filed):
    code, task_id = filed
    one_stop = officer_client(app, "motcua.tohieu")
    assert post_form(one_stop, f"/officer/work-items/{task_id}", {"reception_outcome": "receive"}).status_code == 303
    specialist = officer_client(app, "chuyenvien.tohieu")
    assert counts(specialist)["groups"] == 1
    groups = specialist.get("/officer/?filter=groups").get_data(as_text=True)
    assert code in groups and "Thẩm định hồ sơ" in groups and re.search(r"Còn \d+ ngày làm việc", groups)
    assert counts(one_stop)["todo"] == 0


def test_other_agencies_see_no_count_and_no_row(app, filed):
    code, _ = filed
    other = officer_client(app, "motcua.chiengan")
    assert set(counts(other).values()) == {0}
    assert code not in other.get("/officer/?filter=all").get_data(as_text=True)
    assert f'data-dossier="{code}"' not in other.get(f"/officer/?filter=all&q={code}").get_data(as_text=True)


def test_search_by_part_of_the_code_and_filter_by_procedure(app, filed):
    code, _ = filed
    second, _ = file_dossier(app, business_name="Hộ kinh doanh Tạp hóa Bản Hài")
    one_stop = officer_client(app, "motcua.tohieu")
    assert counts(one_stop)["todo"] == 2
    found = one_stop.get(f"/officer/?q={second[-4:]}").get_data(as_text=True)
    assert second in found and code not in found
    none = one_stop.get("/officer/?q=KHONG-CO").get_data(as_text=True)
    assert "Không có công việc nào khớp với tìm kiếm" in none
    with app.app_context():
        procedure = db.session.scalar(select(Dossier)).procedure
    by_procedure = one_stop.get(f"/officer/?procedure={procedure.code}").get_data(as_text=True)
    assert code in by_procedure and second in by_procedure and f"{procedure.name} <span class=\"count\">2</span>" \
        in by_procedure
    assert code not in one_stop.get("/officer/?procedure=0.000000").get_data(as_text=True)


def test_sorted_by_due_time_soonest_first(app, filed):
    first, _ = filed
    second, _ = file_dossier(app)
    with app.app_context():
        from datetime import timedelta
        late, soon = (db.session.scalar(select(Dossier).where(Dossier.code == c)) for c in (first, second))
        base = late.work_items[0].opened_at
        late.work_items[0].due_at = base + timedelta(days=9)
        soon.work_items[0].due_at = base + timedelta(days=2)
        db.session.commit()
    html = officer_client(app, "motcua.tohieu").get("/officer/").get_data(as_text=True)
    assert html.index(second) < html.index(first)


def test_overdue_and_due_soon_filters_follow_working_time(app, filed):
    from datetime import UTC, datetime, timedelta
    code, _ = filed
    second, _ = file_dossier(app)
    with app.app_context():
        late = db.session.scalar(select(Dossier).where(Dossier.code == code))
        late.work_items[0].due_at = datetime.now(UTC) - timedelta(days=8)  # more than one working week ago
        soon = db.session.scalar(select(Dossier).where(Dossier.code == second))
        soon.work_items[0].due_at = datetime.now(UTC) + timedelta(minutes=30)
        db.session.commit()
    one_stop = officer_client(app, "motcua.tohieu")
    assert counts(one_stop)["overdue"] == 1 and counts(one_stop)["due_soon"] == 1
    overdue = one_stop.get("/officer/?filter=overdue").get_data(as_text=True)
    assert f'data-dossier="{code}"' in overdue and f'data-dossier="{second}"' not in overdue
    assert re.search(r'class="chip overdue"[^>]*>Quá hạn [4-8] ngày làm việc<', overdue)
    due_soon = one_stop.get("/officer/?filter=due_soon").get_data(as_text=True)
    assert f'data-dossier="{second}"' in due_soon and f'data-dossier="{code}"' not in due_soon
    assert re.search(r'class="chip due_soon"[^>]*>Còn \d+ (giờ|phút) làm việc<', due_soon)
