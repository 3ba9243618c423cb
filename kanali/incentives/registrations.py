"""What the incentives app plugs into lower apps' registries: the deals hooks that write commission lines,
and the portal-home panel with the partner's commissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kanali.core.portal import Widget, register_widget
from kanali.core.roles import Perm
from kanali.core.workspace import Workspace
from kanali.deals.hooks import on_deal_win_reversed, on_deal_won

if TYPE_CHECKING:
    from kanali.deals.models import Deal


@on_deal_won
def credit_commission(deal: Deal) -> None:
    """A won deal earns its partner a commission line (inside the deal's transaction)."""
    from kanali.incentives.services import record_win

    record_win(deal)


@on_deal_win_reversed
def claw_back_commission(deal: Deal) -> None:
    """A reversed win cancels the commission it earned with a negative line."""
    from kanali.incentives.services import record_reversal

    record_reversal(deal)


@register_widget
def commissions_panel(workspace: Workspace) -> Widget | None:
    """Earned and not yet paid, per currency and status (one query); nothing before the first commission."""
    if not workspace.is_partner or not workspace.can(Perm.VIEW_STATEMENTS):
        return None
    from kanali.incentives import selectors

    totals = [t for t in selectors.statement_totals(selectors.list_statements(workspace)) if t.status != "paid"]
    if not totals:
        return None
    return Widget("incentives/portal_widget.html", {"ws": workspace, "totals": totals}, order=30)
