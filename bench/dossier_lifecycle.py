"""Benchmark: N household-business dossiers through the whole happy path, three ways. Prints figures only.

Happy path of ``processes/household_business_registration.bpmn`` (procedure 1.001612)::

    file (citizen) → check_dossier "receive" → appraise_dossier "approve" → approve_dossier "approve"
    → return_result

Ways measured:

1. **service layer** — ``submit_dossier`` / ``complete_work_item``, one ``db.session.commit()`` per step, each step
   in a fresh app context (= a fresh session, as a request has), on a SQLite *file* database in a temp dir. Each
   step does what a route does apart from HTTP and form parsing: load the signed-in user by id, find the work item,
   call the service, commit. The values passed are the *validated* values the Camunda form produces (computed once
   with ``validate_submission`` during warm-up, not timed).
2. **HTTP** — Flask test client on its own SQLite file database: each role signs in once (not timed); per dossier the
   citizen GETs the apply page (CSRF token) and POSTs it, then per work item the officer GETs the work item page
   (CSRF token, as a browser shows the form) and POSTs it. Redirects are not followed; work item ids are looked up
   in the database (timed, not counted as requests), where an officer would open the inbox first.
   The time spent in the GETs and in the POSTs is also printed (means over the 3 runs).
3. **engine alone** — ``DossierWorkflow.start`` then complete each ready task with the same data; with
   ``dump()`` + ``restore()`` once per step (mimicking persistence), and without.

Timing: ``time.perf_counter``; each way runs N dossiers 3 times after a warm-up of a few dossiers; the figure is the
**median of the 3 runs** of (run time / N), in ms per dossier.

Usage (from the repository root)::

    python bench/dossier_lifecycle.py --n 200 [--profile] [--wal]

``--profile`` adds a cProfile of one more service-layer run (top 15 cumulative, top 15 own time, and the project's
own functions); ``--wal`` is a what-if with SQLite ``journal_mode=WAL`` + ``synchronous=NORMAL``, which the app does
not set. SQL statements per dossier are counted too. A sanity check (not a speed assertion) makes sure every
dossier reached "result returned".
"""
import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from app import create_app  # noqa: E402
from app.camunda_forms import validate_submission  # noqa: E402
from app.engine import DossierWorkflow  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Agency, Applicant, Dossier, DossierStatus, Officer, Procedure, WorkItem  # noqa: E402
from app.models.working_calendar import seed_official_calendar  # noqa: E402
from app.seed import SAMPLE_PASSWORD, seed_sample_data  # noqa: E402
from app.services.dossiers import complete_work_item, submit_dossier  # noqa: E402
from app.services.procedures import deploy_processes  # noqa: E402
from app.services.working_time import reception_deadlines  # noqa: E402
from app.task_forms import form_context, form_of, start_form_of  # noqa: E402
from config import BASE_DIR, TestingConfig  # noqa: E402

PROCEDURE = "1.001612"
AGENCY = "H54.10.01"
CITIZEN = "014090001234"
RUNS = 3
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')
FILED = re.compile(r"/my-dossiers/([^/?#]+)$")

#: Raw form posts, as a browser sends them (same as tests/conftest.py and tests/web/test_journey.py).
APPLICATION = {
    "applicant_full_name": "Nguyễn Văn An", "applicant_birth_date": "1990-03-12",
    "applicant_personal_id": CITIZEN, "applicant_phone": "0912345678",
    "applicant_email": "an.nguyen@example.vn", "applicant_address": "Tổ 3, phường Tô Hiệu, tỉnh Sơn La",
    "registration_type": "individual", "business_name": "Hộ kinh doanh Cà phê Tô Hiệu",
    "handling_agency_code": AGENCY, "business_address": "Số 12 đường Tô Hiệu, phường Tô Hiệu",
    "business_lines": "Kinh doanh đồ uống (5630)", "capital_vnd": "150000000", "employee_count": "3",
    "commitment": "true",
}
#: (work item bpmn id, officer username, raw form post) in happy-path order.
STEPS = [
    ("check_dossier", "motcua.tohieu", {"reception_outcome": "receive"}),
    ("appraise_dossier", "chuyenvien.tohieu", {"appraisal_opinion": "Hồ sơ hợp lệ, đủ điều kiện cấp.",
                                               "proposal": "approve", "business_registration_number": "14A8000123"}),
    ("approve_dossier", "lanhdao.tohieu", {"decision": "approve"}),
    ("return_result", "motcua.tohieu", {"return_channel": "online"}),
]


# --------------------------------------------------------------------------------------------------- setup

def make_app(db_file: Path, wal: bool = False):
    """App on a SQLite file with sample data and the real procedures deployed (as tests/conftest.py does).

    :param wal: what-if (not the app's setting): ``journal_mode=WAL`` and ``synchronous=NORMAL`` on each connection.
    """
    config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}"})
    app = create_app(config)
    with app.app_context():
        if wal:
            event.listen(db.engine, "connect", _wal_pragmas)
        db.create_all()
        seed_official_calendar()
        seed_sample_data()
        deploy_processes(Path(BASE_DIR / "processes"), Path(BASE_DIR / "forms"), now=datetime.now(UTC))
        db.session.commit()
    return app


def _wal_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Ids:
    """Primary keys a request would carry in its session cookie / URL."""

    def __init__(self, app):
        with app.app_context():
            self.applicant = db.session.scalar(select(Applicant.id).where(Applicant.personal_id == CITIZEN))
            self.officers = {u: db.session.scalar(select(Officer.id).where(Officer.username == u))
                             for _, u, _ in STEPS}


def check_all_returned(app, expected: int) -> None:
    """Sanity check of the benchmark itself (not of speed): every filed dossier reached "result returned"."""
    with app.app_context():
        statuses = db.session.scalars(select(Dossier.status)).all()
    done = sum(s is DossierStatus.result_returned for s in statuses)
    if len(statuses) != expected or done != expected:
        raise RuntimeError(f"{expected} dossiers expected all returned; found {len(statuses)}, {done} returned")


def median_ms_per_dossier(run_once, n: int) -> tuple[float, list[float]]:
    """Run ``run_once(n)`` RUNS times; median of (seconds / n) in ms, and every run's figure."""
    per_run = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run_once(n)
        per_run.append((time.perf_counter() - started) * 1000 / n)
    return statistics.median(per_run), per_run


# ------------------------------------------------------------------------------------------- service layer

class ServiceBench:
    """Service calls with one commit and one fresh app context (session) per step, like one request each."""

    def __init__(self, app):
        self.app, self.ids = app, Ids(app)
        self.values: dict[str, dict] = {}  # bpmn id → validated values; "" → validated application
        self.statements = 0
        event.listen(self._engine(), "before_cursor_execute", self._count)
        self.state_bytes: dict[str, int] = {}  # stored ``workflow_state`` size while appraisal waits, at the end

    def _engine(self):
        with self.app.app_context():
            return db.engine

    def _count(self, *_args):
        self.statements += 1

    def prepare_values(self) -> None:
        """Validate the raw posts once with the real forms and contexts (walks one dossier; not timed)."""
        with self.app.app_context():
            procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
            version = procedure.published_version
            values, errors = validate_submission(start_form_of(version), MultiDict(APPLICATION), form_context())
            assert not errors, errors
            self.values[""] = values
            dossier = submit_dossier(procedure, applicant=db.session.get(Applicant, self.ids.applicant),
                                     handling_agency=db.session.scalar(select(Agency).where(Agency.code == AGENCY)),
                                     application=values, now=datetime.now(UTC))
            for bpmn_id, username, raw in STEPS:
                item = next(w for w in dossier.work_items if w.bpmn_id == bpmn_id)
                values, errors = validate_submission(form_of(version, item.form_ref), MultiDict(raw),
                                                     form_context(dossier))
                assert not errors, (bpmn_id, errors)
                if bpmn_id == "appraise_dossier":
                    self.state_bytes["appraisal"] = len(dossier.workflow_state.encode())
                self.values[bpmn_id] = values
                complete_work_item(dossier, item.task_id, actor=db.session.get(Officer, self.ids.officers[username]),
                                   values=values, now=datetime.now(UTC))
            self.state_bytes["end"] = len(dossier.workflow_state.encode())
            db.session.rollback()

    def one_dossier(self) -> None:
        with self.app.app_context():  # POST /procedures/<code>/apply
            applicant = db.session.get(Applicant, self.ids.applicant)
            procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
            agency = db.session.scalar(select(Agency).where(Agency.code == AGENCY))
            dossier = submit_dossier(procedure, applicant=applicant, handling_agency=agency,
                                     application=self.values[""], now=datetime.now(UTC))
            db.session.commit()
            dossier_id = dossier.id
        for bpmn_id, username, _ in STEPS:  # POST /officer/work-items/<task id>
            with self.app.app_context():
                officer = db.session.get(Officer, self.ids.officers[username])
                item = db.session.scalar(select(WorkItem).where(WorkItem.dossier_id == dossier_id,
                                                                WorkItem.bpmn_id == bpmn_id))
                complete_work_item(item.dossier, item.task_id, actor=officer, values=self.values[bpmn_id],
                                   now=datetime.now(UTC))
                db.session.commit()

    def run(self, n: int) -> None:
        for _ in range(n):
            self.one_dossier()


# -------------------------------------------------------------------------------------------------- HTTP

class HttpBench:
    """Test clients signed in once per role; per dossier GET form page + POST for the filing and each work item."""

    def __init__(self, app):
        self.app = app
        self.requests, self.get_seconds, self.post_seconds = 0, 0.0, 0.0
        self.statements = 0
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)
        self.citizen = app.test_client()
        self.officers = {u: app.test_client() for _, u, _ in STEPS}
        self._sign_in(self.citizen, "/sign-in/dev-vneid", {"personal_id": CITIZEN})
        for username, client in self.officers.items():
            self._sign_in(client, "/officer/sign-in", {"username": username, "password": SAMPLE_PASSWORD})

    def _sign_in(self, client, url: str, data: dict) -> None:
        page = client.get(url)
        response = client.post(url, data={**data, "csrf_token": CSRF.search(page.get_data(as_text=True)).group(1)})
        if response.status_code != 302:
            raise RuntimeError(f"sign-in at {url} failed: {response.status_code}")

    def _count(self, *_args):
        self.statements += 1

    def _hidden(self, client, url: str) -> dict[str, str]:
        """The page's hidden fields, as a browser sends them (CSRF token, one-time submission key)."""
        started = time.perf_counter()
        page = client.get(url)
        self.get_seconds += time.perf_counter() - started
        self.requests += 1
        if page.status_code != 200:
            raise RuntimeError(f"GET {url}: {page.status_code}")
        html = page.get_data(as_text=True)
        return {**dict(HIDDEN.findall(html)), "csrf_token": CSRF.search(html).group(1)}

    def _post(self, client, url: str, data: dict, expected: int):
        data = {**self._hidden(client, url), **data}
        started = time.perf_counter()
        response = client.post(url, data=data)
        self.post_seconds += time.perf_counter() - started
        self.requests += 1
        if response.status_code != expected:
            raise RuntimeError(f"POST {url}: {response.status_code}\n{response.get_data(as_text=True)[:2000]}")
        return response

    def _task_id(self, code: str, bpmn_id: str) -> str:
        with self.app.app_context():
            return db.session.scalar(select(WorkItem.task_id).join(Dossier)
                                     .where(Dossier.code == code, WorkItem.bpmn_id == bpmn_id))

    def one_dossier(self) -> None:
        filed = self._post(self.citizen, f"/procedures/{PROCEDURE}/apply", APPLICATION, 302)
        code = FILED.search(filed.headers["Location"]).group(1)
        for bpmn_id, username, raw in STEPS:
            self._post(self.officers[username], f"/officer/work-items/{self._task_id(code, bpmn_id)}", raw, 303)

    def run(self, n: int) -> None:
        for _ in range(n):
            self.one_dossier()


# ------------------------------------------------------------------------------------------ engine alone

class EngineBench:
    """The engine with the same data, with or without dump()+restore() once per step."""

    def __init__(self, app, values: dict[str, dict]):
        with app.app_context():
            procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
            version = procedure.published_version
            self.spec_key, self.spec_json = version.content_hash, version.spec_json
            now = datetime.now(UTC)
            due_at, warning_at = reception_deadlines(now, int(version.catalogue["processing_working_days"]))
        self.start_data = {**values[""], "dossier_code": f"{AGENCY}-000000-0001", "procedure_code": PROCEDURE,
                           "handling_agency_code": AGENCY, "submitted_at": now.isoformat()}
        self.data = {bpmn_id: dict(values[bpmn_id]) for bpmn_id, _, _ in STEPS}
        self.data["check_dossier"].update(received_at=now.isoformat(), dossier_due_at=due_at.isoformat(),
                                          warning_at=warning_at.isoformat())
        self.sizes: dict[str, int] = {}

    def _complete(self, wf: DossierWorkflow, bpmn_id: str) -> None:
        task = next(t for t in wf.ready_user_tasks() if t.bpmn_id == bpmn_id)
        wf.complete(task.task_id, self.data[bpmn_id])

    def one_dossier(self, persist: bool) -> None:
        wf = DossierWorkflow.start(self.spec_key, lambda: self.spec_json, self.start_data)
        state = wf.dump() if persist else None
        for bpmn_id, _, _ in STEPS:
            if persist:
                wf = DossierWorkflow.restore(self.spec_key, lambda: self.spec_json, state)
                if bpmn_id == "appraise_dossier":
                    self.sizes["appraisal"] = len(state.encode())
            self._complete(wf, bpmn_id)
            if persist:
                state = wf.dump()
        if not wf.completed:
            raise RuntimeError("the happy path did not finish the workflow")
        if persist:
            self.sizes["end"] = len(state.encode())

    def run_persisted(self, n: int) -> None:
        for _ in range(n):
            self.one_dossier(True)

    def run_in_memory(self, n: int) -> None:
        for _ in range(n):
            self.one_dossier(False)


# ---------------------------------------------------------------------------------------------------- main

def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="dossiers per timed run (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed dossiers first (default 5)")
    parser.add_argument("--profile", action="store_true", help="cProfile one extra service-layer run of N")
    parser.add_argument("--wal", action="store_true",
                        help="what-if: SQLite journal_mode=WAL + synchronous=NORMAL (the app does not set them)")
    args = parser.parse_args(argv)
    n = args.n

    with tempfile.TemporaryDirectory(prefix="bench-dossiers-") as tmp:
        print(f"# N={n} dossiers per run, {RUNS} runs after {args.warmup} warm-up dossiers; "
              f"figures are the median of the {RUNS} runs of (run time / N); SQLite files in {tmp}"
              f"{' with WAL + synchronous=NORMAL (what-if)' if args.wal else ' (default journal, synchronous=FULL)'}")

        service = ServiceBench(make_app(Path(tmp) / "service.db", args.wal))
        service.prepare_values()
        service.run(args.warmup)
        service.statements = 0
        service_ms, service_runs = median_ms_per_dossier(service.run, n)
        statements = service.statements / (RUNS * n)
        check_all_returned(service.app, args.warmup + RUNS * n)

        http_app = make_app(Path(tmp) / "http.db", args.wal)
        http = HttpBench(http_app)
        http.run(args.warmup)
        http.requests, http.get_seconds, http.post_seconds, http.statements = 0, 0.0, 0.0, 0
        http_ms, http_runs = median_ms_per_dossier(http.run, n)
        requests = http.requests / (RUNS * n)
        http_statements = http.statements / (RUNS * n)
        get_ms, post_ms = (1000 * t / (RUNS * n) for t in (http.get_seconds, http.post_seconds))
        check_all_returned(http_app, args.warmup + RUNS * n)

        engine = EngineBench(service.app, service.values)
        engine.run_persisted(args.warmup)
        engine.run_in_memory(args.warmup)
        engine_ms, engine_runs = median_ms_per_dossier(engine.run_persisted, n)
        bare_ms, bare_runs = median_ms_per_dossier(engine.run_in_memory, n)

        print(f"service_layer_ms_per_dossier={service_ms:.2f}  # runs: {_fmt(service_runs)}; target <= 10")
        print(f"service_layer_sql_statements_per_dossier={statements:.1f}  # 5 steps, 5 commits")
        print(f"http_ms_per_dossier={http_ms:.2f}  # runs: {_fmt(http_runs)}; GET form + POST per step; target <= 30")
        print(f"http_requests_per_dossier={requests:.1f}  # 5 GET (CSRF token / form page) + 5 POST")
        print(f"http_sql_statements_per_dossier={http_statements:.1f}  # incl. the 4 work item id look-ups of the bench")
        print(f"http_get_ms_per_dossier={get_ms:.2f}  # of which the 5 form pages (mean over the 3 runs)")
        print(f"http_post_ms_per_dossier={post_ms:.2f}  # of which the 5 POSTs (mean over the 3 runs)")
        print(f"engine_ms_per_dossier={engine_ms:.2f}  # runs: {_fmt(engine_runs)}; dump+restore once per step")
        print(f"engine_no_persistence_ms_per_dossier={bare_ms:.2f}  # runs: {_fmt(bare_runs)}")
        print(f"ratio_http/service={http_ms / service_ms:.2f}")
        print(f"ratio_service/engine={service_ms / engine_ms:.2f}")
        print(f"ratio_engine/engine_no_persistence={engine_ms / bare_ms:.2f}")
        print(f"workflow_state_bytes_at_appraisal={service.state_bytes['appraisal']}  # stored Dossier.workflow_state "
              f"while appraise_dossier waits (engine-only dump: {engine.sizes['appraisal']})")
        print(f"workflow_state_bytes_at_end={service.state_bytes['end']}  # stored after return_result "
              f"(engine-only dump: {engine.sizes['end']})")

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            service.run(n)
            profiler.disable()
            listings = [("top 15 by cumulative", "cumulative", ()), ("top 15 by tottime", "tottime", ()),
                        ("the project's own functions, top 15 by cumulative", "cumulative", (re.escape(str(ROOT)),))]
            for title, order, restrict in listings:
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                if not restrict:
                    stats.strip_dirs()
                stats.sort_stats(order).print_stats(*restrict, 15)
                print(f"\n# cProfile of one service-layer run of N={n} (profiler overhead included): {title}")
                lines = out.getvalue().replace(str(ROOT) + "/", "").splitlines()
                start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
                print("\n".join(line for line in lines[start:] if line.strip()))


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
