"""Where a dossier's workflow stands and the way it came, for drawing on its diagram (officers' dossier page).

Spiff records no sequence flows, only the task tree: a task's parent is the task that led to it. Internal specs
(boundary-event splits and joins, the root and end joins) carry no BPMN id and are skipped, so a transition is the
pair (nearest completed BPMN ancestor, task). The caller matches the pairs against the diagram's sequence flows.
"""
from dataclasses import dataclass

from SpiffWorkflow.util.task import TaskState

from .workflow import DossierWorkflow

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class ProcessPath:
    """BPMN element ids: ``completed`` (run to completion), ``active`` (ready, waiting or started now) and
    ``transitions`` ((source id, target id) pairs the workflow went along)."""

    completed: frozenset[str]
    active: frozenset[str]
    transitions: frozenset[tuple[str, str]]


def process_path(flow: DossierWorkflow) -> ProcessPath:
    """The completed path and live position of ``flow``, subprocesses included."""
    workflow = flow._wf
    tasks = [t for wf in (workflow, *workflow.subprocesses.values()) for t in wf.tasks.values()]
    completed, active, transitions = set(), set(), set()
    for task in tasks:
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id is None:
            continue
        if task.state == TaskState.COMPLETED:
            completed.add(bpmn_id)
        elif task.has_state(_ACTIVE):
            active.add(bpmn_id)
        else:
            continue
        source = _bpmn_ancestor(task)
        if source is not None:
            transitions.add((source, bpmn_id))
    return ProcessPath(frozenset(completed), frozenset(active), frozenset(transitions))


def _bpmn_ancestor(task) -> str | None:
    parent = task.parent
    while parent is not None:
        bpmn_id = getattr(parent.task_spec, "bpmn_id", None)
        if bpmn_id is not None and parent.state == TaskState.COMPLETED:
            return bpmn_id
        if bpmn_id is not None:
            return None
        parent = parent.parent
    return None
