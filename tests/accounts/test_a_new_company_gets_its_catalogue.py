"""A company created by a person gets its KPI catalogue at creation, in the same transaction."""

import pytest
from django.db import transaction

from accounts.models import Organization
from accounts.services import client_company_create, organization_create
from kpis.models import Kpi, Metric
from tests.factories import make_consultancy, make_member, make_user


def _active(org) -> set[str]:
    return set(Kpi.objects.for_org(org).filter(is_active=True).values_list("slug", flat=True))


def test_a_company_created_by_sign_up_has_the_catalogue_of_its_packs(db):
    org = organization_create(name="Boutique Azur", owner=make_user(), packs=["commerce"])
    assert Metric.objects.for_org(org).exists()
    assert {"revenue", "ebe", "net_cash", "return_rate", "logistics_cost_per_order"} <= _active(org)
    assert org.packs == ["general", "commerce"]


def test_a_client_added_by_a_consultancy_has_its_catalogue(db):
    consultant = make_member(make_consultancy(), role="coo")
    client = client_company_create(consultant=consultant, name="Scierie Martin", packs=["manufacturing"])
    assert {"revenue", "cost_per_unit", "capacity_utilisation"} <= _active(client)
    assert "mrr" not in _active(client)


def test_the_catalogue_rolls_back_with_the_company(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        organization_create(name="Never Born", owner=make_user(), packs=["saas"])
        raise RuntimeError("the sign-up failed after the company was made")
    assert not Organization.objects.filter(name="Never Born").exists()
    assert not Kpi.objects.filter(organization__name="Never Born").exists()  # scoped: the rolled-back tenant


def test_a_consultancy_gets_no_kpi_catalogue(db):
    firm = organization_create(name="Conseil Nord", kind=Organization.Kind.CONSULTANCY, owner=make_user())
    assert not Kpi.objects.for_org(firm).exists()
