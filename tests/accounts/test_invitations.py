"""Invitations: signed, expiring, single-use links sent through the task queue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings

from kanali.accounts.models import Invitation, User
from kanali.core.models import AuditLog, Membership, Organization, Partnership
from kanali.core.roles import Role
from tests.conftest import World
from tests.factories import PASSWORD

NEW_PASSWORD = "a-long-new-password-42"


def _link(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _invite_staff(client: Client, world: World, email: str = "new.trainer@example.com", captured=None) -> str:
    client.force_login(world.a.owner)
    response = client.post("/v/acme/team/", {"email": email, "role": "trainer"})
    assert response.status_code == 302
    return _link(mail.outbox[-1])


@pytest.mark.django_db
def test_staff_invitation_is_sent_by_the_task_queue_after_commit(
    world: World, client: Client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.a.owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/v/acme/team/", {"email": "new.trainer@example.com", "role": "trainer"})
    assert mail.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    assert mail.outbox[0].to == ["new.trainer@example.com"]
    assert "Acme" in mail.outbox[0].subject
    assert AuditLog.objects.filter(action="invitation.create", vendor=world.a.vendor).exists()


@pytest.mark.django_db(transaction=True)
def test_new_person_accepts_and_lands_in_the_console(world: World, client: Client) -> None:
    link = _invite_staff(client, world)
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and b"Create your account" in page.content
    response = client.post(
        link, {"first_name": "Eleni", "last_name": "Papadaki", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/v/acme/"
    user = User.objects.get(email="new.trainer@example.com")
    assert Membership.objects.get(user=user, organization=world.a.vendor).role == Role.TRAINER
    assert user.emailaddress_set.get().verified
    assert client.get("/v/acme/").status_code == 200
    # The same link again says it was used.
    client.logout()
    again = client.get(link)
    assert again.status_code == 410 and b"already been used" in again.content


@pytest.mark.django_db(transaction=True)
def test_weak_password_is_refused_and_nothing_is_created(world: World, client: Client) -> None:
    link = _invite_staff(client, world)
    client.logout()
    response = client.post(link, {"first_name": "A", "last_name": "B", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert b"too short" in response.content
    assert not User.objects.filter(email="new.trainer@example.com").exists()


@pytest.mark.django_db(transaction=True)
def test_expired_invitation_says_so(world: World, client: Client) -> None:
    link = _invite_staff(client, world)
    with override_settings(INVITATION_MAX_AGE=timedelta(seconds=-1)):
        response = client.get(link)
    assert response.status_code == 410 and b"has expired" in response.content


@pytest.mark.django_db(transaction=True)
def test_revoked_invitation_says_so(world: World, client: Client) -> None:
    link = _invite_staff(client, world)
    invitation = Invitation.objects.get()
    assert client.post(f"/v/acme/invitations/{invitation.pk}/revoke/").status_code == 302
    response = client.get(link)
    assert response.status_code == 410 and b"withdrawn" in response.content


@pytest.mark.django_db(transaction=True)
def test_tampered_link_is_refused(world: World, client: Client) -> None:
    link = _invite_staff(client, world)
    response = client.get(link[:-3] + "xx/")
    assert response.status_code == 410 and b"not valid" in response.content


@pytest.mark.django_db(transaction=True)
def test_existing_user_signs_in_and_accepts(world: World, client: Client) -> None:
    """A partner's sales rep joins a vendor's staff: one login, two organizations."""
    person = world.b.partners[0].sales
    link = _invite_staff(client, world, email=person.email)
    client.logout()
    assert b"Sign in to accept" in client.get(link).content
    client.force_login(person)
    assert client.post(link).status_code == 302
    assert Membership.objects.filter(user=person).count() == 2


@pytest.mark.django_db(transaction=True)
def test_invitation_for_someone_else_is_refused(world: World, client: Client) -> None:
    link = _invite_staff(client, world)
    client.force_login(world.b.owner)
    response = client.post(link)
    assert b"sent to another e-mail address" in response.content or b"This invitation is for" in response.content
    assert not Membership.objects.filter(user=world.b.owner, organization=world.a.vendor).exists()


@pytest.mark.django_db
def test_cannot_invite_an_existing_member(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    response = client.post("/v/acme/team/", {"email": world.a.finance.email, "role": "trainer"})
    assert response.status_code == 200 and b"already a member" in response.content
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_partner_admin_cannot_hand_out_vendor_roles(world: World, client: Client) -> None:
    client.force_login(world.a.partners[0].admin)
    response = client.post("/p/acme/team/", {"email": "x@example.com", "role": "owner"})
    assert response.status_code == 200 and Invitation.objects.count() == 0
    response = client.post("/p/acme/team/", {"email": "x@example.com", "role": "partner_technical"})
    assert response.status_code == 302
    assert Invitation.objects.get().organization == world.a.partners[0].org


@pytest.mark.django_db
def test_sales_rep_cannot_invite(world: World, client: Client) -> None:
    client.force_login(world.a.partners[0].sales)
    client.post("/p/acme/team/", {"email": "x@example.com", "role": "partner_sales"})
    assert Invitation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_vendor_invites_a_new_partner_company(world: World, client: Client) -> None:
    client.force_login(world.a.channel_manager)
    response = client.post(
        "/v/acme/partners/invite/",
        {
            "company_name": "Κρήτη Systems",
            "country": "GR",
            "email": "boss@kriti.example.com",
            "program": world.a.program.pk,
            "partner_type": "msp",
        },
    )
    assert response.status_code == 302
    org = Organization.objects.get(name="Κρήτη Systems")
    assert org.is_partner and org.slug.isascii()
    partnership = Partnership.objects.for_vendor(world.a.vendor).get(partner=org)
    assert partnership.status == Partnership.Status.APPROVED and partnership.partner_type == "msp"
    link = _link(mail.outbox[-1])
    client.logout()
    response = client.post(
        link, {"first_name": "Nikos", "last_name": "K", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/p/acme/"
    assert client.get("/p/acme/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_partner_already_on_kanali_keeps_its_login(world: World, client: Client) -> None:
    existing = world.b.partners[0]
    client.force_login(world.a.owner)
    client.post(
        "/v/acme/partners/invite/",
        {"company_name": "whatever", "country": "GR", "email": existing.admin.email, "program": world.a.program.pk},
    )
    assert Partnership.objects.for_vendor(world.a.vendor).filter(partner=existing.org).exists()
    assert not Organization.objects.filter(name="whatever").exists()
    client.force_login(existing.admin)
    client.post(_link(mail.outbox[-1]))
    assert client.get("/p/acme/").status_code == 200 and client.get("/p/globex/").status_code == 200


@pytest.mark.django_db
def test_inviting_the_same_partner_twice_is_a_clear_error(world: World, client: Client) -> None:
    existing = world.a.partners[0]
    client.force_login(world.a.owner)
    response = client.post(
        "/v/acme/partners/invite/",
        {"company_name": "x", "country": "GR", "email": existing.admin.email, "program": world.a.program.pk},
    )
    assert response.status_code == 200 and b"already in this program" in response.content


@pytest.mark.django_db
def test_accept_endpoint_is_rate_limited(client: Client) -> None:
    codes = [client.get("/invitations/forged/").status_code for _ in range(35)]
    assert codes[0] == 410 and codes[-1] == 429


@pytest.mark.django_db
def test_last_owner_cannot_be_demoted_or_removed(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    membership = Membership.objects.get(user=world.a.owner, organization=world.a.vendor)
    response = client.post(f"/v/acme/team/{membership.pk}/", {"role": "finance"})
    assert b"at least one owner" in response.content
    response = client.post(f"/v/acme/team/{membership.pk}/", {"role": "owner", "remove": "1"})
    assert b"at least one owner" in response.content
    assert Membership.objects.get(pk=membership.pk).role == Role.OWNER


@pytest.mark.django_db
def test_owner_changes_a_role_and_removes_someone(world: World, client: Client) -> None:
    client.force_login(world.a.owner)
    finance = Membership.objects.get(user=world.a.finance)
    assert client.post(f"/v/acme/team/{finance.pk}/", {"role": "trainer"}).status_code == 302
    assert Membership.objects.get(pk=finance.pk).role == Role.TRAINER
    assert client.post(f"/v/acme/team/{finance.pk}/", {"role": "trainer", "remove": "1"}).status_code == 302
    assert not Membership.objects.filter(pk=finance.pk).exists()
    assert User.objects.filter(pk=world.a.finance.pk).exists()
    assert PASSWORD
