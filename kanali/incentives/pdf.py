"""The commission statement as a PDF: number, period, vendor and partner, every line, totals.

Rendered offline with WeasyPrint through the designer's fetcher (no URL is
ever fetched), in DejaVu Sans so Greek names print.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from kanali.incentives import selectors
from kanali.incentives.models import PayoutAccount, Statement


def statement_html(statement: Statement, *, account: PayoutAccount | None = None, lang: str | None = None) -> str:
    lines = list(selectors.statement_lines(statement))
    earned = sum((line.amount for line in lines if not line.is_clawback), start=statement.total * 0)
    clawed = sum((line.amount for line in lines if line.is_clawback), start=statement.total * 0)
    context = {
        "statement": statement,
        "vendor": statement.vendor,
        "partner": statement.partnership.partner,
        "program": statement.program,
        "lines": lines,
        "earned": earned,
        "clawed": clawed,
        "account": account,
    }
    with translation.override(lang or translation.get_language()):
        return render_to_string("incentives/statement_pdf.html", context)


def statement_pdf(statement: Statement, *, account: PayoutAccount | None = None, lang: str | None = None) -> bytes:
    from kanali.designer.outputs import _pdf

    return _pdf(statement_html(statement, account=account, lang=lang))


def filename(statement: Statement) -> str:
    return f"statement-{statement.number}.pdf"
