"""Salesforce (REST API): `connector.py` talks to the org's instance, `mapping.py` turns SOQL rows into
canonical records, `oauth.py` is the OAuth 2.0 web-server flow (production or sandbox login host)."""

from integrations.providers.salesforce.connector import SalesforceConnector

__all__ = ["SalesforceConnector"]
