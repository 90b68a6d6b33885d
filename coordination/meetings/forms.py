"""Forms of the meetings pages. Times are typed in the local time of the meeting's area (WIB,
WITA or WIT): the zone of the area chosen on the form, so what the form shows for a meeting
reads back unchanged."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.form_fields import IsoDateInput, ZonedFormMixin
from agencies.models import Agency, Area
from agencies.roles import agencies_with
from agencies.selectors import filter_agency_choices
from common.dates import CalendarDateTimeField
from common.forms import ListSelect, ServiceErrorsMixin
from common.types import User
from common.widgets import QuickSelect
from coordination.form_fields import (
    ActionItemFieldsForm,
    PersonChoiceField,
    area_choices_with_current,
    check_window,
    datetime_field,
    select,
    text_input,
    textarea,
    with_agencies,
)
from coordination.models import Meeting, MeetingInvitee

from .filters import MeetingFilter


def _multi(size: int = 6) -> forms.SelectMultiple:
    return forms.SelectMultiple(attrs={"class": "form-select", "size": size})


def person_choices(*, current: Any = None) -> QuerySet[Any]:
    """Active members of active agencies (the service checks each is of an invited agency),
    plus the persons the meeting has already."""
    ids = [getattr(p, "pk", p) for p in current or []]
    members = Q(memberships__is_active=True, memberships__agency__is_active=True, is_active=True)
    return with_agencies(
        get_user_model().objects.filter(members | Q(pk__in=ids)).distinct().order_by("first_name", "username")
    )


class MeetingForm(ServiceErrorsMixin, ZonedFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=text_input(autocomplete="off"))
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        widget=select(),
        empty_label=_("Choose an area"),
        help_text=_("Its time zone rules the times."),
    )
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(_("Ends"))
    place = forms.CharField(label=_("Place"), max_length=300, required=False, widget=text_input())
    online_url = forms.URLField(
        label=_("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "form-control"}),
    )
    invited_agencies = forms.ModelMultipleChoiceField(
        label=_("Invited agencies"), queryset=Agency.objects.filter(is_active=True).order_by("name"), widget=_multi()
    )
    invited_persons = PersonChoiceField(
        label=_("Invited persons"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=_multi(),
        help_text=_("Each must be a member of an invited agency; their agency is then told through them."),
    )
    agenda = forms.CharField(label=_("Agenda (Markdown)"), max_length=20000, required=False, widget=textarea(6))

    def __init__(self, *args: Any, user: User, with_organiser: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        current_area = self.initial.get("area")
        area_field.queryset = area_choices_with_current(user=user, current=[current_area] if current_area else None)
        persons = self.fields["invited_persons"]
        assert isinstance(persons, forms.ModelMultipleChoiceField)
        persons.queryset = person_choices(current=self.initial.get("invited_persons"))
        if with_organiser:
            ids = agencies_with(user=user, capability="meeting.schedule")
            self.fields["organiser"] = forms.ModelChoiceField(
                label=_("Organiser agency"),
                queryset=Agency.objects.filter(pk__in=ids, is_active=True).order_by("name"),
                widget=select(),
                empty_label=None,
            )
            self.order_fields(["title", "organiser"])

    def input_zone(self, cleaned: dict[str, Any]) -> ZoneInfo:
        area = cleaned.get("area")
        return ZoneInfo(area.timezone) if area is not None and area.timezone else self.zone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        check_window(self, cleaned)
        if not (cleaned.get("place") or cleaned.get("online_url")) and not self.has_error("online_url"):
            self.add_error("place", _("Give a place, an online link, or both."))
        return cleaned


def meeting_initial(meeting: Meeting) -> dict[str, Any]:
    """What the edit form shows: the meeting as it is (posted back unchanged, nothing changes)."""
    invitees = list(meeting.invitees.all())
    return {
        "title": meeting.title,
        "area": meeting.area,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "online_url": meeting.online_url,
        "invited_agencies": [r.agency_id for r in invitees if r.user_id is None],
        "invited_persons": [r.user_id for r in invitees if r.user_id is not None],
        "agenda": meeting.agenda,
    }


class RsvpForm(forms.Form):
    response = forms.ChoiceField(
        choices=[
            (MeetingInvitee.Rsvp.ACCEPTED, _("Accept")),
            (MeetingInvitee.Rsvp.TENTATIVE, _("Tentative")),
            (MeetingInvitee.Rsvp.DECLINED, _("Decline")),
        ]
    )


class MinutesForm(ServiceErrorsMixin, forms.Form):
    minutes = forms.CharField(label=_("Minutes (Markdown)"), max_length=50000, required=False, widget=textarea(8))


class DecisionForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=5000, widget=text_input())


class MeetingActionItemForm(ActionItemFieldsForm):
    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Owner agencies: the organiser and the invited ones; owner persons: their members.
        ids = {meeting.organiser_id, *(r.agency_id for r in meeting.invitees.all())}
        self.limit_owners(Agency.objects.filter(pk__in=ids))


class MeetingPageFilter(MeetingFilter):
    """The list page's filters: single selects, the user's agencies, dates without times."""

    def __init__(self, data: Any = None, *, queryset: QuerySet[Meeting], user: User) -> None:
        super().__init__(data, queryset=queryset)
        fields = self.form.fields
        fields["status"].widget = ListSelect(
            attrs={"class": "form-select"}, choices=[("", _("Any status")), *Meeting.Status.choices]
        )
        selected = self.form.data.get("agency") if self.form.data else None
        fields["agency"].widget = QuickSelect(
            attrs={"class": "form-select"},
            choices=[
                ("", _("All agencies")),
                *filter_agency_choices(user=user, selected=selected).values_list("pk", "name"),
            ],
        )
        fields["upcoming"].widget = forms.Select(
            attrs={"class": "form-select"},
            choices=[("", _("Any time")), ("true", _("Upcoming")), ("false", _("Past"))],
        )
        fields["q"].widget = forms.TextInput(attrs={"class": "form-control", "type": "search"})
        for name in ("starts_after", "starts_before"):
            fields[name] = CalendarDateTimeField(
                label=fields[name].label, required=False, widget=IsoDateInput(attrs={"class": "form-control"})
            )
