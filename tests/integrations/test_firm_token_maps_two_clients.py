import httpx
import pytest
from django.core.exceptions import ValidationError

from integrations.fakes.pennylane import PennylaneFake
from integrations.http import mount_transport
from integrations.models import Connection, Invoice
from integrations.services import connection_connect, connection_sync, firm_company_map
from tests.factories import make_engagement, make_member
from tests.integrations.conftest import FAKE_BASE, make_book

pytestmark = pytest.mark.django_db
FIRM_TOKEN = "firm-token-caproute"


@pytest.fixture
def firm_world(settings):
    settings.PENNYLANE_FIRM_RATE_LIMIT = (10_000, 1)
    settings.INTEGRATIONS_REDIS_URL = ""
    first, second = make_book(company_id=8001, name="Client Un SAS", invoices=4), \
        make_book(company_id=8002, name="Client Deux SAS", invoices=6, seed=2)
    world = PennylaneFake(books={8001: first, 8002: second}, tokens={}, firm_tokens={FIRM_TOKEN: [8001, 8002]},
                          firm_rate_limit=(10_000, 1))
    mount_transport(FAKE_BASE, httpx.WSGITransport(app=world))
    settings.PENNYLANE_FIRM_API_BASE_URL = f"{FAKE_BASE}/api/external/firm/v1"
    yield world
    mount_transport(FAKE_BASE, None)


def test_a_consultancy_firm_token_mapped_to_two_clients_keeps_their_records_apart(capfirm, acme, globex, carol,
                                                                                  firm_world):
    make_engagement(client=globex, consultant=make_member(capfirm, role="coo"), role="coo")
    firm = connection_connect(org=capfirm, provider="pennylane_firm", credentials={"token": FIRM_TOKEN}, by=carol)
    acme_link = firm_company_map(firm=firm, company_id="8001", client=acme, by=carol)
    globex_link = firm_company_map(firm=firm, company_id="8002", client=globex, by=carol)

    connection_sync(connection=acme_link)
    connection_sync(connection=globex_link)

    assert Invoice.objects.for_org(acme).filter(kind="customer").count() == 4
    assert Invoice.objects.for_org(globex).filter(kind="customer").count() == 6
    assert Invoice.objects.for_org(capfirm).count() == 0
    acme_ids = set(Invoice.objects.for_org(acme).values_list("external_id", flat=True))
    globex_ids = set(Invoice.objects.for_org(globex).values_list("external_id", flat=True))
    assert acme_ids.isdisjoint(globex_ids)
    # Every request went to the mapped company's own path.
    paths = {r["path"].split("/")[6] for r in firm_world.requests if "/companies/" in r["path"]}
    assert paths == {"8001", "8002"}


def test_a_firm_cannot_map_a_company_to_an_organization_it_is_not_engaged_on(capfirm, acme, globex, carol,
                                                                              firm_world):
    firm = connection_connect(org=capfirm, provider="pennylane_firm", credentials={"token": FIRM_TOKEN}, by=carol)

    with pytest.raises(ValidationError):
        firm_company_map(firm=firm, company_id="8002", client=globex, by=carol)
    assert not Connection.objects.for_org(globex).exists()


def test_only_a_consultancy_connects_a_firm_token(acme, alice, firm_world):
    with pytest.raises(ValidationError):
        connection_connect(org=acme, provider="pennylane_firm", credentials={"token": FIRM_TOKEN}, by=alice)
