"""Thin tasks over the imports services: a large file is read in a worker, the page shows progress."""

from celery import shared_task

from accounts.rls import tenant_task
from imports import services
from imports.models import ImportRun


@shared_task(acks_late=True)
@tenant_task(arg="run_id", model=ImportRun)
def import_run_validate_task(run_id: int, use_stored_mapping: bool = False) -> None:
    run = ImportRun.objects.filter(pk=run_id, state=ImportRun.State.VALIDATING).select_related("organization").first()
    if run is None:
        return  # cancelled or already validated
    services.import_run_validate(run=run, mapping=run.mapping if use_stored_mapping else None)


@shared_task(acks_late=True)
@tenant_task(arg="run_id", model=ImportRun)
def import_run_execute_task(run_id: int) -> None:
    run = ImportRun.objects.filter(pk=run_id).select_related("organization", "confirmed_by__user").first()
    if run is None:
        return
    services.import_run_execute(run=run)
