"""A malformed HubSpot record is refused with its reason; the rest of the sync goes on."""

from integrations.models import Deal, RejectedRecord, SyncRun
from integrations.services import connection_sync


def test_a_deal_with_a_hand_typed_amount_is_rejected_with_its_reason(acme, hubspot_connection, hubspot_fake):
    bad = hubspot_fake.scenario.add_deal(name="Opale — renewal", amount="12 OOO", stage="qualifiedtobuy")

    run = connection_sync(connection=hubspot_connection)

    assert run.state == SyncRun.State.DONE
    assert run.counts["deal"]["created"] == 3
    assert run.counts["deal"]["rejected"] == 1
    rejection = RejectedRecord.objects.for_org(acme).get(sync_run=run)
    assert (rejection.model, rejection.external_id) == ("deal", str(bad.id))
    assert rejection.reason == "The deal amount '12 OOO' is not a number."
    assert rejection.payload["amount"] == "12 OOO"
    assert not Deal.objects.for_org(acme).filter(external_id=str(bad.id)).exists()


def test_a_deal_without_a_name_is_rejected(acme, hubspot_connection, hubspot_fake):
    bad = hubspot_fake.scenario.add_deal(name="", amount="5000")

    run = connection_sync(connection=hubspot_connection)

    rejection = RejectedRecord.objects.for_org(acme).get(sync_run=run)
    assert (rejection.external_id, rejection.reason) == (str(bad.id), "The deal has no name (dealname is empty).")
