"""Lint one ``.bpmn`` file: dialect, processes, every element's rules, then SpiffWorkflow's own parse.

SpiffWorkflow stops at its first problem and its messages can mislead (a flow to a missing element reads
"perhaps a form has the same ID?"), so it only runs once our own rules found no error in the file.
"""
from lxml import etree

from .bpmn_xml import MODELER, NS, ZEEBE, executable, read_xml, uses_activiti
from .calls import CallGraph, executable_processes, is_callable_only, procedure_processes
from .errors import ProcessDefinitionError
from .findings import Finding, Library, Report, Source
from .lint_budgets import check_budgets
from .lint_gateways import outgoing_flows
from .lint_rules import RULES_BY_TAG, RULES_FOR_ALL, ProcessContext, check_catalogue
from .spiff_build import build_specs


def check_bpmn(source: Source, library: Library) -> list[Finding]:
    """All findings for one BPMN file, in document order."""
    report = Report(source.path)
    try:
        root = read_xml(source.data)
    except etree.XMLSyntaxError as exc:
        report.error("xml-syntax", f"not well-formed XML: {exc.msg}", line=exc.lineno)
        return report.findings
    if _is_camunda_8(root, report):
        return report.findings
    if uses_activiti(source.data):
        report.warning("activiti-namespace", "legacy Activiti extensions (http://activiti.org/bpmn) are read as "
                                             "camunda:; re-save the diagram in Camunda Modeler 7 to convert them",
                       element=root)
    processes = _processes_to_run(root, report)
    graph = CallGraph(source, root, library.callables) if processes else None
    for process in processes:
        _check_process(process, report, library, graph)
    if processes and not report.has_errors:
        _check_with_engine(source, processes, report, library, graph)
    return report.findings


def _is_camunda_8(root, report: Report) -> bool:
    declaring = next((el for el in root.iter(etree.Element) if ZEEBE in el.nsmap.values()), None)
    if declaring is None and root.get(f"{{{MODELER}}}executionPlatform") != "Camunda Cloud":
        return False
    report.error("camunda8", "this is a Camunda 8 (Zeebe) model, which this engine does not run; draw it as a "
                             "Camunda Platform 7 diagram (File → New File → BPMN diagram, Camunda 7)",
                 element=declaring if declaring is not None else root)
    return True


def _processes_to_run(root, report: Report) -> list:
    """The executable processes to check: the procedure first, then callable-only ones (:mod:`.calls`).

    A file holds one procedure and any callable-only processes, or callable-only processes alone (a library).
    """
    for process in root.findall("bpmn:process", NS):
        if not executable(process):
            report.warning("process-not-executable", 'process has isExecutable="false" and is skipped; tick '
                                                     '"Executable" in the Modeler if it should run', element=process)
    runnable = executable_processes(root)
    procedures = procedure_processes(root)
    if not runnable:
        report.error("executable-process", "expected one executable process, found 0; keep one procedure per file",
                     element=root)
        return []
    if len(procedures) > 1:
        report.error("executable-process", f"expected one procedure process, found {len(procedures)}; keep one "
                                           "procedure per file, and mark each process that is only called by a "
                                           "call activity with the process property callable_only=true",
                     element=procedures[1])
        return []
    return [*procedures, *(p for p in runnable if is_callable_only(p))]


def _check_process(process, report: Report, library: Library, graph: CallGraph) -> None:
    if not is_callable_only(process):
        check_catalogue(process, report)
    elements = list(process.iter(etree.Element))
    context = ProcessContext(report=report, library=library, outgoing=outgoing_flows(process),
                             ids=frozenset(el.get("id") for el in elements if el.get("id")), calls=graph)
    for element in elements:
        for rule in (*RULES_FOR_ALL, *RULES_BY_TAG.get(element.tag, ())):
            rule(element, context)
    check_budgets(process, report)


def _check_with_engine(source: Source, processes: list, report: Report, library: Library, graph: CallGraph) -> None:
    """Build the procedure with SpiffWorkflow (a library file: each of its processes)."""
    targets = processes[:1] if not is_callable_only(processes[0]) else processes
    for process in targets:
        try:
            build_specs(source.data, source.path, process.get("id"), dmn_files(library), graph.files_needed(process))
        except ProcessDefinitionError as exc:
            report.error("engine-refused", f"the engine refuses this diagram: {exc.message}",
                         element_id=exc.element_id, line=exc.line)
            return


def dmn_files(library: Library) -> tuple[tuple[str, bytes], ...]:
    """The library's readable DMN files as ``(name, bytes)`` for :func:`build_specs`."""
    return tuple((s.path, s.data) for s in library.dmn)
