"""The parsed shape of a Camunda Form (form-js JSON, anchors §6): errors, options, fields, components.

:func:`parse_form` (in :mod:`.parsing`) builds these objects; validation and the Jinja macro
``_camunda_form.html`` read them. They are plain dataclasses, safe to cache per deployed form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field as dataclass_field
from typing import Any

from .conditions import Expression
from .text import TextBlock, text_blocks
from .values import MAX_LIST_ROWS, get_path

__all__ = ["Component", "Field", "FormDefinition", "FormSchemaError", "Option", "INPUT_TYPES"]

#: Component types whose value is submitted (keyed), as in anchors §6.2.
INPUT_TYPES = frozenset(
    {"textfield", "textarea", "number", "checkbox", "checklist", "taglist", "radio", "select", "datetime",
     "filepicker"}
)
#: Types that choose among options (``values`` or ``valuesKey``).
OPTION_TYPES = frozenset({"checklist", "taglist", "radio", "select"})
#: Types whose value is a list of option values.
MULTI_TYPES = frozenset({"checklist", "taglist"})


class FormSchemaError(ValueError):
    """A ``.form`` file breaks the form-js schema or uses a feature this renderer does not support.

    :ivar source: the form's file name, e.g. ``"forms/hkd.form"``.
    :ivar path: where in the JSON, e.g. ``"components[3].key"`` (``""`` for the whole file).
    :ivar message: what is wrong, in Vietnamese, for the form designer.
    """

    def __init__(self, source: str, path: str, message: str):
        self.source, self.path, self.message = source, path, message
        super().__init__(f"{source}: {path}: {message}" if path else f"{source}: {message}")


@dataclass(frozen=True)
class Option:
    """One choice of a select, radio or checklist.

    :ivar label: text shown to the user.
    :ivar value: the value put into the workflow data (a string for static ``values``).
    """

    label: str
    value: Any

    @property
    def html_value(self) -> str:
        """The string sent by the browser for this option (``true``/``false`` for booleans)."""
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)


@dataclass
class Field:
    """One input component (anchors §6.2 "Keyed").

    :ivar key: dotted data path, group paths included (``"applicant.fullName"``). Inside a
        dynamic list it is the path within one list item, and ``list_path`` names the list.
    :ivar validate: the ``validate`` object as written (``required``, ``minLength`` …); numeric
        limits may be :class:`Expression` objects when the form used FEEL.
    :ivar pattern: ``validate.pattern`` compiled (searched, not anchored, like form-js).
    :ivar hide: the field's own ``conditional.hide``.
    :ivar conditions: the hide conditions of its enclosing groups and lists, then its own.
    :ivar disabled, readonly: a bool or an :class:`Expression`.
    :ivar default_value: ``defaultValue`` as written (its type is checked per component type).
    """

    key: str
    type: str
    id: str | None = None
    label: str = ""
    description: str = ""
    validate: dict[str, Any] = dataclass_field(default_factory=dict)
    pattern: re.Pattern | None = None
    values: tuple[Option, ...] | None = None
    values_key: str | None = None
    hide: Expression | None = None
    conditions: tuple[Expression, ...] = ()
    disabled: bool | Expression = False
    readonly: bool | Expression = False
    subtype: str | None = None
    decimal_digits: int | None = None
    increment: float | int | None = None
    serialize_to_string: bool = False
    disallow_passed_dates: bool = False
    multiple: bool = False
    accept: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    default_value: Any = None
    list_path: str | None = None

    @property
    def required(self) -> bool:
        """Whether ``validate.required`` is set."""
        return self.validate.get("required") is True

    def options(self, context: Mapping[str, Any]) -> list[Option]:
        """Return the allowed options: the static ``values``, or ``context[values_key]``.

        A ``valuesKey`` entry may be ``{"label", "value"}`` or a bare scalar (label = value).

        :param context: the workflow data of the task.
        :return: options in display order; empty when the context lacks the key.
        """
        if self.values is not None:
            return list(self.values)
        return [_option_from(item) for item in _as_list(get_path(context, self.values_key))]

    def is_disabled(self, *scopes: Mapping[str, Any]) -> bool:
        """Evaluate ``disabled`` against ``scopes`` (FEEL ``true`` only)."""
        return _flag(self.disabled, scopes)

    def is_readonly(self, *scopes: Mapping[str, Any]) -> bool:
        """Evaluate ``readonly`` against ``scopes`` (FEEL ``true`` only)."""
        return _flag(self.readonly, scopes)


@dataclass
class Component:
    """A node of the form tree, as laid out by the designer.

    :ivar type: the form-js ``type`` (``group``, ``dynamiclist``, ``text``, ``textfield`` …).
    :ivar field: the :class:`Field` of an input component, else None.
    :ivar path: for a group or dynamic list, its full dotted data path (None for a flat group).
    :ivar children: nested components of a group or dynamic list.
    :ivar hide: the component's own ``conditional.hide``.
    :ivar props: the component JSON as written (for type-specific display properties).
    """

    type: str
    id: str | None = None
    label: str = ""
    text: str = ""
    field: Field | None = None
    path: str | None = None
    children: list[Component] = dataclass_field(default_factory=list)
    hide: Expression | None = None
    props: dict[str, Any] = dataclass_field(default_factory=dict)

    def text_blocks(self, context: Mapping[str, Any]) -> list[TextBlock]:
        """Return a ``text`` component's content as plain blocks (see :func:`.text.text_blocks`)."""
        return text_blocks(self.text, context)

    def row_count(self, values: Mapping[str, Any]) -> int:
        """For a dynamic list, how many rows to render: as many as ``values`` holds (raw values
        named ``<path>.<row>.<key>``), else ``defaultRepetitions`` (default 1)."""
        prefix = f"{self.path}."
        rows = [name[len(prefix):].split(".", 1)[0] for name in values if name.startswith(prefix)]
        indexes = [int(row) for row in rows if row.isdigit() and int(row) < MAX_LIST_ROWS]
        return max(indexes) + 1 if indexes else int(self.props.get("defaultRepetitions", 1))


@dataclass
class FormDefinition:
    """A parsed ``.form`` file.

    :ivar id: the form ``id`` that ``camunda:formRef`` points to.
    :ivar source: the file name given to :func:`parse_form`.
    :ivar components: the top-level component tree.
    :ivar fields: every input :class:`Field`, depth first, in document order.
    :ivar submit_label: the label of the first submit button, for the page to show (or None).
    """

    id: str
    source: str
    components: list[Component]
    fields: list[Field]
    schema_version: int | None = None
    submit_label: str | None = None

    def field(self, key: str) -> Field:
        """Return the field with this ``key``; raise KeyError if there is none."""
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        raise KeyError(key)

    def initial_values(self, context: Mapping[str, Any]) -> dict[str, str | list[str]]:
        """Raw values for a first render: from the workflow data, else ``defaultValue``."""
        from .values import initial_values

        return initial_values(self, context)

    def display_values(self, values: Mapping[str, Any] | None, context: Mapping[str, Any]) -> dict[str, Any]:
        """Raw values for the macro: ``values`` completed by the initial values (see
        :func:`.values.display_values`)."""
        from .values import display_values

        return display_values(self, values, context)


def _flag(value: bool | Expression, scopes: tuple[Mapping[str, Any], ...]) -> bool:
    return value.is_true(*scopes) if isinstance(value, Expression) else bool(value)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _option_from(item: Any) -> Option:
    if isinstance(item, Mapping):
        value = item.get("value")
        return Option(label=str(item.get("label", value)), value=value)
    return Option(label=str(item), value=item)
