"""Optional single sign-on through OpenID Connect (Microsoft Entra ID or any OIDC provider).

Off unless OIDC_RP_CLIENT_ID is set (cafcass_qa/settings/sso.py). The provider says who the
person is; this application still says what they may do: roles are the groups a quality
admin gives here. A person is matched to an existing, active account by email address or
username (Entra's `preferred_username` is the sign-in name, usually the email address);
nobody is created by signing in (OIDC_CREATE_USER is False): someone unknown is sent back to
the sign-in page with a message to ask a quality admin. Two accounts matching one person
is refused rather than guessed.
"""

import logging

from django.db.models import Q
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

logger = logging.getLogger("organisation.signin")


def _identifiers(claims) -> tuple[str, str]:
    email = (claims.get("email") or "").strip()
    username = (claims.get("preferred_username") or claims.get("upn") or "").strip()
    return email, username


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims) -> bool:
        email, username = _identifiers(claims)
        return bool(email or username)

    def filter_users_by_claims(self, claims):
        """The one active account this person holds here, or none (never a guess between two)."""
        email, username = _identifiers(claims)
        q = Q(pk__in=[])
        for value in {email, username} - {""}:
            q |= Q(email__iexact=value) | Q(username__iexact=value)
        found = self.UserModel.objects.filter(q, is_active=True)
        matches = list(found.values_list("pk", flat=True)[:2])
        if len(matches) != 1:
            reason = "no account" if not matches else "more than one account"
            logger.warning("single sign-on refused: %s matches email=%r username=%r", reason, email, username)
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(pk=matches[0])

    def create_user(self, claims):
        """Never reached while OIDC_CREATE_USER is False; refuse anyway rather than make an account."""
        return None

    def update_user(self, user, claims):
        """Roles and place come from this application, not from the provider: change nothing."""
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
