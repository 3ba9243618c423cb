"""Applications: the public form, pre-scores and reviewer scores, approval and rejection, the console pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from kanali.accounts.models import Invitation
from kanali.core.models import AuditLog, Organization, Partnership, Program
from kanali.designer.models import Design, SelectionCriterion
from kanali.partners.models_applications import Application, ApplicationScore
from kanali.partners.selectors_applications import prescore, score_sheet, status_token
from kanali.partners.services_applications import (
    ApplicationDecidedError,
    DuplicateApplicationError,
    application_approve,
    application_reject,
    application_score,
    application_submit,
)
from tests.conftest import World, queries_for, workspace_for
from tests.designer.routes_publishing import published_program
from tests.factories import MembershipFactory, PartnerOrgFactory, UserFactory
from tests.partners.routes_applications import partner_application, second_program, values, with_partner_type

pytestmark = pytest.mark.django_db

VALID_VAT = "EL094014201"


@pytest.fixture
def program(world: World) -> Program:
    """A's program, published, seeking VARs and referral partners, with criteria that pre-score from data."""
    program = published_program(world.a)
    with_partner_type(program, "referral", "Referral partner")
    design = Design.objects.for_vendor(world.a.vendor).get(program=program)
    design.target_regions = ["GR-I", "GR-B"]
    design.recruitment_target = 4
    design.save()
    SelectionCriterion.objects.for_vendor(world.a.vendor).filter(program=program).delete()
    for name, weight, source in (
        ("Regions", 40, "region_overlap"),
        ("Type", 20, "partner_type"),
        ("Certified", 20, "certified_people"),
        ("Commitment", 20, ""),
    ):
        SelectionCriterion.objects.create(
            vendor=world.a.vendor, program=program, name=name, weight=weight, data_source=source
        )
    return program


def criteria(program: Program) -> dict[str, SelectionCriterion]:
    return {c.name: c for c in SelectionCriterion.objects.for_vendor(program.vendor).filter(program=program)}


def submit(program: Program, **overrides: Any) -> Application:
    return application_submit(program=program, values=values(**overrides))


def apply_url(program: Program) -> str:
    return reverse("partners:application_apply", args=[program.vendor.slug, program.slug])


def form_data(**overrides: Any) -> dict[str, Any]:
    data = values(**overrides)
    for name in ("regions", "industries", "specializations"):
        if isinstance(data[name], list):
            data[name] = ", ".join(data[name])
    return data


# --- Pre-scores and the score sheet ------------------------------------------------------------


def test_prescores_map_application_data_to_one_to_five() -> None:
    app = Application(
        regions=["GR-I", "GR-B"], partner_type="var", certified_people=0, team_size=60, references="a\nb\n\nc"
    )
    regions = {"target_regions": ["GR-I", "GR-B", "GR-M"], "sought": {"var", "referral"}}
    assert prescore(app, "region_overlap", **regions) == 5
    app.regions = ["GR-I", "DE-BY", "FR-IDF", "IT-25"]
    assert prescore(app, "region_overlap", **regions) == 2  # one of three overlapping: 1 + round(4/3)
    app.regions = ["DE-BY"]
    assert prescore(app, "region_overlap", **regions) == 1
    assert prescore(app, "region_overlap", target_regions=[], sought=set()) is None
    assert prescore(app, "partner_type", **regions) == 5
    app.partner_type = "referral"
    assert prescore(app, "partner_type", **regions) == 2
    app.partner_type = "oem"
    assert prescore(app, "partner_type", **regions) == 1
    assert prescore(app, "certified_people", **regions) == 1
    app.certified_people = 10
    assert prescore(app, "certified_people", **regions) == 5
    assert prescore(app, "team_size", **regions) == 4
    assert prescore(app, "references", **regions) == 4
    app.revenue_band = "over_50m"
    assert prescore(app, "revenue_band", **regions) == 5
    assert prescore(app, "", **regions) is None


def test_submission_is_pre_scored_and_weighted(world: World, program: Program) -> None:
    app = submit(program, regions=["GR-I"], certified_people=2)
    # Regions 5 (w .4), type 5 (w .2), certified 3 (w .2); commitment has no data → left out.
    assert app.pre_score == app.total_score == Decimal("4.50")
    assert app.status == Application.Status.SUBMITTED
    assert AuditLog.objects.filter(vendor=world.a.vendor, action="application.submit", object_id=str(app.pk)).exists()


def test_reviewer_scores_override_the_pre_score_and_are_averaged(world: World, program: Program) -> None:
    app = submit(program, regions=["GR-I"], certified_people=2)
    c = criteria(program)
    owner = workspace_for(world.a.owner, world.a.vendor)
    manager = workspace_for(world.a.channel_manager, world.a.vendor)
    application_score(
        workspace=owner, application=app, scores={c["Regions"].pk: (2, "Only Athens"), c["Commitment"].pk: (4, "")}
    )
    app = application_score(
        workspace=manager, application=app, scores={c["Regions"].pk: (3, ""), c["Commitment"].pk: (5, "")}
    )
    sheet = score_sheet(app)
    rows = {r.criterion.name: r for r in sheet.rows}
    assert rows["Regions"].pre_score == 5 and rows["Regions"].effective == Decimal("2.50")
    assert rows["Type"].effective == Decimal(5)  # nobody scored it: the pre-score stands
    assert rows["Commitment"].effective == Decimal("4.50")
    # .4 × 2.5 + .2 × 5 + .2 × 3 + .2 × 4.5 = 3.5
    assert app.total_score == Decimal("3.50") and app.pre_score == Decimal("4.50")
    assert app.status == Application.Status.UNDER_REVIEW
    # Re-scoring replaces the reviewer's own score; None withdraws it.
    app = application_score(workspace=owner, application=app, scores={c["Regions"].pk: (None, "")})
    assert ApplicationScore.objects.for_vendor(world.a.vendor).filter(application=app).count() == 3
    assert AuditLog.objects.filter(vendor=world.a.vendor, action="application.score").count() == 3


def test_scores_are_one_to_five_on_the_programs_own_criteria(world: World, program: Program) -> None:
    app = submit(program)
    owner = workspace_for(world.a.owner, world.a.vendor)
    with pytest.raises(ValidationError):
        application_score(workspace=owner, application=app, scores={criteria(program)["Type"].pk: (6, "")})
    other = SelectionCriterion.objects.create(vendor=world.a.vendor, program=second_program(world.a), name="X")
    with pytest.raises(ValidationError):
        application_score(workspace=owner, application=app, scores={other.pk: (3, "")})
    with pytest.raises(PermissionDenied):
        application_score(workspace=workspace_for(world.a.finance, world.a.vendor), application=app, scores={})


# --- The public form -------------------------------------------------------------------


def test_apply_sends_a_confirmation_with_a_status_link(
    world: World, program: Program, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(apply_url(program), form_data(vat_number="094014201"))
    app = Application.objects.for_vendor(world.a.vendor).get()
    assert app.vat_number == VALID_VAT and app.regions == ["GR-I"] and app.industries == ["Retail"]
    status_url = reverse("partners:application_status", args=[status_token(app)])
    assert response.status_code == 302 and response["Location"] == status_url
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["eleni@olympus.example.com"]
    assert status_url in mail.outbox[0].body
    page = client.get(status_url)
    assert page.status_code == 200 and "Submitted" in page.content.decode()


def test_the_apply_form_lists_the_programs_partner_types(program: Program, client: Client) -> None:
    body = client.get(apply_url(program)).content.decode()
    assert 'value="var"' in body and 'value="referral"' in body and 'value="msp"' not in body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("vat_number", "EL123456789", "not a valid EU VAT number"),
        ("regions", "GR-I, XX-99", "Not ISO 3166-2 region codes: XX-99"),
        ("partner_type", "oem", "Select a valid choice"),
        ("certified_people", "40", "Cannot be more than the team size"),
        ("contact_email", "nobody", "Enter a valid email address"),
    ],
)
def test_bad_input_is_shown_beside_the_field(
    program: Program, client: Client, field: str, value: str, message: str
) -> None:
    response = client.post(apply_url(program), form_data(**{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert Application.objects.for_vendor(program.vendor).count() == 0


def test_a_second_open_application_from_the_same_vat_is_refused(world: World, program: Program, client: Client) -> None:
    submit(program, vat_number=VALID_VAT)
    response = client.post(apply_url(program), form_data(vat_number="EL 094014201", company_name="Other name"))
    assert "already has an application" in " ".join(response.context["form"].errors["vat_number"])
    assert Application.objects.for_vendor(world.a.vendor).count() == 1
    with pytest.raises(DuplicateApplicationError):
        submit(program, vat_number=VALID_VAT)


def test_a_decided_application_does_not_block_a_new_one(world: World, program: Program) -> None:
    first = submit(program, vat_number=VALID_VAT)
    application_reject(workspace=workspace_for(world.a.owner, world.a.vendor), application=first, reason="Too early")
    assert submit(program, vat_number=VALID_VAT).pk != first.pk


def test_the_same_company_may_apply_to_another_vendor(world: World, program: Program) -> None:
    submit(program, vat_number=VALID_VAT)
    other = with_partner_type(published_program(world.b))
    assert submit(other, vat_number=VALID_VAT).vendor_id == world.b.vendor.pk


def test_honeypot_looks_like_success_and_keeps_nothing(program: Program, client: Client) -> None:
    response = client.post(apply_url(program), {**form_data(), "company_homepage": "http://spam.example"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert Application.objects.for_vendor(program.vendor).count() == 0
    assert len(mail.outbox) == 0


def test_apply_is_rate_limited(program: Program, client: Client) -> None:
    for _ in range(5):
        client.post(apply_url(program), form_data(contact_email="bad"))
    assert client.post(apply_url(program), form_data()).status_code == 429
    assert Application.objects.for_vendor(program.vendor).count() == 0


def test_only_published_programs_take_applications(world: World, client: Client) -> None:
    # Acme's program row says "published" but was never published from the designer.
    with_partner_type(world.a.program)
    assert client.get(apply_url(world.a.program)).status_code == 404
    draft = with_partner_type(world.a.program)
    Program.objects.for_vendor(world.a.vendor).filter(pk=draft.pk).update(status=Program.Status.DRAFT)
    draft.refresh_from_db()
    with pytest.raises(PermissionDenied):
        submit(draft)


def test_a_partner_user_fills_the_form_from_its_company_and_links_it(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    Organization.objects.filter(pk=partner.org.pk).update(vat_number=VALID_VAT, website="https://p1.example.com")
    program = second_program(world.a)
    published = published_program(world.a)  # the public page needs a published version; apply to program 2
    assert published.pk != program.pk
    from kanali.designer.publishing import publish
    from tests.designer.routes_publishing import complete_design

    owner = workspace_for(world.a.owner, world.a.vendor)
    complete_design(owner, program)
    publish(workspace=owner, program=program, change_note="v1")
    client.force_login(partner.admin)
    page = client.get(apply_url(program))
    assert f"?prefill={partner.org.pk}" in page.content.decode()
    form = client.get(apply_url(program) + f"?prefill={partner.org.pk}").context["form"]
    assert form["company_name"].value() == partner.org.name
    assert form["vat_number"].value() == VALID_VAT and form["contact_email"].value() == partner.admin.email
    # Someone else's company cannot be used, neither to fill nor to link.
    other = world.a.partners[1].org
    assert client.get(apply_url(program) + f"?prefill={other.pk}").status_code == 404
    response = client.post(apply_url(program), form_data(organization=other.pk))
    assert "organization" in response.context["form"].errors
    client.post(apply_url(program), form_data(organization=partner.org.pk, vat_number=VALID_VAT))
    app = Application.objects.for_vendor(world.a.vendor).get()
    assert app.organization == partner.org and app.submitted_by == partner.admin
    # A second one from the same company is refused, with a clear message.
    response = client.post(apply_url(program), form_data(organization=partner.org.pk))
    assert "already has an application" in " ".join(response.context["form"].non_field_errors())


def test_a_company_already_in_the_program_cannot_apply_again(world: World) -> None:
    partner = world.a.partners[0]
    program = with_partner_type(world.a.program)
    with pytest.raises(DuplicateApplicationError, match="already a partner"):
        application_submit(program=program, values=values(), user=partner.admin, organization=partner.org)
    with pytest.raises(PermissionDenied):
        application_submit(program=program, values=values(), user=partner.sales, organization=world.a.partners[1].org)


def test_status_links_and_own_list_are_scoped(world: World, program: Program, client: Client) -> None:
    mine = partner_application(world.a)
    theirs = submit(program)
    assert client.get(reverse("partners:application_status", args=["1:forged"])).status_code == 404
    client.force_login(world.a.partners[0].admin)
    body = client.get(reverse("partners:my_applications")).content.decode()
    assert status_token(mine) in body and status_token(theirs) not in body
    client.force_login(world.a.partners[1].admin)
    assert status_token(mine) not in client.get(reverse("partners:my_applications")).content.decode()


# --- Approve and reject ---------------------------------------------------------------------


def test_approval_creates_company_partnership_and_invitation(
    world: World, program: Program, django_capture_on_commit_callbacks: Any
) -> None:
    app = submit(program, vat_number=VALID_VAT)
    with django_capture_on_commit_callbacks(execute=True):
        approval = application_approve(
            workspace=workspace_for(world.a.channel_manager, world.a.vendor), application=app
        )
    org = approval.partnership.partner
    assert approval.organization_created and org.name == "Olympus IT" and org.is_partner and org.vat_number == VALID_VAT
    assert approval.partnership.status == Partnership.Status.ONBOARDING and approval.partnership.partner_type == "var"
    assert approval.invitation is not None and approval.invitation.email == "eleni@olympus.example.com"
    assert approval.invitation.kind == Invitation.Kind.PARTNER_ADMIN and approval.invitation.program_id == program.pk
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED and app.partnership == approval.partnership
    assert app.decided_by == world.a.channel_manager and app.decided_at is not None
    actions = set(AuditLog.objects.filter(vendor=world.a.vendor).values_list("action", flat=True))
    assert {"organization.create", "partnership.create", "invitation.create", "application.approve"} <= actions
    assert sorted(m.to[0] for m in mail.outbox) == ["eleni@olympus.example.com", "eleni@olympus.example.com"]
    assert any("Welcome to" in m.subject for m in mail.outbox)


def test_a_company_already_on_kanali_keeps_its_login(world: World, program: Program) -> None:
    # The contact administers a partner company of another vendor: same organization, no invitation needed.
    other = world.b.partners[0]
    app = submit(program, contact_email=other.admin.email.upper())
    approval = application_approve(workspace=workspace_for(world.a.owner, world.a.vendor), application=app)
    assert not approval.organization_created and approval.partnership.partner == other.org
    assert approval.invitation is None
    # The new program is now in the partner admin's existing login.
    assert workspace_for(other.admin, world.a.vendor, "partner").organization == other.org


def test_a_linked_application_joins_its_organization(world: World) -> None:
    app = partner_application(world.a)
    count = Organization.objects.count()
    approval = application_approve(workspace=workspace_for(world.a.owner, world.a.vendor), application=app)
    assert Organization.objects.count() == count and approval.partnership.partner == world.a.partners[0].org
    assert approval.partnership.program == second_program(world.a)


def test_an_applied_partnership_moves_to_onboarding(world: World, program: Program) -> None:
    org = PartnerOrgFactory(name="Pending Co")
    admin = MembershipFactory(
        organization=org, role="partner_admin", user=UserFactory(email="boss@pending.example")
    ).user
    pending = Partnership.objects.create(vendor=world.a.vendor, program=program, partner=org, status="applied")
    app = application_submit(program=program, values=values(contact_email=admin.email), user=admin, organization=org)
    approval = application_approve(workspace=workspace_for(world.a.owner, world.a.vendor), application=app)
    assert approval.partnership.pk == pending.pk and approval.partnership.status == Partnership.Status.ONBOARDING


def test_an_application_is_decided_once(world: World, program: Program) -> None:
    app = submit(program)
    owner = workspace_for(world.a.owner, world.a.vendor)
    application_approve(workspace=owner, application=app)
    with pytest.raises(ApplicationDecidedError):
        application_approve(workspace=owner, application=app)
    with pytest.raises(ApplicationDecidedError):
        application_reject(workspace=owner, application=app, reason="Changed my mind")
    with pytest.raises(ApplicationDecidedError):
        application_score(workspace=owner, application=app, scores={})
    assert Partnership.objects.for_vendor(world.a.vendor).filter(program=program).count() == 3


def test_rejection_needs_a_reason_and_tells_the_applicant(
    world: World, program: Program, django_capture_on_commit_callbacks: Any
) -> None:
    app = submit(program)
    owner = workspace_for(world.a.owner, world.a.vendor)
    with pytest.raises(ValidationError):
        application_reject(workspace=owner, application=app, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        application_reject(workspace=owner, application=app, reason="We need partners in Crete.")
    app.refresh_from_db()
    assert app.status == Application.Status.REJECTED and app.rejection_reason == "We need partners in Crete."
    assert "We need partners in Crete." in mail.outbox[-1].body
    assert (
        not Partnership.objects.for_vendor(world.a.vendor).filter(program=program, partner__name="Olympus IT").exists()
    )


# --- Console pages ----------------------------------------------------------------------------


def list_url(world: World, **query: str) -> str:
    url = reverse("partners:application_list", args=[world.a.vendor.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def detail_url(world: World, app: Application, name: str = "application_detail") -> str:
    return reverse(f"partners:{name}", args=[world.a.vendor.slug, app.pk])


def test_the_ranked_table_and_recruitment_progress(world: World, program: Program, client: Client) -> None:
    low = submit(program, regions=["DE-BY"], vat_number="")
    high = submit(program, regions=["GR-I"], contact_email="x@example.com")
    client.force_login(world.a.finance)  # viewing needs only view_partners
    response = client.get(list_url(world, program=str(program.pk)))
    body = response.content.decode()
    assert [a.pk for a, _ in response.context["rows"]] == [high.pk, low.pk]
    # Acme's two partners are active in the program: 2 of the target of 4.
    assert "2 of 4 partners" in body
    rows = client.get(list_url(world, status="approved")).context["rows"]
    assert rows == []


def test_the_list_does_not_query_per_row(world: World, program: Program, client: Client) -> None:
    client.force_login(world.a.owner)
    submit(program, contact_email="a@example.com")
    client.get(list_url(world))
    small = queries_for(lambda: client.get(list_url(world)))
    for n in range(6):
        app = submit(program, contact_email=f"{n}@example.com", regions=["GR-B"])
        application_score(
            workspace=workspace_for(world.a.owner, world.a.vendor),
            application=app,
            scores={c.pk: (3, "") for c in criteria(program).values()},
        )
    partner_application(world.a)
    assert queries_for(lambda: client.get(list_url(world))) == small


def test_detail_scores_and_decides(world: World, program: Program, client: Client) -> None:
    app = submit(program)
    c = criteria(program)
    client.force_login(world.a.channel_manager)
    page = client.get(detail_url(world, app))
    assert page.status_code == 200 and "Selection matrix" in page.content.decode()
    data = {f"score_{pk}": "" for pk in (x.pk for x in c.values())}
    data |= {f"score_{c['Commitment'].pk}": "4", f"note_{c['Commitment'].pk}": "Keen"}
    assert client.post(detail_url(world, app), data).status_code == 302
    assert ApplicationScore.objects.for_vendor(world.a.vendor).get(application=app).note == "Keen"
    response = client.post(detail_url(world, app, "application_reject"), {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["reject_form"].errors
    assert client.post(detail_url(world, app, "application_approve")).status_code == 302
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED
    # A second click (or a colleague's) is refused with a message, not an error page.
    response = client.post(detail_url(world, app, "application_approve"), follow=True)
    assert "already approved" in response.content.decode()


def test_viewers_cannot_score_or_decide(world: World, program: Program, client: Client) -> None:
    app = submit(program)
    client.force_login(world.a.finance)
    assert client.get(detail_url(world, app)).status_code == 200
    assert client.post(detail_url(world, app), {}).status_code == 403
    assert client.post(detail_url(world, app, "application_approve")).status_code == 403
    assert client.post(detail_url(world, app, "application_reject"), {"reason": "x"}).status_code == 403


def test_compare_two_or_three_side_by_side(world: World, program: Program, client: Client) -> None:
    a1 = submit(program)
    a2 = submit(program, contact_email="b@example.com", company_name="Beta IT")
    url = reverse("partners:application_compare", args=[world.a.vendor.slug])
    client.force_login(world.a.owner)
    response = client.get(f"{url}?ids={a1.pk},{a2.pk}")
    assert response.status_code == 200 and [col[0].pk for col in response.context["columns"]] == [a1.pk, a2.pk]
    assert "Beta IT" in response.content.decode()
    assert client.get(f"{url}?ids={a1.pk}&ids={a2.pk}").status_code == 200
    assert client.get(f"{url}?ids={a1.pk}").status_code == 302
    foreign = submit(with_partner_type(published_program(world.b)))
    assert client.get(f"{url}?ids={a1.pk},{foreign.pk}").status_code == 404
    assert client.get(f"{url}?ids=1,x").status_code == 404


def test_the_portal_home_shows_pending_applications(world: World, client: Client) -> None:
    app = partner_application(world.a)
    client.force_login(world.a.partners[0].admin)
    body = client.get(reverse("core:portal_home", args=[world.a.vendor.slug])).content.decode()
    assert "applications-widget" in body and status_token(app) in body
    client.force_login(world.a.partners[1].admin)
    assert (
        "applications-widget"
        not in client.get(reverse("core:portal_home", args=[world.a.vendor.slug])).content.decode()
    )


def test_prefill_carries_over_the_companys_previous_application(world: World, client: Client) -> None:
    partner = world.a.partners[0]
    partner_application(world.a, regions=["GR-B"], team_size=33)
    other = with_partner_type(published_program(world.b))
    client.force_login(partner.admin)
    url = reverse("partners:application_apply", args=[world.b.vendor.slug, other.slug])
    form = client.get(f"{url}?prefill={partner.org.pk}").context["form"]
    assert form["regions"].value() == "GR-B" and form["team_size"].value() == 33
    assert form["company_name"].value() == partner.org.name
