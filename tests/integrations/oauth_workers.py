"""Two workers refreshing one connection's tokens at the same moment, as every OAuth provider's tests ask."""

import threading

from django.db import connections

from integrations.models import Connection
from integrations.oauth import oauth_token_refresh


def refresh_in_two_workers(*, app, connection: Connection) -> dict[str, str]:
    """Each worker reads the stale pair, then both refresh at once; the access token each ends with, by worker.

    Raises what a worker raised (the assertions then name it)."""
    org = connection.organization
    start = threading.Barrier(2)
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def worker(name):
        try:
            mine = Connection.objects.for_org(org).get(pk=connection.pk)
            start.wait()
            oauth_token_refresh(app=app, connection=mine)
            results[name] = mine.credentials["access_token"]
        except Exception as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    if errors:
        raise errors[0]
    return results
