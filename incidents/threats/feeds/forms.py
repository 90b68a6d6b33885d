"""The CAP source form of the staff pages (create and edit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Severity
from common.forms import ServiceErrorsMixin
from incidents.models import CapCategory, CapSource

_TEXT = {"class": "form-control"}


class CapSourceForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=_TEXT))
    authority = forms.CharField(
        label=_("Issuing authority"),
        max_length=200,
        help_text=_("The warning service, e.g. BMKG."),
        widget=forms.TextInput(attrs=_TEXT),
    )
    url = forms.URLField(
        label=_("URL"),
        assume_scheme="https",
        max_length=500,
        help_text=_("A CAP 1.2 Atom or RSS index, or a single CAP alert."),
        widget=forms.URLInput(attrs=_TEXT),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CapSource.Kind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    poll_every_minutes = forms.IntegerField(
        label=_("Poll every (minutes)"), min_value=1, max_value=1440, initial=5, widget=forms.NumberInput(attrs=_TEXT)
    )
    categories = forms.MultipleChoiceField(
        label=_("CAP categories"),
        choices=CapCategory.choices,
        required=False,
        help_text=_("None chosen: every category."),
        widget=forms.CheckboxSelectMultiple,
    )
    min_severity = forms.TypedChoiceField(
        label=_("Minimum severity"),
        choices=Severity.choices,
        coerce=int,
        initial=Severity.UNKNOWN,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    agency = forms.ModelChoiceField(
        label=_("Relaying agency"),
        queryset=Agency.objects.none(),
        empty_label=_("Choose an agency"),
        help_text=_("The agency that relays the alerts: it issues the threats."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    require_signature = forms.BooleanField(
        label=_("XML signature required"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    certificate = forms.CharField(
        label=_("Sender's certificate"),
        required=False,
        help_text=_("X.509 certificate (PEM) whose key signs the alerts."),
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 4}),
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args: Any, source: CapSource | None = None, **kwargs: Any) -> None:
        if source is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(source, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
