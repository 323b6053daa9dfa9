"""FEEL's value semantics for the translated expressions of :mod:`.conditions`.

Comparisons of different types, arithmetic on non-numbers and ``null`` give ``null`` (None)
rather than raising, as in FEEL; ``and``/``or``/``not`` are three-valued.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

from .values import get_path

__all__ = ["FUNCTIONS", "OPERATORS", "lookup"]

_MISSING = object()


def lookup(path: str, scopes: tuple[Mapping[str, Any], ...]) -> Any:
    """Return the value of dotted ``path`` in the first scope that has it, else None (FEEL null)."""
    for scope in scopes:
        value = get_path(scope, path, _MISSING)
        if value is not _MISSING:
            return value
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _comparable(left: Any, right: Any) -> bool:
    return (_is_number(left) and _is_number(right)) or (isinstance(left, str) and isinstance(right, str))


def _equals(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is right
    if _is_number(left) and _is_number(right):
        return left == right
    return type(left) is type(right) and left == right


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool | None]:
    return lambda left, right: compare(left, right) if _comparable(left, right) else None


def _arithmetic(compute: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(left: Any, right: Any) -> Any:
        if not (_is_number(left) and _is_number(right)):
            return None
        try:
            return compute(left, right)
        except ZeroDivisionError:
            return None

    return apply


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    return _arithmetic(lambda a, b: a + b)(left, right)


def _and(*operands: Any) -> bool | None:
    if any(operand is False for operand in operands):
        return False
    return True if all(operand is True for operand in operands) else None


def _or(*operands: Any) -> bool | None:
    if any(operand is True for operand in operands):
        return True
    return False if all(operand is False for operand in operands) else None


def _not(operand: Any) -> bool | None:
    return (not operand) if isinstance(operand, bool) else None


OPERATORS = {
    ast.Eq: _equals,
    ast.NotEq: lambda left, right: not _equals(left, right),
    ast.Lt: _ordered(lambda a, b: a < b),
    ast.Gt: _ordered(lambda a, b: a > b),
    ast.LtE: _ordered(lambda a, b: a <= b),
    ast.GtE: _ordered(lambda a, b: a >= b),
    ast.Add: _add,
    ast.Sub: _arithmetic(lambda a, b: a - b),
    ast.Mult: _arithmetic(lambda a, b: a * b),
    ast.Div: _arithmetic(lambda a, b: a / b),
    ast.USub: lambda value: -value if _is_number(value) else None,
}
FUNCTIONS = {"_and": _and, "_or": _or, "_not": _not}
