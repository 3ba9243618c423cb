"""Forms of the application pages: the public apply form, the reviewer's score sheet, reject, filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from kanali.core.forms import BootstrapMixin, VatCleanMixin
from kanali.core.models import Organization, Program
from kanali.designer.forms import RegionsField
from kanali.designer.models import SelectionCriterion
from kanali.partners.models_applications import Application
from kanali.partners.selectors_applications import program_partner_types

SCORE_CHOICES = [("", "—"), *((str(n), str(n)) for n in range(1, 6))]


class TagsField(forms.CharField):
    """Comma-separated words (``Retail, Hospitality``) as a list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return list(dict.fromkeys(part.strip() for part in text.replace(";", ",").split(",") if part.strip()))


class ApplicationForm(BootstrapMixin, VatCleanMixin, forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    vat_number = forms.CharField(
        label=_("VAT number"),
        max_length=20,
        required=False,
        help_text=_("EU VAT number, e.g. EL094014201. Greek numbers may omit the EL prefix."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    country = LazyTypedChoiceField(label=_("Country"), choices=countries, initial="GR")
    regions = RegionsField(
        label=_("Regions you serve"),
        help_text=_("ISO 3166-2 codes, comma-separated, e.g. GR-I (Attica), GR-B (Central Macedonia), CY-01."),
    )
    partner_type = forms.ChoiceField(label=_("Partner type"))
    industries = TagsField(
        label=_("Industries you serve"), required=False, help_text=_("Comma-separated, e.g. Retail, Hospitality.")
    )
    specializations = TagsField(
        label=_("Specializations"), required=False, help_text=_("Comma-separated, e.g. ERP, cloud migration.")
    )
    team_size = forms.IntegerField(label=_("Team size"), min_value=1, max_value=1_000_000)
    certified_people = forms.IntegerField(
        label=_("Certified people"),
        min_value=0,
        max_value=1_000_000,
        initial=0,
        help_text=_("People holding a certification relevant to this program."),
    )
    revenue_band = forms.ChoiceField(label=_("Annual revenue"), choices=Application.RevenueBand.choices)
    references = forms.CharField(
        label=_("Customer references"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: customer, project, a contact we may call."),
    )
    motivation = forms.CharField(
        label=_("Why this program?"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=150)
    contact_email = forms.EmailField(label=_("Your e-mail"))
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, program: Program, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].choices = [("", _("Choose…")), *program_partner_types(program)]  # type: ignore[attr-defined]
        if organizations is not None:
            self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        team, certified = data.get("team_size"), data.get("certified_people")
        if team is not None and certified is not None and certified > team:
            self.add_error("certified_people", _("Cannot be more than the team size."))
        return data

    def values(self) -> dict[str, Any]:
        """The submission for :func:`application_submit` (everything but the linked company)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "organization"}


class ScoreForm(BootstrapMixin, forms.Form):
    """One score (1–5) and note per selection criterion, for the acting reviewer.

    The fields are added after the mixin styled the (then empty) form, so they carry their classes themselves.
    """

    def __init__(self, *args: Any, criteria: list[SelectionCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score_{c.pk}"] = forms.ChoiceField(
                label=_("Score for %(criterion)s") % {"criterion": c.name},
                choices=SCORE_CHOICES,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"note_{c.pk}"] = forms.CharField(
                label=_("Note on %(criterion)s") % {"criterion": c.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1, "class": "form-control", "placeholder": _("Note")}),
            )

    def rows(self) -> list[tuple[SelectionCriterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (
                int(self.cleaned_data[f"score_{c.pk}"]) if self.cleaned_data[f"score_{c.pk}"] else None,
                self.cleaned_data[f"note_{c.pk}"],
            )
            for c in self.criteria
        }


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant reads this in the e-mail and on its status page."),
    )


class ApplicationFilterForm(BootstrapMixin, forms.Form):
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("All programs")), *((p.pk, p.name) for p in programs)]  # type: ignore[attr-defined]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("All statuses")),
            ("open", _("Waiting for a decision")),
            *Application.Status.choices,
        ]
