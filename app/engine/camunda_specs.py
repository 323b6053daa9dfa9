"""Spec classes that make SpiffWorkflow 3.2.0 run four constructs as Camunda 7 does.

* **Messages** (:class:`CamundaMessageEventDefinition`): Camunda 7 sets the variables a correlated message
  carries as process variables. Spiff's Camunda flavour puts the whole payload into one variable named
  ``<event id>_Response`` instead.
* **Parallel and sequential multi-instance user tasks** (:class:`CamundaParallelMultiInstanceTask`,
  :class:`CamundaSequentialMultiInstanceTask`): in Camunda 7 the element variable (``camunda:elementVariable``)
  and ``loopCounter`` are local to their instance, and every other variable an instance's completion sets becomes
  a process variable (the last completion wins). The collection is left as it was, and the completion condition
  can read ``nrOfInstances``, ``nrOfCompletedInstances`` and ``nrOfActiveInstances``. Spiff's Camunda flavour
  instead writes the element variable back into the collection and drops every other value the instances set.
* **Business rule tasks** (:class:`CamundaBusinessRuleTask`): Camunda 7 stores the decision's result in
  ``camunda:resultVariable`` shaped by ``camunda:mapDecisionResult`` (``resultList`` by default, ``singleResult``,
  ``singleEntry``, ``collectEntries``) and applies the table's hit policy. Spiff merges the output columns of the
  first matching rule into the data. Without ``resultVariable`` (Camunda then keeps no result) Spiff's behaviour
  is kept, and the linter warns.
* **Call activities** (:class:`CamundaCallActivity`): Camunda 7 passes variables only through ``camunda:in`` and
  ``camunda:out`` mappings; Spiff copies all data into the called process and all of it back.

Each class has its own name, so the serializer stores and restores it (see :mod:`.serializer`); specs
deployed before these classes existed keep Spiff's classes and behaviour.
"""
from copy import deepcopy

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import CallActivity
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (MultiInstanceTask, ParallelMultiInstanceTask,
                                                                 SequentialMultiInstanceTask)
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.dmn.specs import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException

#: Variables Camunda 7 keeps local to one instance of a multi-instance activity (besides the element variable).
INSTANCE_LOCAL = frozenset({"loopCounter"})
#: ``camunda:mapDecisionResult`` values Camunda 7 knows.
DECISION_RESULT_MAPPINGS = ("resultList", "singleResult", "singleEntry", "collectEntries")
#: Hit policies that return every matching rule (the others return the first).
MULTIPLE_HIT_POLICIES = frozenset({"COLLECT", "RULE ORDER"})


class CamundaMessageEventDefinition(MessageEventDefinition):
    """A message catch whose payload (a dict) becomes process variables, as Camunda 7's correlation does.

    ``camunda:resultVariable`` (a Spiff extension Camunda 7 does not have on catch events) still collects the
    payload into one variable when a diagram sets it.
    """

    def update_task_data(self, my_task):
        event = my_task.internal_data.get(self.name) or {}
        payload = event.get("payload")
        if self.result_var is None and isinstance(payload, dict):
            my_task.set_data(**deepcopy(payload))
        else:
            super().update_task_data(my_task)


class _CamundaInstanceVariables(MultiInstanceTask):
    """Camunda 7 variable scoping for the instances of a multi-instance task (see the module docstring).

    Sits before Spiff's ``MultiInstanceTask`` in the method order, so Spiff's parallel and sequential logic
    (which instance comes next, when the task is done) is kept and only the data handling is replaced.
    """

    def create_child(self, my_task, item, key_or_index=None):
        # What the instance starts from: a value differing from it at the end was set by the instance.
        my_task.internal_data["instance_base"] = deepcopy(my_task.data)
        super().create_child(my_task, item, key_or_index)
        child = my_task.children[-1]
        index = key_or_index if isinstance(key_or_index, int) else len(my_task.children) - 1
        child.data["loopCounter"] = index

    def merge_child(self, workflow, child):
        my_task = child.parent
        base = my_task.internal_data.get("instance_base", {})
        local = INSTANCE_LOCAL | ({self.input_item.bpmn_id} if self.input_item is not None else set())
        for key, value in child.data.items():
            if key not in local and (key not in base or base[key] != value):
                my_task.data[key] = deepcopy(value)
        my_task.internal_data["merged"].append(str(child.id))

    def check_completion_condition(self, my_task):
        if self.condition is None or not my_task.internal_data.get("merged"):
            return False
        total = self._instance_count(my_task)
        completed = len(my_task.internal_data["merged"])
        context = {**my_task.data, "nrOfInstances": total, "nrOfCompletedInstances": completed,
                   "nrOfActiveInstances": self._active_count(my_task, total, completed)}
        return bool(my_task.workflow.script_engine.environment.evaluate(self.condition, context))

    def _instance_count(self, my_task) -> int:
        if self.data_input is not None:
            return len(self.data_input.get(my_task) or ())
        cardinality = my_task.internal_data.get("cardinality")
        if cardinality is None:
            cardinality = my_task.workflow.script_engine.evaluate(my_task, self.cardinality)
        return int(cardinality)

    def _active_count(self, my_task, total: int, completed: int) -> int:
        return total - completed

    def _run_hook(self, my_task):
        my_task.internal_data.pop("instance_base", None)
        return super()._run_hook(my_task)


class CamundaParallelMultiInstanceTask(ParallelMultiInstanceTask, _CamundaInstanceVariables, BpmnSpecMixin):
    """Parallel multi-instance user task with Camunda 7 variable scoping."""


class CamundaSequentialMultiInstanceTask(SequentialMultiInstanceTask, _CamundaInstanceVariables, BpmnSpecMixin):
    """Sequential multi-instance user task with Camunda 7 variable scoping."""

    def _active_count(self, my_task, total: int, completed: int) -> int:
        return 0 if completed >= total else 1


class DecisionResultError(ValueError):
    """The decision's result does not fit ``camunda:mapDecisionResult`` (e.g. two rules for ``singleResult``)."""


class CamundaBusinessRuleTask(BusinessRuleTask):
    """A DMN business rule task storing its result in ``camunda:resultVariable`` as Camunda 7 maps it.

    ``extensions`` carries ``resultVariable`` and ``mapDecisionResult`` (copied by the parser).
    """

    def _run_hook(self, my_task):
        variable = self.extensions.get("resultVariable")
        if not variable:
            return super()._run_hook(my_task)
        try:
            my_task.data[variable] = decision_result(self.dmnEngine, my_task,
                                                     self.extensions.get("mapDecisionResult") or "resultList")
        except SpiffWorkflowException as exc:
            exc.add_note(f"Business Rule Task '{self.bpmn_name or self.bpmn_id}'.")
            raise
        except Exception as exc:  # noqa: BLE001 - Spiff's own hook wraps any failure the same way
            raise WorkflowTaskException(str(exc), task=my_task) from exc
        return super(BusinessRuleTaskMixin, self)._run_hook(my_task) or True


def decision_result(engine, my_task, mapping: str):
    """The decision table's result for the task's data, hit policy applied, mapped as ``camunda:mapDecisionResult``.

    :raises DecisionResultError: the result does not fit the mapping (Camunda 7 fails the same way).
    """
    matched = engine.decide(my_task)
    if engine.decision_table.hit_policy.upper() not in MULTIPLE_HIT_POLICIES:
        matched = matched[:1]
    rows = [dict(rule.output_as_dict(my_task)) for rule in matched]
    if mapping == "resultList":
        return rows
    if mapping == "collectEntries":
        if any(len(row) != 1 for row in rows):
            raise DecisionResultError("collectEntries needs a decision table with exactly one output column")
        return [next(iter(row.values())) for row in rows]
    if len(rows) > 1:
        raise DecisionResultError(f"{mapping} needs at most one matching rule, {len(rows)} matched")
    if mapping == "singleResult":
        return rows[0] if rows else None
    if mapping == "singleEntry":
        if rows and len(rows[0]) != 1:
            raise DecisionResultError("singleEntry needs a decision table with exactly one output column")
        return next(iter(rows[0].values())) if rows else None
    raise DecisionResultError(f"unknown camunda:mapDecisionResult {mapping!r}; use one of "
                              f"{', '.join(DECISION_RESULT_MAPPINGS)}")


__all__ = ["CamundaBusinessRuleTask", "CamundaCallActivity", "CamundaMessageEventDefinition", "CamundaParallelMultiInstanceTask",
           "CamundaSequentialMultiInstanceTask", "DECISION_RESULT_MAPPINGS", "DecisionResultError", "decision_result"]


class CamundaCallActivity(CallActivity):
    """A call activity passing variables as Camunda 7's ``camunda:in``/``camunda:out`` mappings say.

    ``extensions["in"]``/``extensions["out"]`` (copied by the parser) are lists of mappings, each one of
    ``{"variables": "all"}``, ``{"source": a, "target": b}`` or ``{"sourceExpression": "${…}", "target": b}``.
    As in Camunda 7, the called process sees only the variables its ``in`` mappings give it (none without one),
    and only the variables its ``out`` mappings name come back; a mapped variable that does not exist is passed
    as null (Camunda passes null too). Spiff's own call activity copies everything both ways.
    """

    def copy_data(self, my_task, subworkflow):
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**_mapped(self.extensions.get("in") or [], my_task.data, my_task))

    def update_data(self, my_task, subworkflow):
        values = _mapped(self.extensions.get("out") or [], subworkflow.last_task.data, my_task)
        my_task.data.update(values)


def _mapped(mappings: list, source: dict, my_task) -> dict:
    """The variables ``mappings`` pass from ``source`` (deep copies), in mapping order."""
    values: dict = {}
    for mapping in mappings:
        if mapping.get("variables") == "all":
            values.update(deepcopy(source))
        elif mapping.get("sourceExpression"):
            values[mapping["target"]] = my_task.workflow.script_engine.environment.evaluate(
                mapping["sourceExpression"], dict(source))
        elif mapping.get("source"):
            values[mapping.get("target") or mapping["source"]] = deepcopy(source.get(mapping["source"]))
    return values
