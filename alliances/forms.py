from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.text import validate_plain_text
from eligibility.models import Edition
from eligibility.rules import AIMS, FULL_PARTNER_ROLES
from partners.forms import CorrectionForm
from partners.models import Organisation

from .models import Participation, Proposal, Role

# Field errors that a person using the page cannot cause: only a tampered request has them.
TAMPER_CODES = {"invalid_choice", "invalid_pk_value"}


def is_tampered(form: forms.Form, fields) -> bool:
    return any(form.has_error(field, code) for field in fields for code in TAMPER_CODES)


# Calls are yearly: a submission deadline is never further away than this many years.
DEADLINE_HORIZON_YEARS = 3


def _years_after(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the 28th
        return day.replace(year=day.year + years, day=28)


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=1, **kwargs)


class ProposalForm(forms.ModelForm):
    edition = forms.ModelChoiceField(
        queryset=Edition.objects.order_by("-year"),
        label=_("Call edition"),
        empty_label=None,
        help_text=_("The call year whose rules the consortium is checked against."),
    )
    # Choices: the durations of every edition (set in __init__); clean() checks the chosen edition's.
    duration_months = forms.TypedChoiceField(label=_("Duration"), coerce=int, widget=forms.RadioSelect)
    aims = forms.MultipleChoiceField(
        label=_("Aims"),
        choices=[(code, label) for code, label in AIMS.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose at least one aim of the call edition."),
        error_messages={"required": _("Choose at least one aim.")},
    )
    deadline = forms.DateField(
        label=_("Submission deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = VersionField(required=False)

    class Meta:
        model = Proposal
        fields = [
            "title",
            "acronym",
            "edition",
            "duration_months",
            "aims",
            "economic_sectors",
            "summary",
            "deadline",
        ]
        labels = {
            "title": _("Title"),
            "acronym": _("Acronym"),
            "economic_sectors": _("Economic sector(s)"),
            "summary": _("Summary"),
        }
        help_texts = {"acronym": _("A short name, for example GREENMAKE.")}
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editions = list(Edition.objects.order_by("-year").values_list("pk", "durations"))
        durations = sorted(
            {int(months) for _pk, edition_durations in editions for months in edition_durations}
        )
        self.fields["duration_months"].choices = [(months, _duration_label(months)) for months in durations]
        if not self.instance.pk:
            newest, newest_durations = editions[0] if editions else (None, [])
            self.fields["edition"].initial = newest
            self.fields["duration_months"].initial = min(newest_durations, default=None)
        else:
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version
        self.fields["title"].widget.attrs.update(maxlength=255)
        self.fields["acronym"].widget.attrs.update(maxlength=40)

    def clean_title(self):
        title = " ".join((self.cleaned_data.get("title") or "").split())
        if not title:
            raise forms.ValidationError(_("Give the proposal a title."))
        return title

    def clean_acronym(self):
        acronym = " ".join((self.cleaned_data.get("acronym") or "").split())
        if not acronym:
            raise forms.ValidationError(_("Give the proposal an acronym."))
        return acronym

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        if not deadline or deadline == self.instance.deadline:
            return deadline
        # Refused as it is entered; a proposal whose deadline has passed since is still edited as it is.
        if deadline < timezone.localdate():
            raise forms.ValidationError(
                _("This date has passed: enter the call's coming submission deadline.")
            )
        if deadline > _years_after(timezone.localdate(), DEADLINE_HORIZON_YEARS):  # a typo: 9999, 2062
            raise forms.ValidationError(
                _("This date is more than three years away: enter the call's coming submission deadline.")
            )
        return deadline

    def clean(self):
        cleaned = super().clean()
        edition, aims = cleaned.get("edition"), cleaned.get("aims")
        duration = cleaned.get("duration_months")
        if edition and duration and duration not in edition.durations:
            self.add_error(
                "duration_months",
                _("Not a duration of the %(year)s edition; it allows: %(durations)s.")
                % {
                    "year": edition.year,
                    "durations": ", ".join(_duration_label(months) for months in sorted(edition.durations)),
                },
            )
        if edition and aims:
            foreign = [AIMS[code] for code in aims if code not in edition.aims]
            if foreign:
                self.add_error(
                    "aims",
                    _("Not an aim of the %(year)s edition: %(aims)s.")
                    % {"year": edition.year, "aims": "; ".join(str(label) for label in foreign)},
                )
        return cleaned

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _duration_label(months: int) -> str:
    return ngettext("%(months)d month", "%(months)d months", months) % {"months": months}


class CoeditorForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the co-editor"), max_length=254)
    version = VersionField()


class ParticipationForm(forms.Form):
    """Role, partner and contact of a participant: for adding one and for changing one."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.FULL_PARTNER)
    affiliated_to = forms.ModelChoiceField(
        label=_("Affiliated to"),
        queryset=Participation.objects.none(),
        required=False,
        empty_label=_("Choose the full partner…"),
        help_text=_("Only for an affiliated entity: the full partner it belongs to."),
    )
    contact_name = forms.CharField(
        label=_("Contact name"), max_length=200, required=False, validators=[validate_plain_text]
    )
    contact_email = forms.EmailField(label=_("Contact email"), max_length=254, required=False)

    tamper_fields = ("role", "affiliated_to")

    def __init__(self, *args, proposal, participation=None, **kwargs):
        # The builder can show the add form and several rows' edit forms at once: each has ids of its own.
        kwargs.setdefault("auto_id", "id_add_%s" if participation is None else f"id_p{participation.pk}_%s")
        super().__init__(*args, **kwargs)
        partners = Participation.objects.filter(
            proposal=proposal, role__in=FULL_PARTNER_ROLES
        ).select_related("organisation")
        if participation is not None:
            partners = partners.exclude(pk=participation.pk)
        self.fields["affiliated_to"].queryset = partners
        self.fields["affiliated_to"].label_from_instance = lambda p: p.organisation.display_name
        # The builder says to start with the applicant: until there is one, that is the role offered.
        adding = participation is None and not self.is_bound and "role" not in self.initial
        if adding and not proposal.participations.filter(role=Role.APPLICANT).exists():
            self.fields["role"].initial = Role.APPLICANT

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.AFFILIATED_ENTITY and not cleaned.get("affiliated_to"):
            if "affiliated_to" not in self.errors:
                self.add_error(
                    "affiliated_to", _("Choose the full partner this affiliated entity belongs to.")
                )
        elif cleaned.get("role") and cleaned.get("role") != Role.AFFILIATED_ENTITY:
            cleaned["affiliated_to"] = None
        return cleaned

    def service_kwargs(self) -> dict:
        """What the participation services take from this form: role, partner and contact."""
        return {name: self.cleaned_data[name] for name in ParticipationForm.base_fields}


class ParticipationAddForm(ParticipationForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), widget=forms.HiddenInput)
    version = VersionField()

    tamper_fields = ("role", "affiliated_to", "organisation")
    field_order = ["organisation", "role", "affiliated_to", "contact_name", "contact_email"]


class ParticipationChangeForm(ParticipationForm):
    version = VersionField()


class OrganisationCorrectionForm(CorrectionForm):
    """A proposal's editors correct a directory record (the organisation page): the directory's own checks,
    and the proposal the correction is made for, which decides whether it is applied at once."""

    proposal = forms.ModelChoiceField(
        queryset=Proposal.objects.none(),
        label=_("For the proposal"),
        empty_label=None,
        help_text=_(
            "A record only this proposal uses is corrected at once; any other correction is reviewed."
        ),
    )

    class Meta(CorrectionForm.Meta):
        fields = [*CorrectionForm.Meta.fields]

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, prefix="correct", **kwargs)
        self.fields["proposal"].queryset = proposals
