"""Checking an ``expect`` step against a dossier: each check gives ``None`` when met, else what differs."""
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from app.models import Dossier
from app.services.deadlines import TimeLimit, TimeLimitUnit
from app.services.dossier_state import restore_workflow
from app.services.working_time import local_tz, reception_deadlines

from .format import EXPECT_KEYS, parse_moment


def unmet(dossier: Dossier, checks: dict[str, Any]) -> list[str]:
    """What differs, one line per unmet check in :data:`~.format.EXPECT_KEYS` order, e.g.
    ``"tasks: wanted [appraise_dossier] got [check_dossier]"``; empty when every check is met."""
    problems = (_CHECKS[key](dossier, checks[key]) for key in EXPECT_KEYS if key in checks)
    return [problem for problem in problems if problem]


def summary(checks: dict[str, Any]) -> str:
    """The checks in one line, for the ✓ line: ``status submitted, tasks [check_dossier]``."""
    return ", ".join(f"{key} {_shown(checks[key])}" for key in EXPECT_KEYS if key in checks)


def local(moment: datetime | None) -> str:
    """``04/06/2026 17:00 (+07:00)`` in the app's time zone; ``none`` for ``None``."""
    if moment is None:
        return "none"
    here = moment.astimezone(local_tz())
    return here.strftime("%d/%m/%Y %H:%M ") + f"({here.isoformat()[-6:]})"


def _status(dossier: Dossier, wanted: str) -> str | None:
    got = dossier.status.name if dossier.status else None
    return None if got == wanted else f"status: wanted {wanted} got {got}"


def _tasks(dossier: Dossier, wanted: list[str]) -> str | None:
    remaining = list(dossier.work_items)
    missing = []
    for task in wanted:
        match = next((w for w in remaining if task in (w.bpmn_id, w.task_name)), None)
        if match is None:
            missing.append(task)
        else:
            remaining.remove(match)
    if not missing and not remaining:
        return None
    return f"tasks: wanted {_shown(sorted(wanted))} got {_shown(sorted(w.bpmn_id for w in dossier.work_items))}"


def dossier_variables(dossier: Dossier) -> dict[str, Any]:
    """The process variables, with every value a user submitted set as Camunda 7 sets it (process-wide).

    ``DossierWorkflow.data()`` is the data of the last completed top-level task, so a value submitted inside a
    running embedded subprocess (``proposal`` from ``appraise_dossier``) is not in it until the subprocess
    ends; the dossier's ``task_completed`` events, replayed in order, put such values in. Values submitted in a
    called process (call activity) stay there, as in Camunda 7: only its ``camunda:out`` mappings bring any back.
    """
    data = restore_workflow(dossier).data()
    called = set(dossier.process_version.definition.get("called_elements", ()))
    for event in dossier.events:
        if event.kind == "task_completed" and event.data.get("bpmn_id") not in called:
            data.update(event.data.get("values") or {})
    return data


def _variables(dossier: Dossier, wanted: dict[str, Any]) -> str | None:
    data = dossier_variables(dossier)
    differences = [f"{name} wanted {value!r} got {data[name]!r}" if name in data else f"{name} is not set"
                   for name, value in wanted.items() if name not in data or not _matches(value, data[name])]
    return f"variables: {'; '.join(differences)}" if differences else None


def _matches(wanted: Any, got: Any) -> bool:
    """Equal, except that a wanted object matches any object holding at least its keys (recursively)."""
    if isinstance(wanted, dict) and isinstance(got, dict):
        return all(key in got and _matches(value, got[key]) for key, value in wanted.items())
    if isinstance(wanted, bool) or isinstance(got, bool):
        return wanted is got  # true is not 1
    return wanted == got


def _events(dossier: Dossier, wanted: list[str]) -> str | None:
    kinds = [e.kind for e in dossier.events]
    missing = Counter(wanted) - Counter(kinds)
    if not missing:
        return None
    return f"events: missing {_shown(sorted(missing.elements()))} got {_shown(kinds)}"


def _no_events(dossier: Dossier, unwanted: list[str]) -> str | None:
    present = sorted({e.kind for e in dossier.events} & set(unwanted))
    return f"no_events: {_shown(present)} happened" if present else None


def _due_in_working_days(dossier: Dossier, days: int) -> str | None:
    """The appointment is ``days`` of the version's time-limit unit after reception (:func:`expected_limit`), counted
    in the office hours of the dossier's handling agency, as reception does."""
    if dossier.received_at is None:
        return f"due_in_working_days: wanted {days} but the dossier was not received (no due date)"
    limit = expected_limit(dossier, days)
    wanted, _ = reception_deadlines(dossier.received_at, limit, dossier.handling_agency_id)
    if dossier.due_at == wanted:
        return None
    return (f"due_in_working_days: wanted {limit.label_vi} after {local(dossier.received_at)}, "
            f"due {local(wanted)}, got due {local(dossier.due_at)}")


def expected_limit(dossier: Dossier, days: int) -> TimeLimit:
    """The time limit ``due_in_working_days: days`` stands for, in the unit of the dossier's process version:
    ``working_hours`` counts the days as ``days × 8`` working hours, ``same_day`` is ``0``; a ``calendar_days``
    version (and any other ``days`` on a same-day one) is taken as working days, as the key says."""
    unit = TimeLimit.from_properties(dossier.process_version.catalogue).unit
    if unit is TimeLimitUnit.same_day and days == 0 or unit is TimeLimitUnit.working_hours:
        return TimeLimit(days, unit)
    return TimeLimit(days)


def _due_at(dossier: Dossier, text: str) -> str | None:
    wanted = parse_moment(text)
    return None if dossier.due_at == wanted else f"due_at: wanted {local(wanted)} got {local(dossier.due_at)}"


def _messages(dossier: Dossier, wanted: list[str]) -> str | None:
    """The names of the messages the workflow waits for now (the exact set, with repeats)."""
    got = sorted(m.name for m in restore_workflow(dossier).waiting_messages())
    return None if sorted(wanted) == got else f"messages: wanted {_shown(sorted(wanted))} got {_shown(got)}"


def _end_events(dossier: Dossier, wanted: list[str]) -> str | None:
    """The BPMN ids of the end events reached so far (the exact set, with repeats; subprocesses included)."""
    got = sorted(restore_workflow(dossier).reached_end_events())
    return None if sorted(wanted) == got else f"end_events: wanted {_shown(sorted(wanted))} got {_shown(got)}"


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v!r}" for k, v in value.items()) + "}"
    return str(value)


_CHECKS: dict[str, Callable[[Dossier, Any], str | None]] = {
    "status": _status, "tasks": _tasks, "variables": _variables, "events": _events, "no_events": _no_events,
    "due_in_working_days": _due_in_working_days, "due_at": _due_at, "messages": _messages,
    "end_events": _end_events,
}
