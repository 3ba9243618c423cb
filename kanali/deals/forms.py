"""Forms of the deals pages: registration, review decisions, pipeline moves, filters, products, settings, import."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from kanali.core.forms import BootstrapMixin, VatCleanMixin
from kanali.core.models import Partnership, Program
from kanali.core.money import currency_choices, default_currency, parse_amount
from kanali.deals.models import DealRegistration, Product

#: Largest accounts file the import accepts (the preview keeps it in the session until commit).
MAX_IMPORT_BYTES = 2 * 1024 * 1024
IMPORT_EXTENSIONS = (".csv", ".xlsx")


class AmountField(forms.Field):
    """A money amount typed the way people type it ("12.500,00" or "12,500.00"), as a Decimal."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 30:
            raise ValidationError(_("That amount is too large."), code="amount")
        return parse_amount(text)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _partnership_label(p: Partnership) -> str:
    return p.program.name


class RegistrationForm(BootstrapMixin, VatCleanMixin, forms.Form):
    """What a partner tells about an opportunity; the service re-checks everything (products, currency, dates)."""

    partnership = forms.TypedChoiceField(label=_("Program"), coerce=int)
    company = forms.CharField(label=_("Customer company"), max_length=200)
    domain = forms.CharField(
        label=_("Customer website"),
        max_length=255,
        required=False,
        help_text=_("The customer's web address or domain, e.g. alfa.gr."),
    )
    vat_number = forms.CharField(
        label=_("Customer VAT number"),
        max_length=20,
        required=False,
        help_text=_("EU VAT number, e.g. EL094014201. Greek numbers may omit the EL prefix."),
    )
    country = LazyTypedChoiceField(label=_("Country"), choices=countries, initial="GR")
    contact_name = forms.CharField(label=_("Contact name"), max_length=150, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    products = forms.MultipleChoiceField(label=_("Products"), required=False, widget=forms.CheckboxSelectMultiple)
    estimated_value = AmountField(label=_("Estimated value"))
    currency = forms.ChoiceField(label=_("Currency"))
    expected_close = forms.DateField(label=_("Expected close"), widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self,
        *args: Any,
        partnerships: list[Partnership],
        products: Iterable[Product],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.partnerships = {p.pk: p for p in partnerships}
        self.fields["partnership"].choices = [(p.pk, _partnership_label(p)) for p in partnerships]  # type: ignore[attr-defined]
        if len(partnerships) == 1:
            # One program: nothing to choose (a post without the field means that one).
            self.fields["partnership"].initial = partnerships[0].pk
            self.fields["partnership"].required = False
            self.fields["partnership"].widget = forms.HiddenInput()
        by_program: dict[int, list[Product]] = {}
        for product in products:
            by_program.setdefault(product.program_id, []).append(product)
        several = len(by_program) > 1
        names = {p.program_id: p.program.name for p in partnerships}
        self.fields["products"].choices = [  # type: ignore[attr-defined]
            (pr.code, f"{pr.name} ({names.get(pr.program_id, '')})" if several else pr.name)
            for rows in by_program.values()
            for pr in rows
        ]
        self.product_programs = {(pr.program_id, pr.code) for rows in by_program.values() for pr in rows}
        self.fields["currency"].choices = currency_choices()  # type: ignore[attr-defined]
        self.fields["currency"].initial = default_currency()

    def clean_expected_close(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["expected_close"]
        if value < timezone.localdate():
            raise ValidationError(_("The expected close date cannot be in the past."), code="past")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = data.get("partnership") or (next(iter(self.partnerships)) if len(self.partnerships) == 1 else 0)
        partnership = self.partnerships.get(chosen)
        if partnership is None and "partnership" not in self.errors:
            self.add_error("partnership", ValidationError(_("Choose the program."), code="required"))
        if partnership is not None:
            data["partnership"] = partnership
            wrong = [c for c in data.get("products") or [] if (partnership.program_id, c) not in self.product_programs]
            if wrong:
                self.add_error(
                    "products",
                    ValidationError(
                        _("Not a product of %(program)s: %(codes)s."),
                        params={"program": partnership.program.name, "codes": ", ".join(wrong)},
                        code="product",
                    ),
                )
        return data


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(BootstrapMixin, forms.Form):
    override = forms.BooleanField(
        label=_("Approve despite the conflict, even if another registration claims this customer first"),
        required=False,
    )


class ExtensionRequestForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need more time?"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(choices=[("1", _("Grant")), ("0", _("Deny"))], coerce=lambda v: v == "1")


class StageForm(forms.Form):
    """Move a deal to a stage of its program's pipeline (by position)."""

    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, stages: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.position, s.name) for s in stages]  # type: ignore[attr-defined]
        self.fields["stage"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["note"].widget.attrs["class"] = "form-control form-control-sm"


class WonForm(BootstrapMixin, forms.Form):
    amount = AmountField(label=_("Final amount"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DealEditForm(BootstrapMixin, forms.Form):
    """What changes while a deal is worked: its name, amount, expected close and products."""

    name = forms.CharField(label=_("Deal"), max_length=200)
    amount = AmountField(label=_("Amount"))
    expected_close = forms.DateField(label=_("Expected close"), required=False, widget=DateInput())
    products = forms.MultipleChoiceField(label=_("Products"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, products: Iterable[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(p.code, p.name) for p in products]  # type: ignore[attr-defined]
        if not self.fields["products"].choices:  # type: ignore[attr-defined]
            del self.fields["products"]


class LostForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Why was it lost?"), max_length=300)


class RegistrationFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *DealRegistration.Status.choices]
    )
    conflict = forms.ChoiceField(
        label=_("Conflicts"),
        required=False,
        choices=[("", _("All")), ("yes", _("In conflict")), ("no", _("No conflict"))],
    )
    partnership = forms.TypedChoiceField(label=_("Partner"), required=False, coerce=int, empty_value=None)
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, partnerships: Iterable[Partnership], programs: Iterable[Program], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].choices = [  # type: ignore[attr-defined]
            ("", _("All partners")),
            *((p.pk, p.partner.name) for p in partnerships),
        ]
        self.fields["program"].choices = [("", _("All programs")), *((p.pk, p.name) for p in programs)]  # type: ignore[attr-defined]


class PipelineFilterForm(BootstrapMixin, forms.Form):
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int, empty_value=None)
    partnership = forms.TypedChoiceField(label=_("Partner"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open", _("Open")), ("won", _("Won")), ("lost", _("Lost"))],
    )

    def __init__(
        self,
        *args: Any,
        programs: Iterable[Program],
        partnerships: Iterable[Partnership] | None = None,
        any_program: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        choices = [(p.pk, p.name) for p in programs]
        # The board shows one program's stages; the list may show every program at once.
        self.fields["program"].choices = [("", _("All programs")), *choices] if any_program else choices  # type: ignore[attr-defined]
        if partnerships is None:
            del self.fields["partnership"]
        else:
            self.fields["partnership"].choices = [  # type: ignore[attr-defined]
                ("", _("All partners")),
                *((p.pk, p.partner.name) for p in partnerships),
            ]


class ProductForm(BootstrapMixin, forms.Form):
    program = forms.TypedChoiceField(label=_("Program"), coerce=int)
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Short, unique in the program, e.g. cloud-erp. Plans refer to it.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    active = forms.BooleanField(label=_("Active (partners can register it)"), required=False, initial=True)

    def __init__(self, *args: Any, programs: Iterable[Program], editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        programs = list(programs)
        self.fields["program"].choices = [(p.pk, p.name) for p in programs]  # type: ignore[attr-defined]
        if editing:
            # A product's program and code are what plans and deals refer to: fixed once created.
            del self.fields["program"]
            del self.fields["code"]
        elif len(programs) == 1:
            self.fields["program"].initial = programs[0].pk
            self.fields["program"].widget = forms.HiddenInput()


class DealSettingsForm(BootstrapMixin, forms.Form):
    """One program's deal rules; the service holds the limits (and says so next to the field)."""

    program = forms.IntegerField(widget=forms.HiddenInput)
    protection_days = forms.IntegerField(label=_("Protection period (days)"))
    reminder_days = forms.IntegerField(label=_("Remind this many days before protection ends"))
    extension_days = forms.IntegerField(label=_("An extension adds (days)"))
    name_threshold = forms.IntegerField(
        label=_("Name match threshold"),
        help_text=_("Lowest company-name similarity (50–100) reported as a conflict; exact VAT and domain always are."),
    )


class AccountImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("A Salesforce or HubSpot account export, or a sheet with name, domain, VAT number, country."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    preset = forms.ChoiceField(label=_("Format"), required=False)

    def __init__(self, *args: Any, presets: Iterable[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = list(presets)  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(IMPORT_EXTENSIONS):
            raise ValidationError(_("Upload a .csv or .xlsx file."), code="extension")
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than 2 MB; split it."), code="size")
        return upload


class AccountForm(BootstrapMixin, forms.Form):
    """An account entered by hand; the service normalises the domain and checks the VAT number."""

    name = forms.CharField(label=_("Company name"), max_length=200)
    domain = forms.CharField(label=_("Website"), max_length=255, required=False)
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False)
    country = LazyTypedChoiceField(label=_("Country"), choices=[("", "—"), *countries], required=False)
    external_id = forms.CharField(label=_("ID in your CRM"), max_length=80, required=False)


class AccountFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
