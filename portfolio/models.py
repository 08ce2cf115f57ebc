"""A consultancy's view over its clients: its own client groups, and the consolidations it declares.

Client groups belong to the consultancy (its way of sorting clients: by trade, size, consultant…).
A consolidation is declared by the consultancy, but each company's part of it is a row in that
company's own tenant (`ConsolidationMember`), approved there by its CEO, as engagements are: no
company's figures are summed with others' until its owners said yes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrgOwned


class ClientGroup(OrgOwned):
    """A set of the consultancy's clients compared with one another (benchmarks) and shown together."""

    class Kind(models.TextChoices):
        TRADE = "trade", _("Trade")
        SIZE = "size", _("Size")
        CONSULTANT = "consultant", _("Consultant")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("grouped by"), max_length=20, choices=Kind.choices, default=Kind.TRADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="clientgroup_unique_name")]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ClientGroupMember(OrgOwned):
    """One client in one of the consultancy's groups (`organization` is the consultancy)."""

    group = models.ForeignKey(ClientGroup, on_delete=models.CASCADE, related_name="members")
    client = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "group", "client"], name="clientgroupmember_unique")
        ]


class Consolidation(OrgOwned):
    """A group of companies owned together (a holding and its subsidiaries), declared by a consultancy."""

    name = models.CharField(_("name"), max_length=120)
    holding = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("holding company"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="consolidation_unique_name")]

    def __str__(self) -> str:
        return self.name


class ConsolidationMember(OrgOwned):
    """A company's consent to join a consolidation; `organization` is the company itself.

    `declared_by` repeats the consolidation's consultancy so that the consultancy reads its members'
    rows (the RLS exception, as for engagements); the company's CEO approves or refuses in its tenant.
    """

    consolidation = models.ForeignKey(Consolidation, on_delete=models.CASCADE, related_name="members")
    declared_by = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "consolidation"], name="consolidationmember_unique")
        ]

    @property
    def is_pending(self) -> bool:
        return self.approved_at is None


class IntercompanyParty(OrgOwned):
    """A customer or supplier of the company that is another company of its group: its flows are
    left out of the consolidated figures."""

    customer = models.ForeignKey("integrations.Customer", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    supplier = models.ForeignKey("integrations.Supplier", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "customer"], name="intercompany_unique_customer"),
            models.UniqueConstraint(fields=["organization", "supplier"], name="intercompany_unique_supplier"),
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False, supplier__isnull=True)
                | models.Q(customer__isnull=True, supplier__isnull=False),
                name="intercompany_customer_or_supplier",
            ),
        ]
