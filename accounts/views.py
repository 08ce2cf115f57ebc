from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import api_keys, rls, selectors, services
from accounts.decorators import require_capability
from accounts.exports import export_format, table_download
from accounts.forms import (
    ApiKeyForm,
    CeilingForm,
    ClientCompanyForm,
    CompanyForm,
    EngagementForm,
    InvitationForm,
    RoleForm,
)
from accounts.middleware import LAST_ORG_SESSION_KEY
from accounts.models import ApiKey, Engagement, Invitation, Membership, Organization
from accounts.security import client_ip

HOME_PAGE_VIEW = "dashboards.views.role_dashboard"


def _ip(request) -> str | None:
    return client_ip(request)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _report(request, action, success: str) -> bool:
    """Run a service call; flash its success, or the business rule it broke, to the user."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return False
    messages.success(request, success)
    return True


@login_required
def home(request):
    """`/` goes to the last organization visited, else the first one the user reaches."""
    memberships = list(selectors.memberships_of(request.user))
    slugs = {m.organization.slug for m in memberships}
    last = request.session.get(LAST_ORG_SESSION_KEY)
    if last in slugs:
        return redirect("accounts:org_home", org_slug=last)
    if memberships:
        return redirect("accounts:org_home", org_slug=memberships[0].organization.slug)
    return render(request, "accounts/no_organization.html")


@login_required
def company_create(request):
    """Anyone signed in may create their company: they become its CEO, and it comes with its catalogue."""
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = services.organization_create(name=data["name"], owner=request.user, packs=data["packs"],
                                           fiscal_year_start_month=data["fiscal_year_start_month"])
        messages.success(request, _("%(name)s is created. Connect its tools to bring its figures in.")
                         % {"name": org.name})
        return redirect("accounts:org_home", org_slug=org.slug)
    return render(request, "accounts/company_create.html", {"form": form})


@require_capability("org.view")
def org_home(request, org_slug):
    if request.org.is_consultancy:
        return redirect("portfolio:overview", org_slug=org_slug)
    # The home page is the member's role dashboard; accounts names it rather than importing the app above it.
    return import_string(HOME_PAGE_VIEW)(request, org_slug=org_slug)


@require_capability("org.view")
def portfolio(request, org_slug):
    if not request.org.is_consultancy:
        raise Http404
    engagements = selectors.engagements_of_consultancy(request.org)
    mine = [e for e in engagements if e.consultant.user_id == request.user.id]
    return render(request, "accounts/portfolio.html", {
        "my_engagements": mine,
        "engagements": engagements if request.membership.can("engagements.manage") else [],
        "client_form": ClientCompanyForm(),
        "engagement_form": _engagement_form(request),
    })


def _engagement_form(request, data=None):
    clients = Organization.objects.filter(  # scoped: the companies this consultancy is engaged on
        pk__in=Engagement.objects.filter(consultancy=request.org).values("organization"))  # scoped: firm's own
    return EngagementForm(data, clients=clients, consultants=selectors.consultants_of(request.org))


@require_POST
@require_capability("engagements.manage")
def client_create(request, org_slug):
    if not request.org.is_consultancy:
        raise Http404
    form = ClientCompanyForm(request.POST)
    if form.is_valid():
        client = services.client_company_create(consultant=request.membership, name=form.cleaned_data["name"],
                                                trade=form.cleaned_data["trade"], role=form.cleaned_data["role"],
                                                packs=form.cleaned_data["packs"])
        messages.success(request, _("%(name)s is now one of your clients.") % {"name": client.name})
    else:
        messages.error(request, _("Give the company a name."))
    return redirect("accounts:portfolio", org_slug=org_slug)


@require_POST
@require_capability("engagements.manage")
def engagement_create(request, org_slug):
    if not request.org.is_consultancy:
        raise Http404
    form = _engagement_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a client, a consultant and a role."))
    else:
        data = form.cleaned_data
        try:
            engagement = services.engagement_create(client=data["client"], consultant=data["consultant"],
                                                    role=data["role"], by=request.user, ip=_ip(request))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Engagement requested: it waits for the client's approval.")
                             if engagement.is_pending else _("Engagement added."))
    return redirect("accounts:portfolio", org_slug=org_slug)


@require_POST
@require_capability("engagements.manage")
def engagement_end(request, org_slug, engagement_id):
    """Either side may end an engagement: the consultancy, or the client company it serves."""
    engagement = get_object_or_404(
        Engagement.objects.filter(consultancy=request.org)  # scoped: the consultancy's own engagements
        | Engagement.objects.for_org(request.org),
        pk=engagement_id,
    )
    services.engagement_end(engagement=engagement, by=request.user, ip=_ip(request))
    messages.success(request, _("Engagement ended: the consultant no longer reaches the company."))
    if request.org.is_consultancy:
        return redirect("accounts:portfolio", org_slug=org_slug)
    return redirect("accounts:member_list", org_slug=org_slug)


@require_capability("members.view")
def member_list(request, org_slug):
    engagements = []
    if not request.org.is_consultancy and request.membership.can("engagements.manage"):
        engagements = selectors.engagements_of_client(request.org)
    return render(request, "accounts/member_list.html", {
        "members": selectors.members_of(request.org),
        "invitations": selectors.pending_invitations_of(request.org),
        "invitation_form": InvitationForm(),
        "role_form": RoleForm(),
        "engagements": engagements,
        "ceiling_form": CeilingForm(),
    })


def _client_engagement(request, engagement_id) -> Engagement:
    """An engagement on this company (the client's side of it); any other is a 404."""
    engagement = get_object_or_404(Engagement.objects.for_org(request.org), pk=engagement_id)
    # The consultant is a member of the consultancy, another tenant: read in its context (RLS), kept on the row.
    with rls.org_context(engagement.consultancy_id):
        engagement.consultant.user  # noqa: B018  loads and caches the consultant and their user
    return engagement


def _decide_engagement(request, org_slug, engagement_id, service, success: str):
    """The client company approves or refuses an engagement's request, then back to its members page."""
    engagement = _client_engagement(request, engagement_id)
    _report(request, lambda: service(engagement=engagement, by=request.user, ip=_ip(request)), success)
    return redirect("accounts:member_list", org_slug=org_slug)


@require_POST
@require_capability("engagements.manage")
def engagement_approve(request, org_slug, engagement_id):
    return _decide_engagement(request, org_slug, engagement_id, services.engagement_approve,
                              _("Engagement approved: the consultant reaches the company with this role."))


@require_POST
@require_capability("engagements.manage")
def engagement_refuse(request, org_slug, engagement_id):
    return _decide_engagement(request, org_slug, engagement_id, services.engagement_refuse, _("Request refused."))


@require_POST
@require_capability("engagements.manage")
def engagement_set_ceiling(request, org_slug, engagement_id):
    engagement = _client_engagement(request, engagement_id)
    form = CeilingForm(request.POST)
    if form.is_valid():
        _report(request, lambda: services.engagement_set_ceiling(
            engagement=engagement, max_role=form.cleaned_data["max_role"], by=request.user, ip=_ip(request)),
            _("Highest role of the engagement updated."))
    else:
        messages.error(request, _("Choose a role."))
    return redirect("accounts:member_list", org_slug=org_slug)


@require_POST
@require_capability("members.manage")
def invitation_create(request, org_slug):
    form = InvitationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _report(request, lambda: services.invitation_create(org=request.org, email=data["email"], role=data["role"],
                                                            by=request.user, ip=_ip(request)),
                _("Invitation sent to %(email)s.") % {"email": data["email"]})
    else:
        messages.error(request, _("Enter a valid e-mail address and a role."))
    return redirect("accounts:member_list", org_slug=org_slug)


@require_POST
@require_capability("members.manage")
def invitation_revoke(request, org_slug, invitation_id):
    invitation = get_object_or_404(Invitation.objects.for_org(request.org), pk=invitation_id)
    _report(request, lambda: services.invitation_revoke(invitation=invitation, by=request.user, ip=_ip(request)),
            _("Invitation revoked."))
    return redirect("accounts:member_list", org_slug=org_slug)


@require_POST
@require_capability("members.manage")
def member_change_role(request, org_slug, membership_id):
    membership = get_object_or_404(Membership.objects.for_org(request.org), pk=membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        _report(request, lambda: services.membership_change_role(membership=membership, role=form.cleaned_data["role"],
                                                                 by=request.user, ip=_ip(request)),
                _("Role updated."))
    return redirect("accounts:member_list", org_slug=org_slug)


@require_POST
@require_capability("members.manage")
def member_remove(request, org_slug, membership_id):
    membership = get_object_or_404(Membership.objects.for_org(request.org), pk=membership_id)
    _report(request, lambda: services.membership_remove(membership=membership, by=request.user, ip=_ip(request)),
            _("Access removed."))
    return redirect("accounts:member_list", org_slug=org_slug)


@require_capability("audit.view")
def audit_log(request, org_slug):
    fmt = export_format(request)
    if fmt:
        events = selectors.audit_events_of(request.org)[:50_000]
        return table_download(fmt=fmt, filename=f"{request.org.slug}-audit-log", header=[
            _("When"), _("Who"), _("What"), _("Object"), _("Details"), _("From")], rows=(
            [e.created_at, e.actor.email if e.actor else _("system"), e.action, e.target_repr,
             "; ".join(f"{k}: {v}" for k, v in e.data.items()), e.ip_address or ""] for e in events))
    events = selectors.audit_events_of(request.org)[:200]
    return render(request, "accounts/audit_log.html", {"events": events})


def invitation_accept(request, token):
    """Public link from the e-mail: shows the invitation, then accepts it once signed in."""
    with rls.invitation_token_context(token):
        invitation = Invitation.objects.filter(token=token).select_related("organization").first()  # scoped: token
    if invitation is None:
        raise Http404
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user, ip=_ip(request))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.organization.name})
            return redirect("accounts:org_home", org_slug=membership.organization.slug)
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})


# --- API keys --------------------------------------------------------------------------------


@require_capability("api_keys.manage")
def api_key_list(request, org_slug):
    form = ApiKeyForm(request.POST or None, creator_role=request.membership.role)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = api_keys.api_key_create(org=request.org, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiKeyForm(creator_role=request.membership.role)
            messages.success(request, _("Key “%(name)s” created. Copy it now: it will not be shown again.")
                             % {"name": key.name})
    response = render(request, "accounts/api_keys.html", {
        "keys": selectors.api_keys_of(request.org), "form": form, "secret": secret,
        "api_base": request.build_absolute_uri(f"/api/v1/orgs/{request.org.slug}/"),
    })
    response["Cache-Control"] = "no-store"  # the page may carry a secret shown once
    return response


@require_POST
@require_capability("api_keys.manage")
def api_key_revoke(request, org_slug, api_key_prefix):
    key = get_object_or_404(ApiKey.objects.for_org(request.org), prefix=api_key_prefix)
    api_keys.api_key_revoke(key=key, by=request.membership)
    messages.success(request, _("Key “%(name)s” revoked: it is refused from now on.") % {"name": key.name})
    return redirect("accounts:api_key_list", org_slug=org_slug)
