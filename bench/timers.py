"""Benchmark: timer firing lag under load, and how soon firing resumes after a restart. Prints figures only.

(a) **lag** — N dossiers of ``tests/data/two_step.bpmn`` (a reminder timer, then the ``deadline_warning`` service
    task) are filed through the service layer on a SQLite file, their timers due evenly over WINDOW seconds that
    start after the filing is done; then the scheduler (one process, the lease holder) runs until every timer fired.
    Lag = ``timer_fired`` event time − the timer's due time; p50, p99 and max over all N.
(b) **restart** — a database holding RESTART pending timers (a few real dossiers already overdue, the rest copies
    of a real dossier's rows due tomorrow, written in bulk) gets a new app and a new scheduler; the figure is the
    seconds from creating the app until the first overdue timer has fired and committed.

Usage (from the repository root)::

    python bench/timers.py [--n 10000] [--window 60] [--restart 100000] [--skip-lag] [--skip-restart]

The issue's numbers are the defaults; filing 10,000 dossiers takes minutes on a small machine.
"""
import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Agency, Applicant, Dossier, DossierEvent, PendingTimerRow, Procedure  # noqa: E402
from app.models.working_calendar import seed_official_calendar  # noqa: E402
from app.scheduler import init_scheduler, stop_scheduler  # noqa: E402
from app.seed import seed_sample_data  # noqa: E402
from app.services.dossiers import submit_dossier  # noqa: E402
from app.services.procedures import deploy_processes  # noqa: E402
from config import TestingConfig  # noqa: E402

DATA = ROOT / "tests" / "data"
PROCEDURE = "T.0001"
AGENCY = "H54.10.01"


def make_app(path: Path, *, setup: bool):
    config = type("BenchConfig", (TestingConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 30}},
        "PROCESSES_DIR": str(DATA), "FORMS_DIR": str(DATA), "SCHEDULER_POLL_SECONDS": 1.0,
        "SCHEDULER_SWEEP_SECONDS": 60, "SCHEDULER_LEASE_SECONDS": 15})
    app = create_app(config)
    if setup:
        with app.app_context():
            db.create_all()
            seed_official_calendar()
            seed_sample_data()
            deploy_processes(DATA, DATA, now=datetime.now(UTC))
            db.session.commit()
    return app


def file_dossiers(app, due_times: list[datetime]) -> None:
    """File one two-step dossier per due time, a commit each (as the portal does)."""
    with app.app_context():
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
        applicant = db.session.scalar(select(Applicant))
        agency = db.session.scalar(select(Agency).where(Agency.code == AGENCY))
        for due in due_times:
            submit_dossier(procedure, applicant=applicant, now=datetime.now(UTC), handling_agency=agency,
                           application={"remind_at": due.isoformat(), "reviewer": "chuyenvien.tohieu"})
            db.session.commit()
        db.session.remove()


def pending_count(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(select(func.count()).select_from(PendingTimerRow))
        finally:
            db.session.remove()


def fired_timers(app) -> list[tuple[datetime, float]]:
    """``(fired at, lag in seconds)`` of every fired timer."""
    with app.app_context():
        events = db.session.scalars(select(DossierEvent).where(DossierEvent.kind == "timer_fired")).all()
        result = [(e.at, (e.at - datetime.fromisoformat(e.data["due_at"])).total_seconds()) for e in events]
        db.session.remove()
    return result


def bench_lag(n: int, window: float, tmp: Path) -> None:
    app = make_app(tmp / "lag.db", setup=True)
    warm = min(100, n)  # the filing rate is measured on these; their timers are due the day after tomorrow
    started = time.perf_counter()
    file_dossiers(app, [datetime.now(UTC) + timedelta(days=2)] * warm)
    per_dossier = (time.perf_counter() - started) / max(warm, 1)
    start_at = datetime.now(UTC) + timedelta(seconds=per_dossier * n * 1.5 + 10)  # after the filing is over
    due = [start_at + timedelta(seconds=window * i / max(n - 1, 1)) for i in range(n)]
    file_dossiers(app, due)
    setup_seconds = time.perf_counter() - started
    if datetime.now(UTC) >= start_at:
        print(f"lag: filing took {setup_seconds:.0f} s, longer than planned; rerun with a smaller --n")
        return
    print(f"lag: {n + warm} dossiers filed in {setup_seconds:.0f} s ({per_dossier * 1000:.1f} ms each); scheduler "
          f"starts {(start_at - datetime.now(UTC)).total_seconds():.0f} s before the first timer is due", flush=True)
    init_scheduler(app)
    try:
        while pending_count(app) > warm:
            time.sleep(0.5)
    finally:
        stop_scheduler(app)
    fired = fired_timers(app)
    values = sorted(lag for _, lag in fired)
    span = (max(at for at, _ in fired) - min(at for at, _ in fired)).total_seconds()
    p50, p99 = statistics.median(values), values[max(0, int(len(values) * 0.99) - 1)]
    print(f"timer lag over {len(values)} timers due within {window:g} s: p50 {p50:.3f} s")
    print(f"timer lag p99 {p99:.3f} s")
    print(f"timer lag max {values[-1]:.3f} s")
    worst_at = max(fired, key=lambda f: f[1])[0]
    print(f"worst lag at +{(worst_at - start_at).total_seconds():.1f} s into the window")
    print(f"firing throughput {len(values) / max(span, 1e-9):.0f} timers/s (each with its deadline_warning task)")
    with app.app_context():
        db.engine.dispose()


def bench_restart(total: int, tmp: Path) -> None:
    path = tmp / "restart.db"
    app = make_app(path, setup=True)
    overdue = 10
    due_soon = datetime.now(UTC) + timedelta(seconds=2)
    file_dossiers(app, [due_soon] * overdue + [datetime.now(UTC) + timedelta(days=1)])
    copy_rows(app, total - overdue - 1)
    count = pending_count(app)
    with app.app_context():
        db.engine.dispose()
    while datetime.now(UTC) <= due_soon:
        time.sleep(0.1)
    started = time.perf_counter()
    restarted = make_app(path, setup=False)
    init_scheduler(restarted)
    try:
        while True:
            with restarted.app_context():
                fired = db.session.scalar(select(func.count()).select_from(DossierEvent)
                                          .where(DossierEvent.kind == "timer_fired"))
                db.session.remove()
            if fired:
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - started
    finally:
        stop_scheduler(restarted)
        with restarted.app_context():
            db.engine.dispose()
    print(f"restart with {count} pending timers: first timer fired {seconds:.2f} s after start")


def copy_rows(app, copies: int) -> None:
    """Bulk copies of the last filed dossier and its pending timer (due tomorrow): the load of a busy province."""
    with app.app_context():
        template = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
        columns = [c.key for c in Dossier.__table__.columns if c.key not in ("id", "code", "submission_key")]
        values = {c: getattr(template, c) for c in columns}
        timer = template.pending_timers[0]
        next_id = template.id + 1
        batch = 5000
        for first in range(0, copies, batch):
            ids = range(next_id + first, next_id + min(first + batch, copies))
            db.session.execute(insert(Dossier), [{**values, "id": i, "code": f"BENCH-{i}", "submission_key": None}
                                                 for i in ids])
            db.session.execute(insert(PendingTimerRow), [
                {"dossier_id": i, "task_id": str(uuid.uuid4()), "bpmn_id": timer.bpmn_id, "name": timer.name,
                 "due_at": timer.due_at + timedelta(seconds=i % 3600)} for i in ids])
            db.session.commit()
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="timers due within the window (default 10000)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds the due times spread over (default 60)")
    parser.add_argument("--restart", type=int, default=100_000, help="pending timers at restart (default 100000)")
    parser.add_argument("--skip-lag", action="store_true")
    parser.add_argument("--skip-restart", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_lag:
            bench_lag(args.n, args.window, Path(tmp))
        if not args.skip_restart:
            bench_restart(args.restart, Path(tmp))


if __name__ == "__main__":
    main()
