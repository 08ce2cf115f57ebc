"""HubSpot CRM v3 connector: `connector.py` talks to HubSpot, `mapping.py` turns its payloads into
canonical records; OAuth lives in integrations/oauth_hubspot.py, the fake in integrations/fakes/."""

from integrations.providers.hubspot.connector import HubSpotConnector
from integrations.providers.hubspot.mapping import Stages, map_company, map_contact, map_deal

__all__ = ["HubSpotConnector", "Stages", "map_company", "map_contact", "map_deal"]
