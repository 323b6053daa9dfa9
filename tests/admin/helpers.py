"""Helpers of the administrators' version tests: variants of the real diagram, filed dossiers, uploads."""
from datetime import UTC, datetime
from io import BytesIO

from sqlalchemy import select

from app.extensions import db
from app.engine.findings import Source
from app.models import Agency, Applicant, Dossier, Officer, Procedure, ProcessVersion
from app.services import dossiers
from app.services.external_tasks import run_due_external_tasks
from app.services.procedures import deploy_sources
from config import BASE_DIR
from tests.conftest import APPLICATION, csrf_token

BPMN_FILE = "household_business_registration.bpmn"
ORIGINAL = (BASE_DIR / "processes" / BPMN_FILE).read_text(encoding="utf-8")
FORMS = BASE_DIR / "forms"
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)

_LEGAL_CHECK = '''      <bpmn:userTask id="legal_check" name="Kiểm tra pháp lý" camunda:formRef="form_appraisal" camunda:formRefBinding="latest" camunda:candidateGroups="specialist">
        <bpmn:extensionElements>
          <camunda:properties>
            <camunda:property name="dossier_status" value="in_progress" />
          </camunda:properties>
        </bpmn:extensionElements>
        <bpmn:incoming>flow_appraise_to_legal</bpmn:incoming>
        <bpmn:outgoing>flow_appraise_to_approve</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="flow_appraise_to_legal" sourceRef="appraise_dossier" targetRef="legal_check" />
'''


def with_legal_check() -> str:
    """v2: a new specialist task *legal_check* after *appraise_dossier*; *approve_dossier* renamed."""
    text = ORIGINAL.replace('<bpmn:outgoing>flow_appraise_to_approve</bpmn:outgoing>\n      </bpmn:userTask>',
                            '<bpmn:outgoing>flow_appraise_to_legal</bpmn:outgoing>\n      </bpmn:userTask>\n'
                            + _LEGAL_CHECK, 1)
    text = text.replace('sourceRef="appraise_dossier" targetRef="approve_dossier"',
                        'sourceRef="legal_check" targetRef="approve_dossier"')
    return text.replace('name="Phê duyệt kết quả"', 'name="Phê duyệt và ký kết quả"')


def without_appraisal() -> str:
    """A version whose handling starts at the leader's approval: *appraise_dossier* is removed."""
    start = ORIGINAL.index('<bpmn:userTask id="appraise_dossier"')
    end = ORIGINAL.index("</bpmn:userTask>", start) + len("</bpmn:userTask>")
    text = ORIGINAL[:start] + ORIGINAL[end:]
    text = text.replace('<bpmn:sequenceFlow id="flow_appraise_to_approve" sourceRef="appraise_dossier" '
                        'targetRef="approve_dossier" />', "")
    text = text.replace('targetRef="appraise_dossier"', 'targetRef="approve_dossier"')
    return text.replace("<bpmn:incoming>flow_appraise_to_approve</bpmn:incoming>",
                        "<bpmn:incoming>flow_handling_start</bpmn:incoming>")


def renamed_only() -> str:
    """A version that only renames the appraisal task."""
    return ORIGINAL.replace('name="Thẩm định hồ sơ"', 'name="Thẩm định hồ sơ (bản mới)"')


def file_dossier(now: datetime = NOW) -> Dossier:
    """A dossier of the household-business procedure filed at Phường Tô Hiệu on the published version."""
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.001612"))
    return dossiers.submit_dossier(
        procedure, applicant=db.session.scalar(select(Applicant)), now=now,
        handling_agency=db.session.scalar(select(Agency).where(Agency.code == "H54.10.01")),
        application={**APPLICATION, "capital_vnd": 1, "commitment": True})


def receive(dossier: Dossier, now: datetime = NOW) -> None:
    """The one-stop officer receives it: the dossier waits at *appraise_dossier*."""
    officer = db.session.scalar(select(Officer).where(Officer.username == "motcua.tohieu"))
    dossiers.complete_work_item(dossier, dossier.work_items[0].task_id, actor=officer,
                                values={"reception_outcome": "receive"}, now=now)


def complete(dossier: Dossier, bpmn_id: str, username: str, values: dict, now: datetime = NOW) -> None:
    officer = db.session.scalar(select(Officer).where(Officer.username == username))
    item = next(w for w in dossier.work_items if w.bpmn_id == bpmn_id)
    dossiers.complete_work_item(dossier, item.task_id, actor=officer, values=values, now=now)
    run_due_external_tasks(now, dossier_id=dossier.id)  # the result topics around the return, as the scheduler would


def upload(admin, files, token: str | None = None):
    """POST ``files`` to the upload page as a browser would (with the page's CSRF token unless given)."""
    url = "/admin/procedures/upload"
    data = {"csrf_token": token or csrf_token(admin, url), "files": files}
    return admin.post(url, data=data, content_type="multipart/form-data")


def bpmn_upload(text: str, name: str = BPMN_FILE) -> tuple:
    """A (file, name) pair for a multipart upload."""
    return BytesIO(text.encode("utf-8")), name


def form_uploads() -> list[tuple]:
    return [(BytesIO(path.read_bytes()), path.name) for path in sorted(FORMS.glob("*.form"))]



def deploy_variant(text: str, *, published: bool = True, now: datetime = NOW) -> ProcessVersion:
    """Deploy ``text`` as the next version of the procedure (published unless told), with the real forms."""
    sources = [Source(BPMN_FILE, text.encode("utf-8")), *(Source.read(p, p.name) for p in sorted(FORMS.glob("*.form")))]
    (result,) = deploy_sources(sources, now=now, published_at=now if published else None)
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == result.procedure_code))
    return next(v for v in procedure.versions if v.number == result.version_number)


def with_signing_after_handling() -> str:
    """A version with a leader's *sign_result* between the handling subprocess and the return (*notify_result_ready*
    → *return_result*)."""
    task = ('<bpmn:userTask id="sign_result" name="Ký số kết quả" camunda:formRef="form_approval" '
            'camunda:candidateGroups="leader">\n      <bpmn:incoming>flow_handling_to_return</bpmn:incoming>\n'
            '      <bpmn:outgoing>flow_sign_to_return</bpmn:outgoing>\n    </bpmn:userTask>\n'
            '    <bpmn:sequenceFlow id="flow_sign_to_return" sourceRef="sign_result" targetRef="notify_result_ready" />\n')
    text = ORIGINAL.replace('sourceRef="handling" targetRef="notify_result_ready"',
                            'sourceRef="handling" targetRef="sign_result"')
    text = text.replace("<bpmn:incoming>flow_handling_to_return</bpmn:incoming>\n      <bpmn:outgoing>flow_ready_to_return",
                        "<bpmn:incoming>flow_sign_to_return</bpmn:incoming>\n      <bpmn:outgoing>flow_ready_to_return")
    return text.replace('    <bpmn:serviceTask id="notify_result_ready"',
                        "    " + task + '    <bpmn:serviceTask id="notify_result_ready"', 1)


def without_return() -> str:
    """A version that ends right after the handling subprocess: the return (*notify_result_ready*, *return_result*,
    *record_result_return*) is removed."""
    start = ORIGINAL.index('<bpmn:serviceTask id="notify_result_ready"')
    end = ORIGINAL.index('<bpmn:endEvent id="end_result_returned"', start)
    text = ORIGINAL[:start] + ('<bpmn:sequenceFlow id="flow_handling_to_return" sourceRef="handling" '
                               'targetRef="end_result_returned" />\n    ') + ORIGINAL[end:]
    text = text.replace('<bpmn:sequenceFlow id="flow_return_to_end" sourceRef="record_result_return" '
                        'targetRef="end_result_returned" />', "")
    return text.replace("<bpmn:incoming>flow_return_to_end</bpmn:incoming>",
                        "<bpmn:incoming>flow_handling_to_return</bpmn:incoming>")
