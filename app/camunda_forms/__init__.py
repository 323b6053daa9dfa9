"""Camunda Forms (form-js JSON, ``forms/*.form``) parsed, validated and rendered server-side.

Public API::

    form = parse_form(text, "forms/hkd.form")              # FormSchemaError on designer mistakes
    values, errors = validate_submission(form, request.form, task_data)
    raw = raw_values_from(form, request.form)              # re-render after errors
    raw = form.initial_values(task_data)                   # first render

and the Jinja macro ``render_form(form, values, errors, context)`` in
``templates/_camunda_form.html``.
"""

from .conditions import Expression, FeelSyntaxError, compile_expression
from .parsing import MAX_SCHEMA_VERSION, parse_form
from .schema import Component, Field, FormDefinition, FormSchemaError, Option
from .validation import validate_submission
from .values import initial_values, raw_values_from

__all__ = [
    "MAX_SCHEMA_VERSION",
    "Component",
    "Expression",
    "FeelSyntaxError",
    "Field",
    "FormDefinition",
    "FormSchemaError",
    "Option",
    "compile_expression",
    "initial_values",
    "parse_form",
    "raw_values_from",
    "validate_submission",
]
