"""Forms of the tiers screens: the grace period and the simulator's draft requirements."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from kanali.core.forms import BootstrapMixin
from kanali.designer import metrics
from kanali.designer.models import Tier
from kanali.partners.models_tiers import DEFAULT_GRACE_DAYS


class TierSettingsForm(BootstrapMixin, forms.Form):
    grace_days = forms.IntegerField(
        label=_("Demotion grace period (days)"),
        min_value=0,
        max_value=730,
        initial=DEFAULT_GRACE_DAYS,
        help_text=_(
            "A partner that stops meeting its tier keeps it this long before it moves down. 0 moves it at once."
        ),
    )


class RequirementRowForm(BootstrapMixin, forms.Form):
    """One draft requirement: the same shape as the designer's (tier, metric, threshold). A blank row is ignored."""

    tier = forms.ChoiceField(label=_("Tier"), required=False)
    metric = forms.ChoiceField(label=_("Metric"), required=False)
    threshold = forms.DecimalField(
        label=_("At least"),
        required=False,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )

    def __init__(self, *args: Any, tiers: list[Tier] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", "—"), *((t.name, t.name) for t in tiers or [])]  # type: ignore[attr-defined]
        self.fields["metric"].choices = [("", "—"), *metrics.choices()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [name for name in ("tier", "metric", "threshold") if data.get(name) not in (None, "")]
        if filled and len(filled) < 3:
            for name in ("tier", "metric", "threshold"):
                if name not in filled and name not in self.errors:
                    self.add_error(name, _("Fill in the tier, the metric and the threshold, or leave the row empty."))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in ("tier", "metric", "threshold"))


class BaseRequirementFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[tuple[str, str]] = set()
        for form in self.forms:
            if form.is_blank:
                continue
            key = (form.cleaned_data["tier"], form.cleaned_data["metric"])
            if key in seen:
                form.add_error("metric", _("This tier already has a requirement on this metric."))
            seen.add(key)

    def rows(self, tiers: list[Tier]) -> list[tuple[int, str, Decimal]]:
        """The draft as ``(tier id, metric, threshold)`` for :func:`kanali.partners.engine.draft_ladder`."""
        by_name = {t.name: t.pk for t in tiers}
        return [
            (by_name[f.cleaned_data["tier"]], f.cleaned_data["metric"], f.cleaned_data["threshold"])
            for f in self.forms
            if not f.is_blank
        ]


RequirementFormSet = forms.formset_factory(
    RequirementRowForm, formset=BaseRequirementFormSet, extra=3, max_num=60, validate_max=True
)
