from django.urls import reverse


def test_a_failed_login_is_recorded_with_its_email_and_address(client, alice):
    from axes.models import AccessAttempt

    client.post(reverse("account_login"), {"login": alice.user.email.upper(), "password": "wrong-password"},
                REMOTE_ADDR="198.51.100.1")

    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [(alice.user.email,
                                                                                 "198.51.100.1")]
