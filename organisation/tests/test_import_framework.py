"""The one import framework: every kind is a CsvResource, and a new kind is one declaration."""

import pytest
from import_export import fields

from organisation.importing import KINDS, CodeWidget, CsvResource, TextWidget, cell, import_csv, register
from organisation.models import Region, Team

pytestmark = pytest.mark.django_db


def test_every_registered_kind_is_declared_the_same_way():
    assert {"regions", "teams", "users", "cases", "audits", "judgements", "feedback"} <= set(KINDS)
    for kind, resource_class in KINDS.items():
        assert issubclass(resource_class, CsvResource), kind
        assert resource_class.import_kind == kind
        declared = {f.column_name for f in resource_class().get_import_fields()}
        assert set(resource_class.columns) <= declared, kind


class TeamRenames(CsvResource):
    """A kind written for this test: renames teams, found by code, within their region."""

    import_kind = "team-renames"
    columns = ("code", "name", "region_code")
    required = ("code", "name")
    natural_key = ("code",)

    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    name = fields.Field(attribute="name", column_name="name", widget=TextWidget())
    region_code = fields.Field(attribute="region", column_name="region_code", widget=CodeWidget(Region))

    class Meta:
        model = Team
        fields = ("code", "name", "region_code")
        import_id_fields = ("code",)

    def row_rules(self, row, team):
        if cell(row, "name").lower() == "nowhere":
            return {"name": "a team must be somewhere"}
        return {}


@pytest.fixture
def renames():
    register("team-renames", TeamRenames)
    yield
    KINDS.pop("team-renames")


def test_a_new_kind_is_one_declaration_with_its_rules(renames, team):
    code, region = team.code, team.region.code
    data = f"code,name,region_code\n{code},Renamed,{region}\n,Nameless,{region}\nzz,Nowhere,atlantis\n{code},Twice,x\n"
    report = import_csv("team-renames", data.encode())
    assert report.errors == [
        "line 3: code: a value is required",
        "line 4: name: a team must be somewhere",
        "line 4: region_code: unknown region code 'atlantis'",
        "line 5: code: duplicate of line 2",
        "line 5: region_code: unknown region code 'x'",
    ]
    team.refresh_from_db()
    assert team.name != "Renamed"  # all or nothing
    report = import_csv("team-renames", f"code,name,region_code\n{code},Renamed,{region}\n".encode())
    assert (report.errors, report.updated) == ([], 1)
    team.refresh_from_db()
    assert team.name == "Renamed"
