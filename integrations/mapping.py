"""The chart-of-accounts mapping onto the PCG: reads for the CFO's page and the KPI notices, and the
re-mapping service (integrations/pcg.py says why the mapping exists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from accounts.audit import audit_log_record
from accounts.models import Membership, Organization
from integrations.events import records_changed_announce
from integrations.models import LedgerAccount, LedgerLine
from integrations.pcg import PCG_NUMBERS


@dataclass(frozen=True)
class AccountMappingRow:
    account: LedgerAccount
    lines: int
    debit: Decimal
    credit: Decimal

    @property
    def movement(self) -> Decimal:
        """What the account weighs in the books: its net movement, whichever side."""
        return abs(self.debit - self.credit)

    @property
    def origin(self) -> str:
        if self.account.mapped_pcg_number:
            return "manual"
        return "default" if self.account.default_pcg_number else "unmapped"


@dataclass(frozen=True)
class UnmappedSummary:
    accounts: int
    amount: Decimal

    def __bool__(self) -> bool:
        return self.accounts > 0


def ledger_account_mapping_for(org: Organization, *, source: str,
                               account_ids: list[int] | None = None) -> list[AccountMappingRow]:
    """The accounts of one source's chart (or these of them) with their lines' totals, unmapped first;
    2 queries."""
    accounts = LedgerAccount.objects.for_org(org).filter(source=source, is_deleted=False)
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
    accounts = list(accounts.order_by("number", "label", "id"))
    totals = {row["account_id"]: row for row in
              LedgerLine.objects.for_org(org).filter(account__in=[a.pk for a in accounts], is_deleted=False)
              .values("account_id").annotate(n=Count("id"), d=Sum("debit"), c=Sum("credit")).order_by()}
    rows = [AccountMappingRow(account=a, lines=totals.get(a.pk, {}).get("n", 0),
                              debit=totals.get(a.pk, {}).get("d") or Decimal(0),
                              credit=totals.get(a.pk, {}).get("c") or Decimal(0)) for a in accounts]
    rows.sort(key=lambda r: (r.account.pcg_number != "", -r.movement if not r.account.pcg_number else 0))
    return rows


def unmapped_summary_for(org: Organization) -> UnmappedSummary:
    """How many accounts with postings are mapped to no PCG class, and what they weigh; 1 query.
    Their lines count in no KPI, so every page that reads the ledger shows this."""
    rows = (LedgerLine.objects.for_org(org)
            .filter(is_deleted=False, account_number="", account__isnull=False)
            .values("account_id").annotate(d=Sum("debit"), c=Sum("credit")).order_by())
    amounts = [abs((r["d"] or Decimal(0)) - (r["c"] or Decimal(0))) for r in rows]
    return UnmappedSummary(accounts=len(amounts), amount=sum(amounts, Decimal(0)))


def pcg_numbers_of(org: Organization, account_ids: set[int]) -> dict[int, str]:
    """Each account's PCG class, for the lines a sync writes (1 query)."""
    if not account_ids:
        return {}
    return {a.pk: a.pcg_number for a in LedgerAccount.objects.for_org(org).filter(pk__in=account_ids)
            .only("pk", "number", "classification", "default_pcg_number", "mapped_pcg_number")}


def ledger_lines_follow_accounts(*, org: Organization, accounts: list[LedgerAccount]) -> set[date]:
    """Write each mapped account's PCG class on its lines; returns the days of the lines that moved."""
    days: set[date] = set()
    for account in accounts:
        if account.is_pcg_native:
            continue
        lines = (LedgerLine.objects.for_org(org).filter(account=account)
                 .filter(~Q(account_number=account.pcg_number)))
        days |= set(lines.values_list("date", flat=True).distinct())
        lines.update(account_number=account.pcg_number)
    return days


@transaction.atomic
def ledger_account_remap(*, account: LedgerAccount, pcg_number: str, by: Membership | None) -> LedgerAccount:
    """Count the account's lines in another PCG class ("" back to the connector's default); the KPI
    engine then recomputes the days those lines touch."""
    org = account.organization
    if account.is_pcg_native:
        raise ValidationError(_("This account already has a PCG number; it cannot be re-mapped."))
    if pcg_number and pcg_number not in PCG_NUMBERS:
        raise ValidationError(_("Choose a PCG class from the list."))
    account = LedgerAccount.objects.for_org(org).select_for_update().get(pk=account.pk)
    before = account.pcg_number
    account.mapped_pcg_number = pcg_number
    account.save(update_fields=["mapped_pcg_number", "synced_at"])
    days = ledger_lines_follow_accounts(org=org, accounts=[account])
    audit_log_record(org=org, actor=by.user if by else None, action="ledger_account.remapped", target=account,
                     data={"from": before, "to": account.pcg_number, "account": account.number})
    records_changed_announce(org=org, changes={"ledgerline": days})
    return account
