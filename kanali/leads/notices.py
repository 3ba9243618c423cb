"""Who hears about a lead, and how: offer notices with signed one-click links, digests, alerts, reminders.

Every notice goes through :func:`notify` (in-app, and by e-mail after
commit). :func:`quietly` switches them off for demo data and back-fills.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kanali.core.models import Membership, Organization, Partnership, Program
from kanali.core.notifications import absolute_url, notify, organization_people
from kanali.core.roles import Role
from kanali.leads.models import Lead, Offer

if TYPE_CHECKING:
    from kanali.accounts.models import User

#: More offers than this to one partner in one run are announced as one digest, not one e-mail each.
DIGEST_FROM = 2


def _url(name: str, fallback: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return fallback


def portal_lead_url(lead: Lead, vendor_slug: str) -> str:
    return _url("leads:portal_lead", f"/p/{vendor_slug}/leads/{lead.pk}/", vendor_slug=vendor_slug, lead_id=lead.pk)


def portal_leads_url(vendor_slug: str) -> str:
    return _url("leads:portal_leads", f"/p/{vendor_slug}/leads/", vendor_slug=vendor_slug)


def console_lead_url(lead: Lead, vendor_slug: str) -> str:
    return _url("leads:vendor_lead", f"/v/{vendor_slug}/leads/{lead.pk}/", vendor_slug=vendor_slug, lead_id=lead.pk)


def console_queue_url(vendor_slug: str) -> str:
    return _url("leads:vendor_leads", f"/v/{vendor_slug}/leads/", vendor_slug=vendor_slug)


def offer_link_url(offer: Offer, action: str) -> str:
    """The signed one-click link (accept or decline) for the offer e-mail."""
    from kanali.leads.tokens import offer_link_token

    token = offer_link_token(offer, action)
    return _url("leads:offer_link", f"/leads/offer/{action}/{token}/", action=action, token=token)


def partner_people(vendor_id: int, partnership_ids: Iterable[int]) -> dict[int, list[User]]:
    """Each partnership's admins and sales people: two queries for any number of partners."""
    orgs = dict(
        Partnership.objects.for_vendor(vendor_id).filter(pk__in=list(partnership_ids)).values_list("pk", "partner_id")
    )
    people: dict[int, list[User]] = defaultdict(list)
    memberships = Membership.objects.filter(
        organization__in=set(orgs.values()),
        role__in=(Role.PARTNER_ADMIN, Role.PARTNER_SALES),
        user__is_active=True,
    ).select_related("user")
    by_org: dict[int, list[User]] = defaultdict(list)
    for m in memberships:
        by_org[m.organization_id].append(m.user)
    for pid, org_id in orgs.items():
        people[pid] = by_org.get(org_id, [])
    return people


def vendor_people(vendor_id: int) -> list[User]:
    return organization_people(vendor_id, (Role.OWNER, Role.CHANNEL_MANAGER))


def deadline_text(when: datetime) -> str:
    return formats.date_format(timezone.localtime(when), "DATETIME_FORMAT")


#: Off inside :func:`quietly`: demo data and back-fills route real leads without telling anyone.
_NOTICES: ContextVar[bool] = ContextVar("lead_notices", default=True)


@contextmanager
def quietly() -> Iterator[None]:
    """Run lead services without notices or e-mails (demo data, back-fills); the history is written as usual."""
    token = _NOTICES.set(False)
    try:
        yield
    finally:
        _NOTICES.reset(token)


def send(**kwargs: Any) -> None:
    if _NOTICES.get():
        notify(**kwargs)


def announce_offers(program: Program, offers: Sequence[Offer]) -> None:
    """Tell each partner about its new offers: one notice with signed links, or one digest for many."""
    if not offers or not _NOTICES.get():
        return
    vendor = Organization.objects.get(pk=program.vendor_id)
    by_partner: dict[int, list[Offer]] = defaultdict(list)
    for offer in offers:
        by_partner[offer.partnership_id].append(offer)
    people = partner_people(vendor.pk, by_partner)
    for pid, own in by_partner.items():
        recipients = people.get(pid, [])
        if not recipients:
            continue
        if len(own) < DIGEST_FROM:
            offer_notice(vendor, own[0], recipients)
            continue
        send(
            recipients=recipients,
            vendor=vendor,
            kind="lead.offered",
            title=ngettext(
                "%(vendor)s offers you %(n)d new lead",
                "%(vendor)s offers you %(n)d new leads",
                len(own),
            )
            % {"vendor": vendor.name, "n": len(own)},
            body=_("Accept or decline each of them by %(deadline)s in your leads list.")
            % {"deadline": deadline_text(own[0].deadline)},
            url=portal_leads_url(vendor.slug),
        )


def lead_summary(lead: Lead) -> str:
    place = ", ".join(part for part in (lead.city, str(lead.country.name if lead.country else "")) if part)
    parts = [lead.company, place, lead.industry, lead.product]
    return " · ".join(part for part in parts if part)


def offer_notice(vendor: Organization, offer: Offer, recipients: list[User]) -> None:
    lead = offer.lead
    title = _("New lead from %(vendor)s: %(company)s") % {"vendor": vendor.name, "company": lead.company}
    body = _("%(summary)s. Accept or decline by %(deadline)s.") % {
        "summary": lead_summary(lead),
        "deadline": deadline_text(offer.deadline),
    }
    email_body = "\n\n".join(
        (
            body,
            _("Accept with one click: %(url)s") % {"url": absolute_url(offer_link_url(offer, "accept"))},
            _("Decline with one click: %(url)s") % {"url": absolute_url(offer_link_url(offer, "decline"))},
        )
    )
    send(
        recipients=recipients,
        vendor=vendor,
        kind="lead.offered",
        title=title,
        body=body,
        url=portal_lead_url(lead, vendor.slug),
        email_body=email_body,
    )


def alert_returned(program: Program, leads: Sequence[Lead], *, reason: str) -> None:
    if not _NOTICES.get():
        return
    vendor = Organization.objects.get(pk=program.vendor_id)
    if len(leads) == 1:
        title = _("Lead back in your queue: %(company)s") % {"company": leads[0].company}
        url = console_lead_url(leads[0], vendor.slug)
    else:
        title = ngettext("%(n)d lead back in your queue", "%(n)d leads back in your queue", len(leads)) % {
            "n": len(leads)
        }
        url = console_queue_url(vendor.slug)
    send(
        recipients=vendor_people(vendor.pk),
        vendor=vendor,
        kind="lead.returned",
        title=title,
        body=_("Routing gave it back because %(reason)s. Reassign it by hand or change the routing settings.")
        % {"reason": reason},
        url=url,
    )


def tell_partner(offer: Offer, *, kind: str, title: str, body: str) -> None:
    if not _NOTICES.get():
        return
    vendor = Organization.objects.get(pk=offer.vendor_id)
    recipients = partner_people(vendor.pk, [offer.partnership_id]).get(offer.partnership_id, [])
    if recipients:
        send(
            recipients=recipients,
            vendor=vendor,
            kind=kind,
            title=title,
            body=body,
            url=portal_leads_url(vendor.slug),
        )
