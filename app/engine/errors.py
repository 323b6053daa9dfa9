"""Errors raised by the engine wrapper; none of them carries a Spiff object."""


class EngineError(Exception):
    """A workflow could not advance: bad expression, no gateway path, … The in-memory workflow is then
    unusable and must not be saved (reload the last committed state instead)."""

    def __init__(self, message: str, *, element_id: str | None = None):
        super().__init__(message)
        self.element_id = element_id


class ExpressionError(ValueError):
    """A BPMN expression is not in the supported JUEL/Python subset or tries something forbidden."""


class TaskNotReadyError(EngineError):
    """The user task is not (or no longer) waiting for input: someone else already handled it."""


class MessageNotExpectedError(EngineError):
    """No event of the workflow waits for this message now (Camunda 7: "cannot correlate message")."""


class ProcessDefinitionError(ValueError):
    """A BPMN file was refused at deploy time.

    ``str()`` reads ``file:line: element-id: message`` so a designer can find the element in the Modeler.
    """

    def __init__(self, message: str, *, file: str, element_id: str | None = None, line: int | None = None):
        self.message, self.file, self.element_id, self.line = message, file, element_id, line
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {element_id or '-'}: {message}")
