"""Browser tests: headless Chromium (the system one) against live_server, with axe-core for accessibility."""

import json
from pathlib import Path

import pytest
from django.test import Client

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
# The screens of issue 15: a phone (touch) and a common laptop; and a small laptop, narrower than the width
# from which the eligibility panel sits beside the participants (1,200 px).
SCREENS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True},
    "laptop": {"viewport": {"width": 1366, "height": 768}},
    "small-laptop": {"viewport": {"width": 1100, "height": 800}},
}


def signed_in(context, live_server, user) -> None:
    """The browser context signed in as the user: the session cookie of a test client's sign-in."""
    client = Client()
    client.force_login(user)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    context.add_cookies([cookie])


# Below this width the builder's verdict is a bar at the bottom of the screen rather than the panel's top.
PANEL_BESIDE_FROM = 1200


@pytest.fixture
def directory(db):
    """A small directory to search, HEIs with a valid charter (set without signals: no check to run)."""
    from partners.models import Organisation
    from tests.factories import OrganisationFactory, country, org_type

    specs = [
        ("Universität Hamburg", "UHH", "DE", "higher-education-institution", "999900001", "D  HAMBURG01"),
        ("Lycée Professionnel Jean Moulin", "LPJM", "FR", "vet-provider", "", ""),
        ("Istituto Tecnico Superiore Meccatronico", "ITS Mecc", "IT", "vet-provider", "", ""),
        ("Fábrica Verde S.L.", "FV", "ES", "enterprise", "999900004", ""),
        ("Nachhaltig Lernen e.V.", "NaLe", "DE", "ngo", "", ""),
        ("Institut de Recherche Appliquée", "IRA", "FR", "research-institute", "", ""),
        ("Polmetal Sp. z o.o.", "Polmetal", "PL", "enterprise", "", ""),
        ("Advanced Manufacturing Skills Council", "AMSC", "IE", "sector-skills-council", "", ""),
    ]
    organisations = {}
    for name, acronym, code, slug, pic, erasmus in specs:
        organisations[acronym] = OrganisationFactory(
            legal_name=name,
            acronym=acronym,
            country=country(code),
            type=org_type(slug),
            pic=pic,
            erasmus_code=erasmus,
            city="",
            # The ones suggestions offer are curated; the others are as a coordinator typed them.
            verified=acronym in {"Polmetal", "AMSC"},
        )
    for organisation in organisations.values():
        status = "valid" if organisation.type.higher_education else "not_required"
        Organisation.objects.filter(pk=organisation.pk).update(eche_status=status)
    return organisations


@pytest.fixture
def axe_check(artifacts_dir):
    """Run axe-core on the current page; fail on serious or critical violations, and save the report."""
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"

    def check(page, name):
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations'],"
            " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        violations = [v for v in results["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        (artifacts_dir / f"axe-{name}.json").write_text(json.dumps(results["violations"], indent=2))
        summary = [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:5]) for v in violations]
        assert not violations, f"{name}: {summary}"

    return check
