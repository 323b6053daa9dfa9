"""Counter-reception helpers shared by tests/reception and tests/documents."""
import io
import re
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import Dossier
from tests.conftest import APPLICATION, hidden_fields, make_app

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
#: A personal ID number no sample citizen account has: the owner of a counter dossier without an account.
NO_ACCOUNT_ID = "014099000111"
COUNTER_URL = "/officer/reception/1.001612"
OWNER = {"owner_kind": "person", "owner_name": "Quàng Văn Dũng", "owner_id_number": NO_ACCOUNT_ID,
         "owner_address": "Bản Hài, phường Tô Hiệu, tỉnh Sơn La", "owner_phone": "0987654321",
         "owner_email": "dung.quang@example.vn"}
REPRESENTATIVE = {"submitter_kind": "authorised", "submitter_name": "Lò Văn Khoa", "submitter_id_number": "014092003333",
                  "submitter_phone": "0911222333", "submitter_address": "Tổ 5, phường Chiềng Lề",
                  "authorisation_note": "Giấy ủy quyền số 12/2026 ngày 01/06/2026"}
COUNTER_APPLICATION = {**APPLICATION, "applicant_full_name": OWNER["owner_name"],
                       "applicant_personal_id": NO_ACCOUNT_ID}


def counter_app(tmp_path: Path, **overrides):
    """The test app with attachments stored under ``tmp_path`` (and any other config overrides)."""
    return make_app(ATTACHMENTS_DIR=str(tmp_path / "attachments"), **overrides)


def file_at_counter(client, *, channel: int = 1, owner=None, submitter=None, files=None, **extra):
    """POST the counter form as a browser would (multipart); ``files`` maps field → (bytes, name) or a list."""
    data = {**hidden_fields(client, COUNTER_URL), **COUNTER_APPLICATION, "channel": str(channel),
            **(owner or OWNER), **(submitter or {"submitter_kind": "self"}), **extra}
    for field, value in (files if files is not None else {"file_0": (PDF_BYTES, "giay-de-nghi.pdf")}).items():
        data[field] = [(io.BytesIO(c), n) for c, n in value] if isinstance(value, list) else (io.BytesIO(value[0]),
                                                                                                value[1])
    return client.post(COUNTER_URL, data=data, content_type="multipart/form-data")


def only_dossier() -> Dossier:
    return db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))


def task_id_of(response) -> str:
    return re.search(r"/officer/work-items/([^/?#]+)", response.headers["Location"]).group(1)
