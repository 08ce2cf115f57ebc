from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Self

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from accounts.capabilities import Role, role_can, role_within


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; the e-mail address is the login. What they may do depends on the organization."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # The language of e-mails and reports sent to this person (blank: the site's default, LANGUAGE_CODE).
    language = models.CharField(_("language of e-mails"), max_length=10, blank=True,
                                choices=[("en", _("English")), ("fr", _("French"))])

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]


def default_packs() -> list[str]:
    """Every pack: a company made without choosing its trade has the whole catalogue."""
    return list(Organization.Pack.values)


class Organization(models.Model):
    """A tenant: a client company, or a consultancy that serves several companies."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        CONSULTANCY = "consultancy", _("Consultancy")

    class Pack(models.TextChoices):
        """Catalogue packs by trade (kpis/catalogue/kpis.toml names them per KPI); "general" is always on."""

        GENERAL = "general", _("General: management balances (SIG), cash, receivables")
        COMMERCE = "commerce", _("B2C commerce: orders, delivery, returns")
        SAAS = "saas", _("B2B SaaS and subscriptions: MRR, churn, pipeline")
        MANUFACTURING = "manufacturing", _("Manufacturing and operations: cost per unit, capacity, throughput")
        BUDGET = "budget", _("Budget: variance to the reference budget by SIG line")
        # Whoever runs a CRM (HubSpot, Salesforce, Zoho) sells through a pipeline, whatever the trade.
        SALES = "sales", _("Sales pipeline: conversion, win rate, deal size, sales cycle, coverage")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    trade = models.CharField(_("trade"), max_length=120, blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(_("fiscal year start month"), default=1)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    requires_mfa = models.BooleanField(_("members must use two-factor authentication"), default=False)
    # The catalogue packs chosen for the company's trade (Pack values); the KPI catalogue follows them.
    packs = models.JSONField(_("catalogue packs"), default=default_packs, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_consultancy(self) -> bool:
        return self.kind == self.Kind.CONSULTANCY


class OrgQuerySet(models.QuerySet):
    def for_org(self, org: Organization) -> Self:
        return self.filter(organization=org)


class OrgOwned(models.Model):
    """Base of every tenant-owned row: `organization` is always spelled the same and leads keys."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True


class Engagement(OrgOwned):
    """A consultant of a consultancy reaching a client company (`organization`) with a role.

    `role` is what the consultancy asks for; `max_role` is the highest role the client company lets this
    engagement carry (set by its CEO or Admin, blank until then). An engagement asking for more than its
    ceiling is pending: the consultant keeps the role approved before (or no access at all) until the
    client approves.
    """

    consultancy = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="engagements_out")
    # Removing the consultant from the consultancy removes the engagement, and with it the access.
    consultant = models.ForeignKey("Membership", on_delete=models.CASCADE, related_name="engagements")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    max_role = models.CharField(_("highest role allowed by the client"), max_length=20, choices=Role.choices,
                                blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    @property
    def is_pending(self) -> bool:
        return not self.max_role or not role_within(self.role, self.max_role)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "consultant"], name="engagement_unique_consultant")
        ]

    def __str__(self) -> str:
        return f"{self.consultancy} → {self.organization} ({self.get_role_display()})"


class Membership(OrgOwned):
    """What a user may do in an organization. Engagements grant theirs through `engagement`."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    engagement = models.OneToOneField(
        Engagement, null=True, blank=True, on_delete=models.CASCADE, related_name="membership"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user")]
        indexes = [models.Index(fields=["user"], name="membership_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.organization_id}"

    def can(self, capability: str) -> bool:
        return role_can(self.role, capability)

    @property
    def is_consultant(self) -> bool:
        return self.engagement_id is not None


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(OrgOwned):
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "email"], name="invitation_org_email_idx")]

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AuditEvent(OrgOwned):
    """Who did what, when, from where. Written by services, never edited."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organization", "-created_at"], name="audit_org_created_idx")]
        ordering = ["-created_at", "-id"]


class ApiKey(OrgOwned, AbstractAPIKey):
    """A machine's key to one organization's API (djangorestframework-api-key hashes it; shown once).

    It reads what its `role` may read (never more than its creator's role) and writes records only
    when `can_write`; requests send `Authorization: Api-Key <prefix>.<secret>`.
    """

    objects = BaseAPIKeyManager.from_queryset(OrgQuerySet)()  # create_key / get_from_key, and for_org
    role = models.CharField(_("reads as"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    can_write = models.BooleanField(_("may push records"), default=False)
    created_by = models.ForeignKey("Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created",)
        verbose_name = _("API key")
        indexes = [models.Index(fields=["organization", "-created"], name="apikey_org_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
