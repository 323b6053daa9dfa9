"""Delivering BPMN messages to a dossier: Camunda 7's message correlation, for one process instance.

A diagram waits for something from outside (a payment confirmed by the payment gateway, a reply from another
agency) with a message catch event, an interrupting message boundary event or a receive task, each naming a
global message (``payment_received``). The app, or an integration, calls :func:`correlate_message` with that
name and the variables the message carries; they become process variables, as they do in Camunda 7, and the
dossier moves on. A message nothing waits for is refused (Camunda 7 raises ``MismatchingMessageCorrelation``),
never queued. Like every service this only flushes; the caller commits, or rolls back on an error.
"""
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.engine import frozen_at
from app.models import Dossier

from .dossier_state import restore_workflow, save_workflow

#: A message's variables are named like form fields: letters, digits and _, and never ``typename``.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = frozenset({"typename"})


class MessageDataError(ValueError):
    """The message's variables cannot be stored (a bad name, or a value that is not JSON)."""


def correlate_message(dossier: Dossier, name: str, data: Mapping[str, Any] | None = None, *,
                      now: datetime) -> list[str]:
    """Deliver message ``name`` with variables ``data`` to the dossier's workflow and save it.

    Records a ``message_received`` event (message, receiving BPMN elements, variables).

    :param now: aware UTC time of delivery; the engine's timers count from it.
    :return: the BPMN ids of the events that received the message.
    :raises MessageDataError: a variable name is not an identifier or is reserved, or a value is not JSON data.
    :raises app.engine.MessageNotExpectedError: nothing in the workflow waits for ``name`` now (nothing saved).
    :raises app.engine.EngineError: the engine failed after receiving it (roll back, never commit).
    """
    variables = _checked(dict(data or {}))
    workflow = restore_workflow(dossier)
    with frozen_at(now):
        received = workflow.correlate(name, variables)
        dossier.record_event("message_received", at=now, data={"message": name, "received_by": received,
                                                               "values": variables})
        save_workflow(dossier, workflow, now=now)
    return received


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    bad = sorted(key for key in data if not isinstance(key, str) or not _NAME.match(key) or key in _RESERVED)
    if bad:
        raise MessageDataError(f"message variable name(s) {', '.join(map(str, bad))} must be identifiers (letters, "
                               "digits, _) and not typename")
    for key, value in data.items():
        _check_value(key, value)
    return data


def _check_value(where: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or key in _RESERVED:
                raise MessageDataError(f"{where}: key {key!r} cannot be stored (a text key other than typename)")
            _check_value(f"{where}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(f"{where}[{index}]", item)
    elif value is not None and not isinstance(value, str | int | float | bool):
        raise MessageDataError(f"{where}: a {type(value).__name__} is not JSON data; send text, numbers, booleans, "
                               "lists or objects")
