"""Lint ``.form`` files (Camunda Forms, form-js JSON) with the same parser that renders them.

A form finding names the JSON path as its element (``components[3].key``), which is what
:class:`~app.camunda_forms.FormSchemaError` reports, plus the component's id when it has one so the
designer can find it in the Modeler's form editor. Forms have no line numbers except for JSON syntax
errors: Camunda Modeler edits them visually. ``parse_form`` stops at its first problem, so a form shows
at most one ``form-schema`` finding per run; ``typename`` keys are all listed, before it.
"""
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from app.camunda_forms import FormSchemaError, parse_form

from .findings import Finding, Report, Source

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
        parse_form(document, source.path)
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
