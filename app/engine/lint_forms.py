"""Lint ``.form`` files (Camunda Forms, form-js JSON) with the same parser that renders them.

A form finding names the JSON path as its element (``components[3].key``), which is what
:class:`~app.camunda_forms.FormSchemaError` reports, plus the component's id when it has one so the
designer can find it in the Modeler's form editor. Forms have no line numbers except for JSON syntax
errors: Camunda Modeler edits them visually. ``parse_form`` stops at its first problem, so a form shows
at most one ``form-schema`` finding per run; ``typename`` keys are all listed, before it. A form without an ``id``
is fine: ``camunda-forms:deployment:<file>.form`` finds it by file name (Camunda's own examples have none).

:func:`check_element_form` checks how a user task or start event points to its form (:mod:`.forms_xml`):
``camunda:formRef`` (+ binding), ``camunda:formKey`` and the fields of a generated ``camunda:formData`` form.
"""
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from app.camunda_forms import FormSchemaError, parse_form

from .bpmn_xml import camunda
from .findings import ERROR, Finding, Library, Report, Source
from .forms_xml import BINDINGS, form_data_fields, form_data_schema, form_key_file

RESERVED = frozenset({"typename"})
_INDEX = re.compile(r"\[(\d+)\]")


def check_forms(sources: Sequence[Source]) -> list[Finding]:
    """Findings of every form, plus one for each form that repeats an earlier form's id."""
    findings, seen = [], {}
    for source in sources:
        report = Report(source.path)
        document = _check_form(source, report)
        form_id = document.get("id") if isinstance(document, Mapping) else None
        if isinstance(form_id, str) and form_id in seen:
            report.error("form-duplicate-id", f"form id {form_id!r} is also the id of {seen[form_id]}; give each "
                                              "form its own id", element_id="id")
        elif isinstance(form_id, str):
            seen[form_id] = source.path
        findings += report.findings
    return findings


def _check_form(source: Source, report: Report) -> Any:
    try:
        document = json.loads(source.data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        report.error("form-json", f"not UTF-8 text: {exc.reason}; save the form from Camunda Modeler")
        return None
    except json.JSONDecodeError as exc:
        report.error("form-json", f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
        return None
    reserved = dict(_reserved_names(document))
    for path, name in reserved.items():
        report.error("form-reserved-name", f"{name!r} uses the reserved name 'typename', which breaks saving the "
                                           f"dossier; rename the key{_component_hint(document, path)}",
                     element_id=path)
    try:
        parse_form(document, source.path, default_id=source.name)
    except FormSchemaError as exc:
        if exc.path not in reserved:
            report.error("form-schema", f"{exc.message}{_component_hint(document, exc.path)}",
                         element_id=exc.path or None)
    return document


def _reserved_names(document: Any) -> Iterator[tuple[str, str]]:
    """``(json path, value)`` of every component ``key`` or ``path`` with a reserved segment."""
    if not isinstance(document, Mapping):
        return
    yield from _walk(document.get("components"), "components")


def _walk(components: Any, where: str) -> Iterator[tuple[str, str]]:
    if not isinstance(components, list):
        return
    for index, item in enumerate(components):
        if not isinstance(item, Mapping):
            continue
        here = f"{where}[{index}]"
        for prop in ("key", "path"):
            value = item.get(prop)
            if isinstance(value, str) and RESERVED & set(value.split(".")):
                yield f"{here}.{prop}", value
        yield from _walk(item.get("components"), f"{here}.components")


def _component_hint(document: Any, path: str) -> str:
    """`` (component Field_x)`` for the innermost component on ``path`` that has an id, else ``""``."""
    node, found = document, None
    for part in path.split("."):
        name, _, _ = part.partition("[")
        node = node.get(name) if isinstance(node, Mapping) and name else node
        for index in _INDEX.findall(part):
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
        if isinstance(node, Mapping) and isinstance(node.get("id"), str) and part.endswith("]"):
            found = node["id"]
    return f" (component {found})" if found else ""


def check_element_form(element, report: Report, library: Library) -> None:
    """Findings for the form of one user task or start event: unknown ``formRef`` ids and bindings, ``formKey``
    files not in the run or schemes that are not rendered, generated ``formData`` fields that do not work."""
    form_ref, form_key = element.get(camunda("formRef")), element.get(camunda("formKey"))
    fields = form_data_fields(element)  # checked even next to a Camunda Form, which is then the one shown
    if form_ref:
        _check_form_ref(element, form_ref, report, library)
    if form_key:
        _check_form_key(element, form_key, bool(fields) and not form_ref, report, library)
    if fields:
        _check_form_data(element, report)
    if form_ref and form_key_file(form_key):
        report.warning("form-ambiguous", "camunda:formRef and a camunda-forms: formKey are both set; only the formRef "
                                         f"form {form_ref!r} is shown; remove the formKey", element=element)


def _check_form_ref(element, form_ref: str, report: Report, library: Library) -> None:
    binding = element.get(camunda("formRefBinding")) or "latest"
    version = element.get(camunda("formRefVersion"))
    if binding not in BINDINGS:
        report.error("form-ref-binding", f"camunda:formRefBinding {binding!r} is not one of {', '.join(BINDINGS)}",
                     element=element)
    elif binding == "version" and not (version and version.strip().isdigit() and int(version) >= 1):
        report.error("form-ref-binding", f"binding 'version' needs camunda:formRefVersion, a whole number from 1 "
                                         f"(the Nth deployed version of form {form_ref!r}), not {version!r}",
                     element=element)
    if form_ref not in library.form_ids:
        report.error("form-ref-unknown", f"form {form_ref!r} (camunda:formRef) is not among the forms of this run: "
                                         f"{sorted(library.form_ids)}; save the form with that id in forms/ or fix "
                                         "the reference", element=element)


def _check_form_key(element, form_key: str, falls_back: bool, report: Report, library: Library) -> None:
    file = form_key_file(form_key)
    if file is None:
        shown = "its camunda:formData fields are shown instead" if falls_back else "it would show no form"
        report.warning("form-key-unsupported", f"formKey {form_key!r} is not rendered: only Camunda Forms and "
                                               "formData are rendered (camunda:formRef, camunda-forms:deployment:"
                                               f"<file>.form, camunda-forms:app:<file>.form, camunda:formData); "
                                               f"{shown}", element=element)
    elif file not in library.form_files:
        report.error("form-key-missing", f"formKey {form_key!r} names a form file that is not in this run; save "
                                         f"{file} in forms/", element=element)


def _check_form_data(element, report: Report) -> None:
    element_id = element.get("id")
    schema, issues = form_data_schema(element)
    for issue in issues:
        report.add(issue.severity, issue.rule, issue.message, element=issue.element, element_id=element_id)
    if any(issue.severity == ERROR for issue in issues):
        return
    try:
        parse_form(schema, f"{element_id} (camunda:formData)", default_id=f"formdata:{element_id}")
    except FormSchemaError as exc:
        report.error("form-data-field", f"the generated form does not work: {exc.path}: {exc.message}",
                     element=element)
