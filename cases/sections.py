"""Where other apps add sections to the case page without the cases app importing them.

An app registers from its `AppConfig.ready()`:

    from cases.sections import register_case_section
    register_case_section("audits/_case_audits.html", audits_for_case, order=10)

`context(request, case) -> dict | None` is called when the page renders (it must check
what the viewer may see, through organisation.visibility, and cost a fixed number of
queries; return None to show nothing). The template is included with `section` (that
dict) and `case`.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseSection:
    template: str
    context: Callable
    order: int = 100


SECTIONS: dict[str, CaseSection] = {}


def register_case_section(template: str, context: Callable, *, order: int = 100) -> None:
    SECTIONS[template] = CaseSection(template, context, order)


def sections_for(request, case) -> list[tuple[str, dict]]:
    """(template, context) for every registered section, in order."""
    rendered = []
    for section in sorted(SECTIONS.values(), key=lambda s: (s.order, s.template)):
        context = section.context(request, case)
        if context is not None:
            rendered.append((section.template, {**context, "case": case}))
    return rendered
