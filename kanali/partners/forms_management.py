"""Forms of partner management, the partner's directory profile and the directory filters."""

from __future__ import annotations

from typing import Any

import pycountry
from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from kanali.core.forms import BootstrapMixin
from kanali.core.models import Partnership, PartnerType, Program
from kanali.designer.forms import RegionsField
from kanali.partners.models_management import Industry, PartnerNote, Specialization


def _country_choices(empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *((code, name) for code, name in countries)]


class RegionCodeField(forms.CharField):
    """One ISO 3166-2 subdivision code (``GR-I``)."""

    def to_python(self, value: Any) -> str:
        code = (super().to_python(value) or "").strip().upper()
        if code and pycountry.subdivisions.get(code=code) is None:
            raise forms.ValidationError(_("Not an ISO 3166-2 region code (e.g. GR-I for Attica)."))
        return code


class ManagementFilterForm(BootstrapMixin, forms.Form):
    search = forms.CharField(label=_("Search"), required=False, max_length=100)
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    partner_type = forms.ChoiceField(label=_("Type"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = RegionCodeField(label=_("Region"), required=False, max_length=10, help_text=_("e.g. GR-I"))
    activity = forms.ChoiceField(
        label=_("Activity"),
        required=False,
        choices=[("", _("Any activity")), ("inactive", _("Inactive for 90 days")), ("active", _("Active recently"))],
    )

    def __init__(self, *args: Any, programs: list[Program], tiers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("All programs")), *((p.pk, p.name) for p in programs)]  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("All statuses")), *Partnership.Status.choices]  # type: ignore[attr-defined]
        self.fields["partner_type"].choices = [("", _("All types")), *PartnerType.choices]  # type: ignore[attr-defined]
        self.fields["tier"].choices = [("", _("All tiers")), *((t, t) for t in tiers)]  # type: ignore[attr-defined]
        self.fields["country"].choices = _country_choices(_("All countries"))  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters as selector keyword arguments (an invalid form filters nothing)."""
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["program_id"] = data.pop("program")
        return {k: v for k, v in data.items() if v not in ("", None)}


class NoteForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = PartnerNote
        fields = ["text"]
        labels = {"text": _("New note")}
        help_texts = {"text": _("Only your team sees notes; the partner never does.")}
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class ReasonForm(BootstrapMixin, forms.Form):
    """The reason of a suspension, reactivation or termination."""

    ACTIONS = ("suspend", "reactivate", "terminate")

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DirectoryProfileForm(BootstrapMixin, forms.Form):
    listed_in_ecosystem = forms.BooleanField(
        label=_("List us in the ecosystem directory"),
        required=False,
        help_text=_("Vendors on Kanali can find your company and invite it to their programs."),
    )
    description = forms.CharField(
        label=_("About us"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    regions = RegionsField(
        label=_("Regions served"), required=False, help_text=_("ISO 3166-2 codes, comma-separated, e.g. GR-I, GR-B.")
    )
    specializations = forms.MultipleChoiceField(
        label=_("Specializations"),
        required=False,
        choices=Specialization.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    industries = forms.MultipleChoiceField(
        label=_("Industries served"), required=False, choices=Industry.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, partnerships: list[Partnership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locator_fields: list[tuple[forms.BoundField, Partnership]] = []
        for p in partnerships:
            name = f"locator_{p.pk}"
            self.fields[name] = forms.BooleanField(
                label=_("List us in the public partner locator of %(program)s") % {"program": p.program.name},
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.locator_fields.append((self[name], p))

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("description", "city", "regions", "specializations", "industries")]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "listed_in_ecosystem": data["listed_in_ecosystem"],
            "description": data["description"],
            "city": data["city"],
            "regions": data["regions"] or [],
            "specializations": data["specializations"],
            "industries": data["industries"],
            "locator_partnership_ids": [p.pk for _field, p in self.locator_fields if data.get(f"locator_{p.pk}")],
        }


class LocatorFilterForm(BootstrapMixin, forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = RegionCodeField(label=_("Region"), required=False, max_length=10, help_text=_("e.g. GR-I"))
    partner_type = forms.ChoiceField(label=_("Partner type"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    specialization = forms.ChoiceField(label=_("Specialization"), required=False)

    def __init__(self, *args: Any, partner_types: list[tuple[str, str]], tiers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices(_("All countries"))  # type: ignore[attr-defined]
        self.fields["partner_type"].choices = [("", _("All types")), *partner_types]  # type: ignore[attr-defined]
        self.fields["specialization"].choices = [("", _("All specializations")), *Specialization.choices]  # type: ignore[attr-defined]
        if tiers:
            self.fields["tier"].choices = [("", _("All tiers")), *((t, t) for t in tiers)]  # type: ignore[attr-defined]
        else:
            del self.fields["tier"]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class EcosystemFilterForm(BootstrapMixin, forms.Form):
    search = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    region = RegionCodeField(label=_("Region"), required=False, max_length=10, help_text=_("e.g. GR-I"))
    specialization = forms.ChoiceField(label=_("Specialization"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices(_("All countries"))  # type: ignore[attr-defined]
        self.fields["specialization"].choices = [("", _("All specializations")), *Specialization.choices]  # type: ignore[attr-defined]
        self.fields["industry"].choices = [("", _("All industries")), *Industry.choices]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
