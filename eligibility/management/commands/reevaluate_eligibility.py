from django.core.management.base import BaseCommand, CommandError

from alliances.models import Proposal
from eligibility import services


class Command(BaseCommand):
    help = "Re-evaluate the eligibility of some proposals (by id) or of all of them, and store their reports."

    def add_arguments(self, parser):
        parser.add_argument("proposal_ids", nargs="*", type=int, metavar="PROPOSAL_ID")
        parser.add_argument("--all", action="store_true", help="Re-evaluate every proposal.")

    def handle(self, *args, proposal_ids, all, **options):
        if all == bool(proposal_ids):
            raise CommandError("Give proposal ids or --all (not both).")
        if all:
            ids = list(Proposal.objects.values_list("pk", flat=True))
        else:
            ids = set(proposal_ids)
            missing = ids - set(Proposal.objects.filter(pk__in=ids).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No proposal with id {', '.join(map(str, sorted(missing)))}.")
        count = services.reevaluate(ids)
        self.stdout.write(self.style.SUCCESS(f"Re-evaluated {count} proposal{'s' if count != 1 else ''}."))
