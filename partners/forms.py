from django import forms
from django.core.cache import caches
from django.db.models import Exists, OuterRef
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .codes import fold_for_search, normalise_erasmus_code, normalise_oid, normalise_pic
from .labels import IDENTIFIER_LABELS, describe, shared_identifier_message
from .models import Country, EcheStatus, Organisation, OrganisationType
from .selectors import organisations_with_identifier, organisations_with_same_name, shared_by_listed_holders


def by_name(choices) -> list[tuple]:
    """(value, name) pairs in the order people read the names: case and accents aside."""
    return sorted(choices, key=lambda choice: (fold_for_search(choice[1]), choice[1]))


class OrganisationForm(forms.ModelForm):
    """Organisation details with identifier normalisation and duplicate detection.

    Used by the admin and by the builder's create-in-place form, so both give the same answers.
    """

    confirm_not_duplicate = forms.BooleanField(
        label=_("This is a different organisation with the same name"),
        required=False,
        help_text=_(
            "Tick only if an organisation of the same name in the same country is really another one."
        ),
    )

    class Meta:
        model = Organisation
        fields = ["legal_name", "acronym", "country", "city", "website", "type", "pic", "oid", "erasmus_code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "country" in self.fields:
            country = self.fields["country"]
            country.empty_label = _("Choose a country")
            if type(country.widget) is forms.Select:  # the admin's own widgets (autocomplete) list their own
                # As people read the names: Côte d'Ivoire among the Cs, not after Czechia (the database
                # orders by code point).
                names = by_name(country.queryset.values_list("pk", "name"))
                country.choices = [("", country.empty_label), *names]
        if "type" in self.fields:
            self.fields["type"].empty_label = _("Choose a type")
        if "pic" in self.fields:  # nine digits: a phone shows its number pad
            self.fields["pic"].widget.attrs.setdefault("inputmode", "numeric")

    def clean_pic(self):
        return normalise_pic(self.cleaned_data.get("pic"))

    def clean_oid(self):
        return normalise_oid(self.cleaned_data.get("oid"))

    def clean_erasmus_code(self):
        return normalise_erasmus_code(self.cleaned_data.get("erasmus_code"))

    def clean(self):
        cleaned = super().clean()
        exclude_pk = self.instance.pk
        for field in IDENTIFIER_LABELS:
            value = cleaned.get(field)
            if not value or field in self.errors:
                continue
            existing = organisations_with_identifier(field=field, value=value, exclude_pk=exclude_pk).first()
            if existing:
                self.add_error(
                    field,
                    _("%(identifier)s %(value)s already belongs to %(organisation)s.")
                    % {
                        "identifier": IDENTIFIER_LABELS[field],
                        "value": value,
                        "organisation": describe(existing),
                    },
                )
            elif value != getattr(self.instance, field) and shared_by_listed_holders(
                field=field, value=value
            ):
                # Only when given now: a record that held it before the list shared it stays correctable.
                self.add_error(field, shared_identifier_message(field, value))
        # The same-name question is asked of a new record, or of a name or country changed (a form without
        # the country, the partner's, keeps the record's): the record's own was answered when it was made.
        legal_name = cleaned.get("legal_name")
        country = cleaned.get("country") if "country" in self.fields else self.instance.country
        named_anew = self.instance.pk is None or {"legal_name", "country"} & set(self.changed_data)
        if legal_name and country and named_anew and not cleaned.get("confirm_not_duplicate"):
            existing = organisations_with_same_name(
                legal_name=legal_name, country_id=country.pk, exclude_pk=exclude_pk
            ).first()
            if existing:
                self.refuse_same_name(existing)
        return cleaned

    def refuse_same_name(self, existing, *, in_use_here: bool = False) -> None:
        """The name is another record's in that country (found here, or by the service under its lock);
        `in_use_here`: that record is in the consortium the form adds to already, so it cannot be used
        instead. Said again when called again."""
        self.duplicate_of = existing
        if in_use_here:
            message = _(
                "%(organisation)s is already in this consortium. Tick the box below only if this is really "
                "another organisation."
            )
        else:
            message = _(
                "%(organisation)s is already in the directory. Use it instead, or tick the box below if this "
                "is really another organisation."
            )
        self.errors.pop("legal_name", None)
        self.add_error("legal_name", message % {"organisation": describe(existing)})


FILTER_LISTS_CACHE = "fragments"
FILTER_LISTS_KEY = "partners:search-filter-lists"
FILTER_LISTS_SECONDS = 60


class CorrectionForm(OrganisationForm):
    """A correction of an existing record sends what its user changed, not every field it shows.

    Each field carries the value it showed (Django's `show_hidden_initial`), so a form opened before someone
    else's correction does not undo it: a coordinator who changed the city of a page opened before the
    partner's new PIC reset the PIC. (A hidden value someone alters only sends more fields: every correction
    is checked as a whole, whatever it holds.) A field the post holds nothing of, neither its value nor the
    value it showed, was not on the page that sent it (a page from before the form had it): it is left as it
    is, not emptied."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [name for name in self._meta.fields if name in self.fields]
        for name in fields:
            self.fields[name].show_hidden_initial = True
        missing = [self[name] for name in fields if self._sent_nothing_of(self[name])]
        if missing:
            self.data = self.data.copy()
            for field in missing:
                shown = "" if field.initial is None else field.initial
                self.data[field.html_name] = self.data[field.html_initial_name] = shown

    def _sent_nothing_of(self, field) -> bool:
        return self.is_bound and field.html_name not in self.data and field.html_initial_name not in self.data

    def full_clean(self):
        """A value the record holds already and the user left as it was is not theirs to answer for (a name
        stored before the checks refused a zero-width space): only what they change is checked, as the
        service checks only the changes."""
        super().full_clean()
        if not self.is_bound:
            return
        for name in [name for name in self._errors if name in self._meta.fields]:
            if self[name].html_initial_name in self.data and name not in self.changed_data:
                del self._errors[name]

    def changes(self) -> dict:
        """The fields the user changed, with their cleaned values ("" for nothing). A field posted without the
        value it showed (a page from before this form carried them) is sent as it is, as it was then."""
        fields = [name for name in self._meta.fields if name in self.fields]
        shown = {name for name in fields if self[name].html_initial_name in self.data}
        return {
            name: "" if self.cleaned_data.get(name) is None else self.cleaned_data[name]
            for name in fields
            if name not in shown or name in self.changed_data
        }


class OrganisationSearchForm(forms.Form):
    """The directory search: the directory page's, and the builder's for adding a participant.

    The country and type lists are read only when the form is shown, or when a request filters by them."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ModelChoiceField(
        label=_("Country"),
        required=False,
        to_field_name="code",
        empty_label=_("Any country"),
        # Only countries that have organisations: a short list, and a light page. An EXISTS per country, not
        # a join over the whole directory.
        queryset=Country.objects.filter(Exists(Organisation.objects.filter(country=OuterRef("pk")))).order_by(
            "name"
        ),
    )
    type = forms.ModelChoiceField(
        label=_("Type"),
        required=False,
        to_field_name="slug",
        empty_label=_("Any type"),
        queryset=OrganisationType.objects.order_by("position", "name"),
    )
    eche = forms.ChoiceField(
        label=_("ECHE status"), required=False, choices=[("", _("Any ECHE status")), *EcheStatus.choices]
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and data.get("country"):  # a code typed in a link: "de" is DE
            data = data.copy()
            data["country"] = data["country"].upper()
        super().__init__(data, *args, **kwargs)
        self.fields["q"].widget.attrs.update(
            type="search", placeholder=_("Name, acronym, city, PIC or Erasmus code"), autocomplete="off"
        )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        country, type_ = data.get("country"), data.get("type")
        return {
            "query": data.get("q", ""),
            "country": country.code if country else "",
            "type_slug": type_.slug if type_ else "",
            "eche_status": data.get("eche", ""),
        }

    @cached_property
    def filter_options(self) -> dict[str, list[tuple[str, str]]]:
        """Each filter's options as (value, label), for the templates to loop over.

        Every builder page shows them, so the country and type lists are cached for a minute (a country
        appears once it has an organisation, an admin's new type within the minute); the cache only saves
        time, and its alias ignores its errors. Plain lists: a model choice field's choices would count the
        rows, then iterate them through a cursor."""
        country, type_ = self.fields["country"], self.fields["type"]
        cache = caches[FILTER_LISTS_CACHE]
        lists = cache.get(FILTER_LISTS_KEY)
        if lists is None:
            lists = {
                "country": by_name(country.queryset.values_list("code", "name")),
                "type": list(type_.queryset.values_list("slug", "name")),
            }
            cache.set(FILTER_LISTS_KEY, lists, FILTER_LISTS_SECONDS)
        return {
            "country": [("", country.empty_label), *lists["country"]],
            "type": [("", type_.empty_label), *lists["type"]],
            "eche": list(self.fields["eche"].choices),
        }

    @property
    def has_filters(self) -> bool:
        return any(self.filters().values())
