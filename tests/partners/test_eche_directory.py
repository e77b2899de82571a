"""Every holder of an imported ECHE list becomes a verified directory record: matched, never duplicated,
never overwriting a curator's edit, with what the list gets wrong reported rather than failing the import."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from partners import curation
from partners.eche.list_storage import import_job_run
from partners.forms import OrganisationForm
from partners.models import (
    ChangeRequestOrigin,
    ChangeRequestStatus,
    EcheImportJob,
    EcheStatus,
    Organisation,
    OrganisationChangeRequest,
)
from tests.factories import OrganisationFactory, country, org_type

from .eche_helpers import APRIL_2026, D, import_list, write_rows

pytestmark = pytest.mark.django_db

VALID = (D(2021, 1, 1), D(2029, 12, 31))
HEADER = [
    "Erasmus Code",
    "PIC",
    "OID",
    "Legal Name",
    "City",
    "Country Cd",
    "Website Url",
    "Eche Start",
    "Eche End",
]
TUB = (
    "D  BERLIN02",
    "999986678",
    "E10209450",
    "TECHNISCHE UNIVERSITAT BERLIN",
    "BERLIN",
    "DE",
    "www.tu-berlin.de",
)
LODZ = ("PL LODZ02", "999642182", "E10208565", "POLITECHNIKA LODZKA", "LODZ", "PL", "http://www.p.lodz.pl")


def write(path, holders):
    return write_rows(path, HEADER, [(*holder, *VALID) for holder in holders])


def imported(tmp_path, holders, name="list.xlsx", **kwargs):
    return import_list(write(tmp_path / name, holders), records=True, **kwargs)


def record(erasmus_code):
    return Organisation.objects.select_related("type").get(erasmus_code=erasmus_code)


def test_every_holder_of_the_april_2026_list_is_a_verified_record(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the re-check after the import
        eche_list = import_list(APRIL_2026, records=True)

    report = eche_list.directory_report
    assert Organisation.objects.filter(verified=True).count() == report["created"] == 6142
    assert set(Organisation.objects.values_list("type__slug", flat=True)) == {"higher-education-institution"}
    tub = record("D  BERLIN02")
    assert (tub.legal_name, tub.pic, tub.oid, tub.city, tub.country_id) == (
        "TECHNISCHE UNIVERSITAT BERLIN",
        "999986678",
        "E10209450",
        "BERLIN",
        "DE",
    )
    assert tub.website == "http://www.tu-berlin.de"
    assert tub.eche_status == EcheStatus.VALID
    # The one OID two holders share stays on neither, and is reported with both rows.
    assert not Organisation.objects.filter(oid="E10099124").exists()
    shared = [p for p in report["problems"] if "E10099124" in p["reason"]]
    assert [p["row"] for p in shared] == [2876, 4444]
    # Websites that are not addresses are left out and reported: the records are still made.
    bad_sites = {p["row"] for p in report["problems"] if p["reason"].startswith("website")}
    assert bad_sites == {2056, 2349, 3701, 4002, 4432}
    assert len(report["problems"]) == 7
    # Every holder has its identifiers on its record.
    with_codes = Organisation.objects.exclude(erasmus_code="").count()
    assert with_codes == 6142


def test_a_record_someone_typed_is_matched_not_duplicated_and_keeps_its_spelling(tmp_path):
    typed = OrganisationFactory(
        hei=True,
        legal_name="Technische Universität Berlin",
        acronym="TU Berlin",
        city="Berlin",
        website="https://www.tu-berlin.de/",
        erasmus_code="D BERLIN02",
    )

    eche_list = imported(tmp_path, [TUB])

    assert Organisation.objects.count() == 1
    typed.refresh_from_db()
    assert typed.verified
    assert (typed.pic, typed.oid) == ("999986678", "E10209450")  # what it lacked, filled
    # Capitals without accents, an address without its scheme: the same, so its own spelling stays.
    assert typed.legal_name == "Technische Universität Berlin" and typed.city == "Berlin"
    assert typed.website == "https://www.tu-berlin.de/"
    assert not OrganisationChangeRequest.objects.exists()
    assert eche_list.directory_report | {"problems": []} == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "requests": 0,
        "superseded": 0,
        "problems": [],
    }


def test_a_record_holding_something_else_gets_a_change_request_once(tmp_path):
    typed = OrganisationFactory(
        hei=True, legal_name="TU of Berlin", city="Berlin", erasmus_code="D  BERLIN02"
    )

    imported(tmp_path, [TUB])
    imported(tmp_path, [TUB], name="again.xlsx")  # the same list again asks nothing new

    typed.refresh_from_db()
    assert typed.legal_name == "TU of Berlin"
    request = OrganisationChangeRequest.objects.get()
    assert request.origin == ChangeRequestOrigin.ECHE_LIST
    assert request.status == ChangeRequestStatus.PENDING
    assert request.changes == {"legal_name": {"old": "TU of Berlin", "new": "TECHNISCHE UNIVERSITAT BERLIN"}}
    assert request.context.startswith("ECHE list “list.xlsx”")


def test_a_record_that_took_a_holders_identifier_is_not_verified_with_its_own_name(tmp_path, admin_user):
    """Anyone could make a record with the PIC of a holder not listed yet, under a name and a website of their
    own: the next list verified it as it was, and suggested it to every coordinator. It stays unverified
    until a curator approves what the list says."""
    junk = OrganisationFactory(
        hei=True, legal_name="!!! Best Partner University", website="https://evil.example", pic="999986678"
    )

    eche_list = imported(tmp_path, [TUB])

    junk.refresh_from_db()
    assert not junk.verified
    assert (junk.legal_name, junk.website) == ("!!! Best Partner University", "https://evil.example")
    assert (junk.erasmus_code, junk.oid) == ("D  BERLIN02", "E10209450")  # what it lacked, filled
    assert eche_list.directory_report["requests"] == 1
    imported(tmp_path, [TUB], name="again.xlsx")
    junk.refresh_from_db()
    assert not junk.verified  # the same list again: still waiting for the curator

    request = OrganisationChangeRequest.objects.get(organisation=junk)
    curation.change_request_approve(change_request_id=request.pk, reviewer=admin_user)
    junk.refresh_from_db()
    assert junk.verified
    assert (junk.legal_name, junk.website) == ("TECHNISCHE UNIVERSITAT BERLIN", "http://www.tu-berlin.de")


def test_a_record_no_one_verified_keeps_its_own_spelling_only_without_signs_the_list_lacks(tmp_path):
    typed = OrganisationFactory(hei=True, legal_name="Technische Universität Berlin", pic="999986678")
    junk = OrganisationFactory(hei=True, legal_name="Universität -- Bremen!!!", pic="999900111")
    bremen = ("D  BREMEN01", "999900111", "", "UNIVERSITAET BREMEN", "BREMEN", "DE", "")

    imported(tmp_path, [TUB, bremen])

    typed.refresh_from_db()
    junk.refresh_from_db()
    assert typed.verified and typed.legal_name == "Technische Universität Berlin"
    assert not junk.verified and junk.legal_name == "Universität -- Bremen!!!"
    request = OrganisationChangeRequest.objects.get(organisation=junk)
    assert request.changes["legal_name"]["new"] == "UNIVERSITAET BREMEN"


@pytest.mark.parametrize("unvouched", ["website the list lacks", "not a university"])
def test_a_record_showing_what_the_list_does_not_vouch_for_is_not_verified(tmp_path, unvouched):
    """The list row had no website: a record with the holder's PIC, its name and a website of its own (or
    the type "enterprise") came out verified."""
    holder = (*TUB[:6], "")  # no website in the list
    junk = OrganisationFactory(
        hei=unvouched != "not a university",
        legal_name="TECHNISCHE UNIVERSITAT BERLIN",
        city="BERLIN",
        website="https://evil.example" if unvouched == "website the list lacks" else "",
        pic="999986678",
    )

    imported(tmp_path, [holder])

    junk.refresh_from_db()
    assert not junk.verified


def test_a_later_list_updates_what_it_gave_but_never_a_curators_edit(tmp_path):
    imported(tmp_path, [TUB])
    tub = record("D  BERLIN02")
    tub.city = "Berlin-Charlottenburg"  # a curator's edit
    tub.save()

    corrected = (*TUB[:3], "TECHNISCHE UNIVERSITAT ZU BERLIN", "BERLIN (DE)", "DE", "https://www.tu.berlin")
    eche_list = imported(tmp_path, [corrected], name="later.xlsx")

    tub.refresh_from_db()
    assert tub.legal_name == "TECHNISCHE UNIVERSITAT ZU BERLIN"  # the list corrected itself: followed
    assert tub.website == "https://www.tu.berlin"
    assert tub.city == "Berlin-Charlottenburg"  # the curator's: kept, the list's value is a request
    request = OrganisationChangeRequest.objects.get(organisation=tub)
    assert request.changes == {"city": {"old": "Berlin-Charlottenburg", "new": "BERLIN (DE)"}}
    assert eche_list.directory_report["requests"] == 1


def test_a_field_a_curator_emptied_stays_empty_and_the_list_asks(tmp_path):
    """Emptied is an edit too: the same list again under a newer name refilled the city and the website a
    curator had cleared, with no request, and counted the record as updated."""
    imported(tmp_path, [TUB])
    tub = record("D  BERLIN02")
    tub.city, tub.website = "", ""  # a curator's edit
    tub.save()

    eche_list = imported(tmp_path, [TUB], name="later.xlsx")

    tub.refresh_from_db()
    assert (tub.city, tub.website) == ("", "")
    request = OrganisationChangeRequest.objects.get(organisation=tub)
    assert request.changes == {
        "city": {"old": "", "new": "BERLIN"},
        "website": {"old": "", "new": "http://www.tu-berlin.de"},
    }
    assert eche_list.directory_report | {"problems": []} == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
        "requests": 1,
        "superseded": 0,
        "problems": [],
    }


def test_a_record_whose_list_row_alone_moved_counts_as_unchanged(tmp_path):
    """A later list leaving an identifier out changes nothing on the record (it keeps its OID): it was
    counted as updated."""
    imported(tmp_path, [TUB])
    without_oid = (*TUB[:2], "", *TUB[3:])

    eche_list = imported(tmp_path, [without_oid], name="later.xlsx")

    assert record("D  BERLIN02").oid == "E10209450"
    assert (eche_list.directory_report["updated"], eche_list.directory_report["unchanged"]) == (0, 1)


def test_identifiers_never_move_to_another_record_nor_change_silently(tmp_path):
    other = OrganisationFactory(legal_name="Another Org", pic="999986678")
    tub = OrganisationFactory(
        hei=True, legal_name="Technische Universität Berlin", erasmus_code="D  BERLIN02"
    )
    tub_oid = OrganisationFactory(hei=True, legal_name="TU Berlin twin", oid="E99999999")

    eche_list = imported(tmp_path, [TUB, (*LODZ[:2], "E99999999", *LODZ[3:])])

    tub.refresh_from_db()
    other.refresh_from_db()
    assert tub.pic == "" and other.pic == "999986678"  # the PIC another record holds: left out
    assert tub.oid == "E10209450"
    lodz = tub_oid.__class__.objects.get(pic="999642182")
    # The holder's OID matched the twin: it is that record, which takes what it lacks but its name is asked.
    assert lodz.pk == tub_oid.pk and lodz.erasmus_code == "PL LODZ02"
    reasons = [p["reason"] for p in eche_list.directory_report["problems"]]
    assert any("PIC 999986678 belongs to another record (Another Org)" in reason for reason in reasons)


def test_a_holder_missing_from_a_newer_list_keeps_its_record_as_not_found(
    tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        imported(tmp_path, [TUB, LODZ])
    assert record("PL LODZ02").eche_status == EcheStatus.VALID
    with django_capture_on_commit_callbacks(execute=True):
        imported(tmp_path, [TUB], name="newer.xlsx")

    lodz = record("PL LODZ02")
    assert lodz.verified and lodz.eche_status == EcheStatus.NOT_FOUND
    assert record("D  BERLIN02").eche_status == EcheStatus.VALID


def test_what_the_list_gets_wrong_is_left_out_and_reported_never_failing_the_import(tmp_path):
    holders = [
        (*TUB[:6], "http//www.tu-berlin.de"),
        ("PL LODZ02", "999642182", "", "POLITECHNIKA\u202e LODZKA", "LODZ", "PL", ""),
        ("F  PARIS001", "", "", "UNIVERSITE PARIS", "PARIS\u200b", "FR", "www.paris.fr"),
    ]

    eche_list = imported(tmp_path, holders)

    assert record("D  BERLIN02").website == ""
    assert not Organisation.objects.filter(pic="999642182").exists()  # no usable name: no record
    assert record("F  PARIS001").city == ""
    reasons = {p["row"]: p["reason"] for p in eche_list.directory_report["problems"]}
    assert "is not a web address" in reasons[2]
    assert "no directory record" in " ".join(
        p["reason"] for p in eche_list.directory_report["problems"] if p["row"] == 3
    )
    assert "invisible character" in reasons[4]


def test_the_admin_upload_and_the_command_report_the_directory(tmp_path, admin_user):
    path = write(tmp_path / "list.xlsx", [TUB, (*LODZ[:6], "not a site")])
    job = EcheImportJob.objects.create(filename=path.name, content=path.read_bytes(), uploaded_by=admin_user)

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert "2 verified directory records created, 0 updated" in job.message
    assert "Row 3, directory: website “not a site” is not a web address: left out" in job.message
    out = io.StringIO()
    call_command("import_eche_list", str(path), stdout=out)
    assert "0 verified directory records created, 0 updated, 2 unchanged" in out.getvalue()


def test_an_existing_record_keeps_its_type(tmp_path):
    vet = OrganisationFactory(
        type=org_type("vet-provider"), legal_name="POLITECHNIKA LODZKA", country=country("PL")
    )
    vet.erasmus_code = "PL LODZ02"
    vet.save()

    imported(tmp_path, [LODZ])

    vet.refresh_from_db()
    assert vet.type.slug == "vet-provider"  # an existing record keeps its type
    assert record("PL LODZ02").pk == vet.pk


def test_the_admin_shows_what_an_import_did_to_the_directory(tmp_path, admin_client):
    eche_list = imported(tmp_path, [TUB, (*LODZ[:6], "not a site")])

    page = admin_client.get(f"/admin/partners/echelist/{eche_list.pk}/change/").content.decode()

    assert "2 verified directory records created" in page
    assert "Row 3, directory: website “not a site” is not a web address: left out" in page


def test_a_curators_rejection_stands_when_the_next_list_says_the_same(tmp_path):
    OrganisationFactory(hei=True, legal_name="TU of Berlin", city="Berlin", erasmus_code="D  BERLIN02")
    imported(tmp_path, [TUB])
    OrganisationChangeRequest.objects.update(status=ChangeRequestStatus.REJECTED)

    eche_list = imported(tmp_path, [TUB], name="again.xlsx")

    assert OrganisationChangeRequest.objects.count() == 1  # not asked again
    assert eche_list.directory_report["requests"] == 0


def test_a_newer_list_closes_what_an_earlier_one_asked_and_it_no_longer_asks(tmp_path, admin_client):
    """An earlier list's correction stayed waiting after a newer list said otherwise: a curator approving it
    brought the outdated value back."""
    typed = OrganisationFactory(
        hei=True, legal_name="TU of Berlin", city="Berlin", erasmus_code="D  BERLIN02"
    )
    imported(tmp_path, [TUB])
    first = OrganisationChangeRequest.objects.get()
    assert first.changes == {"legal_name": {"old": "TU of Berlin", "new": "TECHNISCHE UNIVERSITAT BERLIN"}}

    # The newer list spells the name as the record does: nothing to ask; the earlier request is closed.
    agreeing = (*TUB[:3], "TU of Berlin", *TUB[4:])
    eche_list = imported(tmp_path, [agreeing], name="newer.xlsx")

    first.refresh_from_db()
    assert first.status == ChangeRequestStatus.SUPERSEDED
    assert "newer.xlsx" in first.review_note and first.reviewed_by is None
    assert eche_list.directory_report["superseded"] == 1
    assert (
        "corrections it no longer asks for, closed: 1"
        in admin_client.get(f"/admin/partners/echelist/{eche_list.pk}/change/").content.decode()
    )
    typed.refresh_from_db()
    assert typed.legal_name == "TU of Berlin"
    with pytest.raises(ValidationError):  # nobody approves it any more
        curation.change_request_approve(change_request_id=first.pk, reviewer=None)

    # A later list with another name is followed (the record holds what the last list gave), asking nothing.
    imported(tmp_path, [TUB], name="latest.xlsx")
    typed.refresh_from_db()
    assert typed.legal_name == "TECHNISCHE UNIVERSITAT BERLIN"
    assert not OrganisationChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).exists()


def test_a_newer_list_without_the_holder_closes_what_an_earlier_list_asked_of_it(tmp_path):
    """It stayed waiting: approving it would have applied an outdated list's values to a holder the
    Commission no longer lists."""
    OrganisationFactory(hei=True, legal_name="TU of Berlin", city="Berlin", erasmus_code="D  BERLIN02")
    imported(tmp_path, [TUB, LODZ], shorter_accepted=True)
    asked = OrganisationChangeRequest.objects.get()

    eche_list = imported(tmp_path, [LODZ], name="newer.xlsx", shorter_accepted=True)

    asked.refresh_from_db()
    assert asked.status == ChangeRequestStatus.SUPERSEDED and "newer.xlsx" in asked.review_note
    assert eche_list.directory_report["superseded"] == 1


def test_the_same_list_twice_closes_nothing_it_still_asks(tmp_path):
    OrganisationFactory(hei=True, legal_name="TU of Berlin", city="Berlin", erasmus_code="D  BERLIN02")
    imported(tmp_path, [TUB])
    again = imported(tmp_path, [TUB], name="again.xlsx")
    assert again.directory_report["superseded"] == 0
    assert OrganisationChangeRequest.objects.get().status == ChangeRequestStatus.PENDING


def test_holders_sharing_every_identifier_make_no_record_and_a_short_report(tmp_path):
    # Given a file of 30 rows sharing one Erasmus code, PIC and OID (a broken export)
    holders = [("D  BERLIN02", "999986678", "E10209450", f"COPY {n}", "BERLIN", "DE", "") for n in range(30)]

    eche_list = imported(tmp_path, holders)

    # Then no row keeps an identifier, so none becomes a record (nothing would tell them from others)
    assert not Organisation.objects.exists()
    problems = eche_list.directory_report["problems"]
    assert sum("no directory record" in p["reason"] for p in problems) == 30
    # and each problem names a few rows, not all 30
    shared = [p["reason"] for p in problems if "left on neither" in p["reason"]]
    assert len(shared) == 90
    assert all(reason.count(",") == 4 and "and 25 more" in reason for reason in shared)


def test_an_identifier_listed_holders_share_is_no_records_to_take(tmp_path):
    """The import leaves an OID two holders share on neither record; a new account then gave it to a record
    of its own, which matched both charters and passed the ECHE criterion as "valid"."""
    besancon = ("F  BESANCO01", "999870000", "E10099124", "UNIVERSITE DE FRANCHE-COMTE", "BESANCON", "FR", "")
    school = ("F  BESANCO21", "999870001", "E10099124", "ISBA BESANCON", "BESANCON", "FR", "")
    code_twice = [("F  SHARED01", "", "", f"SHARED {n}", "DOLE", "FR", "") for n in (1, 2)]
    imported(tmp_path, [besancon, school, *code_twice])
    own = OrganisationFactory(hei=True, legal_name="CR Org", country=country("FR"))

    form = OrganisationForm(
        {
            "legal_name": "Junk",
            "country": "FR",
            "type": org_type("higher-education-institution").pk,
            "oid": "e10099124",
        }
    )
    assert not form.is_valid()
    assert "belongs to several organisations of the official ECHE list" in form.errors["oid"][0]
    with pytest.raises(ValidationError) as refused:
        curation.organisation_apply_changes(
            organisation=own, changes={"oid": {"old": "", "new": "E10099124"}}
        )
    assert "several organisations of the official ECHE list" in str(refused.value)
    own.refresh_from_db()
    assert own.oid == ""
    assert not OrganisationForm(  # the Erasmus code they share, typed without its spaces
        {
            "legal_name": "Junk",
            "country": "FR",
            "type": org_type("higher-education-institution").pk,
            "erasmus_code": "FSHARED01",
        }
    ).is_valid()
    # A record that held it before the list shared it is still correctable (a partner could not confirm).
    held = OrganisationFactory(hei=True, legal_name="Held Before", country=country("FR"), oid="E10099124")
    correction = OrganisationForm(
        {
            "legal_name": "Held Before",
            "country": "FR",
            "type": held.type_id,
            "oid": "E10099124",
            "city": "Dole",
        },
        instance=held,
    )
    assert correction.is_valid(), correction.errors
    # An identifier one holder alone has is still a record's to take, when no record has it.
    assert OrganisationForm(
        {"legal_name": "Other", "country": "FR", "type": org_type("enterprise").pk, "pic": "999870002"}
    ).is_valid()


def test_a_value_with_an_unreadable_character_is_left_out_saying_so():
    """It was reported as holding "an invisible character"."""
    from partners.eche.directory import DirectoryReport, _accepted

    report = DirectoryReport()
    assert _accepted("city", "Pozna\ufffd", report, 7) == ""
    [problem] = report.as_json()["problems"]
    assert "could not be read" in str(problem) and "invisible" not in str(problem)


def test_an_erasmus_code_is_one_code_with_or_without_its_spaces(tmp_path):
    """A record typed `DBERLIN02` is the holder `D  BERLIN02` (as the records' unique index has it): matched,
    not a second record, which the index refused, failing the import. Two rows writing one code two ways
    share it."""
    typed = OrganisationFactory(
        hei=True,
        legal_name="Technische Universität Berlin",
        city="Berlin",
        erasmus_code="DBERLIN02",
        pic="",
        oid="",
    )
    twice = [
        ("F  PARIS001", "", "", "PARIS ONE", "PARIS", "FR", ""),
        ("FPARIS001", "", "", "PARIS TWO", "PARIS", "FR", ""),
    ]

    eche_list = imported(tmp_path, [TUB, *twice])

    typed.refresh_from_db()
    assert typed.verified and typed.pic == "999986678"
    assert Organisation.objects.count() == 1
    shared = [p["reason"] for p in eche_list.directory_report["problems"] if "left on neither" in p["reason"]]
    assert len(shared) == 2
