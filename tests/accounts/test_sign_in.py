"""Sign-in: allauth with verified e-mail, argon2, axes lockout, MFA for vendors that require it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from kanali.core.models import Organization
from tests.conftest import World
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_sign_in_with_email_and_password(world: World, client: Client) -> None:
    response = client.post("/accounts/login/", {"login": world.a.owner.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert b"Programs you run" in client.get("/").content


@pytest.mark.django_db
def test_unverified_address_must_be_confirmed_first(client: Client) -> None:
    from tests.factories import UserFactory

    user = UserFactory(verified=False)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/confirm-email/"


@pytest.mark.django_db
@override_settings(ACCOUNT_RATE_LIMITS=False)
def test_repeated_failures_lock_the_account_out(world: World, client: Client) -> None:
    email = world.a.owner.email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"login": email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_passwords_are_hashed_with_argon2_outside_tests() -> None:
    hashers = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_vendor_requiring_mfa_sends_staff_to_set_it_up(world: World, client: Client) -> None:
    Organization.objects.filter(pk=world.a.vendor.pk).update(require_mfa=True)
    client.force_login(world.a.owner)
    response = client.get("/v/acme/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    # The partner portal of the same vendor is unaffected.
    client.force_login(world.a.partners[0].admin)
    assert client.get("/p/acme/").status_code == 200


@pytest.mark.django_db
def test_staff_with_totp_pass_the_mfa_requirement(world: World, client: Client) -> None:
    from allauth.mfa.models import Authenticator

    Organization.objects.filter(pk=world.a.vendor.pk).update(require_mfa=True)
    Authenticator.objects.create(user=world.a.owner, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(world.a.owner)
    assert client.get("/v/acme/").status_code == 200
