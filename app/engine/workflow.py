"""``DossierWorkflow``: one dossier's running BPMN process, behind plain dataclasses.

Shape of use (one load and one save per request)::

    wf = DossierWorkflow.restore(version.content_hash, lambda: version.spec_json, state_json)
    wf.complete(task_id, data)           # user task, then engine steps until a human or a timer is needed
    state_json = wf.dump()

Any :class:`EngineError` leaves the in-memory workflow half-advanced: never dump it, reload instead.
"""
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.control import _EndJoin
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, ServiceTask, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException, TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from . import scripts
from .errors import EngineError, ExpressionError, MessageNotExpectedError, TaskNotReadyError
from .scripts import expression_helper_names, make_script_engine, set_expression_helpers  # noqa: F401 (API)
from .serializer import dump_instance, load_instance, load_spec
from .tasks import PendingTimer, ServiceTaskCall, UserTask, WaitingMessage, user_task


_SPECS: dict[str, tuple] = {}
#: Task states of work in progress (predicted FUTURE/LIKELY/MAYBE tasks and finished ones are not).
_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _spec_for(spec_key: str, load_spec_json: Callable[[], str]):
    """Parsed specs by key (a process version's content hash): stored JSON is read and restored once."""
    if spec_key not in _SPECS:
        if len(_SPECS) >= 256:
            _SPECS.pop(next(iter(_SPECS)))
        _SPECS[spec_key] = load_spec(load_spec_json())
    return _SPECS[spec_key]


class DossierWorkflow:
    """A dossier's workflow. Build it with :meth:`start` or :meth:`restore`; never hand out Spiff objects."""

    def __init__(self, workflow: BpmnWorkflow):
        self._wf = workflow
        self._wf.script_engine = scripts.current_engine()

    @classmethod
    def start(cls, spec_key: str, load_spec_json: Callable[[], str], data: Mapping[str, Any]) -> "DossierWorkflow":
        """Start a new instance of a process version with initial ``data`` and run it until it waits.

        :param spec_key: identifies the spec for the cache, e.g. the process version's content hash.
        :param load_spec_json: returns the serialized spec; called only when the cache misses.
        :raises EngineError: when the first steps fail (e.g. a gateway expression).
        """
        spec, subprocess_specs = _spec_for(spec_key, load_spec_json)
        flow = cls(BpmnWorkflow(spec, subprocess_specs, script_engine=scripts.current_engine()))
        flow._wf.task_tree.data.update(data)
        flow._run_engine()
        return flow

    @classmethod
    def restore(cls, spec_key: str, load_spec_json: Callable[[], str], state_json: str) -> "DossierWorkflow":
        """Rebuild a running workflow from its process version's spec and its saved instance JSON."""
        spec, subprocess_specs = _spec_for(spec_key, load_spec_json)
        return cls(load_instance(state_json, spec, subprocess_specs))

    def dump(self) -> str:
        """Instance-only JSON for ``Dossier.workflow_state`` (about 15 KB for the household-business procedure)."""
        return dump_instance(self._wf)

    @property
    def completed(self) -> bool:
        return self._wf.completed

    def ready_user_tasks(self) -> list[UserTask]:
        """READY user tasks, including those inside subprocesses."""
        return [user_task(t) for t in self._wf.get_tasks(state=TaskState.READY, manual=True)]

    def complete(self, task_id: str, data: Mapping[str, Any]) -> None:
        """Complete a READY user task with ``data`` and run until the workflow waits again.

        :raises TaskNotReadyError: the task does not exist or is no longer READY (already handled).
        :raises EngineError: the engine failed afterwards; do not save.
        """
        task = self._find(task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReadyError(f"task {task_id} is not waiting for input", element_id=None)
        task.set_data(**dict(data))
        self._guarded(task.run)
        self._run_engine()

    def fire_due_timers(self) -> None:
        """Fire every timer whose due time has passed (Spiff compares with the real clock) and run on."""
        self._guarded(self._wf.refresh_timers)
        self._run_engine()

    def pending_timers(self) -> list[PendingTimer]:
        """Timers the workflow is waiting for, with their frozen due times."""
        timers = []
        for task in self._wf.get_tasks(state=TaskState.WAITING):
            if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
                value = task._get_internal_data("event_value")
                if isinstance(value, dict):  # a cycle: its next time, unless every repetition has fired
                    value = value["next"] if value.get("cycles") != 0 else None
                if value:
                    timers.append(PendingTimer(str(task.id), task.task_spec.bpmn_id, task.task_spec.bpmn_name or "",
                                               TimerEventDefinition.get_datetime(value)))
        return timers

    def waiting_messages(self) -> list[WaitingMessage]:
        """Message catch events waiting now, in subprocesses too (what :meth:`correlate` can deliver)."""
        return [WaitingMessage(str(t.id), t.task_spec.bpmn_id, t.task_spec.event_definition.name)
                for t in self._wf.get_tasks(state=TaskState.WAITING)
                if isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)]

    def correlate(self, name: str, data: Mapping[str, Any]) -> list[str]:
        """Deliver the message ``name`` carrying ``data`` and run until the workflow waits again.

        As Camunda 7's message correlation: the variables in ``data`` become process variables, and every
        catch event waiting for ``name`` receives it (a message nothing waits for is refused, not queued).

        :return: the BPMN ids of the events that received it.
        :raises MessageNotExpectedError: no catch event waits for ``name`` now (nothing changed).
        :raises EngineError: the engine failed afterwards; do not save.
        """
        waiting = [t for t in self._wf.get_tasks(state=TaskState.WAITING)
                   if isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)
                   and t.task_spec.event_definition.name == name]
        if not waiting:
            expected = sorted({m.name for m in self.waiting_messages()})
            raise MessageNotExpectedError(f"no event waits for message {name!r} (waiting for: "
                                          f"{', '.join(expected) or 'no message'})")
        event = BpmnEvent(waiting[0].task_spec.event_definition, payload={"payload": dict(data), "result_var": None})
        self._guarded(lambda: self._wf.send_event(event))
        self._run_engine()
        return [t.task_spec.bpmn_id for t in waiting]

    def started_service_tasks(self) -> list[ServiceTaskCall]:
        """External service tasks the engine parked in STARTED, waiting for their topic's handler."""
        return [ServiceTaskCall(str(t.id), t.task_spec.bpmn_id, t.task_spec.extensions.get("topic", ""), dict(t.data))
                for t in self._wf.get_tasks(state=TaskState.STARTED) if isinstance(t.task_spec, ServiceTask)]

    def complete_service_task(self, task_id: str, result: Mapping[str, Any]) -> None:
        """Record a handler's ``result`` on a started service task and run on."""
        task = self._find(task_id)
        if task is None or task.state != TaskState.STARTED:
            raise TaskNotReadyError(f"service task {task_id} is not started")
        task.set_data(**dict(result))
        self._guarded(task.complete)
        self._run_engine()

    def reached_end_events(self) -> list[str]:
        """BPMN ids of the end events completed so far, top-level process and subprocesses alike."""
        return [t.task_spec.bpmn_id for t in self._wf.get_tasks(state=TaskState.COMPLETED)
                if isinstance(t.task_spec, EndEvent)]

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The process variables a ready task sees (inside a subprocess too), or ``{}`` if there is no such task."""
        task = self._find(task_id)
        return dict(task.data) if task is not None else {}

    def data(self) -> dict[str, Any]:
        """The process variables as the last completed task left them (the workflow data once finished)."""
        if self._wf.completed:
            return dict(self._wf.data)
        last = self._wf.last_task
        return dict(last.data) if last is not None else dict(self._wf.task_tree.data)

    def _run_engine(self) -> None:
        """Engine steps until only user tasks, started service tasks and future timers remain.

        ``do_engine_steps`` refreshes timers only at its end, so a timer already past due becomes READY there
        without running; loop until no engine task is READY (spiffworkflow.md §3.2).
        """
        for _ in range(100):
            self._guarded(self._wf.do_engine_steps)
            if (not any(not t.task_spec.manual for t in self._wf.get_tasks(state=TaskState.READY))
                    and not self._close_idle_event_subprocesses()):
                return
        raise EngineError("the workflow did not settle after 100 rounds of engine steps (a loop of timers?)")

    def _close_idle_event_subprocesses(self) -> bool:
        """End a (sub)process whose flow is done but whose event subprocesses still wait for their start event.

        Camunda 7 ends a scope once no activity in it is active: the timer start of a non-interrupting event
        subprocess is only a subscription, dropped with the scope. Spiff keeps such an event subprocess as a
        started task waiting for its timer, so the dossier would wait forever: cancel those and let the end join
        fire. An event subprocess that has started (its own tasks active) is waited for, as in Camunda.

        :return: whether any was cancelled (the caller then runs engine steps again).
        """
        closed = False
        for workflow in [self._wf, *self._wf.subprocesses.values()]:
            active = [t for t in workflow.tasks.values() if t.has_state(_ACTIVE)]
            joins = [t for t in active if isinstance(t.task_spec, _EndJoin) and t.state == TaskState.WAITING]
            idle = [t for t in active if self._is_idle_event_subprocess(t)]
            if not joins or not idle or len(active) != len(joins) + len(idle):
                continue
            for task in idle:
                task.cancel()
            for join in joins:
                join.task_spec._update(join)
            closed = True
        return closed

    def _is_idle_event_subprocess(self, task) -> bool:
        """A started subprocess task whose only active task is its start event waiting for its trigger (and, after
        an earlier cycle ran through, its own end join waiting for that start event)."""
        sub = self._wf.subprocesses.get(task.id) if task.state == TaskState.STARTED else None
        if sub is None:
            return False
        active = [t for t in sub.tasks.values() if t.has_state(_ACTIVE)]
        starts = [t for t in active if t.state == TaskState.WAITING and isinstance(t.task_spec, StartEvent)]
        joins = [t for t in active if t.state == TaskState.WAITING and isinstance(t.task_spec, _EndJoin)]
        return len(starts) == 1 and len(active) == len(starts) + len(joins)

    def _find(self, task_id: str):
        try:
            return self._wf.get_task_from_id(UUID(task_id))
        except (TaskNotFoundException, ValueError):
            return None

    @staticmethod
    def _guarded(step: Callable[[], Any]) -> None:
        try:
            step()
        except ExpressionError as exc:
            raise EngineError(str(exc)) from exc
        except SpiffWorkflowException as exc:
            spec = getattr(getattr(exc, "task", None), "task_spec", None)
            raise EngineError(str(exc), element_id=getattr(spec, "bpmn_id", None)) from exc
