"""The organisation's import kinds: regions, teams and users, in DESIGN.md's columns (see importing.py)."""

from django.contrib.auth.models import Group
from django.db.models import Q
from import_export import fields, widgets

from .importing import CodeWidget, CsvResource, TextWidget, cell
from .models import Region, Team, User
from .roles import Role

# ---- regions: code,name --------------------------------------------------------------------


class RegionResource(CsvResource):
    import_kind = "regions"
    columns = ("code", "name")
    required = ("code", "name")
    natural_key = ("code",)

    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    name = fields.Field(attribute="name", column_name="name", widget=TextWidget())

    class Meta:
        model = Region
        fields = ("code", "name")
        import_id_fields = ("code",)


# ---- teams: code,name,region_code ----------------------------------------------------------


class TeamResource(CsvResource):
    import_kind = "teams"
    columns = ("code", "name", "region_code")
    required = ("code", "name", "region_code")
    natural_key = ("code",)
    # The unique (region, name) constraint is about the name.
    non_field_column = "name"

    code = fields.Field(attribute="code", column_name="code", widget=TextWidget())
    name = fields.Field(attribute="name", column_name="name", widget=TextWidget())
    region_code = fields.Field(
        attribute="region", column_name="region_code", widget=CodeWidget(Region, label="region code")
    )

    class Meta:
        model = Team
        fields = ("code", "name", "region_code")
        import_id_fields = ("code",)

    def get_queryset(self):
        return super().get_queryset().select_related("region")

    def prepare(self, rows):
        # One query: the region of each team the file names that already has cases or
        # people. Those rows must stay in their region, or every case and person in the
        # team would sit in a team outside their own region.
        codes = {cell(row, "code") for row in rows} - {""}
        self.settled = dict(
            Team.objects.filter(code__in=codes)
            .filter(Q(cases__isnull=False) | Q(people__isnull=False))
            .distinct()
            .values_list("code", "region__code")
        )

    def row_rules(self, row, team):
        code, region_code = cell(row, "code"), cell(row, "region_code")
        old = self.settled.get(code)
        if old and region_code and region_code != old:
            return {
                "region_code": f"team '{code}' has cases or people in region '{old}'; move them to another team "
                "before moving the team to another region"
            }
        return {}


# ---- users: username,full_name,email,roles,region_code,team_code ------------------------------


ROLE_SEPARATOR = ";"


class UserResource(CsvResource):
    import_kind = "users"
    columns = ("username", "full_name", "email", "roles", "region_code", "team_code")
    required = ("username", "roles")
    natural_key = ("username",)

    username = fields.Field(attribute="username", column_name="username", widget=TextWidget())
    full_name = fields.Field(attribute="full_name", column_name="full_name", widget=TextWidget())
    email = fields.Field(attribute="email", column_name="email", widget=TextWidget())
    roles = fields.Field(
        attribute="groups",
        column_name="roles",
        widget=widgets.ManyToManyWidget(Group, separator=ROLE_SEPARATOR, field="name"),
    )
    region_code = fields.Field(
        attribute="region", column_name="region_code", widget=CodeWidget(Region, label="region code")
    )
    team_code = fields.Field(attribute="team", column_name="team_code", widget=CodeWidget(Team, label="team code"))

    class Meta:
        model = User
        fields = ("username", "full_name", "email", "roles", "region_code", "team_code")
        import_id_fields = ("username",)

    def get_queryset(self):
        return super().get_queryset().select_related("region", "team").prefetch_related("groups")

    def init_instance(self, row=None):
        # A person imported from a file signs in only after a password reset by an admin.
        user = super().init_instance(row)
        user.set_unusable_password()
        return user

    def dehydrate_roles(self, user):
        return ROLE_SEPARATOR.join(sorted(g.name for g in user.groups.all()))

    def row_rules(self, row, user):
        # Groups are many-to-many, which import-export sets only after saving, so
        # role names are checked here rather than by the widget.
        names = [name.strip() for name in cell(row, "roles").split(ROLE_SEPARATOR) if name.strip()]
        unknown = [name for name in names if name not in Role.values]
        if unknown:
            return {
                "roles": f"unknown role {', '.join(repr(n) for n in unknown)}; roles are {', '.join(Role.values)}"
                f" separated by '{ROLE_SEPARATOR}'"
            }
        return {}
