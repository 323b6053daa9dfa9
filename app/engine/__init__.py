"""The BPMN engine wrapper: the only package that imports SpiffWorkflow.

Everything it hands out is a plain dataclass or JSON-ready dict (see :mod:`.workflow`), so the rest of
the app never touches Spiff objects.
"""
from .clock import frozen_at
from .errors import EngineError, ExpressionError, MessageNotExpectedError, ProcessDefinitionError, TaskNotReadyError
from .migration import (ElementChange, MigrationBlocker, MigrationRefused, MigrationTarget, ProcessChanges,
                        compare_specs, migrate, migration_blockers)
from .specs import ParsedProcess, parse_process
from .workflow import DossierWorkflow, PendingTimer, ServiceTaskCall, UserTask, WaitingMessage

__all__ = [
    "DossierWorkflow", "EngineError", "frozen_at", "ExpressionError", "MessageNotExpectedError", "ParsedProcess",
    "PendingTimer", "ProcessDefinitionError", "ServiceTaskCall", "TaskNotReadyError", "UserTask", "WaitingMessage",
    "parse_process", "ElementChange", "MigrationBlocker", "MigrationRefused", "MigrationTarget", "ProcessChanges",
    "compare_specs", "migrate", "migration_blockers",
]
