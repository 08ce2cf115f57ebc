"""Connections, sync runs, and the canonical records: the company's facts in one shape whatever the source.

Every canonical record keeps its `source` and the provider's `external_id`; the unique key
(organization, source, external_id) makes every upsert idempotent. Amounts are Decimal, in EUR
unless a field says otherwise; deletions at the source become tombstones (`is_deleted`), so
history and lineage stay explainable.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgOwned

MONEY = {"max_digits": 16, "decimal_places": 2, "default": Decimal("0")}


class Source(models.TextChoices):
    PENNYLANE = "pennylane", "Pennylane"
    HUBSPOT = "hubspot", "HubSpot"
    UPLOAD = "upload", _("Upload")
    API = "api", _("REST push")
    DEMO = "demo", _("Demo data")


class CanonicalRecord(OrgOwned):
    source = models.CharField(max_length=20, choices=Source.choices)
    external_id = models.CharField(max_length=120)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @classmethod
    def unique_key(cls, name: str) -> models.UniqueConstraint:
        return models.UniqueConstraint(fields=["organization", "source", "external_id"], name=f"{name}_source_uniq")


class Customer(CanonicalRecord):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        INDIVIDUAL = "individual", _("Individual")

    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    segment = models.CharField(max_length=80, blank=True)
    country = models.CharField(max_length=2, blank=True)
    acquired_on = models.DateField(null=True, blank=True)
    churned_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [CanonicalRecord.unique_key("customer")]


class Supplier(CanonicalRecord):
    name = models.CharField(max_length=255)
    category = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [CanonicalRecord.unique_key("supplier")]


class Invoice(CanonicalRecord):
    """Customer or supplier invoice; a credit note carries negative amounts."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer invoice")
        SUPPLIER = "supplier", _("Supplier invoice")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    number = models.CharField(max_length=80, blank=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL)
    issue_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    paid_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    exchange_rate = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("1"))
    amount_excl_tax = models.DecimalField(**MONEY)  # EUR
    amount_incl_tax = models.DecimalField(**MONEY)  # EUR
    currency_amount_incl_tax = models.DecimalField(**MONEY)  # invoice currency
    remaining_amount_incl_tax = models.DecimalField(**MONEY)  # EUR still due
    status = models.CharField(max_length=30, blank=True)
    is_credit_note = models.BooleanField(default=False)

    class Meta:
        constraints = [CanonicalRecord.unique_key("invoice")]
        indexes = [models.Index(fields=["organization", "kind", "issue_date"], name="invoice_org_kind_date_idx")]


class Payment(CanonicalRecord):
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.SET_NULL)
    date = models.DateField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [CanonicalRecord.unique_key("payment")]


class LedgerAccount(CanonicalRecord):
    number = models.CharField(max_length=20)  # French PCG, e.g. "706000"
    label = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [CanonicalRecord.unique_key("ledgeraccount")]


class LedgerLine(CanonicalRecord):
    account = models.ForeignKey(LedgerAccount, null=True, blank=True, on_delete=models.SET_NULL)
    # Denormalised so KPI metrics filter by PCG prefix ("70", "607") without a join.
    account_number = models.CharField(max_length=20)
    date = models.DateField()
    journal = models.CharField(max_length=20, blank=True)
    label = models.CharField(max_length=255, blank=True)
    debit = models.DecimalField(**MONEY)
    credit = models.DecimalField(**MONEY)
    entry_external_id = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [CanonicalRecord.unique_key("ledgerline")]
        indexes = [models.Index(fields=["organization", "date", "account_number"], name="ledgerline_org_date_acc_idx")]


class BankAccount(CanonicalRecord):
    name = models.CharField(max_length=255)
    currency = models.CharField(max_length=3, default="EUR")

    class Meta:
        constraints = [CanonicalRecord.unique_key("bankaccount")]


class BankTransaction(CanonicalRecord):
    bank_account = models.ForeignKey(BankAccount, null=True, blank=True, on_delete=models.SET_NULL)
    date = models.DateField()
    amount = models.DecimalField(**MONEY)  # signed: receipts positive, payments negative
    label = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [CanonicalRecord.unique_key("banktransaction")]
        indexes = [models.Index(fields=["organization", "date"], name="banktx_org_date_idx")]


class CrmCompany(CanonicalRecord):
    name = models.CharField(max_length=255)
    domain = models.CharField(max_length=255, blank=True)
    segment = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [CanonicalRecord.unique_key("crmcompany")]


class Contact(CanonicalRecord):
    email = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    company = models.ForeignKey(CrmCompany, null=True, blank=True, on_delete=models.SET_NULL)
    lifecycle_stage = models.CharField(max_length=40, blank=True)
    source_channel = models.CharField(max_length=80, blank=True)
    created_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [CanonicalRecord.unique_key("contact")]


class Deal(CanonicalRecord):
    name = models.CharField(max_length=255)
    pipeline = models.CharField(max_length=80, blank=True)
    stage = models.CharField(max_length=80, blank=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="EUR")
    created_on = models.DateField()
    close_date = models.DateField(null=True, blank=True)
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    is_qualified = models.BooleanField(default=False)
    source_channel = models.CharField(max_length=80, blank=True)
    owner_name = models.CharField(max_length=255, blank=True)
    company = models.ForeignKey(CrmCompany, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [CanonicalRecord.unique_key("deal")]
        indexes = [models.Index(fields=["organization", "close_date"], name="deal_org_close_idx")]


class Lead(CanonicalRecord):
    created_on = models.DateField()
    source_channel = models.CharField(max_length=80, blank=True)
    converted_on = models.DateField(null=True, blank=True)  # became a won customer
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [CanonicalRecord.unique_key("lead")]


class Subscription(CanonicalRecord):
    """A recurring contract; MRR, churn, NRR and GRR are computed from these."""

    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    plan = models.CharField(max_length=120, blank=True)
    mrr = models.DecimalField(**MONEY)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [CanonicalRecord.unique_key("subscription")]


class Order(CanonicalRecord):
    number = models.CharField(max_length=80, blank=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(max_length=80, blank=True)
    placed_at = models.DateTimeField()
    shipped_at = models.DateTimeField(null=True, blank=True)
    promised_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    units = models.PositiveIntegerField(default=1)
    amount_excl_tax = models.DecimalField(**MONEY)
    fulfilment_cost = models.DecimalField(**MONEY)

    class Meta:
        constraints = [CanonicalRecord.unique_key("order")]
        indexes = [models.Index(fields=["organization", "placed_at"], name="order_org_placed_idx")]


class Return(CanonicalRecord):
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL)
    returned_on = models.DateField()
    units = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [CanonicalRecord.unique_key("return")]


class MarketingSpend(CanonicalRecord):
    date = models.DateField()
    channel = models.CharField(max_length=80)
    amount = models.DecimalField(**MONEY)

    class Meta:
        constraints = [CanonicalRecord.unique_key("marketingspend")]


class OperationalValue(CanonicalRecord):
    """A point of a free operational series from uploads (capacity, units produced, headcount…)."""

    series = models.CharField(max_length=80)
    date = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4)
    dimension = models.CharField(max_length=80, blank=True)

    class Meta:
        constraints = [CanonicalRecord.unique_key("operationalvalue")]
        indexes = [models.Index(fields=["organization", "series", "date"], name="opvalue_org_series_date_idx")]
