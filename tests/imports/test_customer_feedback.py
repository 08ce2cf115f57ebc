"""Customer feedback (NPS 0–10, CSAT 1–5) comes in by file or push and feeds the NPS and CSAT KPIs.

NPS = % promoters (9–10) − % detractors (0–6) of the period's NPS answers; CSAT = % of CSAT answers
scoring 4 or 5 (the "share of satisfied" definition, not the mean score).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache

from accounts.api_keys import api_key_create
from integrations.models import Feedback
from kpis.models import KpiValue
from kpis.services import catalogue_install
from tests.imports.helpers import confirm, csv_bytes, upload

PATH = "/api/v1/orgs/acme/records/feedback/"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _push(client, acme_ceo, body):
    _key, secret = api_key_create(org=acme_ceo.organization, by=acme_ceo, name="Survey tool", role="viewer",
                                  can_write=True)
    return client.post(PATH, body, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {secret}")


def _answer(n, scale, score, day="2026-03-10"):
    return {"response": f"R-{n}", "date": day, "scale": scale, "score": score, "channel": "email"}


def _month_value(org, slug):
    return KpiValue.objects.for_org(org).get(kpi__slug=slug, grain="month", period_start=date(2026, 3, 1),
                                             dimension_value="").value


def test_pushed_answers_give_nps_as_promoters_minus_detractors(client, acme, acme_ceo,
                                                               django_capture_on_commit_callbacks):
    catalogue_install(acme)
    scores = [10, 9, 9, 8, 7, 6, 3, 10, 9, 0]  # 5 promoters, 3 detractors, 2 passives
    body = [_answer(i, "nps", s) for i, s in enumerate(scores)]
    with django_capture_on_commit_callbacks(execute=True):
        assert _push(client, acme_ceo, body).json()["created"] == 10
    assert _month_value(acme, "nps") == Decimal("20")  # 50 % − 30 %


def test_csat_is_the_share_of_answers_scoring_4_or_5(client, acme, acme_ceo, django_capture_on_commit_callbacks):
    catalogue_install(acme)
    body = [_answer(i, "csat", s) for i, s in enumerate([5, 4, 4, 3, 1, 5, 2, 4])]  # 5 of 8 satisfied
    with django_capture_on_commit_callbacks(execute=True):
        _push(client, acme_ceo, body)
    assert _month_value(acme, "csat") == Decimal("62.5")


def test_scores_out_of_their_scale_are_refused_with_the_range(client, acme, acme_ceo):
    response = _push(client, acme_ceo, [_answer(1, "nps", 11), _answer(2, "csat", 0), _answer(3, "ces", 3)])
    assert response.status_code == 400
    assert [(e["index"], e["field"], e["code"]) for e in response.json()["errors"]] == [
        (0, "score", "score_range"), (1, "score", "score_range"), (2, "scale", "unknown_scale")]
    assert "0 to 10" in response.json()["errors"][0]["message"]
    assert not Feedback.objects.for_org(acme).exists()


def test_the_answer_id_is_the_natural_key(client, acme, acme_ceo):
    _push(client, acme_ceo, [_answer(1, "nps", 4)])
    assert _push(client, acme_ceo, [_answer(1, "nps", 9)]).json() == {
        "created": 0, "updated": 1, "unchanged": 0, "deleted": 0}
    assert list(Feedback.objects.for_org(acme).values_list("score", flat=True)) == [9]


def test_a_survey_export_imports_with_french_headers(acme, bob):
    content = csv_bytes(["Identifiant;Repondu le;Echelle;Note;Canal;Commentaire",
                         "R-1;04/03/2026;NPS;9;email;Livraison rapide",
                         "R-2;05/03/2026;csat;2;support;=HYPERLINK(\"x\")"])
    run = confirm(upload(acme, bob, content, kind="feedback", name="survey.csv"), bob)
    assert run.state == run.State.DONE, run.errors
    rows = Feedback.objects.for_org(acme).order_by("external_id")
    assert [(f.scale, f.score, f.channel) for f in rows] == [("nps", 9, "email"), ("csat", 2, "support")]
