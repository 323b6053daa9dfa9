"""The officer's inbox, after Camunda 7 Tasklist: saved filters with counts, search, and due chips in working time.

Filters (``?filter=``), each over the work items of the officer's own agency only:

* ``todo`` (default) — mine plus my groups' unclaimed items: what I can do now;
* ``mine`` — claimed by me, or the diagram names me as assignee;
* ``groups`` — unclaimed items of a candidate group among my roles (or naming me as candidate user);
* ``unassigned`` — every unclaimed item of the agency, whoever's group (what a leader distributes);
* ``due_soon`` / ``overdue`` — within ``todo``, less than ``DUE_WARNING_WORKING_DAYS`` working days left / past due;
* ``all`` — every item of the agency.

``?procedure=<code>`` narrows any filter to one procedure (its counts are shown per procedure) and ``?q=`` searches
by dossier code (a part of it). Items are sorted by due time, soonest first; items without one come last.
"""
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Officer, WorkItem
from app.models.working_calendar import load_working_calendar
from app.services import working_time
from app.services.deadlines import OfficeHours, WorkingCalendar, working_seconds_between
from app.services.work_items import is_candidate

#: (key, Vietnamese label), in the order shown.
FILTERS = (("todo", "Cần xử lý"), ("mine", "Việc của tôi"), ("groups", "Nhóm của tôi"),
           ("unassigned", "Chưa ai nhận"), ("due_soon", "Sắp đến hạn"), ("overdue", "Quá hạn"),
           ("all", "Tất cả của cơ quan"))
DEFAULT_FILTER = "todo"
_FAR = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DueChip:
    """What the inbox shows about a due time: ``kind`` is ``due``, ``due_soon`` or ``overdue``; ``text`` Vietnamese,
    e.g. "Còn 5 giờ làm việc" or "Quá hạn 1 ngày làm việc"."""

    kind: str
    text: str


@dataclass(frozen=True)
class InboxPage:
    """One rendering of the inbox: the items of the chosen filter, and the count of every filter."""

    items: list[WorkItem]
    counts: dict[str, int]
    #: (procedure code, procedure name, count) within the chosen filter, most first.
    procedures: list[tuple[str, str, int]]
    chips: dict[int, DueChip]
    #: Ids of the shown items the officer may claim now.
    claimable: frozenset[int]


def inbox_page(officer: Officer, *, filter_key: str, procedure: str | None, search: str | None,
               now: datetime) -> InboxPage:
    """Build the inbox of ``officer`` at ``now`` (aware UTC).

    :param filter_key: one of :data:`FILTERS` keys; an unknown one falls back to :data:`DEFAULT_FILTER`.
    :param procedure: a procedure code to narrow to, or ``None``.
    :param search: part of a dossier code (case-insensitive), or ``None``.
    """
    clock = WorkingClock.current(officer.agency_id)
    items = _agency_items(officer)
    if search:
        needle = search.strip().lower()
        items = [w for w in items if needle in w.dossier.code.lower()]
    chips = {w.id: clock.chip(w.due_at, now) for w in items if w.due_at is not None}
    tests = _filters(officer, chips)
    counts = {key: sum(1 for w in items if tests[key](w)) for key, _ in FILTERS}
    chosen = [w for w in items if tests[filter_key if filter_key in tests else DEFAULT_FILTER](w)]
    per_procedure = Counter((w.dossier.procedure.code, w.dossier.procedure.name) for w in chosen)
    if procedure:
        chosen = [w for w in chosen if w.dossier.procedure.code == procedure]
    return InboxPage(items=chosen, counts=counts, chips=chips, claimable=frozenset(w.id for w in chosen if tests["groups"](w)),
                     procedures=[(code, name, n) for (code, name), n in per_procedure.most_common()])


def _filters(officer: Officer, chips: dict[int, DueChip]):
    def mine(w):
        return w.claimed_by_id == officer.id or (w.assignee == officer.username and w.claimed_by_id is None)

    def groups(w):
        return w.claimed_by_id is None and is_candidate(officer, w)

    def todo(w):
        return mine(w) or groups(w)

    def kind(w):
        chip = chips.get(w.id)
        return chip.kind if chip else None

    return {"todo": todo, "mine": mine, "groups": groups,
            "unassigned": lambda w: w.claimed_by_id is None and not w.assignee,
            "due_soon": lambda w: todo(w) and kind(w) == "due_soon",
            "overdue": lambda w: todo(w) and kind(w) == "overdue",
            "all": lambda w: True}


def _agency_items(officer: Officer) -> list[WorkItem]:
    items = db.session.scalars(select(WorkItem).where(WorkItem.agency_id == officer.agency_id)).all()
    return sorted(items, key=lambda w: (w.due_at or _FAR, w.opened_at))


@dataclass(frozen=True)
class WorkingClock:
    """An agency's working time, for due chips: office hours on working days of the civil-service calendar.

    The arithmetic is :func:`app.services.deadlines.working_seconds_between` (no lunch break, as
    :class:`~app.services.deadlines.OfficeHours`); this class only adds the "due soon" period and the wording.
    """

    calendar: WorkingCalendar
    hours: OfficeHours
    tz: ZoneInfo
    warning_working_days: int
    #: When set, the "due soon" period in working hours instead of :attr:`warning_working_days` (R48).
    warning_working_hours: int = 0

    @classmethod
    def current(cls, agency_id: int | None = None) -> "WorkingClock":
        """The app's calendar (database), the office hours of agency ``agency_id`` (R116; the defaults when it has
        none or ``None``), time zone and warning period (config ``DUE_WARNING_WORKING_HOURS`` when set and not 0,
        else ``DUE_WARNING_WORKING_DAYS``)."""
        config = current_app.config
        return cls(load_working_calendar(), working_time.office_hours(agency_id), working_time.local_tz(),
                   config["DUE_WARNING_WORKING_DAYS"], int(config.get("DUE_WARNING_WORKING_HOURS") or 0))

    @property
    def warning_seconds(self) -> float:
        """Working seconds before the due time from which an item is "due soon"."""
        if self.warning_working_hours:
            return self.warning_working_hours * 3600.0
        return self.warning_working_days * self.day_seconds

    @property
    def day_seconds(self) -> int:
        """Length of one working day's office hours, in seconds."""
        return self.hours.seconds_per_day

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        """Seconds of office hours on working days between aware instants ``a`` and ``b`` (0 when ``b <= a``)."""
        return working_seconds_between(a, b, self.calendar, self.hours, self.tz)

    def chip(self, due_at: datetime, now: datetime) -> DueChip:
        """The chip of a due time seen at ``now``: hours when less than a working day, else working days.

        Overdue days count the working days after the due day up to today (the due day itself is the last day
        allowed: Civil Code 2015 Art. 148), so a dossier due yesterday evening is "quá hạn 1 ngày làm việc".
        """
        if due_at < now:
            late_days = self.calendar.working_days_between(due_at.astimezone(self.tz).date(),
                                                           now.astimezone(self.tz).date())
            if late_days >= 1:
                return DueChip("overdue", f"Quá hạn {late_days} ngày làm việc")
            late_hours = int(self.working_seconds_between(due_at, now) // 3600)
            return DueChip("overdue", f"Quá hạn {late_hours} giờ làm việc" if late_hours else "Đã quá hạn")
        left = self.working_seconds_between(now, due_at)
        kind = "due_soon" if left <= self.warning_seconds else "due"
        if left < self.day_seconds:
            hours = int(left // 3600)
            return DueChip(kind, f"Còn {hours} giờ làm việc" if hours else f"Còn {max(1, int(left // 60))} phút làm việc")
        return DueChip(kind, f"Còn {int(left // self.day_seconds)} ngày làm việc")
