"""Limits on the public pages behind one-time links (/f/<token>/): per link and per address.

A link is a secret in a letter or a text; anyone may try addresses at random, and one person
may press a button far more often than any child or judge answering five questions would.
Each request to a link's pages counts once against its address and once against its link in
fixed windows kept in Django's cache (Redis in production, local memory otherwise); past
either limit the page says kindly to wait (429), and nothing is looked up or saved.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

from organisation.access_log import client_ip


def _window_key(kind: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # never the token itself in the cache
    return f"feedback-throttle:{kind}:{digest}:{window}"


def _count(key: str, seconds: int) -> int:
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def too_many(request, token: str, now: float) -> bool:
    """Count this request; True when its address or its link is past the limit for the window."""
    seconds = settings.FEEDBACK_RATE_WINDOW_SECONDS
    window = int(now // seconds)
    address = client_ip(request) or "unknown"
    by_address = _count(_window_key("address", address, window), seconds)
    by_link = _count(_window_key("link", token, window), seconds)
    return by_address > settings.FEEDBACK_RATE_PER_ADDRESS or by_link > settings.FEEDBACK_RATE_PER_LINK
