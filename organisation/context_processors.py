"""Navigation for the base template: each person sees only the links their roles allow."""

from . import visibility


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = [("Home", "/")]
    if user.roles or user.is_superuser:
        items.append(("My work", "/my-work/"))
    if visibility.can_see_cases(user):
        items += [("Cases", "/cases/"), ("Audits", "/audits/"), ("Feedback", "/feedback/")]
    if visibility.can_see_dashboards(user):
        items.append(("Dashboards", "/dashboards/"))
    if visibility.can_read_plans(user):
        items.append(("Improvement plans", "/plans/"))
    if visibility.is_admin(user):
        items.append(("Admin", "/admin/"))
    nav = []
    for label, href in items:
        active = path == href if href == "/" else path.startswith(href)
        # The work list's count is fetched after the page loads (htmx), so no page pays its queries.
        count_url = "/my-work/count/" if href == "/my-work/" else None
        nav.append({"label": label, "href": href, "active": active, "count_url": count_url})
    return {"nav_items": nav}
