from django.db.models import Q, QuerySet

from .codes import normalise_legal_name
from .models import Organisation


def organisations_with_same_name(
    *, legal_name: str, country_id: str, exclude_pk=None
) -> QuerySet[Organisation]:
    """Organisations whose legal name, normalised, is the same in the same country: likely duplicates."""
    queryset = Organisation.objects.filter(
        country_id=country_id, legal_name_key=normalise_legal_name(legal_name)
    )
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("country")


def organisations_with_identifier(*, field: str, value: str, exclude_pk=None) -> QuerySet[Organisation]:
    if field not in {"pic", "oid", "erasmus_code"}:
        raise ValueError(f"not an identifier: {field}")
    queryset = Organisation.objects.filter(**{field: value}) if value else Organisation.objects.none()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("country")


def organisation_search(*, query: str = "", country: str = "", type_slug: str = "", eche_status: str = ""):
    """Directory search by name, acronym, PIC or Erasmus code, with filters."""
    queryset = Organisation.objects.select_related("country", "type")
    query = " ".join(query.split())
    if query:
        compact = query.replace(" ", "").upper()
        queryset = queryset.filter(
            Q(legal_name__icontains=query)
            | Q(acronym__icontains=query)
            | Q(pic__startswith=compact)
            | Q(oid__startswith=compact)
            | Q(erasmus_code__icontains=query.upper())
        )
    if country:
        queryset = queryset.filter(country_id=country.upper())
    if type_slug:
        queryset = queryset.filter(type__slug=type_slug)
    if eche_status:
        queryset = queryset.filter(eche_status=eche_status)
    return queryset.order_by("legal_name")
