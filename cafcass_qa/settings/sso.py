"""Single sign-on settings from the environment: none at all unless OIDC_RP_CLIENT_ID is set.

With OIDC_ENTRA_TENANT_ID the Microsoft Entra ID endpoints are filled in; any other OpenID
Connect provider gives its four endpoints. A half-configured provider fails at start-up.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

ENTRA = "https://login.microsoftonline.com/{tenant}"
ENTRA_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": ENTRA + "/oauth2/v2.0/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": ENTRA + "/oauth2/v2.0/token",
    "OIDC_OP_USER_ENDPOINT": "https://graph.microsoft.com/oidc/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": ENTRA + "/discovery/v2.0/keys",
}
ENDPOINTS = list(ENTRA_ENDPOINTS)


def sso_settings(environ: Mapping[str, str]) -> dict:
    """The OIDC settings to add, or {} when single sign-on is not configured."""
    client_id = environ.get("OIDC_RP_CLIENT_ID", "").strip()
    if not client_id:
        return {"OIDC_ENABLED": False}
    secret = environ.get("OIDC_RP_CLIENT_SECRET", "").strip()
    if not secret:
        raise ImproperlyConfigured("OIDC_RP_CLIENT_ID is set: set OIDC_RP_CLIENT_SECRET too (or unset both).")
    tenant = environ.get("OIDC_ENTRA_TENANT_ID", "").strip()
    endpoints = {}
    for name in ENDPOINTS:
        value = environ.get(name, "").strip() or (ENTRA_ENDPOINTS[name].format(tenant=tenant) if tenant else "")
        if not value.startswith("https://"):
            raise ImproperlyConfigured(f"Single sign-on needs {name} (an https:// address) or OIDC_ENTRA_TENANT_ID.")
        endpoints[name] = value
    return {
        "OIDC_ENABLED": True,
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": secret,
        "OIDC_RP_SIGN_ALGO": environ.get("OIDC_RP_SIGN_ALGO", "RS256"),
        "OIDC_RP_SCOPES": "openid email profile",
        "OIDC_CREATE_USER": False,  # accounts and roles are made here, by quality admins
        "LOGIN_REDIRECT_URL_FAILURE": "/accounts/login/?sso=unknown",
        **endpoints,
    }
