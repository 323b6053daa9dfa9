"""DMN input entries (FEEL simple unary tests) as the expressions the engine evaluates.

Camunda Modeler writes a decision table's input cells in FEEL: ``"online"``, ``"a","b"``, ``< 10``,
``[1..5]``, ``not("x")``, ``-``. SpiffWorkflow evaluates each cell as a Python expression compared with the
input (``input == (cell)``), so ``"a","b"`` silently never matches (a tuple) and ``[1..5]`` fails at run time.
:func:`unary_test` translates the FEEL subset below into an expression over ``?`` (Spiff's placeholder for the
input value), which the safe expression engine then evaluates:

* ``-`` or an empty cell: any value (``None``);
* a comparison ``< x``, ``<= x``, ``> x``, ``>= x``;
* an interval ``[a..b]``, ``]a..b[``, ``(a..b)`` (``]``/``(`` open, ``[``/``]`` closed as FEEL reads them);
* a literal or expression ``x`` (equality);
* several tests separated by commas (any of them), and ``not(tests)``.

Anything else (FEEL functions such as ``date("…")``, ``?`` itself) is refused with :class:`FeelError`, so the
linter can name the cell.
"""
import re

_RANGE = re.compile(r"^(?P<open>[\[\](])\s*(?P<low>.+?)\s*\.\.\s*(?P<high>.+?)\s*(?P<close>[\[\])])$", re.DOTALL)
_COMPARISON = re.compile(r"^(?P<op><=|>=|<|>)\s*(?P<value>.+)$", re.DOTALL)
_NOT = re.compile(r"^not\s*\((?P<inner>.*)\)$", re.DOTALL)


class FeelError(ValueError):
    """A cell outside the FEEL subset the engine runs; the message says what is supported."""


SUBSET = ('"text", numbers, true/false, - (any), < x, <= x, > x, >= x, [a..b] / ]a..b[ intervals, '
          '"a","b" lists and not(…)')


def unary_test(text: str | None) -> str | None:
    """The engine expression (over ``?``) for one FEEL input cell, or ``None`` when it matches any value.

    :raises FeelError: the cell is not in the supported subset.
    """
    text = (text or "").strip()
    if text in ("", "-"):
        return None
    negated = _NOT.match(text)
    if negated:
        inner = unary_test(negated["inner"])
        if inner is None:
            raise FeelError(f"not({negated['inner'].strip()}) matches nothing; write the tests to exclude inside not(…)")
        return f"not ({inner})"
    parts = _split(text)
    if len(parts) > 1:
        return " or ".join(f"({_single(part)})" for part in parts)
    return _single(text)


def _single(text: str) -> str:
    text = text.strip()
    if not text or text == "-":
        raise FeelError(f"empty test in a list of tests; supported: {SUBSET}")
    if "?" in "".join(text.split('"')[0::2]):  # outside string literals
        raise FeelError(f"{text!r}: '?' is not FEEL; write the test itself (e.g. < 10); supported: {SUBSET}")
    interval = _RANGE.match(text)
    if interval:
        low = "<=" if interval["open"] == "[" else "<"
        high = "<=" if interval["close"] == "]" else "<"
        return f"({interval['low']}) {low} ? {high} ({interval['high']})"
    comparison = _COMPARISON.match(text)
    if comparison:
        return f"? {comparison['op']} ({comparison['value'].strip()})"
    return f"? == ({text})"


def _split(text: str) -> list[str]:
    """Split on commas outside string literals, brackets and parentheses."""
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"' and not current.endswith("\\"):
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]":
            depth -= 1
        if char == "," and depth <= 0 and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]
