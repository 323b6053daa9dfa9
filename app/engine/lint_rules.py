"""Lint rules for single BPMN elements: tasks, forms, events, unsupported constructs, ignored extensions.

Each rule takes ``(element, context)`` and records findings on ``context.report``; :data:`RULES_BY_TAG`
says which rules run on which element (Clark tag), :data:`RULES_FOR_ALL` run on every element.
"""
from dataclasses import dataclass

from .bpmn_xml import BPMN, CAMUNDA, camunda, properties
from .findings import Library, Report
from .lint_constructs import CONSTRUCT_RULES_BY_TAG
from .lint_expressions import check_assignment, check_collection, check_condition, check_expression, check_timer
from .lint_forms import check_element_form
from .lint_gateways import check_gateway
from .lint_time_limits import check_time_limits

#: Catalogue facts deploy needs on the process element (README, "How process designers …", step 2).
REQUIRED_CATALOGUE = ("procedure_code", "procedure_name")  # the time limit: lint_time_limits
_UNSUPPORTED = {
    "complexGateway": ("complex gateways are not supported by the engine; use exclusive, inclusive or parallel "
                       "gateways"),
    "transaction": ("transaction subprocesses (cancel and compensation semantics) are not supported; use an "
                    "ordinary subprocess"),
    "compensateEventDefinition": ("compensation events are not supported; model the undo step as an ordinary "
                                  "task on an error or escalation path"),
    "linkEventDefinition": "link events are not supported; draw the sequence flow instead",
}
_IGNORED_EXTENSIONS = {
    "executionListener": ("listener-ignored", ("camunda:executionListener is ignored by the engine (nothing "
                                               "runs); use an external service task")),
    "taskListener": ("listener-ignored", ("camunda:taskListener is ignored by the engine (nothing runs); use an "
                                          "external service task")),
    "inputOutput": ("io-mapping-ignored", ("camunda:inputOutput is ignored: all process data is shared between "
                                           "tasks; remove the mapping")),
}


@dataclass(frozen=True)
class ProcessContext:
    """What rules need besides the element: where to report, what the run offers, the process's flows."""

    report: Report
    library: Library
    ids: frozenset[str]
    outgoing: dict[str, list]
    #: processes the file's call activities may call (:class:`.calls.CallGraph`), None when not built.
    calls: object = None


def check_catalogue(process, report: Report) -> None:
    """The procedure catalogue facts deploy stores (README step 2) must be on the process element."""
    catalogue = properties(process)
    missing = [key for key in REQUIRED_CATALOGUE if not catalogue.get(key)]
    if missing:
        report.error("catalogue", f"catalogue properties missing on the process: {', '.join(missing)}; add them "
                                  "under Extensions → Properties of the process", element=process)
    check_time_limits(process, report)


def _unsupported(element, ctx: ProcessContext) -> None:
    local = element.tag.rpartition("}")[2]
    if element.tag.startswith(f"{{{BPMN}}}") and local in _UNSUPPORTED:
        ctx.report.error("unsupported-construct", _UNSUPPORTED[local], element=element)
    if element.get("isForCompensation") == "true":
        ctx.report.error("unsupported-construct", "compensation handlers (isForCompensation) are not supported; "
                                                  "model the undo step as an ordinary task", element=element)


def _ignored_extension(element, ctx: ProcessContext) -> None:
    rule, message = _IGNORED_EXTENSIONS[element.tag.rpartition("}")[2]]
    ctx.report.warning(rule, message, element=element)


def _flow_reference(flow, ctx: ProcessContext) -> None:
    missing = [f"{end} {flow.get(end)!r}" for end in ("sourceRef", "targetRef") if flow.get(end) not in ctx.ids]
    if missing:
        ctx.report.error("flow-reference", f"sequence flow points to elements that do not exist: "
                                           f"{', '.join(missing)}; reconnect it in the Modeler", element=flow)


def _script_task(task, ctx: ProcessContext) -> None:
    ctx.report.error("script-task", "script tasks run code from the diagram; use a service task with a "
                                    "registered topic", element=task)


def _service_task(task, ctx: ProcessContext) -> None:
    topic = task.get(camunda("topic"))
    if task.get(camunda("type")) != "external" or not topic:
        ctx.report.error("service-task", 'service tasks must be external tasks: set camunda:type="external" and a '
                                         "camunda:topic", element=task)
    elif topic not in ctx.library.topics:
        ctx.report.error("service-task", f"no handler is registered for external-task topic {topic!r}; known "
                                         f"topics: {sorted(ctx.library.topics)}", element=task)


def _business_rule_task(task, ctx: ProcessContext) -> None:
    ref = task.get(camunda("decisionRef"))
    if not ref:
        ctx.report.error("business-rule-task", "business rule tasks need camunda:decisionRef naming a DMN decision "
                                               "(class, expression and delegate implementations are not run)",
                         element=task)
    elif ref not in ctx.library.decisions:
        ctx.report.error("business-rule-task", f"decision {ref!r} (camunda:decisionRef) is not in the readable .dmn "
                                               f"files of this run: {sorted(ctx.library.decisions)}; add the .dmn "
                                               "file next to the diagram", element=task)


def _user_task(task, ctx: ProcessContext) -> None:
    check_assignment(task, ctx.report, ctx.library.functions)
    check_element_form(task, ctx.report, ctx.library)


def _start_event(event, ctx: ProcessContext) -> None:
    check_element_form(event, ctx.report, ctx.library)


def _gateway(gateway, ctx: ProcessContext) -> None:
    check_gateway(gateway, ctx.report, ctx.outgoing)


def _expression(element, ctx: ProcessContext) -> None:
    check_expression(element, ctx.report, ctx.library.functions)


def _condition(element, ctx: ProcessContext) -> None:
    check_condition(element, ctx.report, ctx.library.functions)


def _multi_instance(element, ctx: ProcessContext) -> None:
    check_collection(element, ctx.report, ctx.library.functions)


def _timer(element, ctx: ProcessContext) -> None:
    check_timer(element, ctx.report, ctx.library.functions)


def _bpmn(name: str) -> str:
    return f"{{{BPMN}}}{name}"


RULES_FOR_ALL = (_unsupported,)
RULES_BY_TAG = {
    _bpmn("sequenceFlow"): (_flow_reference,),
    _bpmn("conditionExpression"): (_condition,),
    **{_bpmn(name): (_expression,) for name in ("condition", "loopCardinality", "completionCondition",
                                                "loopCondition")},
    **{_bpmn(name): (_timer,) for name in ("timeDate", "timeDuration", "timeCycle")},
    _bpmn("multiInstanceLoopCharacteristics"): (_multi_instance,),
    _bpmn("exclusiveGateway"): (_gateway,),
    _bpmn("inclusiveGateway"): (_gateway,),
    _bpmn("scriptTask"): (_script_task,),
    _bpmn("serviceTask"): (_service_task,),
    _bpmn("businessRuleTask"): (_business_rule_task,),
    _bpmn("userTask"): (_user_task,),
    _bpmn("startEvent"): (_start_event,),
    **{f"{{{CAMUNDA}}}{name}": (_ignored_extension,) for name in _IGNORED_EXTENSIONS},
}
for _tag, _rules in CONSTRUCT_RULES_BY_TAG.items():  # supported and refused constructs (lint_constructs)
    RULES_BY_TAG[_tag] = (*RULES_BY_TAG.get(_tag, ()), *_rules)
