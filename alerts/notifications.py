"""Alert e-mails: at once to those who chose "immediately", a daily digest to those who chose the digest.

Sent through Django's e-mail API (any backend: console and file locally, SMTP or django-anymail in
production, locmem in tests), in each recipient's language, with a signed unsubscribe link that needs no
login. A bounce or an SMTP error is logged on the alert's history and never stops the run.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Organization
from accounts.rls import each_org
from accounts.services import email_language_of
from alerts.models import Alert, AlertEvent, AlertPreference, AlertRule

log = logging.getLogger(__name__)

# One mechanism for every e-mail we send on a schedule (alerts here, reports in reports/services.py): a signed
# token naming the recipient (and what they unsubscribe from), a link that needs no login, RFC 8058 headers.
UNSUBSCRIBE_SALT = "alerts.unsubscribe"


def recipient_token(membership: Membership, *, scope: str = "alerts", target: int | None = None) -> str:
    """Signed, without expiry: an unsubscribe link in an old e-mail must keep working. `scope` salts it, so an
    alert token never unsubscribes from a report; `target` names what (a report schedule)."""
    data = {"m": membership.pk, "o": membership.organization_id}
    if target is not None:
        data["t"] = target
    return signing.Signer(salt=f"{scope}.unsubscribe").sign_object(data)


def recipient_token_read(token: str, *, scope: str = "alerts") -> tuple[int, int, int | None] | None:
    """(organization id, membership id, target or None) the token was made for, or None if tampered with."""
    try:
        data = signing.Signer(salt=f"{scope}.unsubscribe").unsign_object(token)
        return int(data["o"]), int(data["m"]), (int(data["t"]) if "t" in data else None)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click: the mail client POSTs to the link without asking."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe_token(membership: Membership) -> str:
    return recipient_token(membership)


def unsubscribe_token_read(token: str) -> tuple[int, int] | None:
    """(organization id, membership id) the token was made for, or None if it was tampered with."""
    found = recipient_token_read(token)
    return None if found is None else found[:2]


def unsubscribe_url(membership: Membership) -> str:
    return settings.SITE_URL + reverse("alerts_unsubscribe", kwargs={"token": unsubscribe_token(membership)})


def _preferences(org: Organization) -> dict[int, AlertPreference]:
    return {p.membership_id: p for p in AlertPreference.objects.for_org(org)}


def recipients_of(rule: AlertRule, alert: Alert, *, members: list[Membership] | None = None) -> list[Membership]:
    """The rule's subscribers (named members and holders of its roles) who may see this alert's figure."""
    named = {m.pk for m in rule.subscribers.all()}
    members = members if members is not None else list(
        Membership.objects.for_org(rule.organization).select_related("user"))
    return [m for m in members
            if (m.pk in named or m.role in rule.subscriber_roles) and f",{m.role}," in alert.audience
            and m.user.is_active]


def _send(*, org: Organization, to: Membership, language: str, template: str, context: dict,
          alerts: list[Alert]) -> bool:
    with translation.override(language):
        context = {**context, "org": org, "member": to, "site_url": settings.SITE_URL,
                   "unsubscribe_url": unsubscribe_url(to),
                   "preferences_url": settings.SITE_URL + reverse("alerts:preferences", kwargs={"org_slug": org.slug})}
        # One line; str.split() would also eat the narrow no-break spaces of French typography.
        subject = render_to_string(f"alerts/email/{template}_subject.txt", context).replace("\n", " ").strip()
        body = render_to_string(f"alerts/email/{template}.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to.user.email],
                           headers=unsubscribe_headers(context["unsubscribe_url"]))
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - SMTP errors, provider rejections (anymail): logged, never fatal
        log.warning("alert e-mail to membership %s not sent: %s", to.pk, exc.__class__.__name__)
        for alert in alerts:
            AlertEvent.objects.create(organization=org, alert=alert, action=AlertEvent.Action.NOTIFY_FAILED,
                                      data={"membership": to.pk, "error": exc.__class__.__name__})
        return False
    return True


def alerts_notify_immediately(*, org: Organization, alert_ids: list[int]) -> int:
    """E-mail each newly opened alert to its subscribers who chose "immediately"; each alert is claimed first
    (conditional update), so a second run sends nothing. Returns the number of e-mails sent."""
    from alerts.selectors import alert_message

    now = timezone.now()
    members = list(Membership.objects.for_org(org).select_related("user"))
    prefs = _preferences(org)
    sent = 0
    for alert in Alert.objects.for_org(org).filter(pk__in=alert_ids, status=Alert.Status.OPEN).select_related("rule"):
        if not Alert.objects.for_org(org).filter(pk=alert.pk, notified_at__isnull=True).update(notified_at=now):
            continue
        for member in recipients_of(alert.rule, alert, members=members):
            pref = prefs.get(member.pk)
            if pref is not None and pref.delivery != AlertPreference.Delivery.IMMEDIATE:
                continue
            language = email_language_of(member.user)
            with translation.override(language):
                context = {"alert": alert, "message": alert_message(alert), "url": _alert_url(org, alert)}
            if _send(org=org, to=member, language=language, template="alert", context=context, alerts=[alert]):
                AlertEvent.objects.create(organization=org, alert=alert, action=AlertEvent.Action.NOTIFIED,
                                          data={"membership": member.pk})
                sent += 1
    return sent


def _alert_url(org: Organization, alert: Alert) -> str:
    return settings.SITE_URL + reverse("alerts:alert_detail", kwargs={"org_slug": org.slug, "alert_id": alert.pk})


def alert_digests_send(*, today: date, now: datetime | None = None) -> int:
    """The day's digests for every company; safe to run twice (each member's digest is claimed first)."""
    now = now or timezone.now()
    companies = Organization.objects.filter(kind=Organization.Kind.COMPANY)  # scoped: the daily run visits every tenant
    return sum(each_org(lambda org: alert_digests_send_for(org=org, today=today, now=now), companies))


def alert_digests_send_for(*, org: Organization, today: date, now: datetime) -> int:
    """One e-mail per member who chose the digest, listing the live alerts of their rules opened since their
    last digest (the last day, for a first one). Nothing new: no e-mail."""
    from alerts.selectors import alert_message

    prefs = AlertPreference.objects.for_org(org).filter(delivery=AlertPreference.Delivery.DIGEST).filter(
        Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today)).select_related("membership__user")
    prefs = list(prefs)
    if not prefs:
        return 0
    rules = list(AlertRule.objects.for_org(org).prefetch_related("subscribers"))
    earliest = min((p.digest_covered_until or now - timedelta(days=1)) for p in prefs)
    alerts = list(Alert.objects.for_org(org).filter(status__in=Alert.LIVE, opened_at__gt=earliest)
                  .select_related("rule").order_by("-opened_at", "-id"))
    sent = 0
    for pref in prefs:
        # Claim the day first: a second run or a second beat finds nothing left to send.
        if not AlertPreference.objects.for_org(org).filter(pk=pref.pk).filter(
                Q(digest_sent_on__isnull=True) | Q(digest_sent_on__lt=today)).update(
                digest_sent_on=today, digest_covered_until=now):
            continue
        member = pref.membership
        since = pref.digest_covered_until or now - timedelta(days=1)
        mine = [a for a in alerts if a.opened_at > since and member in recipients_of(
            next(r for r in rules if r.pk == a.rule_id), a, members=[member])]
        if not mine:
            continue
        language = email_language_of(member.user)
        with translation.override(language):
            items = [{"alert": a, "message": alert_message(a), "url": _alert_url(org, a)} for a in mine]
        if _send(org=org, to=member, language=language, template="digest",
                 context={"items": items, "count": len(items), "today": today}, alerts=mine):
            sent += 1
    return sent
