"""Moving a running dossier's workflow onto another version of its process (SpiffWorkflow 3.2.0 ``diff_workflow`` /
``migrate_workflow``, spiffworkflow.md §4.2). Plain dataclasses out; no Spiff object leaves this module.

What Spiff does and what is added here:

* ``diff_workflow`` aligns the old and new task specs by BPMN id (then by position for renamed ids);
  ``migrate_workflow`` points every aligned task at its new spec and resets the READY and WAITING ones (a ready
  user task keeps its id; a waiting timer computes its due time again — ``${dossier_due_at}`` gives the same
  time, a duration such as ``PT2H`` counts again from the migration).
* A task whose spec the new version removed cannot be moved: the instance JSON would name a spec the new
  version lacks and could not be loaded. :func:`migration_blockers` names them, waiting ones and passed ones
  alike, and :func:`migrate` refuses them (architecture.md: refused when a dossier waits at a removed task).
* Spiff leaves the predicted part of the tree below a STARTED task (e.g. an embedded subprocess) as the old
  version drew it, so a step added after the subprocess would be skipped: that part is predicted again from the
  new specs (:func:`_predict_again`).

Shape of use::

    target = MigrationTarget(new_version.spec_json)
    blockers = migration_blockers(workflow, target)      # [] → it can move
    state_json = migrate(workflow, target)               # then restore it on the new version and save
"""
from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from .errors import EngineError
from .serializer import SERIALIZER, dump_instance, load_spec
from .workflow import DossierWorkflow

#: Tasks that are where the dossier stands.
_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
#: Tasks not reached yet (the predicted part of the tree).
_AHEAD = TaskState.FUTURE | TaskState.PREDICTED_MASK


@dataclass(frozen=True)
class ElementChange:
    """One BPMN element that differs between two versions.

    :ivar kind: the engine's class for it (``UserTask``, ``ExclusiveGateway``, ``BoundaryEvent``, …).
    :ivar attributes: for a changed element, the spec attributes that differ (``bpmn_name``, ``extensions``,
        ``outputs`` …).
    """

    bpmn_id: str
    name: str
    kind: str
    attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcessChanges:
    """What a newer version adds, removes and changes, subprocesses included (sorted by BPMN id)."""

    added: list[ElementChange]
    removed: list[ElementChange]
    changed: list[ElementChange]


@dataclass(frozen=True)
class MigrationBlocker:
    """Why a workflow cannot move: ``reason`` is ``waiting`` (it stands at a removed element), ``passed`` (its
    history holds one) or ``subprocess`` (a running subprocess the new version no longer has)."""

    bpmn_id: str
    name: str
    reason: str


class MigrationRefused(EngineError):
    """The workflow cannot move to the target version; ``blockers`` says why (nothing was changed)."""

    def __init__(self, blockers: list[MigrationBlocker]):
        super().__init__("; ".join(f"{b.reason}: {b.bpmn_id}" for b in blockers))
        self.blockers = blockers


class MigrationTarget:
    """The process version to move to, loaded once for any number of workflows."""

    def __init__(self, spec_json: str):
        self.spec, self.subprocess_specs = load_spec(spec_json)


def compare_specs(old_spec_json: str, new_spec_json: str) -> ProcessChanges:
    """What changes from one version's process (and its subprocesses) to another's."""
    old, old_subs = load_spec(old_spec_json)
    new, new_subs = load_spec(new_spec_json)
    diffs = [SpecDiff(SERIALIZER.registry, old, new)]
    diffs += [SpecDiff(SERIALIZER.registry, old_subs[name], new_subs[name]) for name in old_subs if name in new_subs]
    added = [s for d in diffs for s in d.added]
    added += [s for name in new_subs if name not in old_subs for s in new_subs[name].task_specs.values()]
    removed = [s for d in diffs for s in d.removed]
    removed += [s for name in old_subs if name not in new_subs for s in old_subs[name].task_specs.values()]
    changed = [_change(s, tuple(attrs)) for d in diffs for s, attrs in d.changed.items()]
    return ProcessChanges(_elements(map(_change, added)), _elements(map(_change, removed)), _elements(changed))


def migration_blockers(workflow: DossierWorkflow, target: MigrationTarget) -> list[MigrationBlocker]:
    """Why ``workflow`` cannot move to ``target`` (empty: it can). The workflow is not changed."""
    return _blockers(workflow._wf, *_diff(workflow._wf, target))


def migrate(workflow: DossierWorkflow, target: MigrationTarget) -> str:
    """Move ``workflow`` onto ``target`` and return its instance JSON, to be restored on the target version.

    ``workflow`` is changed in place: use only the returned JSON afterwards (restore it with the target
    version's spec, run engine steps under the request's clock, save).

    :raises MigrationRefused: a blocker (see :func:`migration_blockers`), or a part of the tree that could not
        be brought onto the target; ``workflow`` is then unchanged, or must be thrown away.
    """
    wf = workflow._wf
    top, subprocess_diffs = _diff(wf, target)
    blockers = _blockers(wf, top, subprocess_diffs)
    if blockers:
        raise MigrationRefused(blockers)
    migrate_workflow(top, wf, target.spec)
    for sp_id, sp_diff in subprocess_diffs.items():
        sub = wf.subprocesses[sp_id]
        migrate_workflow(sp_diff, sub, target.subprocess_specs[sub.spec.name])
    wf.subprocess_specs = target.subprocess_specs
    for flow in (wf, *wf.subprocesses.values()):
        _predict_again(flow)
    stale = _stale(wf, target)
    if stale:
        raise MigrationRefused([_blocker(task, "waiting" if task.has_state(_ACTIVE) else "passed") for task in stale])
    return dump_instance(wf)


def _diff(wf, target: MigrationTarget):
    try:
        return diff_workflow(SERIALIZER.registry, wf, target.spec, target.subprocess_specs)
    except (KeyError, AttributeError) as exc:  # a spec the alignment never reached
        raise EngineError(f"the two versions cannot be compared by the engine: {exc!r}") from exc


def _blockers(wf, top, subprocess_diffs) -> list[MigrationBlocker]:
    diffs = [top, *(d for d in subprocess_diffs.values() if d is not None)]
    found = [_blocker(task, "waiting" if task.has_state(_ACTIVE) else "passed")
             for diff in diffs for task in diff.removed if not task.has_state(_AHEAD)]
    for sp_id, sp_diff in subprocess_diffs.items():
        if sp_diff is None:
            found.append(_blocker(wf.get_task_from_id(sp_id), "subprocess"))
    unique = {(b.bpmn_id, b.reason): b for b in found if b.bpmn_id}
    return sorted(unique.values(), key=lambda b: (b.reason != "waiting", b.bpmn_id))


def _predict_again(flow) -> None:
    """Predict again, from the new specs, the part of the tree below each STARTED task whose prediction does not
    follow the new specs' flows (Spiff's migration only resets READY and WAITING tasks)."""
    for task in list(flow.get_tasks(state=TaskState.STARTED, skip_subprocesses=True)):
        if isinstance(task.task_spec, LoopTask) or task.id not in flow.tasks or _follows_specs(task):
            continue
        for child in [c for c in task.children if c.has_state(_AHEAD)]:
            flow._remove_task(child.id)
        present = {c.task_spec for c in task.children}
        for spec in task.task_spec.outputs:
            if spec not in present:
                child = task._add_child(spec, TaskState.FUTURE)
                child.task_spec._predict(child, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)


def _follows_specs(task) -> bool:
    """Whether every task ahead below ``task`` has the children its spec's outputs say."""
    ahead = [c for c in task.children if c.has_state(_AHEAD)]
    if ahead and {c.task_spec for c in task.children} != set(task.task_spec.outputs):
        return False
    return all(_follows_specs(child) for child in ahead if not isinstance(child.task_spec, LoopTask)
               and child.children)


def _stale(wf, target: MigrationTarget) -> list:
    """Tasks still pointing at a spec of the old version."""
    stale = [t for t in wf.tasks.values() if target.spec.task_specs.get(t.task_spec.name) is not t.task_spec]
    for sub in wf.subprocesses.values():
        specs = target.subprocess_specs[sub.spec.name].task_specs
        stale += [t for t in sub.tasks.values() if specs.get(t.task_spec.name) is not t.task_spec]
    return stale


def _blocker(task, reason: str) -> MigrationBlocker:
    spec = task.task_spec
    bpmn_id = getattr(spec, "bpmn_id", None) or ""
    return MigrationBlocker(bpmn_id, getattr(spec, "bpmn_name", None) or bpmn_id, reason)


def _change(spec, attributes: tuple[str, ...] = ()) -> ElementChange | None:
    bpmn_id = getattr(spec, "bpmn_id", None)
    if not bpmn_id:  # the engine's own joins and splits, not drawn by the designer
        return None
    return ElementChange(bpmn_id, getattr(spec, "bpmn_name", None) or bpmn_id, type(spec).__name__, attributes)


def _elements(changes) -> list[ElementChange]:
    return sorted({c.bpmn_id: c for c in changes if c is not None}.values(), key=lambda c: c.bpmn_id)
