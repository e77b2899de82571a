"""The participants' rows build their links by extending URLs reversed once per page (not per cell): each
link they show still leads where its name says, for a participant whose invitation is open and for one
never invited (a prefix that stopped matching would send every row's link to a 404)."""

import re

import pytest
from django.urls import resolve
from django.utils import timezone

from alliances.models import Participation, ParticipationStatus
from invitations.models import Invitation
from partners.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r'(?:href|hx-get|hx-post|action)="(/[^"]*)"')


def row_links(page: str, participation: Participation) -> dict[str, dict]:
    row = re.search(rf'<tr id="participation-{participation.pk}">.*?</tr>', page, re.S).group(0)
    links = {}
    for url in LINK.findall(row):
        match = resolve(url.split("?")[0])  # raises Resolver404 for a link that leads nowhere
        links[match.view_name] = match.kwargs
    return links


def test_each_rows_links_lead_to_its_own_pages(owner_client, proposal, add):
    invited = add(proposal, OrganisationFactory(hei=True, pic="999999999"), contact_email="a@example.org")
    Invitation.objects.create(
        participation=invited, email="a@example.org", expires_at=timezone.now() + timezone.timedelta(days=9)
    )
    Participation.objects.filter(pk=invited.pk).update(status=ParticipationStatus.INVITED)
    Organisation.objects.filter(pk=invited.organisation_id).update(eche_status="pending")  # its row polls
    never = add(proposal, OrganisationFactory(), contact_email="b@example.org")

    page = owner_client.get(f"/proposals/{proposal.pk}/").content.decode()

    own = {"pk": proposal.pk}
    for participation, expected in (
        (invited, {"invitations:resend", "invitations:revoke", "alliances:participation_eche"}),
        (never, {"invitations:send"}),
    ):
        links = row_links(page, participation)
        assert links["organisation_detail"] == {"pk": participation.organisation_id}
        for name in expected | {"alliances:participation_edit", "alliances:participation_remove"}:
            assert links[name] == {**own, "participation_id": participation.pk}, name
