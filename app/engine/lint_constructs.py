"""Lint rules for the BPMN constructs whose run depends on what the engine wrapper supports.

Supported as Camunda 7 runs them (each has a file and a scenario in ``tests/data/corpus/``): parallel and
inclusive gateways, embedded subprocesses with boundary events, non-interrupting event subprocesses started by a
timer, multi-instance user tasks over a collection or a cardinality, business rule tasks (DMN), message catch
events (intermediate, interrupting boundary, receive task) correlated through the app, intermediate timers, call
activities to callable-only processes (:mod:`.calls`) with ``camunda:in``/``camunda:out`` mappings.

Refused here, each with a message naming the construct and what to draw instead, because SpiffWorkflow 3.2.0
runs it differently from Camunda 7 or the app has no way to trigger it (``tests/corpus/test_refusals.py``):

* interrupting event subprocesses (Spiff never cancels the rest of the process) and event subprocesses started
  by anything but a timer (a message start is only caught by a waiting task, which these are not);
* message start events on the process itself (a procedure starts when a citizen files it, or when the scheduler
  starts it at a timer start event: :mod:`.timer_start`);
* non-interrupting message boundary events (Spiff catches the first message only; Camunda every one);
* message throw events, message end events and send tasks (Spiff delivers the message into the dossier's own
  process instead of sending it anywhere);
* event-based gateways (their timers are invisible to the scheduler: Spiff keeps them on the gateway);
* signal, conditional and escalation events (nothing in the app raises them);
* standard loops and ad-hoc subprocesses (Camunda 7 does not run them as Spiff does);
* multi-instance markers on anything but a user task, and ``camunda:collection`` that is not a variable name.
"""
from .bpmn_xml import BPMN, NS, camunda, local_name, properties
from .calls import is_callable_only
from .timer_start import TimerStartError, timer_start_of
from .camunda_specs import DECISION_RESULT_MAPPINGS
from .findings import Report
from .lint_expressions import WRAPPED, expression_problem
from .parser import COLLECTION

_UNSUPPORTED_EVENTS = {
    "signalEventDefinition": ("signal events are not supported: nothing in the app raises a signal; use a message "
                              "event, which the app correlates to one dossier"),
    "conditionalEventDefinition": ("conditional events are not supported: the engine evaluates their condition "
                                   "only when it happens to run; use an exclusive gateway after the step that "
                                   "changes the data"),
    "escalationEventDefinition": ("escalation events are not supported; use an error end event in the subprocess "
                                  "and an error boundary event on it"),
}
_UNSUPPORTED_ELEMENTS = {
    "eventBasedGateway": ("event-based gateways are not supported: their timers are kept on the gateway where the "
                          "scheduler cannot see them; use a receive task (or a message catch event in an embedded "
                          "subprocess) with a boundary timer event"),
    "sendTask": ("send tasks are not supported: the engine would deliver the message into this dossier's own "
                 'process; send it from an external service task (camunda:type="external" with a topic)'),
    "standardLoopCharacteristics": ("standard loops are not supported (Camunda 7 does not run them); use a "
                                    "multi-instance marker or draw the loop back through a gateway"),
    "adHocSubProcess": ("ad-hoc subprocesses are not supported (Camunda 7 does not run them); use an embedded "
                        "subprocess with a parallel or inclusive gateway"),
}


def check_event_definition(definition, report: Report) -> None:
    """Signal, conditional, escalation events, and message events the engine cannot send or catch as Camunda."""
    kind = local_name(definition)
    if kind in _UNSUPPORTED_EVENTS:
        report.error("unsupported-construct", _UNSUPPORTED_EVENTS[kind], element=definition)
    elif kind == "messageEventDefinition":
        _message_event(definition, report)


def check_unsupported_element(element, report: Report) -> None:
    """Elements refused whatever their attributes (:data:`_UNSUPPORTED_ELEMENTS`)."""
    report.error("unsupported-construct", _UNSUPPORTED_ELEMENTS[local_name(element)], element=element)


def _message_event(definition, report: Report) -> None:
    event = definition.getparent()
    kind = local_name(event)
    if kind in ("intermediateThrowEvent", "endEvent"):
        report.error("unsupported-construct", f"message {_kind_words(kind)} are not supported: the engine would "
                                              "deliver the message into this dossier's own process; send it from an "
                                              'external service task (camunda:type="external" with a topic)',
                     element=definition)
        return
    if kind == "startEvent":
        return  # the start event rule says why (process start or event subprocess)
    if kind == "boundaryEvent" and event.get("cancelActivity", "true") == "false":
        report.error("unsupported-construct", "non-interrupting message boundary events are not supported: the "
                                              "engine catches only the first message, Camunda 7 every one while "
                                              "the task is active; make it interrupting, or draw a parallel branch "
                                              "with a receive task", element=definition)
        return
    check_message_reference(definition, report)


def check_message_reference(element, report: Report) -> None:
    """``messageRef`` of a message event definition or receive task: a ``bpmn:message`` with a literal name."""
    ref = element.get("messageRef")
    message = element.getroottree().getroot().find(f"bpmn:message[@id='{ref}']", NS) if ref else None
    name = message.get("name") if message is not None else None
    if not ref or message is None:
        report.error("message-reference", "no message is selected (or it does not exist): pick "
                                          "or create a global message with a name under Message in the Modeler",
                     element=element)
    elif not name:
        report.error("message-reference", f"message {ref!r} has no name; the app correlates messages by name",
                     element=element)
    elif "{" in name:
        report.error("message-reference", f"message name {name!r} is an expression; the app correlates messages by "
                                          "a fixed name: write it as plain text", element=element)


def check_receive_task(task, report: Report) -> None:
    """A receive task waits for a message: it must name one."""
    if task.find("bpmn:messageEventDefinition", NS) is None:
        check_message_reference(task, report)


def check_start_event(event, report: Report) -> None:
    """Start events with an event definition: on the process (refused) or of an event subprocess."""
    definitions = [child for child in event if local_name(child).endswith("EventDefinition")]
    parent = event.getparent()
    in_event_subprocess = local_name(parent) == "subProcess" and parent.get("triggeredByEvent") == "true"
    kinds = {local_name(d) for d in definitions}
    if in_event_subprocess:
        if kinds != {"timerEventDefinition"}:
            shown = ", ".join(sorted(k.removesuffix("EventDefinition") for k in kinds)) or "none"
            report.error("unsupported-construct", f"event subprocesses may only start with a timer (this one: "
                                                  f"{shown}); for a message, put a message boundary event on an "
                                                  "embedded subprocess", element=event)
        elif event.get("isInterrupting", "true") != "false":
            report.error("unsupported-construct", "interrupting event subprocesses are not supported: the engine "
                                                  "starts them without cancelling the rest of the process; untick "
                                                  "Interrupting (non-interrupting timer start), or put an "
                                                  "interrupting boundary timer on an embedded subprocess",
                         element=event)
    elif kinds == {"timerEventDefinition"} and local_name(parent) == "process":
        _timer_start(event, parent, report)
    elif definitions and local_name(parent) == "process":
        shown = ", ".join(sorted(k.removesuffix("EventDefinition") for k in kinds))
        report.error("unsupported-construct", f"{shown} start events on the process are not supported: a procedure "
                                              "starts when a citizen files it (or, with a timer start event, when "
                                              "the scheduler starts it); use a plain start event", element=event)


#: ``camunda:calledElementBinding`` values that mean "the file deployed with the caller" here.
CALL_BINDINGS = ("latest", "deployment")


def check_call_activity(call, ctx) -> None:
    """A call activity names a callable-only process (:mod:`.calls`) by a literal id, with a binding the app
    can honour, mappings Camunda 7 would run, and no call cycle."""
    report, called = ctx.report, (call.get("calledElement") or "").strip()
    if not called:
        report.error("call-activity", "no called process: set Called element to the id of a process marked "
                                      "callable_only=true (in this file or a library file of processes/)",
                     element=call)
    elif "{" in called:
        report.error("call-activity", f"calledElement {called!r} is an expression: not supported, because the "
                                      "called process is resolved and frozen into the calling version at deploy; "
                                      "name the process id, or draw a gateway in front of two call activities",
                     element=call)
    elif ctx.calls is not None:
        _check_called_process(call, called, ctx)
    binding = call.get(camunda("calledElementBinding")) or "latest"
    if binding not in CALL_BINDINGS:
        report.error("call-activity", f"camunda:calledElementBinding {binding!r} is not supported: the called "
                                      "process is frozen into the calling version when it is deployed, so only "
                                      "'latest' and 'deployment' (both: the file deployed with it) apply",
                     element=call)
    for name in ("variableMappingClass", "variableMappingDelegateExpression", "caseRef"):
        if call.get(camunda(name)) is not None:
            report.error("call-activity", f"camunda:{name} is not supported (no Java code or CMMN runs here); use "
                                          "camunda:in / camunda:out mappings", element=call)
    mappings = call.findall("bpmn:extensionElements/camunda:in", NS)
    if not [m for m in mappings if m.get("businessKey") is None]:
        report.warning("call-activity", "no In mapping: as in Camunda 7, the called process receives no variables; "
                                        "add camunda:in variables=\"all\" or one mapping per variable",
                       element=call)
    for mapping in [*mappings, *call.findall("bpmn:extensionElements/camunda:out", NS)]:
        _check_mapping(mapping, report, ctx.library.functions)


def _check_called_process(call, called: str, ctx) -> None:
    target = ctx.calls.resolve(call)
    if target is None:
        drawn = ctx.calls.processes.get(called)
        known = sorted(pid for pid, c in ctx.calls.processes.items() if is_callable_only(c.element))
        if drawn is not None:
            ctx.report.error("call-activity", f"process {called!r} is not callable: add the process property "
                                              "callable_only=true to it (a procedure is filed, not called)",
                             element=call)
        else:
            ctx.report.error("call-activity", f"calledElement {called!r} names no callable process of this file or "
                                              f"of the library files of this deployment (callable: "
                                              f"{', '.join(known) or 'none'})", element=call)
        return
    if target.source.path != ctx.calls.source.path:
        own = {el.get("id") for el in call.getroottree().getroot().iter() if el.get("id")}
        clash = sorted(own & {el.get("id") for el in target.element.iter() if el.get("id")})
        if clash:
            ctx.report.error("call-activity", f"the called process {called!r} ({target.source.path}) uses the ids "
                                              f"{', '.join(clash[:5])} of this file too; work items, forms and "
                                              "statuses are found by id: rename them in one file", element=call)
    cycle = ctx.calls.cycle_through(call)
    if cycle:
        ctx.report.error("call-activity", f"call cycle {' → '.join(cycle)}: a called process may not call, directly "
                                          "or not, the process that calls it", element=call)


def _check_mapping(mapping, report: Report, functions: frozenset[str]) -> None:
    kind = local_name(mapping)
    if mapping.get("businessKey") is not None or mapping.get("variables") == "all":
        return
    if mapping.get("variables") is not None:
        report.error("call-activity", f"camunda:{kind} variables={mapping.get('variables')!r}: only \"all\" exists",
                     element=mapping.getparent().getparent())
    elif not mapping.get("target") or not (mapping.get("source") or mapping.get("sourceExpression")):
        report.error("call-activity", f"camunda:{kind} mapping needs a source (or source expression) and a target",
                     element=mapping.getparent().getparent())
    elif mapping.get("sourceExpression") and (problem := expression_problem(mapping.get("sourceExpression"),
                                                                            functions)):
        report.error("call-activity", f"camunda:{kind} sourceExpression: {problem[1]}",
                     element=mapping.getparent().getparent())


def _timer_start(event, process, report: Report) -> None:
    """A timer start on the process (:mod:`.timer_start`): a literal cycle, cron or date, the only start event,
    and the agency whose officers handle the instances it starts."""
    try:
        timer_start_of(process)
    except TimerStartError as exc:
        report.error("timer-invalid", str(exc), element=event)
    if is_callable_only(process):
        report.error("unsupported-construct", "a callable-only process starts when a call activity calls it; remove "
                                              "the timer, or make the process a procedure", element=event)
    if len(process.findall("bpmn:startEvent", NS)) > 1:
        report.error("unsupported-construct", "a process with a timer start event must have no other start event: "
                                              "its instances are started by the scheduler, none is filed",
                     element=event)
    if not is_callable_only(process) and not properties(process).get("handling_agency_code"):
        report.error("catalogue", "a procedure started by a timer needs the process property handling_agency_code "
                                  "(e.g. H54.01): the agency whose officers handle the instances it starts",
                     element=event)


def check_multi_instance(loop, report: Report, functions: frozenset[str] = frozenset()) -> None:
    """Multi-instance markers: user tasks only, one of collection and cardinality, collection a variable name."""
    owner = loop.getparent()
    if local_name(owner) != "userTask":
        report.error("unsupported-construct", f"multi-instance {_kind_words(local_name(owner))} are not supported "
                                              "(only multi-instance user tasks run as in Camunda 7); put the marker "
                                              "on a user task", element=loop)
        return
    collection = loop.get(camunda("collection"))
    loop_input = loop.find("bpmn:loopDataInputRef", NS)
    if collection is None and loop_input is not None:  # the BPMN spelling of a collection, read the same way
        collection = (loop_input.text or "").strip()
        item = loop.find("bpmn:inputDataItem", NS)
        element = loop.get(camunda("elementVariable")) or (item.get("name") or item.get("id") if item is not None
                                                              else None)
    else:
        element = loop.get(camunda("elementVariable"))
    cardinality = loop.find("bpmn:loopCardinality", NS)
    if (collection is None) == (cardinality is None or not (cardinality.text or "").strip()):
        report.error("multi-instance", "a multi-instance user task needs exactly one of Loop cardinality and "
                                       "Collection", element=loop)
    elif collection is not None and not COLLECTION.match(collection) and not (
            WRAPPED.match(collection) and expression_problem(collection, functions)):  # else already reported
        report.error("multi-instance", f"camunda:collection {collection!r} must name a variable holding the list "
                                       "(reviewers or ${reviewers}); compute the list in an earlier step",
                     element=loop)
    if collection is not None and not element:
        report.warning("multi-instance", "no Element variable: each instance cannot tell which item is its own; set "
                                         "camunda:elementVariable (e.g. reviewer)", element=loop)


def check_business_rule_result(task, report: Report) -> None:
    """``decisionRef`` and ``mapDecisionResult`` of a business rule task.

    Without ``camunda:resultVariable`` Camunda 7 keeps no result while this engine sets each output column as a
    variable (SpiffWorkflow's behaviour): more than Camunda, so not reported.
    """
    ref = task.get(camunda("decisionRef")) or ""
    if "{" in ref:
        report.error("business-rule-task", f"camunda:decisionRef {ref!r} is an expression; name the decision id",
                     element=task)
    mapping = task.get(camunda("mapDecisionResult"))
    if mapping is not None and mapping not in DECISION_RESULT_MAPPINGS:
        report.error("business-rule-task", f"camunda:mapDecisionResult {mapping!r} is not one of "
                                           f"{', '.join(DECISION_RESULT_MAPPINGS)}", element=task)


def _kind_words(kind: str) -> str:
    return {"intermediateThrowEvent": "throw events", "endEvent": "end events", "subProcess": "subprocesses",
            "callActivity": "call activities", "serviceTask": "service tasks", "sendTask": "send tasks",
            "receiveTask": "receive tasks", "businessRuleTask": "business rule tasks", "scriptTask": "script tasks",
            "manualTask": "manual tasks", "task": "tasks"}.get(kind, kind)


def _bpmn(name: str) -> str:
    return f"{{{BPMN}}}{name}"


def _on(check):
    return lambda element, ctx: check(element, ctx.report)


#: Clark tag → rules ``(element, context)``, added to :data:`.lint_rules.RULES_BY_TAG`.
CONSTRUCT_RULES_BY_TAG = {
    **{_bpmn(name): (_on(check_event_definition),) for name in (
        "signalEventDefinition", "conditionalEventDefinition", "escalationEventDefinition", "messageEventDefinition")},
    **{_bpmn(name): (_on(check_unsupported_element),) for name in _UNSUPPORTED_ELEMENTS},
    _bpmn("receiveTask"): (_on(check_receive_task),),
    _bpmn("multiInstanceLoopCharacteristics"): (
        lambda element, ctx: check_multi_instance(element, ctx.report, ctx.library.functions),),
    _bpmn("startEvent"): (_on(check_start_event),),
    _bpmn("businessRuleTask"): (_on(check_business_rule_result),),
    _bpmn("callActivity"): (check_call_activity,),
}
