"""Sign-in protection around django-axes: the lock-out page, the failed sign-in log, unlocking."""

import logging

from axes.helpers import get_cool_off
from axes.utils import reset
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from .access_log import client_ip

logger = logging.getLogger("organisation.signin")


def log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    """user_login_failed receiver: who was tried, from where (the password never: Django masks it)."""
    username = credentials.get("username", "")
    path = request.path if request is not None else ""
    logger.warning("sign-in failed: username=%r address=%s path=%s", username, client_ip(request), path)


def record_last_login(sender, user, **kwargs) -> None:
    """user_logged_in receiver in place of Django's: one UPDATE of last_login, no history row."""
    user.last_login = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=user.last_login)


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the GOV.UK lock-out page, 429, saying how long and what to do."""
    credentials = credentials or {}
    minutes = int(get_cool_off(request).total_seconds() // 60)
    username = credentials.get("username") or request.POST.get("username", "")
    logger.warning("sign-in locked out: username=%r address=%s", username, client_ip(request))
    context = {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT, "username": username}
    return render(request, "registration/locked_out.html", context, status=429)


def unlock_sign_in(*, usernames: list[str], by) -> int:
    """Lift the lock-out of these people (from every address); the number of counters removed."""
    removed = sum(reset(username=username) for username in usernames)
    logger.info("sign-in unlocked by %s for %s (%d counters)", by.get_username(), ", ".join(usernames), removed)
    return removed
