"""Refusals only the admin can fix (revoked or malformed token) stop the sync and mark the connection
as needing attention, with a message that says what to do; a missing scope skips only what it guards."""

from django.utils import translation

from integrations.fakes.hubspot import READ_SCOPES
from integrations.models import Connection, Contact, Deal, SyncRun
from integrations.services import connection_sync


def _connect(org, token):
    return Connection.objects.create(organization=org, provider="hubspot", credentials={"token": token},
                                     provider_account_id="7001")


def test_a_missing_deals_scope_skips_the_deals_and_syncs_the_rest(acme, hubspot_fake):
    token = hubspot_fake.add_private_token(scopes=[s for s in READ_SCOPES if s != "crm.objects.deals.read"])
    connection = _connect(acme, token)

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.DONE
    assert connection.status == Connection.Status.PARTLY_SYNCED
    assert [(s["object_type"], s["reason"]) for s in run.skipped] == [
        ("deals", "Deals: this token lacks the crm.objects.deals.read scope — pipeline, win rate and bookings will not show.")]
    with translation.override("fr"):
        assert run.skipped_reasons == ["Opportunités\u202f: ce jeton n’a pas le droit crm.objects.deals.read — le pipeline, "
                                       "le taux de gain et les signatures ne s’afficheront pas."]
    assert Contact.objects.for_org(acme).exists() and not Deal.objects.for_org(acme).exists()
    assert [r.status for r in hubspot_fake.log].count(403) == 1  # never retried


def test_a_revoked_token_asks_to_reconnect(acme, hubspot_fake):
    connection = _connect(acme, "pat-eu1-revoked-long-ago")

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert connection.last_error.startswith("HubSpot refused the token")
    assert "pat-eu1-revoked-long-ago" not in connection.last_error + " ".join(run.errors)


def test_a_malformed_token_is_a_401_that_asks_to_reconnect(acme, hubspot_fake):
    # HubSpot documents 401 for any invalid authentication; 5xx (530 included) are its servers' errors.
    connection = _connect(acme, "pat eu1 with spaces")

    run = connection_sync(connection=connection)

    connection.refresh_from_db()
    assert run.state == SyncRun.State.FAILED
    assert connection.status == Connection.Status.NEEDS_ATTENTION
    assert connection.last_error.startswith("HubSpot refused the token")
    assert [r.status for r in hubspot_fake.log] == [401]
