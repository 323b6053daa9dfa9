"""Call activities: which process of a file is the procedure, which processes it may call, and the call graph.

Design (README, "Call activities"):

* A process is **callable only** when it carries the process property ``callable_only=true``. It is no
  procedure: no catalogue facts, never filed by a citizen, only run by a ``bpmn:callActivity``.
* A BPMN file holds **one procedure** (the executable process without ``callable_only``) and any number of
  callable-only processes (a collaboration drawn in the Modeler, one pool each), or **only** callable-only
  processes: a library file (e.g. ``processes/consult_agency.bpmn``) that procedures of the same deployment call.
* ``calledElement`` is resolved at deploy, in the calling file first, then among the library files of the run.
  The called processes' specs are stored in the calling version's spec (Spiff's ``subprocess_specs``), so a
  running dossier keeps the called process it started with; a changed library file gives each calling procedure
  a new version on the next deploy.
"""
from collections.abc import Iterable
from dataclasses import dataclass

from .bpmn_xml import BPMN, NS, executable, properties, read_xml
from .findings import Source

CALLABLE_ONLY = "callable_only"


def is_callable_only(process) -> bool:
    """True when the ``bpmn:process`` element carries ``callable_only=true``."""
    return properties(process).get(CALLABLE_ONLY, "").strip().lower() == "true"


def executable_processes(root) -> list:
    """The executable ``bpmn:process`` elements of a file, in document order."""
    return [p for p in root.findall("bpmn:process", NS) if executable(p)]


def procedure_processes(root) -> list:
    """The executable processes of a file that are procedures (not callable only)."""
    return [p for p in executable_processes(root) if not is_callable_only(p)]


def procedure_process(root):
    """The file's one procedure process, or None (a library file, or a file the linter refuses)."""
    found = procedure_processes(root)
    return found[0] if len(found) == 1 else None


def is_library(source: Source) -> bool:
    """True for a ``.bpmn`` file whose executable processes are all callable only (and there is at least one)."""
    try:
        root = read_xml(source.data)
    except Exception:  # noqa: BLE001 - a broken file is no library; its own findings say why
        return False
    runnable = executable_processes(root)
    return bool(runnable) and all(is_callable_only(p) for p in runnable)


@dataclass(frozen=True)
class CalledProcess:
    """A process a call activity may name: where it is drawn."""

    process_id: str
    source: Source
    element: object


class CallGraph:
    """Processes callable from one file: its own callable-only processes, then those of the library files.

    A process id drawn both in the file and in a library file is the file's own (the nearest wins).
    """

    def __init__(self, source: Source, root, library_files: Iterable[Source]):
        self.source = source
        self.processes: dict[str, CalledProcess] = {}
        for library in library_files:
            if library.path == source.path:
                continue
            for process in executable_processes(read_xml(library.data)):
                self.processes.setdefault(process.get("id"), CalledProcess(process.get("id"), library, process))
        for process in executable_processes(root):
            self.processes[process.get("id")] = CalledProcess(process.get("id"), source, process)

    def calls(self, process) -> list:
        """The ``bpmn:callActivity`` elements of ``process`` (embedded subprocesses included)."""
        return list(process.iter(f"{{{BPMN}}}callActivity"))

    def resolve(self, call) -> CalledProcess | None:
        """The callable-only process ``call`` names, or None when there is none."""
        found = self.processes.get((call.get("calledElement") or "").strip())
        return found if found is not None and is_callable_only(found.element) else None

    def reachable(self, process) -> list[CalledProcess]:
        """Every callable process ``process`` calls, directly or not, each once (cycles are not followed twice)."""
        seen: dict[str, CalledProcess] = {}
        stack = [process]
        while stack:
            for call in self.calls(stack.pop()):
                target = self.resolve(call)
                if target is not None and target.process_id not in seen:
                    seen[target.process_id] = target
                    stack.append(target.element)
        return list(seen.values())

    def cycle_through(self, call) -> list[str] | None:
        """Process ids of a call cycle ``call`` closes (its own process … back to it), or None."""
        own = _owning_process(call)
        target = self.resolve(call)
        if own is None or target is None:
            return None
        goal = own.get("id")
        parents: dict[str, str | None] = {target.process_id: None}
        queue = [target]
        while queue:
            current = queue.pop(0)
            if current.process_id == goal:
                path = [goal]
                while parents[path[-1]] is not None:
                    path.append(parents[path[-1]])
                return [goal, *reversed(path)]
            for inner in self.calls(current.element):
                found = self.resolve(inner)
                if found is not None and found.process_id not in parents:
                    parents[found.process_id] = current.process_id
                    queue.append(found)
        return None

    def files_needed(self, process) -> tuple[tuple[str, bytes], ...]:
        """``(name, bytes)`` of the library files ``process`` calls into, for the engine's parser."""
        files: dict[str, bytes] = {}
        for target in self.reachable(process):
            if target.source.path != self.source.path:
                files[target.source.path] = target.source.data
        return tuple(files.items())


def _owning_process(element):
    node = element.getparent()
    while node is not None and node.tag != f"{{{BPMN}}}process":
        node = node.getparent()
    return node

