"""Contract: Zoho's own Python SDK (zohocrmsdk8-0) reads our fake as it reads a real CRM.

The SDK takes its data centre as a `DataCenter.Environment` (API URL, accounts token URL, file upload
URL); one pointing at the fake served over real HTTP on 127.0.0.1 (the server `manage.py fake_provider
zoho` runs) is all it needs. The SDK then refreshes an access token at the fake's accounts server,
stores it in a file token store, and reads Deals through `RecordOperations.get_records`.
"""

from datetime import date

import pytest
from zohocrmsdk.src.com.zoho.api.authenticator.oauth_token import OAuthToken
from zohocrmsdk.src.com.zoho.api.authenticator.store.file_store import FileStore
from zohocrmsdk.src.com.zoho.crm.api.dc.data_center import DataCenter
from zohocrmsdk.src.com.zoho.crm.api.exception import SDKException
from zohocrmsdk.src.com.zoho.crm.api.initializer import Initializer
from zohocrmsdk.src.com.zoho.crm.api.parameter_map import ParameterMap
from zohocrmsdk.src.com.zoho.crm.api.record import GetRecordsParam, RecordOperations, ResponseWrapper

from integrations.fakes.zoho import WsgiApp, ZohoFake
from tests.integrations.contract.served import served
from tests.integrations.zoho.conftest import acme_crm


@pytest.fixture
def fake():
    return ZohoFake(scenario=acme_crm(), hosts={})  # served over HTTP: every host is the account's


@pytest.fixture
def sdk(fake, tmp_path):
    refresh_token = fake.issue_tokens()["refresh_token"]
    fake.tokens.clear()  # the SDK starts from the refresh token alone
    with served(WsgiApp(fake)) as url:
        environment = DataCenter.Environment(url, f"{url}/oauth/v2/token", url)
        token = OAuthToken(client_id=fake.client_id, client_secret=fake.client_secret,
                           refresh_token=refresh_token, find_user=False)
        Initializer.initialize(environment=environment, token=token,
                               store=FileStore(str(tmp_path / "zoho_tokens.csv")), resource_path=str(tmp_path))
        yield token


def test_the_sdk_refreshes_a_token_at_the_fake_accounts_server(fake, sdk):
    refreshes = fake.requests_to("/oauth/v2/token")
    assert [r.method for r in refreshes] == ["POST"] and refreshes[0].status == 200
    assert sdk.get_access_token() in fake.tokens


def _deals_page(fields, **extra):
    params = ParameterMap()
    params.add(GetRecordsParam.fields, fields)
    params.add(GetRecordsParam.per_page, 2)
    for name, value in extra.items():
        params.add(getattr(GetRecordsParam, name), value)
    return RecordOperations("Deals").get_records(params)


def test_the_sdk_reads_the_fake_deals_with_their_types(fake, sdk):
    response = _deals_page("Deal_Name,Stage,Amount,Closing_Date,Currency,Owner,Account_Name")
    assert response.get_status_code() == 200
    wrapper = response.get_object()
    assert isinstance(wrapper, ResponseWrapper)
    early, open_deal = wrapper.get_data()  # newest id first, as Zoho sorts by default
    assert early.get_id() == int(fake.scenario.early.id) and open_deal.get_id() == int(fake.scenario.open.id)
    assert open_deal.get_key_value("Deal_Name") == "Alpes — chalets"
    assert open_deal.get_key_value("Stage").get_value() == "Negotiation/Review"
    assert open_deal.get_key_value("Amount") == 9400.0  # a currency field reaches the SDK as a float
    assert open_deal.get_key_value("Closing_Date") == date(2026, 12, 15)
    assert open_deal.get_key_value("Currency").get_value() == "CHF"
    assert open_deal.get_key_value("Owner").get_id() == int(fake.scenario.left.id)
    assert open_deal.get_key_value("Account_Name").get_id() == int(fake.scenario.alpes.id)
    assert early.get_key_value("Amount") is None and early.get_key_value("Closing_Date") is None
    # the SDK asked for the fields metadata first, then the records, with the token it refreshed
    assert [r.path for r in fake.log if r.path.startswith("/crm/")][-1] == "/crm/v8/Deals"
    assert fake.requests_to("/crm/v8/settings/fields")[0].query["module"] == ["Deals"]


def test_the_sdk_follows_the_fake_page_token(fake, sdk):
    info = _deals_page("Deal_Name").get_object().get_info()
    assert info.get_more_records() is True and info.get_next_page_token()
    rest = _deals_page("Deal_Name", page_token=info.get_next_page_token()).get_object()
    assert [r.get_id() for r in rest.get_data()] == [int(fake.scenario.won.id)]
    assert rest.get_info().get_more_records() is False


def test_an_unknown_refresh_token_is_refused_to_the_sdk(fake, tmp_path):
    with served(WsgiApp(fake)) as url:
        token = OAuthToken(client_id=fake.client_id, client_secret=fake.client_secret,
                           refresh_token="1000.not.issued", find_user=False)
        with pytest.raises(SDKException) as refused:
            Initializer.initialize(environment=DataCenter.Environment(url, f"{url}/oauth/v2/token", url),
                                   token=token, store=FileStore(str(tmp_path / "zoho_tokens.csv")),
                                   resource_path=str(tmp_path))
    assert "invalid_code" in str(refused.value)
