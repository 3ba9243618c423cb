"""Forms of the intake pages: a lead by hand, a file to import and its column mapping, the public web form.

The forms only collect text; :func:`kanali.leads.services_intake.clean_lead`
decides what is valid (countries and regions by code or name, phones with
the country's prefix …) and its messages are put back beside the fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from kanali.core.forms import BootstrapMixin
from kanali.core.models import Program
from kanali.core.money import currency_choices, default_currency
from kanali.leads.importing import IMPORT_FIELDS, MAX_BYTES, PRESET_CHOICES

REGION_HELP = _("ISO 3166-2 code or name, e.g. GR-I or Attica.")


class ProgramChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _offer_programs(field: Any, programs: Sequence[Program]) -> None:
    """Limit the select to the vendor's programs (preselected when there is only one)."""
    ids = [p.pk for p in programs]
    field.queryset = (
        Program.objects.for_vendor(programs[0].vendor_id).filter(pk__in=ids) if ids else Program.objects.none()
    )
    if len(ids) == 1:
        field.initial = ids[0]


class LeadForm(BootstrapMixin, forms.Form):
    """The console's "New lead" form."""

    program = ProgramChoiceField(label=_("Program"), queryset=Program.objects.none(), empty_label=None)
    company = forms.CharField(label=_("Company"), max_length=200)
    contact_name = forms.CharField(label=_("Contact name"), max_length=150, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, help_text=_("A national number takes the country's prefix.")
    )
    website = forms.CharField(
        label=_("Website"),
        max_length=200,
        required=False,
        help_text=_("Used to spot duplicates when the e-mail is a Gmail, Outlook … address."),
    )
    country = LazyTypedChoiceField(label=_("Country"), choices=countries, initial="GR")
    region = forms.CharField(label=_("Region"), max_length=60, required=False, help_text=REGION_HELP)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    product = forms.CharField(label=_("Product interest"), max_length=120, required=False)
    estimated_value = forms.CharField(label=_("Estimated value"), max_length=30, required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices)
    language = forms.CharField(
        label=_("Language"), max_length=30, required=False, help_text=_("ISO 639-1 code or name, e.g. el or Greek.")
    )
    campaign = forms.CharField(label=_("Campaign code"), max_length=60, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    #: Set after the page warned about a possible duplicate and the person submits again.
    confirm_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, programs: Sequence[Program], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("currency", default_currency())
        super().__init__(*args, **kwargs)
        _offer_programs(self.fields["program"], programs)

    def values(self) -> dict[str, Any]:
        """The lead's raw values for :func:`~kanali.leads.services_intake.lead_create`."""
        return {k: v for k, v in self.cleaned_data.items() if k not in {"program", "confirm_duplicate"}}


class ImportForm(BootstrapMixin, forms.Form):
    program = ProgramChoiceField(label=_("Program"), queryset=Program.objects.none(), empty_label=None)
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (comma or semicolon) or Excel .xlsx; the first row holds the column headings."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    preset = forms.ChoiceField(label=_("Columns"), choices=PRESET_CHOICES, required=False)
    route = forms.BooleanField(label=_("Route the leads to partners right after the import"), required=False)

    def __init__(self, *args: Any, programs: Sequence[Program], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("route", True)
        super().__init__(*args, **kwargs)
        _offer_programs(self.fields["program"], programs)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB; split it into several files."),
                params={"mb": MAX_BYTES // (1024 * 1024)},
            )
        return upload


class MappingForm(forms.Form):
    """One select per lead field, listing the file's column headings."""

    def __init__(self, *args: Any, headings: Sequence[str], mapping: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —")), *((h, h) for h in headings if h)]
        for name, label in IMPORT_FIELDS.items():
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=mapping.get(name),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def mapping(self) -> dict[str, str]:
        return {name: heading for name, heading in self.cleaned_data.items() if heading}


class WebLeadForm(BootstrapMixin, forms.Form):
    """The public web-to-lead form: who you are, how to reach you, what you need."""

    company = forms.CharField(label=_("Company"), max_length=200)
    contact_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    country = LazyTypedChoiceField(label=_("Country"), choices=countries, initial="GR")
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    product = forms.CharField(label=_("What are you interested in?"), max_length=120, required=False)
    notes = forms.CharField(
        label=_("Message"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def values(self, language: str = "") -> dict[str, Any]:
        return {**self.cleaned_data, "language": language[:2]}
