"""Safe evaluation of BPMN expressions (gateway conditions, timer values, assignee expressions).

Designers write Camunda 7 dialect: JUEL ``${…}``/``#{…}`` with ``== != < > <= >= && || ! and or not
eq ne lt gt le ge empty true false null``, or bare ISO-8601 timer literals (``PT5M``, ``P7D``,
``R3/PT1H``, ``2026-12-01T09:00:00+07:00``). The text is translated to a Python expression and evaluated by
simpleeval with a whitelist of helpers, never by ``eval``: attribute tricks, imports and dunder names are
refused (architecture.md, "The engine wrapper").
"""
import re
from collections.abc import Callable, Mapping
from typing import Any

import simpleeval

from .errors import ExpressionError

_WRAPPED = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.DOTALL)
_ISO_LITERAL = re.compile(
    r"^(R\d*/)?(P(?=\d|T)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)(/.*)?$"
)
_TOKEN = re.compile(
    r"""("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')"""        # string literals pass through untouched
    r"""|\bempty\s+([A-Za-z_][\w.]*)"""                    # JUEL `empty x` -> _is_empty(x)
    r"""|(&&|\|\||!=|!|\b(?:eq|ne|lt|gt|le|ge|true|false|null|div|mod)\b)"""
)
_JUEL_WORDS = {
    "&&": " and ", "||": " or ", "!=": "!=", "!": " not ", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
    "le": "<=", "ge": ">=", "true": "True", "false": "False", "null": "None",
    "div": "/", "mod": "%",
}


def _is_empty(value: Any) -> bool:
    """JUEL ``empty``: true for null, an empty string and an empty collection."""
    return value is None or (hasattr(value, "__len__") and len(value) == 0)


def translate(expression: str) -> str | None:
    """Translate one Camunda/JUEL expression into the Python subset simpleeval runs.

    :param expression: the text from the BPMN file (condition body, timer value, assignee …).
    :return: the Python expression, or ``None`` when the text is a bare ISO-8601 literal to be used as is.
    """
    text = expression.strip()
    match = _WRAPPED.match(text)
    if match is None and _ISO_LITERAL.match(text):
        return None
    body = match.group("body") if match else text
    return _TOKEN.sub(_replace_token, body).strip()


def _replace_token(match: re.Match) -> str:
    literal, empty_operand, word = match.groups()
    if literal:
        return literal
    return f"_is_empty({empty_operand})" if empty_operand else _JUEL_WORDS[word]


class ExpressionEvaluator:
    """Evaluate translated expressions with simpleeval against dossier data plus whitelisted helpers.

    :param helpers: name → callable made available to designers (e.g. ``add_working_days``).
    """

    def __init__(self, helpers: Mapping[str, Callable] | None = None):
        self.helpers = {"_is_empty": _is_empty, "len": len, "str": str, "int": int, "float": float,
                        **(helpers or {})}

    def evaluate(self, expression: str, data: Mapping[str, Any]) -> Any:
        """Return the value of ``expression`` for ``data``.

        :raises ExpressionError: on syntax errors, unknown names, forbidden constructs.
        """
        python = translate(expression)
        if python is None:
            return expression.strip()
        evaluator = simpleeval.EvalWithCompoundTypes(names=dict(data), functions=self.helpers)
        try:
            return evaluator.eval(python)
        except simpleeval.NameNotDefined as exc:
            raise ExpressionError(f"unknown variable in expression {expression!r}: {exc.name}") from exc
        except (simpleeval.InvalidExpression, SyntaxError) as exc:
            raise ExpressionError(f"expression {expression!r} is not allowed or not valid: {exc}") from exc

    def check_syntax(self, expression: str) -> None:
        """Parse ``expression`` without data, for deploy-time checks.

        :raises ExpressionError: when it does not parse or uses a forbidden construct.
        """
        python = translate(expression)
        if python is None:
            return
        try:
            simpleeval.SimpleEval().parse(python)
        except SyntaxError as exc:
            raise ExpressionError(f"expression {expression!r} does not parse: {exc.msg}") from exc
        if "__" in python or re.search(r"\.\s*_", python):
            raise ExpressionError(f"expression {expression!r} uses a forbidden name (dunder or private attribute)")


def split_top_level(text: str) -> list[str]:
    """Split a comma-separated attribute (``a, ${b}, ${f(x, y)}``) on the commas outside ``${…}``."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [p for p in [*parts, current.strip()] if p]
