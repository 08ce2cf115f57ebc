"""The editor answers hostile formulas with a translated message at the caret, never a 500."""

import pytest
from django.utils import translation

from config.limits import FORMULA_MAX_NUMBER_DIGITS
from kpis.models import Kpi
from tests.conftest import url

KPI_FORM = {"name": "Hostile", "slug": "hostile", "unit": "eur", "direction": "higher", "category": "financial",
            "owner_role": "cfo", "visibility_capability": "kpis.view", "description": ""}


def _check(client, member, formula: str) -> str:
    client.force_login(member.user)
    response = client.post(url("kpis:formula_check", org_slug="acme"), {"formula": formula, "unit": "eur"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("formula", ["(" * 300 + "revenue" + ")" * 300, "max(" * 200 + "revenue" + ")" * 200,
                                     "-" * 1990 + "revenue", "+".join(["revenue"] * 250)])
def test_a_formula_nested_too_deeply_is_refused_at_the_caret(client, alice, acme_kpis, formula):
    html = _check(client, alice, formula)
    assert "The formula is nested too deeply (64 levels" in html
    assert "<mark>" in html


def test_a_huge_number_is_refused_at_the_caret(client, alice, acme_kpis):
    html = _check(client, alice, "revenue + " + "9" * 1990)
    assert "This number is too long (24 digits at most)." in html
    assert 'revenue + <mark>9</mark>' in html


def test_a_value_too_large_to_store_previews_as_out_of_range(client, alice, acme_kpis):
    html = _check(client, alice, "9" * FORMULA_MAX_NUMBER_DIGITS + " * " + "9" * FORMULA_MAX_NUMBER_DIGITS)
    assert "The formula is valid." in html
    assert "value out of range" in html


def test_a_formula_too_long_is_refused_as_such(client, alice, acme_kpis):
    html = _check(client, alice, "revenue + " + "1" * 5000)
    assert "The formula is too long (2000 characters at most)." in html


def test_the_message_is_in_french_for_a_french_user(client, alice, acme_kpis):
    with translation.override("fr"):
        client.force_login(alice.user)
        response = client.post(url("kpis:formula_check", org_slug="acme"), {"formula": "(" * 300},
                               HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="fr")
    assert "La formule est trop imbriquée" in response.content.decode()


def test_saving_a_hostile_formula_is_a_400_with_the_message(client, alice, acme_kpis):
    client.force_login(alice.user)
    response = client.post(url("kpis:kpi_create", org_slug="acme"), {**KPI_FORM, "formula": "+".join(["1"] * 999)})
    assert response.status_code == 400
    assert "nested too deeply" in response.content.decode()
    assert not Kpi.objects.for_org(alice.organization).filter(slug="hostile").exists()
