"""Lookups the kinds share: a customer or an order named in a row must exist in the organization."""

from __future__ import annotations

from imports.base import Lookup, RowFieldError


class CustomerLookup(Lookup):
    """Customers by name (case-insensitive) or by their id at the source, whatever the source."""

    def __init__(self, org):
        from integrations.models import Customer

        super().__init__()
        for pk, name, external_id in Customer.objects.for_org(org).filter(is_deleted=False).values_list(
                "pk", "name", "external_id"):
            self.by_key.setdefault(name.casefold().strip(), pk)
            self.by_key.setdefault(external_id.casefold(), pk)

    def find(self, column: str, name: str | None, *, required: bool = False) -> int | None:
        if not name:
            if required:
                raise RowFieldError(column, "required")
            return None
        pk = self._find(name.casefold().strip())
        if pk is None:
            raise RowFieldError(column, "unknown_customer")
        return pk


class OrderLookup(Lookup):
    """Orders by number, imported before or synced."""

    def __init__(self, org):
        from integrations.models import Order

        super().__init__()
        self.by_key = {number.casefold(): pk for pk, number in
                       Order.objects.for_org(org).filter(is_deleted=False).values_list("pk", "number")}

    def find(self, column: str, number: str) -> int:
        pk = self._find(number.casefold().strip())
        if pk is None:
            raise RowFieldError(column, "unknown_order")
        return pk
