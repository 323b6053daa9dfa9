"""Timer start events: the scheduler starts system-started dossiers from the ``timer_starts`` rows, once per
occurrence, once after downtime, on the newest published version; pages show who started them."""
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.engine.timer_start import TimerStartSchedule, first_occurrence, latest_due, next_occurrence
from app.extensions import db
from app.models import Dossier, Procedure, TimerStart, TimerStartOccurrence
from app.scheduler import init_scheduler, stop_scheduler
from app.services.procedures import deploy_processes
from app.services.timer_starts import start_due_instance, start_due_instances
from tests.conftest import make_app, sign_in_officer, wait_for

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
CYCLE = "R/2026-07-01T08:00:00+07:00/P1M"
DEPLOYED = datetime(2026, 6, 1, 2, tzinfo=UTC)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _dirs(tmp_path: Path, timer: str | None = None) -> tuple[Path, Path]:
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    processes.mkdir(exist_ok=True)
    text = (CORPUS / "corpus_timer_start.bpmn").read_text()
    if timer is not None:
        text = text.replace(f'<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">{CYCLE}</bpmn:timeCycle>', timer)
    (processes / "corpus_timer_start.bpmn").write_text(text)
    if not forms.exists():
        shutil.copytree(CORPUS / "forms", forms)
    return processes, forms


def _dossiers() -> list[Dossier]:
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "CORPUS.10"))
    return list(db.session.scalars(select(Dossier).where(Dossier.procedure_id == procedure.id).order_by(Dossier.id)))


def _row() -> TimerStart:
    return db.session.scalar(select(TimerStart).join(Procedure).where(Procedure.code == "CORPUS.10"))


def test_publishing_stores_the_next_occurrence_and_a_due_one_starts_a_dossier_without_applicant(ctx, tmp_path):
    deploy_processes(*_dirs(tmp_path), now=DEPLOYED)
    db.session.commit()
    assert _row().next_at == datetime(2026, 7, 1, 1, tzinfo=UTC)  # 08:00 in Sơn La
    assert start_due_instances(datetime(2026, 7, 1, 0, 59, tzinfo=UTC)) == []
    [started] = start_due_instances(datetime(2026, 7, 1, 1, 0, 30, tzinfo=UTC))
    dossier = db.session.get(Dossier, started)
    assert dossier.applicant is None and dossier.system_started
    assert dossier.applicant_label == "Hệ thống (khởi tạo theo lịch)"
    assert [w.bpmn_id for w in dossier.work_items] == ["prepare_report"] and dossier.status.name == "in_progress"
    assert [e.data["occurrence_at"] for e in dossier.events if e.kind == "started_by_timer"] == [
        "2026-07-01T01:00:00+00:00"]
    assert _row().next_at == datetime(2026, 8, 1, 1, tzinfo=UTC)
    assert start_due_instances(datetime(2026, 7, 20, tzinfo=UTC)) == []


def test_after_downtime_the_missed_cycle_fires_once_not_a_burst(ctx, tmp_path):
    deploy_processes(*_dirs(tmp_path), now=DEPLOYED)
    db.session.commit()
    restart = datetime(2026, 10, 15, 3, tzinfo=UTC)  # July, August, September and October were missed
    assert len(start_due_instances(restart)) == 1
    assert start_due_instances(restart + timedelta(minutes=1)) == []
    (dossier,) = _dossiers()
    (occurrence,) = db.session.scalars(select(TimerStartOccurrence))
    assert occurrence.occurrence_at == datetime(2026, 10, 1, 1, tzinfo=UTC) and occurrence.dossier_id == dossier.id
    assert _row().next_at == datetime(2026, 11, 1, 1, tzinfo=UTC)


def test_an_occurrence_another_scheduler_started_is_not_started_again(ctx, tmp_path):
    deploy_processes(*_dirs(tmp_path), now=DEPLOYED)
    db.session.commit()
    now = datetime(2026, 7, 1, 1, 5, tzinfo=UTC)
    row_id = _row().id
    first = start_due_instance(row_id, now=now)
    assert first is not None
    # a second scheduler that read the row before the first moved it: its compare-and-set finds nothing to move
    assert db.session.execute(select(func.count()).select_from(TimerStart).where(
        TimerStart.next_at == datetime(2026, 7, 1, 1, tzinfo=UTC))).scalar() == 0
    db.session.commit()
    assert start_due_instance(row_id, now=now) is None
    # and the occurrence itself is unique: recording it twice is refused by the database
    db.session.add(TimerStartOccurrence(procedure_id=first.procedure_id, occurrence_at=datetime(2026, 7, 1, 1,
                                        tzinfo=UTC), dossier_id=first.id + 1000, started_at=now))
    with pytest.raises(Exception, match="UNIQUE"):
        db.session.flush()
    db.session.rollback()
    assert len(_dossiers()) == 1


def test_publishing_a_new_version_moves_the_schedule_to_it(ctx, tmp_path):
    deploy_processes(*_dirs(tmp_path), now=DEPLOYED)
    db.session.commit()
    first = _row().process_version
    deploy_processes(*_dirs(tmp_path, '<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">0 0 8 15 * ?'
                                      "</bpmn:timeCycle>"), now=DEPLOYED + timedelta(days=1))
    db.session.commit()
    row = _row()
    assert row.process_version.number == first.number + 1 and row.kind == "cron"
    assert row.next_at == datetime(2026, 6, 15, 1, tzinfo=UTC)
    [started] = start_due_instances(datetime(2026, 6, 15, 1, 1, tzinfo=UTC))
    assert db.session.get(Dossier, started).process_version.number == 2
    processes, _ = _dirs(tmp_path)
    (processes / "corpus_timer_start.bpmn").write_text((processes / "corpus_timer_start.bpmn").read_text().replace(
        "Lập báo cáo tháng", "Lập báo cáo"))  # same cycle again, another task name: the schedule is kept
    deploy_processes(processes, tmp_path / "forms", now=DEPLOYED + timedelta(days=2))
    db.session.commit()
    assert _row().process_version.number == 3 and _row().kind == "cycle"
    assert _row().next_at == datetime(2026, 7, 1, 1, tzinfo=UTC)


def test_officer_pages_show_the_system_as_the_applicant(app, tmp_path):
    with app.app_context():
        deploy_processes(*_dirs(tmp_path), now=DEPLOYED)
        db.session.commit()
        [started] = start_due_instances(datetime(2026, 7, 1, 1, 1, tzinfo=UTC))
        code = db.session.get(Dossier, started).code
    client = app.test_client()
    sign_in_officer(client, "chuyenvien.tohieu")
    inbox = client.get("/officer/").get_data(as_text=True)
    assert code in inbox and "Hệ thống (khởi tạo theo lịch)" in inbox
    page = client.get(f"/officer/dossiers/{code}")
    assert page.status_code == 200 and "Hệ thống (khởi tạo theo lịch)" in page.get_data(as_text=True)


@pytest.mark.parametrize(("kind", "expression", "anchor", "after", "wanted"), [
    ("cycle", "R5/PT1H", DEPLOYED, DEPLOYED, (DEPLOYED + timedelta(hours=1), 0)),
    ("cycle", "R5/PT1H", DEPLOYED, DEPLOYED + timedelta(hours=5), (None, 5)),  # five used up
    ("cycle", "R/2026-01-31T08:00:00+07:00/P1M", DEPLOYED, datetime(2026, 2, 1, tzinfo=UTC),  # month ends
     (datetime(2026, 2, 28, 1, tzinfo=UTC), 1)),
    ("cycle", "R/2026-01-31T08:00:00+07:00/P1M", DEPLOYED, DEPLOYED, (datetime(2026, 6, 30, 1, tzinfo=UTC), 5)),
    ("cron", "0 30 7 ? * 2-6", DEPLOYED, datetime(2026, 6, 5, 1, tzinfo=UTC),  # Friday → Monday 07:30
     (datetime(2026, 6, 8, 0, 30, tzinfo=UTC), 0)),
    ("date", "2026-12-01T08:00:00+07:00", DEPLOYED, DEPLOYED, (datetime(2026, 12, 1, 1, tzinfo=UTC), 0)),
    ("date", "2026-12-01T08:00:00+07:00", DEPLOYED, datetime(2026, 12, 2, tzinfo=UTC), (None, 1)),
])
def test_next_occurrence_of_cycles_crons_and_dates(kind, expression, anchor, after, wanted):
    assert next_occurrence(TimerStartSchedule("s", kind, expression), anchor=anchor, after=after, zone=HCM) == wanted


def test_the_latest_missed_occurrence_is_the_one_started():
    schedule = TimerStartSchedule("s", "cycle", "R/PT1H")
    due = first_occurrence(schedule, anchor=DEPLOYED, zone=HCM)
    assert latest_due(schedule, anchor=DEPLOYED, due=due, now=DEPLOYED + timedelta(hours=5, minutes=30),
                      zone=HCM) == DEPLOYED + timedelta(hours=5)


@pytest.fixture
def scheduled_app(tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'starts.db'}", SCHEDULER_SWEEP_SECONDS=1)
    yield app
    stop_scheduler(app)
    with app.app_context():
        db.engine.dispose()


def test_the_scheduler_starts_a_due_timer_start_once(scheduled_app, tmp_path):
    soon = (datetime.now(UTC) + timedelta(seconds=1)).astimezone(HCM).isoformat(timespec="seconds")
    with scheduled_app.app_context():
        deploy_processes(*_dirs(tmp_path, f'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">{soon}</bpmn:timeDate>'),
                         now=datetime.now(UTC))
        db.session.commit()
        db.session.remove()
    init_scheduler(scheduled_app)

    def started() -> int:
        with scheduled_app.app_context():
            count = len(_dossiers())
            db.session.remove()
            return count
    assert wait_for(lambda: started() == 1, seconds=10)
    time.sleep(2.5)  # the job polls every second meanwhile: the date has no second occurrence
    assert started() == 1


def test_citizens_cannot_find_or_file_a_system_started_procedure(app, tmp_path):
    with app.app_context():
        deploy_processes(*_dirs(tmp_path), now=DEPLOYED)
        db.session.commit()
    client = app.test_client()
    listing = client.get("/").get_data(as_text=True)
    assert "Mã 1.001612" in listing and "CORPUS.10" not in listing  # the household business procedure is listed
    assert client.get("/procedures/CORPUS.10").status_code == 404
