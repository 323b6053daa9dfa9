"""The procedure linter: every check ``flask procedures check`` and ``flask procedures deploy`` run.

One finding per problem, ``path:line: element-id: severity: message``; errors refuse a deploy, warnings
do not. The rules (ids in :data:`RULES`) come from what SpiffWorkflow 3.2.0 really does with a Camunda 7
file (shared/spec/spiffworkflow.md §1.2, §6 and "Forbid or lint at deploy time"): everything a file can
get wrong that would otherwise only fail when a citizen's dossier reaches it.

Shape of use::

    sources = [Source.read(path, shown_as) for …]
    library = collect_library(sources + extra_sources, topics=registered_topics())
    findings = lint(sources, library)      # sorted by path and line
"""
import json
from collections.abc import Iterable, Sequence

from . import workflow
from .calls import is_library
from .findings import ERROR, WARNING, Finding, Library, Report, Source
from .lint_bpmn import check_bpmn
from .lint_budgets import BUDGET_RULES
from .lint_dmn import check_dmn, decision_id
from .lint_forms import check_forms
from .lint_time_limits import TIME_LIMIT_RULES

KINDS = (".bpmn", ".dmn", ".form")

#: rule id → what it catches (severity in brackets). ``flask procedures check --help`` lists these.
RULES = {
    "xml-syntax": "file is not well-formed XML [error]",
    "camunda8": "Camunda 8 / Zeebe model [error]",
    "activiti-namespace": "legacy http://activiti.org/bpmn extensions, read as camunda: [warning]",
    "executable-process": "a BPMN file must hold exactly one procedure process (called ones: callable_only=true), "
                          "or only callable-only processes [error]",
    "process-not-executable": 'isExecutable="false" process, skipped [warning]',
    "catalogue": "catalogue properties deploy needs on the process [error]",
    "flow-reference": "sequence flow or gateway default pointing at a missing element [error]",
    "expression-syntax": "expression outside the supported JUEL subset, or a script language [error]",
    "expression-function": "call to a function that is not an engine helper, or a method call [error]",
    "gateway-no-default": "gateway with conditional flows and no default flow [error]",
    "gateway-flow-without-condition": "non-default gateway flow without a condition [error]",
    "gateway-overlap": "exclusive gateway conditions that overlap (layout decides) [warning]",
    "timer-invalid": "timer that is neither an ISO-8601 literal of its kind nor a ${…} expression [error]",
    "timer-without-offset": "date literal without a timezone offset [error]",
    "form-ref-unknown": "camunda:formRef to a form id not in the run [error]",
    "form-ref-binding": "formRefBinding not latest/deployment/version, or version without formRefVersion [error]",
    "form-key-missing": "camunda-forms:deployment:/app: formKey to a .form file not in the run [error]",
    "form-key-unsupported": "formKey other than camunda-forms:…, e.g. embedded:/app: HTML (not rendered) [warning]",
    "form-ambiguous": "both formRef and a camunda-forms: formKey on one element (formRef is shown) [warning]",
    "form-data-field-id": "camunda:formField id that is not an identifier, is reserved or is repeated [error]",
    "form-data-field": "formField type, constraint, enum value or defaultValue a generated form cannot use [error]",
    "form-data-properties": "camunda:properties on a formField, ignored [warning]",
    "form-json": "form file is not valid JSON [error]",
    "form-schema": "form breaks the form-js schema or uses an unsupported feature [error]",
    "form-reserved-name": "form key or path named typename (breaks Spiff persistence) [error]",
    "form-duplicate-id": "two forms in the run share an id [error]",
    "service-task": "service task that is not an external task with a registered topic [error]",
    "script-task": "script task (scripts are untrusted) [error]",
    "unsupported-construct": "construct the engine does not run (named in the message) [error]",
    "listener-ignored": "execution/task listener, ignored by the engine [warning]",
    "io-mapping-ignored": "camunda:inputOutput, ignored (data is shared) [warning]",
    "call-activity": "call activity naming no callable process, an expression, a cycle, an unsupported binding or a "
                     "bad in/out mapping [error]; without camunda:in (nothing passed) [warning]",
    "business-rule-task": "business rule task without a decision found in the run's .dmn files [error]",
    "multi-instance": "multi-instance user task without one of cardinality/collection, or collection not a "
                      "variable name [error]; without element variable [warning]",
    "message-reference": "message event or receive task without a named global message [error]",
    "dmn-expression": "DMN cell outside the supported FEEL subset, hit policy or aggregation not run [error]",
    "dmn-invalid": "DMN file the engine cannot read [error]",
    "engine-refused": "SpiffWorkflow refused the diagram while building it [error]",
    "file-type": "path is not a .bpmn, .dmn or .form file [error]",
    **TIME_LIMIT_RULES,
    **BUDGET_RULES,
}


def expression_functions() -> frozenset[str]:
    """Names designers' expressions may call: the helpers of the script engine workflows run with."""
    return workflow.expression_helper_names()


def collect_library(sources: Iterable[Source], *, topics: Iterable[str],
                    functions: Iterable[str] | None = None) -> Library:
    """Index forms (by ``id`` and file name) and readable DMN decisions among ``sources``.

    A form whose JSON is broken is still indexed by file name; its own findings say what is wrong.
    """
    sources = list(sources)
    forms = [s for s in sources if s.kind == ".form"]
    dmn = [(s, decision_id(s)) for s in sources if s.kind == ".dmn"]
    return Library(
        form_ids=frozenset(filter(None, (_form_id(s) for s in forms))),
        form_files=frozenset(s.name for s in forms),
        decisions=frozenset(d for _, d in dmn if d), dmn=tuple(s for s, d in dmn if d),
        topics=frozenset(topics), functions=frozenset(expression_functions() if functions is None else functions),
        callables=tuple(s for s in sources if s.kind == ".bpmn" and is_library(s)))


def _form_id(source: Source) -> str | None:
    try:
        document = json.loads(source.data)
    except ValueError:
        return None
    return document.get("id") if isinstance(document, dict) and isinstance(document.get("id"), str) else None


def lint(sources: Sequence[Source], library: Library) -> list[Finding]:
    """Check every source against ``library``; return all findings sorted by path, line and rule."""
    findings = check_forms([s for s in sources if s.kind == ".form"])
    for source in sources:
        if source.kind == ".bpmn":
            findings += check_bpmn(source, library)
        elif source.kind == ".dmn":
            findings += check_dmn(source, library.functions)
        elif source.kind != ".form":
            findings.append(Finding(source.path, None, None, ERROR, "file-type",
                                    f"not a .bpmn, .dmn or .form file; give one of {', '.join(KINDS)}"))
    return sorted(findings, key=lambda f: (f.path, f.line or 0, f.rule))


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that refuse a deploy."""
    return [f for f in findings if f.severity == ERROR]


__all__ = ["ERROR", "KINDS", "RULES", "WARNING", "Finding", "Library", "Report", "Source", "collect_library",
           "errors", "expression_functions", "lint"]
