"""Forms of the survey pages: the survey's settings, a question of the builder, and the public
answering form's fixed fields (the questions themselves are read by `answers.parse`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.form_fields import IsoDateField, IsoDateInput
from agencies.models import Agency, Area
from agencies.roles import agencies_with
from agencies.selectors import user_is_staff
from common.forms import ServiceErrorsMixin
from common.types import User
from coordination.community.programmes.selectors import programme_list
from coordination.form_fields import area_choices_with_current, select, text_input, textarea
from coordination.models import Programme, Survey, SurveyQuestion

from .answers import options_from_lines, options_to_lines


class SurveyForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Survey.Kind.choices, widget=select())
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), widget=select(), empty_label=_("Choose an agency")
    )
    title = forms.CharField(label=_("Title (Indonesian)"), max_length=200, widget=text_input())
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False, widget=text_input())
    description = forms.CharField(
        label=_("Introduction (Indonesian)"), max_length=2000, required=False, widget=textarea(3)
    )
    description_en = forms.CharField(
        label=_("Introduction (English)"), max_length=2000, required=False, widget=textarea(3)
    )
    service = forms.ChoiceField(label=_("Service"), choices=Survey.Service.choices, widget=select())
    service_name = forms.CharField(
        label=_("Name of the service"),
        max_length=200,
        required=False,
        widget=text_input(),
        help_text=_("For example: issuing a police clearance, the Bontang seminar on narcotics."),
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        widget=select(),
        empty_label=_("Everywhere"),
        help_text=_("Where the service is given; empty: everywhere."),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        widget=select(),
        empty_label=_("None"),
        help_text=_("For a survey about a programme: the one it asks about."),
    )
    opens_on = IsoDateField(label=_("Opens on"), required=False, widget=IsoDateInput(attrs={"class": "form-control"}))
    closes_on = IsoDateField(label=_("Closes on"), required=False, widget=IsoDateInput(attrs={"class": "form-control"}))
    listed = forms.BooleanField(
        label=_("List it on the public portal's home while it is open (else only its link and QR code lead to it)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    results_public = forms.BooleanField(
        label=_("Publish the index and the published comments on the public results page"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: User, survey: Survey | None = None, **kwargs: Any) -> None:
        if survey is not None:
            kwargs.setdefault("initial", {f: getattr(survey, f) for f in self.base_fields if hasattr(survey, f)})
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = area_choices_with_current(
            user=user, current=[survey.area_id] if survey and survey.area_id else []
        )
        programme_field = self.fields["programme"]
        assert isinstance(programme_field, forms.ModelChoiceField)
        programme_field.queryset = programme_list(user=user).order_by("title")
        if survey is not None:
            del self.fields["kind"], self.fields["agency"]
            return
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        if user_is_staff(user):
            agency_field.queryset = Agency.objects.filter(is_active=True).order_by("name")
        else:
            ids = agencies_with(user=user, capability="survey.manage")
            agency_field.queryset = Agency.objects.filter(pk__in=ids).order_by("name")
            if len(ids) == 1:
                agency_field.initial = next(iter(ids))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The survey must close on or after the day it opens."))
        return cleaned


class QuestionForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of answer"),
        choices=[c for c in SurveyQuestion.Kind.choices if c[0] != SurveyQuestion.Kind.SKM],
        widget=select(),
    )
    text = forms.CharField(label=_("Question (Indonesian)"), max_length=500, widget=text_input())
    text_en = forms.CharField(label=_("Question (English)"), max_length=500, required=False, widget=text_input())
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=textarea(4),
        help_text=_('Single and multiple choice: one option a line, "Indonesian | English".'),
    )
    required = forms.BooleanField(
        label=_("An answer is required"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, question: SurveyQuestion | None = None, **kwargs: Any) -> None:
        if question is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": question.kind,
                    "text": question.text,
                    "text_en": question.text_en,
                    "options": options_to_lines(question.options),
                    "required": question.required,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_options(self) -> list[dict[str, str]]:
        return options_from_lines(self.cleaned_data.get("options") or "")


class AnswerMetaForm(forms.Form):
    """The answering form's own fields: the report's tracking code (from the tracking page's
    link) and the honeypot a person never sees nor fills."""

    kode = forms.CharField(required=False, max_length=16)
    website = forms.CharField(required=False, max_length=200)
