"""Kill a Celery worker mid-sync: nothing lost, nothing duplicated (QUALITY.md, "Background jobs").

Needs PostgreSQL and Redis. Serves a fake Pennylane on 127.0.0.1 with ~N ledger lines in pages of
100, injecting 429s, 5xx and latency; enqueues a sync, waits until the run's progress passes a
random point between 10 and 90 %, then SIGKILLs either the pool child (WorkerLostError path:
the message is rejected and redelivered at once) or the whole worker (the message is lost with
it: the beat's stale-run sweep sends it again). A fresh worker finishes the run. It then checks
that the synced rows equal a clean in-process sync of the same book: same external ids, no
duplicate, same sums.

    createdb -h 127.0.0.1 -U postgres pilotage_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage_bench REDIS_URL=redis://127.0.0.1:6379/1 \\
        uv run python bench/sync_kill_worker.py --lines 10000 --kills 4
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("INTEGRATIONS_STALE_RUN_SECONDS", "10")
os.environ.setdefault("INTEGRATIONS_SYNC_LOCK_TTL", "10")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection as db
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from accounts.models import Organization
from integrations.fakes.pennylane import PennylaneFake
from integrations.fakes.scenario import Book, _Builder
from integrations.models import Connection, LedgerLine, SyncRun
from integrations.services import connection_sync, sync_run_enqueue, sync_runs_redispatch_stale

TOKEN = "bench-token"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def build_book(lines: int, seed: int) -> Book:
    today = timezone.localdate()
    book = Book(company_id=9901, name="Bench SAS", key="bench", today=today)
    bld = _Builder(book, random.Random(seed))
    customers = [bld.customer(f"Bench customer {i}", individual=False, at=today - timedelta(days=700))
                 for i in range(50)]
    rng = random.Random(seed)
    while len(book.objects["ledger_entry_lines"]) < lines:
        d = today - timedelta(days=rng.randrange(1, 690))
        bld.customer_invoice(customer=rng.choice(customers), d=d, excl=Decimal(rng.randrange(100, 5000)),
                             revenue_account="706000", terms=30, pay_delay=rng.choice([10, 20, None]))
    return book


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "sync", "--concurrency", "1",
         "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def snapshot(org) -> tuple[int, int, Decimal, Decimal]:
    lines = LedgerLine.objects.for_org(org)
    sums = lines.aggregate(d=Sum("debit"), c=Sum("credit"))
    return lines.count(), lines.values("external_id").distinct().count(), sums["d"] or 0, sums["c"] or 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if db.vendor != "postgresql" or not settings.REDIS_URL:
        print("Set DATABASE_URL (PostgreSQL) and REDIS_URL: a worker process shares both.")
        return 2
    call_command("migrate", verbosity=0)
    book = build_book(args.lines, args.seed)
    fake = PennylaneFake(books={book.company_id: book}, tokens={TOKEN: book.company_id}, firm_tokens={},
                         rate_limit=(200, 1.0))
    server = make_server("127.0.0.1", 0, fake, server_class=_Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/api/external/v2"
    stop = threading.Event()

    def chaos():
        rng = random.Random(args.seed)
        while not stop.wait(0.4):
            fake.faults.rate_limited = int(rng.random() < 0.3)
            fake.faults.server_errors = int(rng.random() < 0.2)
            fake.faults.delay = rng.choice([0, 0, 0.01, 0.05])

    env = {**os.environ, "PENNYLANE_API_BASE_URL": base, "PENNYLANE_RATE_LIMIT_REQUESTS": "200",
           "PENNYLANE_RATE_LIMIT_SECONDS": "1", "INTEGRATIONS_BACKOFF_MAX": "2"}
    print(f"fake Pennylane on {base}: {len(book.objects['ledger_entry_lines'])} ledger lines, "
          f"{len(book.objects['customer_invoices'])} invoices")

    stamp = int(time.time())
    clean_org = Organization.objects.create(name="Bench clean", slug=f"bench-clean-{stamp}")
    clean = Connection.objects.create(organization=clean_org, provider="pennylane", credentials={"token": TOKEN})
    with override_settings(PENNYLANE_API_BASE_URL=base, PENNYLANE_RATE_LIMIT=(200, 1)):
        started = time.monotonic()
        connection_sync(connection=clean, full=True)
        print(f"clean in-process sync: {time.monotonic() - started:.1f} s")
    expected = snapshot(clean_org)
    threading.Thread(target=chaos, daemon=True).start()  # 429s, 5xx and latency from now on
    rng = random.Random(args.seed)
    failures = 0
    orgs = [clean_org]
    for n in range(args.kills):
        org = Organization.objects.create(name=f"Bench kill {n}", slug=f"bench-kill-{stamp}-{n}")
        orgs.append(org)
        connection = Connection.objects.create(organization=org, provider="pennylane", credentials={"token": TOKEN})
        whole = n % 2 == 1
        point = rng.randint(10, 90)
        worker = start_worker(env)
        run = sync_run_enqueue(connection=connection, trigger=SyncRun.Trigger.MANUAL, full=True)
        began = time.monotonic()
        while time.monotonic() - began < 120:
            run.refresh_from_db()
            if run.progress >= point or not run.is_live:
                break
            time.sleep(0.05)
        if whole:
            os.killpg(worker.pid, signal.SIGKILL)
        else:
            for child in children_of(worker.pid):
                os.kill(child, signal.SIGKILL)
        killed_at = run.progress
        worker2 = start_worker(env) if whole else worker
        if whole:
            worker.wait()
        while time.monotonic() - began < 240:
            run.refresh_from_db()
            if not run.is_live:
                break
            sync_runs_redispatch_stale()  # what the beat does every 5 minutes
            time.sleep(1)
        os.killpg(worker2.pid, signal.SIGTERM)
        worker2.wait(timeout=30)
        got = snapshot(org)
        ok = run.state == SyncRun.State.DONE and got == expected
        failures += not ok
        print(f"kill {n + 1}: {'whole worker' if whole else 'pool child'} at {killed_at:>3} % → {run.state}, "
              f"attempt {run.attempt}, rows {got[0]} (distinct {got[1]}), Σdebit {got[2]} "
              f"{'OK' if ok else f'MISMATCH, expected {expected}'} in {time.monotonic() - began:.0f} s")
    stop.set()
    server.shutdown()
    for org in orgs:
        org.delete()
    print(f"{args.kills - failures}/{args.kills} runs: 0 lost, 0 duplicated" if not failures
          else f"{failures} of {args.kills} runs differ from a clean sync")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
