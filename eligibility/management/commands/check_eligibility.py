"""`manage.py check_eligibility FILE|-`: a consortium described in JSON, checked without a database write.

Exit status: 0 eligible, 1 not eligible, 3 pending, 2 invalid input or usage error.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from eligibility import rules
from eligibility.consortium_file import InvalidInput, parse

EXIT_CODES = {"eligible": 0, "not_eligible": 1, "pending": 3}
USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Check a consortium described in a JSON file (or - for standard input) against the eligibility rules."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "file", metavar="FILE", help="JSON file describing the consortium, or - for standard input"
        )
        parser.add_argument(
            "--projected",
            action="store_true",
            help="Evaluate as if every proposed and invited participant accepted (default: confirmed only).",
        )

    def handle(self, *args, file, projected, **options):
        text = self._read(file)
        try:
            request = parse(text)
        except InvalidInput as invalid:
            for problem in invalid.problems:
                self.stderr.write(problem)
            sys.exit(USAGE_ERROR)
        evaluation = rules.evaluate(
            request.snapshot, request.edition, "projected" if projected else "confirmed"
        )
        try:
            self.stdout.write(json.dumps(evaluation.as_dict(), ensure_ascii=False, indent=2))
        except UnicodeEncodeError:  # an output that cannot carry every name (PYTHONIOENCODING=ascii)
            self.stdout.write(json.dumps(evaluation.as_dict(), indent=2))
        sys.exit(EXIT_CODES[evaluation.status])

    def _read(self, file: str) -> str:
        """The file's text, without the byte-order mark that Windows editors put first."""
        try:
            if file == "-":
                return sys.stdin.read().removeprefix("\ufeff")
            with open(file, encoding="utf-8-sig") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: cannot read: {error}", returncode=USAGE_ERROR) from error
