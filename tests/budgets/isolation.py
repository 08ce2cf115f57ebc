"""How the route walkers make the objects the budgets routes name."""

from datetime import date


def _version_id(org):
    from budgets.services import budget_lines_upsert, budget_version_get_or_create

    budget_lines_upsert(org=org, rows=[{"version": "Walker", "account": "64", "label": "Personnel",
                                        "month": date(2026, 1, 1), "amount": 100}])
    return budget_version_get_or_create(org=org, month=date(2026, 1, 1), name="Walker").pk


URL_KWARG_FACTORIES = {
    "version_id": _version_id,
}
