"""What the route walkers need to know about the portfolio routes (see tests/isolation_registry.py).

`consolidation_id` and `mark_id` fill the consultancy's consolidation routes and the holding's own ones
alike (`holding_consolidation`, `holding_intercompany_mark`, `holding_intercompany_unmark`): a group held and
declared by the organization the walker makes it in, and an intercompany mark of that organization."""

import itertools

_seq = itertools.count(1)


def _group_id(org):
    from portfolio.models import ClientGroup

    return ClientGroup.objects.create(organization=org, name=f"Walker group {next(_seq)}").pk


def _consolidation_id(org):
    from portfolio.models import Consolidation

    return Consolidation.objects.create(organization=org, name=f"Walker {next(_seq)}",
                                        holding=org).pk


def _member_id(org):
    from portfolio.models import Consolidation, ConsolidationMember
    from tests.factories import make_consultancy

    firm = make_consultancy()
    consolidation = Consolidation.objects.create(organization=firm, name=f"Walker holding {next(_seq)}", holding=org)
    return ConsolidationMember.objects.create(organization=org, consolidation=consolidation, declared_by=firm).pk


def _mark_id(org):
    from integrations.models import Customer
    from portfolio.models import IntercompanyParty

    customer = Customer.objects.create(organization=org, source="upload", external_id=f"walker-{next(_seq)}",
                                       name="Walker subsidiary")
    return IntercompanyParty.objects.create(organization=org, customer=customer).pk


URL_KWARG_FACTORIES = {
    "group_id": _group_id,
    "consolidation_id": _consolidation_id,
    "member_id": _member_id,
    "mark_id": _mark_id,
}
