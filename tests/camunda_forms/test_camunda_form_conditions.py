"""The FEEL subset: what it evaluates, with FEEL's null semantics, and what it refuses."""

import pytest

from app.camunda_forms import FeelSyntaxError, compile_expression

DATA = {"kind": "family", "count": 3, "ok": True, "no": False, "rate": 1.5,
        "applicant": {"name": "Hoa", "age": 30}}


@pytest.mark.parametrize(("source", "expected"), [
    ('=kind = "family"', True),
    ('=kind != "family"', False),
    ("=count > 2", True),
    ("=count >= 4", False),
    ("=count < 3.5", True),
    ("=count <= 2", False),
    ("=ok = true", True),
    ("=no != true", True),
    ("=missing != true", True),
    ("=missing = null", True),
    ("=count = null", False),
    ("=applicant.age > 18 and applicant.name = \"Hoa\"", True),
    ("=applicant.unknown.deeper = null", True),
    ("=no or count = 3", True),
    ("=not(ok)", False),
    ("=not(missing)", None),
    ("=count + 2 * 3", 9),
    ("=(count + 2) * 3", 15),
    ("=-count + 1", -2),
    ("=count / 2", 1.5),
    ("=count / 0", None),
    ("=rate * 2 = 3", True),
    ('="Sơn " + "La"', "Sơn La"),
    ('="a\\"b"', 'a"b'),
    ('="\\u0041"', "A"),
    ("=count > \"2\"", None),
    ("=count = \"3\"", False),
    ("=ok = 1", False),
    ("=missing > 1", None),
    ("=missing and ok", None),
    ("=missing and no", False),
    ("=missing or ok", True),
    ("=1 + true", None),
])
def test_evaluates_with_feel_semantics(source, expected):
    assert compile_expression(source).evaluate(DATA) == expected


def test_only_true_hides():
    assert compile_expression("=ok").is_true(DATA)
    assert not compile_expression("=count").is_true(DATA)
    assert not compile_expression("=missing > 1").is_true(DATA)


def test_scopes_are_searched_in_order():
    expression = compile_expression("=name")
    assert expression.evaluate({"name": "row"}, {"name": "root"}) == "row"
    assert expression.evaluate({}, {"name": "root"}) == "root"


@pytest.mark.parametrize("source", [
    "count > 1",
    "=",
    "=count >",
    "=count > 1 > 0",
    "=count in [1, 2]",
    "=if ok then 1 else 2",
    "=sum(count)",
    "=applicant.name()",
    "=__import__('os')",
    "=count; 1",
    '="unterminated',
    '="bad \\q escape"',
    "=count ** 2",
    "=(count",
])
def test_refuses_anything_outside_the_subset(source):
    with pytest.raises(FeelSyntaxError):
        compile_expression(source)


def test_attribute_names_reach_only_mapping_keys():
    expression = compile_expression("=applicant.__class__")
    assert expression.evaluate(DATA) is None
    assert "_var('applicant.__class__')" in expression.python


def test_data_the_evaluator_refuses_gives_null_instead_of_an_error():
    assert compile_expression("=module = null").evaluate({"module": pytest}) is None
    assert not compile_expression("=module != null").is_true({"module": pytest})
