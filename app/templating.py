"""Jinja helpers: local date-time display, status labels, working-time chips."""
from datetime import datetime

from flask import Flask

from .models import DossierStatus
from .services.deadlines import time_limit_label
from .services.working_time import local_tz


def local_datetime(value: datetime | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
    """Show an aware UTC datetime in the agencies' time zone, Vietnamese order (``17:00 29/04/2025``)."""
    return value.astimezone(local_tz()).strftime(fmt) if value else ""


def register_template_helpers(app: Flask) -> None:
    """Register filters used by every template."""
    app.add_template_filter(local_datetime, "localdt")
    app.add_template_filter(lambda v: local_datetime(v, "%d/%m/%Y"), "localdate")
    app.add_template_filter(lambda v: local_datetime(datetime.fromisoformat(v)) if v else "", "isodt")
    app.add_template_global(lambda name: DossierStatus[name].label if name in DossierStatus.__members__ else name,
                            "status_label")
    app.add_template_global(time_limit_label, "time_limit_label")
