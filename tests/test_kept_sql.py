"""config.kept_sql: a query's SQL compiled once per its inputs, run anew on every call."""

import pytest
from django.db.models import Count, F

from accounts.capabilities import Role
from accounts.models import Membership
from config.kept_sql import kept_query
from tests.factories import make_member


def members_of(org):
    return lambda: Membership.objects.filter(organization=org).select_related("user").order_by("pk")


def test_a_kept_query_reads_the_rows_of_the_moment_it_runs(acme, alice):
    key = ("tests.members", acme.pk)
    assert [m.pk for m in kept_query(key, members_of(acme))] == [alice.pk]
    newcomer = make_member(acme, role=Role.COO)
    assert [m.pk for m in kept_query(key, members_of(acme))] == [alice.pk, newcomer.pk]


def test_kept_rows_are_the_querysets_own(acme, alice, bob, django_assert_num_queries):
    def named():
        return (Membership.objects.filter(organization=acme).annotate(email=F("user__email"), n=Count("id"))
                .values_list("pk", "role", "email", "n", named=True).order_by("pk"))

    kept_query(("tests.named", acme.pk), named)
    assert kept_query(("tests.named", acme.pk), named) == list(named())
    kept_query(("tests.members", acme.pk), members_of(acme))
    with django_assert_num_queries(1):  # the users come with the members (select_related), once compiled
        members = kept_query(("tests.members", acme.pk), members_of(acme))
        assert [(m.pk, m.role, m.user.email) for m in members] == [
            (alice.pk, alice.role, alice.user.email), (bob.pk, bob.role, bob.user.email)]
    assert members[0] is not kept_query(("tests.members", acme.pk), members_of(acme))[0]  # each call its own


def test_each_organization_reads_its_own_rows_under_its_own_key(acme, alice, globex, mallory):
    assert [m.pk for m in kept_query(("tests.members", acme.pk), members_of(acme))] == [alice.pk]
    assert [m.pk for m in kept_query(("tests.members", globex.pk), members_of(globex))] == [mallory.pk]


def test_a_key_that_misses_an_input_fails_under_the_check(acme, alice, globex, mallory, settings):
    assert settings.KEPT_SQL_CHECK
    kept_query(("tests.members-without-org",), members_of(acme))
    with pytest.raises(AssertionError, match="the key misses an input"):
        kept_query(("tests.members-without-org",), members_of(globex))
    settings.KEPT_SQL_CHECK = False  # what the check stands guard against: the first organization's SQL again
    assert [m.pk for m in kept_query(("tests.members-without-org",), members_of(globex))] == [alice.pk]


def test_an_empty_list_reads_no_row_and_asks_nothing(acme, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert kept_query(("tests.none", acme.pk), lambda: Membership.objects.filter(organization=acme, pk__in=[])) == []
