"""The consultancy's pages over its clients (portfolio, inbox, benchmarks, groups, consolidations), the
company's page where its CEO answers a consolidation, and the holding's own consolidated page for a group
its CEO declared (the same page code and intercompany marking as the consultancy's)."""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import require_capability
from integrations.models import Customer, Supplier
from portfolio import selectors, services
from portfolio.benchmarks import group_benchmarks
from portfolio.clients import reading_clients, reading_own_companies
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
    labels = {s.key: s.label() for s in sources()}
    urgent = {s.key: s.urgent_label() for s in sources()}
    return render(request, "portfolio/inbox.html", {
        "items": [(item, labels[item.source], urgent[item.source]) for item in items],
        "clients": [c.org for c in clients], "client_id": client_id, "sources": labels.items(), "source": kind,
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
    return _consolidation_page(request, _declared_consolidation(request, consolidation_id))


@require_POST
@require_capability("portfolio.manage")
def intercompany_mark(request, org_slug, consolidation_id):
    _intercompany_mark(request, _declared_consolidation(request, consolidation_id))
    return redirect("portfolio:consolidation_detail", org_slug=org_slug, consolidation_id=consolidation_id)


@require_POST
@require_capability("portfolio.manage")
def intercompany_unmark(request, org_slug, consolidation_id, mark_id):
    _intercompany_unmark(request, _declared_consolidation(request, consolidation_id), mark_id)
    return redirect("portfolio:consolidation_detail", org_slug=org_slug, consolidation_id=consolidation_id)


def _declared_consolidation(request, consolidation_id) -> Consolidation:
    """A consolidation the consultancy declared on its clients."""
    _consultancy_only(request)
    return get_object_or_404(Consolidation.objects.for_org(request.org).select_related("holding"),
                             pk=consolidation_id)


def _held_consolidation(request, consolidation_id) -> Consolidation:
    """A group the holding's CEO declared, from the holding's own pages (any other company: 404)."""
    if request.org.is_consultancy:
        raise Http404
    return get_object_or_404(Consolidation.objects.for_org(request.org).filter(holding=request.org)
                             .select_related("holding"), pk=consolidation_id)


@contextmanager
def _reading_group(request, consolidation: Consolidation):
    """`with _reading_group(request, c) as (view, counted, acting):` the consolidated view, the companies it
    counts and those the viewer may mark intercompany parties in, their rows readable for the block.

    A consultancy reads the clients its member serves and acts in all of them; the holding's CEO reads
    the companies where she holds a membership and acts where that membership is a CEO's."""
    held = not request.org.is_consultancy
    reading = reading_own_companies if held else reading_clients
    with reading(request.membership) as companies:
        view = consolidated_view(consolidation, companies)
        in_view = {c.org.pk for c in view.contributions}
        counted = [c for c in companies if c.org.pk in in_view]
        acting = [c for c in counted if c.membership.can("consolidation.approve")] if held else counted
        yield view, counted, acting


def _consolidation_page(request, consolidation: Consolidation):
    held = not request.org.is_consultancy
    may_mark = request.membership.can("consolidation.approve" if held else "portfolio.manage")
    with _reading_group(request, consolidation) as (view, counted, acting):
        marks, parties = selectors.intercompany_parties(counted, offered=acting if may_mark else [])
    return render(request, "portfolio/consolidation_detail.html", {
        "view": view, "rows": consolidation_rows(view), "marks": marks, "held_by_company": held,
        "form": IntercompanyForm(parties=parties) if parties else None,
        "acting_ids": {c.org.pk for c in acting} if may_mark else set(),
        "mark_url": "portfolio:holding_intercompany_mark" if held else "portfolio:intercompany_mark",
        "unmark_url": "portfolio:holding_intercompany_unmark" if held else "portfolio:intercompany_unmark",
    })


def _intercompany_mark(request, consolidation: Consolidation) -> None:
    """Mark the chosen customer or supplier, one of a counted company the viewer acts for; anything else
    is refused with the form's message."""
    with _reading_group(request, consolidation) as (_view, counted, acting):
        _marks, parties = selectors.intercompany_parties(counted, offered=acting)
        form = IntercompanyForm(request.POST, parties=parties)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("party", [])))
            return
        kind, pk = form.cleaned_data["party"].split(":")
        model = Customer if kind == "customer" else Supplier
        party = model.objects.filter(  # scoped: one of the choices, all in the companies the viewer acts for
            pk=int(pk), organization_id__in=[c.org.pk for c in acting]).select_related("organization").first()
        if party is None:
            raise Http404
        services.intercompany_mark(company=party.organization, by=request.user, **{kind: party})
    messages.success(request, _("Marked as intercompany: its flows are left out of the consolidation."))


def _intercompany_unmark(request, consolidation: Consolidation, mark_id: int) -> None:
    with _reading_group(request, consolidation) as (_view, _counted, acting):
        mark = get_object_or_404(IntercompanyParty.objects.filter(  # scoped: the companies the viewer acts for
            organization_id__in=[c.org.pk for c in acting]).select_related("organization"), pk=mark_id)
        services.intercompany_unmark(mark=mark, by=request.user)
    messages.success(request, _("No longer intercompany."))


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
    """The holding's own consolidated page, for a group its CEO declared: the companies where she holds a
    membership, read at once (`reading_own_companies`); what her role there hides stays hidden."""
    return _consolidation_page(request, _held_consolidation(request, consolidation_id))


@require_POST
@require_capability("consolidation.approve")
def holding_intercompany_mark(request, org_slug, consolidation_id):
    _intercompany_mark(request, _held_consolidation(request, consolidation_id))
    return redirect("portfolio:holding_consolidation", org_slug=org_slug, consolidation_id=consolidation_id)


@require_POST
@require_capability("consolidation.approve")
def holding_intercompany_unmark(request, org_slug, consolidation_id, mark_id):
    _intercompany_unmark(request, _held_consolidation(request, consolidation_id), mark_id)
    return redirect("portfolio:holding_consolidation", org_slug=org_slug, consolidation_id=consolidation_id)


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
