"""How the OpenAPI schema describes the API token (drf-spectacular needs an extension for an
authentication class it does not know)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A named, expiring token issued with `manage.py api_token_issue`: "Token <key>".',
        }
