import pytest

from tests.integrations.conftest import COMPANY_ID
from tests.integrations.pennylane_2026.books import receivables_book


@pytest.fixture
def book():
    return receivables_book(COMPANY_ID)
