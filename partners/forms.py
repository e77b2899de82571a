from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .codes import normalise_erasmus_code, normalise_oid, normalise_pic
from .models import Country, EcheStatus, Organisation, OrganisationType
from .selectors import organisations_with_identifier, organisations_with_same_name

IDENTIFIER_LABELS = {"pic": _("PIC"), "oid": _("OID"), "erasmus_code": _("Erasmus code")}


def describe(organisation: Organisation) -> str:
    place = ", ".join(part for part in (organisation.country_id, organisation.city) if part)
    return f"{organisation.legal_name} ({place})"


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
        legal_name, country = cleaned.get("legal_name"), cleaned.get("country")
        if legal_name and country and not cleaned.get("confirm_not_duplicate"):
            existing = organisations_with_same_name(
                legal_name=legal_name, country_id=country.pk, exclude_pk=exclude_pk
            ).first()
            if existing:
                self.duplicate_of = existing
                self.add_error(
                    "legal_name",
                    _(
                        "%(organisation)s is already in the directory. Use it instead, or tick the box below "
                        "if this is really another organisation."
                    )
                    % {"organisation": describe(existing)},
                )
        return cleaned


class OrganisationSearchForm(forms.Form):
    """The directory search: the directory page's, and the builder's for adding a participant."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    eche = forms.ChoiceField(
        label=_("ECHE status"), required=False, choices=[("", _("Any ECHE status")), *EcheStatus.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only countries that have organisations: a short list, and a light page.
        # An EXISTS per country, not a join over the whole directory: the builder shows this on every view.
        countries = (
            Country.objects.filter(Exists(Organisation.objects.filter(country=OuterRef("pk"))))
            .order_by("name")
            .values_list("code", "name")
        )
        self.fields["country"].choices = [("", _("Any country")), *countries]
        types = OrganisationType.objects.order_by("position", "name").values_list("slug", "name")
        self.fields["type"].choices = [("", _("Any type")), *types]
        self.fields["q"].widget.attrs.update(
            type="search", placeholder=_("Name, acronym, PIC or Erasmus code"), autocomplete="off"
        )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "query": data.get("q", ""),
            "country": data.get("country", ""),
            "type_slug": data.get("type", ""),
            "eche_status": data.get("eche", ""),
        }

    @property
    def has_filters(self) -> bool:
        return any(self.filters().values())
