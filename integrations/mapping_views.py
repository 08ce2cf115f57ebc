"""The CFO's chart-of-accounts page: each provider account, the PCG class its lines count in, re-mapped here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.views.decorators.http import require_POST

from accounts.decorators import require_capability
from integrations import mapping
from integrations.models import Connection, LedgerAccount
from integrations.pcg import PCG_CLASSES, pcg_label
from integrations.selectors import connection_source


def _amount(value) -> str:
    return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def _row_context(row: mapping.AccountMappingRow, connection: Connection, error: str = "") -> dict:
    return {"row": row, "movement": _amount(row.movement), "pcg_label": pcg_label(row.account.pcg_number),
            "pcg_classes": PCG_CLASSES, "connection": connection, "error": error}


@require_capability("integrations.map_accounts")
def ledger_accounts(request, org_slug, connection_id):
    connection = get_object_or_404(Connection.objects.for_org(request.org), pk=connection_id)
    rows = mapping.ledger_account_mapping_for(request.org, source=connection_source(connection))
    unmapped = [r for r in rows if not r.account.pcg_number]
    return render(request, "integrations/ledger_accounts.html", {
        "connection": connection, "rows": [_row_context(r, connection) for r in rows],
        "unmapped_count": len(unmapped), "unmapped_amount": _amount(sum((r.movement for r in unmapped), 0)),
    })


@require_POST
@require_capability("integrations.map_accounts")
def ledger_account_remap(request, org_slug, connection_id, account_id):
    connection = get_object_or_404(Connection.objects.for_org(request.org), pk=connection_id)
    account = get_object_or_404(LedgerAccount.objects.for_org(request.org)
                                .filter(source=connection_source(connection)), pk=account_id)
    error = ""
    try:
        account = mapping.ledger_account_remap(account=account, pcg_number=request.POST.get("pcg_number", ""),
                                               by=request.membership)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if not request.htmx:
        return redirect("integrations:ledger_accounts", org_slug=org_slug, connection_id=connection.pk)
    [row] = mapping.ledger_account_mapping_for(request.org, source=account.source, account_ids=[account.pk])
    response = render(request, "integrations/partials/ledger_account_row.html", _row_context(row, connection, error),
                      status=400 if error else 200)
    response["HX-Trigger"] = "ledger-mapping-changed"
    return response
