"""The consultancy's pages over its clients (portfolio, inbox, benchmarks, groups, consolidations) and the
company's page where its CEO answers a consolidation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import rls
from accounts.decorators import require_capability
from integrations.models import Customer, Supplier
from portfolio import selectors, services
from portfolio.benchmarks import group_benchmarks
from portfolio.clients import own_companies, reading_clients
from portfolio.consolidation import consolidated_view
from portfolio.forms import ClientGroupForm, ConsolidationForm, HoldingConsolidationForm, IntercompanyForm
from portfolio.health import client_health
from portfolio.inbox.registry import sources
from portfolio.inbox.selectors import inbox_items
from portfolio.models import ClientGroup, Consolidation, ConsolidationMember, IntercompanyParty
from portfolio.presenters import SORTS, consolidation_rows, portfolio_sections


def _consultancy_only(request) -> None:
    if not request.org.is_consultancy:
        raise Http404


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _error(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@require_capability("portfolio.view")
def overview(request, org_slug):
    _consultancy_only(request)
    groups, members = selectors.client_groups(request.org)
    with reading_clients(request.membership) as clients:
        healths = client_health(clients)
    sort = request.GET.get("sort", "name")
    if sort.lstrip("-") not in SORTS:
        sort = "name"
    by = request.GET.get("by", "")
    group_id = _int(request.GET.get("group"))
    sections = portfolio_sections(healths, groups=groups, members=members, sort=sort, by=by, group_id=group_id,
                                  query=request.GET.get("q", "").strip()[:100], flagged=request.GET.get("flagged") == "1")
    return render(request, "portfolio/overview.html", {
        "sections": sections, "served": len(healths), "groups": groups, "kinds": ClientGroup.Kind.choices,
        "sort": sort, "by": by, "group_id": group_id, "query": request.GET.get("q", ""),
        "flagged": request.GET.get("flagged") == "1", "month": healths[0].month if healths else None,
    })


@require_capability("portfolio.view")
def inbox(request, org_slug):
    _consultancy_only(request)
    client_id = _int(request.GET.get("client"))
    kind = request.GET.get("source", "")
    with reading_clients(request.membership) as clients:
        shown = [c for c in clients if client_id is None or c.org.pk == client_id]
        items = inbox_items(shown, only_source=kind)
    return render(request, "portfolio/inbox.html", {
        "items": items, "clients": [c.org for c in clients], "client_id": client_id,
        "sources": [(s.key, s.label()) for s in sources()], "source": kind,
    })


@require_capability("portfolio.view")
def benchmarks(request, org_slug):
    _consultancy_only(request)
    with reading_clients(request.membership) as clients:
        month, groups = group_benchmarks(request.org, clients)
    return render(request, "portfolio/benchmarks.html", {"month": month, "benchmarks": groups})


@require_capability("portfolio.view")
def group_list(request, org_slug):
    _consultancy_only(request)
    groups, members = selectors.client_groups(request.org)
    clients = list(selectors.consultancy_clients(request.org))
    names = {c.pk: c.name for c in clients}
    rows = [(g, sorted(names[c] for c in members.get(g.pk, ()) if c in names)) for g in groups]
    return render(request, "portfolio/groups.html", {
        "rows": rows, "form": ClientGroupForm(clients=selectors.consultancy_clients(request.org)),
    })


@require_POST
@require_capability("portfolio.manage")
def group_create(request, org_slug):
    _consultancy_only(request)
    form = ClientGroupForm(request.POST, clients=selectors.consultancy_clients(request.org))
    if form.is_valid():
        try:
            services.client_group_create(consultancy=request.org, name=form.cleaned_data["name"],
                                         kind=form.cleaned_data["kind"], clients=list(form.cleaned_data["clients"]),
                                         by=request.user)
            messages.success(request, _("Group created."))
        except ValidationError as exc:
            _error(request, exc)
    else:
        messages.error(request, _("Give the group a name and choose its clients."))
    return redirect("portfolio:group_list", org_slug=org_slug)


@require_POST
@require_capability("portfolio.manage")
def group_update(request, org_slug, group_id):
    group = get_object_or_404(ClientGroup.objects.for_org(request.org), pk=group_id)
    form = ClientGroupForm(request.POST, clients=selectors.consultancy_clients(request.org))
    form.fields["name"].required = form.fields["kind"].required = False
    if form.is_valid():
        services.client_group_set_clients(group=group, clients=list(form.cleaned_data["clients"]))
        messages.success(request, _("Group updated."))
    return redirect("portfolio:group_list", org_slug=org_slug)


@require_POST
@require_capability("portfolio.manage")
def group_delete(request, org_slug, group_id):
    group = get_object_or_404(ClientGroup.objects.for_org(request.org), pk=group_id)
    services.client_group_delete(group=group, by=request.user)
    messages.success(request, _("Group deleted."))
    return redirect("portfolio:group_list", org_slug=org_slug)


@require_capability("portfolio.view")
def consolidation_list(request, org_slug):
    _consultancy_only(request)
    return render(request, "portfolio/consolidation_list.html", {
        "consolidations": selectors.consolidations_of(request.org),
        "form": ConsolidationForm(clients=selectors.consultancy_clients(request.org)),
    })


@require_POST
@require_capability("portfolio.manage")
def consolidation_create(request, org_slug):
    _consultancy_only(request)
    form = ConsolidationForm(request.POST, clients=selectors.consultancy_clients(request.org))
    if form.is_valid():
        try:
            c = services.consolidation_declare(consultancy=request.org, name=form.cleaned_data["name"],
                                               holding=form.cleaned_data["holding"],
                                               companies=list(form.cleaned_data["companies"]), by=request.user)
            messages.success(request, _("Consolidation declared: each company's CEO is asked to approve it."))
            return redirect("portfolio:consolidation_detail", org_slug=org_slug, consolidation_id=c.pk)
        except ValidationError as exc:
            _error(request, exc)
    else:
        messages.error(request, _("Name the consolidation, its holding and its subsidiaries."))
    return redirect("portfolio:consolidation_list", org_slug=org_slug)


@require_capability("portfolio.view")
def consolidation_detail(request, org_slug, consolidation_id):
    consolidation = get_object_or_404(Consolidation.objects.for_org(request.org).select_related("holding"),
                                      pk=consolidation_id)
    with reading_clients(request.membership) as clients:
        view = consolidated_view(consolidation, clients)
        counted = [c for c in clients if c.org in [x.org for x in view.contributions]]
        marks, parties = selectors.intercompany_parties(counted)
    return render(request, "portfolio/consolidation_detail.html", {
        "view": view, "rows": consolidation_rows(view), "marks": marks, "form": IntercompanyForm(parties=parties) if parties else None,
    })


@require_POST
@require_capability("portfolio.manage")
def intercompany_mark(request, org_slug, consolidation_id):
    consolidation = get_object_or_404(Consolidation.objects.for_org(request.org), pk=consolidation_id)
    with reading_clients(request.membership) as clients:
        view = consolidated_view(consolidation, clients)
        counted = [c for c in clients if c.org in [x.org for x in view.contributions]]
        _marks, parties = selectors.intercompany_parties(counted)
        form = IntercompanyForm(request.POST, parties=parties)
        if form.is_valid():
            kind, pk = form.cleaned_data["party"].split(":")
            model = Customer if kind == "customer" else Supplier
            party = model.objects.filter(  # scoped: one of the choices, all in the consolidation's companies
                pk=int(pk), organization_id__in=[c.org.pk for c in counted]).select_related("organization").first()
            if party is not None:
                services.intercompany_mark(company=party.organization, by=request.user,
                                           **{kind: party})
                messages.success(request, _("Marked as intercompany: its flows are left out of the consolidation."))
    return redirect("portfolio:consolidation_detail", org_slug=org_slug, consolidation_id=consolidation_id)


@require_POST
@require_capability("portfolio.manage")
def intercompany_unmark(request, org_slug, consolidation_id, mark_id):
    consolidation = get_object_or_404(Consolidation.objects.for_org(request.org), pk=consolidation_id)
    with reading_clients(request.membership) as clients:
        view = consolidated_view(consolidation, clients)
        ids = [x.org.pk for x in view.contributions]
        mark = get_object_or_404(IntercompanyParty.objects.filter(  # scoped: the consolidation's companies
            organization_id__in=ids).select_related("organization"), pk=mark_id)
        services.intercompany_unmark(mark=mark, by=request.user)
    messages.success(request, _("No longer intercompany."))
    return redirect("portfolio:consolidation_detail", org_slug=org_slug, consolidation_id=consolidation_id)


@require_capability("consolidation.approve")
def consolidation_requests(request, org_slug):
    """The company's consolidations: those declared on it, to answer, and the groups it holds itself."""
    if request.org.is_consultancy:
        raise Http404
    return render(request, "portfolio/consolidation_requests.html", {
        # its own part of a group it holds is decided by declaring it: only others' requests are answered here
        "requests": selectors.consolidation_requests(request.org).exclude(declared_by=request.org),
        "held": selectors.consolidations_of(request.org),
        "form": HoldingConsolidationForm(companies=selectors.other_companies_of(request.membership)),
    })


@require_POST
@require_capability("consolidation.approve")
def holding_consolidation_create(request, org_slug):
    if request.org.is_consultancy:
        raise Http404
    form = HoldingConsolidationForm(request.POST, companies=selectors.other_companies_of(request.membership))
    if form.is_valid():
        try:
            c = services.consolidation_declare_as_holding(by=request.membership, name=form.cleaned_data["name"],
                                                          companies=list(form.cleaned_data["companies"]))
            messages.success(request, _("Group declared: each other company's CEO is asked to approve it."))
            return redirect("portfolio:holding_consolidation", org_slug=org_slug, consolidation_id=c.pk)
        except ValidationError as exc:
            _error(request, exc)
    else:
        messages.error(request, _("Name the group and choose its other companies."))
    return redirect("portfolio:consolidation_requests", org_slug=org_slug)


@require_capability("consolidation.approve")
def holding_consolidation(request, org_slug, consolidation_id):
    """The holding's own consolidated page, for a group its CEO declared: each company read in its own
    tenant, where the CEO holds a membership; what their role there hides stays hidden."""
    consolidation = get_object_or_404(Consolidation.objects.for_org(request.org).filter(holding=request.org)
                                      .select_related("holding"), pk=consolidation_id)
    view = consolidated_view(consolidation, own_companies(request.membership), read_each_company=rls.org_context)
    marks = selectors.intercompany_marks_of([c.org for c in view.contributions])
    return render(request, "portfolio/consolidation_detail.html", {
        "view": view, "rows": consolidation_rows(view), "marks": marks, "form": None, "held_by_company": True,
    })


@require_POST
@require_capability("consolidation.approve")
def consolidation_approve(request, org_slug, member_id):
    member = get_object_or_404(ConsolidationMember.objects.for_org(request.org), pk=member_id)
    services.consolidation_member_approve(member=member, by=request.membership)
    messages.success(request, _("Approved: the company's figures are consolidated with its group."))
    return redirect("portfolio:consolidation_requests", org_slug=org_slug)


@require_POST
@require_capability("consolidation.approve")
def consolidation_refuse(request, org_slug, member_id):
    member = get_object_or_404(ConsolidationMember.objects.for_org(request.org), pk=member_id)
    services.consolidation_member_refuse(member=member, by=request.membership)
    messages.success(request, _("Refused: the company's figures are not consolidated."))
    return redirect("portfolio:consolidation_requests", org_slug=org_slug)
