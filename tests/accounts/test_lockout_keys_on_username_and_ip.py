"""Both login protections (django-axes and allauth's `login_failed` limit) lock the (username, IP) pair:
five failures for A from IP 1 lock A on IP 1 only; B on IP 1 and A on IP 2 still sign in."""

import pytest
from django.conf import settings as project_settings
from django.core.cache import cache
from django.urls import reverse

from accounts.capabilities import Role
from tests.factories import PASSWORD, make_member

IP_1, IP_2 = "198.51.100.1", "203.0.113.7"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True, params=["axes and allauth", "axes alone", "allauth alone"])
def layers(request, settings):
    """Each layer must key on the pair by itself, and both together are the production configuration
    (test settings turn allauth's limits off)."""
    from config.settings import base

    settings.ACCOUNT_RATE_LIMITS = False if request.param == "axes alone" else base.ACCOUNT_RATE_LIMITS
    settings.AXES_ENABLED = request.param != "allauth alone"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def brenda(acme):
    return make_member(acme, role=Role.COO, email="brenda@acme.test")


def _sign_in(client, email, password, *, ip=IP_1, **extra):
    client.logout()
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip, **extra)


def _signed_in(response, client, member) -> bool:
    return response.status_code == 302 and client.session.get("_auth_user_id") == str(member.user.pk)


def _locked_out(response, client) -> bool:
    """The right password was refused: axes answers 429, allauth's limit re-shows the form with its message."""
    return "_auth_user_id" not in client.session and (
        response.status_code == 429 or b"Too many failed login attempts" in response.content)


def _fail_five_times(client, email, **kwargs):
    for _ in range(5):
        assert _sign_in(client, email, "wrong-password", **kwargs).status_code in (200, 429)


def test_five_failures_lock_that_user_on_that_address(client, alice):
    _fail_five_times(client, alice.user.email)

    assert _locked_out(_sign_in(client, alice.user.email, PASSWORD), client)


def test_another_user_on_the_same_address_still_signs_in(client, alice, brenda):
    _fail_five_times(client, alice.user.email)

    assert _signed_in(_sign_in(client, brenda.user.email, PASSWORD), client, brenda)


def test_the_same_user_on_another_address_still_signs_in(client, alice):
    _fail_five_times(client, alice.user.email)

    assert _signed_in(_sign_in(client, alice.user.email, PASSWORD, ip=IP_2), client, alice)


def test_the_lock_ignores_the_case_of_the_email(client, alice):
    _fail_five_times(client, alice.user.email.upper())

    assert _locked_out(_sign_in(client, alice.user.email, PASSWORD), client)


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(client, settings, alice, brenda):
    settings.TRUSTED_PROXY_COUNT = 1
    _fail_five_times(client, alice.user.email, ip=PROXY, HTTP_X_FORWARDED_FOR=IP_1)

    assert _locked_out(_sign_in(client, alice.user.email, PASSWORD, ip=PROXY,
                    HTTP_X_FORWARDED_FOR=IP_1), client)
    assert _signed_in(_sign_in(client, alice.user.email, PASSWORD, ip=PROXY, HTTP_X_FORWARDED_FOR=IP_2),
                      client, alice)


def test_a_forged_x_forwarded_for_is_ignored_without_a_trusted_proxy(client, alice):
    assert project_settings.TRUSTED_PROXY_COUNT == 0
    # The attacker rotates the header; with no proxy configured only REMOTE_ADDR counts.
    for n in range(5):
        _sign_in(client, alice.user.email, "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    assert _locked_out(_sign_in(client, alice.user.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99"), client)


def test_a_spoofed_entry_before_the_proxys_own_is_not_trusted(client, settings, alice):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client prepends forged addresses; the proxy appends the real one last.
    for n in range(5):
        _sign_in(client, alice.user.email, "wrong-password", ip=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {IP_1}")

    assert _locked_out(_sign_in(client, alice.user.email, PASSWORD, ip=PROXY,
                    HTTP_X_FORWARDED_FOR=f"192.0.2.99, {IP_1}"), client)
