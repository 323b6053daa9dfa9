"""Timer start events on a process: when a system-started procedure (e.g. a monthly report) starts an instance.

A procedure whose start event carries a ``bpmn:timerEventDefinition`` is started by the scheduler, not filed by a
citizen (README, "Timer start events"). The engine runs such a start event as a plain start (the scheduler has
already decided the occurrence is due); what it is waiting for is kept in the version as a
:class:`TimerStartSchedule` and computed here:

* ``timeCycle`` ISO 8601 repeating intervals: ``R/2026-07-01T08:00:00+07:00/P1M`` (every month from that
  moment), ``R5/PT1H`` (five times, every hour, the first an hour after the version is published), ``R3/P1D``;
* ``timeCycle`` Camunda 7 (Quartz) cron: ``0 0 8 1 * ?`` (seconds, minutes, hours, day of month, month, day of
  week with 1 = Sunday, optional year), in the app's time zone; ``L``, ``W`` and ``#`` are not supported;
* ``timeDate``: one instance at that moment (with offset).

Expressions (``${…}``) are refused: there are no process variables before the process starts.
"""
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .bpmn_xml import BPMN, NS, local_name

#: Most occurrences walked to find the next one (a one-minute cycle over two years of downtime is ~1 M).
_MAX_STEPS = 2_000_000
_CRON_FIELDS = ("second", "minute", "hour", "day", "month", "day_of_week", "year")
_QUARTZ_DAYS = {"1": "sun", "2": "mon", "3": "tue", "4": "wed", "5": "thu", "6": "fri", "7": "sat"}


class TimerStartError(ValueError):
    """The timer start's value is not one this app schedules; the message says what to write instead."""


@dataclass(frozen=True)
class TimerStartSchedule:
    """What a timer start event waits for: ``kind`` is ``cycle``, ``cron`` or ``date``; ``expression`` as drawn."""

    event_id: str
    kind: str
    expression: str

    def as_dict(self) -> dict[str, str]:
        return {"event_id": self.event_id, "kind": self.kind, "expression": self.expression}


def is_process_timer_start(event) -> bool:
    """True for a ``bpmn:startEvent`` directly in a ``bpmn:process`` with a timer event definition."""
    parent = event.getparent()
    return (local_name(event) == "startEvent" and parent is not None and parent.tag == f"{{{BPMN}}}process"
            and event.find("bpmn:timerEventDefinition", NS) is not None)


def timer_start_of(process) -> TimerStartSchedule | None:
    """The schedule of the process's timer start event, or None when it has none.

    :raises TimerStartError: the value is empty, an expression, or not a supported cycle, cron or date.
    """
    event = next((e for e in process.findall("bpmn:startEvent", NS) if is_process_timer_start(e)), None)
    if event is None:
        return None
    definition = event.find("bpmn:timerEventDefinition", NS)
    values = [(local_name(v), (v.text or "").strip()) for v in definition if local_name(v).startswith("time")]
    if len(values) != 1 or not values[0][1]:
        raise TimerStartError("the timer start has no value: give Timer type Cycle (e.g. R/2026-07-01T08:00:00+07:00"
                              "/P1M or a cron 0 0 8 1 * ?) or Date (e.g. 2026-12-01T08:00:00+07:00)")
    kind, text = values[0]
    if "{" in text:
        raise TimerStartError(f"{kind} {text!r} is an expression: a timer start has no process variables yet; "
                              "write a literal cycle or date")
    if kind == "timeDuration":
        raise TimerStartError("a timer start with a duration is not supported (a duration from when?); use a cycle "
                              "such as R1/PT1H or a date")
    schedule = TimerStartSchedule(event.get("id"), "date" if kind == "timeDate" else
                                  ("cycle" if text.upper().startswith("R") else "cron"), text)
    validate(schedule)
    return schedule


def validate(schedule: TimerStartSchedule) -> None:
    """:raises TimerStartError: the schedule cannot be computed (see the module docstring)."""
    if schedule.kind == "date":
        _date(schedule.expression)
    elif schedule.kind == "cycle":
        _cycle(schedule.expression)
    else:
        _cron(schedule.expression, None)


def first_occurrence(schedule: TimerStartSchedule, *, anchor: datetime, zone: tzinfo) -> datetime | None:
    """The first due moment (aware UTC) of a schedule set up at ``anchor`` (when its version was published)."""
    return next_occurrence(schedule, anchor=anchor, after=anchor - timedelta(microseconds=1), zone=zone)[0]


def next_occurrence(schedule: TimerStartSchedule, *, anchor: datetime, after: datetime, zone: tzinfo
                    ) -> tuple[datetime | None, int]:
    """``(moment, index)``: the first occurrence strictly after ``after`` and its number from 0, or
    ``(None, count)`` when the schedule has no more (a date passed, ``R5`` used up).

    :param anchor: aware time the schedule was set up; a cycle without a start date counts from it.
    :param zone: the app's time zone (cron fields are local times).
    """
    if schedule.kind == "date":
        moment = _date(schedule.expression)
        return (moment.astimezone(UTC), 0) if moment > after else (None, 1)
    if schedule.kind == "cron":
        trigger = _cron(schedule.expression, zone)
        moment = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
        return (moment.astimezone(UTC) if moment else None), 0
    repetitions, start, duration = _cycle(schedule.expression)
    start = start or _nth(anchor, duration, 1)
    months, fixed = _split(duration)
    index = 0
    if not months and start <= after:  # a fixed interval: jump straight to the occurrence after ``after``
        index = int((after - start) / fixed) + 1
    while _nth(start, duration, index) <= after and index <= _MAX_STEPS:
        index += 1
    if repetitions is not None and index >= repetitions:
        return None, repetitions
    return _nth(start, duration, index).astimezone(UTC), index


def latest_due(schedule: TimerStartSchedule, *, anchor: datetime, due: datetime, now: datetime, zone: tzinfo
               ) -> datetime:
    """The last occurrence at or before ``now``, given that ``due`` (an occurrence) is at or before ``now``: the
    one a scheduler that was down starts (once) for all the occurrences it missed."""
    latest = due
    while True:
        moment, _ = next_occurrence(schedule, anchor=anchor, after=latest, zone=zone)
        if moment is None or moment > now:
            return latest
        latest = moment


def _date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TimerStartError(f"timeDate {text!r} is not an ISO-8601 date-time (e.g. 2026-12-01T08:00:00+07:00)"
                              ) from exc
    if moment.tzinfo is None:
        raise TimerStartError(f"timeDate {text!r} has no timezone offset; add one, e.g. +07:00")
    return moment


def _cycle(text: str) -> tuple[int | None, datetime | None, dict]:
    """``(repetitions or None for unbounded, start or None, parsed duration)`` of ``R[n]/[start/]duration``."""
    parts = text.upper().split("/")
    count = parts[0][1:]
    if not parts[0].startswith("R") or (count and not count.isdigit()) or len(parts) not in (2, 3):
        raise TimerStartError(f"timeCycle {text!r} is not R[n]/[start/]duration (e.g. R/2026-07-01T08:00:00+07:00"
                              "/P1M, R5/PT1H) nor a cron expression")
    start = None
    if len(parts) == 3:
        start = _date(text.split("/")[1])
    try:
        duration = TimerEventDefinition.parse_iso_duration(parts[-1])
    except Exception as exc:  # noqa: BLE001 - Spiff raises a bare Exception for a bad duration
        raise TimerStartError(f"timeCycle {text!r}: {parts[-1]!r} is not an ISO-8601 duration") from exc
    if not parts[-1].startswith("P") or not any(duration.values()):
        raise TimerStartError(f"timeCycle {text!r}: the interval must be a positive ISO-8601 duration")
    if count == "0":
        raise TimerStartError(f"timeCycle {text!r} repeats zero times")
    return (int(count) if count else None), start, duration


def _split(duration: dict) -> tuple[int, timedelta]:
    """``(months, the rest as a timedelta)`` of a parsed ISO duration (years count as 12 months)."""
    months = int(duration.get("years", 0)) * 12 + int(duration.get("months", 0))
    return months, timedelta(weeks=duration.get("weeks", 0), days=duration.get("days", 0),
                             hours=duration.get("hours", 0), minutes=duration.get("minutes", 0),
                             seconds=duration.get("seconds", 0))


def _nth(start: datetime, duration: dict, index: int) -> datetime:
    """``start`` plus ``index`` times the interval, months counted on the calendar from ``start`` (31 January +
    1 month = 28 February, + 2 months = 31 March, as Camunda 7's java.time does), in ``start``'s own offset."""
    months, fixed = _split(duration)
    total = start.month - 1 + months * index
    year, month = start.year + total // 12, total % 12 + 1
    day = min(start.day, monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day) + fixed * index


def _cron(text: str, zone: tzinfo | None) -> CronTrigger:
    """A Quartz cron expression (Camunda 7's timeCycle cron) as an APScheduler trigger."""
    fields = text.split()
    if len(fields) not in (6, 7):
        raise TimerStartError(f"timeCycle {text!r} is neither R[n]/[start/]duration nor a Camunda cron expression "
                              "of 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year])")
    if any(mark in field for field in fields for mark in ("L", "W", "#")):
        raise TimerStartError(f"cron {text!r}: L, W and # are not supported; write the days out")
    values = dict(zip(_CRON_FIELDS, fields))
    values = {name: ("*" if value == "?" else value) for name, value in values.items()}
    values["day_of_week"] = re.sub(r"[1-7]", lambda m: _QUARTZ_DAYS[m.group()], values["day_of_week"].lower())
    try:
        return CronTrigger(**values, timezone=zone or "UTC")
    except ValueError as exc:
        raise TimerStartError(f"cron {text!r}: {exc}") from exc
