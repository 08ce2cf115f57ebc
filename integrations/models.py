"""Connections, sync runs, and the canonical records: the company's facts in one shape whatever the source.

Every canonical record keeps its `source` and the provider's `external_id`; the unique key
(organization, source, external_id) makes every upsert idempotent. Amounts are Decimal, in EUR
unless a field says otherwise; deletions at the source become tombstones (`is_deleted`), so
history and lineage stay explainable.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgOwned

MONEY = {"max_digits": 16, "decimal_places": 2, "default": Decimal(0)}


class Source(models.TextChoices):
    PENNYLANE = "pennylane", "Pennylane"
    HUBSPOT = "hubspot", "HubSpot"
    QUICKBOOKS = "quickbooks", "QuickBooks Online"
    XERO = "xero", "Xero"
    SAGE = "sage", "Sage Business Cloud Accounting"
    SALESFORCE = "salesforce", "Salesforce"
    ZOHO = "zoho", "Zoho CRM"
    UPLOAD = "upload", _("Upload")
    API = "api", _("REST push")
    DEMO = "demo", _("Demo data")


class Provenance(OrgOwned):
    """Who last wrote a batch of records and how: an import run (its file, who confirmed it) or a push
    with an API key. Lineage reads it: "import of orders-2026-11.csv by Claire, 3 Nov"."""

    class Kind(models.TextChoices):
        UPLOAD = "upload", _("Import")
        API = "api", _("REST push")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    label = models.CharField(max_length=255, blank=True)  # the file's name, or the key's
    by = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    api_key = models.ForeignKey("accounts.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The imports app sits above integrations (it writes records through it): its run by id, no foreign key.
    import_run_id = models.PositiveBigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    def describe(self) -> str:
        """One sentence in the reader's language (select_related `by__user` first)."""
        from babel.dates import format_date
        from django.utils.translation import get_language, to_locale

        # CLDR's abbreviations: Django's "M" reads "Jui" for both June and July in French.
        day = format_date(timezone.localtime(self.at).date(), "d MMM y", locale=to_locale(get_language() or "en"))
        if self.kind == self.Kind.API and self.api_key_id:
            return _("pushed by API key “%(name)s”, %(day)s") % {"name": self.label, "day": day}
        if self.kind == self.Kind.API:
            return _("pushed through the API by %(name)s, %(day)s") % {"name": self.label, "day": day}
        name = self.by.user.display_name if self.by_id and self.by and self.by.user_id else _("someone")
        return _("import of %(file)s by %(name)s, %(day)s") % {"file": self.label, "name": name, "day": day}


class CanonicalRecord(OrgOwned):
    source = models.CharField(max_length=20, choices=Source.choices)
    external_id = models.CharField(max_length=120)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    synced_at = models.DateTimeField(auto_now=True)
    # The import run or push that last changed the row (none for syncs: `source` names the provider).
    provenance = models.ForeignKey(Provenance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

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
    exchange_rate = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal(1))
    amount_excl_tax = models.DecimalField(**MONEY)  # EUR
    amount_incl_tax = models.DecimalField(**MONEY)  # EUR
    currency_amount_incl_tax = models.DecimalField(**MONEY)  # invoice currency
    remaining_amount_incl_tax = models.DecimalField(**MONEY)  # EUR still due
    status = models.CharField(max_length=30, blank=True)  # the provider's own word (paid, late, draft…)
    is_credit_note = models.BooleanField(default=False)
    # Not a sale or a purchase: a draft, a cancelled or archived invoice, or the credit note that
    # cancels a cancelled invoice. Kept (the records browser shows it) but counted in no figure.
    is_void = models.BooleanField(default=False)

    STATUS_LABELS = {
        "paid": _("Paid"), "late": _("Late"), "upcoming": _("Not yet due"), "draft": _("Draft"),
        "cancelled": _("Cancelled"), "archived": _("Archived"), "credit_note": _("Credit note"),
        "partially_cancelled": _("Partly cancelled"), "incomplete": _("Incomplete"),
        "open": _("Open"),  # QuickBooks and Sage: issued, not (fully) paid yet
    }

    @property
    def status_label(self) -> str:
        """The status in the reader's language; a partly paid invoice and a void one say so."""
        label = str(self.STATUS_LABELS.get(self.status, self.status))
        if self.is_void:
            return _("%(status)s · not counted") % {"status": label}
        if not self.is_credit_note and 0 < self.remaining_amount_incl_tax < self.amount_incl_tax:
            return _("%(status)s · partly paid") % {"status": label}
        return label

    class Meta:
        constraints = [CanonicalRecord.unique_key("invoice")]
        indexes = [models.Index(fields=["organization", "kind", "issue_date"], name="invoice_org_kind_date_idx"),
                   # the engine's coverage (first invoice of the tenant, whatever its kind)
                   models.Index(fields=["organization", "issue_date"], name="invoice_org_date_idx")]


class Payment(CanonicalRecord):
    """Money that settled (part of) an invoice on a day: a bank transaction matched to it, a payment
    recorded at the provider, or a credit note applied to it. An invoice is open on a day for its
    amount incl. VAT minus its payments dated on or before that day."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Bank transaction")
        PAYMENT = "payment", _("Payment")
        CREDIT_NOTE = "credit_note", _("Credit note")

    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.BANK)
    date = models.DateField()
    amount = models.DecimalField(**MONEY)  # EUR incl. VAT, positive

    @property
    def invoice_number(self) -> str:
        return self.invoice.number if self.invoice_id else ""

    class Meta:
        constraints = [CanonicalRecord.unique_key("payment")]
        indexes = [models.Index(fields=["organization", "invoice", "date"], name="payment_org_invoice_date_idx")]


class LedgerAccount(CanonicalRecord):
    """An account of the provider's chart. Pennylane's and French Sage's numbers are PCG already; a
    QuickBooks or Xero account carries its provider `classification` and is mapped onto a PCG class
    (integrations/pcg.py): by the connector's default table, or by the CFO, whose choice wins."""

    number = models.CharField(max_length=20)  # French PCG ("706000"), or the provider's own code
    label = models.CharField(max_length=255, blank=True)
    # The provider's type of account ("Expense/Rent", "REVENUE/SALES"); empty for a PCG-native chart.
    classification = models.CharField(max_length=120, blank=True)
    default_pcg_number = models.CharField(max_length=20, blank=True)  # the connector's default for it
    mapped_pcg_number = models.CharField(max_length=20, blank=True)  # the CFO's choice, kept across syncs

    @property
    def is_pcg_native(self) -> bool:
        return not self.classification

    @property
    def pcg_number(self) -> str:
        """The PCG class the ledger lines of this account are counted in ("" when unmapped)."""
        if self.is_pcg_native:
            return self.number
        return self.mapped_pcg_number or self.default_pcg_number

    class Meta:
        constraints = [CanonicalRecord.unique_key("ledgeraccount")]


class LedgerLine(CanonicalRecord):
    account = models.ForeignKey(LedgerAccount, null=True, blank=True, on_delete=models.SET_NULL)
    # Denormalised so KPI metrics filter by PCG prefix ("70", "607") without a join: the account's PCG
    # number, or for a mapped chart its PCG class; empty while the account is mapped to nothing.
    account_number = models.CharField(max_length=20, blank=True)
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
    processed_at = models.DateTimeField(null=True, blank=True)  # picked and packed: placed → processed → shipped
    shipped_at = models.DateTimeField(null=True, blank=True)
    promised_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    units = models.PositiveIntegerField(default=1)
    amount_excl_tax = models.DecimalField(**MONEY)
    fulfilment_cost = models.DecimalField(**MONEY)

    class Meta:
        constraints = [CanonicalRecord.unique_key("order")]
        indexes = [models.Index(fields=["organization", "placed_at"], name="order_org_placed_idx"),
                   # the shipping and delivery metrics place orders by these days
                   models.Index(fields=["organization", "shipped_at"], name="order_org_shipped_idx"),
                   models.Index(fields=["organization", "delivered_on"], name="order_org_delivered_idx")]


class Return(CanonicalRecord):
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL)
    returned_on = models.DateField()
    units = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=120, blank=True)  # the shop's own words: "wrong size", "damaged"

    class Meta:
        constraints = [CanonicalRecord.unique_key("return")]


class Feedback(CanonicalRecord):
    """A customer's answer to a satisfaction survey: an NPS score (0–10) or a CSAT score (1–5)."""

    class Scale(models.TextChoices):
        NPS = "nps", _("NPS (0–10)")
        CSAT = "csat", _("CSAT (1–5)")

    RANGES = {Scale.NPS: (0, 10), Scale.CSAT: (1, 5)}

    date = models.DateField()
    scale = models.CharField(max_length=10, choices=Scale.choices)
    score = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=80)  # where it was asked: email, in_app, support…
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            CanonicalRecord.unique_key("feedback"),
            models.CheckConstraint(name="feedback_score_in_range", condition=(
                models.Q(scale="nps", score__lte=10) | models.Q(scale="csat", score__gte=1, score__lte=5))),
        ]
        indexes = [models.Index(fields=["organization", "date"], name="feedback_org_date_idx")]


class ProductionOutput(CanonicalRecord):
    """What a production line (or workshop) made in a month and, when known, what it cost: cost per unit by line.

    `period` is the month's first day; `line` may be blank (the whole plant). Cost is EUR excl. VAT, optional."""

    period = models.DateField()
    line = models.CharField(max_length=80, blank=True)
    units = models.DecimalField(max_digits=18, decimal_places=4)
    cost = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            CanonicalRecord.unique_key("productionoutput"),
            models.CheckConstraint(name="productionoutput_units_not_negative", condition=models.Q(units__gte=0)),
            models.CheckConstraint(name="productionoutput_cost_not_negative",
                                   condition=models.Q(cost__isnull=True) | models.Q(cost__gte=0)),
            models.CheckConstraint(name="productionoutput_period_first_day", condition=models.Q(period__day=1)),
        ]
        indexes = [models.Index(fields=["organization", "period"], name="production_org_period_idx")]


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


# --- Connections and sync runs ---------------------------------------------------------------


class EncryptedJSONField(models.TextField):
    """A JSON value stored encrypted (MultiFernet over settings.FIELD_ENCRYPTION_KEYS, newest first).

    The column holds only a Fernet token; `integrations.crypto.rotate_encrypted_fields` re-encrypts
    every value with the newest key after a key is added.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return {}
        from integrations.crypto import decrypt_json

        return decrypt_json(value)

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        if value is None or value == "":
            return {}
        from integrations.crypto import decrypt_json

        return decrypt_json(value)

    def get_prep_value(self, value):
        from integrations.crypto import encrypt_json

        return encrypt_json(value or {})

    def value_to_string(self, obj):
        return ""  # never serialised back (dumpdata, admin)


class Connection(OrgOwned):
    """One organization's link to one provider account; credentials are encrypted and never shown back.

    A consultancy's Pennylane firm connection lives in the consultancy; each Pennylane company it
    maps to a client company is a child connection (`parent`) owned by that client, so the client's
    records sync into the client's own tenant.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        # The last sync read what the credentials allow, but some resources were refused (skipped).
        PARTLY_SYNCED = "partly_synced", _("Partly synced")
        PAUSED = "paused", _("Paused")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        DISCONNECTED = "disconnected", _("Disconnected")

    provider = models.CharField(_("provider"), max_length=40)
    label = models.CharField(_("label"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    credentials = EncryptedJSONField(default=dict, blank=True, editable=False)
    # Pennylane company id, HubSpot hub_id, QuickBooks realmId…: with the provider, keys everything.
    provider_account_id = models.CharField(_("provider account"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    cursors = models.JSONField(default=dict, blank=True)
    sync_interval = models.PositiveIntegerField(_("sync interval (minutes)"), default=60)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)  # English, for logs and the API
    # The same, to be read in each reader's language: one stored ReaderMessage per sentence of last_error.
    last_error_messages = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # The statuses whose connection the scheduler keeps syncing.
    SYNCING = (Status.ACTIVE, Status.PARTLY_SYNCED)

    class Meta:
        indexes = [models.Index(fields=["organization", "provider"], name="connection_org_provider_idx")]
        ordering = ["provider", "id"]

    def __str__(self) -> str:
        return self.label or self.provider

    @property
    def last_error_text(self) -> str:
        """What went wrong last, in the reader's language (the English text where it was not kept to translate)."""
        from integrations.messages import read_message

        if not self.last_error_messages:
            return self.last_error
        return " ".join(read_message(m.get("text", ""), m) for m in self.last_error_messages)

    @property
    def is_active(self) -> bool:
        return self.status in self.SYNCING

    @property
    def can_sync(self) -> bool:
        """Syncing (fully or partly) or needing attention: "Sync now" may try again."""
        return self.status in (*self.SYNCING, self.Status.NEEDS_ATTENTION) and not self.is_firm

    @property
    def is_firm(self) -> bool:
        """The consultancy's own firm connection (it syncs nothing itself; its children do)."""
        return self.provider == "pennylane_firm" and self.parent_id is None

    @property
    def secret_credentials(self) -> dict:
        """The credentials the connector uses: a firm child borrows its parent's token."""
        return self.parent.credentials if self.parent_id else self.credentials

    @property
    def rate_limit_key(self) -> str:
        """One provider budget per token: a firm's children share their parent's bucket."""
        return f"conn:{self.parent_id or self.pk}"


class SyncRun(OrgOwned):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        DEAD = "dead", _("Gave up")
        CANCELLED = "cancelled", _("Stopped")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("Sync now")
        DEMO = "demo", _("Demo set-up")

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    is_full = models.BooleanField(default=False)
    attempt = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # {"invoice": {"created": 3, "updated": 1, "unchanged": 0, "deleted": 0, "rejected": 1}, …}
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    # Resources the provider refused (scope missing, endpoint absent), each synced without:
    # [{"object_type": "billing_subscriptions", "reason": "Subscriptions: this token lacks …"}]
    skipped = models.JSONField(default=list, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # 0..100
    pages = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organization", "connection", "-created_at"], name="syncrun_org_conn_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.connection} #{self.pk} ({self.state})"

    @property
    def is_live(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def skipped_reasons(self) -> list[str]:
        """Why each refused resource was skipped, in the reader's language."""
        from integrations.messages import read_message

        return [read_message(s["reason"], s.get("message")) for s in self.skipped]

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    def total(self, kind: str) -> int:
        return sum(c.get(kind, 0) for c in self.counts.values())

    @property
    def created_total(self) -> int:
        return self.total("created")

    @property
    def updated_total(self) -> int:
        return self.total("updated")

    @property
    def unchanged_total(self) -> int:
        return self.total("unchanged")

    @property
    def deleted_total(self) -> int:
        return self.total("deleted")

    @property
    def rejected_total(self) -> int:
        return self.total("rejected")


class RejectedRecord(OrgOwned):
    """A malformed record the sync refused, with the reason an admin can act on."""

    sync_run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="rejections")
    model = models.CharField(max_length=40)
    external_id = models.CharField(max_length=120, blank=True)
    reason = models.TextField()  # in English, as the logs have it
    reason_message = models.JSONField(default=dict, blank=True)  # its msgid and params: read in the reader's language
    payload = models.JSONField(default=dict, blank=True)  # an excerpt, secrets never included
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "sync_run"], name="rejected_org_run_idx")]
        ordering = ["id"]
