"""Running scenarios: each on a fresh app, step by step, one ✓/✗ line per step, stopping at the first unmet one.

Output shape (``echo`` receives one line at a time)::

    household_business_registration.happy_path.json — Hồ sơ đủ điều kiện …
          ✓ start 1.001612 as 014090001234 at H54.10.01: dossier H54.10.01-260601-0001
        1 ✓ expect status submitted, tasks [check_dossier]
        2 ✓ complete check_dossier as motcua.tohieu → in_progress [appraise_dossier]
        3 ✗ expect tasks: wanted [approve_dossier] got [appraise_dossier]
    0 of 1 scenarios passed

The scenario clock starts at the scenario's ``now``; services get it explicitly and the engine's timers see it
through :func:`app.engine.clock.frozen_at`, so a run never depends on the real date.
"""
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from app.extensions import db
from app.models import Dossier
from app.services.external_tasks import run_due_external_tasks
from app.services.procedures import DeployError

from .actions import ActionRefused, ScenarioError, advance_timers, complete_task, correlate_message, start_dossier
from .expectations import local, summary, unmet
from .format import Scenario, ScenarioFormatError, Step, load_scenario
from .sandbox import dispose, scenario_app

Echo = Callable[[str], None]


class _Stop(Exception):
    """The scenario stopped at an unmet step (already printed)."""


def run_paths(paths: Sequence[Path], settings: Mapping[str, Any], echo: Echo) -> int:
    """Run every scenario file in ``paths`` (files, or folders of ``*.json``) and print a summary.

    :param settings: config of the scenario apps (:func:`.sandbox.inherited_settings`).
    :return: the exit status: 0 when every scenario passed, 1 otherwise (or when there is none).
    """
    files = scenario_files(paths)
    if not files:
        echo("✗ no scenario files (*.json) found in " + ", ".join(str(p) for p in paths))
        return 1
    passed = sum(run_file(path, settings, echo) for path in files)
    echo(f"{passed} of {len(files)} scenarios passed")
    return 0 if passed == len(files) else 1


def scenario_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and the ``*.json`` files of the folders named, in name order per folder."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return files


def run_file(path: Path, settings: Mapping[str, Any], echo: Echo) -> bool:
    """Read and run one scenario file; a format error is printed as a failure. :return: whether it passed."""
    try:
        scenario = load_scenario(path)
    except ScenarioFormatError as exc:
        echo(f"✗ {exc}")
        return False
    return run_scenario(scenario, settings, echo)


def run_scenario(scenario: Scenario, settings: Mapping[str, Any], echo: Echo) -> bool:
    """Run ``scenario`` on a fresh in-memory app. :return: whether every step passed."""
    echo(f"{scenario.name} — {scenario.description}" if scenario.description else scenario.name)
    try:
        app = scenario_app(settings, now=scenario.now)
    except DeployError as exc:
        echo("      ✗ deploy refused:\n" + "\n".join(f"        {problem}" for problem in exc.problems))
        return False
    try:
        with app.app_context():
            return _Run(scenario, echo).run()
    finally:
        dispose(app)


class _Run:
    """One scenario's run inside its app context: the scenario clock ``now`` and the dossier under test."""

    def __init__(self, scenario: Scenario, echo: Echo):
        self.scenario, self.echo = scenario, echo
        self.now: datetime = scenario.now
        self.dossier_id: int | None = None

    def run(self) -> bool:
        try:
            self._start()
            for step in self.scenario.steps:
                self._step(step)
        except _Stop:
            return False
        finally:
            db.session.remove()
        return True

    def _start(self) -> None:
        start = self.scenario.start
        text = (f"start {self.scenario.procedure} by its timer" if start.timer else
                f"start {self.scenario.procedure} as {start.actor}" + (f" at {start.agency}" if start.agency else ""))
        try:
            dossier = start_dossier(self.scenario, self.now)
            db.session.commit()
            run_due_external_tasks(self.now)  # as the scheduler would right after the commit
        except (ActionRefused, ScenarioError) as exc:
            self._fail(None, f"{text}: {exc}")
        except Exception as exc:  # noqa: BLE001 -- a bug or an engine failure: reported like any unmet step
            self._fail(None, f"{text}: unexpected {type(exc).__name__}: {exc}")
        self.dossier_id = dossier.id
        self.echo(f"      ✓ {text}: dossier {dossier.code} at {local(self.now)}")

    def _step(self, step: Step) -> None:
        try:
            detail = self._act(step)
        except ActionRefused as exc:
            db.session.rollback()
            if step.expect_error and step.expect_error in str(exc):
                self.echo(f"  {step.number:>3} ✓ {step.text}: refused as expected: {exc}")
                return
            wanted = f"wanted an error containing {step.expect_error!r}, got: " if step.expect_error else ""
            self._fail(step, f"{step.text}: {wanted}{exc}")
        except ScenarioError as exc:
            db.session.rollback()
            self._fail(step, f"{step.text}: {exc}")
        except _Stop:
            raise
        except Exception as exc:  # noqa: BLE001 -- a bug or an engine failure: reported like any unmet step
            db.session.rollback()
            self._fail(step, f"{step.text}: unexpected {type(exc).__name__}: {exc}")
        if step.expect_error:
            db.session.rollback()
            self._fail(step, f"{step.text}: wanted an error containing {step.expect_error!r}, but it succeeded")
        db.session.commit()
        run_due_external_tasks(self.now)  # service tasks the step started run after its commit, as in the app
        self.echo(f"  {step.number:>3} ✓ {step.text}{detail}")

    def _act(self, step: Step) -> str:
        """Do the step; :return: what to add to its ✓ line. :raises _Stop: an ``expect`` step is unmet."""
        dossier = db.session.get(Dossier, self.dossier_id)
        if step.kind == "expect":
            problems = unmet(dossier, step.checks)
            for problem in problems:
                self.echo(f"  {step.number:>3} ✗ expect {problem}")
            if problems:
                raise _Stop
            return f" {summary(step.checks)}"
        if step.kind == "complete":
            complete_task(dossier, step, self.now)
            return f" → {dossier.status.name} [{', '.join(w.bpmn_id for w in dossier.work_items)}]"
        if step.kind == "advance":
            fired = advance_timers(self.dossier_id, self.now, self.now + step.duration)
            self.now += step.duration
            return f" → {local(self.now)}" + (f" · fired {', '.join(fired)}" if fired else "")
        received = correlate_message(dossier, step, self.now)
        tasks = ", ".join(w.bpmn_id for w in dossier.work_items)
        return f" → received by {', '.join(received)}; {dossier.status.name} [{tasks}]"

    def _fail(self, step: Step | None, message: str) -> None:
        self.echo(f"  {step.number:>3} ✗ {message}" if step else f"      ✗ {message}")
        raise _Stop
