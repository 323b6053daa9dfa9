"""External service tasks: a registry ``topic → handler`` the app runs for BPMN service tasks.

A handler receives the dossier and the task's data and returns a dict merged into the process data.
Retries, backoff and incidents are #3's work; here a failing handler fails the request and nothing is saved.
"""
from collections.abc import Callable
from datetime import datetime
from typing import Any

Handler = Callable[..., dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def external_task(topic: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of ``camunda:topic="<topic>"``."""
    def register(handler: Handler) -> Handler:
        _HANDLERS[topic] = handler
        return handler
    return register


def registered_topics() -> set[str]:
    """Topics that have a handler; deploy refuses a service task whose topic is not here."""
    return set(_HANDLERS)


def handler_for(topic: str) -> Handler:
    """The handler of ``topic``. :raises KeyError: no handler (deploy prevents it for deployed versions)."""
    return _HANDLERS[topic]


@external_task("deadline_warning")
def warn_due_soon(dossier, data: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    """Warn the officers holding the dossier that its due time is near (one working day by default)."""
    holders = sorted({w.task_name for w in dossier.work_items})
    dossier.record_event("deadline_warning", at=now, data={"due_at": dossier.due_at.isoformat() if dossier.due_at
                                                          else None, "open_tasks": holders})
    return {"deadline_warning_sent_at": now.isoformat()}
