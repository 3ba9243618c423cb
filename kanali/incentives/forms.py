"""Forms of the commission screens: plans and rules, statement filters, payment, bank details."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanali.core.forms import BootstrapMixin
from kanali.core.models import Partnership, PartnerType, Program
from kanali.core.money import DECIMAL_PLACES, MAX_DIGITS, currency_choices, default_currency, quantize
from kanali.designer.models import Tier
from kanali.incentives.models import CommissionRule, Period, Statement
from kanali.incentives.services import RuleInput

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _amount_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        validators=[MinValueValidator(Decimal(0))],
        **kwargs,
    )


class PlanForm(BootstrapMixin, forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    name = forms.CharField(label=_("Name"), max_length=120)
    period = forms.ChoiceField(
        label=_("Statement period"),
        choices=Period.choices,
        help_text=_("Statements and accelerator thresholds run per month or per quarter."),
    )
    active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("Activating this plan deactivates the other.")
    )

    def __init__(self, *args: Any, programs: Any = None, fixed_program: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        if fixed_program:
            self.fields["program"].disabled = True


#: Minimum widths (rem) of the rule table's inputs, so a row stays readable (the table scrolls sideways).
WIDTHS = {
    "tier": 8,
    "partner_type": 10,
    "product": 10,
    "kind": 9,
    "rate_pct": 5.5,
    "flat_amount": 7,
    "currency": 5.5,
    "accelerator_threshold": 8,
    "accelerator_rate_pct": 5.5,
}


class RuleForm(BootstrapMixin, forms.Form):
    """One rule; a row left entirely empty is ignored."""

    tier = forms.ModelChoiceField(label=_("Tier"), queryset=Tier.objects.none(), required=False, empty_label=_("Any"))
    partner_type = forms.ChoiceField(label=_("Partner type"), required=False)
    product = forms.ChoiceField(label=_("Product"), required=False)
    kind = forms.ChoiceField(label=_("Pays"), choices=CommissionRule.Kind.choices, initial=CommissionRule.Kind.PERCENT)
    rate_pct = forms.DecimalField(
        label=_("Rate (%)"), required=False, max_digits=5, decimal_places=2, validators=PERCENT
    )
    flat_amount = _amount_field(_("Flat amount"), required=False)
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, initial=default_currency)
    accelerator_threshold = _amount_field(_("Accelerator above"), required=False)
    accelerator_rate_pct = forms.DecimalField(
        label=_("Accelerator rate (%)"), required=False, max_digits=5, decimal_places=2, validators=PERCENT
    )

    def __init__(self, *args: Any, tiers: Any = None, products: list[tuple[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["tier"].queryset = tiers if tiers is not None else Tier.objects.none()  # type: ignore[attr-defined]
        self.fields["partner_type"].choices = [("", _("Any")), *PartnerType.choices]  # type: ignore[attr-defined]
        self.fields["product"].choices = [("", _("Any")), *(products or [])]  # type: ignore[attr-defined]
        for name, width in WIDTHS.items():
            self.fields[name].widget.attrs["style"] = f"min-width: {width}rem"

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        names = ("tier", "partner_type", "product", "rate_pct", "flat_amount", "accelerator_threshold")
        return not any(data.get(n) not in (None, "") for n in names) and not data.get("accelerator_rate_pct")

    def as_input(self) -> RuleInput:
        d = self.cleaned_data
        return RuleInput(
            kind=d["kind"],
            rate_pct=d.get("rate_pct") or Decimal(0),
            flat_amount=d.get("flat_amount") or Decimal(0),
            currency=d["currency"],
            tier=d.get("tier"),
            partner_type=d.get("partner_type") or "",
            product=d.get("product") or "",
            accelerator_threshold=d.get("accelerator_threshold"),
            accelerator_rate_pct=d.get("accelerator_rate_pct"),
        )


class BaseRuleFormSet(forms.BaseFormSet):
    def rules(self) -> list[RuleInput]:
        return [f.as_input() for f in self.row_forms()]

    def row_forms(self) -> list[RuleForm]:
        """The forms whose rules are saved, in order (to put service errors ``rules[n].x`` on the right row)."""
        kept = [f for f in self.forms if f.has_changed() or f.initial]
        return [f for f in kept if not f.is_blank and not self._should_delete_form(f)]  # type: ignore[attr-defined]


RuleFormSet = forms.formset_factory(RuleForm, formset=BaseRuleFormSet, extra=2, can_delete=True, max_num=100)


def rule_initial(rule: CommissionRule) -> dict[str, Any]:
    return {
        "tier": rule.tier_id,
        "partner_type": rule.partner_type,
        "product": rule.product,
        "kind": rule.kind,
        "rate_pct": rule.rate_pct if rule.kind == CommissionRule.Kind.PERCENT else None,
        "flat_amount": quantize(rule.flat_amount, rule.currency) if rule.kind == CommissionRule.Kind.FLAT else None,
        "currency": rule.currency,
        "accelerator_threshold": (
            quantize(rule.accelerator_threshold, rule.currency) if rule.accelerator_threshold is not None else None
        ),
        "accelerator_rate_pct": rule.accelerator_rate_pct,
    }


class StatementFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    partnership = forms.TypedChoiceField(label=_("Partner"), required=False, coerce=int, empty_value=None)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    period_from = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_until = forms.DateField(
        label=_("Period until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, partnerships: list[Partnership] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *Statement.Status.choices]  # type: ignore[attr-defined]
        if partnerships is None:
            del self.fields["partnership"]
        else:
            choices = [("", _("All")), *((p.pk, f"{p.partner.name} · {p.program.name}") for p in partnerships)]
            self.fields["partnership"].choices = choices  # type: ignore[attr-defined]

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").strip().upper()


class PayForm(BootstrapMixin, forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=100)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PayoutAccountForm(BootstrapMixin, forms.Form):
    account_holder = forms.CharField(label=_("Account holder"), max_length=140)
    iban = forms.CharField(label=_("IBAN"), max_length=50)
    bic = forms.CharField(label=_("BIC"), max_length=20, required=False, help_text=_("Optional."))
