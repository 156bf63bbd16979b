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
    elif visibility.is_external_moderator(user):
        items.append(("Audits", "/audits/"))
    if visibility.can_see_dashboards(user):
        items.append(("Dashboards", "/dashboards/"))
    if visibility.can_see_programmes(user):
        items.append(("Programmes", "/programmes/"))
    if visibility.can_read_plans(user):
        items.append(("Improvement plans", "/plans/"))
    if visibility.is_admin(user):
        items.append(("Admin", "/admin/"))
    nav = []
    # The longest matching link is the current one (/programmes/ is not "Audits").
    matches = [href for _, href in items if href != "/" and path.startswith(href)]
    current = max(matches, key=len) if matches else ("/" if path == "/" else None)
    for label, href in items:
        active = href == current
        # The work list's count is fetched after the page loads (htmx), so no page pays its queries.
        count_url = "/my-work/count/" if href == "/my-work/" else None
        nav.append({"label": label, "href": href, "active": active, "count_url": count_url})
    return {"nav_items": nav}
