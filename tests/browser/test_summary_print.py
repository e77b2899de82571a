"""In Chromium: the printable summary on an A4 page keeps names whole, within the page: a column may wrap
between words, never inside one ("Wirtschaftskam-mer" printed on two lines)."""

import pytest

from tests.browser.conftest import signed_in
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory, UserFactory, org_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [
    "Hochschule für Angewandte Wissenschaften München",
    "Wirtschaftskammer Kärnten",
    "Politechnika Łódzka",
    "Berufsbildungszentrum Oberösterreich",
    "Business Academy Copenhagen, Erhvervsakademi København",
    "Fachhochschulstudiengänge Burgenland Gesellschaft mbH",
]

# Each word of each cell in a span of its own (a hyphen ends one: "medium-" may end a line); a word split
# over two lines has two boxes.
WORDS_SPLIT = """() => {
  const split = [];
  for (const cell of document.querySelectorAll('.summary td[data-label]')) {
    cell.innerHTML = cell.textContent.trim().replace(/[^\\s-]+-?/g, (word) => `<span>${word}</span>`);
    for (const word of cell.querySelectorAll('span')) {
      if (word.getClientRects().length > 1) split.push(word.textContent);
    }
  }
  return split;
}"""


@pytest.mark.parametrize("width", [680, 720])  # A4 (and Letter) at 96 dpi, less a printer's margins
def test_names_are_printed_whole_on_a4(live_server, page, width):
    proposal = ProposalFactory(owner=UserFactory())
    for index, name in enumerate(NAMES):
        organisation = OrganisationFactory(
            legal_name=name, acronym="", pic=f"99999999{index}", type=org_type("enterprise")
        )
        ParticipationFactory(proposal=proposal, organisation=organisation)
    signed_in(page.context, live_server, proposal.owner)
    # An A4 page's printable width at 96 dpi, less the printer's margins.
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/summary/")
    page.emulate_media(media="print")
    assert page.evaluate(WORDS_SPLIT) == []
    # and the table within the page (kept whole, the names pushed it 56 px past the edge)
    assert page.evaluate("document.querySelector('.summary table').getBoundingClientRect().right") <= width
