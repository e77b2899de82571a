"""Demo data: a realistic consortium one labour market actor short of eligible, and a sign-in to see it.

Idempotent: organisations are found by identifiers or name, the proposal by owner and acronym; running it
twice changes nothing.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from alliances.models import Participation, ParticipationStatus, Proposal, Role
from eligibility.models import Edition
from partners.eche.list_reader import read_holder_list
from partners.eche.list_storage import eche_list_store
from partners.eche.services import organisation_check
from partners.models import EcheList, Organisation, OrganisationType

# The Commission's list of ECHE holders of 8 April 2026, imported when no list is imported yet.
DEMO_ECHE_LIST = (
    settings.BASE_DIR / "partners" / "data" / "eche" / "accredited-HEIs-Erasmus-2021-2027_08042026.xlsx"
)
DEMO_HEIS = ("tub", "aalto")

# (key, legal name, acronym, country, city, website, type slug, PIC, OID, Erasmus code)
ORGANISATIONS = [
    (
        "tub",
        "Technische Universität Berlin",
        "TU Berlin",
        "DE",
        "Berlin",
        "https://www.tu-berlin.de",
        "higher-education-institution",
        "999986678",
        "E10209450",
        "D  BERLIN02",
    ),
    (
        "aalto",
        "Aalto-korkeakoulusäätiö sr",
        "Aalto",
        "FI",
        "Espoo",
        "https://www.aalto.fi",
        "higher-education-institution",
        "991256096",
        "E10181958",
        "SF ESPOO12",
    ),
    (
        "roc",
        "Koning Willem I College",
        "KW1C",
        "NL",
        "'s-Hertogenbosch",
        "https://www.kw1c.nl",
        "vet-provider",
        "",
        "",
        "",
    ),
    (
        "cifp",
        "Centro Integrado de Formación Profesional Misericordia",
        "CIFP Misericordia",
        "ES",
        "Valencia",
        "",
        "vet-provider",
        "",
        "",
        "",
    ),
    ("robotica", "Robotica Industriale Veneta S.r.l.", "RIV", "IT", "Padova", "", "enterprise", "", "", ""),
    (
        "wko",
        "Wirtschaftskammer Steiermark",
        "WKO Steiermark",
        "AT",
        "Graz",
        "https://www.wko.at",
        "chamber",
        "",
        "",
        "",
    ),
    (
        "inesc",
        "Instituto de Engenharia de Sistemas e Computadores",
        "INESC",
        "PT",
        "Porto",
        "",
        "research-institute",
        "",
        "",
        "",
    ),
    ("greenskills", "Green Skills Europe", "GSE", "BE", "Brussels", "", "ngo", "", "", ""),
    ("tubfound", "TU Berlin Innovation Foundation", "TUB-IF", "DE", "Berlin", "", "ngo", "", "", ""),
    ("swissoft", "Swissoft Automation AG", "Swissoft", "CH", "Zürich", "", "enterprise", "", "", ""),
    # In the directory but not in the consortium yet: the labour market actors that would close the gap.
    ("polmet", "Polmetal Sp. z o.o.", "Polmetal", "PL", "Wrocław", "", "enterprise", "", "", ""),
    (
        "skillnet",
        "Advanced Manufacturing Skills Council",
        "AMSC",
        "IE",
        "Cork",
        "",
        "sector-skills-council",
        "",
        "",
        "",
    ),
    (
        "dk-trade",
        "Dansk Industri Uddannelse",
        "DI-U",
        "DK",
        "Copenhagen",
        "",
        "sectoral-association",
        "",
        "",
        "",
    ),
]

# (organisation key, role, status, contact name, contact email, affiliated to)
CONSORTIUM = [
    (
        "tub",
        Role.APPLICANT,
        ParticipationStatus.CONFIRMED,
        "Dr. Anna Keller",
        "anna.keller@example.org",
        None,
    ),
    (
        "aalto",
        Role.FULL_PARTNER,
        ParticipationStatus.CONFIRMED,
        "Mikko Virtanen",
        "mikko.virtanen@example.org",
        None,
    ),
    (
        "roc",
        Role.FULL_PARTNER,
        ParticipationStatus.CONFIRMED,
        "Sanne de Vries",
        "s.devries@example.org",
        None,
    ),
    (
        "cifp",
        Role.FULL_PARTNER,
        ParticipationStatus.CONFIRMED,
        "Lucía Martínez",
        "lucia.martinez@example.org",
        None,
    ),
    (
        "robotica",
        Role.FULL_PARTNER,
        ParticipationStatus.CONFIRMED,
        "Marco Bianchi",
        "m.bianchi@example.org",
        None,
    ),
    ("wko", Role.FULL_PARTNER, ParticipationStatus.CONFIRMED, "Eva Huber", "eva.huber@example.org", None),
    ("inesc", Role.FULL_PARTNER, ParticipationStatus.CONFIRMED, "João Silva", "joao.silva@example.org", None),
    (
        "greenskills",
        Role.FULL_PARTNER,
        ParticipationStatus.CONFIRMED,
        "Claire Dubois",
        "c.dubois@example.org",
        None,
    ),
    (
        "tubfound",
        Role.AFFILIATED_ENTITY,
        ParticipationStatus.CONFIRMED,
        "Jonas Weber",
        "j.weber@example.org",
        "tub",
    ),
    (
        "swissoft",
        Role.ASSOCIATED_PARTNER,
        ParticipationStatus.PROPOSED,  # not yet invited: the demo shows its Invite button
        "Nina Meier",
        "nina.meier@example.org",
        None,
    ),
]

ACRONYM = "GREENMAKE"


class Command(BaseCommand):
    help = (
        "Create the demo sign-in, organisations and a consortium one labour market actor short of eligible."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--production",
            action="store_true",
            help="Seed even with DJANGO_ENV=production; the password must then come from DEMO_USER_PASSWORD.",
        )

    def handle(self, *args, production=False, **options):
        password = self._password(production)  # refuses before any database is touched
        self._seed(password)

    @transaction.atomic
    def _seed(self, password: str):
        user = self._demo_user(password)
        self._eche_list()  # first: the demo's universities are then the list's verified records, as they are
        organisations = {spec[0]: self._organisation(spec, user) for spec in ORGANISATIONS}
        for key in DEMO_HEIS:
            organisation_check(organisation_id=organisations[key].pk)
        proposal = self._proposal(user)
        by_key = {}
        for key, role, status, contact_name, contact_email, partner_key in CONSORTIUM:
            by_key[key], _created = Participation.objects.get_or_create(
                proposal=proposal,
                organisation=organisations[key],
                defaults={
                    "role": role,
                    "status": status,
                    "contact_name": contact_name,
                    "contact_email": contact_email,
                    "affiliated_to": by_key.get(partner_key),
                },
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(organisations)} organisations, proposal {proposal.acronym} "
                f"with {proposal.participations.count()} participants. Sign in as {user.email}."
            )
        )

    def _password(self, production: bool) -> str:
        """The demo account's password; in production only when asked explicitly, never the README's."""
        if not settings.PRODUCTION:
            return settings.DEMO_USER_PASSWORD
        if not production:
            raise CommandError(
                "seed_demo creates an administrator with a published password: it refuses with "
                "DJANGO_ENV=production unless run with --production and a DEMO_USER_PASSWORD of your own."
            )
        password = settings.DEMO_USER_PASSWORD  # the published one unless the environment sets another
        if password == settings.DEMO_USER_PASSWORD_PUBLISHED:
            raise CommandError(
                "With --production, set DEMO_USER_PASSWORD in the environment to a password of your own."
            )
        return password

    def _demo_user(self, password: str):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            email=settings.DEMO_USER_EMAIL,
            defaults={
                "first_name": "Demo",
                "last_name": "Coordinator",
                "is_staff": True,
                "is_superuser": True,
                "email_confirmed_at": timezone.now(),
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif user.email_confirmed_at is None:  # made before addresses were confirmed
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
        return user

    def _organisation(self, spec, user):
        _key, legal_name, acronym, country, city, website, type_slug, pic, oid, erasmus_code = spec
        lookup = {"pic": pic} if pic else {"legal_name": legal_name, "country_id": country}
        organisation, _created = Organisation.objects.get_or_create(
            **lookup,
            defaults={
                "legal_name": legal_name,
                "acronym": acronym,
                "country_id": country,
                "city": city,
                "website": website,
                "type_id": self._type_id(type_slug),
                "pic": pic,
                "oid": oid,
                "erasmus_code": erasmus_code,
                "created_by": user,
                # Real organisations, seeded by the operator: curated, so suggested to every coordinator (a
                # new account's panel suggested no VET provider or enterprise: only the list's HEIs were).
                "verified": True,
            },
        )
        return organisation

    def _eche_list(self):
        """The real ECHE list, imported once (a few seconds): every holder a verified directory record, the
        demo HEIs among them (found by their PIC). Imported after them, it left Aalto unverified: the demo's
        own record named a website the list does not."""
        if not EcheList.objects.filter(is_current=True).exists():
            parsed = read_holder_list(DEMO_ECHE_LIST, filename=DEMO_ECHE_LIST.name)
            directory = eche_list_store(parsed=parsed).directory_report
            self.stdout.write(
                f"Imported the ECHE list {DEMO_ECHE_LIST.name}: {len(parsed.holders)} holders, "
                f"{directory['created']} new verified directory records, "
                f"{len(directory['problems'])} fields or identifiers left out (see the list in the admin)."
            )
            if settings.CELERY_TASK_ALWAYS_EAGER:  # no worker: the re-check runs here, once this commits
                self.stdout.write(
                    "Checking every holder's charter against it (this first time only, a minute or so)..."
                )

    def _type_id(self, slug):
        return OrganisationType.objects.only("id").get(slug=slug).id

    def _proposal(self, user):
        edition = Edition.objects.order_by("-year").first()
        proposal, _created = Proposal.objects.get_or_create(
            owner=user,
            acronym=ACRONYM,
            defaults={
                "title": "Green Manufacturing Skills Alliance",
                "edition": edition,
                "duration_months": 36,
                "aims": ["skills-relevance", "knowledge-flow", "social-responsibility"],
                "economic_sectors": "Advanced manufacturing; Renewable energy",
                "summary": (
                    "Universities, VET providers and manufacturers co-design modular curricula for the green "
                    "transition of small and medium-sized manufacturers, with work-based learning in four "
                    "regions."
                ),
            },
        )
        return proposal
