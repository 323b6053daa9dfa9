"""Where a Camunda 7 user task or start event finds its form, read from the BPMN XML (deploy and lint share it).

Camunda 7 offers three ways; the first one present is used (the Modeler's *Forms* tab sets one of them):

1. ``camunda:formRef="<form id>"`` with ``camunda:formRefBinding`` ``latest`` (the default), ``deployment`` or
   ``version`` (+ ``camunda:formRefVersion="N"``): a Camunda Form (``forms/*.form``) matched by its ``id``;
2. ``camunda:formKey="camunda-forms:deployment:<path>/<file>.form"`` or ``camunda-forms:app:<path>/<file>.form``:
   a Camunda Form matched by its **file name** in ``forms/`` (such a form needs no ``id``);
3. ``<camunda:formData>``: a *generated* form. :func:`form_data_schema` turns its fields into a form-js schema
   that the same renderer and server-side validation use (see that function for the type mapping).

Every form a process version uses is stored in its ``forms_json`` under a key (:attr:`FormReference.key`):
the form id (formRef latest/deployment), ``<form id>@<N>`` (formRef version N), ``file:<file name>`` (formKey)
or ``formdata:<element id>`` (generated); the version's definition maps each element id to its key.

Any other ``formKey`` (``embedded:…``, ``app:…`` HTML forms, ``${…}``) is not rendered: the linter warns and the
element falls back to its ``formData`` if it has one. ``formData`` next to a Camunda Form (which Camunda 7 also
validates on submit) is checked by the linter but not shown or applied: the Camunda Form's own validation is.
"""
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from .bpmn_xml import BPMN, NS, camunda

#: ``camunda:formField`` types Camunda 7 ships, and the form-js component each becomes.
FORM_DATA_TYPES = {"string": "textfield", "long": "number", "boolean": "checkbox", "date": "datetime",
                   "enum": "select"}
#: Built-in ``camunda:constraint`` names, and the field types each applies to (None: every type).
CONSTRAINTS = {"required": None, "readonly": None, "minlength": {"string"}, "maxlength": {"string"},
               "min": {"long"}, "max": {"long"}}
BINDINGS = ("latest", "deployment", "version")
FORMDATA_PREFIX = "formdata:"
FILE_PREFIX = "file:"
_CAMUNDA_FORM_KEY = re.compile(r"^camunda-forms:(deployment|app):(?P<path>.+)$")
_FIELD_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RESERVED = frozenset({"typename"})
_VI_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class FormReference:
    """How one element points to its form, and the key its schema is stored under in ``forms_json``.

    :ivar kind: ``"formRef"``, ``"formKey"`` or ``"formData"``.
    :ivar form_id: the form ``id`` (formRef).
    :ivar binding: ``latest``, ``deployment`` or ``version`` (formRef).
    :ivar version: ``N`` of ``camunda:formRefVersion`` with the ``version`` binding, when it is a whole number ≥ 1.
    :ivar file: the ``.form`` file name (formKey).
    """

    kind: str
    key: str
    form_id: str | None = None
    binding: str = "latest"
    version: int | None = None
    file: str | None = None


@dataclass(frozen=True)
class FormDataIssue:
    """A problem of a ``formData`` field: ``element`` is the lxml node it is on (field, constraint or value)."""

    element: Any
    severity: str  # "error" | "warning"
    rule: str
    message: str


def form_key_file(form_key: str | None) -> str | None:
    """The ``.form`` file name a ``camunda-forms:deployment:``/``app:`` form key names, else None."""
    match = _CAMUNDA_FORM_KEY.match(form_key or "")
    return PurePosixPath(match["path"].strip()).name if match else None


def form_data_fields(element) -> list:
    """The ``camunda:formField`` elements of ``element``'s own ``camunda:formData``."""
    return element.findall("bpmn:extensionElements/camunda:formData/camunda:formField", NS)


def form_reference(element) -> FormReference | None:
    """How ``element`` (a user task or start event) gets its form; None when it has none that is rendered."""
    form_ref = element.get(camunda("formRef"))
    if form_ref:
        binding = element.get(camunda("formRefBinding")) or "latest"
        version = _whole_number(element.get(camunda("formRefVersion"))) if binding == "version" else None
        key = f"{form_ref}@{version}" if version is not None else form_ref
        return FormReference("formRef", key, form_id=form_ref, binding=binding, version=version)
    file = form_key_file(element.get(camunda("formKey")))
    if file:
        return FormReference("formKey", FILE_PREFIX + file, file=file)
    if form_data_fields(element):
        return FormReference("formData", FORMDATA_PREFIX + element.get("id"))
    return None


def form_elements(process) -> Iterator:
    """Elements of ``process`` that may carry a form: its own start events, and user tasks at any depth."""
    yield from process.findall("bpmn:startEvent", NS)
    yield from process.iter(f"{{{BPMN}}}userTask")


def form_data_schema(element) -> tuple[dict, list[FormDataIssue]]:
    """A form-js schema (anchors §6) generated from ``element``'s ``camunda:formData``, and its problems.

    Types: ``string`` → textfield, ``long`` → number with ``decimalDigits: 0``, ``boolean`` → checkbox, ``date`` →
    datetime of subtype ``date``, ``enum`` → select whose options are the ``camunda:value`` ids (values) and names
    (labels). Constraints: ``required`` → ``validate.required`` (a checkbox must then be ticked, as in Camunda's
    Tasklist, which marks the checkbox ``required``), ``minlength``/``maxlength`` (string) →
    ``validate.minLength``/``maxLength``, ``min``/``max`` (long) → ``validate.min``/``max``, ``readonly`` →
    ``readonly: true`` (shown, never taken from the input). ``label`` (else the id) and ``defaultValue`` are kept;
    a date default may be written ``dd/MM/yyyy`` (Camunda's date format) or ``YYYY-MM-DD``. Dates are stored as ISO
    ``YYYY-MM-DD`` strings, never ``dd/MM/yyyy``; the page accepts both when typed. Field ``camunda:properties``
    are ignored (a warning).

    The schema has no ``id``: it is stored under ``formdata:<element id>``. Fields with an error are left out.
    """
    issues: list[FormDataIssue] = []
    components, seen = [], set()
    for field in form_data_fields(element):
        field_id = field.get("id") or ""
        if field_id in _RESERVED:
            issues.append(FormDataIssue(field, "error", "form-data-field-id", f"form field id {field_id!r} is "
                                        "reserved: it breaks saving the dossier; rename the field"))
        elif not _FIELD_ID.fullmatch(field_id):
            issues.append(FormDataIssue(field, "error", "form-data-field-id", f"form field id {field_id!r} must be "
                                        "a variable name: letters without accents, digits and _"))
        elif field_id in seen:
            issues.append(FormDataIssue(field, "error", "form-data-field-id", f"form field id {field_id!r} is "
                                        "used twice in this form; give each field its own id"))
        else:
            seen.add(field_id)
            component = _component(field, field_id, issues)
            if component is not None:
                components.append(component)
    schema = {"type": "default", "schemaVersion": 16, "executionPlatform": "Camunda Platform",
              "generated": {"from": "camunda:formData", "element": element.get("id")}, "components": components}
    return schema, issues


def _component(field, field_id: str, issues: list[FormDataIssue]) -> dict | None:
    kind = field.get("type") or "string"
    errors_before = sum(i.severity == "error" for i in issues)
    if kind not in FORM_DATA_TYPES:
        issues.append(FormDataIssue(field, "error", "form-data-field", f"form field {field_id!r} has type {kind!r}; "
                                    f"generated forms support {', '.join(FORM_DATA_TYPES)} (custom types need a "
                                    "Camunda Form: use camunda:formRef)"))
        return None
    label = field.get("label") or field_id
    component: dict[str, Any] = {"id": f"formField_{field_id}", "type": FORM_DATA_TYPES[kind], "key": field_id}
    if kind == "date":
        component.update(subtype="date", dateLabel=label)
    else:
        component["label"] = label
    if kind == "long":
        component["decimalDigits"] = 0
    if kind == "enum":
        component["values"] = _enum_values(field, field_id, issues)
    validate = _constraints(field, field_id, kind, component, issues)
    if validate:
        component["validate"] = validate
    default = _default_value(field, field_id, kind, component.get("values"), issues)
    if default is not None:
        component["defaultValue"] = default
    for properties in field.findall("camunda:properties", NS):
        issues.append(FormDataIssue(properties, "warning", "form-data-properties", f"camunda:properties of form "
                                    f"field {field_id!r} are ignored by the generated form; remove them"))
    return component if sum(i.severity == "error" for i in issues) == errors_before else None


def _enum_values(field, field_id: str, issues: list[FormDataIssue]) -> list[dict[str, str]]:
    values, seen, nodes = [], set(), field.findall("camunda:value", NS)
    for value in nodes:
        value_id = value.get("id") or ""
        if not value_id or value_id in seen:
            issues.append(FormDataIssue(value, "error", "form-data-field", f"enum field {field_id!r}: every "
                                        "camunda:value needs its own non-empty id"))
            continue
        seen.add(value_id)
        values.append({"label": value.get("name") or value_id, "value": value_id})
    if not nodes:
        issues.append(FormDataIssue(field, "error", "form-data-field", f"enum field {field_id!r} has no values; add "
                                    "them under Values in the Modeler"))
    return values


def _constraints(field, field_id: str, kind: str, component: dict, issues: list[FormDataIssue]) -> dict:
    validate: dict[str, Any] = {}
    for constraint in field.findall("camunda:validation/camunda:constraint", NS):
        name, config = constraint.get("name") or "", constraint.get("config")
        if name not in CONSTRAINTS:
            issues.append(FormDataIssue(constraint, "error", "form-data-field", f"constraint {name!r} of form field "
                                        f"{field_id!r} is not supported (custom validators run Java code); use "
                                        f"{', '.join(CONSTRAINTS)}"))
        elif CONSTRAINTS[name] is not None and kind not in CONSTRAINTS[name]:
            issues.append(FormDataIssue(constraint, "error", "form-data-field", f"constraint {name!r} applies to "
                                        f"{' and '.join(sorted(CONSTRAINTS[name]))} fields, not to {field_id!r} "
                                        f"of type {kind!r}"))
        elif name == "required":
            validate["required"] = True
        elif name == "readonly":
            component["readonly"] = True
        else:
            number = _config_number(config, whole=name.endswith("length"))
            if number is None:
                issues.append(FormDataIssue(constraint, "error", "form-data-field", f"constraint {name!r} of form "
                                            f"field {field_id!r} needs a {'whole ' if name.endswith('length') else ''}"
                                            f"number as config, not {config!r}"))
                continue
            validate[{"minlength": "minLength", "maxlength": "maxLength"}.get(name, name)] = number
    for low, high in (("minLength", "maxLength"), ("min", "max")):
        if low in validate and high in validate and validate[low] > validate[high]:
            issues.append(FormDataIssue(field, "error", "form-data-field", f"form field {field_id!r}: "
                                        f"{low.lower()} {validate[low]} is above {high.lower()} {validate[high]}"))
    return validate


def _config_number(config: str | None, *, whole: bool) -> int | float | None:
    text = (config or "").strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    if not whole and re.fullmatch(r"-\d+", text):
        return int(text)
    if not whole and re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return None


def _default_value(field, field_id: str, kind: str, values: list[dict] | None,
                   issues: list[FormDataIssue]) -> Any:
    text = field.get("defaultValue")
    if text is None or text == "":
        return None
    if "${" in text or "#{" in text:
        issues.append(FormDataIssue(field, "error", "form-data-field", f"defaultValue {text!r} of form field "
                                    f"{field_id!r} is an expression, which generated forms do not evaluate; write "
                                    "a literal value (a process variable with the field's id is shown anyway)"))
        return None
    value = _typed_default(kind, text.strip(), values)
    if value is None:
        hint = {"date": " (write dd/MM/yyyy)", "boolean": " (write true or false)",
                "enum": f" (one of the value ids: {', '.join(v['value'] for v in values or ())})"}.get(kind, "")
        issues.append(FormDataIssue(field, "error", "form-data-field", f"defaultValue {text!r} of form field "
                                    f"{field_id!r} is not a valid {kind}{hint}"))
    return value


def _typed_default(kind: str, text: str, values: list[dict] | None) -> Any:
    if kind == "string":
        return text
    if kind == "long":
        return int(text) if re.fullmatch(r"-?\d+", text) else None
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.lower())
    if kind == "enum":
        return text if any(v["value"] == text for v in values or ()) else None
    try:
        if match := _VI_DATE.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day).isoformat()
        return date.fromisoformat(text).isoformat() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def _whole_number(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() and int(text) >= 1 else None
