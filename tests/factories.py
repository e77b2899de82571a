import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from alliances.models import Participation, ParticipationStatus, Proposal, Role
from eligibility.models import Edition
from partners.models import Country, Organisation, OrganisationType

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    email = factory.Sequence(lambda n: f"coordinator{n}@example.org")
    email_confirmed_at = factory.LazyFunction(timezone.now)
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Coordinator {n}")

    @classmethod
    def _create(cls, model_class, *args, password=PASSWORD, **kwargs):
        return model_class.objects.create_user(*args, password=password, **kwargs)


def country(code: str) -> Country:
    return Country.objects.get(code=code)


def org_type(slug: str) -> OrganisationType:
    return OrganisationType.objects.get(slug=slug)


def edition(year: int | None = None) -> Edition:
    queryset = Edition.objects.all()
    return queryset.get(year=year) if year else queryset.order_by("-year").first()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    country = factory.LazyFunction(lambda: country("DE"))
    city = "Berlin"
    type = factory.LazyFunction(lambda: org_type("enterprise"))

    class Params:
        hei = factory.Trait(type=factory.LazyFunction(lambda: org_type("higher-education-institution")))
        vet = factory.Trait(type=factory.LazyFunction(lambda: org_type("vet-provider")))


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    title = factory.Sequence(lambda n: f"Alliance {n}")
    acronym = factory.Sequence(lambda n: f"ALL{n}")
    edition = factory.LazyFunction(edition)
    duration_months = 24
    aims = factory.LazyFunction(lambda: ["skills-relevance"])
    owner = factory.SubFactory(UserFactory)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    proposal = factory.SubFactory(ProposalFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.FULL_PARTNER
    status = ParticipationStatus.CONFIRMED


# An eligible consortium (2026 rules): 8 full partners in 4 countries, 3 labour market actors,
# 3 education and training providers including an HEI and a VET provider.
ELIGIBLE_CONSORTIUM = [
    ("DE", "higher-education-institution", Role.APPLICANT),
    ("FR", "vet-provider", Role.FULL_PARTNER),
    ("IT", "vet-provider", Role.FULL_PARTNER),
    ("ES", "enterprise", Role.FULL_PARTNER),
    ("DE", "chamber", Role.FULL_PARTNER),
    ("FR", "sector-skills-council", Role.FULL_PARTNER),
    ("IT", "ngo", Role.FULL_PARTNER),
    ("ES", "research-institute", Role.FULL_PARTNER),
]
