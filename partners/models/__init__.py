"""The partners app's models, by what they hold: the reference data (countries, organisation types), the
directory's records, the change requests curators decide, and the ECHE registry (`partners/eche/models.py`,
with the rest of the ECHE code)."""

from ..eche.models import EcheHolder, EcheImportJob, EcheList, ImportJobStatus
from .change_requests import ChangeRequestOrigin, ChangeRequestStatus, OrganisationChangeRequest
from .organisations import (
    ECHE_IDENTITY_FIELDS,
    SEARCHED_FIELDS,
    EcheStatus,
    Organisation,
    SearchWord,
    compact_erasmus_code_sql,
)
from .reference import Country, OrganisationType, ProgrammeStatus, country_choices, flag_codes, flag_image

__all__ = [
    "ECHE_IDENTITY_FIELDS",
    "SEARCHED_FIELDS",
    "ChangeRequestOrigin",
    "ChangeRequestStatus",
    "Country",
    "EcheHolder",
    "EcheImportJob",
    "EcheList",
    "EcheStatus",
    "ImportJobStatus",
    "Organisation",
    "OrganisationChangeRequest",
    "OrganisationType",
    "ProgrammeStatus",
    "SearchWord",
    "compact_erasmus_code_sql",
    "country_choices",
    "flag_codes",
    "flag_image",
]
