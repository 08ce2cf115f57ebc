from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from kpis.services import catalogue_install, kpi_values_recompute


class Command(BaseCommand):
    help = ("Bring a new version of the built-in catalogue to existing companies: adds the metrics and KPIs "
            "they lack (active per their packs) and computes them; what a company edited is kept.")

    def add_arguments(self, parser):
        parser.add_argument("--org", help="slug of one organization (default: every company)")

    def handle(self, *args, org=None, **options):
        orgs = Organization.objects.filter(kind=Organization.Kind.COMPANY)  # scoped: an upgrade across tenants
        if org:
            orgs = orgs.filter(slug=org)
            if not orgs.exists():
                raise CommandError(f"No company with slug {org!r}")
        for o in orgs.order_by("slug"):
            metrics, kpis = catalogue_install(o)
            if metrics or kpis:
                kpi_values_recompute(org=o)
            self.stdout.write(f"{o.slug}: {metrics} metrics and {kpis} KPIs added")
