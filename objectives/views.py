"""Pages of the cascade: thin views over objectives.selectors (reads) and objectives.services (writes).

A member whose role may not change something still sees the page (200) with an explanation rather
than a bare 403: the route's capability says who may open it, the services decide what they may do.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from accounts.decorators import require_capability
from accounts.exports import export_format, table_download
from accounts.models import Membership
from kpis.periods import is_supported_day, period_containing, periods_between
from kpis.selectors import active_kpis_with_visibility, kpi_visibility_for
from objectives import selectors, services
from objectives.cascade import LEVELS, cascade_rows, expand_depth_for
from objectives.derivation import analyse
from objectives.exports import cascade_table
from objectives.forms import (
    ActionPlanForm,
    AdoptForm,
    CheckInForm,
    KeyResultForm,
    ObjectiveForm,
    ReviewForm,
    TemplateApplyForm,
    TemplateSaveForm,
    period_choices,
    plain_decimal,
)
from objectives.models import ActionPlan, DerivedTarget, KeyResult, Objective, ObjectiveTemplate, Review
from objectives.services.templates import library_of


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _period_from(request, org, today: date) -> tuple[date, date, str]:
    """The period of the cascade: ?period=<start>/<end> when it is a fiscal quarter or year, else the current quarter."""
    key = request.GET.get("period", "")
    try:
        start, end = (date.fromisoformat(x) for x in key.split("/"))
    except ValueError:
        start = end = None
    if start is not None and is_supported_day(start) and is_supported_day(end):
        for grain in ("quarter", "year"):
            p = period_containing(start, grain, org.fiscal_year_start_month)
            if (p.start, p.end) == (start, end):
                return start, end, key
    p = period_containing(today, "quarter", org.fiscal_year_start_month)
    return p.start, p.end, f"{p.start.isoformat()}/{p.end.isoformat()}"


def _owners(org):
    return Membership.objects.for_org(org).select_related("user").order_by("user__full_name", "user__email")


@require_capability("objectives.view")
def cascade(request, org_slug):
    today = timezone.localdate()
    start, end, period_key = _period_from(request, request.org, today)
    owner_id = request.GET.get("owner", "")
    role = request.GET.get("role", "")
    tree = selectors.objective_tree_for(request.org, start=start, end=end,
                                        owner_id=int(owner_id) if owner_id.isdigit() else None, role=role,
                                        today=today)
    if fmt := export_format(request):
        header, rows = cascade_table(tree)
        return table_download(fmt=fmt, filename=f"{request.org.slug}-objectives-{start:%Y-%m-%d}", header=header,
                              rows=rows)
    periods = period_choices(request.org, today)[:-1]
    if period_key not in dict(periods):
        periods.append((period_key, f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"))
    depth = expand_depth_for(request.GET.get("depth"))
    rows = cascade_rows(tree, membership=request.membership, depth=depth)
    context = {
        "tree": tree, "rows": rows, "depth": depth, "depth_choices": DEPTH_CHOICES,
        "my_first": next((r.node.objective.pk for r in rows if r.is_mine), None),
        "period_key": period_key, "periods": periods,
        "owners": _owners(request.org), "owner_filter": owner_id, "role_filter": role,
        "roles": Membership._meta.get_field("role").choices,
        "can_check_in": request.membership.can("objectives.check_in"),
        "can_create": any(services.can_set_kind(request.membership, k) for k in Objective.Kind.values),
    }
    template = "objectives/partials/tree.html" if request.htmx and request.htmx.target == "cascade-tree" \
        else "objectives/cascade.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


DEPTH_CHOICES = [(0, _l("My branch")), (1, _l("Strategic")), (2, _l("Financial")),
                 (3, _l("Operational and commercial")), (LEVELS, _l("Action plans"))]


def _get_objective(request, objective_id) -> Objective:
    objective = get_object_or_404(Objective.objects.for_org(request.org).select_related("owner__user", "parent"),
                                  pk=objective_id)
    objective.organization = request.org  # the same row, read by the middleware: forms need not read it again
    return objective


def _pending_node(request, objective_id, *, plans_in_full: bool = False) -> selectors.PendingNode:
    """The objective and its subtree, read together (selectors.begin_node); another tenant's is a 404."""
    pending = selectors.begin_node(request.org, objective_id=objective_id, plans_in_full=plans_in_full)
    if pending is None:
        raise Http404
    return pending


@require_capability("objectives.view")
def objective_children(request, org_slug, objective_id):
    """HTMX: expand (the children of a node) or collapse (just the toggle) one branch of the tree."""
    node = selectors.finish_node(request.org, _pending_node(request, objective_id))
    expanded = request.GET.get("expanded") == "1"
    return render(request, "objectives/partials/children.html", {
        "node": node, "expanded": expanded, "can_check_in": request.membership.can("objectives.check_in")})


def _sparkline_months(org, objective: Objective) -> list:
    """The months a key result's sparkline draws: from a year before the objective to its end."""
    start = period_containing(objective.period_start, "month").start
    return periods_between(date(start.year - 1, start.month, 1), objective.period_end, "month",
                           org.fiscal_year_start_month)


def _sparkline_values_wanted(org, objective: Objective, key_results: list, *, visible_kpi_ids: set[int]) -> set:
    """The monthly values the sparklines of the visible KPI-bound key results draw, as keys of
    selectors.kpi_values_with_forecasts: read with the page's other KPI values, in the same query."""
    months = _sparkline_months(org, objective)
    return {(kr.kpi_id, "month", m.start, kr.dimension_value) for kr in key_results
            if kr.kpi_id is not None and not kr.is_manual and kr.kpi_id in visible_kpi_ids for m in months}


def _sparklines(org, objective: Objective, key_results: list, values: dict) -> dict[int, dict]:
    """Each visible KPI-bound key result's monthly values (from `values`, read with the page's others), by key
    result id."""
    months = _sparkline_months(org, objective)
    out = {}
    for kr in (kv.kr for kv in key_results if not kv.is_hidden and kv.kr.kpi is not None and not kv.kr.is_manual):
        style = {"eur": "currency", "percent": "percent"}.get(kr.kpi.unit, "decimal")
        rows = [values.get((kr.kpi_id, "month", m.start, kr.dimension_value)) for m in months]
        points = [float(r.value) if r is not None and r.value is not None else None for r in rows]
        if style == "percent":
            points = [v / 100 if v is not None else None for v in points]
        out[kr.pk] = {"format": {"style": style, "currency": "EUR", "decimals": 0 if style == "currency" else 1},
                      "periods": [m.start.isoformat() for m in months], "values": points}
    return out


@require_capability("objectives.view")
def objective_detail(request, org_slug, objective_id):
    pending = _pending_node(request, objective_id, plans_in_full=True)
    objective, key_results = pending.objective, pending.own_key_results
    # The active KPIs (the feasibility reasons on them) and their visibility, from the kept catalogue in one query.
    active_kpis, visibility = active_kpis_with_visibility(request.org)
    membership = request.membership
    visible_kpi_ids = visibility.kpi_ids_for(membership)
    # The subtree's KPI values and the sparklines' months in one query.
    values = selectors.kpi_values_with_forecasts(request.org, pending.wanted | _sparkline_values_wanted(
        request.org, objective, key_results, visible_kpi_ids=visible_kpi_ids))
    node = selectors.finish_node(request.org, pending, values)
    analysis = None
    if objective.kind == Objective.Kind.FINANCIAL:
        analysis = analyse(request.org, objective=objective, key_results=key_results, active_kpis=active_kpis)
    selectors.hide_unseen_key_results(node.key_results, visible_kpi_ids=visible_kpi_ids)
    if analysis is not None and analysis.key_result.kpi_id not in visible_kpi_ids:
        analysis = None  # feasibility reads the target KPI and its drivers: all or nothing
    derived = [d for d in DerivedTarget.objects.for_org(request.org).filter(objective=objective)
               .select_related("kpi", "adopted_objective") if d.kpi_id in visible_kpi_ids]
    sparklines = _sparklines(request.org, objective, node.key_results, values)
    sparks = [(kv, sparklines.get(kv.kr.pk), f"kr-spark-{kv.kr.pk}") for kv in node.key_results]
    return render(request, "objectives/objective_detail.html", {
        "objective": objective, "node": node, "sparks": sparks, "analysis": analysis, "derived": derived,
        "adoptable": [d for d in derived if d.status == DerivedTarget.Status.ACCEPTED
                      and services.can_set_kind(membership, d.kind)],
        "plans": node.plans,
        "timeline": selectors.check_in_timeline(request.org, objective=objective),
        "check_in_form": CheckInForm(objective=objective, key_results=key_results),
        "can_edit": services.can_set_kind(membership, objective.kind),
        "can_check_in": membership.can("objectives.check_in"),
        "can_plan": membership.can("action_plans.manage"),
        "can_accept": membership.can("objectives.set_financial"),
        "can_template": membership.can("objectives.templates"),
        "statuses": Objective.Status.choices,
    })


@require_capability("objectives.view")
def objective_create(request, org_slug):
    return _objective_form(request, objective=None)


@require_capability("objectives.view")
def objective_edit(request, org_slug, objective_id):
    return _objective_form(request, objective=_get_objective(request, objective_id))


def _objective_form(request, *, objective: Objective | None):
    membership = request.membership
    today = timezone.localdate()
    allowed = objective is None and any(services.can_set_kind(membership, k) for k in Objective.Kind.values) or \
        objective is not None and services.can_set_kind(membership, objective.kind)
    if not allowed:
        return render(request, "objectives/objective_form.html", {"objective": objective, "form": None})
    initial = ObjectiveForm.initial_for(objective) if objective else {
        "owner": membership.pk, "owner_role": membership.role, "parent": request.GET.get("parent") or None,
        "period": request.GET.get("period") or _period_from(request, request.org, today)[2]}
    form = ObjectiveForm(request.POST or None, initial=initial, org=request.org, membership=membership, today=today,
                         exclude_pk=objective.pk if objective else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {k: d[k] for k in ("title", "description", "kind", "period_start", "period_end", "period_kind",
                                    "owner", "owner_role", "parent", "status", "weight", "check_in_every_days",
                                    "team")}
        try:
            if objective is None:
                objective = services.objective_create(by=membership, **fields)
                messages.success(request, _("Objective created. Add its key results."))
            else:
                services.objective_update(objective=objective, by=membership, **fields)
                messages.success(request, _("Objective saved."))
            return redirect("objectives:objective_detail", org_slug=request.org.slug, objective_id=objective.pk)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "objectives/objective_form.html", {"objective": objective, "form": form})


@require_POST
@require_capability("objectives.view")
def objective_status(request, org_slug, objective_id):
    objective = _get_objective(request, objective_id)
    status = request.POST.get("status", "")
    if status not in Objective.Status.values:
        messages.error(request, _("Choose a status."))
    else:
        try:
            services.objective_update(objective=objective, by=request.membership, status=status)
            messages.success(request, _("Status changed."))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    return redirect("objectives:objective_detail", org_slug=request.org.slug, objective_id=objective.pk)


@require_POST
@require_capability("objectives.check_in")
def objective_check_in(request, org_slug, objective_id):
    """Quick check-in from the tree (HTMX: returns the refreshed node row) or from the objective page."""
    objective = _get_objective(request, objective_id)
    form = CheckInForm(request.POST, objective=objective)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.check_in_create(objective=objective, by=request.membership, confidence=d["confidence"],
                                     confidence_score=d["confidence_score"], key_result=d["key_result"],
                                     value=d["value"], note=d["note"])
        except ValidationError as exc:
            _apply_errors(form, exc)
    if request.htmx:
        node = selectors.objective_node(request.org, objective=objective)
        # 200 even with errors: htmx does not swap 4xx responses, and the row shows the errors in place.
        response = render(request, "objectives/partials/node_row.html", {
            "node": node, "can_check_in": True, "check_in_errors": form.errors, "just_checked_in": not form.errors})
        if not form.errors:
            response["HX-Trigger"] = "objectives:checked-in"
        return response
    if form.errors:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        messages.success(request, _("Check-in recorded."))
    return redirect("objectives:objective_detail", org_slug=request.org.slug, objective_id=objective.pk)


# --- key results ------------------------------------------------------------------------------------


@require_capability("objectives.view")
def key_result_create(request, org_slug, objective_id):
    objective = _get_objective(request, objective_id)
    return _key_result_form(request, objective=objective, key_result=None)


@require_capability("objectives.view")
def key_result_edit(request, org_slug, key_result_id):
    kr = get_object_or_404(KeyResult.objects.for_org(request.org).select_related("objective", "kpi"),
                           pk=key_result_id)
    if kr.kpi_id is not None and kr.kpi_id not in kpi_visibility_for(request.org).kpi_ids_for(request.membership):
        raise Http404  # its start and target are figures of a KPI the member may not see
    return _key_result_form(request, objective=kr.objective, key_result=kr)


def _key_result_form(request, *, objective: Objective, key_result: KeyResult | None):
    if not services.can_set_kind(request.membership, objective.kind):
        return render(request, "objectives/key_result_form.html", {"objective": objective, "form": None})
    form = KeyResultForm(request.POST or None, instance=key_result, org=request.org,
                         visible_kpi_ids=kpi_visibility_for(request.org).kpi_ids_for(request.membership))
    if request.method == "POST" and form.is_valid():
        d = {k: form.cleaned_data[k] for k in ("title", "is_manual", "kpi", "dimension_value", "direction",
                                               "start_value", "target_value", "unit", "weight")}
        try:
            if key_result is None:
                services.key_result_create(objective=objective, by=request.membership,
                                           manual_value=form.cleaned_data.get("manual_value"), **d)
                messages.success(request, _("Key result added."))
            else:
                services.key_result_update(key_result=KeyResult.objects.for_org(request.org).get(pk=key_result.pk),
                                           by=request.membership, **d)
                messages.success(request, _("Key result saved."))
            return redirect("objectives:objective_detail", org_slug=request.org.slug, objective_id=objective.pk)
        except ValidationError as exc:
            _apply_errors(form, exc)
    return render(request, "objectives/key_result_form.html", {"objective": objective, "form": form,
                                                                "key_result": key_result})


@require_POST
@require_capability("objectives.view")
def key_result_delete(request, org_slug, key_result_id):
    kr = get_object_or_404(KeyResult.objects.for_org(request.org).select_related("objective"), pk=key_result_id)
    objective = kr.objective
    try:
        services.key_result_delete(key_result=kr, by=request.membership)
        messages.success(request, _("Key result removed."))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("objectives:objective_detail", org_slug=request.org.slug, objective_id=objective.pk)


# --- action plans -----------------------------------------------------------------------------------


@require_capability("action_plans.manage")
def action_plan_create(request, org_slug, objective_id):
    objective = _get_objective(request, objective_id)
    return _action_plan_form(request, objective=objective, plan=None)


@require_capability("action_plans.manage")
def action_plan_edit(request, org_slug, action_plan_id):
    plan = get_object_or_404(ActionPlan.objects.for_org(request.org).select_related("objective"), pk=action_plan_id)
    return _action_plan_form(request, objective=plan.objective, plan=plan)


def _action_plan_form(request, *, objective: Objective, plan: ActionPlan | None):
    initial = {"owner": request.membership.pk, "status": ActionPlan.Status.PLANNED}
    if plan is not None:
        initial = {"title": plan.title, "owner": plan.owner_id, "team": plan.team, "due_date": plan.due_date,
                   "status": plan.status, "key_results": list(plan.key_results.values_list("pk", flat=True)),
                   "checklist": "\n".join(item["text"] for item in plan.checklist)}
    form = ActionPlanForm(request.POST or None, initial=initial, objective=objective, plan=plan)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if plan is None:
                services.action_plan_create(objective=objective, by=request.membership, title=d["title"],
                                            due_date=d["due_date"], owner=d["owner"], team=d["team"],
                                            status=d["status"], key_results=list(d["key_results"]),
                                            checklist=d["checklist"])
                messages.success(request, _("Action plan added."))
            else:
                services.action_plan_update(plan=plan, by=request.membership, key_results=list(d["key_results"]),
                                            title=d["title"], due_date=d["due_date"], owner=d["owner"],
                                            team=d["team"], status=d["status"], checklist=d["checklist"])
                messages.success(request, _("Action plan saved."))
            return redirect("objectives:objective_detail", org_slug=request.org.slug, objective_id=objective.pk)
        except ValidationError as exc:
            _apply_errors(form, exc)
    return render(request, "objectives/action_plan_form.html", {"objective": objective, "form": form, "plan": plan})


@require_POST
@require_capability("action_plans.manage")
def action_plan_checklist_toggle(request, org_slug, action_plan_id, item_index):
    plan = get_object_or_404(ActionPlan.objects.for_org(request.org).select_related("owner__user"), pk=action_plan_id)
    try:
        plan = services.action_plan_checklist_toggle(plan=plan, by=request.membership, index=item_index)
    except ValidationError:
        raise Http404("No such checklist item.")
    if request.htmx:
        return render(request, "objectives/partials/action_plan.html", {"plan": plan, "can_plan": True})
    return redirect("objectives:objective_detail", org_slug=request.org.slug, objective_id=plan.objective_id)


# --- derived targets --------------------------------------------------------------------------------


@require_POST
@require_capability("objectives.set_financial")
def derived_targets_accept(request, org_slug, objective_id):
    objective = _get_objective(request, objective_id)
    analysis = analyse(request.org, objective=objective) if objective.kind == Objective.Kind.FINANCIAL else None
    if analysis is None or not analysis.proposals:
        messages.error(request, _("There is nothing to accept: the driver tree proposes no target yet."))
    else:
        try:
            services.derived_targets_accept(objective=objective, by=request.membership, proposals=analysis.proposals)
            messages.success(request, _("Derived targets accepted: the COO and CRO can adopt them."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("objectives:objective_detail", org_slug=request.org.slug, objective_id=objective.pk)


@require_capability("objectives.view")
def derived_target_adopt(request, org_slug, derived_target_id):
    derived = get_object_or_404(DerivedTarget.objects.for_org(request.org).select_related("kpi", "objective"),
                                pk=derived_target_id)
    allowed = services.can_set_kind(request.membership, derived.kind) and \
        derived.status != DerivedTarget.Status.ADOPTED
    form = AdoptForm(request.POST or None, initial={"title": _("%(kpi)s for %(objective)s") % {
        "kpi": derived.kpi.name, "objective": derived.objective.title},
        "target_value": plain_decimal(derived.target_value)})
    if allowed and request.method == "POST" and form.is_valid():
        try:
            objective = services.derived_target_adopt(derived=derived, by=request.membership,
                                                      title=form.cleaned_data["title"],
                                                      target_value=form.cleaned_data["target_value"])
            messages.success(request, _("The target is now your objective."))
            return redirect("objectives:objective_detail", org_slug=request.org.slug, objective_id=objective.pk)
        except ValidationError as exc:
            _apply_errors(form, exc)
    return render(request, "objectives/adopt_form.html", {"derived": derived, "form": form if allowed else None})


# --- reviews ----------------------------------------------------------------------------------------


@require_capability("reviews.view")
def review_list(request, org_slug):
    return render(request, "objectives/review_list.html", {
        "reviews": selectors.reviews_of(request.org), "can_manage": request.membership.can("reviews.manage")})


@require_capability("reviews.view")
def review_detail(request, org_slug, review_id):
    review = get_object_or_404(Review.objects.for_org(request.org).select_related("created_by"), pk=review_id)
    return render(request, "objectives/review_detail.html", {
        "review": review, "participants": review.participants.select_related("user"),
        "follow_ups": review.follow_ups.select_related("owner__user", "objective"),
        "can_manage": request.membership.can("reviews.manage")})


@require_capability("reviews.manage")
def review_create(request, org_slug):
    return _review_form(request, review=None)


@require_capability("reviews.manage")
def review_edit(request, org_slug, review_id):
    return _review_form(request, review=get_object_or_404(Review.objects.for_org(request.org), pk=review_id))


def _review_form(request, *, review: Review | None):
    initial = {"held_on": timezone.localdate(), "participants": [request.membership.pk]}
    if review is not None:
        initial = {"title": review.title, "held_on": review.held_on, "decisions": review.decisions,
                   "participants": list(review.participants.values_list("pk", flat=True)),
                   "objectives": list(review.objectives.values_list("pk", flat=True)),
                   "follow_ups": list(review.follow_ups.values_list("pk", flat=True))}
    form = ReviewForm(request.POST or None, initial=initial, org=request.org)
    if review is None:
        del form.fields["refresh_snapshot"]  # a new review always takes today's snapshot
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {"title": d["title"], "held_on": d["held_on"], "participants": list(d["participants"]),
                  "objectives": list(d["objectives"]), "decisions": d["decisions"], "follow_ups": list(d["follow_ups"])}
        try:
            if review is None:
                review = services.review_create(by=request.membership, **fields)
            else:
                services.review_update(review=review, by=request.membership,
                                       refresh_snapshot=d.get("refresh_snapshot", False), **fields)
            messages.success(request, _("Review saved."))
            return redirect("objectives:review_detail", org_slug=request.org.slug, review_id=review.pk)
        except ValidationError as exc:
            _apply_errors(form, exc)
    return render(request, "objectives/review_form.html", {"form": form, "review": review})


# --- templates --------------------------------------------------------------------------------------


def _apply_targets(request):
    """The member's memberships where a template from here may be applied (objectives.templates in each)."""
    if request.org.is_consultancy:
        reach = Membership.objects.filter(  # scoped: the user's own engagements through this consultancy
            user=request.user, engagement__consultancy=request.org)
    else:
        reach = Membership.objects.for_org(request.org).filter(pk=request.membership.pk)
    ids = [m.pk for m in reach.select_related("organization") if m.can("objectives.templates")]
    return Membership.objects.filter(pk__in=ids).select_related("organization")  # scoped: ids checked above


def _library(request):
    return request.org if request.org.is_consultancy else library_of(request.membership)


@require_capability("objectives.view")
def template_list(request, org_slug):
    targets = _apply_targets(request)
    today = timezone.localdate()
    p = period_containing(today, "quarter", request.org.fiscal_year_start_month).next()
    return render(request, "objectives/template_list.html", {
        "templates": selectors.templates_of(_library(request)), "targets": targets,
        "apply_form": TemplateApplyForm(memberships=targets, initial={"period_start": p.start, "period_end": p.end}),
        "can_save": not request.org.is_consultancy and request.membership.can("objectives.templates"),
        "can_delete": request.membership.can("objectives.templates")})


@require_capability("objectives.templates")
def template_save(request, org_slug):
    if request.org.is_consultancy:
        raise Http404("Templates are saved from a company.")
    initial = {"objectives": [int(x) for x in request.GET.getlist("objective") if x.isdigit()]}
    form = TemplateSaveForm(request.POST or None, initial=initial, org=request.org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            template = services.template_save(by=request.membership, name=d["name"], description=d["description"],
                                              objectives=list(d["objectives"]))
            messages.success(request, _("Template “%(name)s” saved in %(library)s's library.") % {
                "name": template.name, "library": template.organization.name})
            return redirect("objectives:template_list", org_slug=request.org.slug)
        except ValidationError as exc:
            _apply_errors(form, exc)
    return render(request, "objectives/template_save.html", {"form": form})


@require_POST
@require_capability("objectives.view")
def template_apply(request, org_slug, template_id):
    template = get_object_or_404(ObjectiveTemplate.objects.for_org(_library(request)), pk=template_id)
    targets = _apply_targets(request)
    form = TemplateApplyForm(request.POST, memberships=targets)
    if not form.is_valid():
        messages.error(request, _("Choose at least one company and a period."))
        return redirect("objectives:template_list", org_slug=request.org.slug)
    d = form.cleaned_data
    try:
        results = services.template_apply(template=template, memberships=list(d["companies"]),
                                          period_start=d["period_start"], period_end=d["period_end"])
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("objectives:template_list", org_slug=request.org.slug)
    for r in results:
        messages.success(request, _("%(org)s: %(count)s objectives created.") % {
            "org": r.organization.name, "count": len(r.objectives)})
        for note in r.notes:
            messages.warning(request, f"{r.organization.name}: {note}")
    return redirect("objectives:template_list", org_slug=request.org.slug)


@require_POST
@require_capability("objectives.templates")
def template_delete(request, org_slug, template_id):
    template = get_object_or_404(ObjectiveTemplate.objects.for_org(_library(request)), pk=template_id)
    services.template_delete(template=template, by=request.membership)
    messages.success(request, _("Template deleted."))
    return redirect("objectives:template_list", org_slug=request.org.slug)

