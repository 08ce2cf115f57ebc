"""Salesforce Bulk API 2.0 query jobs: how a large first listing is read.

A first (full) sync of an object holding more than SALESFORCE_BULK_THRESHOLD rows (`SELECT COUNT()`)
asks for one query job (`POST /jobs/query`, operation `query`: live rows only) instead of paging the
REST query API 2,000 rows at a time. The job is polled (`GET /jobs/query/<id>`) with growing pauses,
each poll through the org's request budget, until `JobComplete`; `Failed` or `Aborted` is an error on
the run. Its results are CSV pages (`GET /jobs/query/<id>/results?locator=&maxRecords=`), each naming
the next one in `Sforce-Locator` ("null" after the last). Bulk queries take no ORDER BY (it would
disable PK chunking), so the listing is a snapshot rather than a stamp-ordered read: the cursor keeps
the job id and the next locator, so a killed sync resumes at the page it had not stored yet.

CSV values are text: an empty field is null, booleans are `true`/`false`, numbers are decimal text;
`as_rest_row` turns a CSV row into the row the REST API would have answered, so the mapping is shared.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from integrations.base import ConnectorError

BOOLEAN_FIELDS = {"IsDeleted", "IsConverted", "IsWon", "IsClosed"}
NUMBER_FIELDS = {"Amount", "Probability"}
MAX_RECORDS = 50_000  # rows asked for per results page (Salesforce may answer fewer)
POLL_FIRST_SECONDS = 1.0
POLL_MAX_SECONDS = 30.0
POLL_ATTEMPTS = 60  # then the run is retried later, polling the same job again
FINISHED_BADLY = {"Failed", "Aborted"}
RETRY_AFTER_SECONDS = 300  # a failed or slow job: the run is retried (a failed one with a new job)


def as_rest_row(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row with the types the REST API's JSON carries (null, booleans, numbers)."""
    out: dict[str, Any] = {}
    for name, text in row.items():
        if text is None or text == "":
            out[name] = None
        elif name in BOOLEAN_FIELDS:
            out[name] = text.strip().lower() == "true"
        elif name in NUMBER_FIELDS:
            out[name] = float(text)
        else:
            out[name] = text
    return out


@dataclass
class ResultsPage:
    rows: list[dict[str, Any]]
    next_locator: str | None  # None after the last page


class BulkQuery:
    """One query job of an org, over the connector's request plumbing (`request(method, path, ...)`
    returns the httpx response, with the org's rate budget, retries and session refresh applied)."""

    def __init__(self, *, api: str, request: Callable[..., Any], sleep: Callable[[float], None] | None = None):
        self.api = api
        self.request = request
        self.sleep = sleep or time.sleep

    def create(self, soql: str) -> str:
        job = self.request("POST", f"{self.api}/jobs/query", json={"operation": "query", "query": soql}).json()
        return str(job["id"])

    def wait(self, job_id: str) -> None:
        """Poll until the job completed; pauses double from POLL_FIRST_SECONDS up to POLL_MAX_SECONDS."""
        pause = POLL_FIRST_SECONDS
        for _attempt in range(POLL_ATTEMPTS):
            job = self.request("GET", f"{self.api}/jobs/query/{job_id}").json()
            state = job.get("state")
            if state == "JobComplete":
                return
            if state in FINISHED_BADLY:
                raise BulkJobFailed(job_id, state, job.get("errorMessage") or "")
            self.sleep(pause)
            pause = min(POLL_MAX_SECONDS, pause * 2)
        raise ConnectorError(_("Salesforce's bulk query job is still running; the sync resumes later."),
                             permanent=False, retry_after=RETRY_AFTER_SECONDS)

    def results(self, job_id: str, locator: str | None) -> ResultsPage:
        params = {"maxRecords": str(MAX_RECORDS), **({"locator": locator} if locator else {})}
        response = self.request("GET", f"{self.api}/jobs/query/{job_id}/results", params=params,
                                headers={"Accept": "text/csv"})
        rows = [as_rest_row(row) for row in csv.DictReader(io.StringIO(response.text))]
        following = (response.headers.get("sforce-locator") or "").strip()
        return ResultsPage(rows=rows, next_locator=None if following in ("", "null") else following)


class BulkJobFailed(ConnectorError):
    def __init__(self, job_id: str, state: str, reason: str):
        super().__init__(_("Salesforce's bulk query job %(job)s ended %(state)s: %(reason)s")
                         % {"job": job_id, "state": state, "reason": reason or _("no reason given")},
                         permanent=False, retry_after=RETRY_AFTER_SECONDS)
