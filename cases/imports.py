"""The `cases` import kind: DESIGN.md's case columns, matched by reference."""

from django.db import transaction
from import_export import fields, widgets

from organisation.importing import ChoicesWidget, CodeWidget, CsvImporter, IsoDateWidget, TextWidget
from organisation.models import Region, Team, User
from organisation.roles import Role
from organisation.spreadsheets import SafeModelResource

from .models import ApplicationType, Case, LawType
from .signals import case_closed, case_dates_changed

DATE_COLUMNS = ("received_on", "allocated_on", "report_due_on", "report_filed_on", "closed_on")
# Optional columns after the contract's: a file without them imports as before (both "no").
DOMESTIC_ABUSE_COLUMNS = ("domestic_abuse_alleged", "domestic_abuse_substantiated")


class YesNoWidget(widgets.Widget):
    """`yes` or `no` (an empty cell is no)."""

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip().lower()
        if text in ("", "no"):
            return False
        if text == "yes":
            return True
        raise ValueError(f"'{value}' is not yes or no")

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class CaseResource(SafeModelResource):
    """Cases in the contract's columns; also the case list's CSV export."""

    reference = fields.Field(attribute="reference", column_name="reference", widget=TextWidget())
    region_code = fields.Field(
        attribute="region", column_name="region_code", widget=CodeWidget(Region, label="region code")
    )
    team_code = fields.Field(attribute="team", column_name="team_code", widget=CodeWidget(Team, label="team code"))
    law_type = fields.Field(attribute="law_type", column_name="law_type", widget=ChoicesWidget(LawType.choices))
    application_type = fields.Field(
        attribute="application_type", column_name="application_type", widget=ChoicesWidget(ApplicationType.choices)
    )
    practitioner_username = fields.Field(
        attribute="practitioner",
        column_name="practitioner_username",
        widget=CodeWidget(User, field="username", label="practitioner"),
    )
    received_on = fields.Field(attribute="received_on", column_name="received_on", widget=IsoDateWidget())
    allocated_on = fields.Field(attribute="allocated_on", column_name="allocated_on", widget=IsoDateWidget())
    report_due_on = fields.Field(attribute="report_due_on", column_name="report_due_on", widget=IsoDateWidget())
    report_filed_on = fields.Field(attribute="report_filed_on", column_name="report_filed_on", widget=IsoDateWidget())
    closed_on = fields.Field(attribute="closed_on", column_name="closed_on", widget=IsoDateWidget())
    domestic_abuse_alleged = fields.Field(
        attribute="domestic_abuse_alleged", column_name="domestic_abuse_alleged", widget=YesNoWidget()
    )
    domestic_abuse_substantiated = fields.Field(
        attribute="domestic_abuse_substantiated", column_name="domestic_abuse_substantiated", widget=YesNoWidget()
    )

    class Meta:
        model = Case
        fields = (
            "reference",
            "region_code",
            "team_code",
            "law_type",
            "application_type",
            "practitioner_username",
            *DATE_COLUMNS,
            *DOMESTIC_ABUSE_COLUMNS,
        )
        import_id_fields = ("reference",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return super().get_queryset().select_related("region", "team", "practitioner")

    def before_save_instance(self, instance, row, **kwargs):
        # Remember where the case was, so the roll-up recomputes the region it left.
        # And whether it was closed, so closing it is announced once.
        old = Case.objects.filter(pk=instance.pk).values("region_id", "closed_on").first() if instance.pk else None
        instance._old_region_id = old["region_id"] if old else None
        instance._was_closed = bool(old and old["closed_on"])

    def after_save_instance(self, instance, row, **kwargs):
        # Announced after commit: a dry run or a rejected file rolls back, and Django
        # then drops the callback, so the roll-ups never hear of a case that was not saved.
        if not kwargs.get("dry_run"):
            old_region_id = getattr(instance, "_old_region_id", None)
            transaction.on_commit(
                lambda: case_dates_changed.send(sender=Case, case=instance, old_region_id=old_region_id)
            )
            if instance.closed_on and not getattr(instance, "_was_closed", False):
                transaction.on_commit(lambda: case_closed.send(sender=Case, case=instance))


class CasesImporter(CsvImporter):
    kind = "cases"
    columns = (
        "reference",
        "region_code",
        "team_code",
        "law_type",
        "application_type",
        "practitioner_username",
        *DATE_COLUMNS,
    )
    optional_columns = DOMESTIC_ABUSE_COLUMNS
    resource_class = CaseResource
    required = ("reference", "region_code", "team_code", "law_type", "application_type", "received_on")
    natural_key = ("reference",)
    # Case.clean() states each date-order CheckConstraint with a clearer reason, and the
    # region, team and practitioner come from the widgets' lookups.
    lean_validation = True

    def prepare(self, rows):
        # One query for every practitioner the file names: who holds the role.
        usernames = {(row.get("practitioner_username") or "").strip() for row in rows} - {""}
        self.practitioners = set(
            User.objects.filter(username__in=usernames, groups__name=Role.PRACTITIONER, is_active=True).values_list(
                "username", flat=True
            )
        )
        self.known = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))

    def validate_row(self, row):
        errors = super().validate_row(row)
        username = (row.get("practitioner_username") or "").strip()
        if username and username in self.known and username not in self.practitioners:
            errors["practitioner_username"] = f"'{username}' is not an active practitioner"
        return errors
