"""Lint rules for expressions: conditions, timers, assignment attributes and exclusive-gateway conditions.

An expression is checked the way :class:`ExpressionEvaluator` will run it: translated from JUEL to Python,
parsed, limited to the AST nodes simpleeval evaluates, and limited to calls of the engine's helpers (no
method calls). Timer literals are checked with SpiffWorkflow's own ISO-8601 parsers, and dates must carry
an offset: a naive date is read in a fixed server offset computed at import (spiffworkflow.md §3.5).
"""
import ast
import re
from datetime import datetime

import simpleeval
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .bpmn_xml import camunda, local_name
from .errors import ExpressionError
from .expressions import ExpressionEvaluator, split_top_level, translate
from .findings import Report
from .timer_start import is_process_timer_start

WRAPPED = re.compile(r"^\s*[$#]\{.*\}\s*$", re.DOTALL)
SUBSET = ("==, !=, <, >, <=, >=, &&, ||, !, eq, ne, lt, gt, le, ge, empty, true, false, null, "
          '"strings", numbers and property paths')
_SIMPLEEVAL = simpleeval.EvalWithCompoundTypes()
_ALLOWED_NODES = (tuple(t for t in _SIMPLEEVAL.nodes if t not in (ast.Assign, ast.AugAssign, ast.Import))
                  + tuple(_SIMPLEEVAL.operators) + (ast.Expression, ast.expr_context, ast.boolop, ast.comprehension))
_TIMER_EXAMPLES = {"timeDate": "2026-12-01T09:00:00+07:00", "timeDuration": "PT2H or P3D",
                   "timeCycle": "R3/PT1H; cron is not supported"}


def expression_problem(text: str, functions: frozenset[str]) -> tuple[str, str] | None:
    """Why ``text`` would fail at run time, as ``(rule, message)``, or None when it is fine.

    :param functions: names the engine's expressions may call.
    """
    try:
        ExpressionEvaluator().check_syntax(text)
        python = translate(text)
        tree = ast.parse(python, mode="eval") if python is not None else None
    except (ExpressionError, SyntaxError) as exc:
        return "expression-syntax", f"{exc}; write it in the supported JUEL subset: {SUBSET}"
    if tree is None:
        return None
    odd = next((node for node in ast.walk(tree) if not isinstance(node, _ALLOWED_NODES)), None)
    if odd is not None:
        return "expression-syntax", (f"expression {text!r} uses {type(odd).__name__}, which the engine does not "
                                     f"evaluate; keep to the JUEL subset: {SUBSET}")
    return _call_problem(text, tree, functions)


def _call_problem(text: str, tree: ast.AST, functions: frozenset[str]) -> tuple[str, str] | None:
    known = ", ".join(sorted(f for f in functions if not f.startswith("_"))) or "none"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if not isinstance(node.func, ast.Name):
            return "expression-function", (f"expression {text!r} calls a method ({ast.unparse(node.func)}); "
                                           f"method calls are not supported, use a helper function: {known}")
        if node.func.id not in functions:
            return "expression-function", (f"expression {text!r} calls {node.func.id}(), which the engine does "
                                           f"not provide; available functions: {known}")
    return None


def check_expression(element, report: Report, functions: frozenset[str], text: str | None = None) -> None:
    """Record an error when the expression in ``element`` (or ``text``) would fail at run time."""
    text = (element.text or "") if text is None else text
    if not text.strip():
        return
    problem = expression_problem(text, functions)
    if problem:
        report.error(*problem, element=element)


def check_condition(element, report: Report, functions: frozenset[str]) -> None:
    """A ``conditionExpression``: a ${…} expression; script conditions (``language``) are refused."""
    language = element.get("language") or element.get(camunda("resource"))
    if language:
        report.error("expression-syntax", f"script conditions ({language}) are not run (scripts are untrusted); "
                                          "write the condition as a ${…} expression", element=element)
        return
    check_expression(element, report, functions)


def check_assignment(element, report: Report, functions: frozenset[str]) -> None:
    """``candidateGroups``/``candidateUsers``/``assignee``: literals or ``${…}`` parts; dates with offsets."""
    for name in ("candidateGroups", "candidateUsers", "assignee"):
        for part in split_top_level(element.get(camunda(name)) or ""):
            if "{" in part:
                _check_whole_expression(element, report, functions, part, f"camunda:{name}")
    for name in ("dueDate", "followUpDate"):
        text = (element.get(camunda(name)) or "").strip()
        if "{" in text:
            _check_whole_expression(element, report, functions, text, f"camunda:{name}")
        elif text:
            _check_date_literal(element, report, text, f"camunda:{name}")


def check_collection(element, report: Report, functions: frozenset[str]) -> None:
    """``camunda:collection`` of a multi-instance marker, when written as an expression."""
    text = (element.get(camunda("collection")) or "").strip()
    if "{" in text:
        _check_whole_expression(element, report, functions, text, "camunda:collection")


def _check_whole_expression(element, report: Report, functions, text: str, where: str) -> None:
    if not WRAPPED.match(text):
        report.error("expression-syntax", f"{where} value {text!r} mixes text and ${{…}}; write each name either "
                                          "as plain text or as one whole ${…} expression", element=element)
        return
    problem = expression_problem(text, functions)
    if problem:
        report.error(problem[0], f"{where}: {problem[1]}", element=element)



def check_timer(element, report: Report, functions: frozenset[str]) -> None:
    """A ``timeDate``/``timeDuration``/``timeCycle``: an ISO-8601 literal of that kind or a ${…} expression."""
    kind, text = local_name(element), (element.text or "").strip()
    if is_process_timer_start(element.getparent().getparent()):
        return  # checked by the timer start rule (lint_constructs.check_start_event): cron and cycles allowed
    if not text:
        report.error("timer-invalid", f"the timer has no value: give {kind} an ISO-8601 value "
                                      f"({_TIMER_EXAMPLES[kind]}) or a ${{…}} expression", element=element)
    elif WRAPPED.match(text):
        check_expression(element, report, functions, text)
    elif translate(text) is not None:
        report.error("timer-invalid", f"{kind} {text!r} is neither an ISO-8601 literal ({_TIMER_EXAMPLES[kind]}) "
                                      "nor one whole ${…} expression", element=element)
    elif kind == "timeDate":
        _check_date_literal(element, report, text, "timeDate")
    else:
        _check_period_literal(element, report, kind, text)


def _check_date_literal(element, report: Report, text: str, where: str) -> None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        report.error("timer-invalid", f"{where} {text!r} is not an ISO-8601 date-time; write e.g. "
                                      f"{_TIMER_EXAMPLES['timeDate']} (durations belong in timeDuration)",
                     element=element)
        return
    if moment.tzinfo is None:
        report.error("timer-without-offset", f"{where} {text!r} has no timezone offset, so the server's fixed "
                                             "offset would apply; add one, e.g. +07:00", element=element)


def _check_period_literal(element, report: Report, kind: str, text: str) -> None:
    try:
        if kind == "timeDuration":
            if not text.startswith("P"):
                raise ValueError(text)
            TimerEventDefinition.parse_iso_duration(text)
        else:
            if not text.startswith("R"):
                raise ValueError(text)
            TimerEventDefinition.parse_iso_recurring_interval(text)
    except Exception:  # noqa: BLE001 - Spiff raises a bare Exception (or ValueError …) for bad literals
        report.error("timer-invalid", f"{kind} {text!r} is not a valid ISO-8601 {kind[4:].lower()} "
                                      f"(e.g. {_TIMER_EXAMPLES[kind]})", element=element)
        return
    for part in text.split("/")[1:]:
        if not part.startswith("P"):
            _check_date_literal(element, report, part, f"the start or end date of {kind} {text!r},")
