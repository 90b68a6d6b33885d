from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """A code from the authenticator app (6 digits) or, at the verify step, a recovery code."""

    token = forms.CharField(label=_("Code"), max_length=20, strip=True)
