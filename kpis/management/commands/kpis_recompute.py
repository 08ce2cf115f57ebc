from django.core.management.base import BaseCommand

from kpis.management.companies import add_org_argument, companies
from accounts.rls import org_context
from kpis.services import kpi_values_recompute


class Command(BaseCommand):
    help = "Full recompute of the materialised KPI values (every grain and period), for one or every company."

    def add_arguments(self, parser):
        add_org_argument(parser)

    def handle(self, *args, org=None, **options):
        for o in companies(org):
            with org_context(o):  # so the repair also runs as the app role, one tenant at a time
                report = kpi_values_recompute(org=o)
            periods = ", ".join(f"{n} {g}s" for g, n in report.periods.items())
            self.stdout.write(
                f"{o.slug}: {report.kpis} KPIs, {periods}: {report.written} values written ({len(report.touched)} KPI periods recomputed) in {report.seconds:.2f} s"
            )
