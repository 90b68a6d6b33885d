"""Forms of the threat pages and the alert inbox.

Write forms validate what a browser sends and hand clean values to the threat services (services.py); the
service stays the judge (its ValidationError lands back on the form with `add_service_errors`).

Areas are 90k rows: the threat form offers only the areas of the user's agencies'
jurisdiction down to districts (a few dozen for a Polres, ~150 for a Polda), as a tree of
checkboxes; staff get provinces and regencies (548 rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import selectors as agency_selectors
from agencies.form_fields import ZonedDateTimeField, ZonedFormMixin, zone_of_areas
from agencies.models import Agency, Area, Classification, Severity, zone_label
from agencies.roles import roles_for
from common.forms import ActiveFiltersMixin, ServiceErrorsMixin
from common.types import User
from common.widgets import select_widget
from incidents import selectors
from incidents.forms import area_filter_choices, category_choices, interpolate_lazy, jurisdiction_paths
from incidents.models import Category, Certainty, QuickResponse, Threat, Urgency

# code -> label (lazy, so shown in the reader's language); the code is what gets stored.
QUICK_RESPONSES = dict(QuickResponse.choices)


# --- The list's filters --------------------------------------------------------------------


class ThreatPageFilter(ActiveFiltersMixin, django_filters.FilterSet):
    """Filters of /threats/: the same parameter names as the incident list where they mean the same."""

    STATE_CHOICES = [
        ("active", _("Active")),
        ("cancelled", _("Cancelled")),
        ("expired", _("Expired")),
    ]

    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="code", method="filter_category", label=_("Category")
    )
    min_severity = django_filters.ChoiceFilter(
        choices=Severity.choices, method="filter_min_severity", label=_("Severity")
    )
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES, method="filter_state", label=_("State"))
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), method="filter_area", label=_("Area"))

    class Meta:
        model = Threat
        fields: list[str] = []

    def __init__(self, data: Any = None, *, user: User, queryset: QuerySet[Threat]) -> None:
        super().__init__(data, queryset=queryset)
        fields = self.form.fields
        fields["q"].widget = forms.TextInput(
            attrs={"class": "form-control", "type": "search", "placeholder": _("Headline"), "autocomplete": "off"}
        )
        fields["category"].widget = select_widget(
            [("", _("All categories")), *category_choices(value_field="code", for_filter=True)]
        )
        fields["min_severity"].widget = select_widget(
            [("", _("Any severity"))] + [(v, _("%(s)s or worse") % {"s": label}) for v, label in Severity.choices if v]
        )
        fields["state"].widget = select_widget([("", _("Any state")), *self.STATE_CHOICES])
        fields["area"].widget = select_widget(area_filter_choices(user=user))

    def filter_text(self, qs: QuerySet[Threat], name: str, value: str) -> QuerySet[Threat]:
        value = (value or "").strip()
        return qs.filter(Q(headline__icontains=value) | Q(headline_en__icontains=value)) if value else qs

    def filter_category(self, qs: QuerySet[Threat], name: str, value: Category | None) -> QuerySet[Threat]:
        return qs.filter(Q(category=value) | Q(category__parent=value)) if value else qs

    def filter_min_severity(self, qs: QuerySet[Threat], name: str, value: str) -> QuerySet[Threat]:
        return qs.filter(severity__gte=int(value)) if value not in (None, "") else qs

    def filter_state(self, qs: QuerySet[Threat], name: str, value: str) -> QuerySet[Threat]:
        now = timezone.now()
        if value == "cancelled":
            return qs.filter(msg_type=Threat.MsgType.CANCEL)
        live = qs.exclude(msg_type=Threat.MsgType.CANCEL)
        if value == "expired":
            return live.filter(expires_at__lte=now)
        if value == "active":
            return live.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        return qs

    def filter_area(self, qs: QuerySet[Threat], name: str, value: Area | None) -> QuerySet[Threat]:
        """Threats over the area, inside it, or over an area containing it (a province-wide threat)."""
        if not value:
            return qs
        overlapping = Threat.areas.through.objects.filter(threat_id=OuterRef("pk")).filter(
            Q(area__path__startswith=value.path) | Q(area__path__in=value.ancestor_paths)
        )
        return qs.filter(Exists(overlapping))


# --- Logging and updating a threat ---------------------------------------------------------


@dataclass
class AreaOption:
    """One checkbox of the area tree."""

    pk: int
    name: str
    level_label: str
    depth: int
    timezone_label: str
    checked: bool


def threat_area_queryset(*, user: User, extra_ids: list[int] | None = None) -> QuerySet[Area]:
    """The areas a threat of this user may cover: the jurisdiction itself (any level) and what
    lies inside it down to districts; staff: provinces and regencies. Plus `extra_ids` (the
    areas an edited threat already has, which may lie elsewhere)."""
    paths = jurisdiction_paths(user=user)
    if paths is None:
        q = Q(level__lte=Area.Level.REGENCY)
    else:
        q = Q(path__in=paths)
        for path in paths:
            q |= Q(path__startswith=path, level__lte=Area.Level.DISTRICT)
    if extra_ids:
        q |= Q(pk__in=extra_ids)
    return Area.objects.filter(q)


class ThreatForm(ServiceErrorsMixin, ZonedFormMixin, forms.Form):
    """Log or update a threat. Times are typed in the local time of the first area chosen."""

    headline = forms.CharField(
        label=_("Headline"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 4})
    )
    instruction = forms.CharField(
        label=_("Instruction"),
        required=False,
        help_text=_("What the alerted agencies should do."),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    headline_en = forms.CharField(
        label=_("Headline (English)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    instruction_en = forms.CharField(
        label=_("Instruction (English)"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    severity = forms.TypedChoiceField(
        label=_("Severity"), choices=Severity.choices, coerce=int, initial=Severity.MODERATE
    )
    urgency = forms.TypedChoiceField(label=_("Urgency"), choices=Urgency.choices, coerce=int, initial=Urgency.EXPECTED)
    certainty = forms.TypedChoiceField(
        label=_("Certainty"), choices=Certainty.choices, coerce=int, initial=Certainty.LIKELY
    )
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=Classification.choices,
        initial=Classification.RESTRICTED,
        help_text=_(
            "Public: everyone, and the public CAP feed. Restricted: every member agency. Confidential: "
            "your agency, the alerted and named agencies and your information-sharing partners. "
            "Secret: the named agencies only."
        ),
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Area.objects.none(),
        error_messages={
            "required": _("Choose at least one area."),
            "invalid_choice": _("Choose areas of your jurisdiction from the list."),
        },
    )
    named_agencies = forms.ModelMultipleChoiceField(
        label=_("Alert these agencies too"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_(
            "Named agencies are always alerted, whatever they subscribe to. A secret threat reaches only them."
        ),
    )
    effective_at = ZonedDateTimeField(label=_("Effective from"), required=False)
    expires_at = ZonedDateTimeField(label=_("Expires"), required=False)
    issuing_agency = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Agency.objects.none(), required=False, empty_label=None
    )

    TEXT_FIELDS = ("headline", "description", "instruction", "headline_en", "description_en", "instruction_en")
    SERVICE_FIELDS = (
        *TEXT_FIELDS,
        "category",
        "severity",
        "urgency",
        "certainty",
        "classification",
        "effective_at",
        "expires_at",
    )

    def __init__(self, *args: Any, user: User, threat: Threat | None = None, **kwargs: Any) -> None:
        self.user = user
        self.threat = threat
        existing = [a.pk for a in threat.areas.all()] if threat is not None else []
        self.default_zone = self._default_zone(user, threat)
        if threat is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(threat)
        kwargs.setdefault("zone", self.default_zone)
        super().__init__(*args, **kwargs)
        self._choice("category").queryset = selectors.category_list(active_only=False)
        self._choice("category").choices = [("", _("Choose a category")), *category_choices()]
        for name in ("category", "severity", "urgency", "certainty", "classification", "issuing_agency"):
            self.fields[name].widget.attrs.setdefault("class", "form-select")
        self._choice("areas").queryset = threat_area_queryset(user=user, extra_ids=existing)
        if threat is not None and threat.cap_areas:  # an imported alert may keep its CAP areas alone
            self.fields["areas"].required = False
        agencies = self._acting_agencies(user) if threat is None else []
        # The issuer never alerts itself: naming it would be a checkbox that does nothing.
        issuer = threat.issuing_agency_id if threat is not None else (agencies[0].pk if len(agencies) == 1 else None)
        named = agency_selectors.agency_list(user=user, filters={"is_active": True})
        if issuer is not None:
            named = named.exclude(pk=issuer)
        already = [a.pk for a in threat.named_agencies.all()] if threat is not None else []
        if already:  # saved unchanged, the threat keeps the agencies it names (one may be inactive now)
            named = Agency.objects.filter(Q(pk__in=named.values("pk")) | Q(pk__in=already))
        self._choice("named_agencies").queryset = named
        if len(agencies) > 1:
            self._choice("issuing_agency").queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
            self.fields["issuing_agency"].required = True
        else:
            del self.fields["issuing_agency"]
        zone = zone_label(self.default_zone)
        for name in ("effective_at", "expires_at"):
            self.fields[name].widget.attrs["class"] = "form-control"
            self.fields[name].help_text = _("Local time (%(zone)s).") % {"zone": zone}
        self.fields["effective_at"].help_text = _("Local time (%(zone)s). Empty: now.") % {"zone": zone}

    def _choice(self, name: str) -> forms.ModelChoiceField:
        """A model choice field of this form, typed as one (`self.fields` holds plain Fields)."""
        return cast(forms.ModelChoiceField, self.fields[name])

    def _options(self, name: str) -> QuerySet[Any]:
        """The rows a model choice field of this form offers (set in __init__)."""
        return cast(QuerySet[Any], self._choice(name).queryset)

    # -- presentation --

    @staticmethod
    def _acting_agencies(user: User) -> list[Agency]:
        ids = agency_selectors.managed_agency_ids(user=user, roles=roles_for("threat.log"))
        if not ids:  # staff (None) act without an agency; no role, no choice
            return []
        return list(Agency.objects.filter(pk__in=ids, is_active=True).order_by("name"))

    @staticmethod
    def _default_zone(user: User, threat: Threat | None) -> str:
        """The zone times are typed in: the threat's first area, else the user's jurisdiction's."""
        if threat is not None:
            areas = list(threat.areas.all())
            if areas:
                return zone_of_areas(areas)
        paths = jurisdiction_paths(user=user)
        if paths:
            zone = Area.objects.filter(path__in=paths).order_by("level").values_list("timezone", flat=True).first()
            if zone:
                return zone
        return settings.TIME_ZONE

    @staticmethod
    def initial_from(threat: Threat) -> dict[str, Any]:
        """The threat's values; its times are shown in the form's zone."""
        initial: dict[str, Any] = {name: getattr(threat, name) for name in ThreatForm.TEXT_FIELDS}
        initial.update(
            category=threat.category_id,
            severity=threat.severity,
            urgency=threat.urgency,
            certainty=threat.certainty,
            classification=threat.classification,
            areas=[a.pk for a in threat.areas.all()],
            named_agencies=[a.pk for a in threat.named_agencies.all()],
            effective_at=threat.effective_at,
            expires_at=threat.expires_at,
        )
        return initial

    @property
    def has_english(self) -> bool:
        """Open the English section when it has content or errors."""
        return any(
            self[name].value() or self[name].errors for name in ("headline_en", "description_en", "instruction_en")
        )

    def _chosen_ids(self, name: str) -> set[str]:
        value = self[name].value() or []
        if not isinstance(value, list | tuple):
            value = [value]
        return {str(v) for v in value}

    @property
    def area_options(self) -> list[AreaOption]:
        """The area tree in path order (a parent before its children), indented by depth."""
        chosen = self._chosen_ids("areas")
        rows = list(self._options("areas").order_by("path").values_list("pk", "name", "level", "timezone"))
        top = min((level for _pk, _name, level, _tz in rows), default=1)
        levels = dict(Area.Level.choices)
        return [
            AreaOption(
                pk=pk,
                name=name,
                level_label=str(levels.get(level, "")),
                depth=level - top,
                timezone_label=zone_label(tz),
                checked=str(pk) in chosen,
            )
            for pk, name, level, tz in rows
        ]

    @property
    def agency_options(self) -> list[tuple[int, str, bool]]:
        chosen = self._chosen_ids("named_agencies")
        rows = self._options("named_agencies").order_by("name", "pk").values_list("pk", "name")
        return [(pk, name, str(pk) in chosen) for pk, name in rows]

    # -- validation --

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        effective, expires = data.get("effective_at"), data.get("expires_at")
        if expires is not None and expires <= (effective or timezone.now()):
            self.add_error("expires_at", _("The threat must expire after it takes effect."))
        return data

    def input_zone(self, cleaned: dict[str, Any]) -> ZoneInfo:
        """The browser sends the wall-clock time of the first area chosen."""
        areas = cleaned.get("areas")
        return ZoneInfo(zone_of_areas(areas)) if areas else ZoneInfo(self.default_zone)

    def add_service_errors(self, exc: Any) -> None:
        # A user with one agency has no agency field: an error about it is the form's own.
        if hasattr(exc, "error_dict") and "issuing_agency" in exc.error_dict and "issuing_agency" not in self.fields:
            exc.error_dict["__all__"] = exc.error_dict.pop("issuing_agency")
        super().add_service_errors(exc)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {name: data.get(name) for name in self.SERVICE_FIELDS}
        if kwargs["effective_at"] is None:
            kwargs.pop("effective_at")  # the service starts it now
        kwargs["areas"] = list(data["areas"])
        kwargs["named_agencies"] = list(data.get("named_agencies") or [])
        if data.get("issuing_agency") is not None:
            kwargs["issuing_agency"] = data["issuing_agency"]
        return kwargs


class ThreatCancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"class": "form-control", "rows": 3, "placeholder": _("Why the threat no longer stands")}
        ),
        help_text=_("Every alerted agency receives the cancellation with this reason."),
    )


# --- The inbox -----------------------------------------------------------------------------


class AcknowledgeForm(ServiceErrorsMixin, forms.Form):
    """A quick answer (one click) and/or a free-text one."""

    quick = forms.ChoiceField(choices=[("", "")] + list(QUICK_RESPONSES.items()), required=False)
    response = forms.CharField(
        label=_("Response"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("Optional: what your agency does"), "autocomplete": "off"}
        ),
    )

    def response_text(self) -> str:
        """The free text, as typed (the quick answer is stored apart, as its code)."""
        return (self.cleaned_data.get("response") or "").strip()

    def quick_response(self) -> str:
        return self.cleaned_data.get("quick") or ""


class InboxFilterForm(forms.Form):
    SHOW_CHOICES = [
        ("", _("All alerts")),
        ("unacknowledged", _("Not acknowledged")),
        ("unread", _("Unread")),
    ]

    show = forms.ChoiceField(
        label=_("Show"), choices=SHOW_CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    min_severity = forms.TypedChoiceField(
        label=_("Severity"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any severity"))]
        + [(v, interpolate_lazy(_("%(s)s or worse"), {"s": label})) for v, label in Severity.choices if v],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)
