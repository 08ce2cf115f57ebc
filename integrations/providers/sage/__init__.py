"""Sage Business Cloud Accounting (API v3.1): `connector.py` talks to the API, `mapping.py` turns payloads into records."""

from integrations.providers.sage.connector import SageConnector, SageOAuth

__all__ = ["SageConnector", "SageOAuth"]
