from accounts.capabilities import Role
from accounts.models import AuditEvent, Membership
from tests.conftest import url


def test_role_change_is_audited_with_who_what_and_ip(client, acme_ceo, bob):
    client.force_login(acme_ceo.user)
    client.post(url("accounts:member_change_role", org_slug="acme", membership_id=bob.pk), {"role": Role.CRO},
                REMOTE_ADDR="203.0.113.7")
    bob.refresh_from_db()
    assert bob.role == Role.CRO
    event = AuditEvent.objects.for_org(acme_ceo.organization).get(action="membership.role_changed")
    assert (event.actor, event.ip_address, event.data["from"], event.data["to"]) == (
        acme_ceo.user, "203.0.113.7", Role.COO, Role.CRO)


def test_removing_a_member_removes_access_at_once(client, acme_ceo, bob):
    client.force_login(acme_ceo.user)
    client.post(url("accounts:member_remove", org_slug="acme", membership_id=bob.pk))
    client.force_login(bob.user)
    assert client.get(url("accounts:org_home", org_slug="acme")).status_code == 404


def test_the_last_ceo_cannot_be_removed_or_demoted(client, acme, acme_ceo):
    from tests.factories import make_member

    admin = make_member(acme, role=Role.ADMIN)
    client.force_login(admin.user)
    client.post(url("accounts:member_change_role", org_slug="acme", membership_id=acme_ceo.pk), {"role": "viewer"})
    client.post(url("accounts:member_remove", org_slug="acme", membership_id=acme_ceo.pk))
    acme_ceo.refresh_from_db()
    assert acme_ceo.role == Role.CEO


def test_ceo_and_admin_read_the_audit_log_and_the_cfo_does_not(client, acme, acme_ceo, alice):
    from tests.factories import make_member

    admin = make_member(acme, role=Role.ADMIN)
    for member, status in ((acme_ceo, 200), (admin, 200), (alice, 403)):
        client.force_login(member.user)
        assert client.get(url("accounts:audit_log", org_slug="acme")).status_code == status


def test_members_page_makes_the_same_number_of_queries_however_many_members(
    client, acme, acme_ceo, django_assert_max_num_queries
):
    from tests.factories import make_member

    client.force_login(acme_ceo.user)
    client.get(url("accounts:member_list", org_slug="acme"))  # warm the session
    for _ in range(3):
        make_member(acme)
    # 13: the consultancy engagements the CEO approves are one more query (issue #9).
    with django_assert_max_num_queries(13):
        client.get(url("accounts:member_list", org_slug="acme"))
    for _ in range(30):
        make_member(acme)
    with django_assert_max_num_queries(13):
        client.get(url("accounts:member_list", org_slug="acme"))


def test_members_api_lists_only_the_organizations_members(client, acme_ceo, bob, mallory):
    client.force_login(acme_ceo.user)
    data = client.get("/api/v1/orgs/acme/members/").json()
    emails = {m["email"] for m in data["results"]}
    assert emails == {acme_ceo.user.email, bob.user.email}
    assert Membership.objects.count() == 3
