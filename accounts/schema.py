"""How the OpenAPI schema (drf-spectacular) describes our authentication: the session, and API keys."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Api-Key <prefix>.<secret>`: a key created at /o/<org>/api-keys/ (shown once)."}
