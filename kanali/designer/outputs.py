"""What a design becomes on paper and on screen: handbook (HTML, PDF, Markdown), brochure, page content.

Everything renders from a snapshot (:mod:`kanali.designer.snapshot`), so the
draft and any published version print the same way. :func:`present` turns a
snapshot into display-ready content in the active language; the PDFs render it
with WeasyPrint, offline (no URL is ever fetched), in DejaVu Sans for Greek.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_countries import countries

from kanali.core.models import PartnerType
from kanali.designer import metrics
from kanali.designer.catalogues import (
    CapabilityArea,
    ChannelRoleKind,
    KpiKey,
    KpiPeriod,
    MotivatorKind,
    ProgramElement,
    SelectionData,
    Side,
)
from kanali.designer.models import Capability, Competitor, Design, DesignVersion
from kanali.designer.steps import STEPS

LANGUAGES = ("en", "el")

#: How a KPI's target reads (the analytics app computes the value itself).
KPI_UNITS = {
    KpiKey.PARTNER_ACTIVATION_RATE: "percent",
    KpiKey.LEAD_ACCEPTANCE_RATE: "percent",
    KpiKey.WIN_RATE: "percent",
    KpiKey.PARTNER_SATISFACTION: "percent",
    KpiKey.FUND_ROI: "percent",
    KpiKey.PARTNER_PIPELINE: "money",
    KpiKey.PARTNER_REVENUE: "money",
    KpiKey.TIME_TO_FIRST_DEAL: "days",
    KpiKey.LEAD_RESPONSE_TIME: "hours",
}


# --- Formatting ----------------------------------------------------------------


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def amount(value: Any, unit: str = "count") -> str:
    """A number in the active language's format, with its unit (``50.000 EUR``, ``80 %``, ``×1,5``)."""
    number = _decimal(value)
    if number is None:
        return "—"
    places = 0 if number == number.to_integral_value() else 2
    text = number_format(number, places, use_l10n=True, force_grouping=True)
    suffix = {
        "money": f" {settings.KANALI_DEFAULT_CURRENCY}",
        "percent": " %",
        "hours": " " + pgettext("unit of time", "h"),
        "days": " " + _("days"),
    }.get(unit, "")
    return f"{text}{suffix}"


def _date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return date_format(date.fromisoformat(value[:10]), "DATE_FORMAT")
    except ValueError:
        return value


def _catalogue_name(name: str, key: str, catalogue: Any) -> str:
    """The catalogue's translated label when the vendor kept the standard English name; their words otherwise."""
    try:
        label = catalogue(key).label
    except ValueError:
        return name
    with translation.override("en"):
        english = str(label)
    return str(label) if not name or name == english else name


# --- Presentation ------------------------------------------------------------


def _contact(team: list[dict[str, Any]], people: dict[str, str]) -> dict[str, str] | None:
    for role in (ChannelRoleKind.CHANNEL_CHIEF, ChannelRoleKind.PARTNER_ACCOUNT_MANAGER):
        for row in team:
            if row.get("role") == role and row.get("member"):
                email = row["member"]
                return {"name": people.get(email, email), "email": email, "role": _label(ChannelRoleKind, role)}
    return None


def _tier(row: dict[str, Any], requirements: list[dict[str, Any]]) -> dict[str, Any]:
    reqs = []
    for req in requirements:
        if req.get("tier") != row.get("name"):
            continue
        metric = metrics.get(req.get("metric", ""))
        reqs.append(
            {
                "label": str(metric.label) if metric else req.get("metric", ""),
                "threshold": amount(req.get("threshold"), metric.unit if metric else "count"),
            }
        )
    benefits = []
    for field, text, unit in (
        ("commission_bonus_pct", _("Commission bonus"), "percent"),
        ("fund_accrual_pct", _("Co-op fund accrual"), "percent"),
        ("discount_pct", _("Discount"), "percent"),
    ):
        if _decimal(row.get(field)):
            benefits.append(f"{text}: {amount(row.get(field), unit)}")
    weight = _decimal(row.get("lead_priority_weight"))
    if weight is not None and weight != 1:
        benefits.append(_("Lead priority: ×%(weight)s") % {"weight": amount(weight)})
    if (row.get("other_benefits") or "").strip():
        benefits.append(row["other_benefits"].strip())
    return {
        "name": row.get("name", ""),
        "description": row.get("description", ""),
        "requirements": reqs,
        "benefits": benefits,
    }


def _fit(
    pains: list[dict[str, Any]],
    gains: list[dict[str, Any]],
    relievers: list[dict[str, Any]],
    creators: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each pain and gain with what in the value map addresses it (empty: not addressed yet)."""
    rows = []
    for kind, items, answers in ((_("Pain"), pains, relievers), (_("Gain"), gains, creators)):
        for item in items:
            text = item.get("text", "")
            by = [a.get("text", "") for a in answers if text in (a.get("addresses") or [])]
            rows.append({"kind": kind, "text": text, "by": by})
    return rows


def present(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as display-ready content (labels, numbers and dates in the active language)."""
    design: dict[str, Any] = snapshot.get("design", {})
    cols: dict[str, list[dict[str, Any]]] = snapshot.get("collections", {})
    people: dict[str, str] = snapshot.get("people", {})

    def col(key: str) -> list[dict[str, Any]]:
        return list(cols.get(key, []))

    def texts(key: str) -> list[str]:
        return [row.get("text", "") for row in col(key)]

    addressed = {
        t for key in ("canvas_pain_reliever", "canvas_gain_creator") for r in col(key) for t in r.get("addresses") or []
    }
    pains, gains = texts("canvas_pain"), texts("canvas_gain")
    competitors = col("competitors")
    criteria = col("criteria")
    total_weight = sum(int(c.get("weight") or 0) for c in criteria)
    team = col("channel_team")
    regions = [countries.name(r) or str(r) for r in design.get("target_regions") or []]
    return {
        "program": snapshot.get("program", {}),
        "vendor": snapshot.get("vendor", {}),
        "value": {
            "segment": design.get("customer_segment", ""),
            "jobs": texts("canvas_job"),
            "pains": pains,
            "gains": gains,
            "products": texts("canvas_product"),
            "relievers": [
                {"text": r.get("text", ""), "addresses": r.get("addresses") or []} for r in col("canvas_pain_reliever")
            ],
            "creators": [
                {"text": r.get("text", ""), "addresses": r.get("addresses") or []} for r in col("canvas_gain_creator")
            ],
            "alternatives": texts("canvas_alternative"),
            "unaddressed": [t for t in pains + gains if t not in addressed],
            "fit": _fit(
                col("canvas_pain"), col("canvas_gain"), col("canvas_pain_reliever"), col("canvas_gain_creator")
            ),
        },
        "stages": [
            {
                **row,
                "led_by_label": _label(Side, row.get("led_by")),
                "probability": amount(row.get("win_probability"), "percent"),
            }
            for row in col("stages")
        ],
        "competitors": competitors,
        "competitor_grid": [
            (
                str(getattr(Competitor._meta.get_field(dim), "verbose_name", dim)).capitalize(),
                [c.get(dim, "") for c in competitors],
            )
            for dim in Competitor.DIMENSIONS
        ],
        "partner_types": [
            {**row, "name": _catalogue_name(row.get("name", ""), row.get("key", ""), PartnerType)}
            for row in col("partner_types")
        ],
        "success_factors": col("success_factors"),
        "motivators": [
            {
                "name": row.get("name") or _label(MotivatorKind, row.get("kind")),
                "kind": _label(MotivatorKind, row.get("kind")),
                "delivery": row.get("delivery", ""),
            }
            for row in col("motivators")
        ],
        "elements": [
            {"key": e.value, "label": str(e.label), "enabled": bool(design.get(f"{e.value}_enabled"))}
            for e in ProgramElement
        ],
        "responsibilities": [
            {
                "activity": row.get("activity", ""),
                "vendor": row.get("assignee") in (Side.VENDOR, Side.BOTH),
                "partner": row.get("assignee") in (Side.PARTNER, Side.BOTH),
                "shared": row.get("assignee") == Side.BOTH,
                "lead": row.get("lead") or (row.get("assignee") if row.get("assignee") != Side.BOTH else ""),
                "lead_label": _label(Side, row.get("lead")) if row.get("lead") else "",
                "assignee_label": _label(Side, row.get("assignee")),
                "expectation": row.get("expectation", ""),
            }
            for row in col("responsibilities")
        ],
        "partner_expectations": design.get("partner_expectations", ""),
        "vendor_expectations": design.get("vendor_expectations", ""),
        "tiered": design.get("framework") == Design.Framework.TIERS,
        "framework_label": _label(Design.Framework, design.get("framework")),
        "tiers": [_tier(row, col("tier_requirements")) for row in col("tiers")],
        "ideal_partner": design.get("ideal_partner", ""),
        "performance_measures": design.get("performance_measures", ""),
        "capabilities": [
            {
                "title": row.get("title", ""),
                "area": _label(CapabilityArea, row.get("area")),
                "owner": people.get(row.get("owner") or "", row.get("owner") or ""),
                "due": _date(row.get("due_date")),
                "status": _label(Capability.Status, row.get("status")),
                "done": row.get("status") == Capability.Status.DONE,
                "url": row.get("asset_url", ""),
            }
            for row in col("capabilities")
        ],
        "kpis": [
            {
                "label": _label(KpiKey, row.get("key")),
                "factor": row.get("success_factor") or "",
                "target": amount(row.get("target"), KPI_UNITS.get(row.get("key", ""), "count"))
                if row.get("target") not in (None, "")
                else "—",
                "period": _label(KpiPeriod, row.get("period")),
            }
            for row in col("kpis")
        ],
        "target_audience": design.get("target_audience", ""),
        "sostac": [
            (_("Situation"), design.get("sostac_situation", "")),
            (_("Objectives"), design.get("sostac_objectives", "")),
            (_("Strategy"), design.get("sostac_strategy", "")),
            (_("Tactics"), design.get("sostac_tactics", "")),
            (_("Action"), design.get("sostac_action", "")),
            (_("Control"), design.get("sostac_control", "")),
        ],
        "marketing_notes": [
            (label, text)
            for label, text in (
                ("RACE", design.get("race_notes", "")),
                ("5S", design.get("five_s_notes", "")),
                ("7P", design.get("seven_p_notes", "")),
            )
            if text
        ],
        "campaigns": col("campaigns"),
        "ideal_partner_profile": design.get("ideal_partner_profile", ""),
        "regions": regions,
        "recruitment_target": design.get("recruitment_target"),
        "recruitment_deadline": _date(design.get("recruitment_deadline")),
        "criteria": [
            {
                **row,
                "share": amount(Decimal(int(row.get("weight") or 0) * 100) / total_weight, "percent")
                if total_weight
                else "—",
                "source": _label(SelectionData, row.get("data_source") or ""),
            }
            for row in criteria
        ],
        "team": [
            {
                "role": _label(ChannelRoleKind, row.get("role")),
                "name": people.get(row.get("member") or "", row.get("member") or ""),
                "email": row.get("member") or "",
            }
            for row in team
        ],
        "partner_council": bool(design.get("partner_council")),
        "contact": _contact(team, people),
    }


def steps_text() -> dict[str, dict[str, Any]]:
    """Each step's number, title and why, by key, in the active language."""
    return {s.key: {"number": s.number, "title": str(s.title), "why": str(s.why)} for s in STEPS}


def edition(version: DesignVersion | None) -> str:
    """Which design a document shows: ``Version 3, published 1 March 2026`` or ``Draft of 26 November 2026``."""
    if version is None:
        return _("Draft of %(date)s") % {"date": date_format(timezone.localdate(), "DATE_FORMAT")}
    return _("Version %(n)d, published %(date)s") % {
        "n": version.number,
        "date": date_format(timezone.localtime(version.published_at), "DATE_FORMAT"),
    }


# --- Diagrams (inline SVG) ---------------------------------------------------------

_CHAR = 0.56  # average glyph width of DejaVu Sans, in ems


def _chars(width: float, size: float) -> int:
    return max(int(width / (size * _CHAR)), 6)


def _flow(items: list[str], *, x: float, width: float, top: float, bottom: float, size: float) -> list[str]:
    """Bulleted items wrapped into a box; items that do not fit whole become ``… and N more``."""
    step = size * 1.3
    gap = size * 0.35
    out: list[str] = []
    y = top + size
    for index, item in enumerate(items):
        lines = textwrap.wrap(item, _chars(width, size) - 2, break_long_words=True) or [""]
        room_for_more = 0 if index == len(items) - 1 else step + gap
        if y + (len(lines) - 1) * step + room_for_more > bottom:
            out.append(_svg_text(x, y, _("… and %(n)d more") % {"n": len(items) - index}, size, italic=True))
            return out
        for n, line in enumerate(lines):
            out.append(_svg_text(x, y, ("• " if n == 0 else "  ") + line, size))
            y += step
        y += gap
    return out


def _svg_text(
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    weight: str = "normal",
    anchor: str = "start",
    italic: bool = False,
    fill: str = "#1f2933",
) -> str:
    style = ' font-style="italic"' if italic else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" text-anchor="{anchor}"'
        f'{style} fill="{fill}" xml:space="preserve">{escape(text)}</text>'
    )


def canvas_svg(value: dict[str, Any]) -> SafeString:
    """The value proposition canvas: the value map as a square, the customer profile as a circle.

    Each list is wrapped into a box inside its part of the shape; long lists end in "… and N more"
    (the handbook prints them in full beside the canvas).
    """
    size = 8.5
    sq_x, sq_y, sq = 10.0, 34.0, 290.0
    split_x = sq_x + 118
    mid_y = sq_y + sq / 2
    cx, cy, r = 490.0, sq_y + sq / 2, 150.0
    chord = cx + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 650 {sq_y + sq + 8:.0f}" class="diagram" '
        f'role="img" aria-label="{escape(_("Value proposition canvas"))}" font-family="DejaVu Sans, sans-serif">',
        _svg_text(sq_x + sq / 2, 20, _("Value map"), 11, weight="bold", anchor="middle"),
        _svg_text(cx, 20, _("Customer profile"), 11, weight="bold", anchor="middle"),
        f'<rect x="{sq_x}" y="{sq_y}" width="{sq}" height="{sq}" fill="#eef4fb" stroke="#2b5797" stroke-width="1.5"/>',
        f'<line x1="{split_x}" y1="{sq_y}" x2="{split_x}" y2="{sq_y + sq}" stroke="#2b5797"/>',
        f'<line x1="{split_x}" y1="{mid_y}" x2="{sq_x + sq}" y2="{mid_y}" stroke="#2b5797"/>',
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="#fdf3e7" stroke="#b35c00" stroke-width="1.5"/>',
    ]
    half = math.sqrt(r * r - (chord - cx) ** 2)
    parts.append(f'<line x1="{chord}" y1="{cy - half:.1f}" x2="{chord}" y2="{cy + half:.1f}" stroke="#b35c00"/>')
    parts.append(f'<line x1="{cx - r}" y1="{cy}" x2="{chord}" y2="{cy}" stroke="#b35c00"/>')
    # The fit: the value map points at the customer profile.
    parts.append(f'<path d="M {sq_x + sq + 12} {mid_y} h 34" stroke="#555" stroke-width="2" fill="none"/>')
    parts.append(f'<path d="M {sq_x + sq + 46} {mid_y - 5} l 8 5 l -8 5 z" fill="#555"/>')
    # Boxes inscribed in each part of the circle: left of the chord (gains above, pains below), jobs right of it.
    reach = 0.68 * r
    left = cx - math.sqrt(r * r - reach * reach) + 6
    jobs_reach = 0.6 * r
    jobs_right = cx + math.sqrt(r * r - jobs_reach * jobs_reach) - 4
    boxes: list[tuple[str, list[str], float, float, float, float]] = [
        (_("Products and services"), value["products"], sq_x + 6, split_x - 4, sq_y + 4, sq_y + sq - 6),
        (_("Gain creators"), [i["text"] for i in value["creators"]], split_x + 6, sq_x + sq - 4, sq_y + 4, mid_y - 4),
        (
            _("Pain relievers"),
            [i["text"] for i in value["relievers"]],
            split_x + 6,
            sq_x + sq - 4,
            mid_y + 4,
            sq_y + sq - 6,
        ),
        (_("Gains"), value["gains"], left, chord - 6, cy - reach, cy - 6),
        (_("Pains"), value["pains"], left, chord - 6, cy + 4, cy + reach),
        (_("Customer jobs"), value["jobs"], chord + 6, jobs_right, cy - jobs_reach, cy + jobs_reach),
    ]
    for title, items, x0, x1, top, bottom in boxes:
        y = top
        for line in textwrap.wrap(title, _chars(x1 - x0, (size + 0.5) * 1.12)):  # bold runs wider
            y += (size + 0.5) * 1.25
            parts.append(_svg_text(x0, y, line, size + 0.5, weight="bold", fill="#0b3d91"))
        parts.extend(_flow(items, x=x0, width=x1 - x0, top=y + 3, bottom=bottom, size=size))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text was escaped by _svg_text


def stages_svg(stages: list[dict[str, Any]]) -> SafeString:
    """The sales process as chevrons, each with its win probability and who leads it."""
    if not stages:
        return mark_safe("")
    width, top, height, tip = 640.0, 8.0, 64.0, 14.0
    w = (width - tip) / len(stages)
    size = 8.5 if w >= 90 else 7.0
    colours = {Side.PARTNER.value: "#1b7f5c", Side.VENDOR.value: "#2b5797", Side.BOTH.value: "#6a4c93"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width + 12:.0f} {top + height + 36:.0f}" '
        f'class="diagram" role="img" aria-label="{escape(_("Sales process"))}" font-family="DejaVu Sans, sans-serif">'
    ]
    for i, stage in enumerate(stages):
        x = 4 + i * w
        left_notch = 0 if i == 0 else tip
        points = [
            (x, top),
            (x + w - 2, top),
            (x + w - 2 + tip, top + height / 2),
            (x + w - 2, top + height),
            (x, top + height),
            (x + left_notch, top + height / 2),
        ]
        fill = colours.get(stage.get("led_by", ""), "#2b5797")
        parts.append('<polygon points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + f'" fill="{fill}"/>')
        chars = max(int((w - tip - 10) / (size * _CHAR)), 6)
        lines = textwrap.wrap(stage.get("name", ""), chars) or [""]
        if len(lines) > 3:
            lines = [*lines[:2], lines[2][: chars - 1] + "…"]
        centre = x + (w + left_notch) / 2 - 2
        first_y = top + height / 2 - (len(lines) - 1) * size * 0.65 + size * 0.35
        for n, line in enumerate(lines):
            parts.append(
                _svg_text(centre, first_y + n * size * 1.3, line, size, weight="bold", anchor="middle", fill="#ffffff")
            )
        parts.append(
            _svg_text(centre, top + height + 14, stage.get("probability", ""), size + 1, weight="bold", anchor="middle")
        )
        parts.append(
            _svg_text(
                centre, top + height + 26, stage.get("led_by_label", ""), size - 0.5, anchor="middle", fill="#52606d"
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text was escaped by _svg_text


# --- Documents ----------------------------------------------------------------------


def _url_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """PDFs are rendered offline: inline data only, never the network or the file system."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)  # type: ignore[no-any-return]
    raise ValueError(f"PDF rendering does not fetch {url}")


def _context(snapshot: dict[str, Any], version: DesignVersion | None) -> dict[str, Any]:
    content = present(snapshot)
    return {
        "p": content,
        "steps": steps_text(),
        "edition": edition(version),
        "canvas_svg": canvas_svg(content["value"]),
        "stages_svg": stages_svg(content["stages"]),
    }


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else LANGUAGES[0]


def handbook_html(snapshot: dict[str, Any], *, lang: str, version: DesignVersion | None = None) -> str:
    with translation.override(_language(lang)):
        return render_to_string("designer/handbook.html", {**_context(snapshot, version), "lang": _language(lang)})


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading Pango costs time on every start otherwise

    return HTML(string=html, url_fetcher=_url_fetcher).write_pdf()  # type: ignore[no-any-return]


def handbook_pdf(snapshot: dict[str, Any], *, lang: str, version: DesignVersion | None = None) -> bytes:
    """The program handbook: every step in order, with the canvas, stage diagram, grids and tables."""
    return _pdf(handbook_html(snapshot, lang=lang, version=version))


def brochure_pdf(
    snapshot: dict[str, Any], *, lang: str, public_url: str, version: DesignVersion | None = None
) -> bytes:
    """A partner-facing brochure of at most two pages; long lists are shortened until it fits."""
    from weasyprint import HTML

    lang = _language(lang)
    document = None
    for limit in (6, 4, 3, 2, 1):
        with translation.override(lang):
            content = present(snapshot)
            html = render_to_string(
                "designer/brochure.html",
                {
                    "p": content,
                    "edition": edition(version),
                    "public_url": public_url,
                    "limit": limit,
                    "lang": lang,
                    "summary": _clip(content, limit),
                },
            )
        document = HTML(string=html, url_fetcher=_url_fetcher).render()
        if len(document.pages) <= 2:
            break
    assert document is not None  # noqa: S101 — the loop runs at least once
    return document.write_pdf()  # type: ignore[no-any-return]


def _clip(content: dict[str, Any], limit: int) -> dict[str, Any]:
    """The brochure's lists, each cut to ``limit`` entries."""
    keys = ("partner_types", "responsibilities", "tiers", "motivators")
    value_keys = ("pains", "gains", "products", "jobs", "relievers", "creators")
    clipped = {key: content[key][:limit] for key in keys}
    clipped.update({key: content["value"][key][:limit] for key in value_keys})
    clipped["more_responsibilities"] = max(len(content["responsibilities"]) - limit, 0)
    return clipped


# --- Markdown -------------------------------------------------------------------------


def _cell(text: Any) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|") or " "


def _table(headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    headers = list(headers)
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _bullets(items: Iterable[str]) -> list[str]:
    lines = [f"- {_cell(item)}" for item in items]
    return [*lines, ""] if lines else []


def _para(label: str, text: str) -> list[str]:
    return [f"**{label}:** {text.strip()}", ""] if (text or "").strip() else []


def _markdown_steps(p: dict[str, Any]) -> dict[str, list[str]]:
    v = p["value"]
    yes = "●"
    body: dict[str, list[str]] = {
        "value_proposition": [
            *_para(_("Customer segment"), v["segment"]),
            *_table(
                [_("Customer profile"), _("Value map")],
                [
                    (
                        _("Customer jobs") + ": " + "; ".join(v["jobs"]),
                        _("Products and services") + ": " + "; ".join(v["products"]),
                    ),
                    (
                        _("Pains") + ": " + "; ".join(v["pains"]),
                        _("Pain relievers") + ": " + "; ".join(i["text"] for i in v["relievers"]),
                    ),
                    (
                        _("Gains") + ": " + "; ".join(v["gains"]),
                        _("Gain creators") + ": " + "; ".join(i["text"] for i in v["creators"]),
                    ),
                ],
            ),
            *(
                _table(
                    [_("Customer"), _("Addressed by")],
                    [(f"{f['kind']}: {f['text']}", "; ".join(f["by"]) or _("Not addressed yet")) for f in v["fit"]],
                )
                if v["fit"]
                else []
            ),
            *_para(_("Alternatives the customer has"), "; ".join(v["alternatives"])),
        ],
        "sales_process": _table(
            [_("Stage"), _("Customer's goal"), _("Exit criteria"), _("Led by"), _("Win probability")],
            [
                (s["name"], s.get("customer_goal"), s.get("exit_criteria"), s["led_by_label"], s["probability"])
                for s in p["stages"]
            ],
        ),
        "competitors": _table(
            [_("Dimension"), *(c.get("name", "") for c in p["competitors"])],
            [(label, *values) for label, values in p["competitor_grid"]],
        )
        if p["competitors"]
        else [],
        "partner_types": _table(
            [_("Partner type"), _("Why it fits")], [(t["name"], t.get("reason")) for t in p["partner_types"]]
        ),
        "success_factors": _table(
            [_("Rank"), _("Success factor"), _("Plan")],
            [(f.get("rank"), f.get("name"), f.get("plan")) for f in p["success_factors"]],
        ),
        "motivators": _table(
            [_("Motivator"), _("How we deliver it")], [(m["name"], m["delivery"]) for m in p["motivators"]]
        ),
        "program_elements": _table(
            [_("Element"), _("For partners")],
            [(e["label"], _("On") if e["enabled"] else _("Off")) for e in p["elements"]],
        ),
        "responsibilities": [
            *_table(
                [_("Activity"), _("Vendor"), _("Partner"), _("Who leads"), _("Expectation")],
                [
                    (
                        r["activity"],
                        yes if r["vendor"] else "",
                        yes if r["partner"] else "",
                        r["lead_label"],
                        r["expectation"],
                    )
                    for r in p["responsibilities"]
                ],
            ),
            *_para(_("What partners can expect from us"), p["partner_expectations"]),
            *_para(_("What we expect from partners"), p["vendor_expectations"]),
        ],
        "framework": [
            f"**{_('Framework')}:** {p['framework_label']}",
            "",
            *(
                _table(
                    [_("Tier"), _("Requirements"), _("Benefits")],
                    [
                        (
                            t["name"],
                            "; ".join(f"{q['label']} ≥ {q['threshold']}" for q in t["requirements"]),
                            "; ".join(t["benefits"]),
                        )
                        for t in p["tiers"]
                    ],
                )
                if p["tiered"]
                else [
                    *_para(_("Ideal partner"), p["ideal_partner"]),
                    *_para(_("How performance is measured"), p["performance_measures"]),
                ]
            ),
        ],
        "capabilities": _table(
            [_("Item"), _("Area"), _("Owner"), _("Due"), _("Status")],
            [(c["title"], c["area"], c["owner"], c["due"], c["status"]) for c in p["capabilities"]],
        ),
        "kpis": _table(
            [_("KPI"), _("Success factor"), _("Target"), _("Period")],
            [(k["label"], k["factor"], k["target"], k["period"]) for k in p["kpis"]],
        ),
        "marketing": [
            *_para(_("Target audience"), p["target_audience"]),
            *_table([_("SOSTAC"), ""], p["sostac"]),
            *[line for label, text in p["marketing_notes"] for line in _para(label, text)],
            *(
                _table([_("Campaign code"), _("Campaign")], [(c.get("code"), c.get("name")) for c in p["campaigns"]])
                if p["campaigns"]
                else []
            ),
        ],
        "selection": [
            *_para(_("Ideal partner profile"), p["ideal_partner_profile"]),
            *_para(_("Target regions"), ", ".join(p["regions"])),
            *_para(
                _("Recruitment target"),
                _("%(n)s partners by %(date)s")
                % {"n": p["recruitment_target"], "date": p["recruitment_deadline"] or "—"}
                if p["recruitment_target"]
                else "",
            ),
            *_table(
                [_("Criterion"), _("Weight"), _("Share"), _("Scoring guide (1–5)")],
                [(c.get("name"), c.get("weight"), c["share"], c.get("guide")) for c in p["criteria"]],
            ),
        ],
        "organization": [
            *_table([_("Role"), _("Person"), _("E-mail")], [(t["role"], t["name"], t["email"]) for t in p["team"]]),
            f"**{_('Partner advisory council')}:** {_('Yes') if p['partner_council'] else _('No')}",
            "",
        ],
    }
    return body


def handbook_markdown(snapshot: dict[str, Any], *, lang: str, version: DesignVersion | None = None) -> str:
    """The handbook's content as Markdown, for wikis and version control."""
    with translation.override(_language(lang)):
        p = present(snapshot)
        steps = steps_text()
        lines = [
            f"# {_('Partner program handbook')}: {p['program'].get('name', '')}",
            "",
            f"{p['vendor'].get('name', '')} · {edition(version)}",
            "",
        ]
        for key, body in _markdown_steps(p).items():
            step = steps[key]
            lines += [f"## {step['number']}. {step['title']}", "", f"*{step['why']}*", ""]
            lines += body or [_("Not filled in yet."), ""]
        return "\n".join(lines).rstrip() + "\n"
