"""What an administrator checks on a version before publishing it: its files, their lint, its scenarios.

A version row holds everything it was deployed with (BPMN, the forms it uses, its DMN decisions), so its files
can be written out again and checked exactly as ``flask procedures check`` and ``flask procedures test`` would
check the folders they came from — the draft is tested before it is published (seed Art. 13.2).
"""
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.engine.findings import Finding, Source
from app.engine.forms_xml import FILE_PREFIX, FORMDATA_PREFIX
from app.models import ProcessVersion
from app.scenarios.runner import run_file
from app.scenarios.sandbox import inherited_settings

from .procedures import check_sources


@dataclass(frozen=True)
class VersionFiles:
    """A version's files as a deploy would read them; ``gaps`` says what could not be written out again."""

    sources: list[Source]
    gaps: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScenarioRun:
    """Output of the procedure's scenarios run against one version: one line per step, as the CLI prints.

    :ivar skipped: why nothing ran (``None`` when the scenarios ran).
    """

    lines: list[str]
    passed: int
    total: int
    skipped: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.skipped is None and self.total > 0 and self.passed == self.total


def version_files(version: ProcessVersion) -> VersionFiles:
    """The BPMN, its DMN decisions and its forms: ``file:`` forms under their file name, forms found by id as
    ``<id>.form``; generated (``formData``) forms live in the BPMN itself."""
    sources = [Source(version.source_file, version.bpmn_xml.encode("utf-8"))]
    sources += [Source(f"{decision}.dmn", xml.encode("utf-8"))
                for decision, xml in version.definition.get("dmn", {}).items()]
    sources += [Source(name, xml.encode("utf-8")) for name, xml in version.definition.get("called_files", {}).items()]
    forms: dict[str, Source] = {}
    gaps = []
    stored = json.loads(version.forms_json)
    for key, schema in sorted(stored.items(), key=lambda item: not item[0].startswith(FILE_PREFIX)):
        form_id = schema.get("id") if isinstance(schema, dict) else None
        if key.startswith(FORMDATA_PREFIX) or form_id in {_id(s) for s in forms.values()}:
            continue
        if "@" in key:
            gaps.append(f"biểu mẫu {key} (camunda:formRefVersion) chỉ có nghĩa trong lịch sử triển khai")
        name = key[len(FILE_PREFIX):] if key.startswith(FILE_PREFIX) else f"{key.split('@')[0]}.form"
        forms[name] = Source(name, json.dumps(schema, ensure_ascii=False, indent=2).encode("utf-8"))
    return VersionFiles(sources + list(forms.values()), gaps)


def lint_version(version: ProcessVersion) -> list[Finding]:
    """The findings ``flask procedures check`` gives on the version's files (warnings: errors were refused)."""
    return check_sources(version_files(version).sources)


def scenario_files(scenarios_dir: Path, procedure_code: str) -> list[Path]:
    """The scenario files (``*.json``) of ``scenarios_dir`` whose ``procedure`` is ``procedure_code``."""
    return [path for path in sorted(scenarios_dir.glob("*.json")) if _procedure_of(path) == procedure_code]


def run_scenarios(version: ProcessVersion, config: Mapping[str, Any]) -> ScenarioRun:
    """Run the procedure's scenarios (``PROCESSES_DIR/scenarios``) against ``version``, each on a fresh app whose
    only deployment is this version's files.

    :param config: the running app's config (settings the scenario apps inherit, ``PROCESSES_DIR``).
    """
    files = scenario_files(Path(config["PROCESSES_DIR"]) / "scenarios", version.procedure.code)
    if not files:
        return ScenarioRun([], 0, 0, skipped=f"Chưa có kịch bản kiểm thử nào cho thủ tục {version.procedure.code} "
                                              "trong processes/scenarios.")
    written = version_files(version)
    if written.gaps:
        return ScenarioRun([], 0, len(files), skipped="Không chạy được kịch bản trên phiên bản này: "
                                                       + "; ".join(written.gaps) + ".")
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="version-scenarios-") as folder:
        processes, forms = _write(written.sources, Path(folder))
        settings = {**inherited_settings(config), "PROCESSES_DIR": str(processes), "FORMS_DIR": str(forms)}
        passed = sum(run_file(path, settings, lines.append) for path in files)
    return ScenarioRun(lines, passed, len(files))


def _write(sources: list[Source], folder: Path) -> tuple[Path, Path]:
    processes, forms = folder / "processes", folder / "forms"
    processes.mkdir()
    forms.mkdir()
    for source in sources:
        ((forms if source.kind == ".form" else processes) / source.name).write_bytes(source.data)
    return processes, forms


def _procedure_of(path: Path) -> str | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return raw.get("procedure") if isinstance(raw, dict) else None


def _id(source: Source) -> str | None:
    try:
        document = json.loads(source.data)
    except ValueError:
        return None
    return document.get("id") if isinstance(document, dict) else None
