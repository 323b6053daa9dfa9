"""Plain dataclasses the engine hands out, and how a Spiff user task becomes one."""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import scripts
from .errors import EngineError, ExpressionError
from .expressions import split_top_level


@dataclass(frozen=True)
class UserTask:
    """A READY user task: what the inbox and the task page need."""

    task_id: str
    bpmn_id: str
    name: str
    lane: str | None
    candidate_groups: tuple[str, ...]
    candidate_users: tuple[str, ...]
    assignee: str | None
    #: ``camunda:dueDate`` evaluated (aware datetime), when the diagram gives one.
    due_at: datetime | None
    form_ref: str | None
    documentation: str | None
    properties: Mapping[str, str]
    #: The agency whose officers do the task, from the task's ``agency_code`` property (a code or ``${…}``);
    #: ``None``: the dossier's handling agency.
    agency_code: str | None = None


@dataclass(frozen=True)
class PendingTimer:
    """A timer the workflow waits for; ``due_at`` is an aware UTC datetime."""

    task_id: str
    bpmn_id: str
    name: str
    due_at: datetime


@dataclass(frozen=True)
class WaitingMessage:
    """A message catch event (intermediate, boundary, receive task, event subprocess start) waiting for ``name``."""

    task_id: str
    bpmn_id: str
    name: str


@dataclass(frozen=True)
class ServiceTaskCall:
    """A started external service task waiting for the app's handler of ``topic``."""

    task_id: str
    bpmn_id: str
    topic: str
    data: Mapping[str, Any]


def user_task(task) -> UserTask:
    """The plain-dataclass view of a READY Spiff user task, assignment attributes evaluated."""
    spec, ext = task.task_spec, task.task_spec.extensions
    resolve = _Resolver(task)
    return UserTask(task_id=str(task.id), bpmn_id=spec.bpmn_id, name=spec.bpmn_name or spec.bpmn_id,
                    lane=spec.lane, candidate_groups=resolve.names(ext.get("candidateGroups")),
                    candidate_users=resolve.names(ext.get("candidateUsers")),
                    assignee=(resolve.names(ext.get("assignee")) or (None,))[0],
                    due_at=resolve.moment(ext.get("dueDate")), form_ref=ext.get("formRef"),
                    documentation=spec.documentation, properties=dict(ext),
                    agency_code=(resolve.names(ext.get("agency_code")) or (None,))[0])


class _Resolver:
    """Evaluates assignment and due-date attributes against the task's data (``${reviewer}``, ``a, ${b}``)."""

    def __init__(self, task):
        self.data = task.data

    def names(self, text: str | None) -> tuple[str, ...]:
        """Comma-separated names, each literal or a JUEL expression giving a name or a list of names.

        :raises EngineError: an expression names an unknown variable or is not allowed.
        """
        names: list[str] = []
        for part in split_top_level(text or ""):
            value = self._evaluate(part) if "{" in part else part
            names.extend(str(v).strip() for v in (value if isinstance(value, list | tuple) else [value]) if v)
        return tuple(n for n in names if n)

    def moment(self, text: str | None) -> datetime | None:
        """``camunda:dueDate``: an ISO datetime with offset, literal or from an expression."""
        if not text:
            return None
        value = self._evaluate(text) if "{" in text else text
        return value if isinstance(value, datetime) else TimerEventDefinition.get_datetime(str(value))

    def _evaluate(self, expression: str):
        try:
            return scripts.evaluate(expression, self.data)
        except ExpressionError as exc:
            raise EngineError(str(exc)) from exc

