"""Admin screens: the integrations page, connect, test, sync now, pause/resume, disconnect, sync runs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import require_capability
from accounts.exports import export_format, table_download
from integrations import exports, selectors, services
from integrations.base import ConnectorError
from integrations.forms import DisconnectForm, FirmMappingForm, ReplaceTokenForm, TokenForm
from integrations.messages import read_message
from integrations.models import Connection, SyncRun
from integrations.providers.salesforce.webhooks import outbound_url
from integrations.registry import connector_class, provider_label


def _connection(request, connection_id: int) -> Connection:
    return get_object_or_404(Connection.objects.for_org(request.org).select_related("parent"), pk=connection_id)


def _detail(connection: Connection):
    return redirect("integrations:connection_detail", org_slug=connection.organization.slug,
                    connection_id=connection.pk)


def _oauth_url(provider: str, org_slug: str) -> str | None:
    try:
        return reverse(f"integrations:{provider}_oauth_start", kwargs={"org_slug": org_slug})
    except NoReverseMatch:
        return None


def _oauth_choices(provider: str, oauth_url: str | None) -> list[tuple[str, str]]:
    """One "Continue with …" button per login the provider offers (Salesforce: production, sandbox)."""
    if not oauth_url:
        return []
    from integrations.oauth import oauth_app

    app = oauth_app(provider)
    return [(f"{oauth_url}?{urlencode({app.start_param: choice})}", app.start_choice_label(choice))
            for choice in app.start_choices]


@require_capability("integrations.view")
def connection_list(request, org_slug):
    can_manage = request.membership.can("integrations.manage")
    return render(request, "integrations/connection_list.html", {
        "connections": selectors.connections_for(request.org),
        "providers": selectors.providers_for(request.org) if can_manage else [],
        "can_manage": can_manage,
    })


@require_capability("integrations.manage")
def connection_connect(request, org_slug):
    provider = request.POST.get("provider") or request.GET.get("provider", "")
    choice = {p.key: p for p in selectors.providers_for(request.org)}.get(provider)
    if choice is None:
        raise Http404
    if request.method == "POST" and not choice.token_form:
        raise Http404  # an OAuth-only provider takes no pasted token
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = services.connection_connect(
                org=request.org, provider=provider, credentials={"token": form.cleaned_data["token"]},
                by=request.membership, label=form.cleaned_data["label"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(name)s is connected.") % {"name": connection.label})
            if connection.is_firm:
                return redirect("integrations:firm_companies", org_slug=org_slug, connection_id=connection.pk)
            run = services.sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL, full=True)
            return redirect("integrations:sync_run_detail", org_slug=org_slug, sync_run_id=run.pk)
    oauth_url = _oauth_url(provider, org_slug) if choice.auth == "oauth" else None
    return render(request, "integrations/connect.html", {
        "provider": choice, "form": form, "oauth_url": oauth_url, "oauth_choices": _oauth_choices(provider, oauth_url),
        **_oauth_regions(provider),
    })


def _oauth_regions(provider: str) -> dict:
    """The data centres a provider's consent screen lives in, when it has several (Zoho)."""
    from integrations.oauth import oauth_app

    try:
        app = oauth_app(provider)
    except KeyError:
        return {}
    return {"oauth_regions": app.regions, "oauth_default_region": app.default_region}


@require_capability("integrations.view")
def connection_detail(request, org_slug, connection_id):
    connection = _connection(request, connection_id)
    if fmt := export_format(request):
        header, rows = exports.sync_runs_table(request.org, connection=connection)
        return table_download(fmt=fmt, filename=f"{request.org.slug}-sync-runs-{connection.pk}", header=header,
                              rows=rows)
    label = provider_label(connection.provider)
    can_manage = request.membership.can("integrations.manage")
    return render(request, "integrations/connection_detail.html", {
        "connection": connection,
        # The outbound-message endpoint is a secret URL: shown to those who manage the connection only.
        "outbound_url": outbound_url(connection) if can_manage and connection.provider == "salesforce" else "",
        "provider_label": label,
        "runs": selectors.sync_runs_for(request.org, connection=connection),
        "children": selectors.firm_children_for(request.org, firm=connection) if connection.is_firm else [],
        "token_form": ReplaceTokenForm(),
        "can_manage": can_manage,
        "can_map_accounts": request.membership.can("integrations.map_accounts"),
    })


@require_POST
@require_capability("integrations.manage")
def connection_test(request, org_slug, connection_id):
    connection = _connection(request, connection_id)
    try:
        account = services.connection_check(connection=connection)
    except ConnectorError as exc:
        messages.error(request, _("The test failed: %(reason)s") % {"reason": exc})
    else:
        messages.success(request, _("The connection works (%(account)s).") % {"account": account})
    return _detail(connection)


@require_POST
@require_capability("integrations.manage")
def connection_sync(request, org_slug, connection_id):
    connection = _connection(request, connection_id)
    if not connection.can_sync:
        messages.error(request, _("Only an active connection can sync."))
        return _detail(connection)
    run = services.sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL,
                                    full=request.POST.get("full") == "1")
    if run.state == SyncRun.State.FAILED:  # the task queue did not take it
        messages.error(request, run.errors[-1])
    target = reverse("integrations:sync_run_detail", kwargs={"org_slug": org_slug, "sync_run_id": run.pk})
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


@require_POST
@require_capability("integrations.manage")
def connection_pause(request, org_slug, connection_id):
    connection = _connection(request, connection_id)
    try:
        services.connection_pause(connection=connection, by=request.membership)
        messages.success(request, _("Syncing is paused."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _detail(connection)


@require_POST
@require_capability("integrations.manage")
def connection_resume(request, org_slug, connection_id):
    connection = _connection(request, connection_id)
    try:
        services.connection_resume(connection=connection, by=request.membership)
        messages.success(request, _("Syncing is back on."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _detail(connection)


@require_POST
@require_capability("integrations.manage")
def connection_token(request, org_slug, connection_id):
    connection = _connection(request, connection_id)
    form = ReplaceTokenForm(request.POST)
    if connection.parent_id or connection.status == Connection.Status.DISCONNECTED:
        messages.error(request, _("This connection's token cannot be replaced here."))
    elif form.is_valid():
        try:
            services.connection_update_token(connection=connection, credentials={"token": form.cleaned_data["token"]},
                                             by=request.membership)
            messages.success(request, _("The new token works and is stored."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Paste the new token."))
    return _detail(connection)


@require_capability("integrations.manage")
def connection_disconnect(request, org_slug, connection_id):
    connection = _connection(request, connection_id)
    if connection.status == Connection.Status.DISCONNECTED:
        return _detail(connection)
    form = DisconnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        purge = form.cleaned_data["records"] == DisconnectForm.PURGE
        services.connection_disconnect(connection=connection, purge=purge, by=request.membership)
        messages.success(request, _("%(name)s is disconnected; its records were deleted.") % {"name": connection.label}
                         if purge else _("%(name)s is disconnected; its records were kept.") % {"name": connection.label})
        return redirect("integrations:connection_list", org_slug=org_slug)
    return render(request, "integrations/disconnect.html", {"connection": connection, "form": form})


@require_capability("integrations.manage")
def firm_companies(request, org_slug, connection_id):
    firm = _connection(request, connection_id)
    if not firm.is_firm:
        raise Http404
    clients = selectors.engaged_clients(request.org)
    if request.method == "POST":
        form = FirmMappingForm(request.POST, clients=clients)
        if form.is_valid():
            try:
                child = services.firm_company_map(firm=firm, company_id=form.cleaned_data["company_id"],
                                                  client=form.cleaned_data["client"], by=request.membership)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                services.sync_run_enqueue(connection=child, trigger=SyncRun.Trigger.MANUAL, full=True)
                messages.success(request, _("%(client)s now syncs from Pennylane.") % {"client": child.organization.name})
            return redirect("integrations:firm_companies", org_slug=org_slug, connection_id=firm.pk)
        messages.error(request, _("Choose a client company."))
    connector = connector_class(firm.provider)(firm)
    try:
        companies = connector.companies() if firm.status != Connection.Status.DISCONNECTED else []
        error = None
    except ConnectorError as exc:
        companies, error = [], str(exc)
    finally:
        connector.close()
    mapped = {c.provider_account_id: c for c in selectors.firm_children_for(request.org, firm=firm)
              if c.status != Connection.Status.DISCONNECTED}
    client_list = list(clients)
    rows = [{"company": c, "mapped": mapped.get(c["id"]), "suggested": _suggest(c["name"], client_list),
             "form": FirmMappingForm(initial={"company_id": c["id"]}, clients=clients)} for c in companies]
    return render(request, "integrations/firm_companies.html", {"firm": firm, "rows": rows, "error": error,
                                                                 "has_clients": clients.exists()})


def _suggest(company_name: str, clients: list) -> int | None:
    """The client whose name the Pennylane company's name contains ("Maison Lumen" in "Maison Lumen SAS")."""
    name = company_name.casefold()
    matches = [c.pk for c in clients if c.name.casefold() in name]
    return matches[0] if len(matches) == 1 else None


def _cell(record, attribute: str):
    if attribute == "party":
        party = record.customer or record.supplier
        return party.name if party else ""
    value = getattr(record, attribute, "")
    value = value() if callable(value) else value
    if hasattr(value, "_meta"):  # a related record (customer, company, order): its name or number
        return getattr(value, "name", None) or getattr(value, "number", "")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):  # amounts: grouped, two decimals, in the reader's language (1 234,56)
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return "" if value is None else formats.localize(value, use_l10n=True)


@require_capability("integrations.view")
def record_list(request, org_slug):
    """The synced records themselves, type by type: what the KPIs are computed from."""
    model_name = request.GET.get("type", "invoice")
    with_costs = request.membership.can("kpis.view_costs")
    if model_name not in selectors.browsable_record_types(with_costs=with_costs):
        raise Http404
    if fmt := export_format(request):
        header, rows = exports.records_table(request.org, model_name=model_name, with_costs=with_costs)
        return table_download(fmt=fmt, filename=f"{request.org.slug}-{model_name}-records", header=header, rows=rows)
    label, columns, _related, _ordering = selectors.RECORD_VIEWS[model_name]
    page = selectors.records_page(request.org, model_name=model_name, page=request.GET.get("page", 1),
                                  with_costs=with_costs)
    numeric = [isinstance(getattr(page.object_list[0], attr, None), Decimal) if page.object_list else False
               for attr, _title in columns]
    rows = [{"record": r, "cells": [(_cell(r, attr), is_num) for (attr, _title), is_num in zip(columns, numeric)]}
            for r in page.object_list]
    return render(request, "integrations/record_list.html", {
        "types": [(key, selectors.RECORD_VIEWS[key][0]) for key in selectors.browsable_record_types(with_costs=with_costs)],
        "current": model_name,
        "label": label, "columns": list(zip([title for _attr, title in columns], numeric)), "rows": rows,
        "page": page,
    })


@require_capability("integrations.view")
def sync_run_detail(request, org_slug, sync_run_id):
    run = get_object_or_404(SyncRun.objects.for_org(request.org).select_related("connection"), pk=sync_run_id)
    rejections = list(selectors.rejections_for(request.org, run=run))
    for r in rejections:  # the record type and the reason in the reader's language, as in the counts above
        r.model_label = selectors.record_type_label(r.model)
        r.reason_text = read_message(r.reason, r.reason_message)
    context = {"run": run, "rejections": rejections,
               "counts": [(selectors.record_type_label(model), c) for model, c in sorted(run.counts.items())]}
    template = "integrations/partials/sync_run_status.html" if request.htmx else "integrations/sync_run_detail.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response
