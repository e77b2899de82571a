"""The HTTP source against a stand-in shaped like the ECHE List API (tests/partners/eche_api.py): it finds
what the registry finds, for every holder of the April 2026 list; only a JSON answer counts; URLs carry their
trailing slash; the default retry limit ends in `error`; and without a broker a check never holds a save."""

import datetime
import time

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from partners.eche import services
from partners.eche.list_reader import read_holder_list
from partners.eche.sources import HttpSource, RegistryIndex
from partners.models import EcheStatus, Organisation
from partners.tasks import check_eche
from tests.factories import OrganisationFactory

from .eche_api import EcheApiStandIn, holder_json, service_normalised
from .eche_helpers import APRIL_2026, import_list


@pytest.fixture(scope="module")
def april():
    return read_holder_list(APRIL_2026, filename=APRIL_2026.name)


@pytest.fixture
def stand_in(april, settings):
    server = EcheApiStandIn([holder_json(holder) for holder in april.holders]).start()
    settings.ECHE_SOURCE = "http"
    settings.ECHE_API_URL = server.url
    settings.ECHE_HTTP_TIMEOUT = 5
    settings.ECHE_HTTP_RETRIES = 0
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 4, 20, 12, tzinfo=datetime.UTC), tick=False):
        yield


def hei(**fields):
    return OrganisationFactory(hei=True, eche_status=EcheStatus.ERROR, **fields)


def check(organisation):
    check_eche.delay(organisation.pk)
    organisation.refresh_from_db()
    return organisation


def as_found(found):
    matched_by, charters = found
    return matched_by, sorted((c.erasmus_code, c.pic, c.oid, c.start, c.end, c.legal_name) for c in charters)


@pytest.mark.django_db
def test_the_http_source_agrees_with_the_registry_on_every_holder_of_april_2026(april, stand_in):
    registry = RegistryIndex(import_list(APRIL_2026))
    http = HttpSource()
    assert len(april.holders) == 6142
    disagreements = []
    for holder in april.holders:
        identifiers = {"erasmus_code": holder.erasmus_code_normalised, "pic": holder.pic, "oid": holder.oid}
        expected, got = as_found(registry.lookup(identifiers)), as_found(http.lookup(identifiers))
        if got != expected or not got[1]:
            disagreements.append((holder.row, holder.erasmus_code, expected, got))
    assert disagreements == []
    # One question per look-up, never a redirect first.
    assert all(path.endswith("/") for path in stand_in.requests)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["DK FREDERICIA01", "F  PARIS063", "F  VERDUN1"])
def test_codes_the_service_publishes_otherwise_are_found_by_erasmus_code(stand_in, code):
    organisation = check(hei(erasmus_code=code))
    assert (organisation.eche_status, organisation.eche_matched_by) == ("valid", "erasmus_code")


def test_the_service_normalises_codes_its_own_way():
    assert service_normalised("DK FREDERICIA 01") == "DK FREDERICIA01"
    assert service_normalised("F  PARIS 063") == "F  PARIS063"
    assert service_normalised("F  VERDUN1") == "F  VERDUN01"
    assert service_normalised("IRL SETU01") == "IRLSETU01"


@pytest.mark.django_db
def test_pic_then_oid_and_which_matched_is_recorded(april, stand_in):
    holder = next(h for h in april.holders if h.pic and h.oid and h.erasmus_code)
    by_pic = check(hei(erasmus_code="D  NOWHERE01", pic=holder.pic))
    assert (by_pic.eche_status, by_pic.eche_matched_by) == ("valid", "pic")
    by_oid = check(hei(erasmus_code="D  NOWHERE02", oid=holder.oid))
    assert (by_oid.eche_status, by_oid.eche_matched_by) == ("valid", "oid")


@pytest.mark.django_db
def test_the_legal_name_comes_from_organisation_legal_name(april, stand_in):
    holder = next(h for h in april.holders if h.erasmus_code_normalised == "F  PARIS063")
    _matched_by, charters = HttpSource().lookup({"erasmus_code": "F  PARIS063", "pic": "", "oid": ""})
    assert [c.legal_name for c in charters] == [holder.legal_name] and holder.legal_name


@pytest.mark.django_db
def test_no_redirect_per_look_up(stand_in):
    HttpSource().lookup({"erasmus_code": "D  NOWHERE01", "pic": "123456789", "oid": "E12345678"})
    assert stand_in.requests == [
        "/api/erasmusCode/D%20%20NOWHERE01/",
        "/api/erasmusCodeNormalized/D%20%20NOWHERE01/",
        "/api/pic/123456789/",
        "/api/oid/E12345678/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "/api/nothing-here"], ids=["without-api", "wrong-path"])
def test_a_wrong_url_is_an_error_never_no_charter(stand_in, settings, suffix):
    settings.ECHE_API_URL = stand_in.url.removesuffix("/api") + suffix
    settings.ECHE_CHECK_MAX_RETRIES = 1
    organisation = check(hei(erasmus_code="D  NOWHERE01"))
    assert organisation.eche_status == "error"
    assert "ECHE_API_URL" in organisation.eche_detail


@pytest.mark.django_db
def test_an_html_answer_is_an_error(stand_in, settings):
    stand_in.answer = lambda path: (200, "text/html", b"<html>maintenance</html>", {})
    settings.ECHE_CHECK_MAX_RETRIES = 1
    assert check(hei(erasmus_code="F  PARIS063")).eche_status == "error"


@pytest.mark.django_db
def test_check_eche_source_says_the_url_is_wrong(stand_in, settings, capsys):
    call_command("check_eche_source")
    assert "answers as the ECHE List API" in capsys.readouterr().out
    settings.ECHE_API_URL = stand_in.url.removesuffix("/api")
    with pytest.raises(CommandError, match="ECHE_API_URL"):
        call_command("check_eche_source")


@pytest.mark.django_db
def test_with_the_default_retry_limit_a_failing_check_ends_in_error(stand_in, settings):
    from config import settings as defaults

    settings.ECHE_CHECK_MAX_RETRIES = defaults.ECHE_CHECK_MAX_RETRIES
    assert settings.ECHE_CHECK_MAX_RETRIES > 3  # more than Celery's own default, which used to end it first
    stand_in.failures_left = 10_000
    organisation = check(hei(erasmus_code="F  PARIS063"))
    assert organisation.eche_status == "error"
    assert organisation.eche_requested_at is None
    assert len(stand_in.requests) == settings.ECHE_CHECK_MAX_RETRIES + 1


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_hanging_service_never_holds_a_save(stand_in, celery_eager):
    assert celery_eager.conf.task_always_eager
    stand_in.hang.set()
    started = time.monotonic()
    with transaction.atomic():
        organisation = OrganisationFactory(hei=True, erasmus_code="F  PARIS063")
    saved_in = time.monotonic() - started
    assert saved_in < 2, f"the save waited {saved_in:.1f} s for the ECHE service"
    waiting = Organisation.objects.get(pk=organisation.pk)
    assert waiting.eche_status == "pending", waiting.eche_detail
    stand_in.hang.clear()
    stand_in.released.set()
    for thread in services.in_process_checks:
        thread.join(timeout=30)
    organisation.refresh_from_db()
    assert (organisation.eche_status, organisation.eche_matched_by) == ("valid", "erasmus_code")
