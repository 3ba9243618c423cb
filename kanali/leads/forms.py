"""Forms of the lead pages: queue filters, offer answers, status updates, routing settings and profiles.

Forms parse and check shapes; the rules (weights not all zero, hour limits,
a partner of the lead's program) live in the services, whose
``ValidationError`` the views put next to the fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pycountry
from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from kanali.core.forms import BootstrapMixin
from kanali.core.models import Partnership, PartnerType, Program
from kanali.designer.forms import RegionsField
from kanali.leads.models import Lead, LeadSettings, Offer, RoutingDecision, RoutingProfile
from kanali.leads.routing import FEATURES, Weights

#: Labels and help of the scored features, in the engine's order.
FEATURE_LABELS: dict[str, Any] = {
    "distance": _("Distance"),
    "tier": _("Tier"),
    "specialization": _("Industry and product match"),
    "performance": _("Performance (win and acceptance rate)"),
    "responsiveness": _("Responsiveness"),
    "deal_size": _("Deal-size fit"),
    "fairness": _("Fairness"),
}
FEATURE_HELP: dict[str, Any] = {
    "distance": _("Nearer offices score higher, down to zero at the distance below."),
    "tier": _("The tier's lead priority weight."),
    "specialization": _("The partner covers the lead's industry and product."),
    "performance": _("Deals won and offers accepted, smoothed so new partners are not zero."),
    "responsiveness": _("Median time to accept an offer."),
    "deal_size": _("How the partner does on deals of the lead's size."),
    "fairness": _("Fewer recent leads than the fair share score higher."),
}
FILTER_LABELS: dict[str, Any] = {
    "active": _("Partnership not active"),
    "territory": _("Outside the territory"),
    "partner_type": _("Partner type not allowed"),
    "certification": _("Missing certification"),
    "language": _("Does not speak the language"),
    "capacity": _("At capacity"),
    "paused": _("Paused"),
    "declined_or_expired": _("Already declined or let it expire"),
}
#: Statuses a partner may move an accepted lead to.
PARTNER_STATUSES = (Lead.Status.CONTACTED, Lead.Status.QUALIFIED, Lead.Status.CONVERTED, Lead.Status.DISQUALIFIED)


def _choices(empty: Any, items: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", empty), *items]


class LeadFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    partnership = forms.TypedChoiceField(label=_("Partner"), required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, *args: Any, programs: Iterable[Program], partnerships: Iterable[Partnership], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = _choices(_("All programs"), ((p.pk, p.name) for p in programs))  # type: ignore[attr-defined]
        self.fields["status"].choices = _choices(  # type: ignore[attr-defined]
            _("All statuses"), [("attention", _("Needs attention")), *Lead.Status.choices]
        )
        self.fields["partnership"].choices = _choices(  # type: ignore[attr-defined]
            _("All partners"), ((p.pk, p.partner.name) for p in partnerships)
        )
        self.fields["source"].choices = _choices(_("All sources"), Lead.Source.choices)  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """Valid filters by name (an invalid form filters nothing)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class DecisionFilterForm(BootstrapMixin, forms.Form):
    program = forms.TypedChoiceField(label=_("Program"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args: Any, programs: Iterable[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = _choices(_("All programs"), ((p.pk, p.name) for p in programs))  # type: ignore[attr-defined]
        self.fields["kind"].choices = _choices(_("All kinds"), RoutingDecision.Kind.choices)  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class ReassignForm(BootstrapMixin, forms.Form):
    """Empty partner: run the engine again. A partner: offer the lead to it directly."""

    partnership = forms.TypedChoiceField(label=_("Offer to"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, partnerships: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].choices = _choices(_("The best partner by the routing engine"), partnerships)  # type: ignore[attr-defined]


class DeclineForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Offer.DeclineReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class StatusForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=[(s.value, s.label) for s in PARTNER_STATUSES])
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=200, help_text=_("Required when you disqualify the lead.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Lead.Status.DISQUALIFIED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the lead is disqualified."))
        return data


def _weight_field(name: str) -> forms.FloatField:
    return forms.FloatField(
        label=FEATURE_LABELS[name],
        min_value=0,
        max_value=100,
        help_text=FEATURE_HELP[name],
        widget=forms.NumberInput(attrs={"step": "0.05", "data-weight": name, "class": "form-control"}),
    )


class RoutingSettingsForm(BootstrapMixin, forms.Form):
    """The program's lead settings; the weights are relative (the engine normalises them to sum to 1)."""

    mode = forms.ChoiceField(label=_("Routing mode"), choices=LeadSettings.Mode.choices)
    max_distance_km = forms.IntegerField(
        label=_("Distance that scores zero (km)"), min_value=1, max_value=20000, initial=300
    )
    acceptance_hours = forms.IntegerField(label=_("Hours a partner has to accept"), min_value=1, max_value=720)
    max_attempts = forms.IntegerField(label=_("Offers before the lead returns to you"), min_value=1, max_value=10)
    fairness_window_days = forms.IntegerField(label=_("Fairness window (days)"), min_value=1, max_value=365)
    web_form_enabled = forms.BooleanField(label=_("Accept leads from the public web form"), required=False)
    partner_types = forms.MultipleChoiceField(
        label=_("Partner types that receive leads"),
        choices=PartnerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None checked: every type."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FEATURES:
            self.fields[f"weight_{name}"] = _weight_field(name)
        self.order_fields(["mode", *(f"weight_{n}" for n in FEATURES)])

    @classmethod
    def initial_from(cls, ls: LeadSettings) -> dict[str, Any]:
        defaults = Weights()
        initial: dict[str, Any] = {
            "mode": ls.mode,
            "max_distance_km": ls.max_distance_km,
            "acceptance_hours": ls.acceptance_hours,
            "max_attempts": ls.max_attempts,
            "fairness_window_days": ls.fairness_window_days,
            "web_form_enabled": ls.web_form_enabled,
            "partner_types": list(ls.partner_types or []),
        }
        for name in FEATURES:
            initial[f"weight_{name}"] = float((ls.weights or {}).get(name, getattr(defaults, name)))
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights = [data.get(f"weight_{n}") for n in FEATURES]
        if all(w is not None for w in weights) and not any(w for w in weights if w):
            raise forms.ValidationError(_("At least one weight must be above zero."))
        return data

    def settings_data(self) -> dict[str, Any]:
        """The cleaned values in the shape ``lead_settings_update(data=...)`` takes."""
        data = self.cleaned_data
        return {
            "mode": data["mode"],
            "weights": {name: float(data[f"weight_{name}"]) for name in FEATURES},
            "max_distance_km": data["max_distance_km"],
            "acceptance_hours": data["acceptance_hours"],
            "max_attempts": data["max_attempts"],
            "fairness_window_days": data["fairness_window_days"],
            "web_form_enabled": data["web_form_enabled"],
            "partner_types": list(data["partner_types"]),
        }

    def draft(self, program: Program) -> LeadSettings:
        """Unsaved settings with the form's values, for the simulator."""
        values = self.settings_data()
        return LeadSettings(vendor_id=program.vendor_id, program=program, **values)

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{n}"] for n in FEATURES]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("max_distance_km", "acceptance_hours", "max_attempts", "fairness_window_days")]


class SimulatorForm(RoutingSettingsForm):
    """Draft settings plus what to replay: the last N leads of the program, or an uploaded file."""

    last_n = forms.IntegerField(label=_("Replay the last"), min_value=1, max_value=2000, initial=200)
    file = forms.FileField(
        label=_("…or a CSV / XLSX file of leads"),
        required=False,
        help_text=_("Columns as in Kanali's own import template."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The simulator replays routing only; the deadline fields are kept for "apply the draft".
        for name in ("acceptance_hours", "max_attempts", "fairness_window_days"):
            self.fields[name].widget = forms.HiddenInput()


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",") if part.strip()]


class CodesField(forms.CharField):
    """Comma-separated codes, checked with ``valid`` and upper- or lower-cased."""

    def __init__(self, *args: Any, kind: str = "country", **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        codes = _split(super().to_python(value) or "")
        if self.kind == "country":
            codes = [c.upper() for c in codes]
            bad = [c for c in codes if c != "*" and c not in dict(countries)]
            message = _("Not ISO country codes: %(codes)s (e.g. GR, CY, or * for everywhere).")
        else:
            codes = [c.lower() for c in codes]
            bad = [c for c in codes if pycountry.languages.get(alpha_2=c) is None]
            message = _("Not ISO 639-1 language codes: %(codes)s (e.g. el, en).")
        if bad:
            raise forms.ValidationError(message, params={"codes": ", ".join(bad)})
        return list(dict.fromkeys(codes))


class WordsField(forms.CharField):
    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return list(dict.fromkeys(_split(super().to_python(value) or "")))


class OfficesField(forms.CharField):
    """One office a line, ``City, CC`` (the service looks the coordinates up)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{o.get('city', '')}, {o.get('country', '')}" for o in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        offices = []
        for line in (super().to_python(value) or "").splitlines():
            if not line.strip():
                continue
            city, _sep, country = line.rpartition(",")
            city, country = city.strip(), country.strip().upper()
            if not city or country not in dict(countries):
                raise forms.ValidationError(
                    _("Write each office as “City, country code”, e.g. Athens, GR: %(line)s"),
                    params={"line": line.strip()},
                )
            offices.append({"city": city, "country": country})
        return offices


class RoutingProfileForm(BootstrapMixin, forms.Form):
    """A partnership's routing profile; the vendor edits all of it."""

    countries = CodesField(label=_("Countries served"), required=False, help_text=_("e.g. GR, CY; * for everywhere."))
    regions = RegionsField(label=_("Regions served"), required=False, help_text=_("ISO 3166-2, e.g. GR-I, GR-B."))
    languages = CodesField(label=_("Languages"), required=False, kind="language", help_text=_("e.g. el, en."))
    industries = WordsField(label=_("Industries"), required=False)
    specializations = WordsField(label=_("Products and specializations"), required=False)
    offices = OfficesField(label=_("Offices"), required=False, help_text=_("One a line: City, country code."))
    capacity = forms.IntegerField(
        label=_("Most open leads at once"), required=False, min_value=0, help_text=_("Empty: no limit.")
    )
    paused_until = forms.DateField(
        label=_("Paused until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    @classmethod
    def initial_from(cls, profile: RoutingProfile) -> dict[str, Any]:
        return {name: getattr(profile, name) for name in cls.base_fields}


class PartnerAvailabilityForm(RoutingProfileForm):
    """What a partner keeps up to date itself: languages, offices, how many leads at once, a pause."""

    FIELDS = ("languages", "offices", "capacity", "paused_until")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.FIELDS:
                del self.fields[name]
        self.fields["paused_until"].help_text = _("No new leads until this day, e.g. over a holiday.")

    @classmethod
    def initial_from(cls, profile: RoutingProfile) -> dict[str, Any]:
        return {name: getattr(profile, name) for name in cls.FIELDS}
