"""CI counts a skipped test as a failure, in both halves. A test that only PostgreSQL and Redis can run carries
the `services` marker, so the SQLite half leaves it out (and says how many) instead of skipping it."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SKIPS = re.compile(r"pytest\.mark\.skip(if)?\b|pytest\.skip\(|pytest\.importorskip\(")


def test_no_test_skips_itself():
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{number}: {line.strip()}"
        for path in TESTS.rglob("*.py")
        if path.name != "conftest.py" and path != Path(__file__)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if SKIPS.search(line)
    ]
    assert offenders == [], "Mark these `@pytest.mark.services` rather than skipping:\n" + "\n".join(offenders)
