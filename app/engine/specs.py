"""Parse a Camunda Modeler BPMN file into what a process version stores, refusing bad files with
``file:line: element-id: message``.

What is stored (:class:`ParsedProcess`): the process id and name, the procedure catalogue facts kept as
``camunda:properties`` on the process element, the start form, per-element ``camunda:properties``
(e.g. ``dossier_status``), the form ids the diagram uses, and the serialized Spiff spec.

The checks are the linter's (:mod:`.lint`): :func:`parse_process` refuses the first error-level finding;
deploy lints every file first and calls :func:`build_process` only on a clean run.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field

from .bpmn_xml import BPMN, NS, camunda, executable, properties, read_xml
from .errors import ProcessDefinitionError
from .findings import Library, Source
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
    start_form_ref: str | None
    element_properties: dict[str, dict[str, str]]
    form_refs: list[str]
    spec_json: str = field(repr=False)
    #: ids of the DMN decisions its business rule tasks call (their tables are inside ``spec_json``).
    decision_refs: list[str] = field(default_factory=list)


def parse_process(bpmn: bytes, file: str, *, form_ids: set[str], topics: set[str],
                  form_files: Iterable[str] = (), dmn: Iterable[Source] = ()) -> ParsedProcess:
    """Check and parse one BPMN file that holds one executable Camunda 7 process.

    :param bpmn: the file's bytes.
    :param file: its name, for messages.
    :param form_ids: ids of the Camunda Forms available with it (``formRef`` targets).
    :param topics: external-task topics that have a registered handler.
    :param form_files: names of the ``.form`` files available (``formKey camunda-forms:…`` targets).
    :param dmn: the ``.dmn`` files whose decisions business rule tasks may call.
    :raises ProcessDefinitionError: naming file, line and element of the first error-level finding.
    """
    dmn = [d for d in dmn if decision_id(d)]
    library = Library(form_ids=frozenset(form_ids), form_files=frozenset(form_files),
                      decisions=frozenset(decision_id(d) for d in dmn), dmn=tuple(dmn),
                      topics=frozenset(topics), functions=expression_functions())
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
    process = next(p for p in root.findall("bpmn:process", NS) if executable(p))
    spec, subprocess_specs = build_specs(source.data, source.path, process.get("id"), dmn_files(library))
    start_forms = [s.get(camunda("formRef")) for s in process.findall("bpmn:startEvent", NS)]
    return ParsedProcess(
        process_id=process.get("id"), name=_process_name(root, process), catalogue=properties(process),
        start_form_ref=next((f for f in start_forms if f), None),
        element_properties={el.get("id"): props for el in process.iter() if (props := properties(el))
                            and el is not process},
        form_refs=sorted({el.get(camunda("formRef")) for el in process.iter()} - {None}),
        spec_json=dump_spec(spec, subprocess_specs),
        decision_refs=sorted({t.get(camunda("decisionRef")) for t in process.iter(f"{{{BPMN}}}businessRuleTask")}
                             - {None}),
    )


def _process_name(root, process) -> str:
    participant = root.find(f"bpmn:collaboration/bpmn:participant[@processRef='{process.get('id')}']", NS)
    return process.get("name") or (participant.get("name") if participant is not None else process.get("id"))
