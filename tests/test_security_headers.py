"""Every page carries a Content-Security-Policy with no inline script allowed, and a
Permissions-Policy; no template holds an inline script, event handler or style to need one."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from audits.tests.factories import AuditFactory
from cases.tests.factories import CaseFactory
from improvement_plans.tests.factories import BoundMeasureFactory, ObjectiveFactory, PlanFactory

ROOT = Path(__file__).resolve().parents[1]
DATA_TYPES = {"application/json", "application/ld+json"}


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._open_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> event handler")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")
            if name == "style":
                self.found.append(f"<{tag} style=...>")
        if tag == "style":
            self.found.append("<style> element")
        if tag == "script" and "src" not in attrs and (attrs.get("type") or "").lower() not in DATA_TYPES:
            self._open_inline_script = True
            self.found.append("inline <script>")

    def handle_endtag(self, tag):
        self._open_inline_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_checker_finds_what_the_policy_blocks():
    html = (
        '<script>alert(1)</script><script src="/a.js"></script><script type="application/json">{}</script>'
        '<button onclick="x()">x</button><a href="javascript:x()">y</a><style>p{}</style><p style="color:red">z</p>'
    )
    assert inline_code(html) == [
        "inline <script>",
        "<button onclick=...> event handler",
        "<a href=javascript:...>",
        "<style> element",
        "<p style=...>",
    ]


def project_templates():
    return sorted(p for p in (ROOT / "templates").rglob("*.html")) + sorted(
        p for p in ROOT.glob("*/templates/**/*.html") if "node_modules" not in p.parts and ".venv" not in p.parts
    )


def test_no_template_holds_inline_script_event_handlers_or_styles():
    templates = project_templates()
    assert len(templates) > 20
    offenders = {str(p.relative_to(ROOT)): found for p in templates if (found := inline_code(p.read_text()))}
    assert offenders == {}


@pytest.fixture
def pages(db, team, auditor, practitioner):
    case = CaseFactory(team=team, practitioner=practitioner)
    audit = AuditFactory(case=case, auditor=auditor)
    plan = PlanFactory()
    ObjectiveFactory(plan=plan)
    BoundMeasureFactory(plan=plan)
    return {
        "auditor": ["/", "/cases/", f"/cases/{case.reference}/", "/audits/", f"/audits/{audit.pk}/"],
        "assistant_director": [
            "/dashboards/",
            f"/dashboards/regions/{team.region.code}/",
            "/plans/",
            f"/plans/{plan.pk}/",
        ],
        "quality_admin": ["/admin/", "/admin/organisation/user/", "/admin/cases/case/"],
        None: ["/accounts/login/"],
    }


@pytest.mark.django_db
def test_pages_carry_the_policies_and_no_inline_script(client, request, pages):
    checked = 0
    for person, paths in pages.items():
        client.logout()
        if person:
            client.force_login(request.getfixturevalue(person))
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, path
            csp = response.headers["Content-Security-Policy"]
            directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
            assert directives["script-src"] == "'self'", path
            assert directives["style-src"] == "'self'", path
            assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'", path
            assert "unsafe" not in csp, path
            assert re.search(r"(^|, )camera=\(\)", response.headers["Permissions-Policy"]), path
            html = response.content.decode()
            if "<html" in html:
                assert "<script" in html, path  # scripts are there, as files
                assert inline_code(html) == [], path
            checked += 1
    assert checked == 13


@pytest.mark.django_db
def test_the_plan_page_hands_its_charts_figures_as_data_not_script(client, assistant_director, pages):
    client.force_login(assistant_director)
    plan_path = pages["assistant_director"][-1]
    html = client.get(plan_path).content.decode()
    assert '<script id="plan-charts" type="application/json">' in html
    assert re.search(r'<script src="/static/js/plan-charts\.js" defer>', html)
