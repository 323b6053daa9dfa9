"""What the counter and the portal share about uploaded dossier components: reading them from the request,
vetting them all before anything is stored, and sending a stored one back (:mod:`app.services.attachments`)."""
from io import BytesIO

from flask import abort, request, send_file

from .extensions import db
from .models import Attachment, Dossier
from .services.attachments import (
    AttachmentRefused,
    ScannedFile,
    VettedUpload,
    stored_path,
    vet_upload,
)

#: The component of a file given under "Giấy tờ khác" without a name.
OTHER_COMPONENT = "Giấy tờ khác"


def files_from_request(components: list[str]) -> list[ScannedFile]:
    """The uploaded files of the current request, each with its dossier component.

    Inputs: ``file_<n>`` for the catalogue's n-th component (several files allowed), ``file_other`` for
    "Giấy tờ khác" (named by the ``other_component`` text when given), and ``upload_file`` whose component is
    chosen in the ``upload_component`` select (``<n>`` or ``other``). Empty inputs are skipped.
    """
    files = []
    for key in sorted(request.files):
        index = request.form.get("upload_component", "") if key == "upload_file" else key.removeprefix("file_")
        component = (components[int(index)] if index.isdigit() and int(index) < len(components)
                     else (request.form.get("other_component") or "").strip() or OTHER_COMPONENT)
        for upload in request.files.getlist(key):
            if upload and upload.filename:
                files.append(ScannedFile(component, upload.filename, upload.read(), field=key))
    return files


def vet_files(files: list[ScannedFile]) -> tuple[list[VettedUpload], dict[str, str]]:
    """Vet every file (type by content, size, malware scan) without storing any.

    :return: ``(vetted, errors)``; ``errors`` maps an input name to the Vietnamese messages naming the refused
        files, and is empty when all passed.
    """
    vetted, errors = [], {}
    for file in files:
        try:
            vetted.append(vet_upload(file))
        except AttachmentRefused as exc:
            errors[file.field] = f"{errors[file.field]} {exc}" if file.field in errors else str(exc)
    return vetted, errors


def send_attachment(dossier: Dossier, attachment_id: int):
    """The stored file of one attachment of ``dossier`` (404 when it is another dossier's or its bytes are gone)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.dossier_id != dossier.id or not stored_path(attachment.sha256).exists():
        abort(404, "Không tìm thấy tệp.")
    return send_file(BytesIO(stored_path(attachment.sha256).read_bytes()), mimetype=attachment.content_type,
                     download_name=attachment.original_name)  # at most ATTACHMENT_MAX_BYTES
