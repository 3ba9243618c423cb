"""Writes of a program's lead settings and of how routing sees each partnership (its routing profile).

Every bad value is a field error (``ValidationError({field: [messages]})``);
the vendor sets any part of a profile, a partner admin its capacity, pause,
languages and offices. Offices are placed on the map from city and country
with the offline GeoNames list.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django_countries import countries as country_list

from kanali.core import audit
from kanali.core.models import Partnership, PartnerType, Program
from kanali.core.roles import Perm
from kanali.core.services import require
from kanali.core.workspace import Workspace
from kanali.leads import pool as pools
from kanali.leads import selectors
from kanali.leads.models import LeadSettings, RoutingProfile
from kanali.leads.routing import FEATURES

SETTING_BOUNDS: dict[str, tuple[int, int]] = {
    "acceptance_hours": (1, 720),
    "max_attempts": (1, 10),
    "max_distance_km": (1, 20000),
    "fairness_window_days": (1, 365),
}


def _int_in(value: Any, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def clean_weights(value: Any, current: Mapping[str, Any] | None = None) -> dict[str, float]:
    """Weights per feature, each ≥ 0 and finite, not all zero; missing features keep ``current``."""
    from kanali.leads.routing import Weights

    if not isinstance(value, Mapping):
        raise ValidationError(_("Give a weight for each feature."))
    defaults = Weights()
    merged: dict[str, float] = {name: float((current or {}).get(name, getattr(defaults, name))) for name in FEATURES}
    unknown = set(value) - set(FEATURES)
    if unknown:
        raise ValidationError(_("Unknown features: %(names)s.") % {"names": ", ".join(sorted(map(str, unknown)))})
    for name, raw in value.items():
        try:
            weight = float(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("The weight of %(name)s must be a number.") % {"name": name}) from None
        if not math.isfinite(weight) or weight < 0:
            raise ValidationError(_("The weight of %(name)s must be zero or more.") % {"name": name})
        merged[name] = weight
    if sum(merged.values()) <= 0:
        raise ValidationError(_("At least one weight must be above zero."))
    return merged


@transaction.atomic
def lead_settings_update(*, workspace: Workspace, program: Program, data: Mapping[str, Any]) -> LeadSettings:
    """Change a program's routing and deadline settings; every bad value is a field error."""
    require(workspace, Perm.MANAGE_LEADS)
    if not workspace.is_vendor or program.vendor_id != workspace.vendor.pk:
        raise Http404
    selectors.get_lead_settings(program)
    ls = LeadSettings.objects.for_vendor(workspace.vendor).select_for_update().get(program=program)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "weights":
            try:
                values["weights"] = clean_weights(value, ls.weights)
            except ValidationError as exc:
                errors["weights"] = exc.messages
        elif key == "mode":
            if value not in LeadSettings.Mode.values:
                errors["mode"] = [_("Choose automatic, in sequence or suggest.")]
            else:
                values["mode"] = value
        elif key in SETTING_BOUNDS:
            low, high = SETTING_BOUNDS[key]
            number = _int_in(value, low, high)
            if number is None:
                errors[key] = [_("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
            else:
                values[key] = number
        elif key == "web_form_enabled":
            if not isinstance(value, bool):
                errors[key] = [_("Enter true or false.")]
            else:
                values[key] = value
        elif key == "partner_types":
            if not isinstance(value, list | tuple) or any(t not in PartnerType.values for t in value):
                errors[key] = [_("Choose partner types from the catalogue.")]
            else:
                values[key] = sorted(set(value))
        else:
            errors[key] = [_("Unknown setting.")]
    if errors:
        raise ValidationError(errors)
    changes = audit.diff(ls, values)
    for key, value in values.items():
        setattr(ls, key, value)
    ls.full_clean(validate_unique=False)  # one-to-one row, already unique
    ls.save()
    if changes:
        audit.record(workspace=workspace, action="lead_settings.update", obj=ls, changes=changes)
    return ls


VENDOR_PROFILE_FIELDS = (
    "countries",
    "regions",
    "languages",
    "industries",
    "specializations",
    "offices",
    "capacity",
    "paused_until",
)
PARTNER_PROFILE_FIELDS = ("languages", "offices", "capacity", "paused_until")


def _clean_codes(value: Any, *, kind: str) -> list[str]:
    if not isinstance(value, list | tuple) or any(not isinstance(v, str) for v in value):
        raise ValidationError(_("Give a list of codes."))
    cleaned: list[str] = []
    for raw in value:
        code = raw.strip()
        if not code:
            continue
        if kind == "country":
            code = code.upper()
            if code != "*" and code not in country_list:
                raise ValidationError(_("Unknown country code %(code)s.") % {"code": raw})
        elif kind == "region":
            code = code.upper()
            country, _sep, rest = code.partition("-")
            if not rest or country not in country_list or len(rest) > 3:
                raise ValidationError(_("Unknown region code %(code)s (use ISO 3166-2, e.g. GR-I).") % {"code": raw})
        elif kind == "language":
            code = code.lower()
            if len(code) != 2 or not code.isalpha():
                raise ValidationError(_("Unknown language code %(code)s (use ISO 639-1, e.g. el).") % {"code": raw})
        elif len(code) > 60:
            raise ValidationError(_("%(code)s is too long.") % {"code": raw[:20]})
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _clean_offices(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple):
        raise ValidationError(_("Give a list of offices."))
    offices = []
    for office in value:
        if not isinstance(office, Mapping):
            raise ValidationError(_("Each office needs a city and a country."))
        city = str(office.get("city") or "").strip()
        country = str(office.get("country") or "").strip().upper()
        if not city or country not in country_list:
            raise ValidationError(_("Each office needs a city and a known country."))
        lat, lon = office.get("lat"), office.get("lon")
        if lat is not None and lon is not None:
            try:
                lat_f, lon_f = float(lat), float(lon)
            except (TypeError, ValueError):
                raise ValidationError(_("Coordinates must be numbers.")) from None
            if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
                raise ValidationError(_("Coordinates are out of range."))
        else:
            found = pools.city_coordinates(city, country)
            if found is None:
                raise ValidationError(
                    _("%(city)s (%(country)s) is not a city we can place on the map.")
                    % {"city": city, "country": country}
                )
            lat_f, lon_f = found
        offices.append({"city": city, "country": country, "lat": round(lat_f, 5), "lon": round(lon_f, 5)})
    return offices


def _clean_profile_value(key: str, value: Any) -> Any:
    if key == "countries":
        return _clean_codes(value, kind="country")
    if key == "regions":
        return _clean_codes(value, kind="region")
    if key == "languages":
        return _clean_codes(value, kind="language")
    if key in ("industries", "specializations"):
        return _clean_codes(value, kind="text")
    if key == "offices":
        return _clean_offices(value)
    if key == "capacity":
        if value is None or value == "":
            return None
        number = _int_in(value, 0, 100000)
        if number is None:
            raise ValidationError(_("Enter a whole number of leads, or leave it empty for no limit."))
        return number
    if key == "paused_until":
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        parsed = parse_date(str(value)) if isinstance(value, str) else None
        if parsed is None:
            raise ValidationError(_("Enter a date as YYYY-MM-DD."))
        return parsed
    raise ValidationError(_("Unknown field."))


@transaction.atomic
def routing_profile_update(
    *, workspace: Workspace, partnership: Partnership, data: Mapping[str, Any]
) -> RoutingProfile:
    """Change how routing sees a partnership: the vendor sets anything; a partner admin its capacity,
    pause, languages and offices (offices are placed on the map from city and country)."""
    if partnership.vendor_id != workspace.vendor.pk:
        raise Http404
    if workspace.is_vendor:
        require(workspace, Perm.MANAGE_LEADS)
        allowed: tuple[str, ...] = VENDOR_PROFILE_FIELDS
    else:
        if partnership.pk not in selectors.own_partnership_ids(workspace):
            raise Http404
        require(workspace, Perm.MANAGE_PARTNER_PROFILE)
        allowed = PARTNER_PROFILE_FIELDS
    selectors.get_routing_profile(partnership)
    profile = RoutingProfile.objects.for_vendor(workspace.vendor).select_for_update().get(partnership=partnership)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in allowed:
            errors[key] = [_("You cannot change this field.")]
            continue
        try:
            values[key] = _clean_profile_value(key, value)
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    changes = audit.diff(profile, values)
    for key, value in values.items():
        setattr(profile, key, value)
    profile.full_clean(validate_unique=False)  # one-to-one row, already unique
    profile.save()
    if changes:
        audit.record(workspace=workspace, action="routing_profile.update", obj=profile, changes=changes)
    transaction.on_commit(lambda: pools.invalidate(partnership.program_id))
    return profile
