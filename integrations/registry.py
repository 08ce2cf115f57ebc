"""The providers Pilotage can connect, as dotted paths imported on first use.

Adding QuickBooks, Sage, Salesforce or Zoho means one module under providers/, one line here,
and one folder of tests; the framework (services, tasks, screens) reads everything else from
the connector class (`label`, `auth`, `source`, `token_help`).
"""

from __future__ import annotations

from functools import cache

from django.utils.module_loading import import_string

PROVIDERS: dict[str, str] = {
    "pennylane": "integrations.providers.pennylane.PennylaneConnector",
    "pennylane_firm": "integrations.providers.pennylane_firm.PennylaneFirmConnector",
    "hubspot": "integrations.providers.hubspot.HubSpotConnector",
    "quickbooks": "integrations.providers.quickbooks.QuickBooksConnector",
    "sage": "integrations.providers.sage.SageConnector",
    "xero": "integrations.providers.xero.XeroConnector",
    "salesforce": "integrations.providers.salesforce.SalesforceConnector",
    "zoho": "integrations.providers.zoho.ZohoConnector",
}

# Providers connected with OAuth 2.0 (integrations/oauth.py): their app, the settings and hooks that differ.
OAUTH_APPS: dict[str, str] = {
    "hubspot": "integrations.oauth_hubspot.HubSpotOAuth",
    "quickbooks": "integrations.providers.quickbooks.QuickBooksOAuth",
    "sage": "integrations.providers.sage.SageOAuth",
    "xero": "integrations.providers.xero.XeroOAuth",
    "salesforce": "integrations.providers.salesforce.oauth.SalesforceOAuth",
    "zoho": "integrations.providers.zoho.ZohoOAuth",
}

# Fake providers served by `manage.py fake_provider <name>` and mounted in-process for tests and the demo.
FAKE_SERVERS: dict[str, str] = {
    "pennylane": "integrations.fakes.pennylane.default_wsgi_app",
    "hubspot": "integrations.fakes.hubspot.default_wsgi_app",
    "quickbooks": "integrations.fakes.quickbooks.default_wsgi_app",
    "sage": "integrations.fakes.sage.default_wsgi_app",
    "xero": "integrations.fakes.xero.default_wsgi_app",
    "salesforce": "integrations.fakes.salesforce.default_wsgi_app",
    "zoho": "integrations.fakes.zoho.default_wsgi_app",
}


@cache
def connector_class(provider: str):
    """The connector class of a provider key; KeyError for an unknown key, ImportError if not built yet."""
    return import_string(PROVIDERS[provider])


def provider_label(provider: str) -> str:
    """A provider's name as people read it ("HubSpot"), or its key for one this installation does not know."""
    try:
        return str(connector_class(provider).label)
    except (KeyError, ImportError):
        return provider


def available_providers() -> list[tuple[str, type]]:
    """(key, class) of every provider whose module is present, in registry order."""
    found = []
    for key in PROVIDERS:
        try:
            found.append((key, connector_class(key)))
        except ImportError:
            continue
    return found
