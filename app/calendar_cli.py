"""Command line: ``flask calendar due``, a deadline calculator for officers and scripts (TT 21/2023/TT-BTTTT
function F5.4, as amended by TT 11/2025/TT-BKHCN)."""
from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .extensions import db
from .models import Agency
from .models.working_calendar import load_working_calendar
from .services import deadlines
from .services.working_time import local_tz, office_hours

calendar_cli = AppGroup("calendar", help="Working calendar and legal deadlines (legal.md §9).")
_UNITS = [unit.value for unit in deadlines.TimeLimitUnit]


def _received(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date-time, e.g. 2026-02-13T15:30 or "
                                 "2026-02-13T15:30:00+07:00", param_hint="--received") from None
    if len(text.strip()) <= len("2026-02-13"):
        raise click.BadParameter(f"{text!r} has no time of day; give e.g. {text.strip()}T09:00",
                                 param_hint="--received")
    return moment if moment.tzinfo else moment.replace(tzinfo=local_tz())


def _limit(working_days: int | None, unit: str | None, limit: int | None) -> deadlines.TimeLimit:
    if working_days is not None and (unit not in (None, "working_days") or limit is not None):
        raise click.UsageError("give either --working-days N or --unit/--limit, not both")
    if working_days is None and limit is None and unit != "same_day":
        raise click.UsageError("give the time limit: --working-days N, or --unit UNIT --limit N")
    properties = {"time_limit_unit": unit or "working_days",
                  "time_limit": str(working_days if working_days is not None else "" if limit is None else limit)}
    try:
        return deadlines.TimeLimit.from_properties(properties)
    except deadlines.TimeLimitError as exc:
        raise click.UsageError(f"{exc} (use --working-days N, or --unit and --limit N)") from None


def _agency_id(code: str | None) -> int | None:
    if code is None:
        return None
    agency_id = db.session.scalar(select(Agency.id).where(Agency.code == code))
    if agency_id is None:
        raise click.BadParameter(f"no agency has the code {code!r}", param_hint="--agency")
    return agency_id


@calendar_cli.command("due")
@click.option("--received", "received_text", required=True, metavar="ISO-DATETIME",
              help="When the complete dossier was received, ISO 8601; without an offset it is local time.")
@click.option("--working-days", type=click.IntRange(min=0), help="Time limit in working days (0 = same day).")
@click.option("--unit", type=click.Choice(_UNITS), help="Time-limit unit (default working_days).")
@click.option("--limit", type=click.IntRange(min=0), help="Time limit N in that unit (working_hours: N × 8 hours).")
@click.option("--agency", "agency_code", metavar="CODE", help="Agency code whose office hours apply (e.g. H54.10.01).")
def due_command(received_text: str, working_days: int | None, unit: str | None, limit: int | None,
                agency_code: str | None):
    """Print only the due date-time (ISO 8601, local +07:00) of a dossier received at --received.

    Counted on the confirmed working calendar of the database with the agency's office hours (default hours
    without --agency); bad input exits with status 2 and says what is wrong.
    """
    received_at = _received(received_text)
    time_limit = _limit(working_days, unit, limit)
    hours = office_hours(_agency_id(agency_code))
    tz = local_tz()
    due = deadlines.due_for(received_at, time_limit, load_working_calendar(), hours, tz)
    click.echo(due.astimezone(tz).isoformat(timespec="seconds"))
