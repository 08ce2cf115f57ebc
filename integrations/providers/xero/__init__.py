"""Xero: `connector.py` talks to the Accounting API 2.0, `mapping.py` turns payloads into records."""

from integrations.providers.xero.connector import XeroConnector, XeroOAuth

__all__ = ["XeroConnector", "XeroOAuth"]
