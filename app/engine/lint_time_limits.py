"""Lint the time-limit properties of a process: ``time_limit_unit`` and ``time_limit`` (legacy name
``processing_working_days``), legal.md §9.4 item 1.

A wrong unit or number would otherwise only fail when an officer receives the first dossier.
"""
from app.services.deadlines import TimeLimit, TimeLimitError

from .bpmn_xml import properties
from .findings import Report

#: rule id → what it catches (severity in brackets); listed with the linter's rules.
TIME_LIMIT_RULES = {
    "time-limit": "time_limit_unit / time_limit (legacy processing_working_days) missing or unreadable [error]",
}


def check_time_limits(process, report: Report) -> None:
    """Record a ``time-limit`` error naming the process when its time limit cannot be read (unknown unit, missing or
    non-numeric number, disagreeing names, a number on a same-day procedure)."""
    try:
        TimeLimit.from_properties(properties(process))
    except TimeLimitError as exc:
        report.error("time-limit", f"process {process.get('id')!r}: {exc}; set it under Extensions → Properties of "
                                   "the process (time_limit_unit: working_days, working_hours, calendar_days or "
                                   "same_day; time_limit: a whole number)", element=process)
