from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from accounts.rls import org_context
from kpis.services import kpi_values_recompute


class Command(BaseCommand):
    help = "Full recompute of the materialised KPI values (every grain and period), for one or every company."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="slug of one organization (default: every company)")

    def handle(self, *args, org=None, **options):
        orgs = Organization.objects.filter(kind=Organization.Kind.COMPANY)  # scoped: a repair across tenants
        if org:
            orgs = orgs.filter(slug=org)
            if not orgs.exists():
                raise CommandError(f"No company with slug {org!r}")
        for o in orgs.order_by("slug"):
            with org_context(o):  # so the repair also runs as the app role, one tenant at a time
                report = kpi_values_recompute(org=o)
            periods = ", ".join(f"{n} {g}s" for g, n in report.periods.items())
            self.stdout.write(
                f"{o.slug}: {report.kpis} KPIs, {periods}: {report.written} values in {report.seconds:.2f} s"
            )
