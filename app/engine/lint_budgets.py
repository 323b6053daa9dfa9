"""Lint the legal-clock task properties: ``clock_pause``, ``clock_restart`` and per-step ``budget_working_hours``.

R46 (legal.md §9.4 item 6): the per-step budgets of a procedure's internal process must not add up, along any
path from a start event to an end event, to more than the procedure's legal time limit in working hours
(working days × 8). A path goes through sequence flows, from an activity to its boundary events, and through
an embedded subprocess along its own costliest inner path; a loop is walked once.
"""
from app.services.deadlines import HOURS_PER_WORKING_DAY, TimeLimit, TimeLimitError, TimeLimitUnit

from .bpmn_xml import BPMN, NS, local_name, properties
from .findings import Report

#: rule id → what it catches (severity in brackets); listed with the linter's rules.
BUDGET_RULES = {
    "step-budget": "per-step budget_working_hours adding up, along a path, to more than the legal limit [error]",
    "clock-property": "clock_pause / clock_restart / budget_working_hours value the engine cannot use [error]",
}
PAUSE_REASONS = ("supplement", "financial_obligation")
_FLOW_NODES = ("userTask", "task", "serviceTask", "manualTask", "businessRuleTask", "receiveTask", "sendTask",
               "scriptTask", "callActivity", "subProcess", "startEvent", "endEvent", "intermediateCatchEvent",
               "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway",
               "inclusiveGateway", "eventBasedGateway", "complexGateway")
_MAX_STEPS = 50_000


def check_budgets(process, report: Report) -> None:
    """Check the clock properties of every user task and the budgets' sum along every path of ``process``."""
    budgets = {}
    for task in process.iter(f"{{{BPMN}}}userTask"):
        budget = _check_task(task, report)
        if budget is not None:
            budgets[task.get("id")] = budget
    if not budgets:
        return
    limit = legal_limit_working_hours(properties(process))
    if limit is None:
        return
    total, path = _costliest_path(process, budgets)
    if total > limit:
        names = " → ".join(_name(process, element_id) for element_id in path)
        report.error("step-budget", f"the step budgets along the path {names} add up to {total:g} working hours, "
                                    f"more than the procedure's legal limit of {limit:g} working hours; lower "
                                    "budget_working_hours on these tasks (sum along any path ≤ the time limit, R46)",
                     element=process)


def legal_limit_working_hours(catalogue: dict[str, str]) -> float | None:
    """The procedure's time limit in working hours, or ``None`` when not in working time or unreadable.

    Read as :meth:`app.services.deadlines.TimeLimit.from_properties` does: ``working_days`` and ``working_hours``
    N count N × 8 working hours; ``same_day`` (and 0 working days) one working day; ``calendar_days`` is not
    checked; an unreadable limit is the ``time-limit`` rule's finding.
    """
    try:
        limit = TimeLimit.from_properties(catalogue)
    except TimeLimitError:
        return None
    if limit.unit is TimeLimitUnit.calendar_days:
        return None
    return float(max(limit.amount, 1) * HOURS_PER_WORKING_DAY)


def _check_task(task, report: Report) -> float | None:
    props = properties(task)
    pause = props.get("clock_pause")
    if pause is not None and pause not in PAUSE_REASONS:
        report.error("clock-property", f"clock_pause must be one of {', '.join(PAUSE_REASONS)}, not {pause!r}",
                     element=task)
    restart = props.get("clock_restart")
    if restart is not None and restart.lower() not in ("true", "false"):
        report.error("clock-property", f"clock_restart must be true or false, not {restart!r}", element=task)
    raw = props.get("budget_working_hours")
    if raw is None:
        return None
    try:
        budget = float(raw)
    except ValueError:
        budget = -1.0
    if not 0 < budget < float("inf"):  # also refuses nan and inf
        report.error("clock-property", f"budget_working_hours must be a positive number of working hours, not "
                                       f"{raw!r}", element=task)
        return None
    return budget


def _costliest_path(container, budgets: dict[str, float]) -> tuple[float, list[str]]:
    """The largest budget sum over the simple paths from a start event to an end of ``container``."""
    nodes = {el.get("id"): el for el in container if local_name(el) in _FLOW_NODES and el.get("id")}
    edges: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for flow in container.findall("bpmn:sequenceFlow", NS):
        if flow.get("sourceRef") in edges and flow.get("targetRef") in nodes:
            edges[flow.get("sourceRef")].append(flow.get("targetRef"))
    for node_id, element in nodes.items():
        if local_name(element) == "boundaryEvent" and element.get("attachedToRef") in edges:
            edges[element.get("attachedToRef")].append(node_id)
    weights = {node_id: _weight(element, budgets) for node_id, element in nodes.items()}
    starts = [i for i, el in nodes.items() if local_name(el) == "startEvent"] or list(nodes)[:1]
    best: tuple[float, list[str]] = (0.0, [])
    steps = 0
    stack = [(start, weights[start][0], weights[start][1], frozenset([start])) for start in starts]
    while stack and steps < _MAX_STEPS:
        steps += 1
        node, total, path, seen = stack.pop()
        following = [n for n in edges[node] if n not in seen]
        if not edges[node] and total > best[0]:
            best = (total, path)
        for nxt in following:
            stack.append((nxt, total + weights[nxt][0], path + weights[nxt][1], seen | {nxt}))
    return best


def _weight(element, budgets: dict[str, float]) -> tuple[float, list[str]]:
    if local_name(element) == "subProcess":
        return _costliest_path(element, budgets)
    element_id = element.get("id")
    return (budgets[element_id], [element_id]) if element_id in budgets else (0.0, [])


def _name(process, element_id: str) -> str:
    element = next((el for el in process.iter() if el.get("id") == element_id), None)
    name = element.get("name") if element is not None else None
    return f"{name} ({element_id})" if name else element_id
