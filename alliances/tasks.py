"""Thin Celery tasks of proposals: load by id, send. Queued only after the transaction that asked commits."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from config.mail import EMAIL_TASK, send_templated

from .models import Proposal


@shared_task(**EMAIL_TASK)
def send_coeditor_added(proposal_id: int, user_id: int, actor_id: int | None) -> None:
    """Tell someone made a co-editor (if they still are): which proposal, by whom, and its link."""
    proposal = Proposal.objects.filter(pk=proposal_id, co_editors=user_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if proposal is None or user is None:
        return
    actor = get_user_model().objects.filter(pk=actor_id).first()
    context = {
        "proposal": proposal,
        "actor": actor.display_name if actor else proposal.owner.display_name,
        "builder_url": settings.SITE_URL + reverse("alliances:builder", args=[proposal.pk]),
    }
    send_templated(template="alliances/email/coeditor_added", to=[user.email], context=context)
