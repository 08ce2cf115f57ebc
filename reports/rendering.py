"""Turns a digest or a review into what is sent: subject, text and HTML bodies, and a PDF (WeasyPrint).

Callers choose the language (`translation.override`): every word, amount and date follows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Membership
from reports.selectors import Digest


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    pdf: bytes
    filename: str


def pdf_from_html(html: str) -> bytes:
    from weasyprint import HTML  # heavy import (Pango): only where a PDF is made

    # No base URL: the document embeds its images as data: URIs and fetches nothing.
    return HTML(string=html).write_pdf()


def digest_period_text(digest: Digest) -> str:
    if digest.period.frequency == "weekly":
        return _("Week of %(start)s to %(end)s") % {"start": date_format(digest.period.start, "SHORT_DATE_FORMAT"),
                                                   "end": date_format(digest.period.end, "SHORT_DATE_FORMAT")}
    return digest.month_label


def digest_subject(digest: Digest) -> str:
    return _("%(title)s · %(org)s · %(period)s") % {"title": digest.title, "org": digest.org.name,
                                                    "period": digest_period_text(digest)}


def digest_render(digest: Digest, *, recipient: Membership, archive_url: str = "", unsubscribe_url: str = "",
                  logo_src: str = "cid:logo") -> Rendered:
    context = {"digest": digest, "recipient": recipient, "subject": digest_subject(digest),
               "period_text": digest_period_text(digest), "archive_url": archive_url,
               "unsubscribe_url": unsubscribe_url,
               "logo_src": logo_src if digest.brand.logo_png else "",
               "generated_on": date_format(timezone.localdate(), "DATE_FORMAT"),
               "LANGUAGE_CODE": translation.get_language()}
    pdf = pdf_from_html(render_to_string("reports/pdf/digest.html", context))
    filename = f"{digest.org.slug}-{digest.kind}-{digest.period.key}.pdf"
    return Rendered(subject=context["subject"], text=render_to_string("reports/email/digest.txt", context),
                    html=render_to_string("reports/email/digest.html", context), pdf=pdf, filename=filename)


def review_pack_render(pack: dict, *, brand, recipient_name: str = "") -> Rendered:
    review = pack["review"]
    context = {**pack, "brand": brand, "recipient_name": recipient_name,
               "held_on": date_format(review.held_on, "DATE_FORMAT"),
               "LANGUAGE_CODE": translation.get_language()}
    subject = _("Review pack · %(title)s · %(day)s") % {"title": review.title, "day": context["held_on"]}
    context["subject"] = subject
    pdf = pdf_from_html(render_to_string("reports/pdf/review_pack.html", context))
    return Rendered(subject=subject, text=render_to_string("reports/email/review_pack.txt", context), html="",
                    pdf=pdf, filename=f"review-{review.held_on.isoformat()}-{review.pk}.pdf")
