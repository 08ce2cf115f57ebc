"""Sign-up asks the person's name; a signed-up person creates their company with the packs of its trade."""

from django.urls import reverse

from accounts.models import Membership, Organization, User
from kpis.models import Kpi
from tests.factories import make_user

PASSWORD = "a-long-enough-passphrase"


def test_sign_up_asks_the_persons_name(client, db):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="full_name"' in page
    response = client.post(reverse("account_signup"), {"full_name": "Jeanne Martin", "email": "jeanne@azur.test",
                                                       "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(email="jeanne@azur.test").full_name == "Jeanne Martin"


def test_sign_up_without_a_name_is_refused(client, db):
    client.post(reverse("account_signup"), {"email": "anon@azur.test", "password1": PASSWORD, "password2": PASSWORD})
    assert not User.objects.filter(email="anon@azur.test").exists()


def test_a_person_without_a_company_is_offered_to_create_one(client, db):
    client.force_login(make_user())
    assert reverse("companies:company_create") in client.get(reverse("home")).content.decode()


def test_a_signed_up_person_creates_a_shop_and_becomes_its_ceo(client, db):
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("companies:company_create"),
                           {"name": "Boutique Azur", "packs": ["commerce"], "fiscal_year_start_month": "7"})
    org = Organization.objects.get(name="Boutique Azur")
    assert response.status_code == 302 and response["Location"] == f"/o/{org.slug}/"
    assert Membership.objects.for_org(org).get(user=user).role == "ceo"
    assert org.packs == ["general", "commerce"] and org.fiscal_year_start_month == 7
    active = set(Kpi.objects.for_org(org).filter(is_active=True).values_list("slug", flat=True))
    assert "return_rate" in active and "mrr" not in active


def test_a_company_needs_a_name(client, db):
    client.force_login(make_user())
    response = client.post(reverse("companies:company_create"), {"name": "", "fiscal_year_start_month": "1"})
    assert response.status_code == 200
    assert not Organization.objects.exists()
