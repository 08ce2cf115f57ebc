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
from integrations.base import AccountInfo, ConnectorError
from integrations.crypto import decrypt_json, encrypt_json
from integrations.oauth import (
    AccountChoiceNeeded,
    StateRefused,
    oauth_app,
    oauth_authorize_url,
    oauth_complete,
    oauth_connect_account,
    oauth_state_check,
)


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
    try:
        connection = oauth_complete(app=app, org=org, code=request.GET["code"], extras=extras, by=membership)
    except AccountChoiceNeeded as choice:
        # The exchanged tokens wait for the admin's choice, encrypted, in this session only.
        request.session[_choice_key(app)] = {
            "org": org.pk, "accounts": [[a.account_id, a.name] for a in choice.accounts],
            "credentials": encrypt_json(choice.credentials)}
        return HttpResponseRedirect(reverse("integrations:oauth_choose_account",
                                            kwargs={"org_slug": org.slug, "provider": provider}))
    except (ConnectorError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return HttpResponseRedirect(_integrations_page(org))
    return _first_sync(request, app, connection)


def _choice_key(app) -> str:
    return f"{app.provider}_oauth_choice"


@require_capability("integrations.manage")
def oauth_choose_account(request: HttpRequest, org_slug: str, provider: str) -> HttpResponse:
    """One consent reached several provider accounts (Xero organisations): the admin connects one."""
    try:
        app = oauth_app(provider)
    except KeyError:
        raise Http404("No such provider.") from None
    pending = request.session.get(_choice_key(app))
    if not pending or pending.get("org") != request.org.pk:
        raise Http404("No authorization waits for a choice.")
    accounts = [{"id": account_id, "name": name or account_id} for account_id, name in pending["accounts"]]
    if request.method == "POST":
        chosen = next((a for a in accounts if a["id"] == request.POST.get("account")), None)
        if chosen is None:
            return render(request, "integrations/oauth_choose_account.html",
                          {"provider": app.label, "accounts": accounts}, status=400)
        del request.session[_choice_key(app)]  # one use
        try:
            connection = oauth_connect_account(app=app, org=request.org, credentials=decrypt_json(pending["credentials"]),
                                               account=AccountInfo(account_id=chosen["id"], name=chosen["name"]),
                                               by=request.membership)
        except (ConnectorError, ValidationError) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
            return HttpResponseRedirect(_integrations_page(request.org))
        return _first_sync(request, app, connection)
    return render(request, "integrations/oauth_choose_account.html", {"provider": app.label, "accounts": accounts})


def _first_sync(request: HttpRequest, app, connection) -> HttpResponse:
    from integrations.models import SyncRun
    from integrations.services import sync_run_enqueue

    org = connection.organization
    run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL, full=True)
    messages.success(request, _("%(provider)s is connected; the first sync has started.") % {"provider": app.label})
    return HttpResponseRedirect(reverse("integrations:sync_run_detail",
                                        kwargs={"org_slug": org.slug, "sync_run_id": run.pk}))
