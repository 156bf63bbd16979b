"""The figures are declared once (dashboards.columns): every layout names declared figures, a
figure looks and links the same in every table that shows it, and the API lists their fields."""

from dashboards import api, columns
from dashboards.columns import Row, figure_table
from dashboards.tables import Cell


class _Drill:
    allowed = True
    windows = {"received": {"received_from": "2025-06"}, "due": {"due_from": "2025-06"}}

    def href(self, **params):
        return "/list/?" + "&".join(f"{k}={v}" for k, v in params.items())

    def link(self, cell, **params):
        cell.href = self.href(**params)
        return cell


COUNTS = {
    "audits": 10,
    "outstanding": 1,
    "good": 5,
    "meets_standard": 3,
    "requires_improvement": 1,
    "family_feedback": 4,
    "care_received": 8,
    "care_allocated": 6,
    "care_working_days_sum": 12,
    "private_received": 0,
    "private_allocated": 0,
    "s7_due": 2,
    "s7_on_time": 1,
    "da_alleged": 3,
    "da_substantiated": 1,
    "feedback_count": 0,
    "feedback_helpfulness_sum": 0,
    "feedback_helpfulness_count": 0,
    "feedback_worker_helped_yes": 0,
    "feedback_worker_helped_count": 0,
    "practitioners": 4,
    "on_course": 3,
}
LAYOUTS = [columns.REGIONS, columns.COMPARISON, columns.TEAMS, columns.TREND, columns.OPERATIONAL, columns.FEEDBACK]


def _row():
    drills = {kind: _Drill() for kind in ("audits", "cases", "feedback")}
    return Row(Cell("Somewhere"), COUNTS, drills)


def test_every_layout_builds_a_cell_per_column():
    for layout in LAYOUTS:
        table = figure_table("t", "caption", layout, [_row()])
        assert len(table.rows[0]) == len(table.columns) == len(layout.figures) + 1


def test_a_figure_is_the_same_cell_in_every_table_that_shows_it():
    shown: dict[str, list] = {}
    for layout in LAYOUTS:
        table = figure_table("t", "caption", layout, [_row()])
        for (figure, _), cell in zip(layout.columns(), table.rows[0][1:], strict=True):
            shown.setdefault(figure.name, []).append(cell)
    assert {name for name, cells in shown.items() if len(cells) > 1} >= {"audits", "good_or_better", "family_feedback"}
    for cells in shown.values():
        assert all(cell == cells[0] for cell in cells)


def test_links_follow_the_declaration():
    table = figure_table("t", "caption", columns.OPERATIONAL, [_row()])
    care, days, private, s7, alleged, substantiated = table.rows[0][1:]
    assert care.href == "/list/?application_type=s31_care&received_from=2025-06&allocated=yes"
    assert care.more == (("All 8 care cases received", "/list/?application_type=s31_care&received_from=2025-06", 8),)
    assert days.href == care.href
    assert private.href == "" and private.text == "No data"  # nothing received: nothing to link to
    assert s7.href == "/list/?application_type=section_7&due_from=2025-06&filed_on_time=yes"
    assert alleged.href == "/list/?da_alleged=yes&received_from=2025-06"
    assert substantiated.more[0][0] == "All 3 cases with domestic abuse alleged"


def test_the_api_lists_the_declared_figures_in_order():
    assert [name for figure in columns.FIGURES.values() for name in figure.api] == api.API_FIELDS
    assert api.API_FIELDS[:5] == ["audits", *columns.GRADES]


def test_a_row_without_drills_links_nothing():
    table = figure_table("t", "caption", columns.REGIONS, [Row(Cell("National"), COUNTS, national=True)])
    assert all(not cell.href for cell in table.rows[0])
    assert table.rows[0][-2].text == "–"  # compared with national: itself
