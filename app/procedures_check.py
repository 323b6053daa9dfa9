"""``flask procedures check PATH…``: lint BPMN, DMN and Camunda Forms files before they are deployed.

Registered by :mod:`app.cli` under the ``procedures`` group; the checks are those ``deploy`` runs
(:mod:`app.engine.lint`).
"""
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .engine.findings import Finding, Source
from .engine.lint import ERROR, KINDS, RULES, collect_library, lint
from .services.external_tasks import registered_topics

_EPILOG = "\b\nRules (rule id, what it catches, severity):\n" + "\n".join(
    f"  {rule:<31} {text}" for rule, text in RULES.items())


@click.command("check", epilog=_EPILOG)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list of {path, line, element_id, severity, rule, message} instead of lines.")
@click.option("--given-only", is_flag=True,
              help="Resolve formRef/formKey and decisionRef only among the files in PATHS.")
@with_appcontext
def check_command(paths: tuple[Path, ...], as_json: bool, given_only: bool) -> None:
    """Check .bpmn, .dmn and .form files (or folders of them) with the checks deploy runs.

    Prints one line per finding, "path:line: element-id: severity: message" (error or warning),
    then a count on stderr. Exits with status 1 when there is any error, 0 otherwise.

    A user task's form (camunda:formRef = a form's id; formKey camunda-forms:deployment:<file>.form) and
    a business rule task's camunda:decisionRef are looked up among the files given in PATHS plus, unless
    --given-only, the project's forms (FORMS_DIR/*.form) and decisions (PROCESSES_DIR/*.dmn) — what
    deploy would use. Those extra files are only looked up, not reported on.
    """
    sources = _read(_files(paths))
    extra = [] if given_only else _read(_project_files(sources))
    findings = lint(sources, collect_library([*sources, *extra], topics=registered_topics()))
    _print(findings, as_json, len(sources))
    if any(f.severity == ERROR for f in findings):
        raise SystemExit(1)


def _files(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given, and every .bpmn/.dmn/.form file under the folders given (sorted, no repeats)."""
    found: dict[Path, Path] = {}
    for path in paths:
        inside = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in KINDS) \
            if path.is_dir() else [path]
        found.update((p.resolve(), p) for p in inside if p.resolve() not in found)
    return list(found.values())


def _project_files(sources: list[Source]) -> list[Path]:
    config = current_app.config
    given = {Path(s.path).resolve() for s in sources}
    extra = [*sorted(Path(config["FORMS_DIR"]).glob("*.form")), *sorted(Path(config["PROCESSES_DIR"]).glob("*.dmn"))]
    return [p for p in extra if p.resolve() not in given]


def _read(files: list[Path]) -> list[Source]:
    return [Source.read(path) for path in files]


def _print(findings: list[Finding], as_json: bool, checked: int) -> None:
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        return
    for finding in findings:
        click.echo(str(finding))
    count = sum(f.severity == ERROR for f in findings)
    click.echo(f"{checked} file(s) checked: {count} error(s), {len(findings) - count} warning(s)", err=True)
