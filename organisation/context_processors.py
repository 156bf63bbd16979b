"""Navigation for the base template: each person sees only the links their roles allow
(declared once, in organisation.navigation)."""

from .navigation import nav_items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": nav_items(user, request.path)}
