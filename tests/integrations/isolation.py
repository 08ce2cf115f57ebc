"""How the route walkers make the objects the integrations routes name."""

import itertools

from integrations.models import SyncRun
from integrations.registry import OAUTH_APPS
from tests.integrations.conftest import make_connection

# An OAuth provider redirects the admin back to one fixed URI (outside /o/<org_slug>/); it answers 404
# unless the signed state names an organization the user may manage.
AUTH_ONLY_ROUTES = {f"{provider}_oauth_callback" for provider in OAUTH_APPS}
PUBLIC_ROUTES = {"hubspot_webhook"}  # HubSpot's servers post here; every request must carry a valid signature
# Zoho's and Salesforce's servers post here; the URL carries a signed connection id, the body a token / org id.
PUBLIC_ROUTES |= {"zoho_notify", "salesforce_outbound_message"}


def _sync_run_id(org):
    connection = make_connection(org, token="walker-token")
    return SyncRun.objects.create(organization=org, connection=connection, state=SyncRun.State.DONE).pk


_accounts = itertools.count(1)


def _ledger_account_id(org):
    from integrations.models import LedgerAccount

    return LedgerAccount.objects.create(organization=org, source="pennylane", external_id=f"walker-{next(_accounts)}",
                                        number="6900", classification="Expense/Other").pk


URL_KWARG_FACTORIES = {
    "account_id": _ledger_account_id,
    "connection_id": lambda org: make_connection(org, token="walker-token").pk,
    "sync_run_id": _sync_run_id,
    "pk@integrations.connection": lambda org: make_connection(org, token="walker-token").pk,
    "pk@integrations.syncrun": _sync_run_id,
    "signed_id": lambda org: "not-a-signed-id",  # the notification routes: 404 for anything unsigned
    "provider": lambda org: "xero",  # the OAuth account choice page: 404 without a consent waiting in the session
}
