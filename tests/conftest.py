"""The fixed cast every test can name.

acme and globex are two client companies; alice is Acme's CFO, bob Acme's COO; carol is a
consultant of the firm `capfirm`, engaged on Acme only; mallory is Globex's CEO, the outsider
in every isolation test.
"""

import pytest
from django.urls import reverse

from accounts.capabilities import Role
from tests.factories import make_consultancy, make_engagement, make_member, make_org


@pytest.fixture
def acme(db):
    return make_org(name="Acme", slug="acme")


@pytest.fixture
def globex(db):
    return make_org(name="Globex", slug="globex")


@pytest.fixture
def capfirm(db):
    return make_consultancy(name="Cap Firm", slug="capfirm")


@pytest.fixture
def alice(acme):
    return make_member(acme, role=Role.CFO, email="alice@acme.test")


@pytest.fixture
def bob(acme):
    return make_member(acme, role=Role.COO, email="bob@acme.test")


@pytest.fixture
def acme_ceo(acme):
    return make_member(acme, role=Role.CEO, email="ceo@acme.test")


@pytest.fixture
def carol(capfirm, acme):
    """Carol's membership in Acme, granted by her firm's engagement."""
    firm_membership = make_member(capfirm, role=Role.COO, email="carol@capfirm.test")
    engagement = make_engagement(client=acme, consultant=firm_membership, role=Role.COO)
    return engagement.membership


@pytest.fixture
def mallory(globex):
    return make_member(globex, role=Role.CEO, email="mallory@globex.test")


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args, kwargs=kwargs or None)
