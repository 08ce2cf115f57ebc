"""Which clients a consultancy member serves, and what they may see in each.

Every page of this app starts here: the clients are the companies where the signed-in user holds a
membership through an engagement of the current consultancy (an approved engagement creates it; a
pending or ended one leaves none), and what they see there is what that membership's role sees
(`kpis.visibility`). Reading the clients' rows in one query per table happens inside
`accounts.rls.clients_read_context`, which PostgreSQL narrows to those same clients. A holding's own
consolidated page reads the companies of its group the same way (`reading_own_companies`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import IntegerField, Value

from accounts import rls
from accounts.models import Membership, Organization
from config.kept_sql import kept_query
from kpis.models import Kpi, Metric
from kpis.selectors import Visibility
from kpis.visibility import required_capabilities


@dataclass(frozen=True)
class ServedClient:
    org: Organization
    membership: Membership  # the viewer's own membership in the client: their engagement's role there
    visibility: Visibility

    def may_see(self, slug: str) -> bool:
        return self.visibility.allows(self.membership, slug)


def client_memberships(consultancy_member: Membership) -> list[Membership]:
    """The viewer's memberships in the clients they serve for this consultancy; 1 query."""
    if not consultancy_member.organization.is_consultancy:
        return []
    user_id, consultancy_id = consultancy_member.user_id, consultancy_member.organization_id
    return kept_query(("portfolio.client_memberships", user_id, consultancy_id), lambda: (
        Membership.objects.filter(  # scoped: the user's own memberships, through this consultancy's engagements
            user_id=user_id, engagement__consultancy_id=consultancy_id)
        .select_related("organization")
        .order_by("organization__name")))


def visibilities_of(org_ids: Iterable[int]) -> dict[int, Visibility]:
    """Each client's metric and KPI visibility rules (kpis.visibility), read for all clients at once; 1 query (the
    KPIs' rows and the metrics', a UNION ALL).

    Call it inside `clients_read_context`."""
    org_ids = tuple(org_ids)
    kpis: dict[int, list] = defaultdict(list)
    metrics: dict[int, list] = defaultdict(list)

    def build():
        kpi_rows = Kpi.objects.filter(organization_id__in=org_ids).annotate(  # scoped: the served clients only
            src=Value(0)).values_list("src", "organization_id", "slug", "pk", "formula", "visibility_capability")
        metric_rows = Metric.objects.filter(organization_id__in=org_ids).annotate(  # scoped: the served clients only
            src=Value(1), no_pk=Value(None, output_field=IntegerField()), no_formula=Value("")).values_list(
            "src", "organization_id", "slug", "no_pk", "no_formula", "visibility_capability")
        # Each part without its model's default ordering: SQLite refuses ORDER BY inside a compound statement.
        return kpi_rows.order_by().union(metric_rows.order_by(), all=True).order_by("src", "organization_id", "slug")

    for src, org_id, slug, pk, formula, cap in kept_query(("portfolio.visibility", org_ids), build):
        if src == 0:
            kpis[org_id].append((slug, pk, formula, cap))
        else:
            metrics[org_id].append((slug, cap))
    return {org_id: _visibility(tuple(kpis[org_id]), tuple(metrics[org_id])) for org_id in org_ids}


@lru_cache(maxsize=256)
def _visibility(kpis: tuple[tuple[str, int, str, str], ...], metrics: tuple[tuple[str, str], ...]) -> Visibility:
    """A client's visibility from its rows, worked out once per process and catalogue: the formulas' walk costs
    more than reading the rows, and the same catalogue comes back on every page of the portfolio."""
    return Visibility(
        required=required_capabilities(kpis={slug: (formula, cap) for slug, _pk, formula, cap in kpis},
                                       metrics=dict(metrics)),
        kpi_ids={slug: pk for slug, pk, _formula, _cap in kpis})


@contextmanager
def reading_clients(consultancy_member: Membership, *, only: set[int] | None = None) -> Iterator[list[ServedClient]]:
    """`with reading_clients(member) as clients:` the clients with the viewer's role and visibility in
    each, and their rows readable for the block; 2 queries. `only` narrows to some of them (a filter),
    never widens. Selectors called in the block return plain data, so nothing is read after it."""
    with _reading(client_memberships(consultancy_member), only=only) as clients:
        yield clients


@contextmanager
def reading_own_companies(member: Membership, *, only: set[int] | None = None) -> Iterator[list[ServedClient]]:
    """`with reading_own_companies(member, only=ids) as companies:` the companies (of `only`) where the
    signed-in user holds a membership, with their role and visibility in each, as the holding's own pages
    read them (no consultancy in between), and their rows readable for the block; 2 queries, whatever the
    number of companies. PostgreSQL shows another company's rows only if it also approved a group that the
    current organization holds and declared itself (`accounts.rls`); the ORM reads only the group's."""
    memberships = list(
        Membership.objects.filter(  # scoped: the user's own memberships (their RLS exception)
            user_id=member.user_id, organization__kind=Organization.Kind.COMPANY)
        .select_related("organization").order_by("organization__name"))
    with _reading(memberships, only=only) as companies:
        yield companies


@contextmanager
def _reading(memberships: list[Membership], *, only: set[int] | None) -> Iterator[list[ServedClient]]:
    if only is not None:
        memberships = [m for m in memberships if m.organization_id in only]
    with rls.clients_read_context([m.organization_id for m in memberships]):
        visibilities = visibilities_of(m.organization_id for m in memberships) if memberships else {}
        yield [ServedClient(org=m.organization, membership=m, visibility=visibilities[m.organization_id])
               for m in memberships]
