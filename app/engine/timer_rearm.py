"""Moving a dossier's date timers when the variables they read change (a paused or restarted legal clock).

SpiffWorkflow 3.2.0 evaluates a ``timeDate`` expression once, when the timer is reached, and caches the result
in the task's internal data (``event_value``); setting ``dossier_due_at`` afterwards moves nothing
(spiffworkflow.md §3.1, ``TimeDateEventDefinition.has_fired``). :func:`set_clock_variables` writes the new
values into every active task (and the parent a waiting timer inherits its data from again on each refresh,
``Task._inherit_data``) and drops that cache on the waiting date timers that read them, so the next
refresh evaluates ``${dossier_due_at}`` again. A timer that has already fired stays fired.
"""
import re
from collections.abc import Mapping

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.util.task import TaskState

from .workflow import DossierWorkflow

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


def set_clock_variables(workflow: DossierWorkflow, variables: Mapping[str, str]) -> list[str]:
    """Set process ``variables`` (ISO strings) on the running workflow and re-arm the date timers reading them.

    Call :meth:`DossierWorkflow.fire_due_timers` afterwards (under the request's clock) so the re-armed timers
    get their new due times, or fire when already past.

    :return: BPMN ids of the waiting timers re-armed.
    """
    wf = workflow._wf
    names = [re.compile(rf"\b{re.escape(name)}\b") for name in variables]
    rearmed = []
    flows = [wf, *wf.subprocesses.values()]
    for flow in flows:
        flow.data.update(variables)
        for task in flow.get_tasks(state=_ACTIVE, skip_subprocesses=True):
            task.data.update(variables)
            definition = getattr(task.task_spec, "event_definition", None)
            if (task.state == TaskState.WAITING and isinstance(definition, TimeDateEventDefinition)
                    and not task._get_internal_data("event_fired", False)
                    and any(n.search(definition.expression or "") for n in names)):
                task.internal_data.pop("event_value", None)
                if task.parent is not None:  # each refresh merges the parent's data over the timer's own
                    task.parent.data.update(variables)
                rearmed.append(task.task_spec.bpmn_id)
    return rearmed
