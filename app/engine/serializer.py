"""Serialization: the process spec once per process version, instance-only JSON per dossier.

Stock ``BpmnWorkflowSerializer`` embeds the whole spec in every instance (16–17 KB instead of 6–8 KB) and
cannot serialize a workflow holding a ServiceTask (no converter registered in ``CAMUNDA_CONFIG``;
spiffworkflow.md §4). Both are fixed here.
"""
import json
from uuid import UUID as UUID_TYPE
from copy import deepcopy

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.task_spec import MultiInstanceTaskConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import (
    MessageEventDefinitionConverter as CamundaMessageEventDefinitionConverter)
from SpiffWorkflow.dmn.serializer.task_spec import BaseBusinessRuleTaskConverter

from SpiffWorkflow.bpmn.serializer.default.task_spec import SubWorkflowConverter

from .camunda_specs import (CamundaBusinessRuleTask, CamundaCallActivity, CamundaMessageEventDefinition, CamundaParallelMultiInstanceTask,
                            CamundaSequentialMultiInstanceTask)
from .errors import EngineError


class InstanceOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Workflow converter that leaves the spec out and takes it back as a keyword argument."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID_TYPE, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID_TYPE(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow




_CONFIG = deepcopy(CAMUNDA_CONFIG)
_CONFIG[ServiceTask] = BpmnTaskSpecConverter
_CONFIG[BpmnWorkflow] = InstanceOnlyWorkflowConverter
# Camunda 7 semantics (:mod:`.camunda_specs`), each under its own class name.
_CONFIG[CamundaParallelMultiInstanceTask] = MultiInstanceTaskConverter
_CONFIG[CamundaSequentialMultiInstanceTask] = MultiInstanceTaskConverter
_CONFIG[CamundaBusinessRuleTask] = BaseBusinessRuleTaskConverter
_CONFIG[CamundaMessageEventDefinition] = CamundaMessageEventDefinitionConverter
_CONFIG[CamundaCallActivity] = SubWorkflowConverter
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))
SERIALIZER_VERSION = SERIALIZER.VERSION


def dump_spec(spec, subprocess_specs: dict) -> str:
    """Serialize a parsed process (top spec and its subprocess specs) to one JSON string."""
    registry = SERIALIZER.registry
    return json.dumps({"spec": registry.convert(spec),
                       "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()}})


def load_spec(spec_json: str):
    """Inverse of :func:`dump_spec`: returns ``(spec, subprocess_specs)``."""
    registry = SERIALIZER.registry
    dct = json.loads(spec_json)
    return registry.restore(dct["spec"]), {n: registry.restore(s) for n, s in dct["subprocess_specs"].items()}


def dump_instance(workflow) -> str:
    """Serialize the instance state (no spec) of a workflow to JSON."""
    return SERIALIZER.serialize_json(workflow)


def load_instance(state_json: str, spec, subprocess_specs):
    """Rebuild a workflow from :func:`dump_instance` output and its process version's spec.

    :raises EngineError: when the state was written by another serializer version (needs an offline migration).
    """
    dct = json.loads(state_json, cls=SERIALIZER.json_decoder_cls)
    version = dct.pop(SERIALIZER.VERSION_KEY, None)
    if version != SERIALIZER_VERSION:
        raise EngineError(f"workflow state written by serializer {version}, engine reads {SERIALIZER_VERSION}")
    return SERIALIZER.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
