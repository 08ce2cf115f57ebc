"""Cadence: e-mail each owner the objectives whose check-in is due, at most once a day per objective."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Organization
from accounts.rls import each_org
from objectives.models import Objective


def check_in_reminders_send(*, today: date) -> int:
    """Send the day's reminders for every company; returns the number of e-mails sent. Safe to run twice."""
    # One tenant at a time, each in its own context: the row-level policies show that tenant only.
    companies = Organization.objects.filter(kind=Organization.Kind.COMPANY)  # scoped: the daily run visits every tenant
    return sum(each_org(lambda org: check_in_reminders_send_for(org=org, today=today), companies))


def check_in_reminders_send_for(*, org: Organization, today: date) -> int:
    """One e-mail per owner listing their due check-ins; each objective is claimed before sending."""
    from objectives.selectors import _objectives_queryset

    due = defaultdict(list)
    candidates = (_objectives_queryset(org).filter(status=Objective.Status.ACTIVE, period_start__lte=today,
                                                   period_end__gte=today, owner__isnull=False)
                  .exclude(check_in_reminded_on=today).select_related("owner__user"))
    for o in candidates:
        last = o.last_ci_date
        if last is None or (today - last).days >= o.check_in_every_days:
            due[o.owner].append(o)
    sent = 0
    for owner, objectives in due.items():
        # Claim first (conditional update): a second run, or a second beat, finds nothing left to send.
        claimed = Objective.objects.for_org(org).filter(pk__in=[o.pk for o in objectives]).exclude(
            check_in_reminded_on=today).update(check_in_reminded_on=today)
        if not claimed:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            links = [(o, settings.SITE_URL + reverse("objectives:objective_detail",
                                                     kwargs={"org_slug": org.slug, "objective_id": o.pk}))
                     for o in objectives]
            body = render_to_string("objectives/email/check_in_reminder.txt",
                                    {"owner": owner, "org": org, "links": links, "today": today})
            subject = render_to_string("objectives/email/check_in_reminder_subject.txt",
                                       {"org": org, "count": len(objectives)}).strip()
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.user.email])
        sent += 1
    return sent
