"""Push records to a running Pilotage with an API key, then read the BI feed back; prints what it did.

    uv run python bench/push_records.py --url http://127.0.0.1:8000 --org nuage-analytics --key "$KEY" [--months 12]

The key needs "may push records" (make demo creates one for Nuage Analytics and prints it). Marketing
spend is pushed one batch per month; pushing twice changes nothing (the natural key is channel + date).
"""

from __future__ import annotations

import argparse
import csv
import io
import time
from datetime import date

import httpx


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--org", default="nuage-analytics")
    parser.add_argument("--key", required=True)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    headers = {"Authorization": f"Api-Key {args.key}"}
    base = f"{args.url.rstrip('/')}/api/v1/orgs/{args.org}"
    today = date.today().replace(day=1)
    with httpx.Client(headers=headers, timeout=30) as http:
        started = time.perf_counter()
        totals: dict[str, int] = {}
        for i in range(args.months):
            month = date(today.year + (today.month - 1 - i) // 12, (today.month - 1 - i) % 12 + 1, 1)
            batch = [{"date": month.isoformat(), "channel": channel, "amount": f"{amount + 37 * i:.2f}"}
                     for channel, amount in (("linkedin_ads", 2400), ("google_ads", 1700), ("events", 900))]
            response = http.post(f"{base}/records/marketing_spend/", json=batch)
            if response.status_code != 200:
                raise SystemExit(f"push refused ({response.status_code}): {response.text[:500]}")
            for kind, n in response.json().items():
                totals[kind] = totals.get(kind, 0) + n
        print(f"pushed {args.months * 3} marketing spend records in {time.perf_counter() - started:.2f} s: {totals}")
        started = time.perf_counter()
        feed = http.get(f"{base}/feed/kpi-values.csv", params={"grain": "month"})
        feed.raise_for_status()
        rows = list(csv.DictReader(io.StringIO(feed.content.decode("utf-8-sig"))))
        print(f"read {len(rows)} KPI values from the BI feed in {time.perf_counter() - started:.2f} s; "
              f"{len({r['kpi'] for r in rows})} KPIs")


if __name__ == "__main__":
    main()
