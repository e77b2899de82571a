"""Email subjects are plain text: an organisation called "Fábrica & Co <Sevilla>" reads as such, never as
`&amp;` or `&lt;` (templates autoescape by default; a subject is no HTML)."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from config.mail import render_subject

NAME = "Fábrica & Co <Sevilla>"
ORGANISATION = SimpleNamespace(legal_name=NAME)
PROPOSAL = SimpleNamespace(acronym="R&D-AL", title="Skills & Jobs")
CONFIRMED = SimpleNamespace(status="confirmed")


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        ("invitations/email/invitation", {"proposal": PROPOSAL}, "Invitation to join the R&D-AL alliance"),
        (
            "invitations/email/reminder",
            {"proposal": PROPOSAL, "expires_at": timezone.now()},
            "Reminder: your invitation to the R&D-AL alliance",
        ),
        (
            "invitations/email/answer",
            {"proposal": PROPOSAL, "organisation": ORGANISATION, "invitation": CONFIRMED},
            f"{NAME} confirmed its participation in R&D-AL",
        ),
        (
            "partners/email/change_request_outcome",
            {"organisation": ORGANISATION, "change_request": SimpleNamespace(status="approved")},
            f"Your correction to {NAME} was approved",
        ),
    ],
    ids=["invitation", "reminder", "answer", "change-request-outcome"],
)
def test_subjects_are_plain_text(template, context, expected):
    subject = render_subject(template, context)
    assert subject.startswith(expected)
    assert "&amp;" not in subject and "&lt;" not in subject
