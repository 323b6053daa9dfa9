"""The scenario file format (JSON): read a file into checked dataclasses, or say which step is wrong.

A scenario is written by a process designer next to the diagram (``processes/scenarios/*.json``)::

    {"procedure": "1.001612", "description": "…", "now": "2026-06-01T09:00:00+07:00",
     "start": {"as": "014090001234", "agency": "H54.10.01", "data": {…filing form values…}},
              (or {"timer": true}: a procedure with a timer start event, started as the scheduler does)
     "steps": [{"expect": {"status": "submitted", "tasks": ["check_dossier"]}},
               {"complete": "check_dossier", "as": "motcua.tohieu", "data": {"reception_outcome": "receive"}},
               {"advance": "P3D"},
               {"message": "payment_received", "data": {…}}]}

Every mistake raises :class:`ScenarioFormatError` naming the file and the step (1-based) before anything runs.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from app.models import DossierStatus

#: The scenario clock starts here unless the file says ``"now"``: a Monday morning with no holiday near.
DEFAULT_START = "2026-06-01T09:00:00+07:00"
EXPECT_KEYS = ("status", "tasks", "variables", "events", "no_events", "due_in_working_days", "due_at",
               "messages", "end_events")
_STEP_KEYS = {"expect": {"expect"}, "complete": {"complete", "as", "data", "expect_error"},
              "advance": {"advance"}, "message": {"message", "data", "expect_error"}}
_DURATION = re.compile(r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
                       r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?")


class ScenarioFormatError(ValueError):
    """The file is not a valid scenario; the message names the file and, when it is a step, the step number."""


@dataclass(frozen=True)
class Start:
    """File a dossier: as the citizen with personal id ``actor``, at agency ``agency`` (``None``: from data); or,
    with ``timer``, start it as the scheduler does at a timer start event (no citizen, ``actor`` is None)."""

    actor: str | None
    agency: str | None
    data: dict[str, Any]
    timer: bool = False


@dataclass(frozen=True)
class Step:
    """One step: ``kind`` is ``expect``, ``complete``, ``advance`` or ``message``.

    :ivar target: the task (BPMN id or name) to complete, or the message name; ``None`` otherwise.
    :ivar checks: an ``expect`` step's checks (keys of :data:`EXPECT_KEYS`).
    :ivar duration: an ``advance`` step's duration; ``text`` keeps it as written.
    :ivar expect_error: the step must be refused with a message containing this text.
    """

    number: int
    kind: str
    text: str
    target: str | None = None
    actor: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    duration: timedelta | None = None
    expect_error: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A whole scenario; ``now`` is the aware time the scenario clock starts at."""

    name: str
    procedure: str
    description: str
    now: datetime
    start: Start
    steps: tuple[Step, ...]


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file.

    :raises ScenarioFormatError: not JSON, or not a valid scenario (the message says where).
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ScenarioFormatError(f"{path.name}: cannot read the scenario: {exc}") from exc
    return parse_scenario(raw, name=path.name)


def parse_scenario(raw: Any, *, name: str = "<scenario>") -> Scenario:
    """Check a decoded scenario and turn it into a :class:`Scenario`.

    :raises ScenarioFormatError: naming ``name`` and the step number of the first mistake.
    """
    def fail(message: str):
        raise ScenarioFormatError(f"{name}: {message}")

    if not isinstance(raw, dict):
        fail("a scenario is a JSON object with procedure, start and steps")
    unknown = set(raw) - {"procedure", "description", "now", "start", "steps"}
    if unknown:
        fail(f"unknown key(s) {', '.join(sorted(unknown))} (allowed: procedure, description, now, start, steps)")
    if not isinstance(raw.get("procedure"), str) or not raw["procedure"]:
        fail('"procedure" must be the procedure code, e.g. "1.001612"')
    if not isinstance(raw.get("steps"), list) or not raw["steps"]:
        fail('"steps" must be a non-empty list')
    try:
        now = parse_moment(raw.get("now", DEFAULT_START))
        start = _start(raw.get("start"))
    except ValueError as exc:
        fail(str(exc))
    steps = []
    for number, step in enumerate(raw["steps"], start=1):
        try:
            steps.append(_step(number, step))
        except ValueError as exc:
            fail(f"step {number}: {exc}")
    return Scenario(name, raw["procedure"], str(raw.get("description", "")), now, start, tuple(steps))


def parse_moment(text: Any) -> datetime:
    """An ISO 8601 date-time with a UTC offset. :raises ValueError: otherwise."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not an ISO 8601 date-time (e.g. 2026-06-01T09:00:00+07:00)") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (write e.g. +07:00)")
    return moment


def parse_duration(text: Any) -> timedelta:
    """An ISO 8601 duration of weeks, days, hours, minutes, seconds (``P3D``, ``PT4H30M``, ``P1W``).

    Months and years are refused: they have no fixed length.

    :raises ValueError: anything else, with what to write instead.
    """
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"advance takes an ISO 8601 duration such as P3D, PT4H or P1DT2H, not {text!r}"
                         " (months and years have no fixed length: use days)")
    return timedelta(**{unit: float(value) for unit, value in match.groupdict().items() if value})


def _start(raw: Any) -> Start:
    if not isinstance(raw, dict):
        raise ValueError('"start" must be an object: {"as": personal id, "agency": code, "data": {…}}')
    unknown = set(raw) - {"as", "agency", "data", "timer"}
    if unknown:
        raise ValueError(f"start: unknown key(s) {', '.join(sorted(unknown))} (allowed: as, agency, data, timer)")
    if raw.get("timer") is True:
        if set(raw) != {"timer"}:
            raise ValueError('start: {"timer": true} starts the dossier as the scheduler does: no as, agency or data')
        return Start(None, None, {}, timer=True)
    if not isinstance(raw.get("as"), str) or not raw["as"]:
        raise ValueError('start: "as" must be the citizen\'s personal id number')
    if raw.get("agency") is not None and not isinstance(raw["agency"], str):
        raise ValueError('start: "agency" must be an agency code such as "H54.10.01"')
    return Start(raw["as"], raw.get("agency"), _data(raw.get("data", {}), "start"))


def _step(number: int, raw: Any) -> Step:
    if not isinstance(raw, dict):
        raise ValueError("a step is an object with one of: expect, complete, advance, message")
    kinds = [k for k in _STEP_KEYS if k in raw]
    if len(kinds) != 1:
        raise ValueError("a step has exactly one of: expect, complete, advance, message"
                         f" (found: {', '.join(sorted(raw)) or 'nothing'})")
    kind = kinds[0]
    unknown = set(raw) - _STEP_KEYS[kind]
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))} in a {kind} step"
                         f" (allowed: {', '.join(sorted(_STEP_KEYS[kind]))})")
    return _BUILDERS[kind](number, raw)


def _expect(number: int, raw: dict) -> Step:
    checks = raw["expect"]
    if not isinstance(checks, dict) or not checks:
        raise ValueError(f"expect needs at least one of: {', '.join(EXPECT_KEYS)}")
    unknown = set(checks) - set(EXPECT_KEYS)
    if unknown:
        raise ValueError(f"unknown expectation(s) {', '.join(sorted(unknown))} (allowed: {', '.join(EXPECT_KEYS)})")
    _check_expectations(checks)
    return Step(number, "expect", "expect", checks=dict(checks))


def _check_expectations(checks: dict) -> None:
    if "status" in checks and checks["status"] not in DossierStatus.__members__:
        raise ValueError(f"status {checks['status']!r} is not one of: {', '.join(DossierStatus.__members__)}")
    for key in ("tasks", "events", "no_events", "messages", "end_events"):
        if key in checks and not (isinstance(checks[key], list) and all(isinstance(v, str) for v in checks[key])):
            raise ValueError(f"{key} must be a list of strings")
    if "variables" in checks and not isinstance(checks["variables"], dict):
        raise ValueError("variables must be an object (name → expected value)")
    days = checks.get("due_in_working_days", 0)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError("due_in_working_days must be a whole number ≥ 0")
    if "due_at" in checks:
        parse_moment(checks["due_at"])


def _complete(number: int, raw: dict) -> Step:
    task = raw["complete"]
    if not isinstance(task, str) or not task:
        raise ValueError("complete names a ready task by its BPMN id or its name")
    if not isinstance(raw.get("as"), str) or not raw["as"]:
        raise ValueError('complete needs "as": an officer username or the citizen\'s personal id number')
    return Step(number, "complete", f"complete {task} as {raw['as']}", target=task, actor=raw["as"],
                data=_data(raw.get("data", {}), "complete"), expect_error=_expect_error(raw))


def _advance(number: int, raw: dict) -> Step:
    return Step(number, "advance", f"advance {raw['advance']}", duration=parse_duration(raw["advance"]))


def _message(number: int, raw: dict) -> Step:
    if not isinstance(raw["message"], str) or not raw["message"]:
        raise ValueError("message names the BPMN message to correlate")
    return Step(number, "message", f"message {raw['message']}", target=raw["message"],
                data=_data(raw.get("data", {}), "message"), expect_error=_expect_error(raw))


def _data(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f'{where}: "data" must be an object (field key → value)')
    return dict(raw)


def _expect_error(raw: dict) -> str | None:
    text = raw.get("expect_error")
    if text is not None and (not isinstance(text, str) or not text):
        raise ValueError("expect_error must be a non-empty part of the expected error message")
    return text


_BUILDERS = {"expect": _expect, "complete": _complete, "advance": _advance, "message": _message}
