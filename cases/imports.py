"""The `cases` import kind: DESIGN.md's case columns, matched by reference."""

from django.db import transaction
from import_export import fields

from organisation.importing import (
    ChoicesWidget,
    CodeWidget,
    CsvResource,
    IsoDateWidget,
    TextWidget,
    YesNoWidget,
    cell,
)
from organisation.models import Region, Team, User
from organisation.roles import Role

from .models import ApplicationType, Case, LawType
from .signals import case_closed, case_dates_changed

DATE_COLUMNS = ("received_on", "allocated_on", "report_due_on", "report_filed_on", "closed_on")
# Optional columns after the contract's: a file without them imports as before (both "no").
DOMESTIC_ABUSE_COLUMNS = ("domestic_abuse_alleged", "domestic_abuse_substantiated")


CONTRACT_COLUMNS = (
    "reference",
    "region_code",
    "team_code",
    "law_type",
    "application_type",
    "practitioner_username",
    *DATE_COLUMNS,
)


class CaseResource(CsvResource):
    """Cases in the contract's columns; also the case list's CSV export."""

    import_kind = "cases"
    columns = CONTRACT_COLUMNS
    optional_columns = DOMESTIC_ABUSE_COLUMNS
    required = ("reference", "region_code", "team_code", "law_type", "application_type", "received_on")
    natural_key = ("reference",)
    # Case.clean() states each date-order CheckConstraint with a clearer reason, and the
    # region, team and practitioner come from the widgets' lookups.
    lean_validation = True

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
        attribute="domestic_abuse_alleged", column_name="domestic_abuse_alleged", widget=YesNoWidget(blank=False)
    )
    domestic_abuse_substantiated = fields.Field(
        attribute="domestic_abuse_substantiated",
        column_name="domestic_abuse_substantiated",
        widget=YesNoWidget(blank=False),
    )

    class Meta:
        model = Case
        fields = (*CONTRACT_COLUMNS, *DOMESTIC_ABUSE_COLUMNS)
        import_id_fields = ("reference",)

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

    def prepare(self, rows):
        # One query for every practitioner the file names: who holds the role.
        usernames = {cell(row, "practitioner_username") for row in rows} - {""}
        self.practitioners = set(
            User.objects.filter(username__in=usernames, groups__name=Role.PRACTITIONER, is_active=True).values_list(
                "username", flat=True
            )
        )
        self.known = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))

    def row_rules(self, row, case):
        username = cell(row, "practitioner_username")
        if username and username in self.known and username not in self.practitioners:
            return {"practitioner_username": f"'{username}' is not an active practitioner"}
        return {}
