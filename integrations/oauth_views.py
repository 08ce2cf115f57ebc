"""The two OAuth pages every OAuth provider shares: "Continue with <provider>" and the callback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import rls
from accounts.decorators import require_capability
from accounts.models import Membership
from integrations.base import ConnectorError
from integrations.oauth import (ChooseAccount, StateRefused, oauth_app, oauth_authorize_url, oauth_complete,
                                oauth_pending, oauth_pending_connect, oauth_pending_store, oauth_state_check)


def _integrations_page(org) -> str:
    return reverse("integrations:connection_list", kwargs={"org_slug": org.slug})


@require_capability("integrations.manage")
def oauth_start(request: HttpRequest, org_slug: str, provider: str) -> HttpResponse:
    """Send the admin to the provider's consent screen."""
    app = oauth_app(provider)
    if not app.setting("CLIENT_ID"):
        messages.error(request, _("%(provider)s OAuth is not configured (%(setting)s).")
                       % {"provider": app.label, "setting": f"{app.settings_prefix}_CLIENT_ID"})
        return HttpResponseRedirect(_integrations_page(request.org))
    app = app.bound(region=request.GET.get("region", ""))  # the data centre chosen on the connect page (Zoho)
    return HttpResponseRedirect(oauth_authorize_url(app=app, request=request))


@require_GET
@login_required
def oauth_callback(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider sends the admin back here with `code`, our `state` and its own parameters."""
    app = oauth_app(provider)
    try:
        membership = oauth_state_check(app=app, request=request)
    except StateRefused as exc:
        return render(request, "integrations/oauth_refused.html", {"reason": str(exc), "provider": app.label},
                      status=400)
    except Membership.DoesNotExist:
        raise Http404("No such organization.") from None
    org = membership.organization
    rls.request_org_set(org.pk)  # the signed state names the organization this page acts in
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, _("%(provider)s did not authorize the connection (%(error)s).") % {
            "provider": app.label,
            "error": request.GET.get("error_description") or request.GET.get("error") or _("no code")})
        return HttpResponseRedirect(_integrations_page(org))
    extras = {name: request.GET.get(name, "") for name in app.callback_params}
    if app.start_param:
        extras[app.start_param] = getattr(request, "oauth_start_choice", "")
    try:
        connection = oauth_complete(app=app, org=org, code=request.GET["code"], extras=extras, by=membership)
    except ChooseAccount as choice:
        oauth_pending_store(app=app, request=request, org=org, choice=choice)
        return HttpResponseRedirect(reverse(f"integrations:{provider}_oauth_choose", kwargs={"org_slug": org.slug}))
    except (ConnectorError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return HttpResponseRedirect(_integrations_page(org))
    return _connected(request, app, org, connection)


@require_capability("integrations.manage")
def oauth_choose(request: HttpRequest, org_slug: str, provider: str) -> HttpResponse:
    """The tokens reach several accounts (a Sage user's businesses): the admin picks the one to connect."""
    app = oauth_app(provider)
    pending = oauth_pending(app=app, request=request)
    if pending is None:
        raise Http404("No authorization waits for a choice.")
    if request.method == "POST":
        account_id = request.POST.get("account_id", "")
        if account_id not in dict(pending["accounts"]):
            return render(request, "integrations/oauth_choose.html", {
                "provider": app.label, "accounts": pending["accounts"],
                "error": _("Choose one of the accounts listed.")}, status=400)
        try:
            connection = oauth_pending_connect(app=app, request=request, pending=pending, account_id=account_id,
                                               by=request.membership)
        except (ConnectorError, ValidationError) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            return HttpResponseRedirect(_integrations_page(request.org))
        return _connected(request, app, request.org, connection)
    return render(request, "integrations/oauth_choose.html", {"provider": app.label, "accounts": pending["accounts"]})


def _connected(request: HttpRequest, app, org, connection) -> HttpResponse:
    from integrations.models import SyncRun
    from integrations.services import sync_run_enqueue

    org = connection.organization
    run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL, full=True)
    messages.success(request, _("%(provider)s is connected; the first sync has started.") % {"provider": app.label})
    return HttpResponseRedirect(reverse("integrations:sync_run_detail",
                                        kwargs={"org_slug": org.slug, "sync_run_id": run.pk}))
