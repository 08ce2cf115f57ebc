import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.urls import reverse

from tests.conftest import url
from tests.factories import PASSWORD


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _login(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def test_member_enrols_in_totp_two_factor_after_confirming_her_password(client, alice):
    _login(client, alice.user.email)
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]

    client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})

    assert Authenticator.objects.filter(user=alice.user, type=Authenticator.Type.TOTP).exists()


def test_login_with_totp_asks_for_the_code_before_letting_in(client, alice):
    secret = generate_totp_secret()
    TOTP.activate(alice.user, secret)

    response = _login(client, alice.user.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": "000000" if _current_code(secret) != "000000" else "111111"})
    assert "_auth_user_id" not in client.session

    client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert client.session["_auth_user_id"] == str(alice.user.pk)


def test_an_organization_requiring_mfa_shows_its_members_no_data_before_they_enrol(client, alice):
    alice.organization.requires_mfa = True
    alice.organization.save(update_fields=["requires_mfa"])
    _login(client, alice.user.email)

    response = client.get(url("accounts:org_home", org_slug="acme"))
    api = client.get("/api/v1/orgs/acme/members/")

    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert api.status_code == 403


def test_in_production_mode_admins_and_consultants_must_enrol(client, settings, carol, bob):
    settings.MFA_REQUIRED_FOR_PRIVILEGED = True
    client.force_login(carol.user)
    assert client.get(url("accounts:org_home", org_slug="acme"))["Location"] == reverse("mfa_activate_totp")
    client.force_login(bob.user)
    assert client.get(url("accounts:org_home", org_slug="acme")).status_code == 200
