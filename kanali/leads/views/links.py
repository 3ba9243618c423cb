"""The signed one-click link from the offer e-mail: accept or decline without signing in.

The token is the partner's authority for one action on one offer
(:mod:`kanali.leads.tokens`). GET only shows the lead's summary and a button;
the POST, carrying the same token, acts. A forged, used or expired link gets
a clear page (410), never an error.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kanali.leads import services
from kanali.leads.errors import LeadStateError
from kanali.leads.forms import DeclineForm
from kanali.leads.models import Offer
from kanali.leads.tokens import offer_token_state

TEMPLATE = "leads/offer_link.html"


def why_closed(offer: Offer) -> str:
    """Why a signed offer can no longer be answered, for the person who clicked."""
    if offer.status == Offer.Status.ACCEPTED:
        return _("This lead was already accepted.")
    if offer.status == Offer.Status.DECLINED:
        return _("This lead was already declined.")
    if offer.status == Offer.Status.WITHDRAWN:
        return _("The vendor withdrew this offer.")
    return _("This offer expired on %(deadline)s.") % {
        "deadline": date_format(timezone.localtime(offer.deadline), "DATETIME_FORMAT")
    }


@never_cache
@require_http_methods(["GET", "POST"])
def offer_link(request: HttpRequest, action: str, token: str) -> HttpResponse:
    offer, valid = offer_token_state(token, action)
    context = {"action": action, "token": token, "offer": offer, "lead": offer.lead if offer else None}
    if offer is None:
        return render(request, TEMPLATE, {**context, "problem": _("This link is not valid.")}, status=410)
    if not valid:
        return render(request, TEMPLATE, {**context, "problem": why_closed(offer)}, status=410)
    form = DeclineForm(request.POST or None) if action == "decline" else None
    if request.method == "POST":
        try:
            if action == "accept":
                offer = services.offer_accept_by_token(token=token)
                done = _("You accepted the lead. Sign in to the partner portal to see its contact details.")
            elif form is not None and form.is_valid():
                offer = services.offer_decline_by_token(
                    token=token, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
                )
                done = _("You declined the lead; it goes to another partner. Thank you for telling us.")
            else:
                return render(request, TEMPLATE, {**context, "form": form}, status=400)
        except LeadStateError as exc:
            return render(request, TEMPLATE, {**context, "problem": exc.reason}, status=409)
        except ValidationError as exc:
            if form is None:
                raise
            form.add_error(None, exc.messages)
            return render(request, TEMPLATE, {**context, "form": form}, status=400)
        return render(request, TEMPLATE, {**context, "offer": offer, "done": done})
    return render(request, TEMPLATE, {**context, "form": form})
