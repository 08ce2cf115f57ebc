"""How much of the provider's rate budget a sync uses, page by page or reading ahead (issue #13).

Serves a fake Pennylane (company API v2: 25 requests per 5 s per token, the documented limit, enforced:
over it the fake answers 429) and a fake HubSpot (100 requests per 10 s per account, search 4 per second,
both enforced) on 127.0.0.1, each answer delayed by a network latency (`--latency`), and syncs a large
account in full through the real connector and sync service (PostgreSQL writes, the shared budget in
Redis). Each round syncs the same account twice, alternating: page by page (read, then write, then read:
the behaviour before prefetching) and reading the next page while the current one is written
(`integrations/prefetch.py`). For each sync it prints the requests made, the window's budget, the share
of the budget used over the sync (requests per full window ÷ the window's budget, averaged over the
sync's full windows: the last, partial one is left out), the 429s received, and the share of the sync's
time spent writing pages. Bounded: about `--lines / 100 / 5` + `--invoices / 3 / 5` seconds per
Pennylane sync and `--contacts / 800` seconds per HubSpot sync.

    createdb -h 127.0.0.1 -U postgres pilotage_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage_bench REDIS_URL=redis://127.0.0.1:6379/1 \\
        uv run python bench/sync_budget.py --rounds 1
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django
import httpx

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection as db
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from accounts.models import Organization
from integrations import services
from integrations.fakes.hubspot import HubSpotFake, Limits
from integrations.fakes.hubspot_scenario import HubSpotScenario
from integrations.fakes.pennylane import PennylaneFake
from integrations.fakes.scenario import Book, _Builder
from integrations.http import ProviderClient
from integrations.models import Connection, SyncRun

PENNYLANE_BUDGET = (25, 5.0)  # INTEGRATIONS.md: 25 requests per 5 seconds per token
HUBSPOT_BUDGET = (100, 10.0)  # per account per 10 s (the lower plans)
HUBSPOT_SEARCH_BUDGET = (4, 1.0)  # search: about 4 per second per token


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Wire:
    """The fake behind a network, in a process of its own (as a provider is: it does not share this process's
    CPU time): each answer comes `latency` seconds later; arrivals and statuses are kept and read back at
    `/__bench/log`, and `/__bench/token?value=…` adds a token (a fresh budget window for each sync)."""

    def __init__(self, app, latency: float, add_token):
        self.app = app
        self.latency = latency
        self.add_token = add_token
        self.log: list[tuple[float, str, int]] = []  # (arrival time, path, status)
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/__bench/"):
            if path == "/__bench/token":
                self.add_token(environ.get("QUERY_STRING", "").removeprefix("value="))
                payload = b"{}"
            else:
                with self.lock:
                    payload = json.dumps(self.log).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [payload]
        arrived = time.time()
        time.sleep(self.latency)
        seen = {}

        def start(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        with self.lock:
            self.log.append((arrived, environ.get("PATH_INFO", ""), seen.get("status", 0)))
        return body



class Remote:
    """The parent's handle on a Wire served by a child process."""

    def __init__(self, build, latency: float):
        reader, writer = multiprocessing.Pipe(duplex=False)
        connections.close_all()  # the child must not share this process's database connection
        self.process = multiprocessing.get_context("fork").Process(target=self._serve, args=(build, latency, writer),
                                                                   daemon=True)
        self.process.start()
        self.base, self.summary = reader.recv()

    @staticmethod
    def _serve(build, latency, writer) -> None:
        app, add_token, summary = build()
        wire = Wire(app, latency, add_token)
        server = make_server("127.0.0.1", 0, wire, server_class=_Server, handler_class=_Quiet)
        writer.send((f"http://127.0.0.1:{server.server_port}", summary))
        server.serve_forever()

    def add_token(self, value: str) -> None:
        httpx.get(f"{self.base}/__bench/token", params={"value": value}).raise_for_status()

    @property
    def log(self) -> list[tuple[float, str, int]]:
        return [tuple(entry) for entry in httpx.get(f"{self.base}/__bench/log", timeout=30).json()]

    def stop(self) -> None:
        self.process.terminate()


def pennylane_book(lines: int, invoices: int, seed: int) -> Book:
    """A large company: `invoices` customer invoices (a third paid, so their settlements are read) and
    bank-settled charges and incomes up to `lines` ledger lines (each with its bank transaction)."""
    today = timezone.localdate()
    book = Book(company_id=9902, name="Budget SAS", key="budget", today=today)
    bld = _Builder(book, random.Random(seed))
    rng = random.Random(seed)
    customers = [bld.customer(f"Client {i}", individual=False, at=today - timedelta(days=700)) for i in range(50)]
    for _ in range(invoices):
        bld.customer_invoice(customer=rng.choice(customers), d=today - timedelta(days=rng.randrange(1, 690)),
                             excl=Decimal(rng.randrange(100, 5000)), revenue_account="706000", terms=30,
                             pay_delay=rng.choice([10, None, None]))
    charges = ("606100", "613200", "622600", "623000", "624100", "626000")
    while len(book.objects["ledger_entry_lines"]) < lines:
        d = today - timedelta(days=rng.randrange(1, 690))
        if rng.random() < 0.8:
            bld.cash_entry(d, rng.choice(charges), "Frais", -Decimal(rng.randrange(10, 900)))
        else:
            bld.cash_entry(d, "706000", "Vente comptant", Decimal(rng.randrange(10, 900)))
    return book


def hubspot_scenario(contacts: int, deals: int, seed: int) -> HubSpotScenario:
    rng = random.Random(seed)
    s = HubSpotScenario(hub_id=880_001)
    s.add_standard_pipelines()
    owner = s.add_owner("Inès", "Morel", "ines@budget.test")
    start = datetime.now(UTC) - timedelta(days=400)
    companies = [s.add_company(name=f"Compte {i}", domain=f"compte{i}.fr", created=start, modified=start)
                 for i in range(200)]
    s.bulk_contacts(contacts, start=start, step_ms=1000)
    stages = ("appointmentscheduled", "qualifiedtobuy", "contractsent", "closedwon", "closedlost")
    for i in range(deals):
        at = start + timedelta(minutes=i)
        s.add_deal(name=f"Affaire {i}", amount=str(rng.randrange(1000, 50_000)), stage=rng.choice(stages),
                   created=at, closedate=at + timedelta(days=30), owner=owner, company=rng.choice(companies),
                   modified=at)
    return s


def window_shares(arrivals: list[float], limit: int, window: float) -> list[float]:
    """Requests in each full window from the first request on, as a share of the window's budget."""
    if not arrivals:
        return []
    first, last = min(arrivals), max(arrivals)
    full = int((last - first) // window)
    counts = [0] * full
    for t in arrivals:
        index = int((t - first) // window)
        if index < full:
            counts[index] += 1
    return [c / limit for c in counts]


class WriteClock:
    """Time spent in `_PageWriter.write` (the page's transaction), summed over a sync."""

    def __init__(self):
        self.seconds = 0.0
        self.original = services._PageWriter.write
        clock = self

        def timed(writer, page):
            began = time.perf_counter()
            try:
                clock.original(writer, page)
            finally:
                clock.seconds += time.perf_counter() - began

        services._PageWriter.write = timed
        self.slept = 0.0  # the client's own waits: back-off, Retry-After, `ratelimit-remaining: 0`
        wait = ProviderClient._wait

        def counted(client, seconds):
            clock.slept += seconds
            wait(client, seconds)

        ProviderClient._wait = counted
        # The KPI engine's recompute is not the sync's: its hand-over is left out of the measure.
        services._PageWriter._hand_over = lambda writer, changes: None


def sync_once(*, provider: str, ahead: int, org: Organization, credentials: dict, account_id: str,
              wire: Wire, clock: WriteClock) -> dict:
    connection = Connection.objects.create(organization=org, provider=provider, credentials=credentials,
                                           provider_account_id=account_id, label=f"bench {provider}")
    start_log = len(wire.log)  # the fake's log so far (read back from its process)
    clock.seconds = clock.slept = 0.0
    with override_settings(INTEGRATIONS_SYNC_PREFETCH=ahead > 0, INTEGRATIONS_SYNC_PAGES_AHEAD=ahead):
        began = time.time()
        run = connection_sync_full(connection)
        duration = time.time() - began
    log = wire.log[start_log:]
    return {"run": run, "duration": duration, "log": log, "write": clock.seconds, "slept": clock.slept}


def connection_sync_full(connection: Connection) -> SyncRun:
    return services.connection_sync(connection=connection, full=True)


def mode_label(ahead: int) -> str:
    return "page by page" if not ahead else f"{ahead} page{'s' if ahead > 1 else ''} ahead"


def report(label: str, result: dict, budgets: list[tuple[str, int, float, list[float]]]) -> dict:
    run, duration, log = result["run"], result["duration"], result["log"]
    refused = sum(1 for _t, _p, status in log if status == 429)
    figures = {"requests": len(log), "duration": duration, "429": refused, "write": result["write"] / duration,
               "state": run.state}
    parts = []
    for name, limit, window, arrivals in budgets:
        shares = window_shares(arrivals, limit, window)
        mean = statistics.mean(shares) if shares else 0.0
        figures[name] = mean
        parts.append(f"{name}: {len(arrivals)} requests, budget {limit}/{window:g} s, "
                     f"{mean:6.1%} of it over {len(shares)} full windows (lowest {min(shares, default=0):.0%})")
    print(f"  {label:<14} {run.state:<6} {duration:6.1f} s, {refused} × 429, writing {figures['write']:5.1%} of "
          f"the time, {result['slept']:.1f} s slept on the provider's word; " + "; ".join(parts))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=12_000, help="Pennylane ledger lines")
    parser.add_argument("--invoices", type=int, default=300, help="Pennylane customer invoices (a third paid)")
    parser.add_argument("--contacts", type=int, default=16_000, help="HubSpot contacts")
    parser.add_argument("--deals", type=int, default=4_000, help="HubSpot deals")
    parser.add_argument("--latency", type=float, default=0.08, help="seconds added to each answer")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each syncing once in every mode, alternating")
    parser.add_argument("--modes", default="0,1,3", help="pages read ahead, per sync of a round (0: page by page)")
    parser.add_argument("--only", choices=("pennylane", "hubspot"), default=None)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    modes = [int(m) for m in args.modes.split(",")]
    if db.vendor != "postgresql" or not settings.INTEGRATIONS_REDIS_URL:
        print("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the budget is shared in Redis as in production.")
        return 2
    call_command("migrate", verbosity=0)
    clock = WriteClock()
    stamp = int(time.time())
    orgs: list[Organization] = []
    load = os.getloadavg()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load[0]:.1f} / {load[1]:.1f}, "
          f"latency {args.latency * 1000:.0f} ms per answer")
    results: dict[tuple[str, bool], list[dict]] = {}
    failed = False

    def org_for(name: str) -> Organization:
        org = Organization.objects.create(name=f"Bench budget {name}", slug=f"bench-budget-{stamp}-{len(orgs)}")
        orgs.append(org)
        return org

    try:
        if args.only in (None, "pennylane"):
            def pennylane():
                book = pennylane_book(args.lines, args.invoices, args.seed)
                fake = PennylaneFake(books={book.company_id: book}, tokens={}, firm_tokens={},
                                     rate_limit=PENNYLANE_BUDGET)
                summary = (f"Pennylane: {len(book.objects['ledger_entry_lines'])} ledger lines, "
                           f"{len(book.objects['transactions'])} bank transactions, "
                           f"{len(book.objects['customer_invoices'])} customer invoices; budget "
                           f"{PENNYLANE_BUDGET[0]} per {PENNYLANE_BUDGET[1]:g} s")
                return fake, lambda token: fake.tokens.__setitem__(token, book.company_id), summary

            wire = Remote(pennylane, args.latency)
            print(wire.summary)
            with override_settings(PENNYLANE_API_BASE_URL=wire.base + "/api/external/v2",
                                   PENNYLANE_RATE_LIMIT=PENNYLANE_BUDGET):
                for round_ in range(args.rounds):
                    for ahead in modes:
                        token = f"bench-{stamp}-{round_}-{ahead}"  # a fresh token: a fresh window at the fake
                        wire.add_token(token)
                        result = sync_once(provider="pennylane", ahead=ahead, org=org_for("pennylane"),
                                           credentials={"token": token}, account_id="9902",
                                           wire=wire, clock=clock)
                        arrivals = [t for t, _p, _s in result["log"]]
                        figures = report(mode_label(ahead), result, [("budget", *PENNYLANE_BUDGET, arrivals)])
                        failed |= figures["429"] > 0 or figures["state"] != SyncRun.State.DONE
                        results.setdefault(("pennylane", ahead), []).append(figures)
            wire.stop()
        if args.only in (None, "hubspot"):
            def hubspot():
                fake = HubSpotFake(scenario=hubspot_scenario(args.contacts, args.deals, args.seed),
                                   limits=Limits(ten_secondly=HUBSPOT_BUDGET[0],
                                                 search_per_second=HUBSPOT_SEARCH_BUDGET[0]))
                summary = (f"HubSpot: {args.contacts} contacts, {args.deals} deals, 200 companies; budget "
                           f"{HUBSPOT_BUDGET[0]} per {HUBSPOT_BUDGET[1]:g} s, search {HUBSPOT_SEARCH_BUDGET[0]} "
                           f"per second")
                return fake, fake.add_private_token, summary

            wire = Remote(hubspot, args.latency)
            print(wire.summary)
            with override_settings(HUBSPOT_API_BASE_URL=wire.base, HUBSPOT_RATE_LIMIT=HUBSPOT_BUDGET,
                                   HUBSPOT_SEARCH_RATE_LIMIT=HUBSPOT_SEARCH_BUDGET,
                                   HUBSPOT_SEARCH_INDEX_LAG_SECONDS=0):
                for round_ in range(args.rounds):
                    for ahead in modes:
                        token = f"pat-bench-{stamp}-{round_}-{ahead}"
                        wire.add_token(token)
                        # A fresh account id per sync: a fresh budget key (the fake keys its windows by token).
                        result = sync_once(provider="hubspot", ahead=ahead, org=org_for("hubspot"),
                                           credentials={"token": token}, account_id=f"880001{stamp}{round_}{ahead}",
                                           wire=wire, clock=clock)
                        arrivals = [t for t, _p, _s in result["log"]]
                        searches = [t for t, path, _s in result["log"] if path.endswith("/search")]
                        figures = report(mode_label(ahead), result,
                                         [("search", *HUBSPOT_SEARCH_BUDGET, searches),
                                          ("account", *HUBSPOT_BUDGET, arrivals)])
                        failed |= figures["429"] > 0 or figures["state"] != SyncRun.State.DONE
                        results.setdefault(("hubspot", ahead), []).append(figures)
            wire.stop()
    finally:
        for org in orgs:
            org.delete()
    print("medians over the rounds (goal: ≥ 95 % of the budget, 0 × 429):")
    for provider, budget in (("pennylane", "budget"), ("hubspot", "search")):
        if (provider, modes[0]) not in results:
            continue
        base = statistics.median(f["duration"] for f in results[(provider, modes[0])])
        for ahead in modes:
            figures = results[(provider, ahead)]
            used = statistics.median(f[budget] for f in figures)
            duration = statistics.median(f["duration"] for f in figures)
            writing = statistics.median(f["write"] for f in figures)
            print(f"  {provider:<9} {mode_label(ahead):<14} budget used {used:6.1%}, sync {duration:6.1f} s "
                  f"({duration / base:.2f}× {mode_label(modes[0])}), writing {writing:.0%} of the time, "
                  f"{sum(f['429'] for f in figures)} × 429")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
