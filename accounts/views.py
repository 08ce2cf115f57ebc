from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.decorators import require_capability
from accounts.forms import ClientCompanyForm, EngagementForm, InvitationForm, RoleForm
from accounts.home_panels import home_panels_for
from accounts.middleware import LAST_ORG_SESSION_KEY
from accounts.models import Engagement, Invitation, Membership, Organization
from accounts.security import client_ip


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


@require_capability("org.view")
def org_home(request, org_slug):
    if request.org.is_consultancy:
        return redirect("accounts:portfolio", org_slug=org_slug)
    panels = home_panels_for(request.membership)
    return render(request, "accounts/org_home.html", {"panels": panels})


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
                                                trade=form.cleaned_data["trade"], role=form.cleaned_data["role"])
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
        _report(request, lambda: services.engagement_create(client=data["client"], consultant=data["consultant"],
                                                            role=data["role"], by=request.user, ip=_ip(request)),
                _("Engagement added."))
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
    return render(request, "accounts/member_list.html", {
        "members": selectors.members_of(request.org),
        "invitations": selectors.pending_invitations_of(request.org),
        "invitation_form": InvitationForm(),
        "role_form": RoleForm(),
    })


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
    events = selectors.audit_events_of(request.org)[:200]
    return render(request, "accounts/audit_log.html", {"events": events})


def invitation_accept(request, token):
    """Public link from the e-mail: shows the invitation, then accepts it once signed in."""
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
