"""One consortium walked through every place that shows its eligibility: the stored report, the builder's
panel, the printable summary, the XLSX export and `check_eligibility`. They agree on the verdict and on every
criterion of both modes: status, message, hint, `observed`, `required`, `pending`, `counted` and `not_counted`
(issue 12).

The consortium is built to exercise what is easy to get wrong: an applicant that has not confirmed, partners
proposed and invited (so confirmed mode fails for want of confirmations), and Albania, a third country not
associated (region 1), which the 2026 call allows as a full partner without counting its country.
"""

import html
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from alliances.exports import eligibility_rows
from alliances.labels import CRITERION_TITLES, STATUS_LABELS, not_counted_text
from alliances.models import ParticipationStatus, Role
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    country,
    edition,
    org_type,
)

pytestmark = pytest.mark.django_db

CONFIRMED, INVITED, PROPOSED = (
    ParticipationStatus.CONFIRMED,
    ParticipationStatus.INVITED,
    ParticipationStatus.PROPOSED,
)
CONSORTIUM = [  # name, country, type, role, status
    ("Technische Hochschule Nord", "DE", "higher-education-institution", Role.APPLICANT, INVITED),
    ("Lycée des Métiers Lumière", "FR", "vet-provider", Role.FULL_PARTNER, CONFIRMED),
    ("Officina Verde S.r.l.", "IT", "enterprise", Role.FULL_PARTNER, CONFIRMED),
    ("Cámara de Comercio de Sevilla", "ES", "chamber", Role.FULL_PARTNER, CONFIRMED),
    ("Tirana Tech Sh.p.k.", "AL", "enterprise", Role.FULL_PARTNER, CONFIRMED),
    ("Fundacja Zielone Kompetencje", "PL", "ngo", Role.FULL_PARTNER, PROPOSED),
    ("Sectorraad Maakindustrie", "NL", "sector-skills-council", Role.FULL_PARTNER, INVITED),
    ("Berufsschule Linz", "AT", "vet-provider", Role.FULL_PARTNER, CONFIRMED),
    ("Instituto de Investigação do Norte", "PT", "research-institute", Role.FULL_PARTNER, PROPOSED),
    ("Tallinn Maker Hub OÜ", "EE", "enterprise", Role.ASSOCIATED_PARTNER, CONFIRMED),
]
MODES = ("projected", "confirmed")


@pytest.fixture
def walked(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = ProposalFactory(owner=owner, edition=edition(2026), acronym="WALK", duration_months=24)
        for name, code, slug, role, status in CONSORTIUM:
            hei = slug == "higher-education-institution"
            organisation = OrganisationFactory(
                legal_name=name,
                country=country(code),
                type=org_type(slug),
                eche_status="valid" if hei else "not_required",
            )
            ParticipationFactory(proposal=proposal, organisation=organisation, role=role, status=status)
    proposal.refresh_from_db()
    return proposal


def text_of(response) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, whitespace collapsed."""
    content = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(content).split())


def cli(mode: str, tmp_path, capsys) -> dict:
    document = {
        "edition": 2026,
        "duration_months": 24,
        "aims": ["skills-relevance"],
        "participants": [
            {"name": name, "country": code, "type": slug, "role": role, "status": status}
            | ({"eche": "valid"} if slug == "higher-education-institution" else {})
            for name, code, slug, role, status in CONSORTIUM
        ],
    }
    path = tmp_path / "consortium.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    capsys.readouterr()
    with pytest.raises(SystemExit):
        call_command("check_eligibility", str(path), *(["--projected"] if mode == "projected" else []))
    return json.loads(capsys.readouterr().out)


def sentences(criterion) -> list[str]:
    """What every human-readable place must say about a criterion."""
    said = [str(CRITERION_TITLES[criterion["code"]]), criterion["message"]]
    if criterion.get("hint"):
        said.append(criterion["hint"])
    if criterion.get("counted"):
        said.append(f"Counted: {'; '.join(criterion['counted'])}")
    if criterion.get("not_counted"):
        said.append(f"Not counted: {not_counted_text(criterion['not_counted'])}")
    return said


def test_the_consortium_is_the_case_it_is_meant_to_be(walked):
    report = walked.eligibility_report
    assert report.projected["status"] == "eligible"
    assert report.confirmed["status"] == "not_eligible"
    confirmed = {criterion["code"]: criterion for criterion in report.confirmed["criteria"]}
    assert "has not confirmed yet" in confirmed["applicant"]["message"]
    assert confirmed["full-partners"]["pending"] == 4  # DE applicant, PL, NL, PT
    assert "more are invited or proposed" in confirmed["full-partners"]["message"]
    countries = {criterion["code"]: criterion for criterion in report.projected["criteria"]}["countries"]
    assert countries["not_counted"] == [{"country": "AL", "reason": "third_not_associated"}]


def test_every_place_says_the_same(walked, owner_client, tmp_path, capsys):
    report = walked.eligibility_report
    stored = {"projected": report.projected, "confirmed": report.confirmed}

    # The CLI, given the same consortium, computes exactly what was stored.
    for mode in MODES:
        assert cli(mode, tmp_path, capsys) == stored[mode], mode

    # The panel, in each mode: the verdict, each criterion's status and every sentence about it.
    for mode in MODES:
        response = owner_client.get(
            reverse("alliances:eligibility", kwargs={"pk": walked.pk}), {"mode": mode}
        )
        markup, text = response.content.decode(), text_of(response)
        assert f'data-overall="{stored[mode]["status"]}"' in markup
        for criterion in stored[mode]["criteria"]:
            assert f'data-criterion="{criterion["code"]}" data-status="{criterion["status"]}"' in markup
            for sentence in sentences(criterion):
                assert sentence in text, (mode, criterion["code"], sentence)

    # The printable summary: both modes, one after the other, each criterion with its status and sentences.
    text = text_of(owner_client.get(reverse("alliances:summary", kwargs={"pk": walked.pk})))
    for mode in MODES:
        heading = f"Eligibility, {mode}: {STATUS_LABELS[stored[mode]['status']]}"
        assert heading in text
        section = text[text.index(heading) :]
        for criterion in stored[mode]["criteria"]:
            title = f"{CRITERION_TITLES[criterion['code']]}: {STATUS_LABELS[criterion['status']]}."
            assert title in section, (mode, title)
            for sentence in sentences(criterion)[1:]:
                assert sentence in section, (mode, criterion["code"], sentence)

    # The XLSX: its Eligibility sheet is the same rows the report gives, cell for cell.
    response = owner_client.get(reverse("alliances:export_xlsx", kwargs={"pk": walked.pk}))
    sheet = load_workbook(io.BytesIO(response.content))["Eligibility"]
    cells = [[value for value in row if value is not None] for row in sheet.iter_rows(values_only=True)]
    expected = [
        [value if isinstance(value, int) else str(value) for value in row if value not in (None, "")]
        for row in eligibility_rows(report)
    ]
    assert [row for row in cells if row] == [row for row in expected if row]
    for mode, evaluation in (("Projected", report.projected), ("Confirmed", report.confirmed)):
        rows = [row for row in cells if row and row[0] == mode][1:]  # after the verdict row
        assert len(rows) == len(evaluation["criteria"])
        for row, criterion in zip(rows, evaluation["criteria"], strict=True):
            assert criterion["message"] in row
            if criterion.get("pending") is not None:
                assert criterion["pending"] in row
            if criterion.get("not_counted"):
                assert not_counted_text(criterion["not_counted"]) in row
