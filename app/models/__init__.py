"""Models, one noun per module; importing this package registers every table."""
from .agency import Agency
from .clock import Apology, ClockPause, StepLogEntry
from .attachment import Attachment
from .dossier import STATUS_LABELS, Dossier, DossierEvent, DossierStatus
from .dossier_code import DossierCodeSequence
from .external_task import ExternalTaskRow, Incident, IncidentState, IncidentStateError
from .people import OFFICER_ROLES, Applicant, Officer
from .procedure import Procedure, ProcessVersion
from .slip import Slip, SlipTemplate
from .scheduler_lease import SchedulerLease
from .timer import PendingTimerRow
from .timer_start import TimerStart, TimerStartOccurrence
from .work_item import WorkItem
from .working_calendar import WorkingCalendarEntry

__all__ = [
    "OFFICER_ROLES", "STATUS_LABELS", "Agency", "Apology", "Applicant", "ClockPause", "StepLogEntry", "Dossier", "DossierCodeSequence", "DossierEvent",
    "DossierStatus", "ExternalTaskRow", "Incident", "IncidentState", "IncidentStateError", "Officer",
    "PendingTimerRow", "Procedure", "ProcessVersion", "WorkItem", "WorkingCalendarEntry",
    "Attachment", "Slip", "SlipTemplate",
    "SchedulerLease",
]
__all__ += ["TimerStart", "TimerStartOccurrence"]
