"""Forms of the agency management pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import ServiceErrorsMixin
from common.widgets import QuickSelectMultiple

from ..forms import regency_choices
from ..models import Agency, Camera, Membership, Severity, Subscription, VitalObject

_TEXT = {"class": "form-control"}


class InviteForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={**_TEXT, "autocomplete": "off"}))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.VIEWER,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class MemberRoleForm(ServiceErrorsMixin, forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class AcceptNewUserForm(ServiceErrorsMixin, forms.Form):
    """Someone without an account accepts an invitation: the account they will sign in with."""

    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        widget=forms.TextInput(attrs={**_TEXT, "autocomplete": "username"}),
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, required=False, widget=forms.TextInput(attrs=_TEXT)
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, required=False, widget=forms.TextInput(attrs=_TEXT)
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={**_TEXT, "autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={**_TEXT, "autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class ContactForm(ServiceErrorsMixin, forms.ModelForm):
    """The duty contact and the declared capacity (its commander)."""

    class Meta:
        model = Agency
        fields = [
            "duty_phone",
            "duty_email",
            "duty_radio",
            "capacity_personnel",
            "capacity_vehicles",
            "capacity_boats",
            "capacity_medical_teams",
        ]
        widgets = {
            "duty_phone": forms.TextInput(attrs={**_TEXT, "type": "tel", "autocomplete": "off"}),
            "duty_email": forms.EmailInput(attrs=_TEXT),
            "duty_radio": forms.TextInput(attrs=_TEXT),
            **{
                name: forms.NumberInput(attrs={**_TEXT, "min": "0", "inputmode": "numeric"})
                for name in ("capacity_personnel", "capacity_vehicles", "capacity_boats", "capacity_medical_teams")
            },
        }


CHANNELS = [
    ("in_app", _("In the portal")),
    ("email", _("E-mail")),
    ("sms", _("SMS")),
    ("webhook", _("Webhook")),
]


class SubscriptionForm(ServiceErrorsMixin, forms.Form):
    """What the agency is alerted about: categories x areas x minimum severity x channels."""

    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs=_TEXT))
    categories = forms.CharField(
        label=_("Categories"),
        required=False,
        max_length=600,
        help_text=_("Category codes separated by commas (e.g. flood, fire); empty: every category."),
        widget=forms.TextInput(attrs={**_TEXT, "autocomplete": "off"}),
    )
    areas = forms.TypedMultipleChoiceField(
        label=_("Areas"),
        coerce=int,
        help_text=_("An area covers its districts and villages."),
        widget=QuickSelectMultiple(attrs={"class": "form-select", "size": "6"}),
    )
    min_severity = forms.TypedChoiceField(
        label=_("Minimum severity"),
        coerce=int,
        choices=Severity.choices,
        initial=Severity.MODERATE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=CHANNELS,
        initial=["in_app"],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    webhook_url = forms.URLField(
        label=_("Webhook URL"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={**_TEXT, "placeholder": "https://"}),
    )

    def __init__(self, *args: Any, subscription: Subscription | None = None, **kwargs: Any) -> None:
        if subscription is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": subscription.name,
                "categories": ", ".join(c.code for c in subscription.category_codes.all()),
                "areas": [a.pk for a in subscription.areas.all()],
                "min_severity": subscription.min_severity,
                "channels": subscription.channels,
                "webhook_url": subscription.webhook_url,
            }
        super().__init__(*args, **kwargs)
        self.fields["areas"].choices = regency_choices()  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        from ..selectors import area_list

        data = self.cleaned_data
        channels = set(data["channels"])
        return {
            "name": data["name"],
            "category_codes": [c.strip() for c in data["categories"].split(",") if c.strip()],
            "areas": list(area_list().filter(pk__in=data["areas"])),
            "min_severity": data["min_severity"],
            "channel_in_app": "in_app" in channels,
            "channel_email": "email" in channels,
            "channel_sms": "sms" in channels,
            "channel_webhook": "webhook" in channels,
            "webhook_url": data["webhook_url"] or "",
        }


def _area_choices(current: Any = None) -> list[Any]:
    """Regencies and cities by province (one query), plus the record's own area when it is
    another level, so that editing never drops it."""
    choices: list[Any] = list(regency_choices())
    if current is not None and current.level != 2:
        choices.insert(0, (_("Current"), [(current.pk, current.name)]))
    return choices


_NUMBER = {"class": "form-control", "step": "any", "inputmode": "decimal"}


class VitalObjectForm(ServiceErrorsMixin, forms.ModelForm):
    area = forms.TypedChoiceField(label=_("Area"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}))
    guarding_agencies = forms.ModelMultipleChoiceField(
        label=_("Guarding agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=QuickSelectMultiple(attrs={"class": "form-select", "size": "5"}),
    )

    class Meta:
        model = VitalObject
        fields = ["name", "kind", "is_national", "latitude", "longitude", "address", "notes"]
        widgets = {
            "name": forms.TextInput(attrs=_TEXT),
            "kind": forms.Select(attrs={"class": "form-select"}),
            "is_national": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "latitude": forms.NumberInput(attrs=_NUMBER),
            "longitude": forms.NumberInput(attrs=_NUMBER),
            "address": forms.TextInput(attrs=_TEXT),
            "notes": forms.Textarea(attrs={**_TEXT, "rows": 3}),
        }

    def __init__(self, *args: Any, operator: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.area if self.instance.pk else None
        self.fields["area"].choices = _area_choices(current)  # type: ignore[attr-defined]
        if current is not None:
            self.initial["area"] = current.pk
            self.initial["guarding_agencies"] = [a.pk for a in self.instance.guarding_agencies.all()]
        self.fields["guarding_agencies"].queryset = (  # type: ignore[attr-defined]
            Agency.objects.filter(is_active=True).exclude(pk=operator.pk).only("id", "name").order_by("name")
        )

    def service_kwargs(self) -> dict[str, Any]:
        from ..selectors import area_get

        data = dict(self.cleaned_data)
        data["area"] = area_get(pk=data["area"])
        data["guarding_agencies"] = list(data["guarding_agencies"])
        return data


class CameraForm(ServiceErrorsMixin, forms.ModelForm):
    area = forms.TypedChoiceField(label=_("Area"), coerce=int, widget=forms.Select(attrs={"class": "form-select"}))

    class Meta:
        model = Camera
        fields = ["code", "name", "vital_object", "status", "latitude", "longitude", "stream_url"]
        widgets = {
            "code": forms.TextInput(attrs=_TEXT),
            "name": forms.TextInput(attrs=_TEXT),
            "vital_object": forms.Select(attrs={"class": "form-select"}),
            "status": forms.Select(attrs={"class": "form-select"}),
            "latitude": forms.NumberInput(attrs=_NUMBER),
            "longitude": forms.NumberInput(attrs=_NUMBER),
            "stream_url": forms.URLInput(attrs={**_TEXT, "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, operator: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.area if self.instance.pk else None
        self.fields["area"].choices = _area_choices(current)  # type: ignore[attr-defined]
        if current is not None:
            self.initial["area"] = current.pk
        self.fields["vital_object"].queryset = VitalObject.objects.filter(operator=operator).order_by("name")  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        from ..selectors import area_get

        data = dict(self.cleaned_data)
        data["area"] = area_get(pk=data["area"])
        return data
