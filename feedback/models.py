"""Feedback from children, families, judges and professionals, and one-time links to give it."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audits.models import Audit
from cases.models import Case
from organisation.models import Region, Team


class Respondent(models.TextChoices):
    CHILD = "child", "Child or young person"
    PARENT_CARER = "parent_carer", "Parent or carer"
    JUDGE = "judge", "Judge or magistrate"
    PROFESSIONAL = "professional", "Other professional"


class Channel(models.TextChoices):
    ONLINE = "online", "Online link"
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    PAPER = "paper", "Paper form"


class Kind(models.TextChoices):
    FEEDBACK = "feedback", "Feedback"
    COMPLIMENT = "compliment", "Compliment"
    COMPLAINT = "complaint", "Complaint"


class Audience(models.TextChoices):
    """Who a question set is written for (a finer split than `Respondent`, which the figures use)."""

    CHILD = "child", "Child (about 4 to 10)"
    YOUNG_PERSON = "young_person", "Young person (11 and over)"
    PARENT_CARER = "parent_carer", "Parent or carer"
    JUDGE = "judge", "Judge or magistrate"
    PROFESSIONAL = "professional", "Other professional"


# The figures count children and young people together, as they always have.
RESPONDENT_FOR_AUDIENCE = {
    Audience.CHILD: Respondent.CHILD,
    Audience.YOUNG_PERSON: Respondent.CHILD,
    Audience.PARENT_CARER: Respondent.PARENT_CARER,
    Audience.JUDGE: Respondent.JUDGE,
    Audience.PROFESSIONAL: Respondent.PROFESSIONAL,
}


class QuestionKind(models.TextChoices):
    SCALE = "scale_0_10", "Scale 0 to 10"
    FACES = "faces", "Picture scale (happy, in between, sad)"
    YES_NO = "yes_no", "Yes, no or not sure"
    TEXT = "text", "Free text"


class Measure(models.TextChoices):
    """The headline figures a question may feed (the Feedback fields the dashboards read)."""

    HELPFULNESS = "helpfulness", "How helpful (0 to 10)"
    WORKER_HELPED = "worker_helped", "Did the worker help?"
    UNDERSTOOD = "understood_recommendation", "Understood the recommendation?"
    COMMENTS = "comments", "Comments"


# Which measures each kind of question can feed.
MEASURES_FOR_KIND = {
    QuestionKind.SCALE: {Measure.HELPFULNESS},
    QuestionKind.FACES: {Measure.HELPFULNESS, Measure.WORKER_HELPED, Measure.UNDERSTOOD},
    QuestionKind.YES_NO: {Measure.WORKER_HELPED, Measure.UNDERSTOOD},
    QuestionKind.TEXT: {Measure.COMMENTS},
}

# The answers each kind accepts, in the order they are offered.
FACES_CHOICES = [("happy", "Happy"), ("in_between", "In between"), ("sad", "Sad")]
YES_NO_CHOICES = [("yes", "Yes"), ("no", "No"), ("not_sure", "I'm not sure")]
SCALE_CHOICES = [(str(n), str(n)) for n in range(11)]
TEXT_MAX_LENGTH = 2000


class QuestionSet(models.Model):
    """One version of the questions for one audience; editing a set in use makes a new version."""

    slug = models.CharField(max_length=20, choices=Audience.choices)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=150)
    intro = models.TextField(blank=True, help_text="Shown before the first question, in plain words")
    one_question_per_page = models.BooleanField(
        default=False, help_text="Ask one question on each page (helps younger children)"
    )
    ask_when_case_closes = models.BooleanField(
        default=False,
        help_text="Make a link for this audience when a case is closed, for the practitioner to hand over",
    )
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="questionset_slug_version_unique"),
            models.UniqueConstraint(fields=["slug"], condition=Q(is_current=True), name="questionset_one_current"),
        ]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    @property
    def respondent(self) -> str:
        return RESPONDENT_FOR_AUDIENCE[Audience(self.slug)]


class Question(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=60, help_text="Stable across versions")
    order = models.PositiveIntegerField()
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=12, choices=QuestionKind.choices)
    measure = models.CharField(
        max_length=30,
        choices=Measure.choices,
        blank=True,
        help_text="The headline figure this question feeds, if any (at most one question per figure)",
    )

    class Meta:
        ordering = ["question_set", "order"]
        constraints = [
            models.UniqueConstraint(fields=["question_set", "code"], name="question_code_unique_in_set"),
            models.UniqueConstraint(fields=["question_set", "order"], name="question_order_unique_in_set"),
            models.UniqueConstraint(
                fields=["question_set", "measure"], condition=~Q(measure=""), name="question_one_per_measure"
            ),
        ]

    def __str__(self):
        return self.text

    def clean(self):
        super().clean()
        if self.measure and self.kind and self.measure not in MEASURES_FOR_KIND[QuestionKind(self.kind)]:
            raise ValidationError({"measure": f"A {self.get_kind_display().lower()} question cannot feed that figure."})

    @property
    def choices(self) -> list[tuple[str, str]]:
        return {
            QuestionKind.SCALE: SCALE_CHOICES,
            QuestionKind.FACES: FACES_CHOICES,
            QuestionKind.YES_NO: YES_NO_CHOICES,
        }.get(self.kind, [])

    def label_for(self, value: str) -> str:
        return dict(self.choices).get(value, value)


class ComplaintStage(models.IntegerChoices):
    STAGE_1 = 1, "Stage 1 (local resolution)"
    STAGE_2 = 2, "Stage 2 (review)"


class Theme(models.Model):
    """A theme staff tag comments with; the list is kept by the quality admin."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True, help_text="Offered when tagging")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Outcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    PARTLY_UPHELD = "partly_upheld", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"


class FeedbackQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("case", "region", "team")

    def complaints(self):
        return self.filter(kind=Kind.COMPLAINT)


class Feedback(models.Model):
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FEEDBACK)
    anonymous = models.BooleanField(default=False)
    received_on = models.DateField(default=timezone.localdate)
    helpfulness = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0 (not at all helpful) to 10 (very helpful)"
    )
    worker_helped = models.BooleanField(null=True, blank=True, help_text="Did your worker help you?")
    understood_recommendation = models.BooleanField(
        null=True, blank=True, help_text="Did you understand the recommendation?"
    )
    comments = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH * 4)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    audit = models.ForeignKey(Audit, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    # Where the feedback counts in the figures: the case's region and team when it was received.
    # The practitioner allocated to the case when the feedback was recorded: they, not whoever
    # holds the case later, read it (organisation.visibility.feedback_q). Empty for anonymous
    # feedback, which is shown against no case and no practitioner.
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Complaints only.
    complaint_stage = models.PositiveSmallIntegerField(choices=ComplaintStage.choices, null=True, blank=True)
    acknowledge_by = models.DateField(null=True, blank=True)
    respond_by = models.DateField(null=True, blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    complaint_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    response = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    learning_note = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    # The questions it was given on (None for feedback recorded before question sets, or imported).
    question_set = models.ForeignKey(
        QuestionSet, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="feedback")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # For rows from `import_csv feedback`: a digest of the row, so the same file imported
    # twice changes nothing (feedback has no reference of its own).
    import_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords()
    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name_plural = "feedback"
        indexes = [models.Index(fields=["region", "received_on"], name="feedback_region_received_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(helpfulness__isnull=True) | Q(helpfulness__gte=0, helpfulness__lte=10),
                name="feedback_helpfulness_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(kind="complaint") | Q(complaint_stage__isnull=True),
                name="feedback_only_complaints_have_a_stage",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from a {self.get_respondent_display().lower()} ({self.received_on})"

    def clean(self):
        super().clean()
        if self.helpfulness is not None and not 0 <= self.helpfulness <= 10:
            raise ValidationError({"helpfulness": "Helpfulness is a number from 0 to 10."})
        if self.kind != Kind.COMPLAINT and self.complaint_stage:
            raise ValidationError({"complaint_stage": "Only a complaint has a stage."})

    @property
    def complaint_overdue(self) -> bool:
        if self.kind != Kind.COMPLAINT or self.responded_on:
            return False
        return bool(self.respond_by and self.respond_by < timezone.localdate())


def hash_token(token: str) -> str:
    """Links are stored hashed: a leaked database does not leak working links."""
    return hashlib.sha256(token.encode()).hexdigest()


class Answer(models.Model):
    """One answer to one question; through the question it keeps the question-set version."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.TextField(max_length=TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["feedback", "question__order"]
        constraints = [models.UniqueConstraint(fields=["feedback", "question"], name="answer_one_per_question")]

    def __str__(self):
        return f"{self.question.code}: {self.value[:40]}"

    @property
    def label(self) -> str:
        """The answer as the person saw it ("Happy", "I'm not sure"), not its stored code."""
        return self.question.label_for(self.value)


class HandOver(models.TextChoices):
    LINK = "link", "Link copied"
    LETTER = "letter", "Printed letter or card"
    EMAIL = "email", "Emailed"


class FeedbackRequestQuerySet(models.QuerySet):
    def waiting_to_hand_over(self):
        return self.filter(handed_over_at__isnull=True, used_at__isnull=True)


class FeedbackRequest(models.Model):
    """A one-time, expiring, unguessable link for someone with no account.

    Requests made when a case closes wait, with no token yet, until the practitioner hands
    them over: the token is made then, shown once and stored only hashed.
    """

    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback_requests")
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    # For a child or young person: the case's pseudonymous label ("Child A"), shown to staff only.
    child_label = models.CharField(max_length=20, blank=True)
    automatic = models.BooleanField(default=False, help_text="Made when the case closed")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_over_how = models.CharField(max_length=10, choices=HandOver.choices, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    feedback = models.OneToOneField(Feedback, null=True, blank=True, on_delete=models.SET_NULL, related_name="request")

    objects = FeedbackRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Closing a case (again, or by form, admin and import at once) asks each person once.
            models.UniqueConstraint(
                fields=["case", "audience", "child_label"],
                condition=Q(automatic=True),
                name="feedback_request_once_per_person_at_close",
            ),
        ]

    def __str__(self):
        return f"Feedback link for {self.case} ({self.get_audience_display()})"

    @property
    def is_open(self) -> bool:
        return (
            self.token_hash is not None
            and self.used_at is None
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def for_whom(self) -> str:
        """Whom the link is for, as staff see it: "Child A" or "the judge or magistrate"."""
        return self.child_label or f"the {self.get_audience_display().lower()}"


class YouSaidWeDid(models.Model):
    """What a region did about a theme: printed for waiting rooms, so never any personal data."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="you_said_we_did")
    you_said = models.CharField(max_length=300, help_text="What people told us, in general words (no names)")
    we_did = models.TextField(max_length=1000, help_text="What we did about it")
    done_on = models.DateField()
    # improvement_plans sits above feedback and may not read it (pyproject's import contracts),
    # so the link to a plan action is its reference as people know it.
    plan_action = models.CharField(
        max_length=100, blank=True, help_text="The improvement-plan action this came from, e.g. 'Plan 2, action 1.3'"
    )

    class Meta:
        ordering = ["region", "-done_on"]
        verbose_name = "you said, we did"
        verbose_name_plural = "you said, we did"

    def __str__(self):
        return f"{self.theme}: {self.you_said[:40]}"
