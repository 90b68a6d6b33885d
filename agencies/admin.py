"""Django admin for the agencies app: the platform admins' tool for reference data and fixes.

Two rules hold throughout, because Area has ~90k rows (all of Indonesia):
- every foreign key or many-to-many to Area (and to users and agencies) is an autocomplete
  widget, never a <select> that would render every row into the page;
- every changelist declares `list_select_related` for what its columns and `__str__` touch,
  so a page of 100 rows costs the same few queries as a page of 5 (tests/agencies/test_admin.py).
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User as AuthUser
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from . import selectors, services
from .accounts.services import two_factor_reset
from .models import (
    Agency,
    Area,
    AuditLog,
    Camera,
    Membership,
    Partnership,
    PartnershipAnswer,
    Subscription,
    SubscriptionCategory,
    VitalObject,
)


class AreaAdminForm(forms.ModelForm):
    """Derives level and path from the parent, so a hand-made area fits the imported tree."""

    class Meta:
        model = Area
        fields = (
            "name",
            "level",
            "parent",
            "source_id",
            "code",
            "postal_code",
            "timezone",
            "centroid_lat",
            "centroid_lon",
            "boundary",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "level" in self.fields:
            # On add, the level follows from the parent; empty means a province.
            self.fields["level"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if self.instance.pk is not None:
            # Structure (parent, level, areaid id) is read-only once an area exists: moving it
            # would have to rewrite the path of its whole subtree. Re-run the import instead.
            return cleaned
        parent: Area | None = cleaned.get("parent")
        source_id = cleaned.get("source_id")
        if parent is not None:
            if parent.level >= Area.Level.VILLAGE:
                self.add_error("parent", _("A village cannot have children."))
                return cleaned
            # The level follows from the parent: the path's depth is the level.
            cleaned["level"] = parent.level + 1
        elif cleaned.get("level") not in (None, "", Area.Level.PROVINCE):
            self.add_error("parent", _("Only a province has no parent."))
            return cleaned
        else:
            cleaned["level"] = Area.Level.PROVINCE
        if source_id is not None:
            self.instance.path = f"{parent.path if parent else '/'}{source_id}/"
        return cleaned


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = AreaAdminForm
    list_display = ("name", "level", "code", "parent", "postal_code", "timezone", "path")
    list_filter = ("level", "timezone")
    # `name` (icontains) is what the autocomplete widgets search; "bont" must find "Kota Bontang".
    # Codes and postal codes are exact matches: cheap, and what an admin types when they know them.
    search_fields = ("name", "=code", "=postal_code", "=source_id")
    list_select_related = ("parent",)
    # COUNT(*) of the unfiltered 90k rows on every page load buys nothing.
    show_full_result_count = False
    autocomplete_fields = ("parent",)
    readonly_fields = ("path",)
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("name", "level", "parent", "source_id", "path", "code", "postal_code", "timezone")}),
        (_("Geography"), {"classes": ("collapse",), "fields": ("centroid_lat", "centroid_lon", "boundary")}),
    )

    def save_model(self, request: HttpRequest, obj: Area, form: forms.ModelForm, change: bool) -> None:
        # A centroid typed here is given: the roll-up from the sub-areas never overwrites it.
        if {"centroid_lat", "centroid_lon"} & set(form.changed_data):
            obj.centroid_derived = False
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request: HttpRequest, obj: Area | None = None) -> tuple[str, ...]:
        if obj is not None:
            return ("path", "level", "parent", "source_id")
        return ("path",)

    def has_delete_permission(self, request: HttpRequest, obj: Area | None = None) -> bool:
        # Areas are reference data from areaid. Deleting a province cascades to tens of
        # thousands of rows, which the confirmation page would list one by one.
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "title", "phone", "is_active")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", "headquarters_area", "duty_phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "duty_phone", "duty_email")
    list_select_related = ("parent", "headquarters_area")
    autocomplete_fields = ("parent", "jurisdiction", "headquarters_area")
    prepopulated_fields = {"code": ("name",)}
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("name", "code", "kind", "parent", "is_active")}),
        (_("Area"), {"fields": ("jurisdiction", "headquarters_area", "address", "latitude", "longitude")}),
        (_("24-hour duty contact"), {"fields": ("duty_phone", "duty_email", "duty_radio")}),
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "title", "is_active")
    list_filter = ("role", "is_active", "agency__kind")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "agency__name",
        "agency__code",
    )
    list_select_related = ("user", "agency")
    autocomplete_fields = ("user", "agency")


class PartnershipAnswerInline(admin.TabularInline):
    """Each party's answer, as the services recorded it (the history: read-only, kept)."""

    model = PartnershipAnswer
    extra = 0
    fields = ("agency", "answer", "answered_by", "answered_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "reference",
        "parties",
        "status",
        "valid_from",
        "valid_until",
        "information_sharing",
        "joint_patrol",
        "disaster_response",
        "training",
    )
    list_filter = ("status", "information_sharing", "joint_patrol", "disaster_response", "training", "valid_from")
    search_fields = ("title", "reference", "agencies__name", "agencies__code")
    # No foreign keys to join; the parties come from one prefetch query per page.
    list_select_related = ()
    autocomplete_fields = ("agencies",)
    inlines = (PartnershipAnswerInline,)
    # Who proposed, accepted and ended it is written by the services (agencies/partnerships.py),
    # never typed in here.
    readonly_fields = (
        "proposed_by",
        "proposed_by_agency",
        "proposed_at",
        "in_force_since",
        "ended_by",
        "ended_by_agency",
        "ended_at",
        "supersedes",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partnership]:
        return super().get_queryset(request).prefetch_related("agencies")

    @admin.display(description=_("parties"))
    def parties(self, obj: Partnership) -> str:
        return ", ".join(sorted(a.name for a in obj.agencies.all()))


class SubscriptionCategoryInline(admin.TabularInline):
    model = SubscriptionCategory
    extra = 1


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "min_severity", "channel_list", "is_active")
    list_filter = ("min_severity", "is_active", "channel_email", "channel_sms", "channel_webhook")
    search_fields = ("name", "agency__name", "agency__code")
    list_select_related = ("agency",)
    autocomplete_fields = ("agency", "areas")
    inlines = (SubscriptionCategoryInline,)
    fieldsets = (
        (None, {"fields": ("agency", "name", "areas", "min_severity", "is_active")}),
        (
            _("Channels"),
            {
                "fields": (
                    "channel_in_app",
                    "channel_email",
                    "channel_sms",
                    "channel_webhook",
                    "webhook_url",
                    "webhook_secret_masked",
                )
            },
        ),
    )
    # The signing secret is write-only: masked here, replaced by the rotate action, which shows
    # the new one once (as does saving a new webhook subscription).
    readonly_fields = ("webhook_secret_masked",)
    actions = ("rotate_webhook_secret",)

    @admin.display(description=_("webhook signing secret"))
    def webhook_secret_masked(self, obj: Subscription) -> str:
        return selectors.mask_secret(obj.webhook_secret) if obj else ""

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        fresh = obj.channel_webhook and not obj.webhook_secret
        if fresh:
            obj.webhook_secret = secrets.token_urlsafe(32)
        super().save_model(request, obj, form, change)
        if fresh:
            self._show_once(request, obj, obj.webhook_secret)

    @admin.action(description=_("Rotate the webhook signing secret (shown once)"))
    def rotate_webhook_secret(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset:
            secret = services.subscription_rotate_secret(actor=request.user, subscription=subscription)
            self._show_once(request, subscription, secret)

    def _show_once(self, request: HttpRequest, subscription: Subscription, secret: str) -> None:
        self.message_user(
            request,
            _("New webhook signing secret of %(name)s, shown this once: %(secret)s")
            % {"name": subscription.name, "secret": secret},
            messages.WARNING,
        )

    @admin.display(description=_("channels"))
    def channel_list(self, obj: Subscription) -> str:
        return ", ".join(obj.channels)


@admin.register(VitalObject)
class VitalObjectAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "operator", "is_national")
    list_filter = ("kind", "is_national")
    search_fields = ("name", "operator__name", "area__name")
    list_select_related = ("area", "operator")
    autocomplete_fields = ("area", "operator", "guarding_agencies")


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "status", "last_seen_at", "area", "operator", "vital_object")
    list_filter = ("status", "operator__kind")
    search_fields = ("code", "name", "area__name", "operator__name")
    list_select_related = ("area", "operator", "vital_object")
    autocomplete_fields = ("area", "operator", "vital_object")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Who read which classified record: read-only, even for superusers."""

    list_display = ("at", "user", "action", "object_type", "object_id", "classification")
    list_filter = ("action", "object_type", "classification")
    search_fields = ("user__username", "object_id")
    list_select_related = ("user",)
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- API tokens: write-only like every secret ---------------------------------------------------
# DRF's TokenAdmin lists every key in clear; ours masks it and shows a new key once, on the page
# right after it is created (the user is told the key out of band; a lost key is replaced).
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class MaskedTokenAdmin(TokenAdmin):
    list_display = ("masked_key", "user", "created")
    list_select_related = ("user",)

    @admin.display(description=_("key"))
    def masked_key(self, obj: TokenProxy) -> str:
        return selectors.mask_secret(obj.key)

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        # A token's str() is its key: the page's title and breadcrumbs name its user instead.
        original = context.get("original")
        if original is not None:
            context["original"] = _NamedBy(original, str(original.user))
            context["subtitle"] = str(original.user)
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: TokenProxy, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                _("API token of %(user)s, shown this once: %(key)s") % {"user": obj.user, "key": obj.key},
                messages.WARNING,
            )


class _NamedBy:
    """A record read through, except its str(): a change form's title without the secret in it."""

    def __init__(self, obj: Any, name: str) -> None:
        self._obj, self._name = obj, name

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._obj, attr)

    def __str__(self) -> str:
        return self._name


# Users: Django's own admin, plus resetting a lost authenticator.
admin.site.unregister(AuthUser)


@admin.register(AuthUser)
class SinergiUserAdmin(UserAdmin):
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor login (lost phone): a new authenticator is set up at the next login"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[AuthUser]) -> None:
        users = [user for user in queryset if two_factor_reset(actor=request.user, user=user)]
        names = ", ".join(user.get_username() for user in users) or "-"
        self.message_user(request, _("Two-factor login reset for: %(users)s.") % {"users": names}, messages.SUCCESS)
