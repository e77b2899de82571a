from django.db.models import Count, Q, QuerySet

from .models import Proposal


def proposals_for_user(*, user, include_archived: bool = False) -> QuerySet[Proposal]:
    """Proposals the user owns or co-edits: the only ones they may ever see."""
    queryset = Proposal.objects.filter(Q(owner=user) | Q(co_editors=user)).distinct()
    if not include_archived:
        queryset = queryset.filter(archived_at__isnull=True)
    return (
        queryset.select_related("edition", "owner", "eligibility_report")
        .annotate(participant_count=Count("participations", distinct=True))
        .order_by("-updated_at")
    )
