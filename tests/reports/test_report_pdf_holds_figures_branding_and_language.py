"""A sent report: its PDF's text (pypdf) holds the figures, the notes and the branding name; each recipient
reads it in their own language; a consultancy's schedule carries the consultancy's branding."""

from datetime import date

import pytest
from django.core import mail
from freezegun import freeze_time
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.capabilities import Role
from accounts.services import user_email_language_set
from reports import services
from reports.models import SentReport
from reports.schedule import month_period
from tests.factories import make_member
from tests.reports.helpers import REPORT_MONTH, kpis_with_history, make_schedule, pdf_text, png_bytes


@pytest.fixture
def october(acme):
    kpis_with_history(acme)
    return month_period(REPORT_MONTH)


def _pdf_of(message) -> bytes:
    (name, content, mimetype), = [a for a in message.attachments if isinstance(a, tuple)]
    assert mimetype == "application/pdf" and name.endswith(".pdf")
    return content


def test_the_cfo_report_pdf_holds_the_figures_deltas_notes_and_the_companys_name(acme, alice, october):
    services.schedule_deliver(schedule=make_schedule(acme, roles=[Role.CFO]), period=october)
    (message,) = mail.outbox
    assert message.to == [alice.user.email]
    assert message.subject == "CFO costs and margins · Acme · October 2026"
    text = pdf_text(_pdf_of(message))
    assert "Acme" in text
    assert "€123,456" in text  # revenue of October
    assert "€24,680" in text  # EBE: the CFO sees cost detail
    assert "+10.0%" in text  # vs September (112,233)
    assert "+23.5%" in text  # vs October last year (100,000)
    assert "Autumn sale brought orders forward" in text
    html = message.alternatives[0][0]
    assert "€123,456" in html and "Autumn sale brought orders forward" in html


def test_a_french_recipient_reads_it_in_french_with_french_formats(acme, october):
    pierre = make_member(acme, role=Role.CFO, email="pierre@acme.test")
    user_email_language_set(user=pierre.user, language="fr")
    services.schedule_deliver(schedule=make_schedule(acme, members=[pierre]), period=october)
    (message,) = mail.outbox
    assert message.subject == "Coûts et marges (DAF) · Acme · octobre 2026"
    text = pdf_text(_pdf_of(message))
    assert "123 456 €" in text.replace("\u202f", " ").replace("\u00a0", " ")  # French grouping, euro after
    assert "Chiffres clés" in text
    assert SentReport.objects.for_org(acme).get().language == "fr"


def test_each_recipient_gets_their_own_language(acme, alice, october):
    pierre = make_member(acme, role=Role.CFO, email="pierre@acme.test")
    user_email_language_set(user=pierre.user, language="fr")
    services.schedule_deliver(schedule=make_schedule(acme, roles=[Role.CFO]), period=october)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[alice.user.email].startswith("CFO costs and margins")
    assert subjects["pierre@acme.test"].startswith("Coûts et marges (DAF)")


def test_a_viewer_report_never_carries_cost_detail(acme, october):
    viewer = make_member(acme, role=Role.VIEWER, email="viewer@acme.test")
    services.schedule_deliver(schedule=make_schedule(acme, kind="cfo", members=[viewer]), period=october)
    (message,) = mail.outbox
    text = pdf_text(_pdf_of(message)) + message.body + message.alternatives[0][0]
    assert "€123,456" in text
    assert "EBE" not in text and "24,680" not in text
    assert "1 figure of this report is not shown" in text


def test_the_company_branding_name_logo_and_colours_are_in_its_reports(acme, alice, acme_ceo, october):
    services.branding_update(org=acme, by=acme_ceo, display_name="Acme Finance", primary_colour="#112233",
                             accent_colour="#445566",
                             logo=SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png"))
    services.schedule_deliver(schedule=make_schedule(acme, roles=[Role.CFO]), period=october)
    (message,) = mail.outbox
    assert "Acme Finance" in pdf_text(_pdf_of(message))
    assert "#112233" in message.alternatives[0][0]
    logo = [a for a in message.attachments if not isinstance(a, tuple)]
    assert logo and logo[0]["Content-ID"] == "<logo>"
    assert SentReport.objects.for_org(acme).get().branded_by == "Acme Finance"


def test_a_consultancys_schedule_carries_the_consultancys_branding_and_the_clients_own_carries_the_clients(
        acme, alice, acme_ceo, capfirm, carol, october):
    firm_ceo = make_member(capfirm, role=Role.CEO)
    services.branding_update(org=capfirm, by=firm_ceo, display_name="Cap Firm Advisory", primary_colour="#0a0a0a",
                             accent_colour="#ff8800")
    services.branding_update(org=acme, by=acme_ceo, display_name="Acme Finance", primary_colour="#112233",
                             accent_colour="#445566")
    services.schedule_deliver(schedule=make_schedule(acme, roles=[Role.CFO], consultancy=capfirm), period=october)
    services.schedule_deliver(schedule=make_schedule(acme, kind="ceo", roles=[Role.CFO]), period=october)
    by_kind = {m.subject.split(" · ")[0]: pdf_text(_pdf_of(m)) for m in mail.outbox}
    assert "Cap Firm Advisory" in by_kind["CFO costs and margins"]
    assert "Acme Finance" not in by_kind["CFO costs and margins"]
    assert "Acme Finance" in by_kind["CEO synthesis"]


def test_the_consultancys_run_sends_every_clients_report_once(acme, alice, capfirm, carol, october, globex,
                                                               django_capture_on_commit_callbacks):
    firm_ceo = make_member(capfirm, role=Role.CEO)
    services.branding_update(org=capfirm, by=firm_ceo, display_name="Cap Firm Advisory", primary_colour="#0a0a0a",
                             accent_colour="#ff8800")
    make_schedule(acme, roles=[Role.CFO], consultancy=capfirm)
    make_schedule(globex, roles=[Role.CEO])  # not a client of the firm: left alone
    with freeze_time(date(2026, 11, 5)), django_capture_on_commit_callbacks(execute=True):
        assert services.consultancy_reports_send(firm=capfirm, by=firm_ceo) == 1
    with freeze_time(date(2026, 11, 5)), django_capture_on_commit_callbacks(execute=True):
        assert services.consultancy_reports_send(firm=capfirm, by=firm_ceo) == 1  # queued again…
    assert [m.to for m in mail.outbox] == [[alice.user.email]]  # …but sent once
    assert "Cap Firm Advisory" in pdf_text(_pdf_of(mail.outbox[0]))
