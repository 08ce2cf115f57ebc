"""Alert pages: the list with filters, one alert with its history and responses, the bell, the rules,
each member's e-mail preference, and the public unsubscribe link."""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.decorators import require_capability
from accounts.models import Membership
from accounts.rls import org_context
from alerts import selectors, services
from alerts.forms import AlertFilterForm, AlertPreferenceForm, AlertResponseForm, AlertRuleForm
from alerts.models import AlertPreference, AlertRule
from alerts.notifications import unsubscribe_token_read
from alerts.rules.registry import RULES, rule_class


def _alert(request, alert_id: int):
    # An alert the member may not see (its figure is hidden from their role) is absent, like another tenant's.
    return get_object_or_404(selectors.visible_alerts(request.org, membership=request.membership)
                             .select_related("rule"), pk=alert_id)


def _rows(alerts):
    return [{"alert": a, "message": selectors.alert_message(a)} for a in alerts]


@require_capability("alerts.view")
def alert_list(request, org_slug):
    form = AlertFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    alerts = selectors.alert_list_for(request.org, membership=request.membership, **{
        k: filters.get(k) or "" for k in ("status", "severity", "kind")})
    return render(request, "alerts/alert_list.html", {"form": form, "rows": _rows(alerts)})


@require_capability("alerts.view")
def alert_detail(request, org_slug, alert_id):
    alert = _alert(request, alert_id)
    return render(request, "alerts/alert_detail.html", _detail_context(request, alert))


def _detail_context(request, alert, form=None):
    return {"alert": alert, "message": selectors.alert_message(alert), "form": form or AlertResponseForm(),
            "events": selectors.alert_history(request.org, alert=alert),
            "can_respond": request.membership.can("alerts.respond")}


@require_POST
@require_capability("alerts.respond")
def alert_respond(request, org_slug, alert_id):
    alert = _alert(request, alert_id)
    form = AlertResponseForm(request.POST)
    if form.is_valid():
        data, by = form.cleaned_data, request.membership
        try:
            if data["action"] == "acknowledge":
                services.alert_acknowledge(alert=alert, by=by, comment=data["comment"])
            elif data["action"] == "comment":
                services.alert_comment(alert=alert, by=by, comment=data["comment"])
            elif data["action"] == "snooze":
                until = timezone.now() + timedelta(hours=int(data["snooze_hours"] or 24))
                services.alert_snooze(alert=alert, by=by, until=until, comment=data["comment"])
            else:
                services.alert_resolve(alert=alert, by=by, comment=data["comment"])
        except ValidationError as exc:
            form.add_error("comment", exc)
    template = "alerts/partials/alert_panel.html" if request.htmx else "alerts/alert_detail.html"
    response = render(request, template, _detail_context(request, alert, form if form.errors else None))
    if request.htmx and not form.errors:
        response["HX-Trigger"] = "alerts-changed"  # the bell refreshes its count
    return response


@require_capability("alerts.view")
def bell(request, org_slug):
    """The header's bell with the unread count: fetched by HTMX after the page, so no page pays its query."""
    return render(request, "alerts/partials/bell.html",
                  {"unread": selectors.unread_count(request.org, membership=request.membership)})


@require_capability("alerts.manage")
def rule_list(request, org_slug):
    rules = list(AlertRule.objects.for_org(request.org).order_by("kind", "name", "id"))
    return render(request, "alerts/rule_list.html", {"rows": [_rule_row(r) for r in rules if r.kind in RULES]})


def _rule_row(rule, form=None):
    cls = rule_class(rule.kind)
    return {"rule": rule, "label": cls.label, "available": cls.is_available(),
            "form": form or AlertRuleForm(initial={
                "is_enabled": rule.is_enabled, "severity": rule.severity, "subscriber_roles": rule.subscriber_roles,
                "parameters": json.dumps(rule.parameters, ensure_ascii=False)}, prefix=f"rule{rule.pk}")}


@require_POST
@require_capability("alerts.manage")
def rule_update(request, org_slug, rule_id):
    rule = get_object_or_404(AlertRule.objects.for_org(request.org), pk=rule_id)
    if rule.kind not in RULES:
        raise Http404
    form = AlertRuleForm(request.POST, prefix=f"rule{rule.pk}")
    if form.is_valid():
        try:
            services.alert_rule_update(rule=rule, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("parameters", exc)
    if form.errors:
        return render(request, "alerts/partials/rule_row.html", {"row": _rule_row(rule, form)},
                      status=200 if request.htmx else 400)
    if request.htmx:
        return render(request, "alerts/partials/rule_row.html", {"row": _rule_row(rule), "saved": True})
    messages.success(request, _("Rule saved."))
    return redirect("alerts:rule_list", org_slug=request.org.slug)


@require_capability("alerts.view")
def preferences(request, org_slug):
    pref = selectors.preference_of(request.membership)
    language = request.user.language or translation.get_language() or settings.LANGUAGE_CODE
    form = AlertPreferenceForm(request.POST or None, instance=pref, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        services.alert_preference_set(membership=request.membership, **form.cleaned_data)
        messages.success(request, _("Your alert e-mail preference is saved."))
        return redirect("alerts:preferences", org_slug=request.org.slug)
    return render(request, "alerts/preferences.html", {"form": form})


@csrf_exempt  # RFC 8058 one-click: the mail client posts without a session; the signed token is the authority
def unsubscribe(request, token):
    """The link of every alert e-mail: GET asks, POST switches the member's alert e-mails off. No login."""
    found = unsubscribe_token_read(token)
    if found is None:
        raise Http404
    org_id, membership_id = found
    with org_context(org_id):
        membership = Membership.objects.filter(organization_id=org_id, pk=membership_id).select_related(  # scoped: by the signed token's org
            "organization").first()
        if membership is None:
            raise Http404
        done = False
        if request.method == "POST":
            services.alert_preference_set(membership=membership, delivery=AlertPreference.Delivery.OFF)
            done = True
        return render(request, "alerts/unsubscribe.html", {"target": membership, "done": done})
