from django import forms
from django.utils.translation import gettext_lazy as _

from config.text import validate_plain_paragraphs, validate_plain_text
from partners.codes import normalise_erasmus_code, normalise_oid, normalise_pic
from partners.forms import CorrectionForm
from partners.labels import describe
from partners.models import Organisation


class PartnerOrganisationForm(CorrectionForm):
    """What a partner may correct about their organisation: its name, acronym, identifiers, city and website.

    The directory's format checks and duplicate detection are OrganisationForm's, so a partner gets the same
    answers as a coordinator (but for a name another record has, where a partner has no box to tick). The
    country and type decide the consortium's eligibility: they stay the coordinator's to change (the page
    says so).
    """

    confirm_not_duplicate = None

    class Meta(CorrectionForm.Meta):
        model = Organisation
        fields = ["legal_name", "acronym", "pic", "oid", "erasmus_code", "city", "website"]

    NORMALISERS = {
        "pic": lambda value: "".join(normalise_pic(value).split()),
        "oid": lambda value: "".join(normalise_oid(value).split()),
        "erasmus_code": normalise_erasmus_code,
    }

    def __init__(self, data=None, *args, prefix=None, **kwargs):
        if data is not None:
            # People type "912 345 678": identifiers are normalised before the format checks see them.
            data = data.copy()
            for name, normalise in self.NORMALISERS.items():
                key = f"{prefix}-{name}" if prefix else name
                if isinstance(data.get(key), str):
                    data[key] = normalise(data[key])
        super().__init__(data, *args, prefix=prefix, **kwargs)
        if not self.instance.type.higher_education and not self.instance.erasmus_code:
            del self.fields["erasmus_code"]
        # Room for the spaces people type; the value is checked after normalisation.
        self.fields["pic"].widget.attrs.update({"maxlength": "20", "inputmode": "numeric"})
        self.fields["oid"].widget.attrs.update({"maxlength": "20"})

    def refuse_same_name(self, existing) -> None:
        """A partner has no box to tick: the record of that name is most likely theirs already."""
        self.add_error(
            "legal_name",
            _(
                "%(organisation)s is already in the directory under this name. If it is your organisation, "
                "ask the coordinator to add that record to the consortium instead."
            )
            % {"organisation": describe(existing)},
        )


class PartnerContactForm(forms.Form):
    # The partner's own name and address: the browser may fill them in (WCAG 1.3.5).
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        validators=[validate_plain_text],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("The coordinator writes to you here about the proposal."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The coordinator sees it. It helps them find another partner."),
        validators=[validate_plain_paragraphs],
    )
