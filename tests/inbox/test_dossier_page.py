"""The officers' dossier page: the dossier's own diagram with where it stands and the way it came, documents,
history."""
import json
import re
from pathlib import Path

from sqlalchemy import select

from app.admin.viewer import viewer_assets
from app.extensions import db
from app.models import Dossier
from app.officer.dossier_view import diagram_markers
from tests.conftest import post_form
from tests.inbox.conftest import officer_client

MARKERS = re.compile(r"data-markers='([^']*)'")


def markers(app, code) -> dict[str, str]:
    with app.app_context():
        return diagram_markers(db.session.scalar(select(Dossier).where(Dossier.code == code)))


def test_diagram_marks_the_live_position_and_the_path_taken(app, filed):
    code, task_id = filed
    before = markers(app, code)
    assert before["check_dossier"] == "dossier-active" and before["start_submitted"] == "dossier-completed"
    assert before["flow_start_to_merge"] == before["flow_merge_to_check"] == "dossier-taken"
    assert "appraise_dossier" not in before and "flow_receive" not in before
    post_form(officer_client(app, "motcua.tohieu"), f"/officer/work-items/{task_id}", {"reception_outcome": "receive"})
    after = markers(app, code)
    assert after["check_dossier"] == "dossier-completed" and after["appraise_dossier"] == "dossier-active"
    assert after["flow_receive"] == after["flow_check_to_outcome"] == "dossier-taken"
    assert "flow_refuse" not in after and "flow_supplement" not in after and "end_not_received" not in after


def test_page_hands_the_markers_to_the_viewer(app, filed):
    code, _ = filed
    page = officer_client(app, "motcua.tohieu").get(f"/officer/dossiers/{code}").get_data(as_text=True)
    if viewer_assets(Path(app.static_folder)) is None:  # bpmn-js not installed (no npm): the page says so
        assert "chưa được cài" in page and "data-markers" not in page
    else:
        assert json.loads(MARKERS.search(page).group(1)) == markers(app, code)
        assert f'data-xml-url="/officer/dossiers/{code}/diagram.bpmn"' in page


def test_diagram_xml_is_the_dossiers_own_version_and_stays_in_the_agency(app, filed):
    code, _ = filed
    xml = officer_client(app, "chuyenvien.tohieu").get(f"/officer/dossiers/{code}/diagram.bpmn")
    assert xml.status_code == 200 and b'id="check_dossier"' in xml.data
    assert officer_client(app, "motcua.chiengan").get(f"/officer/dossiers/{code}/diagram.bpmn").status_code == 404


def test_page_shows_documents_section_and_history(app, filed):
    code, task_id = filed
    one_stop = officer_client(app, "motcua.tohieu")
    post_form(one_stop, f"/officer/work-items/{task_id}/claim", {}, token_url="/officer/")
    page = one_stop.get(f"/officer/dossiers/{code}").get_data(as_text=True)
    assert 'id="documents"' in page and "Giấy tờ, phiếu và kết quả" in page
    assert "Nộp hồ sơ trực tuyến" in page and "Nhận xử lý công việc" in page and "Đang xử lý: Lò Thị Hoa" in page


def test_an_open_incident_is_marked_on_the_diagram(app, filed):
    from datetime import UTC, datetime

    from app.models import Incident, IncidentState
    code, _ = filed
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        for state, bpmn_id in ((IncidentState.open, "notify_due_soon"), (IncidentState.resolved, "check_dossier")):
            db.session.add(Incident(dossier=dossier, task_id="0" * 36, bpmn_id=bpmn_id, topic="notify", error="down",
                                    attempts=3, state=state, opened_at=datetime.now(UTC)))
        db.session.commit()
    found = markers(app, code)
    assert found["notify_due_soon"] == "dossier-incident" and found["check_dossier"] == "dossier-active"
