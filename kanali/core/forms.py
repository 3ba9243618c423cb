"""Forms of the tenancy screens, styled for Bootstrap with errors beside fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from kanali.core.images import clean_logo
from kanali.core.models import Organization, Partnership
from kanali.core.validators import normalize_vat


class BootstrapMixin:
    """Adds Bootstrap classes and ``aria-invalid`` to every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue  # Django puts attrs on the group's wrapper too; styled in kanali.css
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self.add_prefix(name)}-errors"  # type: ignore[attr-defined]


class VatCleanMixin:
    def clean(self) -> dict[str, Any]:
        data = super().clean()  # type: ignore[misc]
        vat = data.get("vat_number")
        if vat:
            try:
                data["vat_number"] = normalize_vat(vat, str(data.get("country") or ""))
            except ValidationError as exc:
                self.add_error("vat_number", exc)  # type: ignore[attr-defined]
        return data


class OrganizationForm(BootstrapMixin, VatCleanMixin, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG, WebP or GIF, up to 2 MB; stored at most 512 pixels wide."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )

    class Meta:
        model = Organization
        fields = ["name", "country", "vat_number", "website", "logo", "require_mfa"]
        help_texts = {"vat_number": _("EU VAT number, e.g. EL094014201. Greek numbers may omit the EL prefix.")}

    def __init__(self, *args: Any, vendor: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not vendor:
            del self.fields["require_mfa"]

    def clean_logo(self) -> Any:
        """A new upload is checked by its bytes and re-encoded; ``False`` clears it; ``None`` keeps it."""
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "read") and not getattr(logo, "_committed", False):
            return clean_logo(logo)
        return logo


class VendorCreateForm(BootstrapMixin, VatCleanMixin, forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    country = LazyTypedChoiceField(label=_("Country"), choices=countries, initial="GR")
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class PartnershipFilterForm(BootstrapMixin, forms.Form):
    search = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *Partnership.Status.choices]  # type: ignore[attr-defined]
