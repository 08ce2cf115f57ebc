"""Columns named otherwise are matched once by hand, and the match is proposed for the next file alike."""

from django.test import TestCase

from imports import services
from tests.imports.helpers import csv_bytes, upload

ODD = ["Ref;Quand;Total facturé", "Z-1;2026-03-01;10", "Z-2;2026-03-02;12"]


def test_an_unrecognised_layout_asks_for_the_columns_then_remembers_them(acme, bob):
    run = upload(acme, bob, csv_bytes(ODD))
    assert run.state == "refused"
    assert run.refusal["code"] == "unmapped"
    assert set(run.refusal["params"]["columns"]) == {"placed_at", "amount_excl_tax"}  # "Ref" is a known alias
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.import_run_remap(run=run, mapping={"number": "Ref", "placed_at": "Quand",
                                                    "amount_excl_tax": "Total facturé"}, by=bob)
    run.refresh_from_db()
    assert run.state == "ready"

    next_month = upload(acme, bob, csv_bytes([ODD[0], "Z-9;2026-04-01;30"]))
    assert next_month.state == "ready"
    assert next_month.mapping["placed_at"] == "Quand"


def test_a_mapping_is_the_organizations_own(acme, globex, bob):
    from tests.factories import make_member

    run = upload(acme, bob, csv_bytes(ODD))
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.import_run_remap(run=run, mapping={"number": "Ref", "placed_at": "Quand",
                                                    "amount_excl_tax": "Total facturé"}, by=bob)
    other = upload(globex, make_member(globex, role="coo"), csv_bytes(ODD))
    assert other.state == "refused"
