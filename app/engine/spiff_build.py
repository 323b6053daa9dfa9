"""Build the SpiffWorkflow specs of one BPMN file (plus the DMN decisions it may call).

The linter builds them to catch what only the engine notices; deploy builds them again to store the spec.
A tiny cache keyed by the files' bytes makes the second build free.
"""
from functools import lru_cache

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .bpmn_xml import line_of_id, read_xml
from .errors import ProcessDefinitionError
from .parser import GovCamundaParser


def build_specs(bpmn: bytes, file: str, process_id: str, dmn: tuple[tuple[str, bytes], ...] = (),
                called: tuple[tuple[str, bytes], ...] = ()):
    """Return ``(spec, subprocess_specs)`` for ``process_id`` of ``bpmn``; ``subprocess_specs`` holds the specs of
    its embedded subprocesses and of every process its call activities call (in this file or in ``called``).

    Do not mutate the result: it may be shared with an earlier call for the same bytes.

    :param dmn: ``(file name, bytes)`` of the DMN files whose decisions business rule tasks may call.
    :param called: ``(file name, bytes)`` of the library BPMN files holding processes it calls.
    :raises ProcessDefinitionError: naming the element SpiffWorkflow refused, mapped back to its line.
    """
    return _build(bpmn, file, process_id, dmn, called)


@lru_cache(maxsize=16)
def _build(bpmn: bytes, file: str, process_id: str, dmn: tuple[tuple[str, bytes], ...],
           called: tuple[tuple[str, bytes], ...]):
    root = read_xml(bpmn)
    parser = GovCamundaParser()
    try:
        for name, data in dmn:
            parser.add_dmn_xml(read_xml(data), filename=name)
        parser.add_bpmn_xml(root, filename=file)
        for name, data in called:
            parser.add_bpmn_xml(read_xml(data), filename=name)
        return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    except (ValidationException, SpiffWorkflowException) as exc:
        element_id = getattr(exc, "id", None) or None
        message = str(exc).splitlines()[0].strip()
        raise ProcessDefinitionError(message, file=file, element_id=element_id,
                                     line=line_of_id(root, element_id)) from exc
    except (KeyError, AttributeError, TypeError, ValueError, NotImplementedError) as exc:
        raise ProcessDefinitionError(f"the engine cannot build this diagram: {exc!r}", file=file) from exc
