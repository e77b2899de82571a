"""When checks run: an HEI created or its identifiers changed (on commit), an import, the admin action, the
sweep of checks that never answered; and what a broker that is down does (nothing is lost)."""

import datetime
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.transactions import AfterCommit
from eligibility.models import EligibilityReport
from partners import signals as partner_signals
from partners.eche import services as eche
from partners.eche.list_storage import import_job_run
from partners.eche.sources import SourceError
from partners.models import EcheImportJob, EcheList, EcheStatus, Organisation, SearchWord
from partners.selectors import organisation_search
from partners.tasks import check_eche
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    UserFactory,
    country,
    org_type,
)

from .eche_helpers import D, import_list, write_list

pytestmark = pytest.mark.django_db

VALID = ("01-01-2021", "31-12-2027")
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def registry(tmp_path):
    return import_list(
        write_list(
            tmp_path / "list.xlsx",
            [
                ("D  BERLIN02", "999986678", "E10209450", "TU Berlin", "DE", *VALID),
                ("SF ESPOO12", "991256096", "E10181958", "Aalto", "FI", *VALID),
                ("F  LYON141", "900000001", "", "Lyon", "FR", "01-01-2021", "31-10-2026"),
            ],
        )
    )


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False):
        yield


def is_check_batch(callback) -> bool:
    return isinstance(callback, AfterCommit) and callback.action is partner_signals._queue_checks


def pending_checks(callbacks) -> list[int]:
    return [pk for callback in callbacks if is_check_batch(callback) for pk in callback.ids]


def test_a_new_hei_is_checked_on_commit(registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")
        assert Organisation.objects.get(pk=tub.pk).eche_status == "pending"  # nothing before commit

    assert pending_checks(callbacks) == [tub.pk]
    tub.refresh_from_db()
    assert tub.eche_status == "valid"
    assert tub.eche_requested_at is None


def test_a_new_organisation_that_is_no_hei_needs_no_charter_at_once(django_capture_on_commit_callbacks):
    # Given an enterprise, a VET school and an HEI added to the directory (no list imported)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enterprise = OrganisationFactory(type=org_type("enterprise"))
        school = OrganisationFactory(type=org_type("vet-provider"))
        hei = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")

    # Then only the HEI waits for a check: the others say so at once, as the nightly re-check would
    assert pending_checks(callbacks) == [hei.pk]
    statuses = dict(Organisation.objects.values_list("pk", "eche_status"))
    assert statuses == {enterprise.pk: "not_required", school.pk: "not_required", hei.pk: "pending"}
    assert Organisation.objects.filter(eche_status="pending").count() == 1  # the directory's ECHE filter


def test_changing_an_identifier_requeues_the_check(registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organisation = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")
    for field, value, status in [
        ("erasmus_code", "F  LYON141", "expired"),
        ("erasmus_code", "", "pending"),  # nothing left to look up: not checked
        ("pic", "991256096", "valid"),
        ("oid", "E10209450", "valid"),
    ]:
        setattr(organisation, field, value)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            organisation.save(update_fields=[field])
        assert pending_checks(callbacks) == [organisation.pk], field
        organisation.refresh_from_db()
        assert organisation.eche_status == status, field


def test_a_country_or_an_editions_override_changed_requeues_the_checks_of_its_heis(
    registry, django_capture_on_commit_callbacks
):
    from eligibility.models import Edition, EditionCountryStatus

    # Given HEIs in Ukraine (a third country not associated: no charter needed) and one in France
    with django_capture_on_commit_callbacks(execute=True):
        kyiv = OrganisationFactory(hei=True, pic="900000001", country=country("UA"))
        lyon = OrganisationFactory(hei=True, erasmus_code="F  LYON141", country=country("FR"))
    assert Organisation.objects.get(pk=kyiv.pk).eche_status == "not_required"

    # When an edition associates Ukraine, its HEIs are checked again (their charter now matters), not France's
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        EditionCountryStatus.objects.create(
            edition=Edition.objects.get(year=2027), country=country("UA"), programme_status="associated"
        )
    assert pending_checks(callbacks) == [kyiv.pk]
    assert Organisation.objects.get(pk=kyiv.pk).eche_status == "expired"  # looked up now: the list's answer
    assert Organisation.objects.get(pk=lyon.pk).eche_requested_at is None

    # And when a country's own status changes in the admin, so are the checks of its HEIs
    ukraine = country("UA")
    ukraine.programme_status, ukraine.region = "associated", None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ukraine.save()
    assert pending_checks(callbacks) == [kyiv.pk]

    # But not when only its name or notes change (with the HTTP source, a network call per HEI)
    for changed in ({"notes": "Associated since 2027"}, {"name": "Ukraine (UA)"}):
        ukraine = country("UA")
        for field, value in changed.items():
            setattr(ukraine, field, value)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            ukraine.save()
        assert pending_checks(callbacks) == [], changed
    assert Organisation.objects.get(pk=kyiv.pk).eche_requested_at is None


def test_a_country_change_the_broker_missed_is_checked_by_the_sweep(
    registry, django_capture_on_commit_callbacks
):
    """The HEIs of a country saved while the broker was down stayed `not_required` until the nightly re-check:
    nothing marked their checks as asked for, so the sweep (which re-queues those) never saw them."""
    with django_capture_on_commit_callbacks(execute=True):
        kyiv = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02", country=country("UA"))
    ukraine = country("UA")
    ukraine.programme_status, ukraine.region = "associated", None
    with django_capture_on_commit_callbacks(execute=False):  # the broker took nothing
        ukraine.save()
    assert Organisation.objects.get(pk=kyiv.pk).eche_requested_at is not None

    later = timezone.now() + datetime.timedelta(minutes=10)  # past the sweep's grace
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        eche.pending_checks_sweep()
    assert Organisation.objects.get(pk=kyiv.pk).eche_status == "valid"


def test_changing_the_country_or_type_requeues_the_check(registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organisation = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")
    organisation.country = country("US")
    with django_capture_on_commit_callbacks(execute=True):
        organisation.save()
    organisation.refresh_from_db()
    assert organisation.eche_status == "not_required"

    organisation.country = country("DE")
    organisation.type = org_type("enterprise")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        organisation.save()
    assert pending_checks(callbacks) == [organisation.pk]
    organisation.refresh_from_db()
    assert organisation.eche_status == "not_required"


def test_a_type_made_or_unmade_higher_education_rechecks_its_organisations(
    registry, django_capture_on_commit_callbacks
):
    """Ticking "higher education" on a type in the admin left its organisations `not_required`, and the
    builder said "Wait for the ECHE check" until the nightly re-check."""
    institutes = org_type("research-institute")
    with django_capture_on_commit_callbacks(execute=True):
        institute = OrganisationFactory(type=institutes, erasmus_code="D  BERLIN02")
        university = OrganisationFactory(hei=True, pic="999986678")  # another type: left alone
    assert Organisation.objects.get(pk=institute.pk).eche_status == "not_required"

    institutes.higher_education = True
    with django_capture_on_commit_callbacks(execute=True):
        institutes.save()
    assert Organisation.objects.get(pk=institute.pk).eche_status == "valid"
    assert Organisation.objects.get(pk=university.pk).eche_requested_at is None

    institutes.higher_education = False
    with django_capture_on_commit_callbacks(execute=True):
        institutes.save()
    assert Organisation.objects.get(pk=institute.pk).eche_status == "not_required"

    # A save that leaves the flag as it is (a new name, say) checks nothing: every HEI was checked again.
    universities = org_type("higher-education-institution")
    universities.description = "Renamed in the admin"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        universities.save()
    assert pending_checks(callbacks) == []
    assert Organisation.objects.get(pk=university.pk).eche_requested_at is None


def test_other_changes_queue_nothing(registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        organisation = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")
    organisation.city = "Charlottenburg"
    organisation.legal_name = "TU Berlin, renamed"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        organisation.save()
        OrganisationFactory()  # not an HEI: no check
    assert pending_checks(callbacks) == []


def test_several_saves_in_one_transaction_queue_once_per_organisation(
    registry, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        organisation = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")
        organisation.pic = "999986678"
        organisation.save()
    assert len([c for c in callbacks if is_check_batch(c)]) == 1


def test_a_status_change_re_evaluates_eligibility(registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = ProposalFactory()
        organisation = OrganisationFactory(hei=True, erasmus_code="X  UNKNOWN01")
        ParticipationFactory(proposal=proposal, organisation=organisation)
    before = EligibilityReport.objects.get(proposal=proposal)
    assert organisation.__class__.objects.get(pk=organisation.pk).eche_status == "not_found"

    organisation.erasmus_code = "D  BERLIN02"
    with django_capture_on_commit_callbacks(execute=True):
        organisation.save()

    after = EligibilityReport.objects.get(proposal=proposal)
    eche_before = next(c for c in before.confirmed["criteria"] if c["code"] == "eche")
    eche_after = next(c for c in after.confirmed["criteria"] if c["code"] == "eche")
    assert eche_before["status"] == "fail"
    assert eche_after["status"] == "pass"


def test_the_check_task_is_idempotent(registry):
    tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02", eche_status=EcheStatus.ERROR)
    assert check_eche.delay(tub.pk).get() == "valid"
    assert check_eche.delay(tub.pk).get() == "valid"
    assert check_eche.delay(987654321).get() is None


def test_a_source_that_keeps_failing_ends_in_error(registry, settings, monkeypatch):
    settings.ECHE_CHECK_MAX_RETRIES = 2
    calls = []

    def failing(*, organisation_id, source=None):
        calls.append(organisation_id)
        raise SourceError("the list could not be read")

    monkeypatch.setattr(eche, "organisation_check", failing)
    tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02", eche_status=EcheStatus.PENDING)

    assert check_eche.delay(tub.pk).get() == "error"

    assert len(calls) == 3  # the first try and two retries
    tub.refresh_from_db()
    assert tub.eche_status == "error"
    assert tub.eche_detail == "the list could not be read"
    assert tub.eche_requested_at is None


def test_an_import_rechecks_every_hei(tmp_path, registry, django_capture_on_commit_callbacks):
    lyon = OrganisationFactory(hei=True, erasmus_code="F  LYON141", eche_status=EcheStatus.VALID)
    company = OrganisationFactory(eche_status=EcheStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        import_list(write_list(tmp_path / "new.xlsx", [("F  LYON141", "", "", "Lyon", "FR", *VALID)]))
    lyon.refresh_from_db()
    company.refresh_from_db()
    assert lyon.eche_status == "valid"
    assert lyon.eche_source_row == 2
    assert company.eche_status == "not_required"


@pytest.mark.parametrize("broker", ["up", "down"])
def test_an_import_rebuilds_the_search_words_after_commit_even_with_the_broker_down(
    tmp_path, registry, broker, switch_broker, django_capture_on_commit_callbacks
):
    if broker == "down":
        switch_broker(CLOSED_PORT_BROKER)  # the refresh cannot be queued: it runs here
    rows = [("PL LODZ02", "", "", "POLITECHNIKA LODZKA", "PL", *VALID)]
    with django_capture_on_commit_callbacks(execute=True):
        import_list(write_list(tmp_path / "new.xlsx", rows), records=True)
        assert not SearchWord.objects.filter(word="politechnika").exists()  # not before commit

    assert SearchWord.objects.filter(word__in=["politechnika", "lodzka"]).count() == 2
    assert organisation_search(query="Politechnka")[0].legal_name == "POLITECHNIKA LODZKA"


def test_recheck_uses_a_bounded_number_of_queries(registry, django_capture_on_commit_callbacks):
    proposal = ProposalFactory()
    for index in range(60):
        organisation = OrganisationFactory(
            hei=True, erasmus_code=f"D  TEST{index:03d}", eche_status=EcheStatus.VALID
        )
        ParticipationFactory(proposal=proposal, organisation=organisation)

    with CaptureQueriesContext(connection) as queries:
        result = eche.organisations_recheck(batch_size=25)

    assert result == {"queued": 0, "checked": 60, "changed": 60}
    # 4 to start (list, holders, two for countries), at most 6 per batch of 25 and one to find the end.
    assert len(queries) <= 4 + 6 * 3 + 1
    assert set(
        Organisation.objects.filter(type__higher_education=True).values_list("eche_status", flat=True)
    ) == {"not_found"}


def test_admin_action_rechecks_selected(registry, client, django_capture_on_commit_callbacks):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02", eche_status=EcheStatus.ERROR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:partners_organisation_changelist"),
            {"action": "recheck_eche", "_selected_action": [tub.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "Re-checked 1 organisation against the current list: 1 changed." in response.content.decode()
    tub.refresh_from_db()
    assert tub.eche_status == "valid"


def test_the_admin_action_rechecks_many_in_batches_not_a_task_each(registry, admin_client):
    """With tasks in-process, 6,000 selected took 32 s (a task each), past gunicorn's timeout."""
    heis = [OrganisationFactory(hei=True, erasmus_code=f"D  TEST{index:03d}") for index in range(30)]
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(
            reverse("admin:partners_organisation_changelist"),
            {"action": "recheck_eche", "_selected_action": [o.pk for o in heis]},
        )
    assert response.status_code == 302
    assert len(queries) < 40
    assert set(
        Organisation.objects.filter(pk__in=[o.pk for o in heis]).values_list("eche_status", flat=True)
    ) == {"not_found"}


# --- Nothing lost when the broker is down -------------------------------------------------------------------


def test_broker_down_save_succeeds_and_stays_pending_then_the_sweep_completes(
    registry, switch_broker, django_capture_on_commit_callbacks
):
    switch_broker(CLOSED_PORT_BROKER)
    with django_capture_on_commit_callbacks(execute=True):
        tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")  # no exception
    tub.refresh_from_db()
    assert tub.eche_status == "pending"
    requested = tub.eche_requested_at
    assert requested is not None

    switch_broker(eager=True)  # the broker is back (tasks run here; the worker test does it for real)
    assert eche.pending_checks_sweep() == 0  # asked for just now: not yet due
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5), tick=False):
        assert eche.pending_checks_sweep() == 1
    tub.refresh_from_db()
    assert tub.eche_status == "valid"
    assert tub.eche_requested_at is None


def test_the_sweep_requeues_a_check_at_most_once_per_period(registry, switch_broker):
    tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02", eche_status=EcheStatus.ERROR)
    Organisation.objects.filter(pk=tub.pk).update(
        eche_requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    switch_broker(CLOSED_PORT_BROKER)
    assert eche.pending_checks_sweep() == 0  # could not queue...
    tub.refresh_from_db()
    assert tub.eche_requested_at == timezone.now()  # ...but the request time moved: retried next period
    switch_broker(eager=True)
    assert eche.pending_checks_sweep() == 0


# --- Admin upload -------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_upload_runs_the_import_and_shows_the_result(
    tmp_path, admin_client, django_capture_on_commit_callbacks
):
    path = write_list(
        tmp_path / "upload_08042026.xlsx",
        [("D  BERLIN02", "999986678", "", "TU Berlin", "DE", *VALID), ("", "", "", "Nobody", "DE", *VALID)],
    )
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as upload:
        response = admin_client.post(reverse("admin:partners_echeimportjob_add"), {"upload": upload})
    job = EcheImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:partners_echeimportjob_change", args=[job.pk])
    assert job.status == "done"
    assert job.rows_done == 2
    assert job.eche_list == EcheList.objects.get(is_current=True)
    assert job.eche_list.imported_by is not None
    page = admin_client.get(response["Location"]).content.decode()
    assert "1 holders imported, 1 rows refused" in page
    assert "Row 3 refused: no Erasmus code, PIC or OID" in page
    assert "import_job.js" not in page  # finished: nothing more to follow


def test_admin_upload_of_a_broken_file_is_refused(registry, admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:partners_echeimportjob_add"),
            {"upload": _named(io.BytesIO(b"not a workbook"), "list.xlsx")},
        )
    job = EcheImportJob.objects.get()
    assert job.status == "refused"
    assert "current list is unchanged" in job.message
    assert EcheList.objects.get(is_current=True) == registry
    page = admin_client.get(reverse("admin:partners_echeimportjob_change", args=[job.pk])).content.decode()
    # The reason in the red box, and no green "uploaded" above it.
    refusal = re.search(r'<div class="errornote">(.*?)</div>', page, re.S).group(1)
    assert "The file was refused:" in refusal and "could not be opened as an Excel workbook" in refusal
    assert 'class="success"' not in page and 'class="info"' not in page


def test_an_upload_whose_worker_was_killed_ends_as_failed_at_the_next_sweep(registry):
    """A 14 MB upload outlived its worker (its time limit, a web server's timeout where no worker took it):
    its page said "Running" for ever. The sweep ends it, well after the time limit; a running one stays."""
    from partners.tasks import sweep_pending_eche

    now = timezone.now()
    killed = EcheImportJob.objects.create(
        filename="big.xlsx", content=b"", status="running", started_at=now - datetime.timedelta(hours=1)
    )
    running = EcheImportJob.objects.create(
        filename="list.xlsx", content=b"", status="running", started_at=now - datetime.timedelta(minutes=5)
    )

    sweep_pending_eche.apply()

    killed.refresh_from_db()
    running.refresh_from_db()
    assert killed.status == "failed" and killed.finished_at is not None
    assert "did not finish" in killed.message and "current list is unchanged" in killed.message
    assert running.status == "running" and running.finished_at is None
    assert EcheList.objects.get(is_current=True) == registry


@pytest.mark.parametrize(
    ("filename", "rows", "said"),
    [
        # every row refused: it would make every charter look withdrawn
        (
            "list_08112026.xlsx",
            [("D  BERLIN02", "", "", "TU Berlin", "DE", "01-01-2021", "TBD")],
            "not one holder",
        ),
        # published before the current list (8 April 2026): it would bring withdrawn charters back
        (
            "list_10022026.xlsx",
            [("D  BERLIN02", "", "", "TU Berlin", "DE", *VALID)],
            "before the current one",
        ),
        # a date still to come: a typo, which taken as the current list's date refused every list after it
        (
            "list_08042062.xlsx",
            [("D  BERLIN02", "", "", "TU Berlin", "DE", *VALID)],
            "published on 2062-04-08, a date still to come",
        ),
    ],
)
def test_a_list_that_would_undo_the_current_one_is_refused(
    tmp_path, admin_client, django_capture_on_commit_callbacks, filename, rows, said
):
    current_rows = [("D  BERLIN02", "", "", "TU Berlin", "DE", *VALID)]
    current = import_list(write_list(tmp_path / "current_08042026.xlsx", current_rows))
    tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02", eche_status=EcheStatus.VALID)

    path = write_list(tmp_path / filename, rows)
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as upload:
        admin_client.post(reverse("admin:partners_echeimportjob_add"), {"upload": upload})

    job = EcheImportJob.objects.get()
    assert job.status == "refused"
    assert said in job.message and "current list is unchanged" in job.message
    assert EcheList.objects.get(is_current=True) == current
    tub.refresh_from_db()
    assert tub.eche_status == "valid"


def test_a_current_list_dated_in_the_future_refuses_no_later_list(tmp_path):
    """One imported before such dates were refused counts as undated: a real list after it is taken."""
    rows = [("D  BERLIN02", "", "", "TU Berlin", "DE", *VALID)]
    misdated = import_list(write_list(tmp_path / "current_08042026.xlsx", rows))
    EcheList.objects.filter(pk=misdated.pk).update(publication_date=datetime.date(2062, 4, 8))

    later = import_list(write_list(tmp_path / "list_01062026.xlsx", rows))

    assert EcheList.objects.get(is_current=True) == later


def test_a_much_shorter_list_is_imported_only_when_the_uploader_says_it_is_right(
    tmp_path, registry, admin_client, django_capture_on_commit_callbacks
):
    # Given the current list of 3 charters, and a file of 1 (a partial export, say)
    path = write_list(
        tmp_path / "partial.xlsx", [("D  BERLIN02", "999986678", "", "TU Berlin", "DE", *VALID)]
    )
    url = reverse("admin:partners_echeimportjob_add")

    # When it is uploaded as it is, it is refused and the current list stays
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as upload:
        admin_client.post(url, {"upload": upload})
    refused = EcheImportJob.objects.get()
    assert refused.status == "refused"
    assert "fewer than half the current list's 3" in refused.message
    assert EcheList.objects.get(is_current=True) == registry

    # When it is uploaded again with "replace a much longer list" ticked, it becomes the current list
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as upload:
        admin_client.post(url, {"upload": upload, "shorter_accepted": "on"})
    accepted = EcheImportJob.objects.exclude(pk=refused.pk).get()
    assert accepted.status == "done"
    assert EcheList.objects.get(is_current=True).holders_count == 1


def test_an_import_that_fails_unexpectedly_ends_its_job_and_changes_nothing(tmp_path, registry, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("partners.eche.list_storage.directory_records_update", broken)
    path = write_list(tmp_path / "next.xlsx", [("D  BERLIN02", "", "", "TU Berlin", "DE", *VALID)])
    job = EcheImportJob.objects.create(filename="next.xlsx", content=path.read_bytes(), shorter_accepted=True)

    with pytest.raises(RuntimeError):  # the worker logs it
        import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert "current list is unchanged" in job.message
    assert EcheList.objects.get(is_current=True) == registry


def test_a_queued_job_page_refreshes_itself(admin_client):
    job = EcheImportJob.objects.create(filename="list.xlsx", content=b"")
    page = admin_client.get(reverse("admin:partners_echeimportjob_change", args=[job.pk])).content.decode()
    assert "import_job.js" in page and 'http-equiv="refresh"' not in page  # followed in place, no reload
    assert "Waiting for a worker" in page


def test_the_jobs_list_leaves_the_uploaded_files_unread(admin_client):
    """Each job keeps its file (the April list: 0.86 MB; uploads up to 20 MB): the list read every one."""
    EcheImportJob.objects.create(filename="list.xlsx", content=b"x" * 1000)
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(reverse("admin:partners_echeimportjob_changelist"))
    assert page.status_code == 200 and "list.xlsx" in page.content.decode()
    jobs = [query["sql"] for query in queries if 'FROM "partners_echeimportjob"' in query["sql"]]
    assert jobs and not any('"partners_echeimportjob"."content"' in sql for sql in jobs)


def test_admin_upload_refuses_other_file_types(admin_client):
    response = admin_client.post(
        reverse("admin:partners_echeimportjob_add"), {"upload": _named(io.BytesIO(b"%PDF"), "list.pdf")}
    )
    assert response.status_code == 200
    assert "Upload the list as .xlsx" in response.content.decode()
    assert not EcheImportJob.objects.exists()


def test_registry_admin_pages_open(registry, admin_client):
    for name in ("echelist_changelist", "echeholder_changelist", "echeimportjob_changelist"):
        assert admin_client.get(reverse(f"admin:partners_{name}")).status_code == 200, name
    assert admin_client.get(reverse("admin:partners_echelist_change", args=[registry.pk])).status_code == 200
    add_page = admin_client.get(reverse("admin:partners_echeimportjob_add")).content.decode()
    assert 'type="file"' in add_page and "List of ECHE holders" in add_page
    page = admin_client.get(reverse("admin:partners_echeholder_changelist") + "?q=BERLIN02").content.decode()
    assert "TU Berlin" in page
    # An imported list is the record of what was imported: it is superseded, never deleted
    assert admin_client.get(reverse("admin:partners_echelist_delete", args=[registry.pk])).status_code == 403


def _named(stream, name):
    stream.name = name
    return stream


def test_dates(registry):
    assert registry.holders_count == 3
    assert D(2026, 11, 25) == timezone.localdate()


def test_a_result_for_identifiers_that_changed_meanwhile_is_dropped(registry, monkeypatch):
    tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02", eche_status=EcheStatus.ERROR)
    original = eche.outcome_for

    def slow_outcome(organisation, source, **kwargs):
        outcome = original(organisation, source, **kwargs)
        # Meanwhile, someone corrects the code (its own check is queued by that save).
        Organisation.objects.filter(pk=organisation.pk).update(erasmus_code="F  LYON141")
        return outcome

    monkeypatch.setattr(eche, "outcome_for", slow_outcome)
    eche.organisation_check(organisation_id=tub.pk)
    tub.refresh_from_db()
    assert tub.eche_status == "error"  # the stale `valid` was not written


def test_recheck_with_the_http_source_queues_one_check_per_hei(
    registry, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.ECHE_SOURCE = "http"
    queued = []
    monkeypatch.setattr(eche, "queue_checks", lambda ids: queued.extend(ids) or len(ids))
    heis = [OrganisationFactory(hei=True, eche_status=EcheStatus.VALID) for _ in range(3)]
    OrganisationFactory(eche_status=EcheStatus.NOT_REQUIRED)

    with django_capture_on_commit_callbacks(execute=True):
        assert eche.organisations_recheck() == {"queued": 3, "checked": 0, "changed": 0}
    assert sorted(queued) == sorted(o.pk for o in heis)


def test_a_recheck_with_the_http_source_and_the_broker_down_is_completed_by_the_sweep(
    registry, settings, switch_broker, monkeypatch
):
    """The checks were queued without being marked as asked for: with the broker down they were lost."""
    settings.ECHE_SOURCE = "http"
    heis = [OrganisationFactory(hei=True, eche_status=EcheStatus.VALID) for _ in range(2)]
    switch_broker(CLOSED_PORT_BROKER)
    eche.organisations_recheck()  # no exception

    assert (
        Organisation.objects.filter(pk__in=[o.pk for o in heis], eche_requested_at__isnull=False).count() == 2
    )
    queued = []
    switch_broker(eager=True)
    monkeypatch.setattr(eche, "queue_checks", lambda ids: queued.extend(ids) or len(ids))
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5), tick=False):
        assert eche.pending_checks_sweep() == 2
    assert sorted(queued) == sorted(o.pk for o in heis)


def test_whoever_may_upload_but_not_view_jobs_is_told_the_upload_was_taken(client, tmp_path):
    """The job's page was a 403 saying "nothing was changed", while the import ran."""
    from django.contrib.auth.models import Permission

    uploader = UserFactory(is_staff=True)
    uploader.user_permissions.add(Permission.objects.get(codename="add_echeimportjob"))
    client.force_login(uploader)
    path = write_list(tmp_path / "list.xlsx", [("D  BERLIN02", "", "", "TU Berlin", "DE", *VALID)])
    with open(path, "rb") as upload:
        response = client.post(reverse("admin:partners_echeimportjob_add"), {"upload": upload}, follow=True)
    assert response.status_code == 200
    assert "was added successfully" in response.content.decode()
    assert EcheImportJob.objects.count() == 1


def test_an_older_list_renamed_without_its_date_is_refused_by_the_charters_it_holds(tmp_path):
    """The July 2022 list, renamed without its date, replaced the April 2026 one: some 900 charters awarded
    since looked withdrawn, and 556 records took back 2022 values."""
    import shutil

    from partners.eche.list_format import ListFormatError

    from .eche_helpers import APRIL_2026, ECHE_DIR, FILES

    current = import_list(APRIL_2026)
    renamed = shutil.copy(ECHE_DIR / FILES["jul22"], tmp_path / "eche-holders.xlsx")

    with pytest.raises(ListFormatError) as refused:
        import_list(Path(renamed))

    assert "older than the current one" in str(refused.value)
    assert "started on 2022-03-01" in str(refused.value)
    assert EcheList.objects.get(is_current=True) == current
    # The February 2026 list (the same newest charter), renamed so, is no older by what it holds: taken.
    february = shutil.copy(ECHE_DIR / FILES["feb26"], tmp_path / "holders.xlsx")
    assert import_list(Path(february)).is_current


def test_an_import_jobs_rows_processed_counts_the_rows_of_data_not_the_blank_ones_after(
    tmp_path, admin_client, django_capture_on_commit_callbacks
):
    """A list of 1,000 holders said 2,000 rows processed: the blank rows after its data were counted."""
    from .eche_helpers import HEADER, write_rows

    holder = ("D  BERLIN02", "999986678", "", "TU Berlin", "Berlin", "DE", *VALID)
    path = write_rows(tmp_path / "upload_08042026.xlsx", HEADER, [holder] + [("",) * 8] * 700)
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as upload:
        admin_client.post(reverse("admin:partners_echeimportjob_add"), {"upload": upload})
    job = EcheImportJob.objects.get()
    assert job.status == "done", job.message
    assert job.rows_done == 1
