"""Uploads of scanned dossier components: type sniffed from content, size limit, malware scan, stored by sha256.

The bytes are written under ``ATTACHMENTS_DIR`` (outside task data and outside the database) and an
:class:`~app.models.Attachment` row points to them (ND 118/2025 Art. 17.1(c): the counter scans every paper
component and keeps the electronic copy; architecture.md "File pickers store uploads outside task data").
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from app.models import Attachment, Dossier
from app.models.attachment import SCAN_CLEAN, SCAN_NOT_SCANNED

#: Allowed types by their leading bytes (never the file name's extension).
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"),
              (b"\x89PNG\r\n\x1a\n", "image/png"))
TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
#: ClamAV command-line scanners, daemon client first (fast), stand-alone second.
CLAMAV_COMMANDS = ("clamdscan", "clamscan")


class AttachmentRefused(ValueError):
    """An uploaded file was refused; the message is Vietnamese and names the file."""


@dataclass(frozen=True)
class ScanResult:
    """What the malware scan said: ``status`` is ``clean`` or ``not_scanned``; ``detail`` is for the audit."""

    status: str
    detail: str


def sniff_type(content: bytes) -> str | None:
    """The MIME type of ``content`` from its leading bytes (PDF, JPEG or PNG), ``None`` for anything else."""
    return next((mime for magic, mime in SIGNATURES if content.startswith(magic)), None)


def check_upload(name: str, content: bytes) -> str:
    """Check one upload's size and type; return its sniffed MIME type.

    :param name: the file's name as uploaded (only shown in messages).
    :raises AttachmentRefused: empty, larger than ``ATTACHMENT_MAX_BYTES``, or not PDF/JPEG/PNG by content.
    """
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if not content:
        raise AttachmentRefused(f"Tệp «{name}» rỗng, vui lòng quét lại.")
    if len(content) > limit:
        raise AttachmentRefused(f"Tệp «{name}» có dung lượng {_mb(len(content))}, vượt quá giới hạn {_mb(limit)}.")
    mime = sniff_type(content)
    if mime is None:
        raise AttachmentRefused(f"Tệp «{name}» không phải tệp PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp, "
                                "không theo phần mở rộng). Vui lòng quét lại thành PDF, JPEG hoặc PNG.")
    return mime


def scan_for_malware(name: str, path: Path) -> ScanResult:
    """Scan the file at ``path`` with ClamAV when installed (``MALWARE_SCAN_COMMAND``, else ``clamdscan`` or
    ``clamscan`` found on PATH); record ``not_scanned`` when there is no scanner or it fails to run.

    :raises AttachmentRefused: the scanner reports an infection (exit status 1), naming the file.
    """
    command = current_app.config.get("MALWARE_SCAN_COMMAND") or next(
        (c for c in CLAMAV_COMMANDS if shutil.which(c)), None)
    if not command:
        return ScanResult(SCAN_NOT_SCANNED, "Chưa cài đặt phần mềm quét mã độc (ClamAV)")
    try:
        run = subprocess.run([command, "--no-summary", str(path)], capture_output=True, text=True,
                             timeout=current_app.config["MALWARE_SCAN_TIMEOUT_SECONDS"], check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ScanResult(SCAN_NOT_SCANNED, f"Không chạy được {Path(command).name}: {exc}"[:300])
    if run.returncode == 1:
        raise AttachmentRefused(f"Tệp «{name}» bị phần mềm quét mã độc phát hiện nhiễm mã độc "
                                f"({(run.stdout.strip().split(': ')[-1] or 'FOUND')[:120]}); tệp không được lưu.")
    if run.returncode != 0:
        return ScanResult(SCAN_NOT_SCANNED, f"{Path(command).name} lỗi: {(run.stderr or run.stdout).strip()}"[:300])
    return ScanResult(SCAN_CLEAN, f"{Path(command).name}: OK")


@dataclass(frozen=True)
class ScannedFile:
    """One uploaded file as received: which dossier component it is, the file's name, its bytes, and the form
    input it came from (``field``, for messages next to that input)."""

    component: str
    name: str
    content: bytes
    field: str = ""


@dataclass(frozen=True)
class VettedUpload:
    """An upload that passed :func:`vet_upload` (not yet stored): its sniffed MIME type and scan result."""

    file: ScannedFile
    content_type: str
    scan: ScanResult


def vet_upload(file: ScannedFile) -> VettedUpload:
    """Check size and type, then scan ``file`` for malware; nothing is kept (the scanned temporary copy is removed).

    Vet every file of a request before creating or changing anything, so that one refused file leaves nothing stored.

    :raises AttachmentRefused: wrong type by content, too big, empty, or infected.
    """
    mime = check_upload(file.name, file.content)
    root = Path(current_app.config["ATTACHMENTS_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix="upload-", delete=False) as handle:
        handle.write(file.content)
        temporary = Path(handle.name)
    try:
        scan = scan_for_malware(file.name, temporary)
    finally:
        temporary.unlink(missing_ok=True)
    return VettedUpload(file, mime, scan)


def attach_vetted(dossier: Dossier, vetted: VettedUpload, *, uploaded_by: str | None, now: datetime) -> Attachment:
    """Write a vetted upload's bytes under ``ATTACHMENTS_DIR`` (by sha256) and add its row to ``dossier``
    (not flushed).

    :param now: aware UTC time of the upload.
    """
    content = vetted.file.content
    sha256 = hashlib.sha256(content).hexdigest()
    target = stored_path(sha256)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix="upload-", delete=False) as handle:
            handle.write(content)
        os.replace(handle.name, target)
    attachment = Attachment(component=vetted.file.component[:300],
                            original_name=Path(vetted.file.name).name[:255] or "tep",
                            content_type=vetted.content_type, size_bytes=len(content), sha256=sha256,
                            scan_status=vetted.scan.status, scan_detail=vetted.scan.detail, uploaded_at=now,
                            uploaded_by_label=uploaded_by)
    dossier.attachments.append(attachment)
    return attachment


def store_attachment(dossier: Dossier, *, component: str, name: str, content: bytes, uploaded_by: str | None,
                     now: datetime) -> Attachment:
    """Check, scan and store one scanned component of ``dossier``; the row is added to the dossier (not flushed).

    :param now: aware UTC time of the upload.
    :raises AttachmentRefused: wrong type by content, too big, empty, or infected (nothing is kept on disk).
    """
    return attach_vetted(dossier, vet_upload(ScannedFile(component, name, content)), uploaded_by=uploaded_by,
                         now=now)


def stored_path(sha256: str) -> Path:
    """Where the bytes with this sha256 live: ``ATTACHMENTS_DIR/ab/abcdef…``."""
    return Path(current_app.config["ATTACHMENTS_DIR"]) / sha256[:2] / sha256


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")
