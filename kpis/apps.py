from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"

    def ready(self) -> None:
        from integrations.events import records_changed

        records_changed.connect(_recompute_changed_periods, dispatch_uid="kpis.recompute_changed_periods")


def _recompute_changed_periods(sender, *, org, changes, **kwargs) -> None:
    from kpis.services import kpi_values_recompute_enqueue

    kpi_values_recompute_enqueue(org=org, changes=changes)
