"""Program news on the portal home: what changed in the programs a partner belongs to.

Built from events the platform already records (published design versions
with their change notes, new agreement versions), so vendors announce a change
by publishing it, not by writing a second message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from kanali.core.portal import Widget, register_widget
from kanali.core.selectors import list_programs
from kanali.core.workspace import Workspace
from kanali.designer.models import DesignVersion
from kanali.partners.models_agreements import AgreementTemplate

NEWS_ITEMS = 5


@dataclass(frozen=True)
class NewsItem:
    when: datetime
    program: str
    title: str
    text: str


def program_news(workspace: Workspace, limit: int = NEWS_ITEMS) -> list[NewsItem]:
    """The latest published changes of the partner's programs, newest first (two queries)."""
    programs = list(list_programs(workspace))
    if not programs:
        return []
    names = {p.pk: p.name for p in programs}
    versions = (
        DesignVersion.objects.for_vendor(workspace.vendor)
        .filter(program__in=programs)
        .order_by("-published_at")[:limit]
    )
    agreements = (
        AgreementTemplate.objects.for_vendor(workspace.vendor)
        .filter(program__in=programs, published_at__isnull=False)
        .order_by("-published_at")[:limit]
    )
    items = [
        NewsItem(
            v.published_at,
            names[v.program_id],
            _("Program version %(n)d published") % {"n": v.number},
            v.change_note,
        )
        for v in versions
    ] + [
        NewsItem(
            a.published_at,  # type: ignore[arg-type]
            names[a.program_id],
            _("New agreement: %(title)s (version %(n)d)") % {"title": a.title, "n": a.version},
            _("Please read and accept it."),
        )
        for a in agreements
    ]
    return sorted(items, key=lambda item: item.when, reverse=True)[:limit]


@register_widget
def news_panel(workspace: Workspace) -> Widget | None:
    if not workspace.is_partner:
        return None
    items = program_news(workspace)
    if not items:
        return None
    return Widget("partners/news_widget.html", {"items": items}, order=90)
