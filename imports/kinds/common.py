"""Lookups the kinds share: a customer or an order named in a row must exist in the organization."""

from __future__ import annotations

from imports.base import RowFieldError


class CustomerLookup:
    """Customers by name (case-insensitive) or by their id at the source, whatever the source."""

    def __init__(self, org):
        from integrations.models import Customer

        self.by_key: dict[str, int] = {}
        for pk, name, external_id in Customer.objects.for_org(org).filter(is_deleted=False).values_list(
                "pk", "name", "external_id"):
            self.by_key.setdefault(name.casefold().strip(), pk)
            self.by_key.setdefault(external_id.casefold(), pk)

    def find(self, column: str, name: str | None, *, required: bool = False) -> int | None:
        if not name:
            if required:
                raise RowFieldError(column, "required")
            return None
        pk = self.by_key.get(name.casefold().strip())
        if pk is None:
            raise RowFieldError(column, "unknown_customer")
        return pk


class OrderLookup:
    """Orders by number, imported before or synced."""

    def __init__(self, org):
        from integrations.models import Order

        self.by_number = {number.casefold(): pk for pk, number in
                          Order.objects.for_org(org).filter(is_deleted=False).values_list("pk", "number")}

    def find(self, column: str, number: str) -> int:
        pk = self.by_number.get(number.casefold().strip())
        if pk is None:
            raise RowFieldError(column, "unknown_order")
        return pk
