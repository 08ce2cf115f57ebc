from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"

    def ready(self) -> None:
        from accounts.events import organization_created
        from kpis.receivers import catalogue_install_for_new_company

        organization_created.connect(catalogue_install_for_new_company, dispatch_uid="kpis.catalogue_install")
