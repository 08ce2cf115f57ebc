"""Plain `make_*` helpers with keyword-only arguments and sensible defaults."""

from __future__ import annotations

import itertools

from accounts.capabilities import Role
from accounts.models import Engagement, Membership, Organization, User
from accounts.services import engagement_approve, engagement_create

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(*, email: str | None = None, full_name: str = "", password: str = PASSWORD) -> User:
    email = email or f"user{next(_seq)}@example.test"
    return User.objects.create_user(email=email, password=password, full_name=full_name)


def make_org(*, name: str | None = None, slug: str | None = None, kind: str = Organization.Kind.COMPANY,
             **overrides) -> Organization:
    n = next(_seq)
    name = name or f"Company {n}"
    return Organization.objects.create(name=name, slug=slug or f"org-{n}", kind=kind, **overrides)


def make_member(org: Organization, *, role: str = Role.VIEWER, user: User | None = None,
                email: str | None = None) -> Membership:
    user = user or make_user(email=email)
    return Membership.objects.create(organization=org, user=user, role=role)


def make_consultancy(*, name: str | None = None, slug: str | None = None) -> Organization:
    return make_org(name=name or f"Consultancy {next(_seq)}", slug=slug, kind=Organization.Kind.CONSULTANCY)


def make_engagement(*, client: Organization, consultant: Membership, role: str = Role.COO,
                    pending: bool = False) -> Engagement:
    # by=None: the test sets the scene as the system would, whatever the consultant's own role in her firm;
    # the client approves it unless the test wants it pending.
    engagement = engagement_create(client=client, consultant=consultant, role=role, by=None)
    return engagement if pending else engagement_approve(engagement=engagement, by=None)
