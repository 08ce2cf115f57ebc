"""Throughput of the pages under load, against a bare view reading the same rows (issue #13: ≥ 150 req/s on the
home page at 16 connections, p95 ≤ 2× the bare view's).

Run on a database with the demo loaded (`manage.py seed_demo`), with `wrk` installed (`apt-get install -y wrk`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pilotage REDIS_URL=redis://127.0.0.1:6379/1 \\
        uv run python bench/page_throughput.py --duration 15 --rounds 3

It starts gunicorn as the Procfile does (2 sync workers, DEBUG off) on `bench.bare_wsgi:application` on a loopback
port, logs in as Maison Lumen's CEO and the consultant, and runs wrk (16 connections, 2 threads) on each page and
its bare view in turn — bare, page, bare, page… — so that the machine's load falls on both alike. It prints, per
page, the median over the rounds of requests per second and of p50/p95 latency, and the ratios to the bare view.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.capabilities import Role  # noqa: E402
from accounts.demo import COMPANIES, CONSULTANCY, CONSULTANT_EMAIL  # noqa: E402
from accounts.models import Membership, Organization, User  # noqa: E402

# wrk's own percentiles, printed on one line this script reads (latencies in µs).
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("PILOTAGE %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _start_server(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.bare_wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within a minute")


def _answers_200(port: int, path: str, cookie: str) -> None:
    """wrk counts a redirect as a success: make sure the session reaches the page itself."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"})
    status = conn.getresponse().status
    conn.close()
    if status != 200:
        raise SystemExit(f"{path} answers {status}, not 200")


def _wrk(url: str, cookie: str, *, connections: int, duration: int, script: str) -> tuple[float, float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", script,
         "-H", f"Cookie: {settings.SESSION_COOKIE_NAME}={cookie}", url],
        capture_output=True, text=True, check=True).stdout
    line = next(li for li in out.splitlines() if li.startswith("PILOTAGE "))
    requests, duration_us, p50, p95, errors = (int(x) for x in line.split()[1:])
    if errors:
        raise SystemExit(f"{url}: {errors} failed requests (non-2xx/3xx or socket errors) — is the demo loaded?")
    return requests / (duration_us / 1e6), p50 / 1000, p95 / 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    lumen = Organization.objects.get(slug=COMPANIES["lumen"]["slug"])
    ceo = Membership.objects.filter(organization=lumen, role=Role.CEO, engagement__isnull=True).first()  # scoped
    consultant = User.objects.get(email=CONSULTANT_EMAIL)
    firm = CONSULTANCY["slug"]
    ceo_cookie, consultant_cookie = _session_cookie(ceo.user), _session_cookie(consultant)
    pages = [
        ("CEO home (dashboard)", ceo_cookie, f"/o/{lumen.slug}/bench-bare-dashboard/",
         reverse("accounts:org_home", kwargs={"org_slug": lumen.slug})),
        ("KPI catalogue", ceo_cookie, f"/o/{lumen.slug}/bench-bare-dashboard/",
         reverse("kpis:catalogue", kwargs={"org_slug": lumen.slug})),
        ("portfolio (consultant)", consultant_cookie, f"/o/{firm}/bench-bare/",
         reverse("portfolio:overview", kwargs={"org_slug": firm})),
    ]
    port = _free_port()
    server = _start_server(port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(WRK_REPORT)
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; gunicorn {args.workers} workers, "
              f"wrk {args.connections} connections, {args.duration} s × {args.rounds} rounds, alternating; medians")
        for label, cookie, bare, page in pages:
            for url in (bare, page):
                _answers_200(port, url, cookie)
            _wrk(base + page, cookie, connections=2, duration=2, script=f.name)  # warm both workers
            bare_runs, page_runs = [], []
            for _ in range(args.rounds):
                for url, runs in ((bare, bare_runs), (page, page_runs)):
                    runs.append(_wrk(base + url, cookie, connections=args.connections, duration=args.duration,
                                     script=f.name))
            b_rps, b_p50, b_p95 = (statistics.median(r[i] for r in bare_runs) for i in range(3))
            p_rps, p_p50, p_p95 = (statistics.median(r[i] for r in page_runs) for i in range(3))
            print(f"{label:<24} bare {b_rps:6.1f} req/s p50 {b_p50:5.0f} ms p95 {b_p95:5.0f} ms · page {p_rps:6.1f} req/s "
                  f"p50 {p_p50:6.0f} ms p95 {p_p95:6.0f} ms · p95 {p_p95 / b_p95:4.2f}× the bare view's")
    finally:
        server.terminate()
        server.wait(timeout=30)
        Path(f.name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
