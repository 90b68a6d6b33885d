"""Satisfaction surveys: the standard public-satisfaction survey (SKM, PermenPANRB 14/2017) and
custom ones built by an agency, answered anonymously through a public link.

Answers are stored one row per (response, question, value) with an integer `value` (a Likert or
SKM score, an option's number, a number, 1/0 for yes/no, an area's id) and a `text` column for
written answers, so that every result is an aggregate over one indexed table
(`coordination.community.surveys.selectors.survey_results`). The response's month and area are
copied onto each answer row: the trends and the per-area figures group one table, no join.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area


class Survey(models.Model):
    class Kind(models.TextChoices):
        SKM = "skm", _("Public satisfaction survey (SKM)")
        CUSTOM = "custom", _("Custom survey")

    class Service(models.TextChoices):
        # What the survey asks about: the satisfaction index is reported per service.
        REPORT_HANDLING = "report_handling", _("Handling of citizens' reports")
        PROGRAMME = "programme", _("A community programme")
        OTHER = "other", _("Another service of the agency")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CUSTOM)
    title = models.CharField(_("title (Indonesian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("introduction (Indonesian)"), max_length=2000, blank=True)
    description_en = models.TextField(_("introduction (English)"), max_length=2000, blank=True)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="surveys")
    service = models.CharField(_("service"), max_length=20, choices=Service.choices, default=Service.OTHER)
    service_name = models.CharField(_("name of the service"), max_length=200, blank=True)
    # Where the service is given: answers are counted under this area unless they name one.
    area = models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A survey of service "programme" may name the programme it asks about (one its agency
    # organises or takes part in): the programme's page links it, its results are the programme's.
    programme = models.ForeignKey(
        "coordination.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The public link /survei/<token>/: unguessable, so a draft's address is not found by counting.
    token = models.CharField(max_length=32, unique=True, editable=False)
    # Published text answers and the index on the public results page.
    results_public = models.BooleanField(_("publish the results"), default=True)
    # Listed among the open surveys of the public portal's home; otherwise answered only by its
    # link or QR code (a survey of a seminar's attendees, say, is not for every visitor).
    listed = models.BooleanField(_("listed on the public portal"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(opens_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_opening",
            ),
        ]
        indexes = [
            # The open surveys of the public portal and the report-handling survey of an area.
            models.Index(fields=["status", "service"], name="survey_status_service_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        SKM = "skm", _("SKM element (1-4)")
        LIKERT = "likert", _("Scale 1-5")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        NUMBER = "number", _("Number")
        YES_NO = "yes_no", _("Yes or no")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        AREA = "area", _("Area")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.CharField(_("question (Indonesian)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    # Single and multiple choice: [{"id": "...", "en": "..."}, ...]; an answer stores the
    # option's number (1-based). SKM elements carry their four answers the same way.
    options = models.JSONField(_("options"), default=list, blank=True)
    # SKM: the element's code (U1..U9, coordination.community.surveys.skm.ELEMENTS).
    element = models.CharField(_("SKM element"), max_length=3, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class SurveyResponse(models.Model):
    class Via(models.TextChoices):
        LINK = "link", _("Public link")
        REPORT = "report", _("After a citizen's report")
        API = "api", _("API")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_at = models.DateTimeField(db_index=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.LINK)
    # One answer per respondent: an HMAC of the report's tracking code or of the device's
    # cookie token (never the code or the token themselves: the answer stays anonymous).
    respondent_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent_key"],
                condition=~Q(respondent_key=""),
                name="survey_response_one_per_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class SurveyAnswer(models.Model):
    """One value of a response to a question (a multiple-choice answer has one row per option
    ticked; a text answer one row with `value` null)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    value = models.IntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=5000)
    # Copied from the response: trends per month and figures per area group this table alone.
    period = models.DateField()
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A written answer is read by the agency's members only until a moderator publishes it.
    published = models.BooleanField(default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["id"]
        indexes = [
            # survey_results' one scan groups (question, value, period, area) of a survey: with the
            # month and area included, PostgreSQL answers it from the index alone (bench/surveys.py).
            models.Index(
                fields=["survey", "question", "value"], include=["period", "area"], name="survey_answer_value_idx"
            ),
            # The moderation list of a question's written answers, newest first.
            models.Index(fields=["question", "-id"], condition=Q(value__isnull=True), name="survey_answer_text_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.value if self.value is not None else self.text[:30]}"
