"""A 100,000-row import through real Celery: upload, validation in a worker (the page's progress bar),
confirmation, the write in the worker (its progress published through the cache, as the page reads it);
prints each phase's time and rows per second.

Needs PostgreSQL and Redis (the worker reads the same database; tasks go through the broker):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage_bench REDIS_URL=redis://127.0.0.1:6379/1 \\
        uv run python bench/import_100k.py [--rows 100000]

It creates a company of its own ("bench-imports-…"), starts a solo worker on the `default` queue, and
deletes the company and stops the worker at the end. The file is a French Excel CSV (`;`, decimal
commas, day-first dates, Windows-1252) of orders with every column filled, just under the 10 MB limit.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.conf import settings
from django.db import transaction

from accounts.capabilities import Role
from accounts.models import Membership, Organization, User
from config.celery import app
from imports import selectors, services
from imports.models import ImportRun
from integrations.models import Order


def orders_csv(rows: int) -> bytes:
    lines = ["Numéro de commande;Date de commande;Préparée le;Expédiée le;Livraison promise;Livrée le;Quantité;"
             "Montant HT;Coût logistique;Canal"]
    start = datetime(2025, 1, 1, 8, 0)
    for i in range(rows):
        placed = start + timedelta(minutes=7 * i)
        processed, shipped = placed + timedelta(hours=5), placed + timedelta(hours=20)
        lines.append(f"B{i:06d};{placed:%d/%m/%Y %H:%M};{processed:%d/%m/%Y %H:%M};{shipped:%d/%m/%Y %H:%M};"
                     f"{shipped + timedelta(days=3):%d/%m/%Y};{shipped + timedelta(days=2):%d/%m/%Y};{1 + i % 3};"
                     f"{80 + i % 50},{i % 100:02d};7,{i % 10};{'web' if i % 4 else 'mkp'}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def wait_for(run: ImportRun, states: set[str], label: str, total: int, timeout: float) -> float:
    """Poll the run as the page does (every 0.5 s) and draw its progress bar (while the write runs, the rows
    written that the worker publishes through the cache); returns the seconds waited."""
    began, shown = time.monotonic(), set()
    while time.monotonic() - began < timeout:
        run.refresh_from_db(fields=["state", "progress"])
        writing = selectors.import_write_progress(run)
        percent = writing.percent if writing else run.progress
        shown.add(percent)
        bar = "#" * (percent // 4)
        rows = f"  {writing.written:,} / {writing.total:,} rows" if writing else ""
        print(f"\r  {label:<11} [{bar:<25}] {percent:3d} %  {time.monotonic() - began:6.1f} s{rows}", end="", flush=True)
        if run.state in states:
            print(f"\n  the bar showed {len(shown)} different values")
            return time.monotonic() - began
        time.sleep(0.5)
    raise SystemExit(f"\n{label}: still {run.state} after {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--timeout", type=float, default=1200)
    args = parser.parse_args()
    if not settings.REDIS_URL or "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        raise SystemExit("Set DATABASE_URL=postgres://… and REDIS_URL=redis://…: the point is a real worker.")

    content = orders_csv(args.rows)
    print(f"file: {args.rows:,} orders, {len(content) / 1e6:.1f} MB")
    stamp = f"{int(time.time())}"
    # A company of the bench's own, removed at the end (the bench crosses no tenant).
    org = Organization.objects.create(name=f"Bench imports {stamp}", slug=f"bench-imports-{stamp}")
    user = User.objects.create_user(email=f"bench-{stamp}@bench.invalid", password=None, full_name="Bench")
    coo = Membership.objects.create(organization=org, user=user, role=Role.COO)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "default", "--pool", "solo",
         "--concurrency", "1", "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
        cwd=ROOT, env=env)
    try:
        began = time.monotonic()
        with transaction.atomic():  # the validation task is sent on commit, as the page does
            run = services.import_run_create(org=org, by=coo, kind="orders", file_name="bench-orders.csv",
                                             content=content)
        upload = time.monotonic() - began
        validation = wait_for(run, {ImportRun.State.READY, ImportRun.State.INVALID, ImportRun.State.REFUSED},
                              "validating", args.rows, args.timeout)
        run.refresh_from_db()
        if run.state != ImportRun.State.READY:
            raise SystemExit(f"validation ended {run.state}: {run.errors[:3] or run.refusal}")
        began = time.monotonic()
        services.import_run_confirm(run=run, by=coo)
        writing = wait_for(run, {ImportRun.State.DONE, ImportRun.State.FAILED, ImportRun.State.INVALID},
                           "importing", args.rows, args.timeout)
        run.refresh_from_db()
        written = Order.objects.for_org(org).count()
        print(f"state: {run.get_state_display()}, {written:,} orders written, counts {run.counts}")
        total = upload + validation + writing
        print(f"upload (store the file) {upload:6.2f} s")
        print(f"validation in the worker {validation:6.2f} s  {args.rows / validation:8,.0f} rows/s")
        print(f"write in the worker      {writing:6.2f} s  {args.rows / writing:8,.0f} rows/s")
        print(f"end to end               {total:6.2f} s  {args.rows / total:8,.0f} rows/s")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        app.control.purge()  # the recompute the import scheduled for the bench company, never run
        org.delete()
        user.delete()


if __name__ == "__main__":
    main()
