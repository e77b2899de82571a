"""Where ECHE holders are looked up: the imported list (``registry``: the current ``EcheList``, one query
per identifier tried, or all of it in memory for a re-check) or a service shaped like the public ECHE List
API (``http``, at ``settings.ECHE_API_URL``); ``settings.ECHE_SOURCE`` chooses. A source answers
``lookup(identifiers)`` with the first identifier (in ``MATCH_ORDER``) that matched and its charters, and has
a ``label`` recorded as provenance."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import gettext as _

from partners.codes import normalise_erasmus_code, normalise_oid, normalise_pic
from partners.models import EcheHolder, EcheList

from .decision import MATCH_ORDER, Charter
from .list_cells import parse_date


class SourceError(Exception):
    """The source could not be read (network, server error, malformed answer). The task retries."""


class RegistrySource:
    """The current imported list. ``lookup`` answers None when no list is imported."""

    name = "registry"

    def __init__(self):
        self.current = EcheList.objects.filter(is_current=True).first()

    def lookup(self, identifiers: dict[str, str]) -> tuple[str, list[Charter]] | None:
        if self.current is None:
            return None
        column = {"erasmus_code": "erasmus_code_normalised", "pic": "pic", "oid": "oid"}
        for name in MATCH_ORDER:
            value = identifiers.get(name)
            if not value:
                continue
            found = [
                _charter(holder)
                for holder in EcheHolder.objects.filter(list=self.current, **{column[name]: value})
            ]
            if found:
                return name, found
        return MATCH_ORDER[0], []

    @property
    def label(self) -> str:
        return self.current.provenance if self.current else ""


def _charter(holder: EcheHolder) -> Charter:
    return Charter(
        erasmus_code=holder.erasmus_code,
        pic=holder.pic,
        oid=holder.oid,
        start=holder.start,
        end=holder.end,
        row=holder.row,
        legal_name=holder.legal_name,
    )


class HttpSource:
    """A service shaped like the public ECHE List API (the European University Foundation's): ``GET
    {base}/{field}/{value}/`` answers a JSON list of the holders whose ``field`` equals ``value`` (``[]`` when
    none does). The Erasmus code is looked up as the service publishes it (``erasmusCode``) and as the
    service normalises it (``erasmusCodeNormalized``), and only the holders whose code normalises (as the
    product does) to the code asked for count: the same holders the registry source finds. Then PIC, OID.

    Every URL ends in its trailing slash (the service redirects without it). Only a JSON list counts as an
    answer: anything else (an HTML page, a 404: a wrong ``ECHE_API_URL``) is a SourceError, never "no
    charter". Connection failures, timeouts and 5xx answers are retried here a few times with a short backoff;
    what still fails raises SourceError for the task to retry later.
    """

    name = "http"
    PATHS = {"pic": "pic", "oid": "oid"}
    CODE_PATHS = ("erasmusCode", "erasmusCodeNormalized")

    def __init__(
        self, base_url: str | None = None, *, timeout: float | None = None, retries: int | None = None
    ):
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        self.base_url = (base_url or settings.ECHE_API_URL or "").rstrip("/")
        if not self.base_url:
            raise SourceError(_("ECHE_SOURCE is “http” but ECHE_API_URL is not set."))
        self.timeout = settings.ECHE_HTTP_TIMEOUT if timeout is None else timeout
        retries = settings.ECHE_HTTP_RETRIES if retries is None else retries
        self.session = requests.Session()
        self.session.max_redirects = 5
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=0.2,
            status_forcelist=(500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.requests = requests

    @property
    def label(self) -> str:
        return _("ECHE List API at %(url)s") % {"url": self.base_url}

    def url(self, path: str, value: str) -> str:
        return f"{self.base_url}/{path}/{quote(value, safe='')}/"

    def lookup(self, identifiers: dict[str, str]) -> tuple[str, list[Charter]]:
        for name in MATCH_ORDER:
            value = identifiers.get(name)
            if not value:
                continue
            found = (
                self._code(value) if name == "erasmus_code" else self._get(self.url(self.PATHS[name], value))
            )
            if found:
                return name, found
        return MATCH_ORDER[0], []

    def _code(self, code: str) -> list[Charter]:
        found = {}
        for path in self.CODE_PATHS:
            for charter in self._get(self.url(path, code)):
                if normalise_erasmus_code(charter.erasmus_code) == code:
                    found.setdefault(charter, None)
        return list(found)

    def _get(self, url: str) -> list[Charter]:
        try:
            response = self.session.get(url, timeout=self.timeout, headers={"Accept": "application/json"})
        except self.requests.RequestException as error:
            raise SourceError(
                _("The ECHE service could not be reached (%(error)s).") % {"error": error}
            ) from error
        if response.status_code != 200:
            raise SourceError(
                _(
                    "The ECHE service answered %(status)s for %(url)s: is ECHE_API_URL right (the ECHE List "
                    "API's address ends in /api)?"
                )
                % {"status": response.status_code, "url": url}
            )
        try:
            if "json" not in response.headers.get("Content-Type", ""):
                raise ValueError(response.headers.get("Content-Type", ""))
            payload = response.json()
        except ValueError as error:
            raise SourceError(
                _(
                    "The ECHE service did not answer JSON for %(url)s: is ECHE_API_URL right (the ECHE List "
                    "API's address ends in /api)?"
                )
                % {"url": url}
            ) from error
        if not isinstance(payload, list):
            raise SourceError(
                _("The ECHE service answered something other than a list for %(url)s.") % {"url": url}
            )
        try:
            return [_charter_from_json(item) for item in payload if isinstance(item, dict)]
        except ValueError as error:
            raise SourceError(
                _("The ECHE service answered a malformed date (%(error)s).") % {"error": error}
            ) from error


def _charter_from_json(item: dict) -> Charter:
    return Charter(
        erasmus_code=str(item.get("erasmusCode") or ""),
        pic=normalise_pic(item.get("pic")),
        oid=normalise_oid(item.get("oid")),
        start=parse_date(item.get("echeStartDate")),
        end=parse_date(item.get("echeEndDate")),
        legal_name=str(item.get("organisationLegalName") or ""),
    )


def configured_source():
    if settings.ECHE_SOURCE == "http":
        return HttpSource()
    return RegistrySource()


class RegistryIndex:
    """The current list in memory, by each identifier: one query for a whole re-check (the registry source
    answers the same, one query per identifier tried)."""

    def __init__(self, current: EcheList):
        self.current = current
        self.label = current.provenance
        self.by = {name: defaultdict(list) for name in MATCH_ORDER}
        for holder in EcheHolder.objects.filter(list=current).only(
            "row", "erasmus_code", "erasmus_code_normalised", "pic", "oid", "start", "end", "legal_name"
        ):
            charter = _charter(holder)
            if holder.erasmus_code_normalised:
                self.by["erasmus_code"][holder.erasmus_code_normalised].append(charter)
            if holder.pic:
                self.by["pic"][holder.pic].append(charter)
            if holder.oid:
                self.by["oid"][holder.oid].append(charter)

    def lookup(self, identifiers: dict[str, str]):
        for name in MATCH_ORDER:
            value = identifiers.get(name)
            if value and value in self.by[name]:
                return name, self.by[name][value]
        return MATCH_ORDER[0], []
