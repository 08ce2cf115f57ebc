"""Fixtures of the portfolio tests."""

import pytest

from accounts.capabilities import Role
from tests.factories import make_member, make_org
from tests.portfolio.helpers import figures


@pytest.fixture
def holding_and_sub(db):
    """Claire is the CEO of Holding and sits on Sub's board as its CEO too; Sub has its own CEO, Oliver."""
    holding, sub = make_org(name="Holding"), make_org(name="Sub")
    claire = make_member(holding, role=Role.CEO, email="claire@holding.test")
    make_member(sub, role=Role.CEO, user=claire.user)
    oliver = make_member(sub, role=Role.CEO, email="oliver@sub.test")
    figures(holding, revenue=1000, cogs=600, ebe=150, cash=300, receivables=240, sales_incl_vat=1200)
    figures(sub, revenue=500, cogs=100, ebe=90, cash=-50, receivables=360, sales_incl_vat=600)
    return claire, oliver, holding, sub
