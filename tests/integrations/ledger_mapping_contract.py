"""What every connector whose chart is not the PCG owes the CFO, written once: she sees each account with its PCG
class and what is unmapped, re-maps an account, and its postings move to the new class (the KPI engine is told
which days changed); a later sync keeps her choice. A provider's test file subclasses `LedgerMappingContract` and
gives the fixtures `synced` (its connection, synced once) and `books` (where its fake's books differ)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.events import records_changed
from integrations.models import LedgerAccount, LedgerLine
from integrations.services import connection_sync


@dataclass(frozen=True)
class Books:
    source: str
    classification_shown: str  # how the provider classifies the sales account, shown beside it
    sundry: dict  # a lookup of the one account with no default PCG class (350.00 € of postings)
    sales: dict  # a lookup of the sales account
    rename_sales: Callable[[str], None]  # renames the sales account to this, in the provider's fake


def _page(org, connection):
    return reverse("integrations:ledger_accounts", kwargs={"org_slug": org.slug, "connection_id": connection.pk})


def _remap_url(org, connection, account):
    return reverse("integrations:ledger_account_remap",
                   kwargs={"org_slug": org.slug, "connection_id": connection.pk, "account_id": account.pk})


class LedgerMappingContract:
    def test_the_cfo_sees_the_unmapped_accounts_with_their_amount(self, client, acme, alice, synced, books):
        client.force_login(alice.user)

        page = client.get(_page(acme, synced)).content.decode()

        assert "1 account, 350.00 € unmapped" in page
        assert books.classification_shown in page

    def test_remapping_moves_the_postings_and_tells_the_engine_the_days(
            self, client, acme, alice, synced, books, django_capture_on_commit_callbacks):
        sundry = LedgerAccount.objects.for_org(acme).get(**books.sundry)
        heard = []
        records_changed.connect(lambda **kw: heard.append(kw["changes"]), weak=False, dispatch_uid="test-remap")
        client.force_login(alice.user)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(_remap_url(acme, synced, sundry), {"pcg_number": "62"},
                                       HTTP_HX_REQUEST="true")
        finally:
            records_changed.disconnect(dispatch_uid="test-remap")

        assert response.status_code == 200
        line = LedgerLine.objects.for_org(acme).get(account=sundry)
        assert line.account_number == "62"
        assert heard == [{"ledgerline": {line.date}}]
        assert "1 account" not in client.get(_page(acme, synced)).content.decode()

    def test_a_later_sync_keeps_the_cfos_choice(self, client, acme, alice, synced, books):
        sales = LedgerAccount.objects.for_org(acme).get(**books.sales)
        client.force_login(alice.user)
        client.post(_remap_url(acme, synced, sales), {"pcg_number": "701"}, HTTP_HX_REQUEST="true")
        books.rename_sales("Product sales")

        connection_sync(connection=synced, full=True)

        sales.refresh_from_db()
        assert (sales.label, sales.pcg_number) == ("Product sales", "701")
        assert not LedgerLine.objects.for_org(acme).filter(account=sales).exclude(account_number="701").exists()

    def test_a_class_outside_the_list_is_refused(self, client, acme, alice, synced, books):
        sundry = LedgerAccount.objects.for_org(acme).get(**books.sundry)
        client.force_login(alice.user)

        response = client.post(_remap_url(acme, synced, sundry), {"pcg_number": "999"}, HTTP_HX_REQUEST="true")

        assert response.status_code == 400
        assert LedgerLine.objects.for_org(acme).get(account=sundry).account_number == ""

    def test_the_coo_may_not_map_accounts(self, client, acme, bob, synced):
        client.force_login(bob.user)

        assert client.get(_page(acme, synced)).status_code == 403

    def test_another_tenants_account_is_a_404(self, client, acme, globex, mallory, synced, books):
        sundry = LedgerAccount.objects.for_org(acme).get(**books.sundry)
        client.force_login(mallory.user)

        response = client.post(reverse("integrations:ledger_account_remap", kwargs={
            "org_slug": globex.slug, "connection_id": synced.pk, "account_id": sundry.pk}), {"pcg_number": "62"})

        assert response.status_code == 404

    def test_the_kpi_page_on_the_ledger_says_what_is_unmapped(self, client, acme, alice, synced):
        from kpis.services import catalogue_install

        catalogue_install(acme)
        client.force_login(alice.user)

        page = client.get(reverse("kpis:kpi_detail", kwargs={"org_slug": acme.slug, "kpi_slug": "revenue"}))

        assert page.status_code == 200
        assert "Not counted: 1 provider account (350.00 €) is mapped to no PCG class yet." in page.content.decode()

    def test_the_page_makes_the_same_number_of_queries_with_more_accounts(self, client, acme, alice, synced, books):
        client.force_login(alice.user)
        client.get(_page(acme, synced))  # the first page of a session remembers the organization
        with CaptureQueriesContext(db) as few:
            client.get(_page(acme, synced))
        LedgerAccount.objects.bulk_create([
            LedgerAccount(organization=acme, source=books.source, external_id=f"x{i}", number=f"9{i}",
                          classification="Expense/Other", default_pcg_number="") for i in range(30)])
        LedgerLine.objects.bulk_create([
            LedgerLine(organization=acme, source=books.source, external_id=f"xl{i}", account_number="",
                       account=LedgerAccount.objects.for_org(acme).get(external_id=f"x{i}"), date="2026-01-01",
                       debit=Decimal(10)) for i in range(30)])
        with CaptureQueriesContext(db) as many:
            client.get(_page(acme, synced))

        assert len(many) == len(few)
