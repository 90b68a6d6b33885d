"""Forms of the programme pages. The programme's fields on one form, its sessions, target
groups and goods as formsets (plain rows: the page works without JavaScript). Session times
are typed in the local time of the programme's area (WIB, WITA or WIT): the view reads the main
form first and gives the sessions its area's zone, so what the form shows reads back unchanged."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from agencies.form_fields import IsoDateInput, ZonedFormMixin
from agencies.models import Agency, Area
from agencies.roles import agencies_with
from agencies.selectors import filter_agency_choices
from common.dates import CalendarDateTimeField
from common.forms import ListSelect, MultipleFileField, ServiceErrorsMixin
from common.types import User
from common.widgets import QuickSelect
from coordination.form_fields import (
    ActionItemFieldsForm,
    area_choices_with_current,
    check_window,
    datetime_field,
    select,
    text_input,
    textarea,
)
from coordination.models import Programme, TargetGroup

from .filters import ProgrammeFilter

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class ProgrammeForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Programme.Kind.choices, widget=select())
    title = forms.CharField(label=_("Title"), max_length=200, widget=text_input(autocomplete="off"))
    description = forms.CharField(label=_("Description"), max_length=5000, required=False, widget=textarea(4))
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        widget=select(),
        empty_label=_("Choose an area"),
        help_text=_("Its time zone rules the times."),
    )
    venue = forms.CharField(
        label=_("Institution or school"),
        max_length=300,
        required=False,
        widget=text_input(),
        help_text=_("Where it is held, e.g. SMA Negeri 1 Bontang."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any", "inputmode": "decimal"}),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner agencies"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 6}),
        help_text=_("Hold Ctrl (or Cmd) to choose several. Partners read an internal programme."),
    )
    is_public = forms.BooleanField(
        label=_("Public: shown on the public portal once approved, where citizens may register"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: User, with_organiser: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        current = self.initial.get("area")
        area_field.queryset = area_choices_with_current(user=user, current=[current] if current else None)
        if with_organiser:
            ids = agencies_with(user=user, capability="programme.plan")
            self.fields["organiser"] = forms.ModelChoiceField(
                label=_("Organiser agency"),
                queryset=Agency.objects.filter(pk__in=ids, is_active=True).order_by("name"),
                widget=select(),
                empty_label=None,
            )
            self.order_fields(["kind", "title", "organiser"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", _("Give both the latitude and the longitude, or neither."))
        return cleaned


class SessionForm(ZonedFormMixin, forms.Form):
    starts_at = datetime_field(_("Starts"), required=False)
    ends_at = datetime_field(_("Ends"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("starts_at")) != bool(cleaned.get("ends_at")) and not self.errors:
            self.add_error("ends_at", _("Give the start and the end."))
        check_window(self, cleaned)
        return cleaned


class TargetGroupForm(forms.Form):
    group = forms.ChoiceField(
        label=_("Group"), choices=[("", "—"), *TargetGroup.Group.choices], required=False, widget=select()
    )
    age_band = forms.ChoiceField(
        label=_("Age band"), choices=TargetGroup.AgeBand.choices, required=False, widget=select()
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=TargetGroup.Sex.choices, required=False, widget=select())
    planned = forms.IntegerField(
        label=_("Planned"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("group") and cleaned.get("planned") is None and not self.has_error("planned"):
            self.add_error("planned", _("How many are planned?"))
        if cleaned.get("planned") and not cleaned.get("group"):
            self.add_error("group", _("Choose the group."))
        return cleaned


class GoodsForm(forms.Form):
    item = forms.CharField(label=_("Item"), max_length=200, required=False, widget=text_input())
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=10_000_000,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("item") and cleaned.get("quantity") is None and not self.has_error("quantity"):
            self.add_error("quantity", _("How many?"))
        if cleaned.get("quantity") and not cleaned.get("item"):
            self.add_error("item", _("Name the item."))
        return cleaned


SessionFormSet = formset_factory(SessionForm, extra=0, max_num=30, absolute_max=30)
TargetGroupFormSet = formset_factory(TargetGroupForm, extra=0, max_num=20, absolute_max=20)
GoodsFormSet = formset_factory(GoodsForm, extra=0, max_num=20, absolute_max=20)


def formsets(data: Any, *, zone: str, programme: Programme | None = None) -> dict[str, Any]:
    """The sessions', target groups' and goods' formsets: the programme's rows (if any) and
    empty ones to add."""
    sessions = [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in programme.sessions.all()] if programme else []
    groups = (
        [
            {"group": g.group, "age_band": g.age_band, "sex": g.sex, "planned": g.planned}
            for g in programme.target_groups.all()
        ]
        if programme
        else []
    )
    goods = [{"item": g.item, "quantity": g.quantity} for g in programme.goods.all()] if programme else []
    return {
        "sessions": _formset(SessionFormSet, data, "session", sessions, 3, form_kwargs={"zone": zone}),
        "groups": _formset(TargetGroupFormSet, data, "group", groups, 3),
        "goods": _formset(GoodsFormSet, data, "goods", goods, 2),
    }


def _formset(cls: Any, data: Any, prefix: str, initial: list[dict[str, Any]], extra: int, **kwargs: Any) -> Any:
    formset = cls(data, prefix=prefix, initial=initial or None, **kwargs)
    formset.extra = extra
    return formset


def formset_rows(bound: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The filled rows of valid formsets, as the services take them."""
    return {
        "sessions": [f.cleaned_data for f in bound["sessions"] if f.cleaned_data.get("starts_at")],
        "target_groups": [
            {k: v or ("any" if k in {"age_band", "sex"} else v) for k, v in f.cleaned_data.items()}
            for f in bound["groups"]
            if f.cleaned_data.get("group")
        ],
        "goods": [f.cleaned_data for f in bound["goods"] if f.cleaned_data.get("item")],
    }


def programme_initial(programme: Programme) -> dict[str, Any]:
    return {
        "kind": programme.kind,
        "title": programme.title,
        "description": programme.description,
        "area": programme.area,
        "venue": programme.venue,
        "latitude": programme.latitude,
        "longitude": programme.longitude,
        "partners": [p.pk for p in programme.partners.all()],
        "is_public": programme.is_public,
    }


class AttendanceForm(ServiceErrorsMixin, forms.Form):
    """One number per target group (`actual-<id>`), and photos."""

    photos = MultipleFileField(
        accept=PHOTO_ACCEPT,
        label=_("Photos (optional)"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB each. Location data in them is removed."),
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = list(programme.target_groups.all())
        for group in self.groups:
            self.fields[f"actual-{group.pk}"] = forms.IntegerField(
                label=f"{group.get_group_display()} · {group.get_age_band_display()} · {group.get_sex_display()}",
                min_value=0,
                max_value=1_000_000,
                initial=group.actual,
                widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
                help_text=_("Planned: %(n)s") % {"n": group.planned},
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(group, self[f"actual-{group.pk}"]) for group in self.groups]

    def attendance(self) -> dict[int, int]:
        return {group.pk: self.cleaned_data[f"actual-{group.pk}"] for group in self.groups}


class ReportForm(ServiceErrorsMixin, forms.Form):
    objectives = forms.CharField(label=_("Objectives"), max_length=10000, required=False, widget=textarea(3))
    activities = forms.CharField(label=_("What was done"), max_length=10000, widget=textarea(5))
    results = forms.CharField(label=_("Results"), max_length=10000, required=False, widget=textarea(4))
    lessons = forms.CharField(label=_("Lessons"), max_length=10000, required=False, widget=textarea(3))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False, widget=text_input())


class MaterialForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("Material"),
        help_text=_("PDF, images or office documents, 10 MB at most."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


class ProgrammeActionItemForm(ActionItemFieldsForm):
    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Owner agencies: the organiser and its partners; owner persons: their members.
        self.limit_owners(
            Agency.objects.filter(pk__in={programme.organiser_id, *(p.pk for p in programme.partners.all())})
        )


class ProgrammePageFilter(ProgrammeFilter):
    """The list page's filters: single selects, the user's agencies, dates without times."""

    def __init__(self, data: Any = None, *, queryset: QuerySet[Programme], user: User) -> None:
        super().__init__(data, queryset=queryset)
        fields = self.form.fields
        fields["kind"].widget = ListSelect(
            attrs={"class": "form-select"}, choices=[("", _("Any kind")), *Programme.Kind.choices]
        )
        fields["status"].widget = ListSelect(
            attrs={"class": "form-select"}, choices=[("", _("Any status")), *Programme.Status.choices]
        )
        selected = self.form.data.get("organiser") if self.form.data else None
        fields["organiser"].widget = QuickSelect(
            attrs={"class": "form-select"},
            choices=[
                ("", _("All agencies")),
                *filter_agency_choices(user=user, selected=selected).values_list("pk", "name"),
            ],
        )
        area_selected = self.form.data.get("area") if self.form.data else None
        areas = area_choices_with_current(user=user, current=[area_selected] if area_selected else None)
        fields["area"].widget = QuickSelect(
            attrs={"class": "form-select"}, choices=[("", _("All areas")), *areas.values_list("pk", "name")]
        )
        fields["q"].widget = forms.TextInput(attrs={"class": "form-control", "type": "search"})
        for name in ("starts_after", "starts_before"):
            fields[name] = CalendarDateTimeField(
                label=fields[name].label, required=False, widget=IsoDateInput(attrs={"class": "form-control"})
            )


class RegistrationForm(forms.Form):
    """A citizen's registration: both fields optional; `website` is a honeypot no person fills
    (hidden from view and from screen readers): a filled one is refused as a bot."""

    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "name"}),
    )
    contact = forms.CharField(
        label=_("Phone or e-mail (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("Only the organiser sees it, to tell you of a change."),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This registration could not be accepted."))
        return ""
