"""What the linter works with: sources (files of a run), the library they may refer to, findings.

A :class:`Report` collects the findings of one file; given an lxml element it takes the element's line
and the id a designer sees in Camunda Modeler (an event definition reports its event).
"""
from dataclasses import asdict, dataclass
from pathlib import Path

from .bpmn_xml import owner_id

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    """One problem in one file. ``line`` and ``element_id`` are None when not known."""

    path: str
    line: int | None
    element_id: str | None
    severity: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self._where()}: {self.element_id or '-'}: {self.severity}: {self.message}"

    @property
    def problem(self) -> str:
        """The deploy refusal line: ``path:line: element-id: message`` (every deploy problem is an error)."""
        return f"{self._where()}: {self.element_id or '-'}: {self.message}"

    def as_dict(self) -> dict:
        """JSON-ready ``{path, line, element_id, severity, rule, message}``."""
        return asdict(self)

    def _where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Source:
    """One file of a run: ``path`` is how findings name it, ``data`` its bytes."""

    path: str
    data: bytes

    @classmethod
    def read(cls, file: Path, shown_as: str | None = None) -> "Source":
        """Read ``file``; findings call it ``shown_as`` (default: the path as given)."""
        return cls(shown_as or str(file), file.read_bytes())

    @property
    def kind(self) -> str:
        """``.bpmn``, ``.dmn``, ``.form`` or another suffix."""
        return Path(self.path).suffix.lower()

    @property
    def name(self) -> str:
        """The file name without folders (what ``camunda-forms:deployment:<file>`` names)."""
        return Path(self.path).name


@dataclass(frozen=True)
class Library:
    """What the BPMN files of a run may refer to: forms, decisions, external-task topics, helpers."""

    form_ids: frozenset[str]
    form_files: frozenset[str]
    decisions: frozenset[str]
    dmn: tuple[Source, ...]
    topics: frozenset[str]
    functions: frozenset[str]
    #: library ``.bpmn`` files of the run: only callable-only processes, which call activities may name.
    callables: tuple[Source, ...] = ()


class Report:
    """Collects the findings of one file; elements give their own line and designer-visible id."""

    def __init__(self, path: str):
        self.path = path
        self.findings: list[Finding] = []

    def add(self, severity: str, rule: str, message: str, *, element=None, element_id: str | None = None,
            line: int | None = None) -> None:
        """Record a finding; ``element`` (an lxml element) supplies line and id unless given."""
        if element is not None:
            line = line or element.sourceline
            element_id = element_id or owner_id(element)
        self.findings.append(Finding(self.path, line, element_id, severity, rule, message))

    def error(self, rule: str, message: str, element=None, **where) -> None:
        self.add(ERROR, rule, message, element=element, **where)

    def warning(self, rule: str, message: str, element=None, **where) -> None:
        self.add(WARNING, rule, message, element=element, **where)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)
