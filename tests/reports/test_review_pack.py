"""A finance–operations review exports as a PDF pack and is e-mailed to its participants, each in their language."""

from datetime import date

import pytest
from django.core import mail

from accounts.capabilities import Role
from accounts.services import user_email_language_set
from objectives.services.reviews import review_create
from reports import services
from tests.conftest import url
from tests.factories import make_member
from tests.objectives.helpers import make_action_plan, make_key_result, make_objective
from tests.reports.helpers import pdf_text


@pytest.fixture
def review(acme, alice, bob):
    objective = make_objective(acme, title="Invoice 500 K€ in Q4", owner=alice)
    make_key_result(objective, start="0", target="500000")
    plan = make_action_plan(objective)
    return review_create(by=alice, title="November finance–ops review", held_on=date(2026, 11, 14),
                         participants=[alice, bob], objectives=[objective],
                         decisions="Hire two pickers for December\nOpen Saturday shipping", follow_ups=[plan])


def test_the_review_pack_pdf_holds_the_objectives_frozen_decisions_and_follow_ups(client, review, bob):
    client.force_login(bob.user)
    response = client.get(url("reports:review_pack_pdf", org_slug="acme", review_id=review.pk))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ["November finance–ops review", "Invoice 500 K€ in Q4", "Hire two pickers for December",
                     "Open Saturday shipping", review.follow_ups.get().title, "500,000.00", "Acme"]:
        assert expected in text, expected


def test_the_pack_is_e_mailed_to_each_participant_in_their_language(client, review, alice, bob,
                                                                   django_capture_on_commit_callbacks):
    user_email_language_set(user=bob.user, language="fr")
    client.force_login(alice.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("reports:review_pack_send", org_slug="acme", review_id=review.pk))
    assert response.status_code == 302
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[alice.user.email].startswith("Review pack · November finance–ops review")
    assert subjects[bob.user.email].startswith("Dossier de revue · November finance–ops review")
    assert all(m.attachments[0][2] == "application/pdf" for m in mail.outbox)
    fr_pack = next(m for m in mail.outbox if m.to == [bob.user.email]).attachments[0][1]
    assert "Décisions" in pdf_text(fr_pack)


def test_a_viewer_reads_the_pack_but_cannot_send_it(client, acme, review):
    viewer = make_member(acme, role=Role.VIEWER)
    client.force_login(viewer.user)
    assert client.get(url("reports:review_pack_pdf", org_slug="acme", review_id=review.pk)).status_code == 200
    assert client.post(url("reports:review_pack_send", org_slug="acme", review_id=review.pk)).status_code == 403
    assert mail.outbox == []


def test_another_tenants_review_is_a_404(client, review, mallory):
    client.force_login(mallory.user)
    assert client.get(url("reports:review_pack_pdf", org_slug="globex", review_id=review.pk)).status_code == 404
