"""QuickBooks Online: `connector.py` talks to the Accounting API v3, `mapping.py` turns payloads into records."""

from integrations.providers.quickbooks.connector import QuickBooksConnector, QuickBooksOAuth

__all__ = ["QuickBooksConnector", "QuickBooksOAuth"]
