"""What the officers' dossier page shows beyond the dossier row: its diagram's markers and its documents.

The diagram is the dossier's own process version (running dossiers keep theirs), drawn by bpmn-js NavigatedViewer
(:mod:`app.admin.viewer`, ``static/bpmn-viewer.js``) with CSS markers per element id:

* ``dossier-active`` — where it stands now (ready user tasks, timers and messages waited for);
* ``dossier-completed`` — tasks and events run to completion;
* ``dossier-taken`` — sequence flows the workflow went along;
* ``dossier-incident`` — a service task with an open incident (its retries ran out; the administrator retries it).
"""
from sqlalchemy import select

from app.engine.bpmn_xml import BPMN, read_xml
from app.engine.path import process_path
from app.extensions import db
from app.models import Dossier, Incident, IncidentState
from app.services.dossier_state import restore_workflow

ACTIVE, COMPLETED, TAKEN, INCIDENT = "dossier-active", "dossier-completed", "dossier-taken", "dossier-incident"


def diagram_markers(dossier: Dossier) -> dict[str, str]:
    """``{BPMN element id: marker class}`` for the dossier's diagram; ``{}`` before the workflow has a state."""
    if not dossier.workflow_state:
        return {}
    path = process_path(restore_workflow(dossier))
    markers = {element: COMPLETED for element in path.completed}
    markers.update({element: ACTIVE for element in path.active})
    root = read_xml(dossier.process_version.bpmn_xml.encode())
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        if (flow.get("sourceRef"), flow.get("targetRef")) in path.transitions:
            markers[flow.get("id")] = TAKEN
    failing = db.session.scalars(select(Incident.bpmn_id).where(Incident.dossier_id == dossier.id,
                                                                Incident.state == IncidentState.open))
    markers.update({element: INCIDENT for element in failing})
    return markers

