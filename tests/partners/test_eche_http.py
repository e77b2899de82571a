"""The HTTP source, against the stand-in for the public ECHE List API (tests/partners/eche_api.py): JSON lists
of holders, an empty list (200) when none matches; and what a failing or slow service does to a check."""

import datetime
import time

import pytest
import time_machine

from partners.eche.sources import HttpSource, SourceError
from partners.models import EcheStatus
from partners.tasks import check_eche
from tests.factories import OrganisationFactory

from .eche_api import EcheApiStandIn, service_normalised

pytestmark = pytest.mark.django_db

TUB = {
    "erasmusCode": "D  BERLIN02",
    "pic": "999986678",
    "oid": "E10209450",
    "organisationLegalName": "Technische Universität Berlin",
    "echeStartDate": "2021-01-01",
    "echeEndDate": "2027-12-31",
}
LYON = {
    "erasmusCode": "F  LYON141",
    "pic": "900000001",
    "oid": None,
    "echeStartDate": "2021-01-01",
    "echeEndDate": "2026-10-31",
}


@pytest.fixture
def api(settings):
    def holder(fields):
        return {**fields, "erasmusCodeNormalized": service_normalised(fields["erasmusCode"])}

    server = EcheApiStandIn([holder(TUB), holder(LYON)]).start()
    settings.ECHE_SOURCE = "http"
    settings.ECHE_API_URL = server.url
    settings.ECHE_HTTP_TIMEOUT = 0.3
    settings.ECHE_HTTP_RETRIES = 1
    settings.ECHE_CHECK_MAX_RETRIES = 2
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False):
        yield


def hei(**fields):
    return OrganisationFactory(hei=True, eche_status=EcheStatus.ERROR, **fields)


def check(organisation):
    check_eche.delay(organisation.pk)
    organisation.refresh_from_db()
    return organisation


def test_a_holder_found_by_erasmus_code(api):
    tub = check(hei(erasmus_code="D  BERLIN02"))
    assert tub.eche_status == "valid"
    assert tub.eche_matched_by == "erasmus_code"
    assert (tub.eche_start, tub.eche_end) == (datetime.date(2021, 1, 1), datetime.date(2027, 12, 31))
    assert "ECHE List API at http://127.0.0.1" in tub.eche_source
    # Asked with the trailing slash: no redirect first.
    assert api.requests == [
        "/api/erasmusCode/D%20%20BERLIN02/",
        "/api/erasmusCodeNormalized/D%20%20BERLIN02/",
    ]


def test_an_expired_charter(api):
    assert check(hei(erasmus_code="F  LYON141")).eche_status == "expired"


def test_falls_through_to_pic_then_oid(api):
    by_pic = check(hei(erasmus_code="D  NOWHERE01", pic="999986678"))
    assert (by_pic.eche_status, by_pic.eche_matched_by) == ("valid", "pic")
    by_oid = check(hei(erasmus_code="D  NOWHERE02", oid="E10209450"))
    assert (by_oid.eche_status, by_oid.eche_matched_by) == ("valid", "oid")


def test_an_empty_list_is_not_found(api):
    nobody = check(hei(erasmus_code="D  NOWHERE01", pic="123456789", oid="E12345678"))
    assert nobody.eche_status == "not_found"
    assert api.requests == [
        "/api/erasmusCode/D%20%20NOWHERE01/",
        "/api/erasmusCodeNormalized/D%20%20NOWHERE01/",
        "/api/pic/123456789/",
        "/api/oid/E12345678/",
    ]


def test_server_errors_are_retried_then_succeed(api):
    api.failures_left = 3  # more than the source's own quick retry: the task retries too
    tub = check(hei(erasmus_code="D  BERLIN02"))
    assert tub.eche_status == "valid"
    assert api.failures_left == 0


def test_a_service_that_keeps_failing_ends_in_error(api):
    api.failures_left = 1000
    tub = check(hei(erasmus_code="D  BERLIN02"))
    assert tub.eche_status == "error"
    assert "500" in tub.eche_detail
    # (1 + 1 quick retry) per attempt, 1 + 2 task attempts.
    assert len(api.requests) == 6


def test_a_timeout_ends_in_error_after_the_retries(api):
    api.delay = 1.0  # longer than ECHE_HTTP_TIMEOUT
    started = time.monotonic()
    tub = check(hei(erasmus_code="D  BERLIN02"))
    assert tub.eche_status == "error"
    assert "could not be reached" in tub.eche_detail
    assert tub.eche_requested_at is None
    assert time.monotonic() - started < 10
    assert len(api.requests) == 6


def test_source_error_when_unconfigured(settings):
    settings.ECHE_API_URL = ""
    with pytest.raises(SourceError, match="ECHE_API_URL"):
        HttpSource()


def test_malformed_answer_is_a_source_error(api):
    api.index["pic"]["111111111"] = [{"erasmusCode": "X", "echeEndDate": "next year"}]
    source = HttpSource()
    with pytest.raises(SourceError, match="malformed date"):
        source.lookup({"erasmus_code": "", "pic": "111111111", "oid": ""})
