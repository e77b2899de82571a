from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    time_limit=300,
    soft_time_limit=240,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def reevaluate_proposals(proposal_ids: list[int]) -> int:
    """Re-evaluate a chunk of proposals: idempotent, so a redelivered or retried task does no harm."""
    return services.reevaluate(proposal_ids)


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def reevaluate_all_reports() -> int:
    """Nightly: every proposal (services.reevaluate_all)."""
    return services.reevaluate_all()
