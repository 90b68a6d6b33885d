"""Forms of the bulletin pages: compose (with its two distribution lists), amend, withdraw,
reply. The acknowledgement deadline is typed in the zone of the bulletin's first area (the
portal's zone without areas)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, Classification
from agencies.roles import agencies_with
from agencies.selectors import user_is_staff
from common.forms import MultipleFileField, ServiceErrorsMixin
from common.types import User
from coordination.form_fields import (
    AreasZoneMixin,
    areas_field,
    datetime_field,
    select,
    set_area_choices,
    text_input,
    textarea,
)
from incidents.models import Category

from .distribution import SCOPES

SCOPE_CHOICES = [
    ("information_sharing", _("Information sharing")),
    ("joint_patrol", _("Joint patrol")),
    ("disaster_response", _("Disaster response")),
    ("training", _("Training")),
]
assert [s for s, _label in SCOPE_CHOICES] == list(SCOPES)
REASON_LABELS = [
    ("named", _("named")),
    ("kind", _("by kind")),
    ("jurisdiction", _("jurisdiction")),
    ("partnership", _("partnership")),
]


def _multi(choices: Any = None, queryset: QuerySet[Any] | None = None, label: Any = "", size: int = 5) -> forms.Field:
    widget = forms.SelectMultiple(attrs={"class": "form-select", "size": size})
    if queryset is not None:
        return forms.ModelMultipleChoiceField(label=label, queryset=queryset, required=False, widget=widget)
    return forms.MultipleChoiceField(label=label, choices=choices, required=False, widget=widget)


def distribution_areas() -> QuerySet[Area]:
    """Areas a distribution names by jurisdiction: provinces, regencies and districts."""
    return Area.objects.filter(level__lte=Area.Level.DISTRICT).only("id", "name", "level").order_by("path")


class BulletinForm(ServiceErrorsMixin, AreasZoneMixin, forms.Form):
    issuing_agency = forms.ModelChoiceField(
        label=_("Issuing agency"), queryset=Agency.objects.none(), widget=select(), empty_label=_("Choose an agency")
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=text_input(autocomplete="off"))
    body = forms.CharField(
        label=_("Text"), max_length=50000, widget=textarea(8), help_text=_("Markdown: **bold**, lists, links, tables.")
    )
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Classification.choices, initial=Classification.RESTRICTED, widget=select()
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, widget=select(), empty_label="—"
    )
    areas = areas_field()
    dist_agencies = _multi(queryset=Agency.objects.none(), label=_("Agencies, one by one"), size=6)
    dist_kinds = _multi(choices=Agency.Kind.choices, label=_("Agencies of these kinds"))
    dist_areas = _multi(queryset=Area.objects.none(), label=_("Agencies with jurisdiction over"))
    dist_scopes = _multi(choices=SCOPE_CHOICES, label=_("Our partners, by partnership scope"), size=4)
    ack_required = forms.BooleanField(
        label=_("Acknowledgement required"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    ack_deadline = datetime_field(_("Acknowledge by"), required=False)
    releasable_title = forms.CharField(label=_("Releasable title"), max_length=200, required=False, widget=text_input())
    releasable_body = forms.CharField(label=_("Releasable text"), max_length=20000, required=False, widget=textarea(4))
    releasable_classification = forms.ChoiceField(
        label=_("Releasable classification"),
        choices=[("", "—"), *Classification.choices],
        required=False,
        widget=select(),
    )
    rel_agencies = _multi(queryset=Agency.objects.none(), label=_("Agencies, one by one"), size=6)
    rel_kinds = _multi(choices=Agency.Kind.choices, label=_("Agencies of these kinds"))
    rel_areas = _multi(queryset=Area.objects.none(), label=_("Agencies with jurisdiction over"))
    rel_scopes = _multi(choices=SCOPE_CHOICES, label=_("Our partners, by partnership scope"), size=4)
    attachments = MultipleFileField(
        label=_("Attachments"), help_text=_("PDF, images or office documents, 10 MB each at most.")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issuers = Agency.objects.filter(is_active=True).order_by("name")
        if not user_is_staff(user):
            issuers = issuers.filter(pk__in=agencies_with(user=user, capability="bulletin.issue"))
        fields = self.fields
        fields["issuing_agency"].queryset = issuers  # type: ignore[attr-defined]
        agencies = Agency.objects.filter(is_active=True).only("id", "name").order_by("name")
        for name in ("dist_agencies", "rel_agencies"):
            fields[name].queryset = agencies  # type: ignore[attr-defined]
        for name in ("dist_areas", "rel_areas"):
            fields[name].queryset = distribution_areas()  # type: ignore[attr-defined]
        fields["category"].queryset = Category.objects.filter(is_active=True).order_by("sort_order", "code")  # type: ignore[attr-defined]
        set_area_choices(self, user=user)

    def distribution(self, prefix: str) -> dict[str, list[Any]]:
        data = self.cleaned_data
        return {key: list(data.get(f"{prefix}_{key}") or []) for key in ("agencies", "kinds", "areas", "scopes")}

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "issuing_agency": data["issuing_agency"],
            "title": data["title"],
            "body": data["body"],
            "classification": data["classification"],
            "category": data.get("category"),
            "areas": list(data.get("areas") or []),
            "distribution": self.distribution("dist"),
            "ack_required": bool(data.get("ack_required")),
            "ack_deadline": data.get("ack_deadline"),
            "releasable_title": data.get("releasable_title") or "",
            "releasable_body": data.get("releasable_body") or "",
            "releasable_classification": data.get("releasable_classification") or "",
            "releasable_distribution": self.distribution("rel"),
            "attachments": list(data.get("attachments") or []),
        }

    def preview_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "issuing_agency": data.get("issuing_agency"),
            "classification": data.get("classification") or Classification.RESTRICTED,
            "distribution": self.distribution("dist"),
            "releasable_classification": data.get("releasable_classification") or "",
            "releasable_distribution": self.distribution("rel") if (data.get("releasable_body") or "").strip() else {},
        }


class AmendForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=text_input())
    body = forms.CharField(label=_("Text"), max_length=50000, widget=textarea(8))
    releasable_title = forms.CharField(label=_("Releasable title"), max_length=200, required=False, widget=text_input())
    releasable_body = forms.CharField(label=_("Releasable text"), max_length=20000, required=False, widget=textarea(4))
    note = forms.CharField(label=_("What changed"), max_length=500, required=False, widget=text_input())


class WithdrawForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False, widget=text_input())


class ReplyForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=5000, widget=textarea(3))


class BulletinFilterForm(forms.Form):
    BOXES = [
        ("", _("All")),
        ("received", _("Received")),
        ("unread", _("Unread")),
        ("awaiting", _("Waiting for acknowledgement")),
        ("issued", _("Issued by us")),
    ]
    box = forms.ChoiceField(label=_("Show"), choices=BOXES, required=False, widget=select())
    classification = forms.ChoiceField(
        label=_("Classification"), choices=[("", _("Any")), *Classification.choices], required=False, widget=select()
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), ("sent", _("In force")), ("withdrawn", _("Withdrawn"))],
        required=False,
        widget=select(),
    )
