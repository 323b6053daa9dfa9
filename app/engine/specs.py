"""Parse a Camunda Modeler BPMN file into what a process version stores, refusing bad files with
``file:line: element-id: message``.

What is stored (:class:`ParsedProcess`): the process id and name, the procedure catalogue facts kept as
``camunda:properties`` on the process element, the start form, per-element ``camunda:properties``
(e.g. ``dossier_status``), the forms the diagram uses and which element shows which (:mod:`.forms_xml`), and the
serialized Spiff spec.

The checks are the linter's (:mod:`.lint`): :func:`parse_process` refuses the first error-level finding;
deploy lints every file first and calls :func:`build_process` only on a clean run.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field

from .bpmn_xml import BPMN, NS, camunda, properties, read_xml
from .calls import CallGraph, procedure_process
from .timer_start import timer_start_of
from .errors import ProcessDefinitionError
from .findings import Library, Source
from .forms_xml import FormReference, form_data_schema, form_elements, form_reference
from .lint import errors, expression_functions
from .lint_bpmn import check_bpmn, dmn_files
from .lint_dmn import decision_id
from .serializer import dump_spec
from .spiff_build import build_specs


@dataclass(frozen=True)
class ParsedProcess:
    """A deployable process: everything a process version row stores, as JSON-ready values."""

    process_id: str
    name: str
    catalogue: dict[str, str]
    #: ``camunda:formRef`` of the start event (None when the filing form comes from a formKey or formData).
    start_form_ref: str | None
    element_properties: dict[str, dict[str, str]]
    #: form ids used with the ``latest``/``deployment`` binding: their schema is the one in the run.
    form_refs: list[str]
    spec_json: str = field(repr=False)
    #: ids of the DMN decisions its business rule tasks call (their tables are inside ``spec_json``).
    decision_refs: list[str] = field(default_factory=list)
    #: element id (user task or start event) → key of its form in the version's ``forms_json``.
    task_forms: dict[str, str] = field(default_factory=dict)
    #: key of the filing form (the first start event's form), or None.
    start_form: str | None = None
    #: how each key of ``task_forms`` is resolved at deploy (formRef with binding, formKey file, formData).
    form_references: dict[str, FormReference] = field(default_factory=dict, repr=False)
    #: key → form-js schema generated from ``camunda:formData``.
    generated_forms: dict[str, dict] = field(default_factory=dict, repr=False)
    #: library file name → its text, for each library file whose processes it calls (frozen into its spec).
    called_files: dict[str, str] = field(default_factory=dict, repr=False)
    #: ids of the processes its call activities call, directly or not.
    called_processes: list[str] = field(default_factory=list)
    #: ids of the elements drawn in those called processes (their variables are not the procedure's).
    called_elements: list[str] = field(default_factory=list)
    #: the timer start event's schedule (``{event_id, kind, expression}``, :mod:`.timer_start`), or None.
    timer_start: dict[str, str] | None = None


def parse_process(bpmn: bytes, file: str, *, form_ids: set[str], topics: set[str],
                  form_files: Iterable[str] = (), dmn: Iterable[Source] = (),
                  callables: Iterable[Source] = ()) -> ParsedProcess:
    """Check and parse one BPMN file that holds one executable Camunda 7 process.

    :param bpmn: the file's bytes.
    :param file: its name, for messages.
    :param form_ids: ids of the Camunda Forms available with it (``formRef`` targets).
    :param topics: external-task topics that have a registered handler.
    :param form_files: names of the ``.form`` files available (``formKey camunda-forms:…`` targets).
    :param dmn: the ``.dmn`` files whose decisions business rule tasks may call.
    :param callables: library ``.bpmn`` files (callable-only processes) its call activities may call.
    :raises ProcessDefinitionError: naming file, line and element of the first error-level finding.
    """
    dmn = [d for d in dmn if decision_id(d)]
    library = Library(form_ids=frozenset(form_ids), form_files=frozenset(form_files),
                      decisions=frozenset(decision_id(d) for d in dmn), dmn=tuple(dmn),
                      topics=frozenset(topics), functions=expression_functions(), callables=tuple(callables))
    source = Source(file, bpmn)
    problems = sorted(errors(check_bpmn(source, library)), key=lambda f: f.line or 0)
    if problems:
        first = problems[0]
        raise ProcessDefinitionError(first.message, file=file, element_id=first.element_id, line=first.line)
    return build_process(source, library)


def build_process(source: Source, library: Library) -> ParsedProcess:
    """Build the stored form of a BPMN file that the linter found free of errors.

    :raises ProcessDefinitionError: if the file was not checked first and the engine refuses it.
    """
    root = read_xml(source.data)
    process = procedure_process(root)
    graph = CallGraph(source, root, library.callables)
    called = graph.reachable(process)
    spec, subprocess_specs = build_specs(source.data, source.path, process.get("id"), dmn_files(library),
                                         graph.files_needed(process))
    # Elements of the called processes show forms and carry properties (dossier_status) as the procedure's own.
    runs = [process, *(c.element for c in called)]
    references = {el.get("id"): ref for p in runs for el in form_elements(p) if (ref := form_reference(el))}
    starts = [s.get("id") for s in process.findall("bpmn:startEvent", NS) if s.get("id") in references]
    start_ref = references[starts[0]] if starts else None
    return ParsedProcess(
        process_id=process.get("id"), name=_process_name(root, process), catalogue=properties(process),
        start_form_ref=start_ref.form_id if start_ref else None,
        element_properties={el.get("id"): props for p in runs for el in p.iter() if (props := properties(el))
                            and el not in runs},
        form_refs=sorted({r.form_id for r in references.values() if r.kind == "formRef" and r.version is None}),
        spec_json=dump_spec(spec, subprocess_specs),
        decision_refs=sorted({t.get(camunda("decisionRef")) for p in runs
                              for t in p.iter(f"{{{BPMN}}}businessRuleTask")} - {None}),
        task_forms={element_id: ref.key for element_id, ref in references.items()},
        start_form=start_ref.key if start_ref else None,
        form_references={ref.key: ref for ref in references.values()},
        generated_forms={ref.key: form_data_schema(el)[0] for p in runs for el in form_elements(p)
                         if (ref := references.get(el.get("id"))) and ref.kind == "formData"},
        called_files={path: data.decode("utf-8") for path, data in graph.files_needed(process)},
        called_processes=[c.process_id for c in called],
        called_elements=sorted({el.get("id") for c in called for el in c.element.iter() if el.get("id")}),
        timer_start=schedule.as_dict() if (schedule := timer_start_of(process)) else None,
    )


def element_forms(bpmn: bytes) -> dict[str, str]:
    """Element id → form key (:mod:`.forms_xml`) of the executable process of ``bpmn``, read from the XML alone.

    For process versions deployed before ``task_forms`` was stored in their definition.
    """
    root = read_xml(bpmn)
    process = procedure_process(root)
    if process is None:
        return {}
    return {el.get("id"): ref.key for el in form_elements(process) if (ref := form_reference(el))}


def _process_name(root, process) -> str:
    participant = root.find(f"bpmn:collaboration/bpmn:participant[@processRef='{process.get('id')}']", NS)
    return process.get("name") or (participant.get("name") if participant is not None else process.get("id"))
