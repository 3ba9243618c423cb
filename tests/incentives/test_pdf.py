"""The statement PDF, read back with pypdf: number, period, parties, every line and the totals."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from kanali.incentives import pdf
from kanali.incentives.models import Statement
from kanali.incentives.services import RuleInput
from tests.conftest import World, api_key
from tests.incentives.routes import lose, open_deal, plan, statement, win

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_statement_pdf_lists_lines_totals_and_parties(world: World) -> None:
    a = world.a
    p = a.partners[0]
    p.org.name, p.org.vat_number = "Άλφα Πληροφορική Α.Ε.", "EL094014201"
    p.org.save()
    plan(a)
    win(a, open_deal(a, amount="2500", name="Cloud migration"))
    lost = win(a, open_deal(a, amount="1000", name="Backup"))
    lose(a, lost)
    s = Statement.objects.for_vendor(a.vendor).select_related("partnership__partner", "vendor", "program").get()
    text = text_of(pdf.statement_pdf(s))
    for expected in (
        s.number,
        s.period_label,
        "Acme",
        "Άλφα Πληροφορική Α.Ε.",
        "EL094014201",
        "Cloud migration",
        "Backup",
        "2,500.00",
        "250.00",
        "-100.00",
        "Total (EUR)",
        "Draft",
    ):
        assert expected in text, expected
    assert "clawback" in text


def test_partner_downloads_its_pdf_in_the_portal_and_by_api(world: World, client: Client) -> None:
    a = world.a
    s = statement(a, amount="4321")
    client.force_login(a.partners[0].admin)
    response = client.get(reverse("incentives:portal_statement_pdf", args=[a.vendor.slug, s.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and s.number in response["Content-Disposition"]
    assert "432.10" in text_of(response.content)
    key = api_key(a.partners[0].admin, a.vendor, "partner")
    api = client.get(f"/api/v1/statements/{s.pk}/pdf", headers={"Authorization": f"Bearer {key}"})
    assert api.status_code == 200 and s.number in text_of(api.content)


def test_sales_rep_cannot_download_statements(world: World, client: Client) -> None:
    a = world.a
    s = statement(a)
    client.force_login(a.partners[0].sales)
    assert client.get(reverse("incentives:portal_statement_pdf", args=[a.vendor.slug, s.pk])).status_code == 403


def test_amounts_follow_the_currency_minor_unit(world: World) -> None:
    a = world.a
    plan(a, [RuleInput(rate_pct=Decimal("10"))])
    win(a, open_deal(a, amount="123456", currency="JPY", name="Tokyo"))
    s = Statement.objects.for_vendor(a.vendor).get()
    text = text_of(pdf.statement_pdf(s))
    assert "12,346" in text and "12,345.60" not in text and "12,346.00" not in text
