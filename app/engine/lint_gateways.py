"""Lint rules for exclusive and inclusive gateways.

SpiffWorkflow sorts a gateway's outgoing flows by the diagram's y coordinate and takes the first true
condition (spiffworkflow.md §1.2), raises "No conditions satisfied" at run time when all are false and
there is no default, and refuses at parse time a non-default flow without a condition. So:

* conditional flows need a default flow (error), unless there are exactly two whose conditions negate each other
  (``${approved}`` / ``${!approved}``, ``${score > 5}`` / ``${score <= 5}``), as real Camunda 7 models often draw;
* every other outgoing flow of a split needs a condition (error);
* conditions of an exclusive gateway that obviously overlap make the path depend on the layout
  (warning). "Obviously": one condition's ``&&``-parts are all among another's (identical conditions,
  ``x == "a"`` twice, ``${true}``), after normalising JUEL words and ``"a" == x``.
"""
import ast
from collections import defaultdict
from itertools import combinations

from .bpmn_xml import NS, local_name
from .expressions import translate
from .findings import Report


def outgoing_flows(process) -> dict[str, list]:
    """Sequence flows of ``process`` (at any depth) by ``sourceRef``, in document order."""
    flows = defaultdict(list)
    for flow in process.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        flows[flow.get("sourceRef")].append(flow)
    return flows


def condition_of(flow):
    """The flow's ``conditionExpression`` element when it holds text, else None."""
    condition = flow.find("bpmn:conditionExpression", NS)
    return condition if condition is not None and (condition.text or "").strip() else None


def check_gateway(gateway, report: Report, outgoing: dict[str, list]) -> None:
    """Default flow, unconditioned flows and (exclusive only) overlapping conditions of one gateway."""
    flows = outgoing.get(gateway.get("id"), [])
    default = gateway.get("default")
    if default and default not in {f.get("id") for f in flows}:
        report.error("flow-reference", f"default flow {default!r} is not an outgoing flow of this gateway; "
                                       "pick one of its outgoing flows as default", element=gateway)
    conditional = [f for f in flows if condition_of(f) is not None and f.get("id") != default]
    if len(flows) < 2 and not conditional:
        return  # a merge, or a single unconditioned path
    for flow in flows:
        if condition_of(flow) is None and flow.get("id") != default:
            report.error("gateway-flow-without-condition",
                         f"flow leaves gateway {gateway.get('id')!r} without a condition and is not its default "
                         "flow; give it a ${…} condition or make it the default flow", element=flow)
    if conditional and not default and not _complementary(flows, conditional):
        names = ", ".join(f.get("id") for f in conditional)
        report.error("gateway-no-default", f"the conditions of {names} can all be false, which stops the dossier "
                                           "with 'No conditions satisfied'; mark one outgoing flow as the default "
                                           "flow", element=gateway)
    if local_name(gateway) == "exclusiveGateway":
        _check_overlaps(gateway, conditional, report)


def _check_overlaps(gateway, flows: list, report: Report) -> None:
    parts = {f.get("id"): _conjuncts(condition_of(f).text) for f in flows}
    for first, second in combinations(flows, 2):
        a, b = parts[first.get("id")], parts[second.get("id")]
        if a is None or b is None or not (a <= b or b <= a):
            continue
        report.warning("gateway-overlap",
                       f"condition {condition_of(second).text.strip()!r} overlaps {first.get('id')!r} "
                       f"({condition_of(first).text.strip()!r}) at gateway {gateway.get('id')!r}: when both are "
                       "true the flow drawn higher in the diagram wins; make the conditions exclusive",
                       element=condition_of(second), element_id=second.get("id"))


_OPPOSITES = {ast.Gt: ast.LtE, ast.LtE: ast.Gt, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}


def _complementary(flows: list, conditional: list) -> bool:
    """Two conditional flows, nothing else, whose conditions negate each other (``approved`` / ``!approved``,
    ``score > 5`` / ``score <= 5``): one of them is always true, so no default flow is needed."""
    if len(flows) != 2 or len(conditional) != 2:
        return False
    first, second = (_expression_tree(condition_of(f).text) for f in conditional)
    return first is not None and second is not None and (_negates(first, second) or _negates(second, first))


def _expression_tree(text: str) -> ast.AST | None:
    try:
        python = translate(text)
        return ast.parse(python, mode="eval").body if python is not None else None
    except SyntaxError:
        return None


def _negates(a: ast.AST, b: ast.AST) -> bool:
    if isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.Not):
        return ast.dump(b.operand) == ast.dump(a)
    if (isinstance(a, ast.Compare) and isinstance(b, ast.Compare) and len(a.ops) == len(b.ops) == 1
            and _OPPOSITES.get(type(a.ops[0])) is type(b.ops[0])):
        return ast.dump(a.left) == ast.dump(b.left) and ast.dump(a.comparators[0]) == ast.dump(b.comparators[0])
    return False


def _conjuncts(text: str) -> frozenset[str] | None:
    """The normalised ``&&``-parts of a condition (``true`` parts dropped), or None if it does not parse."""
    try:
        python = translate(text)
        body = ast.parse(python, mode="eval").body if python is not None else None
    except SyntaxError:
        return None
    if body is None:
        return None
    parts = body.values if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And) else [body]
    return frozenset(ast.dump(_canonical(p)) for p in parts
                     if not (isinstance(p, ast.Constant) and p.value is True))


def _canonical(node: ast.AST) -> ast.AST:
    """``"a" == x`` → ``x == "a"`` (and the same for ``!=``), so both spellings compare equal."""
    if (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq | ast.NotEq)
            and isinstance(node.left, ast.Constant) and not isinstance(node.comparators[0], ast.Constant)):
        return ast.Compare(left=node.comparators[0], ops=node.ops, comparators=[node.left])
    return node
