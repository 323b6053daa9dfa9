"""A small, safe subset of FEEL for Camunda Forms expressions (``conditional.hide`` and friends).

form-js writes expressions as strings starting with ``=`` (anchors §6.4). No maintained FEEL
library for Python fits (``bkflow-feel`` dates from 2023, pins ``pytz<2024`` and gives Python
rather than FEEL semantics to ``null``), so this module parses the subset below itself, translates
it into a fully parenthesised Python expression made only of calls to the FEEL helpers defined here,
and lets :mod:`simpleeval` evaluate that. Nothing ever reaches Python's ``eval``.

Supported, with FEEL's precedence (loosest first):

- ``or``, ``and`` (three-valued: a non-boolean operand counts as ``null``);
- one comparison ``= != < > <= >=`` (``=`` is equality; comparisons do not chain);
- ``+ -`` then ``* /`` and unary ``-`` on numbers (``+`` also joins two strings);
- ``not(expr)``, parentheses;
- literals: numbers, ``"strings"`` (escapes ``\\" \\\\ \\n \\t \\r \\uXXXX``), ``true``, ``false``,
  ``null``;
- names and dotted paths (``applicant.fullName``); an unknown name is ``null``.

Anything else (function calls, ``in``, ``between``, lists, ``if``/``for`` …) raises
:class:`FeelSyntaxError` when the expression is compiled, so form designers learn at deploy time.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from simpleeval import InvalidExpression, SimpleEval

from .feel_semantics import FUNCTIONS, OPERATORS, lookup

__all__ = ["Expression", "FeelSyntaxError", "compile_expression", "is_expression"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?|\.\d+)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op><=|>=|!=|[=<>+\-*/().])
    )""",
    re.VERBOSE,
)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
_COMPARISONS = {"=": "==", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
#: FEEL keywords outside the subset; using one is an error rather than a variable lookup.
_UNSUPPORTED_WORDS = frozenset(
    "if then else for in return some every satisfies between instance of function".split()
)

class FeelSyntaxError(ValueError):
    """The expression is not valid FEEL or uses FEEL outside the supported subset."""


@dataclass(frozen=True)
class Expression:
    """A compiled FEEL expression.

    :ivar source: the expression as written in the form, including the leading ``=``.
    :ivar python: the translated expression evaluated by :mod:`simpleeval` (for debugging).
    """

    source: str
    python: str
    _node: ast.AST = field(repr=False, compare=False)

    def evaluate(self, *scopes: Mapping[str, Any]) -> Any:
        """Evaluate against ``scopes``, searched in order for each name or dotted path.

        A failure at run time (data that :mod:`simpleeval` refuses, such as a callable, or an
        overflow) gives ``None``, as form-js treats a failing expression as not met.

        :param scopes: mappings of variable name to value; nested mappings serve dotted paths.
        :return: a plain Python value (``None`` for FEEL ``null``).
        """
        functions = dict(FUNCTIONS, _var=lambda path: lookup(path, scopes))
        evaluator = SimpleEval(operators=OPERATORS, functions=functions, names={})
        try:
            return evaluator.eval(self.python, previously_parsed=self._node)
        except (InvalidExpression, ArithmeticError, TypeError, ValueError):
            return None

    def is_true(self, *scopes: Mapping[str, Any]) -> bool:
        """Return True only when the expression evaluates to FEEL ``true`` (as form-js does)."""
        return self.evaluate(*scopes) is True


def is_expression(value: Any) -> bool:
    """Return True when ``value`` is a form-js FEEL string (starts with ``=``)."""
    return isinstance(value, str) and value.startswith("=")


def compile_expression(source: str) -> Expression:
    """Compile a form-js FEEL string such as ``'=registrationType != "family"'``.

    :param source: the expression, with its leading ``=``.
    :return: an :class:`Expression` ready to evaluate many times.
    :raises FeelSyntaxError: if the leading ``=`` is missing, the text is not valid FEEL, or it uses
        FEEL outside the supported subset.
    """
    if not is_expression(source):
        raise FeelSyntaxError("biểu thức FEEL phải bắt đầu bằng '='")
    python = _Parser(_tokenize(source[1:])).parse()
    return Expression(source=source, python=python, _node=SimpleEval.parse(python))


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise FeelSyntaxError(f"ký tự không hợp lệ ở vị trí {position + 1}: {text[position:][:10]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Recursive-descent parser emitting Python source (every operation parenthesised)."""

    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens = tokens
        self.position = 0

    def parse(self) -> str:
        if not self.tokens:
            raise FeelSyntaxError("biểu thức rỗng")
        result = self._disjunction()
        if self.position != len(self.tokens):
            raise FeelSyntaxError(f"không hỗ trợ cú pháp từ {self.tokens[self.position][1]!r}")
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise FeelSyntaxError("biểu thức kết thúc đột ngột")
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise FeelSyntaxError(f"cần {expected!r} nhưng gặp {token[1]!r}")
        self.position += 1
        return token

    def _chain(self, word: str, operand: Callable[[], str], helper: str) -> str:
        parts = [operand()]
        while self._peek() == word:
            self._take()
            parts.append(operand())
        return parts[0] if len(parts) == 1 else f"{helper}({', '.join(parts)})"

    def _disjunction(self) -> str:
        return self._chain("or", self._conjunction, "_or")

    def _conjunction(self) -> str:
        return self._chain("and", self._comparison, "_and")

    def _comparison(self) -> str:
        left = self._additive()
        if self._peek() in _COMPARISONS:
            operator = _COMPARISONS[self._take()[1]]
            left = f"({left} {operator} {self._additive()})"
            if self._peek() in _COMPARISONS:
                raise FeelSyntaxError("không được nối liền hai phép so sánh")
        return left

    def _binary(self, operators: tuple[str, ...], operand: Callable[[], str]) -> str:
        result = operand()
        while self._peek() in operators:
            operator = self._take()[1]
            result = f"({result} {operator} {operand()})"
        return result

    def _additive(self) -> str:
        return self._binary(("+", "-"), self._multiplicative)

    def _multiplicative(self) -> str:
        return self._binary(("*", "/"), self._unary)

    def _unary(self) -> str:
        if self._peek() == "-":
            self._take()
            return f"(-{self._unary()})"
        return self._primary()

    def _primary(self) -> str:
        kind, text = self._take()
        if kind == "number":
            return repr(float(text)) if "." in text else repr(int(text))
        if kind == "string":
            return repr(_unescape(text[1:-1]))
        if text == "(":
            inner = self._disjunction()
            self._take(")")
            return f"({inner})"
        if kind == "name":
            return self._name(text)
        raise FeelSyntaxError(f"không mong đợi {text!r}")

    def _name(self, word: str) -> str:
        if word in _LITERALS:
            return _LITERALS[word]
        if word == "not":
            self._take("(")
            inner = self._disjunction()
            self._take(")")
            return f"_not({inner})"
        if word in _UNSUPPORTED_WORDS or word in ("and", "or"):
            raise FeelSyntaxError(f"không hỗ trợ từ khoá FEEL {word!r}")
        path = [word]
        while self._peek() == ".":
            self._take()
            kind, text = self._take()
            if kind != "name":
                raise FeelSyntaxError(f"tên không hợp lệ sau '.': {text!r}")
            path.append(text)
        if self._peek() == "(":
            raise FeelSyntaxError(f"không hỗ trợ gọi hàm {'.'.join(path)}()")
        return f"_var({'.'.join(path)!r})"


def _unescape(body: str) -> str:
    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code.startswith("u"):
            if not re.fullmatch(r"u[0-9a-fA-F]{4}", code):
                raise FeelSyntaxError(f"mã thoát không hợp lệ: \\{code}")
            return chr(int(code[1:], 16))
        if code not in _ESCAPES:
            raise FeelSyntaxError(f"mã thoát không hợp lệ: \\{code}")
        return _ESCAPES[code]

    return re.sub(r"\\(u.{0,4}|.)", replace, body)
