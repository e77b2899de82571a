"""The directory's emails: the outcome of a correction, to the partner who asked for it."""

from config.mail import send_templated

from .models import OrganisationChangeRequest
from .selectors import change_request_rows


def send_change_request_outcome(*, change_request: OrganisationChangeRequest) -> None:
    send_templated(
        template="partners/email/change_request_outcome",
        to=[change_request.requester_email],
        context={
            "change_request": change_request,
            "organisation": change_request.organisation,
            "changes": change_request_rows(change_request=change_request),
        },
    )
