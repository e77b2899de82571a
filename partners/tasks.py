"""Celery tasks of the directory and its ECHE checks: thin (take ids, call a service of `partners` or
`partners.eche`), idempotent, acknowledged late (a worker that dies mid-task gets the task redelivered),
time-limited, and queued only after the transaction that asked for them commits."""

import logging
import random

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from config.mail import EMAIL_TASK

from . import curation
from . import services as directory
from .eche import list_storage, services
from .eche.sources import SourceError

logger = logging.getLogger(__name__)


def backoff(retries: int) -> float:
    """Exponential backoff with jitter: 2, 4, 8... seconds (capped), so a failing source is not hammered."""
    base = settings.ECHE_RETRY_BACKOFF_SECONDS * (2**retries)
    return min(base, settings.ECHE_RETRY_BACKOFF_MAX_SECONDS) * random.uniform(0.8, 1.2)


@shared_task(bind=True, acks_late=True, soft_time_limit=60, time_limit=90, ignore_result=True)
def check_eche(self, organisation_id: int) -> str | None:
    """Check one organisation's ECHE against the configured source; retried with exponential backoff when
    the source fails, and ending in status `error` when it keeps failing (never a silent loss).

    One limit, ECHE_CHECK_MAX_RETRIES: passed to `retry()` as well, so Celery's own default (3) never ends the
    task in FAILURE before the status is marked `error`."""
    try:
        return services.organisation_check(organisation_id=organisation_id)
    except (SourceError, SoftTimeLimitExceeded) as error:
        if self.request.retries >= settings.ECHE_CHECK_MAX_RETRIES:
            logger.warning("ECHE check of organisation %s failed for good: %s", organisation_id, error)
            services.organisation_mark_error(
                organisation_id=organisation_id, detail=str(error) or repr(error)
            )
            return "error"
        raise self.retry(
            exc=error, countdown=backoff(self.request.retries), max_retries=settings.ECHE_CHECK_MAX_RETRIES
        ) from error


@shared_task(acks_late=True, soft_time_limit=600, time_limit=660, ignore_result=True)
def recheck_all_eche() -> dict:
    """Re-check every HEI (after an import, and nightly: charters expire)."""
    return services.organisations_recheck()


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150, ignore_result=True)
def sweep_pending_eche() -> int:
    """Re-queue the checks asked for that never answered (the broker or the worker was down), and end the
    uploads whose import lost its worker."""
    list_storage.abandoned_import_jobs_end()
    return services.pending_checks_sweep()


@shared_task(
    acks_late=True,
    soft_time_limit=list_storage.IMPORT_TIME_LIMIT_SECONDS - 60,
    time_limit=list_storage.IMPORT_TIME_LIMIT_SECONDS,
    ignore_result=True,
)
def import_eche_list(job_id: int) -> None:
    """Import a list uploaded in the admin; progress and result are written to the job."""
    list_storage.import_job_run(job_id=job_id)


@shared_task(**EMAIL_TASK)
def send_change_request_outcome(change_request_id: int) -> bool:
    """Email the partner who asked for a correction what the curator decided (retried as every email is)."""
    from .emails import send_change_request_outcome as send

    change_request = curation.outcome_to_tell(change_request_id=change_request_id)
    if change_request is None:
        return False
    send(change_request=change_request)
    curation.outcome_told(change_request=change_request)
    return True


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150, ignore_result=True)
def refresh_search_words() -> None:
    """The directory's words for the typo-tolerant search, rebuilt (after imports, and every few minutes)."""
    directory.search_words_refresh()
