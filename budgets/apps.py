from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"

    def ready(self) -> None:
        from budgets.models import BudgetLine
        from kpis.engine.records import record_type_register

        # Budget lines are a record type of the KPI engine (metrics `budget_*` read the reference version).
        record_type_register("budgetline", BudgetLine, coverage_field="month")
