"""Storing an imported list of ECHE holders: the list becomes the current one atomically, its holders are
written in one statement and become verified directory records (``directory``), every HEI is re-checked after
commit; and the admin's upload jobs.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import EcheHolder, EcheImportJob, EcheList, ImportJobStatus

from .directory import directory_records_update
from .list_format import ListFormatError, ParsedList
from .list_reader import read_holder_list
from .services import organisations_recheck_all

logger = logging.getLogger(__name__)

HOLDER_BATCH = 2000


def eche_list_store(*, parsed: ParsedList, user=None) -> EcheList:
    """Store a parsed list and make it the current one, atomically, with a verified directory record for each
    holder; queue the re-check of every HEI after commit. Superseded lists stay (who imported what, when) but
    lose their holders: only the current counts."""
    with transaction.atomic():
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
        _holders_insert(
            (
                new.pk,
                h.row,
                h.erasmus_code[:40],
                h.erasmus_code_normalised[:40],
                h.pic,
                h.oid,
                h.legal_name[:500],
                h.city[:200],
                h.country,
                h.start,
                h.end,
            )
            for h in parsed.holders
        )
        previous = list(
            EcheList.objects.select_for_update().filter(is_current=True).values_list("pk", flat=True)
        )
        EcheHolder.objects.filter(list_id__in=previous).delete()  # no signals, no cascades: one DELETE
        EcheList.objects.filter(pk__in=previous).update(is_current=False)
        EcheList.objects.filter(pk=new.pk).update(is_current=True)
        new.is_current = True
        new.directory_report = directory_records_update(
            holders=parsed.holders, source=new.provenance
        ).as_json()
        EcheList.objects.filter(pk=new.pk).update(directory_report=new.directory_report)
        transaction.on_commit(queue_recheck_all, robust=True)
    return new


HOLDER_COLUMNS = [
    "list", "row", "erasmus_code", "erasmus_code_normalised", "pic", "oid", "legal_name", "city", "country",
    "start", "end",
]  # fmt: skip


def _holders_insert(rows: Iterable[tuple]) -> None:
    """Insert a list's holders, given as tuples of HOLDER_COLUMNS: with COPY on PostgreSQL (building some
    6,000 rows through the ORM took about half as long as reading the workbook), bulk_create elsewhere."""
    fields = [EcheHolder._meta.get_field(name) for name in HOLDER_COLUMNS]
    if connection.vendor != "postgresql":
        names = [field.attname for field in fields]
        holders = (EcheHolder(**dict(zip(names, row, strict=True))) for row in rows)
        EcheHolder.objects.bulk_create(holders, batch_size=HOLDER_BATCH)
        return
    data = io.StringIO()
    data.writelines("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    data.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(EcheHolder._meta.db_table)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", data)


def _copy_text(value) -> str:
    """A value (text, a number or a date) in COPY's text format: NULL as \\N, backslashes and line and field
    separators escaped."""
    if value is None:
        return "\\N"
    return str(value).translate(_COPY_ESCAPES)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def queue_recheck_all() -> None:
    from partners.tasks import recheck_all_eche  # the tasks call these services

    try:
        recheck_all_eche.delay()
    except Exception:
        logger.warning("Could not queue the re-check after an import; re-checking here", exc_info=True)
        organisations_recheck_all()


def eche_list_import(
    *, source, filename: str, user=None, progress: Callable[[int], None] | None = None
) -> tuple[EcheList, ParsedList]:
    """Parse and store a list. Raises ListFormatError (the current list stays as it was)."""
    parsed = read_holder_list(source, filename=filename, progress=progress)
    return eche_list_store(parsed=parsed, user=user), parsed


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
        )
    except ListFormatError as error:
        EcheImportJob.objects.filter(pk=job_id).update(
            status=ImportJobStatus.FAILED,
            finished_at=timezone.now(),
            message=_("Refused: %(reason)s The current list is unchanged.") % {"reason": error},
        )
        return
    EcheImportJob.objects.filter(pk=job_id).update(
        status=ImportJobStatus.DONE,
        finished_at=timezone.now(),
        eche_list=eche_list,
        message=import_summary(parsed, eche_list.directory_report),
    )


def import_summary(parsed: ParsedList, directory: dict | None = None) -> str:
    lines = [
        _(
            "%(rows)d rows read, %(holders)d holders imported, %(refused)d rows refused, "
            "%(warnings)d warnings."
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
    """What the import did to the directory, in lines: the counts, then each field or identifier left out."""
    lines = [
        _(
            "Directory: %(created)d verified records created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(requests)d corrections sent for review; %(problems)d fields or identifiers left out."
        )
        % {**directory, "problems": len(directory.get("problems", []))}
    ]
    lines += [
        _("Row %(row)d: %(reason)s") % {"row": p["row"], "reason": p["reason"]}
        for p in directory.get("problems", [])
    ]
    return lines
