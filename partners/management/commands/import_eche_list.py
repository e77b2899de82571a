"""`manage.py import_eche_list FILE`: import the Commission's list of ECHE holders and make it current.

A file that is not a list is refused with a clear message (exit status 1) and the current list stays as it
was. Every HEI is re-checked after the import.
"""

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partners.eche.list_format import ListFormatError
from partners.eche.list_storage import directory_summary, eche_list_import


class Progress:
    """A one-line progress display, redrawn with a carriage return, only when the output is a terminal."""

    def __init__(self, stream, enabled: bool):
        self.stream = stream
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, rows: int) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        rate = rows / elapsed if elapsed > 0 else 0
        self.stream.write(f"\rReading rows: {rows:>6}  ({rate:,.0f} rows/s)")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import the Commission's list of ECHE holders (XLSX or CSV) and make it the current list."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The list as the Commission publishes it (.xlsx), or a CSV export.")
        parser.add_argument("--user", help="Email of the user recorded as importer.")
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress line even on a terminal."
        )
        parser.add_argument(
            "--shorter-accepted",
            action="store_true",
            help="Import the list even if it holds fewer than half the charters of the current one.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        user = None
        if options.get("user"):
            user = get_user_model().objects.filter(email__iexact=options["user"]).first()
            if user is None:
                raise CommandError(f"No user with the email {options['user']}.")
        out = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
        progress = Progress(
            out, enabled=not options["no_progress"] and getattr(out, "isatty", lambda: False)()
        )
        try:
            eche_list, parsed = eche_list_import(
                source=path,
                filename=path.name,
                user=user,
                progress=progress,
                shorter_accepted=options["shorter_accepted"],
            )
        except ListFormatError as error:
            progress.close()
            raise CommandError(f"{error} The current list is unchanged.") from error
        progress.close()

        self.stdout.write(f"Rows read:         {parsed.rows_read}")
        self.stdout.write(f"Holders imported:  {len(parsed.holders)}")
        self.stdout.write(f"Rows refused:      {len(parsed.refused)}")
        for problem in parsed.refused:
            self.stdout.write(f"  row {problem.row}: {problem.reason}")
        self.stdout.write(f"Warnings:          {len(parsed.warnings)}")
        if options["verbosity"] >= 2:
            for problem in parsed.warnings:
                self.stdout.write(f"  row {problem.row}: {problem.reason}")
        elif parsed.warnings:
            self.stdout.write("  (run with -v 2 to list them)")
        directory = directory_summary(eche_list.directory_report)
        self.stdout.write(directory[0])
        for line in directory[1:]:
            self.stdout.write(f"  {line}")
        published = eche_list.publication_date.isoformat() if eche_list.publication_date else "unknown"
        self.stdout.write(
            self.style.SUCCESS(
                f"{eche_list.source_name} (published {published}) is now the current list; "
                "every HEI is being re-checked."
            )
        )
