"""The directory search finds what people type: with or without accents, in any case, with a typo, by name,
acronym, city, Erasmus code, PIC or OID; verified records first among the most similar. One selector for the
directory page, the builder's search and the records suggestions come from."""

import re
import time

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from partners import selectors
from partners.codes import fold_for_search
from partners.eche.list_reader import read_holder_list
from partners.models import Organisation, SearchWord
from partners.selectors import organisation_search
from partners.services import search_words_refresh
from tests.factories import OrganisationFactory, ProposalFactory, UserFactory, country

from .eche_helpers import APRIL_2026

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    return {
        "lodz": OrganisationFactory(
            verified=True,
            legal_name="POLITECHNIKA LODZKA",
            acronym="TUL",
            city="Łódź",
            country=country("PL"),
            erasmus_code="PL LODZ02",
            pic="999642182",
            oid="E10208565",
        ),
        "kobenhavn": OrganisationFactory(
            verified=True, legal_name="KOBENHAVNS UNIVERSITET", city="KOBENHAVN", country=country("DK")
        ),
        "munchen": OrganisationFactory(
            verified=True, legal_name="Hochschule für angewandte Wissenschaften München", city="München"
        ),
        "wien": OrganisationFactory(
            verified=True,
            legal_name="TECHNISCHE UNIVERSITAET WIEN",
            city="WIEN",
            country=country("AT"),
            erasmus_code="A  WIEN02",
        ),
        "copy": OrganisationFactory(legal_name="Politechnika Łódzka (typed again)", country=country("PL")),
        "other": OrganisationFactory(legal_name="Green Skills Europe", city="Brussels"),
    }


def found(query, **filters) -> list[str]:
    return [o.legal_name for o in organisation_search(query=query, **filters)]


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("Politechnika Łódzka", "lodz"),  # with the accents the list leaves out
        ("politechnika lodzka", "lodz"),
        ("POLITECHNIKA", "lodz"),
        ("lodz", "lodz"),  # the city, typed without its accents
        ("TUL", "lodz"),  # the acronym
        ("pl lodz02", "lodz"),  # the Erasmus code, however it is spaced
        ("PL  LODZ02", "lodz"),
        ("999642182", "lodz"),  # the PIC
        ("99964", "lodz"),  # its beginning
        ("e10208565", "lodz"),  # the OID
        ("Københavns Universitet", "kobenhavn"),
        ("hochschule fur angewandte wissenschaften munchen", "munchen"),
        ("HOCHSCHULE FÜR ANGEWANDTE WISSENSCHAFTEN MÜNCHEN", "munchen"),
        ("Munchen", "munchen"),
        ("MUENCHEN", "munchen"),  # the umlaut written out
        ("PLLODZ02", "lodz"),  # the Erasmus code without its spaces
        ("pllodz", "lodz"),
        ("Technische Universität Wien", "wien"),  # the list writes TECHNISCHE UNIVERSITAET WIEN
        ("technische universitat wien", "wien"),
        ("Technische Universitaet", "wien"),
        ("AWIEN02", "wien"),
    ],
)
def test_accents_case_and_identifiers(directory, query, key):
    assert directory[key].legal_name in found(query)


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("politechnka lodzka", "lodz"),  # a letter left out
        ("politechinka lodzka", "lodz"),  # two swapped
        ("kobenhavns universitat", "kobenhavn"),  # a typo that is a word of another record (Wien's)
        ("hochshule munchen", "munchen"),
    ],
)
@pytest.mark.parametrize("words", ["refreshed", "not refreshed yet"])
def test_a_typo_is_tolerated(directory, query, key, words):
    if words == "refreshed":  # the nearest of the directory's words; else a similar word in the records
        search_words_refresh()
    assert directory[key].legal_name in found(query)


def test_the_directory_words_are_the_searched_words_as_they_are_now(directory):
    # Given the directory's words built from its records
    search_words_refresh()
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"politechnika", "lodzka", "lodz", "kobenhavns", "munchen", "tul"} <= words
    assert not {word for word in words if len(word) < 3 or any(c.isdigit() for c in word)}  # PIC, OID, codes

    # When a record is renamed and another deleted, and the words rebuilt (twice: nothing to change)
    directory["other"].delete()
    directory["kobenhavn"].legal_name = "Københavns Professionshøjskole"
    directory["kobenhavn"].save()
    search_words_refresh()
    search_words_refresh()

    # Then the words gone from every record are gone, and the new ones are in
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert "professionshojskole" in words and "kobenhavns" in words
    assert not {"green", "skills", "europe", "universitet"} & words


@pytest.mark.parametrize(
    ("query", "meant"),
    [
        ("Tampreen", "Tampereen ammattikorkeakoulu"),  # one word, a letter left out
        ("Pedagogiscch", "Pädagogische Hochschule Linz"),  # one added
        ("hochsuchle linz", "Pädagogische Hochschule Linz"),  # two swapped, with a word that appears
    ],
)
def test_a_one_word_typo_is_found_through_the_directory_words(query, meant):
    OrganisationFactory(legal_name="Tampereen ammattikorkeakoulu", city="Tampere", country=country("FI"))
    OrganisationFactory(legal_name="Pädagogische Hochschule Linz", city="Linz", country=country("AT"))
    OrganisationFactory(legal_name="Tamm AS", city="Tallinn", country=country("EE"))
    search_words_refresh()

    assert found(query)[0] == meant


@pytest.mark.parametrize("query", ["123456789", "999642183", "E10208566", "PL LODZ03"])
def test_an_identifier_no_record_holds_finds_nothing_rather_than_similar_digits(directory, query):
    search_words_refresh()
    assert found(query) == []


def test_without_a_query_verified_records_come_first_then_names_as_people_read_them(directory):
    OrganisationFactory(legal_name="école supérieure d'art", verified=True, country=country("FR"))
    OrganisationFactory(legal_name="Zürcher Hochschule", verified=True, country=country("CH"))
    OrganisationFactory(legal_name="=HYPERLINK(1)", country=country("DE"))

    names = found("")

    verified = [o.legal_name for o in Organisation.objects.filter(verified=True)]
    assert set(names[: len(verified)]) == set(verified)  # verified first
    assert names.index("école supérieure d'art") < names.index("Zürcher Hochschule")  # not after Z


def test_the_directory_page_says_when_it_lists_only_the_most_similar(client):
    OrganisationFactory.create_batch(60, legal_name=factory_names())
    client.force_login(UserFactory())

    page = client.get(reverse("partners:organisation_list"), {"q": "Akademia Sztuk"}).content.decode()

    assert "The 50 organisations most similar to the search; refine it to see others." in page


def test_where_the_search_lists_every_match_the_page_does_not_say_only_the_most_similar(client, monkeypatch):
    """Elsewhere than on PostgreSQL (`make run`'s SQLite) every record holding the words is listed: "The 201
    organisations most similar…; refine it to see others" said records were hidden when none were."""
    OrganisationFactory.create_batch(60, legal_name=factory_names())
    client.force_login(UserFactory())
    monkeypatch.setattr(connection, "vendor", "sqlite")  # the selector's path without trigrams

    page = client.get(reverse("partners:organisation_list"), {"q": "Akademia Sztuk"}).content.decode()

    assert "most similar" not in page
    assert "60 organisations" in page


def test_a_record_newer_than_the_directory_words_is_found_misspelt_too(directory):
    search_words_refresh()
    OrganisationFactory(legal_name="Vilniaus Gedimino technikos universitetas", country=country("LT"))

    assert not SearchWord.objects.filter(word="gedimino").exists()
    assert found("Vilniaus Gedmino")[0] == "Vilniaus Gedimino technikos universitetas"


def test_verified_records_come_first_and_unrelated_ones_not_at_all(directory):
    results = found("Politechnika Łódzka")

    assert results[0] == "POLITECHNIKA LODZKA"
    assert "Politechnika Łódzka (typed again)" in results
    assert "Green Skills Europe" not in results and "KOBENHAVNS UNIVERSITET" not in results


def test_a_records_acronym_typed_as_it_is_comes_first_among_the_verified():
    """The acronym of Technische Universität Berlin is "TU Berlin": it came after names holding both words."""
    for name, acronym in [
        ("KUNSTHOCHSCHULE BERLIN-WEISSENSEE", "KHB"),
        ("Technische Universität Berlin", "TU Berlin"),
        ("TU Berlin Alumni Network", ""),
    ]:
        OrganisationFactory(verified=True, legal_name=name, acronym=acronym, city="Berlin")
    # More Berlin records than the search ranks, all shorter: TU Berlin was not even among the candidates.
    for index in range(selectors.MOST_SIMILAR + 10):
        OrganisationFactory(verified=True, legal_name=f"Berlin {index:02d}", acronym="", city="")

    assert found("tu berlin")[0] == "Technische Universität Berlin"
    assert found("TU BERLIN")[0] == "Technische Universität Berlin"


@pytest.mark.parametrize("sqlite", [False, True])
def test_a_verified_records_acronym_typed_comes_first_an_unverified_ones_after_the_verified(
    sqlite, monkeypatch
):
    """ "RIV" listed Robotica Industriale Veneta (RIV) after verified names with a word starting so; "DI-U",
    too short for trigrams, found nothing at all (found on a phone walkthrough). An unverified record gets no
    such place: anyone may give one of their own the acronym "Sorbonne" (found by a review)."""
    for name in ["IES Martín Rivero", "LEGTA DE CROIX-RIVAIL", "Rivista Scuola", "Sorbonne Université"]:
        OrganisationFactory(verified=True, legal_name=name, acronym="")
    OrganisationFactory(verified=True, legal_name="Robotica Industriale Veneta", acronym="RIV")
    OrganisationFactory(verified=False, legal_name="Vandal Works", acronym="Sorbonne")
    OrganisationFactory(verified=True, legal_name="Diakonie Unterricht", acronym="")
    OrganisationFactory(verified=False, legal_name="Dansk Industri Uddannelse", acronym="DI-U")
    if sqlite:

        class SQLite:
            vendor = "sqlite"

        monkeypatch.setattr(selectors, "connection", SQLite())

    assert found("RIV")[0] == "Robotica Industriale Veneta"
    assert found("riv")[0] == "Robotica Industriale Veneta"
    assert found("Sorbonne")[:2] == ["Sorbonne Université", "Vandal Works"]
    assert found("DI-U") == ["Dansk Industri Uddannelse"]
    assert found("di-u") == ["Dansk Industri Uddannelse"]


def test_records_the_query_names_come_before_those_holding_it_inside_a_word():
    """ "dansk" listed every verified GDANSK university before DANSK INDUSTRI, the one meant."""
    for name in ["POLITECHNIKA GDANSKA", "UNIWERSYTET GDANSKI", "SYDDANSK UNIVERSITET"]:
        OrganisationFactory(verified=True, legal_name=name)
    OrganisationFactory(verified=False, legal_name="Dansk Industri Uddannelse")
    OrganisationFactory(verified=True, legal_name="DEN DANSKE FILMSKOLE")

    assert found("dansk")[:2] == ["DEN DANSKE FILMSKOLE", "Dansk Industri Uddannelse"]


@pytest.mark.parametrize(
    ("query", "meant"),
    [("aalto university", "AALTO-KORKEAKOULUSAATIO SR"), ("lodz university", "UNIWERSYTET LODZKI")],
)
def test_a_name_put_in_other_words_finds_the_records_its_rarer_words_name(query, meant):
    """No record holds both words, and the typo guess took "aalto" for a misspelling: PROFESSIONSHOJSKOLEN
    UNIVERSITY COLLEGE came first, and AALTO not at all."""
    OrganisationFactory(verified=True, legal_name="AALTO-KORKEAKOULUSAATIO SR", city="ESPOO")
    OrganisationFactory(verified=True, legal_name="UNIWERSYTET LODZKI", city="LODZ")
    OrganisationFactory(verified=True, legal_name="POLITECHNIKA LODZKA", city="LODZ")
    for index in range(5):
        OrganisationFactory(verified=True, legal_name=f"PROFESSIONSHOJSKOLEN UNIVERSITY COLLEGE {index}")
        OrganisationFactory(verified=True, legal_name=f"LOGOS UNIVERSITY COLLEGE {index}")

    assert found(query)[0] == meant


def test_a_rare_word_of_a_query_of_common_ones_is_taken_for_the_typo():
    """Not for a name put in other words: "technische universitat graf" ranked the records holding
    "universitat" and "graf" and lost TU Graz."""
    OrganisationFactory(verified=True, legal_name="TECHNISCHE UNIVERSITAET GRAZ", city="GRAZ")
    OrganisationFactory(verified=True, legal_name="KARL-FRANZENS-UNIVERSITAET GRAZ", city="GRAZ")
    OrganisationFactory(verified=True, legal_name="Grafische Universitat Design")
    for index in range(5):
        OrganisationFactory(verified=True, legal_name=f"TECHNISCHE HOCHSCHULE {index}")
    search_words_refresh()

    assert found("technische universitat graf")[0] == "TECHNISCHE UNIVERSITAET GRAZ"


def test_at_most_the_fifty_most_similar(directory):
    OrganisationFactory.create_batch(60, legal_name=factory_names())

    assert len(found("Akademia Sztuk")) == selectors.MOST_SIMILAR


def test_a_typo_among_many_records_with_the_other_words_finds_the_one_meant_first(directory):
    OrganisationFactory.create_batch(60, legal_name=factory_names())
    OrganisationFactory(legal_name="Akademia Sztuk Pięknych w Krakowie", country=country("PL"))

    assert found("Akademia Sztuk Pieknych Krakowei")[0] == "Akademia Sztuk Pięknych w Krakowie"


def factory_names():
    import factory

    return factory.Sequence(lambda n: f"Akademia Sztuk Pięknych {n}")


def test_filters_apply_with_a_query(directory):
    assert found("lodz", country="PL") == ["POLITECHNIKA LODZKA", "Politechnika Łódzka (typed again)"]
    assert found("lodz", country="DE") == []


def test_a_query_too_short_for_trigrams_finds_names_that_start_so(directory):
    assert found("po") == ["POLITECHNIKA LODZKA", "Politechnika Łódzka (typed again)"]
    assert found("gr") == ["Green Skills Europe"]


def test_without_postgresql_every_word_must_appear_accents_folded(directory, monkeypatch):
    """SQLite (`make run`): the same folded column, no typo tolerance."""

    class SQLite:
        vendor = "sqlite"

    monkeypatch.setattr(selectors, "connection", SQLite())

    assert found("lodzka politechnika") == ["POLITECHNIKA LODZKA", "Politechnika Łódzka (typed again)"]
    assert found("Københavns") == ["KOBENHAVNS UNIVERSITET"]
    assert found("politechnka") == []
    # Those the query names first, the shortest names first: not A to Z.
    OrganisationFactory(verified=True, legal_name="AKADEMIE DER BILDENDEN KUNSTE WIEN", city="WIEN")
    OrganisationFactory(verified=True, legal_name="UNIVERSITAT WIEN", city="WIEN")
    OrganisationFactory(verified=True, legal_name="CEU GMBH", city="WIEN")
    assert found("wien") == [
        "UNIVERSITAT WIEN",
        "TECHNISCHE UNIVERSITAET WIEN",
        "AKADEMIE DER BILDENDEN KUNSTE WIEN",
        "CEU GMBH",
    ]


def test_the_search_text_follows_every_save(directory):
    organisation = directory["other"]
    organisation.city = "Ålesund"
    organisation.save(update_fields=["city"])

    assert found("alesund") == ["Green Skills Europe"]
    assert Organisation.objects.get(pk=organisation.pk).search_text.endswith("alesund")


@given(st.text(max_size=40))
def test_folding_is_idempotent_and_leaves_only_plain_words(text):
    folded = fold_for_search(text)
    assert fold_for_search(folded) == folded
    assert folded == folded.strip() and "  " not in folded


def test_folding_agrees_with_postgresqls_unaccent_on_every_name_of_the_april_list():
    """Python folds for both databases; PostgreSQL's own `unaccent` must give the same words."""
    names = sorted({h.legal_name for h in read_holder_list(APRIL_2026, filename=APRIL_2026.name).holders})
    names += ["Łódź Straße Øresund Æbeltoft Œuvre Þingvellir Đakovo Kırıkkale"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT unaccent(lower(name)) FROM unnest(%s::text[]) AS name", [names])
        unaccented = [row[0] for row in cursor.fetchall()]
    differing = [
        (name, fold_for_search(name), fold_for_search(other))
        for name, other in zip(names, unaccented, strict=True)
        if fold_for_search(name) != fold_for_search(other)
    ]
    assert differing == []


def test_the_directory_page_and_the_builders_search_use_it(client, directory):
    proposal = ProposalFactory()
    client.force_login(proposal.owner)

    page = client.get(reverse("partners:organisation_list"), {"q": "Politechnika Łódzka"}).content.decode()
    search = client.get(
        reverse("alliances:organisation_search", args=[proposal.pk]), {"q": "politechnka lodzka"}
    ).content.decode()

    for html in (page, search):
        assert "POLITECHNIKA LODZKA" in html and "Green Skills Europe" not in html


def test_a_typo_too_far_for_its_word_is_found_through_the_other_words():
    """ "chmabre" keeps a third of "chambre"'s trigrams: below the threshold; the other words find it."""
    OrganisationFactory(legal_name="Chambre de commerce et d'industrie de Nîmes", country=country("FR"))
    OrganisationFactory(legal_name="Chambre de commerce et d'industrie de Namur", country=country("BE"))

    assert (
        found("Chmabre de commerce et d'industrie de Nîmes")[0]
        == "Chambre de commerce et d'industrie de Nîmes"
    )
    assert found("Chmabre xyzzyq") == []  # no word right: nothing


def test_tuning_the_search_needs_rights_it_may_not_have_and_never_fails_the_migration(caplog):
    """Without the right to alter pg_trgm's functions or the database, the migration warns and goes on."""
    import importlib

    migration = importlib.import_module("partners.migrations.0009_directory_search")
    with connection.schema_editor() as schema_editor:
        assert not migration.tune(schema_editor, "ALTER FUNCTION no_such_function(text) COST 100")
        assert migration.tune(schema_editor, "ALTER FUNCTION word_similarity(text, text) COST 100")
    assert "Directory search tuning skipped (ALTER FUNCTION no_such_function(text) COST 100)" in caplog.text


def filter_options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_the_search_forms_list_the_countries_that_have_organisations_and_follow_the_directory(
    client, directory, monkeypatch
):
    """The builder and the directory page list the countries that have organisations (a short list) and every
    type, "any" first; the lists are cached briefly (a minute), so a country's first organisation shows there
    once that time is up."""
    from partners import forms

    monkeypatch.setattr(forms, "FILTER_LISTS_SECONDS", 1)
    proposal = ProposalFactory()
    client.force_login(proposal.owner)
    pages = (reverse("alliances:builder", args=[proposal.pk]), reverse("partners:organisation_list"))

    for url in pages:
        html = client.get(url).content.decode()
        countries = filter_options(html, "country")
        assert countries[0] == ("", "Any country")
        assert {"PL", "DK", "DE"} <= {code for code, _name in countries}
        assert "IS" not in {code for code, _name in countries}
        types = filter_options(html, "type")
        assert types[0] == ("", "Any type") and ("ngo", "Non-governmental organisation") in types
        assert filter_options(html, "eche")[0] == ("", "Any ECHE status")

    OrganisationFactory(legal_name="Háskóli Íslands", country=country("IS"), verified=True)
    time.sleep(1.5)  # the lists' time in the cache, shortened to a second
    for url in pages:
        countries = filter_options(client.get(url).content.decode(), "country")
        assert ("IS", "Iceland") in countries

    # A filter chosen from the list finds what it says.
    search = client.get(
        reverse("alliances:organisation_search", args=[proposal.pk]), {"q": "haskoli", "country": "IS"}
    ).content.decode()
    assert "Háskóli Íslands" in search


@pytest.mark.parametrize("query", ["%", "'", '"', "😀", "-- ;"])
def test_a_query_of_punctuation_or_symbols_finds_nothing_rather_than_everything(directory, query):
    assert found(query) == []
    assert len(found("")) == len(directory)  # nothing typed: the whole directory, by name


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"q": "x" * 201}, "Search: Ensure this value has at most 200 characters"),
        ({"q": "berlin", "country": "ZZ"}, "Country: Select a valid choice"),
        ({"q": "berlin", "eche": "bogus"}, "ECHE status: Select a valid choice"),
        ({"type": "no-such-type"}, "Type: Select a valid choice"),
    ],
)
def test_a_search_that_cannot_run_says_why_and_lists_nothing(client, directory, params, said):
    user = UserFactory()
    client.force_login(user)
    proposal = ProposalFactory(owner=user)
    pages = {
        "directory": reverse("partners:organisation_list"),
        "builder search": reverse("alliances:organisation_search", args=[proposal.pk]),
    }
    for name, url in pages.items():
        page = client.get(url, params, HTTP_HX_REQUEST="true").content.decode()
        assert "This search cannot run" in page, name
        assert said in page.replace("&#x27;", "'"), (name, page)
        assert "POLITECHNIKA LODZKA" not in page and "Green Skills Europe" not in page, name


def test_a_country_code_in_any_case_filters(client, directory):
    client.force_login(UserFactory())
    page = client.get(reverse("partners:organisation_list"), {"country": "pl"}).content.decode()
    assert "POLITECHNIKA LODZKA" in page and "Select a valid choice" not in page


def test_the_admins_organisation_list_finds_records_as_the_directory_search_does(admin_client):
    """The change list's own search is Django's `icontains`: "universite" missed "Université", and a code
    typed without its spaces ("pllodz02") missed its record (a curator would then add it again)."""
    lodz = OrganisationFactory(legal_name="Politechnika Łódzka", city="Łódź", erasmus_code="PL LODZ02")
    nantes = OrganisationFactory(legal_name="Université de Nantes", country=country("FR"), city="Nantes")

    def listed(term):
        response = admin_client.get(reverse("admin:partners_organisation_changelist"), {"q": term})
        return sorted(organisation.pk for organisation in response.context["cl"].result_list)

    assert listed("politechnika lodzka") == [lodz.pk]
    assert listed("pllodz02") == listed("PL LODZ02") == [lodz.pk]
    assert listed("universite nantes") == listed("Université") == [nantes.pk]
