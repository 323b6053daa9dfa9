"""The dossier owner (chủ hồ sơ) and the submitter who brought it (ND 118/2025 Art. 15.2; legal.md R16, R24)."""
from typing import Any

from app.models import Applicant, Dossier

#: Start-form keys that carry the owner's identity in the sample procedures' filing forms.
OWNER_FORM_KEYS = {"owner_name": "applicant_full_name", "owner_id_number": "applicant_personal_id",
                   "owner_address": "applicant_address", "owner_phone": "applicant_phone",
                   "owner_email": "applicant_email"}
OWNER_FIELDS = ("owner_kind", "owner_name", "owner_id_number", "owner_address", "owner_phone", "owner_email")
SUBMITTER_FIELDS = ("submitter_kind", "submitter_name", "submitter_id_number", "submitter_phone",
                    "submitter_address", "authorisation_note")


def owner_from_application(application: dict[str, Any], applicant: Applicant | None) -> dict[str, str | None]:
    """Owner fields for an online dossier: the signed-in citizen (VNeID) first, then the start form's values.

    :return: ``{owner_name, owner_id_number, owner_address, owner_phone, owner_email}`` (missing ones ``None``).
    """
    owner = {field: (str(application[key]) if application.get(key) not in (None, "") else None)
             for field, key in OWNER_FORM_KEYS.items()}
    if applicant is not None:
        owner["owner_name"] = applicant.full_name
        owner["owner_id_number"] = applicant.personal_id
        for field, value in (("owner_address", applicant.address), ("owner_phone", applicant.phone),
                             ("owner_email", applicant.email)):
            owner[field] = owner[field] or value
    return owner


def set_parties(dossier: Dossier, owner: dict[str, Any], submitter: dict[str, Any] | None = None) -> None:
    """Write owner and submitter fields on ``dossier`` (unknown keys are ignored; blanks become ``None``)."""
    for field in OWNER_FIELDS:
        if field in owner:
            setattr(dossier, field, (owner[field] or None) if field != "owner_kind" else owner[field] or "person")
    for field in SUBMITTER_FIELDS:
        if submitter and field in submitter:
            value = submitter[field]
            setattr(dossier, field, value or ("self" if field == "submitter_kind" else None))
