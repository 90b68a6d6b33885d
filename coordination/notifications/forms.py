"""The inbox page's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import GROUPS


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *((k, v) for k, v in GROUPS.items())],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    unread = forms.BooleanField(label=_("Unread only"), required=False)
    needs_ack = forms.BooleanField(label=_("Waiting for acknowledgement"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def params(self) -> dict[str, object]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "group": data.get("kind") or None,
            "unread": True if data.get("unread") else None,
            "needs_ack": True if data.get("needs_ack") else None,
            "number": data.get("page") or 1,
        }
