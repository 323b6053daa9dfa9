"""Lint one ``.dmn`` file the way SpiffWorkflow's DMN parser will read it for a business rule task.

Spiff reads one decision per file (the first ``decision``) holding one decision table; XML comments are
tolerated because :func:`read_xml` drops them before Spiff sees the tree. Input cells are FEEL unary tests,
translated by :mod:`.feel`; they, the input expressions and the output cells must be in the expression subset
(``dmn-expression``). Hit policies UNIQUE, FIRST, ANY, RULE ORDER and COLLECT run as in Camunda 7 (COLLECT
without an aggregator: SUM/COUNT/MIN/MAX are refused). A decision with such an error is not callable.
"""
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS, BpmnDmnParser

from .bpmn_xml import line_of_id, local_name, read_xml
from .feel import FeelError, unary_test
from .findings import Finding, Report, Source
from .lint_expressions import expression_problem

DMN_NAMESPACES = frozenset(SCHEMAS)
HIT_POLICIES = ("UNIQUE", "FIRST", "ANY", "RULE ORDER", "COLLECT")


def check_dmn(source: Source, functions: frozenset[str] | None = None) -> list[Finding]:
    """All findings for one DMN file.

    :param functions: helper names expressions may call (default: the engine's).
    """
    report = Report(source.path)
    _readable_decision(source, report, functions)
    return report.findings


def decision_id(source: Source) -> str | None:
    """The id of the decision a business rule task can call in ``source``, or None if it cannot be read."""
    return _readable_decision(source, Report(source.path))


def _readable_decision(source: Source, report: Report, functions: frozenset[str] | None = None) -> str | None:
    try:
        root = read_xml(source.data)
    except etree.XMLSyntaxError as exc:
        report.error("xml-syntax", f"not well-formed XML: {exc.msg}", line=exc.lineno)
        return None
    namespace = etree.QName(root).namespace
    if local_name(root) != "definitions" or namespace not in DMN_NAMESPACES:
        report.error("dmn-invalid", f"not a DMN 1.1–1.3 file (root {root.tag}); save it from Camunda Modeler as "
                                    "a DMN diagram", element=root)
        return None
    decisions = root.findall(f"{{{namespace}}}decision")
    if len(decisions) != 1:
        report.error("dmn-invalid", f"the engine reads exactly one decision per DMN file, found {len(decisions)}; "
                                    "put each decision in its own .dmn file", element=root)
        return None
    if decisions[0].find(f"{{{namespace}}}decisionTable") is None:
        report.error("dmn-invalid", "only decision tables are supported (no literal expressions or DRD-only "
                                    "decisions)", element=decisions[0])
        return None
    if not _spiff_reads(root, source, report):
        return None
    return decisions[0].get("id") if _table_runs(decisions[0].find(f"{{{namespace}}}decisionTable"), namespace,
                                                 report, functions) else None


def _table_runs(table, namespace: str, report: Report, functions: frozenset[str] | None) -> bool:
    """Hit policy, aggregation and every cell of the table; records each problem. :return: no problem."""
    if functions is None:
        from .workflow import expression_helper_names  # the engine's helpers (a late import: no cycle)
        functions = expression_helper_names()
    before = len(report.findings)
    policy = (table.get("hitPolicy") or "UNIQUE").upper()
    if policy not in HIT_POLICIES:
        report.error("dmn-expression", f"hit policy {policy} is not run; use one of {', '.join(HIT_POLICIES)}",
                     element=table)
    if table.get("aggregation"):
        report.error("dmn-expression", f"COLLECT with the {table.get('aggregation')} aggregator is not run; collect "
                                       "the list (no aggregator) and compute in a later step", element=table)
    for text in table.iterfind(f"{{{namespace}}}input/{{{namespace}}}inputExpression/{{{namespace}}}text"):
        _expression_cell(text, (text.text or "").strip(), report, functions, "input expression")
    for text in table.iterfind(f"{{{namespace}}}rule/{{{namespace}}}inputEntry/{{{namespace}}}text"):
        try:
            test = unary_test(text.text)
        except FeelError as exc:
            report.error("dmn-expression", f"input cell {text.text.strip()!r}: {exc}", element=text.getparent())
            continue
        if test is not None:
            _expression_cell(text, test.replace("?", "input_value"), report, functions,
                             f"input cell {text.text.strip()!r}")
    for text in table.iterfind(f"{{{namespace}}}rule/{{{namespace}}}outputEntry/{{{namespace}}}text"):
        _expression_cell(text, (text.text or "").strip(), report, functions, "output cell")
    return len(report.findings) == before


def _expression_cell(text, expression: str, report: Report, functions: frozenset[str], what: str) -> None:
    problem = expression_problem(expression, functions) if expression else None
    if problem:
        report.error("dmn-expression", f"{what}: {problem[1]}", element=text.getparent())


def _spiff_reads(root, source: Source, report: Report) -> bool:
    parser = BpmnDmnParser()
    try:
        parser.add_dmn_xml(root, filename=source.path)
        next(iter(parser.dmn_parsers.values())).parse()
    except ValidationException as exc:
        element_id = getattr(exc, "id", None) or None
        report.error("dmn-invalid", f"the engine cannot read this decision: {str(exc).splitlines()[0].strip(' .')}",
                     element_id=element_id, line=line_of_id(root, element_id))
        return False
    except (KeyError, AttributeError, IndexError, TypeError, ValueError) as exc:
        report.error("dmn-invalid", f"the engine cannot read this decision: {exc!r}", element=root)
        return False
    return True
