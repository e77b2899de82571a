from django.core.exceptions import FieldDoesNotExist
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


def field_label(field: str) -> str:
    """A curated field's name as people read it."""
    try:
        return str(Organisation._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:  # a field renamed since the request: still shown, by its stored name
        return field


def change_request_rows(*, change_request, current: Organisation | None = None) -> list[dict]:
    """A request's changes as rows to show side by side: label, old, new (and the record's value now)."""
    from .curation import FOREIGN_KEYS
    from .models import Country, OrganisationType

    changes = change_request.changes or {}
    names = {}
    if "country" in changes:
        names["country"] = dict(Country.objects.values_list("code", "name"))
    if "type" in changes:
        names["type"] = dict(OrganisationType.objects.values_list("pk", "name"))

    def shown(field, value):
        return names[field].get(value, value) if field in names else value

    rows = []
    for field, change in changes.items():
        row = {
            "field": field,
            "label": field_label(field),
            "old": shown(field, change.get("old")),
            "new": shown(field, change.get("new")),
        }
        if current is not None:
            row["current"] = shown(field, getattr(current, FOREIGN_KEYS.get(field, field), ""))
        rows.append(row)
    return rows
