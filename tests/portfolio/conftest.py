"""Fixtures of the portfolio tests."""

import pytest

from tests.portfolio.helpers import holding_with_a_subsidiary


@pytest.fixture
def holding_and_sub(db):
    """Claire is the CEO of Holding and sits on Sub's board as its CEO too; Sub has its own CEO, Oliver."""
    return holding_with_a_subsidiary()
