"""The script engine workflows run with: expressions through simpleeval, scripts refused.

SpiffWorkflow's default engine ``eval``s BPMN text (spiffworkflow.md §5); this one never does.
"""
from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .errors import ExpressionError
from .expressions import ExpressionEvaluator


class _SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff script environment that evaluates through simpleeval and refuses scripts."""

    def __init__(self, evaluator: ExpressionEvaluator):
        super().__init__({})
        self.evaluator = evaluator

    def evaluate(self, expression, context, external_context=None):
        return self.evaluator.evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script, context, external_context=None):
        raise ExpressionError("script tasks are not supported: use an external service task")


def make_script_engine(helpers: Mapping[str, Callable] | None = None) -> PythonScriptEngine:
    """Script engine for designer BPMN: safe expressions with ``helpers`` (name → callable) available."""
    return PythonScriptEngine(environment=_SafeEnvironment(ExpressionEvaluator(helpers)))


_ENGINE = make_script_engine()


def current_engine() -> PythonScriptEngine:
    """The script engine every workflow runs with (it is not serialized: attached after each load)."""
    return _ENGINE


def evaluate(expression: str, data: Mapping[str, Any]) -> Any:
    """Evaluate one BPMN expression with the current helpers. :raises ExpressionError: see ExpressionEvaluator."""
    return _ENGINE.environment.evaluator.evaluate(expression, data)


def expression_helper_names() -> frozenset[str]:
    """Names of the functions BPMN expressions may call (the lint refuses any other)."""
    return frozenset(_ENGINE.environment.evaluator.helpers)


def set_expression_helpers(helpers: Mapping[str, Callable]) -> None:
    """Replace the helpers every workflow's expressions can call (set once at app start)."""
    global _ENGINE
    _ENGINE = make_script_engine(helpers)
