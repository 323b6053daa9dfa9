"""BPMN expressions: Camunda's JUEL dialect is accepted, anything that reaches Python internals is refused."""
import pytest

from app.engine.errors import ExpressionError
from app.engine.expressions import ExpressionEvaluator, translate

EVAL = ExpressionEvaluator({"double": lambda x: 2 * x})


@pytest.mark.parametrize(("expression", "data", "expected"), [
    ('${reception_outcome == "supplement"}', {"reception_outcome": "supplement"}, True),
    ("${a && !b}", {"a": True, "b": False}, True),
    ("${a || b}", {"a": False, "b": False}, False),
    ('${x eq "a && b" or empty y}', {"x": "a && b", "y": "z"}, True),
    ("${empty missing_items}", {"missing_items": ""}, True),
    ("${not empty missing_items}", {"missing_items": ["x"]}, True),
    ("${amount gt 1000 and amount le 5000}", {"amount": 2000}, True),
    ("${n ne null}", {"n": None}, False),
    ("#{double(n) ge 4}", {"n": 2}, True),
    ("${flag == true}", {"flag": True}, True),
], ids=["eq", "and-not", "or", "juel-words-and-literal", "empty-string", "not-empty-list", "gt-le", "null",
        "helper", "true"])
def test_camunda_dialect_evaluates(expression, data, expected):
    assert EVAL.evaluate(expression, data) is expected


@pytest.mark.parametrize("literal", ["PT5M", "P3D", "R3/PT1H", "2026-12-01T09:00:00+07:00", "P1DT2H"])
def test_bare_iso_timer_literals_are_returned_as_written(literal):
    assert translate(literal) is None
    assert EVAL.evaluate(literal, {}) == literal


@pytest.mark.parametrize("attack", [
    '__import__("os").system("true")', "().__class__.__bases__", '"{0.__class__}".format(1)',
    'open("/etc/hostname").read()', "${a.__class__}", "[c for c in ().__class__.__mro__]",
])
def test_attacks_are_refused(attack):
    with pytest.raises(ExpressionError):
        EVAL.evaluate(attack, {"a": 1})


def test_unknown_variable_is_named():
    with pytest.raises(ExpressionError, match="aproved"):
        EVAL.evaluate("${aproved}", {"approved": True})


def test_syntax_check_at_deploy_time_refuses_broken_expressions():
    with pytest.raises(ExpressionError, match="does not parse"):
        EVAL.check_syntax("${a == }")
    with pytest.raises(ExpressionError, match="forbidden"):
        EVAL.check_syntax("${x.__class__}")
    EVAL.check_syntax('${reception_outcome == "refuse"}')
