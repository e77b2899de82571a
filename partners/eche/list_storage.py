"""Storing an imported list of ECHE holders: the list becomes the current one atomically, its holders are
written in one statement and become verified directory records (``directory``); after commit every HEI is
re-checked and the directory's search words rebuilt; and the admin's upload jobs.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import EcheHolder, EcheImportJob, EcheList, ImportJobStatus
from partners.services import search_words_refresh

from .bulk_insert import bulk_insert
from .directory import directory_records_update
from .list_format import ListFormatError, ParsedList
from .list_reader import read_holder_list
from .services import organisations_recheck

logger = logging.getLogger(__name__)


def eche_list_store(*, parsed: ParsedList, user=None, shorter_accepted: bool = False) -> EcheList:
    """Store a parsed list and make it the current one, atomically, with a verified directory record for each
    holder; queue the re-check of every HEI after commit. Superseded lists stay (who imported what, when) but
    lose their holders: only the current counts."""
    with transaction.atomic():
        previous = EcheList.objects.select_for_update().filter(is_current=True)
        _refuse_if_undoing(parsed, previous, shorter_accepted=shorter_accepted)
        new = EcheList.objects.create(
            source_name=parsed.source_name[:255],
            sheet=parsed.sheet[:100],
            header_row=parsed.header_row,
            publication_date=parsed.publication_date,
            imported_by=user if user is not None and user.is_authenticated else None,
            rows_read=parsed.rows_read,
            holders_count=len(parsed.holders),
            refused_count=len(parsed.refused),
            warnings_count=len(parsed.warnings),
            refused=[{"row": p.row, "reason": p.reason} for p in parsed.refused],
            warnings=[{"row": p.row, "reason": p.reason} for p in parsed.warnings],
        )
        bulk_insert(
            EcheHolder,
            [
                EcheHolder(
                    list=new,
                    row=h.row,
                    erasmus_code=h.erasmus_code,
                    erasmus_code_normalised=h.erasmus_code_normalised,
                    pic=h.pic,
                    oid=h.oid,
                    legal_name=h.legal_name,
                    city=h.city,
                    country=h.country,
                    start=h.start,
                    end=h.end,
                )
                for h in parsed.holders
            ],
        )
        previous = list(previous.values_list("pk", flat=True))
        EcheHolder.objects.filter(list_id__in=previous).delete()  # no signals, no cascades: one DELETE
        EcheList.objects.filter(pk__in=previous).update(is_current=False)
        EcheList.objects.filter(pk=new.pk).update(is_current=True)
        new.is_current = True
        new.directory_report = directory_records_update(eche_list=new, holders=parsed.holders).as_json()
        EcheList.objects.filter(pk=new.pk).update(directory_report=new.directory_report)
        transaction.on_commit(queue_after_import, robust=True)
    return new


# A list holding fewer than this share of the current list's charters is taken for a partial file, unless
# whoever imports it says otherwise.
MUCH_SHORTER = 0.5
# A list is taken for an older one when the current list holds this many charters that started after all of
# its own (fewer may have been withdrawn since, in a newer list).
NEWER_CHARTERS_REFUSED = 10


def _refuse_if_undoing(parsed: ParsedList, current, *, shorter_accepted: bool) -> None:
    """Refuse a list that would undo the current one: published before it (it would bring back charters
    withdrawn since and hide those awarded since; by the dates in the file names, and whatever the names say,
    by the charters it holds: `_refuse_if_older_inside`), or much shorter than it (a partial file would make
    the charters it leaves out look withdrawn). A date still to come in the file name is a typo, refused:
    taken as the current list's date, it refused every real list after it (2062 for 2026); one already
    imported counts as no date."""
    current = list(current)
    published = parsed.publication_date
    today = timezone.localdate()
    if published and published > today:
        raise ListFormatError(
            _(
                "The file name says this list was published on %(date)s, a date still to come. Correct the "
                "date in the file name (or leave it out) and import the list again."
            )
            % {"date": published.isoformat()}
        )
    dates = [eche_list.publication_date for eche_list in current if eche_list.publication_date]
    dates = [date for date in dates if date <= today]
    if published and dates and max(dates) > published:
        raise ListFormatError(
            _(
                "This list was published on %(date)s, before the current one (%(current)s): importing it "
                "would bring back charters withdrawn since and hide those awarded since. Import the newest "
                "list."
            )
            % {"date": published.isoformat(), "current": max(dates).isoformat()}
        )
    _refuse_if_older_inside(parsed, current)
    holders = max((eche_list.holders_count for eche_list in current), default=0)
    if not shorter_accepted and len(parsed.holders) < holders * MUCH_SHORTER:
        raise ListFormatError(
            _(
                "This list holds %(new)d charters, fewer than half the current list's %(current)d: the "
                "charters it leaves out would look withdrawn. If the Commission's list really is this short, "
                "import it again saying so (“Replace a much longer list” on the upload, or "
                "--shorter-accepted)."
            )
            % {"new": len(parsed.holders), "current": holders}
        )


def _refuse_if_older_inside(parsed: ParsedList, current: list) -> None:
    """Refuse a list whose charters show it older than the current one, whatever its file name says: the
    current list holds NEWER_CHARTERS_REFUSED charters or more that started after the newest one in it (the
    July 2022 list, renamed without its date, replaced the April 2026 one and hid some 900 charters). A newer
    list holds the current one's recent charters, but for the few withdrawn since."""
    starts = [holder.start for holder in parsed.holders if holder.start]
    if not current or not starts:
        return
    newest = max(starts)
    newer = EcheHolder.objects.filter(list__in=current, start__gt=newest).count()
    if newer >= NEWER_CHARTERS_REFUSED:
        raise ListFormatError(
            _(
                "This list is older than the current one: the newest charter in it started on %(date)s, and "
                "%(count)d charters of the current list started after that. Importing it would hide the "
                "charters awarded since and bring back those withdrawn. Import the newest list."
            )
            % {"date": newest.isoformat(), "count": newer}
        )


def queue_after_import() -> None:
    """Once an import commits: every HEI re-checked against it, and the directory's words rebuilt with its new
    records'. Each in a task; here, at once, when the broker cannot take it."""
    from partners.tasks import recheck_all_eche, refresh_search_words  # the tasks call these services

    for task, run_here in (
        (recheck_all_eche, organisations_recheck),
        (refresh_search_words, search_words_refresh),
    ):
        try:
            task.delay()
        except Exception:
            logger.warning("Could not queue %s after an import; running it here", task.name, exc_info=True)
            run_here()


def eche_list_import(
    *,
    source,
    filename: str,
    user=None,
    progress: Callable[[int], None] | None = None,
    shorter_accepted: bool = False,
) -> tuple[EcheList, ParsedList]:
    """Parse and store a list. Raises ListFormatError (the current list stays as it was)."""
    parsed = read_holder_list(source, filename=filename, progress=progress)
    return eche_list_store(parsed=parsed, user=user, shorter_accepted=shorter_accepted), parsed


# An upload's import is stopped after this long (the task's hard time limit); a job still "running" well after
# it lost its worker: `abandoned_import_jobs_end` ends it.
IMPORT_TIME_LIMIT_SECONDS = 660


def abandoned_import_jobs_end() -> int:
    """End the jobs still running long after an import's time limit: their worker was killed (the limit, a
    restart, a web server's timeout where no worker took the import) before it could say how it went, and
    their page said "running" for ever. The import's transaction died with the worker: the current list is
    unchanged. Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=IMPORT_TIME_LIMIT_SECONDS * 2)
    return EcheImportJob.objects.filter(status=ImportJobStatus.RUNNING, started_at__lt=cutoff).update(
        status=ImportJobStatus.FAILED,
        finished_at=timezone.now(),
        message=_(
            "The import did not finish: the process running it stopped (a file too big to import in time, or "
            "a restart). The current list is unchanged. Upload the file again; if it stops again, import it "
            "with the command `manage.py import_eche_list`."
        ),
    )


def import_job_run(*, job_id: int) -> None:
    """Run an admin upload: progress and result are written to the job as they come."""
    job = EcheImportJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return
    EcheImportJob.objects.filter(pk=job_id).update(
        status=ImportJobStatus.RUNNING, started_at=timezone.now(), rows_done=0
    )

    def progress(rows: int) -> None:
        EcheImportJob.objects.filter(pk=job_id).update(rows_done=rows)

    try:
        eche_list, parsed = eche_list_import(
            source=io.BytesIO(bytes(job.content)),
            filename=job.filename,
            user=job.uploaded_by,
            progress=progress,
            shorter_accepted=job.shorter_accepted,
        )
    except ListFormatError as error:
        _job_ended(
            job_id,
            ImportJobStatus.REFUSED,
            _("%(reason)s The current list is unchanged.") % {"reason": error},
        )
        return
    except Exception:
        # The job ends either way (its page would say "running" for ever); the error goes to the worker's log.
        message = _("The import failed: the current list is unchanged. The worker's log says why.")
        _job_ended(job_id, ImportJobStatus.FAILED, message)
        raise
    EcheImportJob.objects.filter(pk=job_id).update(
        status=ImportJobStatus.DONE,
        finished_at=timezone.now(),
        eche_list=eche_list,
        message=import_summary(parsed, eche_list.directory_report),
    )


def _job_ended(job_id: int, status: str, message: str) -> None:
    EcheImportJob.objects.filter(pk=job_id).update(status=status, finished_at=timezone.now(), message=message)


def import_summary(parsed: ParsedList, directory: dict | None = None) -> str:
    lines = [
        _(
            "%(rows)d rows read, %(holders)d holders imported, %(refused)d rows refused, "
            "%(warnings)d warnings (each on the imported list's page)."
        )
        % {
            "rows": parsed.rows_read,
            "holders": len(parsed.holders),
            "refused": len(parsed.refused),
            "warnings": len(parsed.warnings),
        }
    ]
    lines += [
        _("Row %(row)d refused: %(reason)s") % {"row": p.row, "reason": p.reason} for p in parsed.refused
    ]
    if directory:
        lines += directory_summary(directory)
    return "\n".join(lines)


def directory_summary(directory: dict) -> list[str]:
    """What the import did to the directory, in lines: the counts, then each field or identifier left out
    ("Row 3, directory: …", told apart from the list's own refused rows and warnings)."""
    lines = [
        _(
            "%(created)d verified directory records created, %(updated)d updated, %(unchanged)d unchanged "
            "(records, each counted once); corrections sent for review: %(requests)d; earlier lists' "
            "corrections it no longer asks for, closed: %(superseded)d; fields or identifiers left out: "
            "%(problems)d."
        )
        % {
            **directory,
            "superseded": directory.get("superseded", 0),  # not in reports of imports before it was counted
            "problems": len(directory.get("problems", [])),
        }
    ]
    lines += [
        _("Row %(row)d, directory: %(reason)s") % {"row": p["row"], "reason": p["reason"]}
        for p in directory.get("problems", [])
    ]
    return lines
