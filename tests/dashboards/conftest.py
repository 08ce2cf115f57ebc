from datetime import date

import pytest
from freezegun import freeze_time

TODAY = date(2026, 11, 15)  # "last month" is October 2026, the running month November 2026


@pytest.fixture(autouse=True)
def frozen_today():
    with freeze_time("2026-11-15 10:00:00"):
        yield
