"""Hostile input against every page, form and fragment: random and very long strings, odd Unicode, NUL bytes,
wrong types, missing fields, foreign and out-of-range ids. Never a 500; an invalid request saves nothing.

The endpoints are enumerated from the URLconf (the admin aside: it is Django's own), so a new view is covered
without anyone remembering to. Field names come from the forms the pages themselves render.
"""

import hashlib
import re

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliances.models import Participation, ParticipationStatus, Proposal
from invitations import services as invitation_services
from invitations.models import Invitation
from partners.models import Organisation
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    UserFactory,
    country,
    org_type,
)
from tests.html_forms import fields_of

pytestmark = pytest.mark.django_db
EXAMPLES = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
SKIPPED_NAMESPACES = {"admin"}
# Partner pages: opened with the partner's session (set by the invite link), not the coordinator's.
PARTNER_URLS = {"invitations:answer", "invitations:confirm", "invitations:decline", "invitations:done"}
# Pages for signed-out visitors (a signed-in one is sent home from them).
ANONYMOUS_URLS = {
    "signup",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitations:link",
}


def endpoints(patterns=None, prefix=""):
    """(qualified name, converter names) of every named URL pattern outside the admin."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            found += endpoints(
                entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            )
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((prefix + entry.name, tuple(entry.pattern.converters)))
    return found


ENDPOINTS = endpoints()


def test_the_enumeration_sees_every_kind_of_endpoint():
    names = {name for name, _ in ENDPOINTS}
    assert {
        "home",
        "signup",
        "login",
        "alliances:builder",
        "alliances:participation_add",
        "alliances:organisation_create",
        "alliances:participation_remove",
        "alliances:organisation_search",
        "partners:organisation_list",
        "invitations:link",
        "invitations:confirm",
        "invitations:send",
    } <= names
    assert not any(name.startswith("admin:") for name in names)


class World:
    """An owner's proposal with participants and a pending invitation; another owner's, for foreign ids."""

    def __init__(self, mailoutbox):
        self.owner = UserFactory(email="owner@example.org")
        self.editor = UserFactory(email="editor@example.org")
        self.proposal = ProposalFactory(owner=self.owner)
        self.proposal.co_editors.add(self.editor)
        members = [
            ("DE", "higher-education-institution", "applicant"),
            ("FR", "vet-provider", "full_partner"),
            ("ES", "enterprise", "full_partner"),
        ]
        self.participations = [
            ParticipationFactory(
                proposal=self.proposal,
                organisation=OrganisationFactory(country=country(code), type=org_type(slug)),
                role=role,
                status=ParticipationStatus.PROPOSED,
                contact_name="Pablo Partner",
                contact_email=f"contact-{code.lower()}@example.org",
            )
            for code, slug, role in members
        ]
        self.participation = self.participations[-1]
        self.invitation = invitation_services.invitation_create(
            participation=self.participation, actor=self.owner
        )
        from invitations.tasks import send_invitation

        send_invitation(self.invitation.pk)
        match = re.search(r"/invite/([^/\s]+)/", mail.outbox[-1].body)
        self.token = match.group(1)
        other = ProposalFactory(owner=UserFactory(email="other@example.org"))
        self.foreign = ParticipationFactory(proposal=other, organisation=OrganisationFactory())
        self.foreign_ids = [other.pk, self.foreign.pk, self.foreign.organisation_id, other.owner_id]
        self.proposal.refresh_from_db()

    def path(self, name, converters, ids):
        values = {
            "pk": self.invitation.pk
            if name in PARTNER_URLS
            else self.participation.organisation_id
            if name == "partners:organisation_detail"
            else self.proposal.pk,
            "participation_id": self.participation.pk,
            "user_id": self.editor.pk,
            "token": self.token,
        }
        if name == "password_reset_confirm":  # a real reset link of the owner's
            from django.contrib.auth.tokens import default_token_generator
            from django.utils.encoding import force_bytes
            from django.utils.http import urlsafe_base64_encode

            values["uidb64"] = urlsafe_base64_encode(force_bytes(self.owner.pk))
            values["token"] = default_token_generator.make_token(self.owner)
        if name == "email_confirm":  # a real confirmation link of the owner's, whose address is unconfirmed
            from accounts.confirmation import confirmation_path

            type(self.owner).objects.filter(pk=self.owner.pk).update(email_confirmed_at=None)
            self.owner.refresh_from_db()
            values["uidb64"], values["token"] = confirmation_path(self.owner).strip("/").split("/")[-2:]
        kwargs = {key: ids.get(key, values[key]) for key in converters}
        return reverse(name, kwargs=kwargs)

    def fingerprint(self) -> str:
        """Everything a request could change that matters, as one hash."""
        rows = [
            list(Proposal.objects.order_by("pk").values_list()),
            list(Participation.objects.order_by("pk").values_list()),
            list(Organisation.objects.order_by("pk").values_list()),
            list(Invitation.objects.order_by("pk").values_list()),
            list(Proposal.co_editors.through.objects.order_by("pk").values_list()),
            list(get_user_model().objects.order_by("pk").values_list("pk", "email", "password", "is_active")),
        ]
        return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def world(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        built = World(mailoutbox)
    yield built
    cache.delete("invitations:lookup-failures:127.0.0.1")  # the invite-link rate limit this test fed


def client_for(world, name) -> Client:
    client = Client()
    if name in PARTNER_URLS:
        client.get(reverse("invitations:link", kwargs={"token": world.token}))
    elif name not in ANONYMOUS_URLS:
        client.force_login(world.owner)
    return client


def baseline(world, name, converters) -> dict[str, str]:
    """The fields, with their values, that the endpoint's own page (or else the builder page) renders."""
    client = client_for(world, name)
    params = {"organisation": world.foreign.organisation_id}
    response = client.get(world.path(name, converters, {}), params, HTTP_HX_REQUEST="true")
    fields = {}
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        fields = fields_of(response.content.decode())
    if name not in PARTNER_URLS | ANONYMOUS_URLS:
        builder = client.get(reverse("alliances:builder", kwargs={"pk": world.proposal.pk}))
        fields = {**fields_of(builder.content.decode()), **fields}
    return fields


ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "null",
    "None",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 40,
    "-" + "9" * 25,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\u202eevil",
    "𝕏𝕐ℤ",
    "İstanbul ß ǅ",
    "\ufeff",
    "%00",
    "{{ 7|add:7 }}",
    "true",
    "[]",
    '{"a": 1}',
    "2026-02-30",
    "9999-99-99",
    "E1234567",
    "999999999",
    "applicant",
    "full_partner",
    "confirmed",
]


def hostile_values(foreign_ids):
    text = st.one_of(
        st.text(max_size=40),
        st.text(
            alphabet=st.characters(min_codepoint=0x80, exclude_categories=("Cs",)), min_size=1, max_size=40
        ),
        st.sampled_from(ODD),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(foreign_ids).map(str),
        st.text(min_size=1, max_size=5).map(lambda s: s * 4000),  # very long
    )
    return st.one_of(text, st.lists(text, min_size=2, max_size=3))


def hostile_ids(foreign_ids):
    return st.dictionaries(
        st.sampled_from(["pk", "participation_id", "user_id", "token", "uidb64"]),
        st.one_of(st.sampled_from(foreign_ids), st.integers(min_value=0, max_value=2**70)),
        max_size=2,
    )


def form_errors(response) -> bool:
    """Whether the response shows a bound form with errors (an invalid request re-rendered)."""
    for context in response.context or []:
        for value in context.dicts if hasattr(context, "dicts") else [context]:
            for item in value.values() if isinstance(value, dict) else []:
                if isinstance(item, forms.BaseForm) and item.is_bound and item.errors:
                    return True
    return False


def send(client, method, path, data, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if method == "GET":
        return client.get(path, data, **headers)
    if method == "JSON":
        return client.post(path, data=repr(data), content_type="application/json", **headers)
    return client.post(path, data, **headers)


@pytest.mark.parametrize("name, converters", ENDPOINTS, ids=[name for name, _ in ENDPOINTS])
def test_hostile_requests_never_fail_and_invalid_ones_save_nothing(world, name, converters):
    base = baseline(world, name, converters)
    names = sorted(base) or ["q"]
    foreign = world.foreign_ids
    values = hostile_values(foreign)

    @EXAMPLES
    @given(
        # The form as the page renders it, with some fields replaced by hostile values, some left out,
        # and some unknown ones added.
        replaced=st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=4),
        dropped=st.sets(st.sampled_from(names), max_size=3),
        extra=st.dictionaries(st.text(max_size=12), values, max_size=2),
        ids=st.one_of(st.just({}), st.just({}), hostile_ids(foreign)),
        method=st.sampled_from(["POST", "POST", "GET", "JSON"]),
        htmx=st.booleans(),
    )
    def check(replaced, dropped, extra, ids, method, htmx):
        data = {key: value for key, value in {**base, **extra, **replaced}.items() if key not in dropped}
        path = world.path(name, converters, {key: value for key, value in ids.items() if key in converters})
        with transaction.atomic():
            client = client_for(world, name)
            before = world.fingerprint()
            response = send(client, method, path, data, htmx)
            assert response.status_code < 500, (method, path, data)
            if response.status_code >= 400 or form_errors(response):
                assert world.fingerprint() == before, ("saved from an invalid request", method, path, data)
            transaction.set_rollback(True)  # every example starts from the same world

    check()
