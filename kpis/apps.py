from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"

    def ready(self) -> None:
        from accounts.events import organization_created
        from integrations.events import records_changed
        from kpis.receivers import catalogue_install_for_new_company, recompute_changed_periods

        organization_created.connect(catalogue_install_for_new_company, dispatch_uid="kpis.catalogue_install")
        records_changed.connect(recompute_changed_periods, dispatch_uid="kpis.recompute_changed_periods")
