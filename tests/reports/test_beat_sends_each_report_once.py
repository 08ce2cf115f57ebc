"""Beat → reports queue: one report per period per recipient, under retries and with two beats running."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from accounts.capabilities import Role
from reports import services
from reports.models import SentReport
from reports.schedule import month_period
from reports.tasks import reports_send_due_task, schedule_deliver_task
from tests.factories import make_member
from tests.reports.helpers import REPORT_MONTH, kpis_with_history, make_schedule

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _quick_pdf(monkeypatch):
    # Claims are under test here, not the PDF (test_pdf_* render real ones): skip WeasyPrint's seconds.
    monkeypatch.setattr("reports.rendering.pdf_from_html", lambda html: b"%PDF-1.4 stub")


@pytest.fixture
def scheduled(acme, alice, acme_ceo):
    kpis_with_history(acme)
    return make_schedule(acme, kind="cfo", day=3, hour=8, roles=[Role.CFO], members=[acme_ceo])


def test_nothing_is_sent_before_the_schedules_day_and_hour(scheduled):
    with freeze_time(datetime(2026, 11, 3, 7, 59, tzinfo=PARIS)):
        assert reports_send_due_task() == 0
    assert mail.outbox == []


def test_the_beat_sends_the_last_month_once_to_each_recipient(scheduled, alice, acme_ceo):
    with freeze_time(datetime(2026, 11, 3, 8, 0, tzinfo=PARIS)):
        reports_send_due_task()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([acme_ceo.user.email, alice.user.email])
    rows = SentReport.objects.for_org(scheduled.organization)
    assert set(rows.values_list("period_key", "status")) == {("2026-10", "sent")}


def test_two_beats_and_every_later_beat_of_the_month_send_nothing_more(scheduled):
    for moment in [datetime(2026, 11, 3, 8, 0), datetime(2026, 11, 3, 8, 0), datetime(2026, 11, 3, 8, 15),
                   datetime(2026, 11, 20, 12, 0), datetime(2026, 11, 30, 23, 45)]:
        with freeze_time(moment.replace(tzinfo=PARIS)):
            reports_send_due_task()
    assert len(mail.outbox) == 2
    assert SentReport.objects.for_org(scheduled.organization).count() == 2


def test_a_retried_or_redelivered_task_sends_nothing_twice(scheduled):
    for _attempt in range(3):
        schedule_deliver_task(scheduled.pk, "2026-10")
    assert len(mail.outbox) == 2


def test_the_next_month_is_a_new_period(scheduled):
    with freeze_time(datetime(2026, 11, 3, 9, 0, tzinfo=PARIS)):
        reports_send_due_task()
    with freeze_time(datetime(2026, 12, 3, 9, 0, tzinfo=PARIS)):
        reports_send_due_task()
    keys = SentReport.objects.for_org(scheduled.organization).values_list("period_key", flat=True)
    assert sorted(set(keys)) == ["2026-10", "2026-11"]
    assert len(mail.outbox) == 4


def test_a_claim_whose_worker_died_is_taken_over_once_it_is_stale(scheduled, alice, settings):
    period = month_period(REPORT_MONTH)
    claimed = services.report_claim(schedule=scheduled, kind="cfo", recipient=alice, period=period)
    assert claimed is not None
    # The worker dies before sending: a fresh claim is not taken over…
    assert services.report_claim(schedule=scheduled, kind="cfo", recipient=alice, period=period) is None
    # …a stale one is, by exactly one of two competing attempts.
    SentReport.objects.for_org(alice.organization).filter(pk=claimed.pk).update(
        claimed_at=timezone.now() - timedelta(seconds=settings.REPORTS_CLAIM_STALE_SECONDS + 1))
    first = services.report_claim(schedule=scheduled, kind="cfo", recipient=alice, period=period)
    second = services.report_claim(schedule=scheduled, kind="cfo", recipient=alice, period=period)
    assert first is not None and first.pk == claimed.pk and second is None


def test_a_disabled_schedule_sends_nothing(acme, alice):
    make_schedule(acme, roles=[Role.CFO], is_enabled=False)
    with freeze_time(datetime(2026, 11, 3, 9, 0, tzinfo=PARIS)):
        assert reports_send_due_task() == 0
    assert mail.outbox == []


def test_a_weekly_schedule_reports_on_the_iso_week_before(acme, alice):
    kpis_with_history(acme)
    make_schedule(acme, kind="ceo", frequency="weekly", day=1, hour=7, roles=[Role.CFO])
    with freeze_time(datetime(2026, 11, 9, 7, 30, tzinfo=PARIS)):  # Monday of week 46
        reports_send_due_task()
        reports_send_due_task()
    assert list(SentReport.objects.for_org(acme).values_list("period_key", flat=True)) == ["2026-W45"]
    assert len(mail.outbox) == 1


def test_each_tenant_gets_its_own_recipients_only(scheduled, globex, mallory):
    make_member(globex, role=Role.CFO, email="cfo@globex.test")
    make_schedule(globex, roles=[Role.CFO])
    with freeze_time(datetime(2026, 11, 3, 9, 0, tzinfo=PARIS)):
        reports_send_due_task()
    by_org = {(r.organization_id, r.recipient_email) for r in SentReport.objects.all()}  # scoped: a test looking across tenants
    assert (globex.pk, "cfo@globex.test") in by_org
    assert all(email.endswith("@globex.test") for org_id, email in by_org if org_id == globex.pk)
    assert len(mail.outbox) == 3
