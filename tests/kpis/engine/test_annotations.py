"""Anyone may annotate a KPI value; the note is kept with its author and period."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from kpis.models import KpiAnnotation
from kpis.selectors import kpi_by_slug
from kpis.services import kpi_annotation_create


def test_a_member_annotates_a_month(catalogue, bob):
    revenue = kpi_by_slug(catalogue, slug="revenue")
    note = kpi_annotation_create(kpi=revenue, by=bob, period_start=date(2026, 3, 1), text="  Spring sale  ")
    assert (note.organization_id, note.author, note.text) == (catalogue.pk, bob.user, "Spring sale")
    assert KpiAnnotation.objects.for_org(catalogue).count() == 1
    assert AuditEvent.objects.for_org(catalogue).filter(action="kpi.annotated").exists()


def test_an_empty_note_is_refused(catalogue, bob):
    with pytest.raises(ValidationError):
        kpi_annotation_create(
            kpi=kpi_by_slug(catalogue, slug="revenue"), by=bob, period_start=date(2026, 3, 1), text="   "
        )
