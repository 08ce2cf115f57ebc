from django.core.management.base import BaseCommand

from kpis.management.companies import add_org_argument, companies
from kpis.services import catalogue_install, kpi_values_recompute


class Command(BaseCommand):
    help = ("Bring a new version of the built-in catalogue to existing companies: adds the metrics and KPIs "
            "they lack (active per their packs) and computes them; what a company edited is kept.")

    def add_arguments(self, parser):
        add_org_argument(parser)

    def handle(self, *args, org=None, **options):
        for o in companies(org):
            metrics, kpis = catalogue_install(o)
            if metrics or kpis:
                kpi_values_recompute(org=o)
            self.stdout.write(f"{o.slug}: {metrics} metrics and {kpis} KPIs added")
