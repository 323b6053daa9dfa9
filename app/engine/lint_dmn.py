"""Lint one ``.dmn`` file the way SpiffWorkflow's DMN parser will read it for a business rule task.

Spiff reads one decision per file (the first ``decision``) holding one decision table; XML comments are
tolerated because :func:`read_xml` drops them before Spiff sees the tree.
"""
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS, BpmnDmnParser

from .bpmn_xml import line_of_id, local_name, read_xml
from .findings import Finding, Report, Source

DMN_NAMESPACES = frozenset(SCHEMAS)


def check_dmn(source: Source) -> list[Finding]:
    """All findings for one DMN file."""
    report = Report(source.path)
    _readable_decision(source, report)
    return report.findings


def decision_id(source: Source) -> str | None:
    """The id of the decision a business rule task can call in ``source``, or None if it cannot be read."""
    return _readable_decision(source, Report(source.path))


def _readable_decision(source: Source, report: Report) -> str | None:
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
    return decisions[0].get("id") if _spiff_reads(root, source, report) else None


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
