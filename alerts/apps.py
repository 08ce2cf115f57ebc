from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        from accounts.events import organization_created
        from alerts import receivers
        from integrations.events import records_changed, sync_run_finished
        from kpis.events import kpi_values_recomputed

        organization_created.connect(receivers.default_rules_for_new_company, dispatch_uid="alerts.default_rules")
        records_changed.connect(receivers.evaluate_after_records_changed, dispatch_uid="alerts.records_changed")
        sync_run_finished.connect(receivers.evaluate_after_sync, dispatch_uid="alerts.sync_run_finished")
        kpi_values_recomputed.connect(receivers.evaluate_after_recompute, dispatch_uid="alerts.recomputed")
