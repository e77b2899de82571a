"""The consortium as CSV and XLSX: one row per participant, the columns the call's forms ask for.

Cells are data, never formulas. In the CSV, a value starting with =, +, -, @ (or a tab or carriage return) is
prefixed with an apostrophe, so an organisation named "=HYPERLINK(...)" cannot run anything in a spreadsheet;
XLSX cells are typed as text, which no spreadsheet evaluates, so they keep the value as it is.

The XLSX also has an "Eligibility" sheet: the verdict and every criterion of both modes, as the panel shows;
and a "Proposal" sheet: its title, call edition, duration, aims and deadline, as the printable summary gives
them (the file named none of them).
"""

import csv
import io
import re

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from partners.codes import fold_for_search

from .labels import (
    aims_text,
    counted_text,
    criterion_title,
    eche_status_text,
    mode_label,
    not_counted_text,
    participation_status_label,
    status_label,
)
from .models import Role

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


def text_cell(value) -> str:
    return _ILLEGAL_XML.sub("", "" if value is None else str(value))


def safe_cell(value) -> str:
    """A CSV cell: text that a spreadsheet opening the file cannot take for a formula."""
    text = text_cell(value)
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
            participation_status_label(participation.status),
            eche_status_text(participation),
            contact,
        ]
        result.append(values)
    return result


def eligibility_rows(report) -> list[list]:
    """The verdict of each mode, then every criterion of both modes, with its counts and reasons."""
    if report is None:
        return [[_("Not evaluated yet.")]]
    result = []
    modes = ((mode_label("projected"), report.projected), (mode_label("confirmed"), report.confirmed))
    for label, evaluation in modes:
        verdict = status_label(evaluation.get("status")) or ""
        result.append([str(label), str(criterion_title("overall")), str(verdict)])
    result.append([])
    result.append(
        [
            _("Mode"),
            _("Criterion"),
            _("Status"),
            _("Observed"),
            _("Required"),
            _("Pending confirmation"),
            _("Counted"),
            _("Not counted"),
            _("Reason"),
            _("What would fix it"),
        ]
    )
    for label, evaluation in modes:
        for criterion in evaluation.get("criteria", []):
            result.append(
                [
                    str(label),
                    str(criterion_title(criterion["code"])),
                    str(status_label(criterion["status"])),
                    criterion.get("observed"),
                    criterion.get("required"),
                    criterion.get("pending"),
                    counted_text(criterion.get("counted")),
                    not_counted_text(criterion.get("not_counted")),
                    criterion.get("message", ""),
                    criterion.get("hint", ""),
                ]
            )
    return result


def proposal_rows(proposal) -> list[list]:
    """The proposal's details, one label and value a row."""
    deadline = proposal.deadline.isoformat() if proposal.deadline else ""
    return [
        [_("Acronym"), proposal.acronym],
        [_("Title"), proposal.title],
        [_("Call edition"), str(proposal.edition)],
        [_("Duration (months)"), proposal.duration_months],
        [_("Aims"), aims_text(proposal.aims)],
        [_("Economic sector(s)"), proposal.economic_sectors],
        [_("Summary"), proposal.summary],
        [_("Submission deadline"), deadline],
        [_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")],
    ]


def _filename(proposal, extension: str) -> str:
    """The acronym in plain letters, as the search folds it (``ÉCO-ŁÓDŹ`` gives ``eco-lodz``; letters with
    no plain form, ``proposal``)."""
    stem = re.sub(r"[^a-z0-9]+", "-", fold_for_search(proposal.acronym)).strip("-") or "proposal"
    return f"{stem}-participants-{timezone.localdate():%Y-%m-%d}.{extension}"


def participants_csv(*, proposal, participations) -> HttpResponse:
    buffer = io.StringIO()
    # A byte-order mark, so spreadsheet programs read the UTF-8 names right.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers())
    writer.writerows([safe_cell(value) for value in row] for row in rows(participations))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(proposal, "csv")}"'
    return response


def _append_text(sheet, row) -> None:
    sheet.append([value if value is None or isinstance(value, int) else text_cell(value) for value in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text, always: never a formula, never a number that loses leading zeros


def _widths(sheet, widths) -> None:
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width


def participants_xlsx(*, proposal, participations) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participants")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(participations):
        _append_text(sheet, row)
    _widths(sheet, [28, 40, 16, 12, 12, 16, 22, 30, 12, 14, 36])
    sheet.freeze_panes = "A2"
    verdicts = workbook.create_sheet(_("Eligibility")[:31])
    for row in eligibility_rows(getattr(proposal, "eligibility_report", None)):
        _append_text(verdicts, row)
    _widths(verdicts, [12, 36, 10, 10, 10, 12, 50, 24, 60, 60])
    details = workbook.create_sheet(_("Proposal")[:31])
    for row in proposal_rows(proposal):
        _append_text(details, row)
    _widths(details, [22, 80])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(proposal, "xlsx")}"'
    return response
