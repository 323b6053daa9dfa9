"""Pages and slips show the procedure's time limit in its own unit (TimeLimit.label_vi), not the legacy property."""
from sqlalchemy import select

from app.documents.catalogue import time_limit_text
from app.extensions import db
from app.models import Procedure
from tests.conftest import sign_in_officer

SAME_DAY = "Trong ngày (nhận sau 15 giờ thì trả ngày làm việc tiếp theo)"


def test_the_same_day_procedure_says_so_on_the_portal(app):
    client = app.test_client()
    detail = client.get("/procedures/1.001193").get_data(as_text=True)  # birth registration: same_day
    assert SAME_DAY in detail
    assert "None ngày làm việc" not in detail and " ngày làm việc kể từ" not in detail
    listing = client.get("/").get_data(as_text=True)
    assert f"Thời hạn: {SAME_DAY}" in listing
    assert "Thời hạn: 15 ngày làm việc" in listing  # house construction permit (time_limit = 15)
    assert "None ngày làm việc" not in listing


def test_a_working_days_procedure_counts_from_reception_on_the_portal(app):
    detail = app.test_client().get("/procedures/1.009974").get_data(as_text=True)
    assert "15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ" in detail


def test_the_admin_version_page_shows_the_unit(app):
    with app.app_context():
        version_id = db.session.scalar(select(Procedure).where(Procedure.code == "1.001193")).published_version.id
    admin = app.test_client()
    sign_in_officer(admin, "quantri")
    page = admin.get(f"/admin/versions/{version_id}").get_data(as_text=True)
    assert SAME_DAY in page and "None ngày làm việc" not in page


def test_the_slips_time_limit_line_follows_the_unit():
    assert time_limit_text({"time_limit_unit": "same_day", "time_limit": "0"}) == SAME_DAY
    assert time_limit_text({"time_limit_unit": "working_hours", "time_limit": "2"}) == (
        "16 giờ làm việc (2 ngày làm việc) kể từ ngày nhận đủ hồ sơ hợp lệ")
    assert time_limit_text({"processing_working_days": "3"}) == "3 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"
