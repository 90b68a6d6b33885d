"""The search page's query: the words and, optionally, one kind."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import kind_choices
from .selectors import MAX_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_LENGTH,
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={"class": "form-control", "type": "search", "autocomplete": "off", "data-search-field": ""}
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", _("Everything")), *kind_choices()]  # type: ignore[attr-defined]
