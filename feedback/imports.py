"""The `feedback` import kind: DESIGN.md's feedback columns, all or nothing."""

import hashlib

from django.db import transaction
from import_export import fields, widgets

from cases.models import Case
from organisation.importing import ChoicesWidget, CodeWidget, CsvResource, IsoDateWidget, TextWidget, YesNoWidget

from . import services
from .models import Channel, Feedback, Kind, Respondent
from .signals import feedback_imported

# DESIGN.md's feedback columns, in order.
COLUMNS = (
    "case_reference",
    "respondent",
    "channel",
    "received_on",
    "helpfulness",
    "worker_helped",
    "kind",
    "comments",
)


class HelpfulnessWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if not value:
            return None
        if not value.isdigit() or not 0 <= int(value) <= 10:
            raise ValueError(f"'{value}' is not a whole number from 0 to 10")
        return int(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class FeedbackResource(CsvResource):
    import_kind = "feedback"
    columns = COLUMNS
    required = ("case_reference", "respondent", "channel", "received_on", "kind")

    case_reference = fields.Field(
        attribute="case",
        column_name="case_reference",
        widget=CodeWidget(Case, field="reference", label="case reference"),
    )
    respondent = fields.Field(
        attribute="respondent", column_name="respondent", widget=ChoicesWidget(Respondent.choices)
    )
    channel = fields.Field(attribute="channel", column_name="channel", widget=ChoicesWidget(Channel.choices))
    received_on = fields.Field(attribute="received_on", column_name="received_on", widget=IsoDateWidget())
    helpfulness = fields.Field(attribute="helpfulness", column_name="helpfulness", widget=HelpfulnessWidget())
    worker_helped = fields.Field(attribute="worker_helped", column_name="worker_helped", widget=YesNoWidget())
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoicesWidget(Kind.choices))
    comments = fields.Field(attribute="comments", column_name="comments", widget=TextWidget())
    import_key = fields.Field(attribute="import_key", column_name="import_key", widget=TextWidget())

    class Meta:
        model = Feedback
        fields = (*COLUMNS, "import_key")
        import_id_fields = ("import_key",)

    def before_import(self, dataset, **kwargs):
        # Feedback has no reference of its own: a digest of the row's cells identifies it,
        # so the same file imported twice changes nothing.
        super().before_import(dataset, **kwargs)
        self._slices = set()
        if "import_key" not in (dataset.headers or []):
            columns = [dataset.headers.index(c) if c in dataset.headers else None for c in COLUMNS]
            keys = [
                hashlib.sha256(
                    "\x1f".join("" if i is None else str(values[i] or "").strip() for i in columns).encode()
                ).hexdigest()
                for values in dataset
            ]
            dataset.append_col(keys, header="import_key")

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if instance.region_id and not kwargs.get("dry_run"):
            self._slices.add((instance.region_id, instance.received_on))

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self._slices and not kwargs.get("dry_run"):
            # on_commit: a file with a bad row rolls back, and then nothing is announced.
            slices = sorted(self._slices)
            transaction.on_commit(lambda: feedback_imported.send(sender=Feedback, regions_months=slices))

    @classmethod
    def header_errors(cls, header):
        return super().header_errors([h for h in header if h != "import_key"])

    def before_save_instance(self, instance, row, **kwargs):
        if instance.case_id:
            instance.region_id = instance.case.region_id
            instance.team_id = instance.case.team_id
            if instance.pk is None:  # who held the case when the feedback came in
                instance.practitioner_id = instance.case.practitioner_id
        if instance.kind == Kind.COMPLAINT and not instance.respond_by:
            services.set_complaint_deadlines(instance)
