"""Camunda 7 parser that keeps what the stock SpiffWorkflow ``CamundaParser`` silently drops, and builds the
spec classes of :mod:`.camunda_specs` where Spiff's Camunda flavour runs a construct differently from Camunda 7.

Stock 3.2.0 loses ``assignee``, ``candidateUsers``, ``candidateGroups``, ``dueDate``, ``followUpDate``,
``priority``, ``formRef``/``formRefBinding`` and every serviceTask attribute (spiffworkflow.md §1.1).
These subclasses copy them into ``task_spec.extensions``, which the stock serializer already persists.

Beyond that:

* multi-instance user tasks read ``camunda:collection`` as a variable name or ``${name}`` (Spiff reads only the
  bare name) and get Camunda 7 variable scoping;
* message catch events (start, intermediate, boundary, receive task) set the message's variables as process
  variables;
* business rule tasks keep ``camunda:resultVariable``/``mapDecisionResult`` and store the result as Camunda does;
* DMN input cells written in FEEL (``"a","b"``, ``[1..5]``, ``< 10``, ``not(…)``) are translated for the engine
  (:mod:`.feel`).
"""
import re

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import ReceiveTaskParser
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, ReceiveTask, ServiceTask, StartEvent
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (CamundaBoundaryEventParser, CamundaEventDefinitionParser,
                                                        CamundaIntermediateCatchEventParser,
                                                        CamundaStartEventParser)
from SpiffWorkflow.camunda.parser.task_spec import (CAMUNDA_MODEL_NS, BusinessRuleTaskParser, CallActivityParser,
                                                    CamundaTaskParser, UserTaskParser)
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser
from SpiffWorkflow.dmn.specs.model import InputEntry

from .camunda_specs import (CamundaBusinessRuleTask, CamundaCallActivity, CamundaMessageEventDefinition, CamundaParallelMultiInstanceTask,
                            CamundaSequentialMultiInstanceTask)
from .feel import unary_test
from .timer_start import is_process_timer_start

_C = "{%s}" % CAMUNDA_MODEL_NS
USER_TASK_ATTRIBUTES = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate", "priority",
                        "formKey", "formRef", "formRefBinding", "formRefVersion")
SERVICE_TASK_ATTRIBUTES = ("type", "topic", "class", "expression", "delegateExpression", "resultVariable")
CALL_ACTIVITY_ATTRIBUTES = ("calledElementBinding", "calledElementVersion")
#: attributes of ``camunda:in``/``camunda:out`` the engine runs (``local`` and ``businessKey`` are not read).
MAPPING_ATTRIBUTES = ("source", "sourceExpression", "target", "variables")
BUSINESS_RULE_TASK_ATTRIBUTES = ("decisionRef", "resultVariable", "mapDecisionResult")
#: ``camunda:collection`` the engine reads: a variable name, bare or as ``${name}``.
COLLECTION = re.compile(r"^\s*(?:[$#]\{\s*(?P<wrapped>[A-Za-z_]\w*)\s*\}|(?P<bare>[A-Za-z_]\w*))\s*$")


def _copy_camunda_attributes(node, names, extensions: dict) -> dict:
    extensions.update({name: node.get(_C + name) for name in names if node.get(_C + name)})
    return extensions


class GovUserTaskParser(UserTaskParser):
    """User task parser that also keeps assignment, due date, priority and form reference attributes, and builds
    multi-instance user tasks with Camunda 7 variable scoping."""

    def parse_extensions(self, node=None):
        return _copy_camunda_attributes(self.node, USER_TASK_ATTRIBUTES, super().parse_extensions(node))

    def _add_multiinstance_task(self, loop_characteristics):
        prefix = "bpmn:multiInstanceLoopCharacteristics"
        cardinality = self.xpath(f"./{prefix}/bpmn:loopCardinality")
        cardinality = cardinality[0].text if cardinality else None
        collection = self.attribute("collection", "camunda", loop_characteristics)
        element = self.attribute("elementVariable", "camunda", loop_characteristics)
        loop_input = self.xpath(f"./{prefix}/bpmn:loopDataInputRef")
        if collection is None and loop_input:  # the BPMN spelling Camunda 7 also reads
            collection = (loop_input[0].text or "").strip()
            item = self.xpath(f"./{prefix}/bpmn:inputDataItem")
            element = element or (item[0].get("name") or item[0].get("id") if item else None)
        if collection is not None:
            match = COLLECTION.match(collection)
            if match is None:
                self.raise_validation_exception(f"camunda:collection {collection!r} must name a variable "
                                                "(reviewers or ${reviewers})")
            collection = match["wrapped"] or match["bare"]
        if (cardinality is None) == (collection is None):
            self.raise_validation_exception("a multi-instance task needs exactly one of a loop cardinality and a "
                                            "camunda:collection")
        condition = self.xpath(f"./{prefix}/bpmn:completionCondition")
        sequential = loop_characteristics.get("isSequential") == "true"
        original = self.spec.task_specs.pop(self.task.name)
        spec_class = CamundaSequentialMultiInstanceTask if sequential else CamundaParallelMultiInstanceTask
        self.task = spec_class(
            self.spec, original.name, task_spec="", cardinality=cardinality,
            data_input=TaskDataReference(collection) if collection else None,
            input_item=TaskDataReference(element) if collection and element else None,
            condition=condition[0].text if condition else None)
        self._copy_task_attrs(original, loop_characteristics)


class GovServiceTaskParser(CamundaTaskParser):
    """Service task parser that keeps ``camunda:type``/``topic`` (external tasks) and properties."""

    def parse_extensions(self, node=None):
        return _copy_camunda_attributes(self.node, SERVICE_TASK_ATTRIBUTES, super().parse_extensions(node))


class GovBusinessRuleTaskParser(BusinessRuleTaskParser):
    """Business rule task parser that keeps ``decisionRef``/``resultVariable``/``mapDecisionResult``."""

    def create_task(self):
        decision_ref = self.get_decision_ref(self.node)
        return CamundaBusinessRuleTask(self.spec, self.bpmn_id,
                                       dmnEngine=self.process_parser.parser.get_engine(decision_ref, self.node),
                                       **self.bpmn_attributes)

    def parse_extensions(self, node=None):
        return _copy_camunda_attributes(self.node, BUSINESS_RULE_TASK_ATTRIBUTES, super().parse_extensions(node))


class GovCallActivityParser(CallActivityParser):
    """Call activity parser keeping ``camunda:in``/``camunda:out`` mappings (list of dicts under ``extensions``
    keys ``in`` and ``out``) and the binding attributes; builds :class:`.CamundaCallActivity`."""

    def parse_extensions(self, node=None):
        extensions = _copy_camunda_attributes(self.node, CALL_ACTIVITY_ATTRIBUTES, super().parse_extensions(node))
        for kind in ("in", "out"):
            mappings = [{name: m.get(name) for name in MAPPING_ATTRIBUTES if m.get(name) is not None}
                        for m in self.xpath(f"./bpmn:extensionElements/camunda:{kind}")
                        if m.get("businessKey") is None]
            extensions[kind] = mappings
        return extensions


class _CamundaMessages(CamundaEventDefinitionParser):
    """Message event definitions whose variables become process variables (Camunda 7 correlation)."""

    def parse_message_event(self, message_event):
        parsed = super().parse_message_event(message_event)
        return CamundaMessageEventDefinition(parsed.name, parsed.correlation_properties, parsed.expression,
                                             parsed.result_var)


class GovStartEventParser(_CamundaMessages, CamundaStartEventParser):
    """Start events; a timer start on the process runs as a plain start: the app's scheduler starts the instance
    when the timer is due (:mod:`.timer_start`), so the engine must not wait for the timer again."""

    def create_task(self):
        if is_process_timer_start(self.node):
            task = self._create_task(NoneEventDefinition())
            self.spec.start.connect(task)
            return task
        return super().create_task()


class GovIntermediateCatchEventParser(_CamundaMessages, CamundaIntermediateCatchEventParser):
    pass


class GovBoundaryEventParser(_CamundaMessages, CamundaBoundaryEventParser):
    pass


class GovReceiveTaskParser(_CamundaMessages, ReceiveTaskParser):
    pass


class GovDMNParser(DMNParser):
    """DMN parser translating FEEL input cells into engine expressions (:func:`.feel.unary_test`)."""

    def _parse_input_output_element(self, decision_table, element, cls, idx):
        entry = super()._parse_input_output_element(decision_table, element, cls, idx)
        if cls == InputEntry:
            entry.lhs = [unary_test(entry.text)]
        return entry


class GovCamundaParser(CamundaParser):
    """The parser every deploy uses."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (GovUserTaskParser, UserTask),
        full_tag("serviceTask"): (GovServiceTaskParser, ServiceTask),
        full_tag("businessRuleTask"): (GovBusinessRuleTaskParser, CamundaBusinessRuleTask),
        full_tag("startEvent"): (GovStartEventParser, StartEvent),
        full_tag("intermediateCatchEvent"): (GovIntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("boundaryEvent"): (GovBoundaryEventParser, BoundaryEvent),
        full_tag("receiveTask"): (GovReceiveTaskParser, ReceiveTask),
        full_tag("callActivity"): (GovCallActivityParser, CamundaCallActivity),
    }

    def add_dmn_xml(self, node, filename=None):
        super().add_dmn_xml(node, filename)
        for decision_id, parser in list(self.dmn_parsers.items()):
            if type(parser) is DMNParser:
                gov = GovDMNParser(self, parser.node, parser.nsmap, filename=parser.filename)
                self.dmn_parsers[decision_id] = self.dmn_parsers_by_name[gov.get_name()] = gov
