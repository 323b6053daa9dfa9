"""The clock the engine's timers read: the real one, or a virtual ``now`` frozen for the calling context.

SpiffWorkflow 3.2.0 reads the time in one place only, ``SpiffWorkflow.bpmn.specs.event_definitions.timer``:
``datetime.now(timezone.utc)`` decides whether a date, duration or cycle timer has fired, and is the start a
duration (``PT2H``) or a bare interval (``R3/PT1H``) counts from. Importing this module points that module's
``datetime`` name at :class:`EngineDatetime`, which is ``datetime`` in every use except ``now``: inside
:func:`frozen_at` it returns the frozen time, outside it the real time. Nothing else of Spiff is touched, and
without :func:`frozen_at` the engine behaves exactly as before.

The frozen time lives in a :class:`~contextvars.ContextVar`, so it is per thread (and per asyncio task): a
scenario run moving its clock never moves the clock of a request or of the scheduler running beside it.

Use::

    with frozen_at(datetime(2026, 6, 4, 10, 0, tzinfo=UTC)):
        workflow.fire_due_timers()      # Spiff compares due times with 04/06/2026 10:00 UTC
"""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

_FROZEN_NOW: ContextVar[datetime | None] = ContextVar("engine_frozen_now", default=None)


def engine_now(tz=None) -> datetime:
    """The time the engine sees: the frozen time in this context, else the real time.

    :param tz: a ``tzinfo`` for an aware result (Spiff passes ``timezone.utc``); ``None`` gives naive local
        time, as ``datetime.now()`` does.
    """
    frozen = _FROZEN_NOW.get()
    if frozen is None:
        return datetime.now(tz)
    return frozen.astimezone(tz) if tz is not None else frozen.astimezone().replace(tzinfo=None)


@contextmanager
def frozen_at(now: datetime) -> Iterator[datetime]:
    """Make the engine's timers see ``now`` (aware) in this context until the block ends; blocks may nest.

    :raises ValueError: ``now`` is naive (a due time without an offset is ambiguous).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("the engine clock needs an aware datetime (with a UTC offset)")
    token = _FROZEN_NOW.set(now)
    try:
        yield now
    finally:
        _FROZEN_NOW.reset(token)


class _DatetimeStandIn(type):
    """Metaclass making :class:`EngineDatetime` stand for ``datetime``: attributes, calls, ``isinstance``."""

    def __getattr__(cls, name):
        return getattr(datetime, name)

    def __call__(cls, *args, **kwargs):
        return datetime(*args, **kwargs)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, datetime)

    def __subclasscheck__(cls, subclass) -> bool:
        return issubclass(subclass, datetime)


class EngineDatetime(metaclass=_DatetimeStandIn):
    """``datetime`` as Spiff's timer module sees it: plain ``datetime`` values out, ``now`` from the engine clock."""

    now = staticmethod(engine_now)


def install() -> None:
    """Point Spiff's timer module at the engine clock; idempotent (done once when this module is imported)."""
    _spiff_timer.datetime = EngineDatetime


install()
