"""Each template downloads with its example row, and the example imports as it is."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.exports import DANGEROUS_PREFIXES, neutralise
from imports.files_out import template_csv
from imports.registry import KINDS
from tests.imports.helpers import upload


@pytest.mark.parametrize("kind", ["orders", "marketing_spend", "operational_series"])
def test_a_template_imports_as_downloaded(acme, bob, kind):
    run = upload(acme, bob, template_csv(kind).encode("utf-8"), kind=kind, name=f"{kind}.csv")
    assert run.state == "ready", (run.errors, run.refusal)
    assert run.rows_total == 1


def test_every_kind_has_a_template_whose_header_is_its_columns(client, bob):
    from tests.conftest import url

    client.force_login(bob.user)
    for kind in KINDS:
        response = client.get(url("imports:import_template", org_slug="acme") + f"?kind={kind}")
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'{kind}-template.csv"')


@given(st.text(max_size=30))
def test_exported_text_never_starts_like_a_formula(text):
    cell = neutralise(text)
    assert not cell.startswith(DANGEROUS_PREFIXES)
    assert cell in (text, "'" + text)


@given(st.decimals(allow_nan=False, allow_infinity=False) | st.integers())
def test_numbers_stay_numbers(number):
    assert neutralise(number) == number
