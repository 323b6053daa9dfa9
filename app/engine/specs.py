"""Parse a Camunda Modeler BPMN file into what a process version stores, refusing bad files with
``file:line: element-id: message``.

What is stored (:class:`ParsedProcess`): the process id and name, the procedure catalogue facts kept as
``camunda:properties`` on the process element, the start form, per-element ``camunda:properties``
(e.g. ``dossier_status``), the form ids the diagram uses, and the serialized Spiff spec.
"""
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .errors import ExpressionError, ProcessDefinitionError
from .expressions import ExpressionEvaluator
from .parser import GovCamundaParser
from .serializer import dump_spec

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
_UNSUPPORTED = {"scriptTask": "script tasks run code from the diagram; use a service task with a registered topic",
                "complexGateway": "the engine has no complex gateway"}


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


def parse_process(bpmn: bytes, file: str, *, form_ids: set[str], topics: set[str]) -> ParsedProcess:
    """Parse and check one BPMN file that holds one executable Camunda 7 process.

    :param bpmn: the file's bytes.
    :param file: its name, for messages.
    :param form_ids: ids of the Camunda Forms available with it (``formRef`` targets).
    :param topics: external-task topics that have a registered handler.
    :raises ProcessDefinitionError: naming file, line and element for the first problem found.
    """
    root = _parse_xml(bpmn, file)
    _refuse_foreign_dialects(root, file)
    process = _the_executable_process(root, file)
    _check_elements(process, file, form_ids, topics)
    spec, subprocess_specs = _spiff_specs(bpmn, file, process)
    start_forms = [s.get(f"{{{CAMUNDA}}}formRef") for s in process.findall("bpmn:startEvent", NS)]
    return ParsedProcess(
        process_id=process.get("id"), name=_process_name(root, process), catalogue=_properties(process),
        start_form_ref=next((f for f in start_forms if f), None),
        element_properties={el.get("id"): props for el in process.iter() if (props := _properties(el))
                            and el is not process},
        form_refs=sorted({el.get(f"{{{CAMUNDA}}}formRef") for el in process.iter()} - {None}),
        spec_json=dump_spec(spec, subprocess_specs),
    )


def _parse_xml(bpmn: bytes, file: str):
    try:
        return etree.fromstring(bpmn, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ProcessDefinitionError(f"not well-formed XML: {exc.msg}", file=file, line=exc.lineno) from exc


def _refuse_foreign_dialects(root, file: str) -> None:
    platform = root.get("{http://camunda.org/schema/modeler/1.0}executionPlatform", "")
    if ZEEBE in root.nsmap.values() or platform == "Camunda Cloud":
        raise ProcessDefinitionError("this is a Camunda 8 (Zeebe) model; draw it for Camunda Platform 7",
                                     file=file, line=root.sourceline)


def _the_executable_process(root, file: str):
    processes = [p for p in root.findall("bpmn:process", NS) if p.get("isExecutable") == "true"]
    if len(processes) != 1:
        raise ProcessDefinitionError(f"expected one executable process, found {len(processes)}",
                                     file=file, line=root.sourceline)
    return processes[0]


def _check_elements(process, file: str, form_ids: set[str], topics: set[str]) -> None:
    evaluator = ExpressionEvaluator()
    ids = {el.get("id") for el in process.iter(etree.Element)}
    for element in process.iter(etree.Element):
        local = etree.QName(element).localname
        problem = _UNSUPPORTED.get(local) if etree.QName(element).namespace == BPMN else None
        problem = problem or _reference_problem(element, local, ids)
        problem = problem or _form_problem(element, form_ids) or _topic_problem(element, local, topics)
        problem = problem or _expression_problem(element, local, evaluator)
        if problem:
            owner = element if element.get("id") else element.getparent()
            raise ProcessDefinitionError(problem, file=file, element_id=owner.get("id"), line=element.sourceline)


def _reference_problem(element, local: str, ids: set[str]) -> str | None:
    if local != "sequenceFlow":
        return None
    missing = [f"{end} {element.get(end)!r}" for end in ("sourceRef", "targetRef") if element.get(end) not in ids]
    return f"sequence flow points to elements that do not exist: {', '.join(missing)}" if missing else None


def _form_problem(element, form_ids: set[str]) -> str | None:
    ref = element.get(f"{{{CAMUNDA}}}formRef")
    if ref and ref not in form_ids:
        return f"form {ref!r} (camunda:formRef) is not among the deployed forms: {sorted(form_ids)}"
    return None


def _topic_problem(element, local: str, topics: set[str]) -> str | None:
    if local != "serviceTask":
        return None
    topic = element.get(f"{{{CAMUNDA}}}topic")
    if element.get(f"{{{CAMUNDA}}}type") != "external" or not topic:
        return 'service tasks must be external tasks: set camunda:type="external" and a camunda:topic'
    if topic not in topics:
        return f"no handler is registered for external-task topic {topic!r}; known topics: {sorted(topics)}"
    return None


def _expression_problem(element, local: str, evaluator: ExpressionEvaluator) -> str | None:
    if local not in ("conditionExpression", "timeDate", "timeDuration", "timeCycle") or not (element.text or "").strip():
        return None
    try:
        evaluator.check_syntax(element.text)
    except ExpressionError as exc:
        return str(exc)
    return None


def _spiff_specs(bpmn: bytes, file: str, process):
    parser = GovCamundaParser()
    try:
        parser.add_bpmn_str(bpmn, filename=file)
        return parser.get_spec(process.get("id")), parser.get_subprocess_specs(process.get("id"))
    except (ValidationException, SpiffWorkflowException) as exc:
        element_id = getattr(exc, "id", None) or None
        found = process.getroottree().getroot().xpath("//*[@id=$id]", id=element_id) if element_id else []
        line = found[0].sourceline if found else None
        raise ProcessDefinitionError(str(exc).splitlines()[0], file=file, element_id=element_id, line=line) from exc


def _properties(element) -> dict[str, str]:
    nodes = element.findall("bpmn:extensionElements/camunda:properties/camunda:property", NS)
    return {node.get("name"): node.get("value", "") for node in nodes}


def _process_name(root, process) -> str:
    participant = root.find(f"bpmn:collaboration/bpmn:participant[@processRef='{process.get('id')}']", NS)
    return process.get("name") or (participant.get("name") if participant is not None else process.get("id"))
