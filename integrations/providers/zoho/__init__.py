"""Zoho CRM (API v8): `connector.py` talks to the account's data centre, `mapping.py` turns records into
canonical ones, `oauth.py` is the OAuth app (accounts server and API domain per data centre)."""

from integrations.providers.zoho.connector import ZohoConnector
from integrations.providers.zoho.oauth import ZohoOAuth

__all__ = ["ZohoConnector", "ZohoOAuth"]
