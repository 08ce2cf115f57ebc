"""What the KPI commands share: `--org <slug>`, or every company."""

from django.core.management.base import CommandError

from accounts.models import Organization


def add_org_argument(parser) -> None:
    parser.add_argument("--org", help="slug of one organization (default: every company)")


def companies(org: str | None):
    """The companies a command runs on, by slug; an unknown slug stops the command."""
    orgs = Organization.objects.filter(kind=Organization.Kind.COMPANY)  # scoped: a command across tenants
    if org:
        orgs = orgs.filter(slug=org)
        if not orgs.exists():
            raise CommandError(f"No company with slug {org!r}")
    return orgs.order_by("slug")
