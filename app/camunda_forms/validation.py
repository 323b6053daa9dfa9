"""Server-side submit of a Camunda Form: read, apply conditions, validate (anchors §6.3–6.4).

The browser is never trusted: the server re-applies every rule form-js shows, clears hidden
fields, ignores disabled and read-only inputs and drops names the form does not define.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .coercion import coerce
from .rules import check_rules, is_empty
from .schema import MULTI_TYPES, Component, Field, FormDefinition
from .values import delete_path, get_path, getlist, list_rows, set_path, to_raw

__all__ = ["validate_submission"]


def validate_submission(
    form: FormDefinition,
    formdata: Any,
    context: Mapping[str, Any],
    *,
    files: Mapping[str, str | list[str]] | None = None,
    today: date | None = None,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate a submitted form and return the data to complete the user task with.

    Steps, as form-js does on submit:

    1. read every field of ``form`` from ``formdata`` (unknown names are ignored) and type it:
       textfield/textarea ``str`` (NFC, stripped; ``""`` when empty), number ``int`` or ``float``
       (``str`` with ``serializeToString``; None when empty), checkbox ``bool``, checklist
       ``list`` of option values, select/radio the option value (None when empty), datetime an
       ISO string (``YYYY-MM-DD``, ``HH:MM`` or ``YYYY-MM-DDTHH:MM``, no time zone);
    2. walk the components in document order, evaluating ``conditional.hide`` against the values
       read so far (then ``context``); a hidden component's values are removed, so later
       conditions see them cleared, and they are neither validated nor returned;
    3. validate the visible fields (required, lengths, min/max, decimals and steps, pattern,
       email/phone, allowed options, past dates).

    ``disabled`` fields are left out of the result (the task data keeps its value). ``readonly``
    fields return the value at their path in ``context`` (else ``defaultValue``), never the
    input. Both flags, when FEEL, are evaluated against ``context`` only, so input cannot flip them.

    :param form: the parsed form.
    :param formdata: the submitted names: a werkzeug ``MultiDict`` (``getlist`` serves checklists)
        or a plain mapping of ``str`` / ``list[str]``. Dynamic list rows are named
        ``<path>.<row>.<key>``; they are renumbered 0..n-1 in submitted order.
    :param context: the task's workflow data: ``valuesKey`` options, FEEL names, read-only values.
    :param files: for file pickers, input name → reference(s) of uploads the caller has already
        stored and vetted (e.g. ``"files::<id>"``); never taken from ``formdata``.
    :param today: local date for ``disallowPassedDates`` (default: ``date.today()``).
    :return: ``(values, errors)``: ``values`` is nested like the form-js submit data (group paths
        and dotted keys become nested dicts, a dynamic list a list of dicts), JSON-serialisable;
        ``errors`` maps an input name (``"applicant.fullName"``, ``"members.0.name"``) to its
        Vietnamese messages, and is empty when the submission is valid. Re-render a failed
        submission with :func:`.values.raw_values_from`, which numbers rows the same way.
    """
    submission = _Submission(form, formdata, context, files or {}, today or date.today())
    submission.read()
    submission.walk(form.components, hidden=False, row=None)
    return submission.values, submission.errors


@dataclass
class _Row:
    """One dynamic-list row being walked: where its input lives and where its output goes."""

    path: str
    position: int
    item: dict
    output: dict = field(default_factory=dict)

    def name(self, key: str) -> str:
        return f"{self.path}.{self.position}.{key}"


class _Submission:
    def __init__(self, form: FormDefinition, formdata: Any, context: Mapping[str, Any],
                 files: Mapping[str, Any], today: date):
        self.form, self.formdata, self.context = form, formdata, context
        self.files, self.today = files, today
        self.working: dict[str, Any] = {}  # typed values read so far; hidden ones get removed
        self.read_errors: dict[str, list[str]] = {}
        self.values: dict[str, Any] = {}
        self.errors: dict[str, list[str]] = {}

    def read(self) -> None:
        """Step 1: type every field's input into ``working``."""
        lists: dict[str, list[Field]] = {}
        for each in self.form.fields:
            if each.list_path is None:
                set_path(self.working, each.key, self.read_field(each, each.key, each.key, self.context))
            else:
                lists.setdefault(each.list_path, []).append(each)
        for path, fields in lists.items():
            set_path(self.working, path, self.read_rows(path, fields))

    def read_rows(self, path: str, fields: list[Field]) -> list[dict]:
        known = get_path(self.context, path)
        known = known if isinstance(known, list) else []
        rows = []
        for position, index in enumerate(list_rows(self.formdata, path)):
            stored = known[position] if position < len(known) and isinstance(known[position], Mapping) else {}
            item: dict[str, Any] = {}
            for each in fields:
                source, name = f"{path}.{index}.{each.key}", f"{path}.{position}.{each.key}"
                set_path(item, each.key, self.read_field(each, source, name, stored))
            rows.append(item)
        return rows

    def read_field(self, each: Field, source: str, name: str, stored: Mapping[str, Any]) -> Any:
        if each.is_disabled(self.context) or each.is_readonly(self.context):
            return get_path(stored, each.key, each.default_value)
        if each.type == "filepicker":
            references = [str(ref) for ref in getlist(self.files, source) if ref]
            return (references or None) if each.multiple else (references[0] if references else None)
        sent = getlist(self.formdata, source)
        value, errors = coerce(each, sent if each.type in MULTI_TYPES else (sent[:1] or None),
                               each.options(self.context))
        if errors:
            self.read_errors[name] = errors
        return value

    def scopes(self, row: _Row | None) -> tuple[Mapping[str, Any], ...]:
        if row is None:
            return self.working, self.context
        return row.item, {"this": row.item}, self.working, self.context

    def walk(self, components: list[Component], hidden: bool, row: _Row | None) -> None:
        """Steps 2 and 3, in document order."""
        for component in components:
            hidden_here = hidden or (component.hide is not None and component.hide.is_true(*self.scopes(row)))
            if component.field is not None:
                self.finish(component.field, hidden_here, row)
            elif component.type == "dynamiclist":
                self.walk_list(component, hidden_here)
            elif component.children:
                self.walk(component.children, hidden_here, row)

    def walk_list(self, component: Component, hidden: bool) -> None:
        if hidden:
            delete_path(self.working, component.path)
            return
        rows = [_Row(component.path, position, item)
                for position, item in enumerate(get_path(self.working, component.path) or [])]
        for row in rows:
            self.walk(component.children, hidden=False, row=row)
        set_path(self.values, component.path, [row.output for row in rows])

    def finish(self, each: Field, hidden: bool, row: _Row | None) -> None:
        data = row.item if row else self.working
        if hidden:
            delete_path(data, each.key)
            return
        if each.is_disabled(self.context):
            return
        value = get_path(data, each.key)
        if not each.is_readonly(self.context):
            self.check(each, value, row.name(each.key) if row else each.key, row)
        set_path(row.output if row else self.values, each.key, _output(each, value))

    def check(self, each: Field, value: Any, name: str, row: _Row | None) -> None:
        errors = list(self.read_errors.get(name, []))
        if not errors or not is_empty(each, value):
            errors += check_rules(each, value, self.scopes(row), self.today)
        if errors:
            self.errors[name] = list(dict.fromkeys(errors))


def _output(each: Field, value: Any) -> Any:
    if each.type == "number" and each.serialize_to_string and value is not None:
        return to_raw(each, value)
    return value
