"""The consortium as CSV and XLSX: one row per participant, the columns the call's forms ask for.

Cells are data, never formulas: a value starting with =, +, -, @ (or a tab or carriage return) is prefixed
with an apostrophe, so an organisation named "=HYPERLINK(...)" cannot run anything in a spreadsheet.
"""

import csv
import io
import re

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .models import ParticipationStatus, Role

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters XML 1.0 (and therefore XLSX) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def headers() -> list[str]:
    return [
        _("Role"),
        _("Legal name"),
        _("Acronym"),
        _("PIC"),
        _("OID"),
        _("Erasmus code"),
        _("Country"),
        _("Type"),
        _("Status"),
        _("ECHE status"),
        _("Contact"),
    ]


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    text = _ILLEGAL_XML.sub("", text)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def rows(participations) -> list[list[str]]:
    result = []
    for participation in participations:
        organisation = participation.organisation
        contact = participation.contact_name
        if participation.contact_email:
            contact = f"{contact} <{participation.contact_email}>" if contact else participation.contact_email
        role = Role(participation.role).label
        if participation.affiliated_to_id:
            role = _("%(role)s of %(partner)s") % {
                "role": role,
                "partner": participation.affiliated_to.organisation.legal_name,
            }
        values = [
            role,
            organisation.legal_name,
            organisation.acronym,
            organisation.pic,
            organisation.oid,
            organisation.erasmus_code,
            f"{organisation.country.name} ({organisation.country_id})",
            organisation.type.name,
            ParticipationStatus(participation.status).label,
            organisation.get_eche_status_display()
            if organisation.type.higher_education
            else _("Not required"),
            contact,
        ]
        result.append([safe_cell(value) for value in values])
    return result


def _filename(proposal, extension: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", proposal.acronym).strip("-") or "proposal"
    return f"{stem}-participants-{timezone.localdate():%Y-%m-%d}.{extension}"


def participants_csv(*, proposal, participations) -> HttpResponse:
    buffer = io.StringIO()
    # A byte-order mark, so spreadsheet programs read the UTF-8 names right.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows(rows(participations))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(proposal, "csv")}"'
    return response


def participants_xlsx(*, proposal, participations) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participants")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(participations):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, always: never a formula, never a number that loses leading zeros
    widths = [28, 40, 16, 12, 12, 16, 22, 30, 12, 14, 36]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(proposal, "xlsx")}"'
    return response
