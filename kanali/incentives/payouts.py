"""The payout file: approved statements with the partner's bank details, for finance to upload to the bank.

Every row's IBAN is checked again with python-stdnum when the file is built
(an account saved before a rule changed, or edited in the admin, could be
wrong). A statement that cannot be paid — no bank details, an invalid IBAN,
nothing to pay — is never left out silently: it is returned as an error, the
console lists it, and the API names it in a response header.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from kanali.core.money import quantize
from kanali.core.workspace import Workspace
from kanali.incentives import selectors
from kanali.incentives.models import PayoutAccount, Statement

HEADER = ["statement", "partner", "account_holder", "iban", "bic", "amount", "currency", "reference", "period"]


@dataclass(frozen=True)
class PayoutRow:
    statement: Statement
    account: PayoutAccount

    @property
    def amount(self) -> Decimal:
        return quantize(self.statement.total, self.statement.currency)

    def as_csv(self) -> list[str]:
        s = self.statement
        return [
            s.number,
            s.partnership.partner.name,
            self.account.account_holder,
            self.account.iban,
            self.account.bic,
            f"{self.amount}",
            s.currency,
            s.number,
            s.period_label,
        ]


@dataclass(frozen=True)
class PayoutError:
    statement: Statement
    reason: str


@dataclass(frozen=True)
class Payout:
    rows: list[PayoutRow]
    errors: list[PayoutError]

    def totals(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for row in self.rows:
            out[row.statement.currency] = out.get(row.statement.currency, Decimal(0)) + row.amount
        return dict(sorted(out.items()))


def approved_statements(workspace: Workspace, program_id: int | None = None) -> QuerySet[Statement]:
    return selectors.list_statements(
        workspace, selectors.StatementFilter(status=Statement.Status.APPROVED, program_id=program_id)
    )


def build(workspace: Workspace, program_id: int | None = None) -> Payout:
    """Approved statements split into payable rows and errors, in two queries."""
    statements = list(approved_statements(workspace, program_id))
    accounts = selectors.payout_accounts(workspace, [s.partnership_id for s in statements])
    rows, errors = [], []
    for statement in statements:
        account = accounts.get(statement.partnership_id)
        if statement.total <= 0:
            errors.append(PayoutError(statement, _("Nothing to pay: the total is not above zero.")))
        elif account is None:
            errors.append(PayoutError(statement, _("The partner has not entered bank details.")))
        elif not stdnum_iban.is_valid(account.iban):
            errors.append(PayoutError(statement, _("The partner's IBAN is not valid.")))
        else:
            rows.append(PayoutRow(statement, account))
    return Payout(rows, errors)


def to_csv(payout: Payout) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in payout.rows:
        writer.writerow([_safe(v) for v in row.as_csv()])
    return out.getvalue()


def _safe(value: str) -> str:
    """Keep spreadsheet programs from running a partner-entered name as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_response(payout: Payout) -> HttpResponse:
    """The file as a download; skipped statements are named in ``X-Payout-Skipped`` (never dropped silently)."""
    response = HttpResponse(to_csv(payout), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payouts-{timezone.localdate().isoformat()}.csv"'
    response["X-Payout-Rows"] = str(len(payout.rows))
    response["X-Payout-Errors"] = str(len(payout.errors))
    if payout.errors:
        response["X-Payout-Skipped"] = ",".join(e.statement.number for e in payout.errors)
    return response
