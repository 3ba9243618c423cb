"""Agreements: safe rendering, acceptance with evidence, who may accept, new versions, the signed PDF, the pages."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from kanali.core.models import AuditLog, Partnership
from kanali.designer.models import Responsibility, Tier
from kanali.partners import selectors_agreements as sel
from kanali.partners import services_agreements as services
from kanali.partners.models_agreements import AgreementAcceptance, AgreementTemplate
from tests.conftest import World, queries_for, workspace_for
from tests.factories import PartnershipFactory
from tests.partners.routes_agreements import published_template

pytestmark = pytest.mark.django_db

ALL_VARIABLES = (
    "Partner: {{ partner_name }}\n\nType: {{partner_type}}\n\nTier: {{ tier }}\n\nTerritory: {{ territory }}\n\n"
    "Commission: {{ commission_terms }}\n\n{{ responsibility_matrix }}\n"
)


def publish(world: World, body: str = ALL_VARIABLES, **values: object) -> AgreementTemplate:
    ws = workspace_for(world.a.owner, world.a.vendor)
    draft = services.agreement_template_create(workspace=ws, program=world.a.program)
    draft = services.agreement_template_update(workspace=ws, template=draft, body=body, **values)
    return services.agreement_template_publish(workspace=ws, template=draft)


def accept(world: World, template: AgreementTemplate, n: int = 0, **kwargs: object) -> AgreementAcceptance:
    ws = workspace_for(world.a.partners[n].admin, world.a.vendor, "partner")
    return services.agreement_accept(workspace=ws, template=template, **kwargs)  # type: ignore[arg-type]


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- Rendering ---------------------------------------------------------------------------------


def test_every_variable_is_filled_in(world: World) -> None:
    a = world.a
    Tier.objects.create(vendor=a.vendor, program=a.program, name="Gold", rank=3, commission_bonus_pct=5)
    Responsibility.objects.create(
        vendor=a.vendor, program=a.program, activity="Qualify | leads", assignee="both", lead="vendor"
    )
    partnership = a.partners[0].partnership
    partnership.tier = "gold"
    partnership.save()
    template = publish(world, commission_terms="10 % of net licence revenue.")
    text = sel.render_agreement(template, partnership).text
    assert "Partner: Acme Partner 1" in text
    assert "Type: Value-added reseller" in text
    assert "Tier: Gold" in text
    assert "Territory: Greece" in text
    assert "10 % of net licence revenue." in text and "commission bonus of 5 %" in text
    # The responsibility matrix is a Markdown table; a pipe in a cell does not break it.
    assert "| Qualify \\| leads | Both | Vendor |" in text
    html = sel.render_agreement(template, partnership).html
    assert "<table>" in html and "<td>Qualify | leads</td>" in html
    assert "{{" not in text


def test_unknown_or_broken_tokens_are_refused_when_saving(world: World) -> None:
    ws = workspace_for(world.a.owner, world.a.vendor)
    draft = services.agreement_template_create(workspace=ws, program=world.a.program)
    with pytest.raises(ValidationError) as exc:
        services.agreement_template_update(workspace=ws, template=draft, body="Hello {{ partner_nme }} and {{ x.y }}")
    assert "{{ partner_nme }}" in str(exc.value) and "{{ x.y }}" in str(exc.value)
    with pytest.raises(ValidationError):
        services.agreement_template_update(workspace=ws, template=draft, body="Hello {{ partner_name }")
    with pytest.raises(ValidationError):
        services.agreement_template_update(workspace=ws, template=draft, commission_terms="{% if 1 %}{{ evil }}")
    draft.refresh_from_db()
    assert "partner_nme" not in draft.body


def test_vendor_text_and_values_are_never_run_as_html_or_template(world: World) -> None:
    org = world.a.partners[0].org
    org.name = "<img src=x onerror=alert(1)> {{ tier }}"
    org.save()
    body = (
        "<script>alert('x')</script>\n\n{% load static %}{{ partner_name }}\n\n"
        "[click](javascript:alert(1)) [ok](https://example.com) ![pic](https://tracker.example/p.png)"
    )
    template = publish(world, body=body)
    rendered = sel.render_agreement(template, world.a.partners[0].partnership)
    html = str(rendered.html)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    # A value is inserted once: the partner's name does not expand into the tier.
    assert "{{ tier }}" in rendered.text
    assert "{% load static %}" in html
    assert "javascript:" not in html and "<a>click</a>" in html
    assert '<a href="https://example.com" rel="nofollow noopener">ok</a>' in html
    assert "tracker.example" not in html and "pic" in html


def test_published_versions_are_frozen(world: World) -> None:
    template = publish(world)
    ws = workspace_for(world.a.owner, world.a.vendor)
    with pytest.raises(ValidationError):
        services.agreement_template_update(workspace=ws, template=template, body="Changed")
    with pytest.raises(ValidationError):
        services.agreement_template_delete(workspace=ws, template=template)
    nxt = services.agreement_template_create(workspace=ws, program=world.a.program)
    assert (nxt.version, nxt.status, nxt.body) == (2, "draft", template.body)
    # Asking again returns the open draft instead of a third version.
    assert services.agreement_template_create(workspace=ws, program=world.a.program).pk == nxt.pk


def test_only_program_managers_write_templates(world: World) -> None:
    finance = workspace_for(world.a.finance, world.a.vendor)
    with pytest.raises(PermissionDenied):
        services.agreement_template_create(workspace=finance, program=world.a.program)


# --- Acceptance ------------------------------------------------------------------------------------


def test_acceptance_keeps_the_evidence(world: World) -> None:
    template = publish(world)
    partner = world.a.partners[0]
    shown = sel.render_agreement(template, partner.partnership)
    ws = workspace_for(partner.admin, world.a.vendor, "partner")
    ws = type(ws)(user=ws.user, membership=ws.membership, vendor=ws.vendor, kind=ws.kind, ip="203.0.113.9")
    acceptance = services.agreement_accept(
        workspace=ws, template=template, sha256=shown.sha256, user_agent="Mozilla/5.0 (X11; Linux) Test"
    )
    acceptance.refresh_from_db()
    assert acceptance.sha256 == hashlib.sha256(acceptance.rendered_text.encode()).hexdigest() == shown.sha256
    assert acceptance.rendered_text == shown.text
    assert acceptance.ip == "203.0.113.9"
    assert acceptance.user_agent == "Mozilla/5.0 (X11; Linux) Test"
    assert acceptance.accepted_by == partner.admin and acceptance.accepted_by_email == partner.admin.email
    assert acceptance.accepted_at is not None
    assert AuditLog.objects.filter(vendor=world.a.vendor, action="agreement.accept").count() == 1
    # The stored text does not move when the partner's data does.
    partner.org.name = "Renamed"
    partner.org.save()
    acceptance.refresh_from_db()
    assert "Acme Partner 1" in acceptance.rendered_text


def test_text_changed_while_reading_is_refused(world: World) -> None:
    template = publish(world)
    with pytest.raises(services.AgreementConflict):
        accept(world, template, sha256="0" * 64)
    assert not AgreementAcceptance.objects.for_vendor(world.a.vendor).exists()


def test_non_admins_and_vendor_staff_cannot_accept(world: World) -> None:
    template = publish(world)
    sales = workspace_for(world.a.partners[0].sales, world.a.vendor, "partner")
    with pytest.raises(PermissionDenied):
        services.agreement_accept(workspace=sales, template=template)
    with pytest.raises(PermissionDenied):
        services.agreement_accept(workspace=workspace_for(world.a.owner, world.a.vendor), template=template)
    assert not AgreementAcceptance.objects.for_vendor(world.a.vendor).exists()


def test_accepting_twice_or_an_old_version_is_a_conflict(world: World) -> None:
    v1 = publish(world)
    accept(world, v1)
    with pytest.raises(services.AgreementConflict):
        accept(world, v1)
    publish(world, body="Version two for {{ partner_name }}")
    with pytest.raises(services.AgreementConflict):
        accept(world, v1, n=1)


def test_a_new_version_asks_every_live_partner_to_accept_again(world: World) -> None:
    a = world.a
    suspended = PartnershipFactory(program=a.program, status=Partnership.Status.SUSPENDED)
    v1 = publish(world)
    accept(world, v1, 0)
    accept(world, v1, 1)
    partnerships = [p.partnership for p in a.partners]
    assert {s.status for s in sel.agreement_states(a.program, partnerships).values()} == {"accepted"}

    v2 = publish(world, body="Version two for {{ partner_name }}", acceptance_deadline_days=14)
    states = sel.agreement_states(a.program, partnerships)
    assert {s.status for s in states.values()} == {"pending"}
    assert all(s.last_acceptance.template_id == v1.pk for s in states.values())  # type: ignore[union-attr]
    due = states[partnerships[0].pk].due
    assert due is not None and abs(due - (v2.published_at + timedelta(days=14))) < timedelta(seconds=1)  # type: ignore[operator]
    # Only live partnerships are asked.
    assert AuditLog.objects.get(action="agreement.publish", object_id=str(v2.pk)).changes["partners_asked"] == [None, 2]
    assert suspended.status == "suspended"

    ws = workspace_for(a.partners[0].admin, a.vendor, "partner")
    assert [item.template.pk for item in sel.open_agreements(ws)] == [v2.pk]
    accept(world, v2, 0)
    assert sel.open_agreements(ws) == []
    history = sel.partnership_agreement_history(a.partners[1].partnership)
    assert [(row["template"].version, row["status"]) for row in history] == [(2, "pending"), (1, "accepted")]

    # Past the deadline the open item is overdue.
    AgreementTemplate.objects.for_vendor(a.vendor).filter(pk=v2.pk).update(
        published_at=timezone.now() - timedelta(days=30)
    )
    Partnership.objects.for_vendor(a.vendor).filter(pk=partnerships[1].pk).update(
        created_at=timezone.now() - timedelta(days=60)
    )
    ws1 = workspace_for(a.partners[1].admin, a.vendor, "partner")
    assert sel.open_agreements(ws1)[0].overdue


def test_signed_pdf_carries_the_partner_and_the_hash(world: World) -> None:
    template = publish(world)
    acceptance = accept(world, template, user_agent="pytest-agent")
    text = "".join(pdf_text(sel.acceptance_pdf(acceptance)).split())
    assert "AcmePartner1" in text
    assert acceptance.sha256 in text
    assert "pytest-agent" in text


# --- Pages ---------------------------------------------------------------------------------------------


def test_vendor_writes_previews_and_publishes(world: World, client: Client) -> None:
    client.force_login(world.a.channel_manager)
    url = f"/v/acme/programs/{world.a.program.pk}/agreements/"
    assert client.get(url).status_code == 200
    response = client.post(f"{url}new/")
    template = AgreementTemplate.objects.for_vendor(world.a.vendor).get()
    assert response["Location"] == f"/v/acme/agreements/{template.pk}/"
    edit = client.get(response["Location"])
    assert edit.status_code == 200 and b"Live preview" in edit.content

    bad = {"title": "Agreement", "body": "Hi {{ nope }}", "commission_terms": "", "acceptance_deadline_days": 30}
    response = client.post(f"/v/acme/agreements/{template.pk}/", bad)
    assert response.status_code == 200 and b"{{ nope }}" in response.content and b"is-invalid" in response.content
    preview = client.post(f"/v/acme/agreements/{template.pk}/preview/", {**bad, "body": "**Hi** {{ partner_name }}"})
    assert b"<strong>Hi</strong> Acme Partner 1" in preview.content
    preview = client.post(f"/v/acme/agreements/{template.pk}/preview/", bad)
    assert b"alert-danger" in preview.content

    good = {**bad, "body": "Welcome {{ partner_name }}", "acceptance_deadline_days": 0}
    response = client.post(f"/v/acme/agreements/{template.pk}/", good)
    assert response.status_code == 200 and b"acceptance_deadline_days-errors" in response.content
    response = client.post(f"/v/acme/agreements/{template.pk}/", {**good, "acceptance_deadline_days": 21})
    assert response.status_code == 302
    client.post(f"/v/acme/agreements/{template.pk}/publish/")
    template.refresh_from_db()
    assert template.is_published and template.acceptance_deadline_days == 21
    assert b"To accept" in client.get(url).content


def test_finance_reads_but_cannot_edit(world: World, client: Client) -> None:
    template = publish(world)
    client.force_login(world.a.finance)
    assert client.get(f"/v/acme/programs/{world.a.program.pk}/agreements/").status_code == 200
    assert client.get(f"/v/acme/agreements/{template.pk}/").status_code == 200
    assert client.post(f"/v/acme/programs/{world.a.program.pk}/agreements/new/").status_code == 403
    assert client.post(f"/v/acme/agreements/{template.pk}/", {"title": "x"}).status_code == 403


def test_partner_admin_accepts_in_the_portal(world: World, client: Client) -> None:
    template = publish(world)
    partner = world.a.partners[0]
    client.force_login(partner.admin)
    assert b"agreements-to-accept" in client.get("/p/acme/").content
    page = client.get(f"/p/acme/agreements/{template.pk}/")
    assert page.status_code == 200 and b"Acme Partner 1" in page.content
    digest = sel.render_agreement(template, partner.partnership).sha256
    # The box must be ticked.
    response = client.post(f"/p/acme/agreements/{template.pk}/accept/", {"sha256": digest})
    assert response.status_code == 200 and b"confirm-errors" in response.content
    response = client.post(
        f"/p/acme/agreements/{template.pk}/accept/",
        {"sha256": digest, "confirm": "on"},
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="Firefox/140",
    )
    assert response.status_code == 302
    acceptance = AgreementAcceptance.objects.for_vendor(world.a.vendor).get()
    assert (acceptance.ip, acceptance.user_agent, acceptance.sha256) == ("198.51.100.7", "Firefox/140", digest)
    assert b"agreements-to-accept" not in client.get("/p/acme/").content
    pdf = client.get(f"/p/acme/agreements/{template.pk}/signed.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert digest in "".join(pdf_text(pdf.content).split())
    # The vendor downloads the same signed PDF.
    client.force_login(world.a.owner)
    assert client.get(f"/v/acme/agreements/acceptances/{acceptance.pk}.pdf").status_code == 200


def test_partner_sales_reads_but_is_refused_acceptance(world: World, client: Client) -> None:
    template = publish(world)
    client.force_login(world.a.partners[0].sales)
    page = client.get(f"/p/acme/agreements/{template.pk}/")
    assert page.status_code == 200 and b"accept-agreement" not in page.content
    response = client.post(f"/p/acme/agreements/{template.pk}/accept/", {"sha256": "x", "confirm": "on"})
    assert response.status_code == 403
    assert not AgreementAcceptance.objects.for_vendor(world.a.vendor).exists()


def test_a_partner_never_reaches_another_partners_acceptance(world: World, client: Client) -> None:
    template = publish(world)
    acceptance = accept(world, template, 0)
    client.force_login(world.a.partners[1].admin)
    # The template is shared by the program, the acceptance is not.
    assert client.get(f"/p/acme/agreements/{template.pk}/").status_code == 200
    assert client.get(f"/p/acme/agreements/{template.pk}/signed.pdf").status_code == 404
    assert client.get(f"/v/acme/agreements/acceptances/{acceptance.pk}.pdf").status_code == 404
    listing = client.get("/p/acme/agreements/").content.decode()
    assert acceptance.sha256 not in listing and "No agreement accepted yet." in listing


def test_acceptance_status_page_does_not_query_per_row(world: World, client: Client) -> None:
    template = publish(world)
    accept(world, template, 0)
    client.force_login(world.a.owner)
    url = f"/v/acme/programs/{world.a.program.pk}/agreements/"
    small = queries_for(lambda: client.get(url))
    for _ in range(6):
        PartnershipFactory(program=world.a.program, status=Partnership.Status.ONBOARDING)
    publish(world, body="v2 {{ partner_name }}")
    large = queries_for(lambda: client.get(url))
    assert large == small, f"{small} queries with few rows, {large} with more"


def test_portal_agreement_list_does_not_query_per_row(world: World, client: Client) -> None:
    publish(world)
    client.force_login(world.a.partners[0].admin)
    small = queries_for(lambda: client.get("/p/acme/agreements/"))
    for n in range(3):
        accept(world, publish(world, body=f"v{n} {{{{ partner_name }}}}"))
    large = queries_for(lambda: client.get("/p/acme/agreements/"))
    assert large == small


def test_isolation_builder_publishes_for_partner_one_only(world: World) -> None:
    template = published_template(world.a)
    assert template.is_published and template.program == world.a.program
