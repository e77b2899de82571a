"""CSV and XLSX exports: the agreed columns, every participant, and no formula ever."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from alliances.exports import safe_cell
from alliances.models import Role
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
HEADERS = [
    "Role",
    "Legal name",
    "Acronym",
    "PIC",
    "OID",
    "Erasmus code",
    "Country",
    "Type",
    "Status",
    "ECHE status",
    "Contact",
]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_cells_are_neutralised(value):
    assert safe_cell(value).startswith("'")


def test_plain_values_are_kept():
    assert safe_cell("Aalto") == "Aalto" and safe_cell(None) == "" and safe_cell("999986678") == "999986678"


def read_csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export(owner_client, proposal, add):
    evil = OrganisationFactory(legal_name='=HYPERLINK("http://evil")', acronym="@cmd", pic="912345678")
    add(proposal, evil, contact_name="-Mal", contact_email="mal@example.org")
    response = owner_client.get(reverse("alliances:export_csv", kwargs={"pk": proposal.pk}))
    assert response["Content-Type"].startswith("text/csv")
    assert (
        "attachment" in response["Content-Disposition"]
        and proposal.acronym.lower() in response["Content-Disposition"]
    )
    rows = read_csv(response)
    assert rows[0] == HEADERS
    assert len(rows) == 1 + proposal.participations.count()
    assert rows[1][0] == "Applicant (coordinator)"
    evil_row = next(row for row in rows if "HYPERLINK" in row[1])
    assert evil_row[1].startswith("'=") and evil_row[2] == "'@cmd" and evil_row[3] == "912345678"
    assert evil_row[10] == "'-Mal <mal@example.org>"


def test_xlsx_export(owner_client, proposal, add):
    evil = OrganisationFactory(legal_name="=1+2", pic="012345678")
    partner = proposal.participations.get(role=Role.APPLICANT)
    add(proposal, evil, role=Role.AFFILIATED_ENTITY, affiliated_to=partner)
    response = owner_client.get(reverse("alliances:export_xlsx", kwargs={"pk": proposal.pk}))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADERS
    assert len(rows) == 1 + proposal.participations.count()
    evil_row = next(row for row in rows if row[1] and "1+2" in row[1])
    # Text cells are never formulas: the name is kept as typed (the CSV alone needs the apostrophe).
    assert evil_row[1] == "=1+2" and evil_row[3] == "012345678"
    assert evil_row[0].startswith("Affiliated entity of ")
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row if cell.value)


def test_xlsx_eligibility_sheet_holds_the_verdict_and_every_criterion_of_both_modes(owner_client, proposal):
    response = owner_client.get(reverse("alliances:export_xlsx", kwargs={"pk": proposal.pk}))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Participants", "Eligibility", "Proposal"]
    rows = [[cell.value for cell in row] for row in workbook["Eligibility"].iter_rows()]
    report = proposal.eligibility_report
    verdicts = {"eligible": "Eligible", "not_eligible": "Not eligible", "pending": "Pending"}
    assert rows[0] == ["Projected", "Overall", verdicts[report.projected["status"]]] + [None] * 7
    assert rows[1][:3] == ["Confirmed", "Overall", verdicts[report.confirmed["status"]]]
    criteria = [row for row in rows[4:] if row[0]]
    expected = report.projected["criteria"] + report.confirmed["criteria"]
    for row, criterion in zip(criteria, expected, strict=True):
        assert row[3] == criterion.get("observed") and row[4] == criterion.get("required")
        assert row[5] == criterion.get("pending")
        assert row[8] == criterion["message"]
        assert (row[9] or "") == criterion.get("hint", "")


@pytest.mark.parametrize(
    ("acronym", "stem"), [("ÉCO-ŁÓDŹ", "eco-lodz"), ("GRÜN 2027", "grun-2027"), ("株式会社", "proposal")]
)
def test_the_file_is_named_after_the_acronym_in_plain_letters(owner_client, proposal, acronym, stem):
    proposal.acronym = acronym
    proposal.save(update_fields=["acronym"])

    response = owner_client.get(reverse("alliances:export_csv", kwargs={"pk": proposal.pk}))

    assert f'filename="{stem}-participants-' in response["Content-Disposition"]


def test_xlsx_proposal_sheet_names_what_the_consortium_is_for(owner_client, proposal):
    """The file held no title, call edition or duration: only its name said which proposal it was."""
    proposal.title, proposal.aims, proposal.duration_months = "=Green skills", ["skills-relevance"], 36
    proposal.summary = "Green skills for manufacturing."
    proposal.save()
    response = owner_client.get(reverse("alliances:export_xlsx", kwargs={"pk": proposal.pk}))
    sheet = load_workbook(io.BytesIO(response.content))["Proposal"]
    rows = {row[0].value: row[1] for row in sheet.iter_rows()}
    assert rows["Acronym"].value == proposal.acronym
    assert rows["Title"].value == "=Green skills" and rows["Title"].data_type == "s"  # text, not a formula
    assert rows["Call edition"].value == str(proposal.edition)
    assert rows["Duration (months)"].value == 36
    assert rows["Summary"].value == "Green skills for manufacturing."
    assert rows["Aims"].value == (
        "Quality and relevance of skills, including new skills and tackling skills mismatches"
    )
