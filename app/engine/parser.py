"""Camunda 7 parser that keeps what the stock SpiffWorkflow ``CamundaParser`` silently drops.

Stock 3.2.0 loses ``assignee``, ``candidateUsers``, ``candidateGroups``, ``dueDate``, ``followUpDate``,
``priority``, ``formRef``/``formRefBinding`` and every serviceTask attribute (spiffworkflow.md §1.1).
These subclasses copy them into ``task_spec.extensions``, which the stock serializer already persists.
"""
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser, UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask

_C = "{%s}" % CAMUNDA_MODEL_NS
USER_TASK_ATTRIBUTES = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate", "priority",
                        "formKey", "formRef", "formRefBinding", "formRefVersion")
SERVICE_TASK_ATTRIBUTES = ("type", "topic", "class", "expression", "delegateExpression", "resultVariable")


def _copy_camunda_attributes(node, names, extensions: dict) -> dict:
    extensions.update({name: node.get(_C + name) for name in names if node.get(_C + name)})
    return extensions


class GovUserTaskParser(UserTaskParser):
    """User task parser that also keeps assignment, due date, priority and form reference attributes."""

    def parse_extensions(self, node=None):
        return _copy_camunda_attributes(self.node, USER_TASK_ATTRIBUTES, super().parse_extensions(node))


class GovServiceTaskParser(CamundaTaskParser):
    """Service task parser that keeps ``camunda:type``/``topic`` (external tasks) and properties."""

    def parse_extensions(self, node=None):
        return _copy_camunda_attributes(self.node, SERVICE_TASK_ATTRIBUTES, super().parse_extensions(node))


class GovCamundaParser(CamundaParser):
    """The parser every deploy uses."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (GovUserTaskParser, UserTask),
        full_tag("serviceTask"): (GovServiceTaskParser, ServiceTask),
    }
