"""Reading Camunda Modeler XML (BPMN and DMN) the same way for the linter and for deploy.

* Entities and network access are off (the files come from designers).
* XML comments are dropped: SpiffWorkflow's DMN parser walks child nodes and fails on a comment
  (``'cython_function_or_method' object has no attribute 'endswith'``), so neither file kind keeps them.
  lxml still reports the original line of every element (``sourceline``).
* The legacy Activiti extension namespace, which Camunda 7 still reads, is renamed to the Camunda one
  before parsing, so ``activiti:candidateGroups`` is read as ``camunda:candidateGroups``. The rename
  is done on the bytes of the ``xmlns`` declaration only, which keeps every line number.
"""
import re

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ACTIVITI = "http://activiti.org/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
MODELER = "http://camunda.org/schema/modeler/1.0"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
#: Parts of a shape that may carry their own id but are not what a designer clicks on in the Modeler.
_PARTS = frozenset({"conditionExpression", "timeDate", "timeDuration", "timeCycle", "condition", "loopCardinality",
                    "completionCondition", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics"})
_ACTIVITI_DECLARATION = re.compile(rb"""(xmlns:[\w.-]+\s*=\s*["'])http://activiti\.org/bpmn(["'])""")


def camunda(name: str) -> str:
    """The Clark name of a ``camunda:`` attribute or element, e.g. ``{…}formRef``."""
    return f"{{{CAMUNDA}}}{name}"


def uses_activiti(data: bytes) -> bool:
    """True when the file declares the legacy ``http://activiti.org/bpmn`` extension namespace."""
    return _ACTIVITI_DECLARATION.search(data) is not None


def normalise(data: bytes) -> bytes:
    """Return ``data`` with the Activiti extension namespace declared as the Camunda one (same lines)."""
    return _ACTIVITI_DECLARATION.sub(rb"\g<1>" + CAMUNDA.encode() + rb"\g<2>", data)


def read_xml(data: bytes):
    """Parse normalised, comment-free XML and return its root element.

    :raises lxml.etree.XMLSyntaxError: when the file is not well-formed (``lineno`` and ``msg`` set).
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)
    return etree.fromstring(normalise(data), parser)


def local_name(element) -> str:
    """``userTask`` for ``{BPMN}userTask``."""
    return etree.QName(element).localname


def in_bpmn(element) -> bool:
    """True for elements of the BPMN model namespace."""
    return etree.QName(element).namespace == BPMN


def owner_id(element) -> str | None:
    """The id a designer sees for ``element``: its own, or that of the nearest ancestor that has one.

    Event definitions, timer values, conditions and loop settings get the id of their shape.
    """
    while element is not None:
        local = local_name(element)
        if local.endswith("EventDefinition") or local in _PARTS or element.get("id") is None:
            element = element.getparent()
            continue
        return element.get("id")
    return None


def line_of_id(root, element_id: str | None) -> int | None:
    """The line of the element whose ``id`` is ``element_id`` (for engine errors that only name an id)."""
    if not element_id:
        return None
    found = root.xpath("//*[@id=$id]", id=element_id)
    return found[0].sourceline if found else None


def properties(element) -> dict[str, str]:
    """``camunda:properties`` of ``element`` as ``{name: value}``."""
    nodes = element.findall("bpmn:extensionElements/camunda:properties/camunda:property", NS)
    return {node.get("name"): node.get("value", "") for node in nodes}


def executable(process) -> bool:
    """SpiffWorkflow's reading of ``isExecutable``: executable unless it says ``false``."""
    return process.get("isExecutable", "true") == "true"
