from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import (
    CapFetch,
    CapSender,
    CapSource,
    Category,
    CitizenReport,
    CitizenReportPhoto,
    CitizenReportUpdate,
    Incident,
    IncidentEvent,
    RiskAssessment,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Admins extend the taxonomy here; codes are what the API and subscriptions use."""

    list_display = ("code", "name_id", "name_en", "parent", "cap_category", "sort_order", "is_active")
    list_filter = ("cap_category", "is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code", "name_id", "name_en")
    list_select_related = ("parent",)
    list_editable = ("sort_order", "is_active")


class IncidentEventInline(admin.TabularInline):
    """The timeline is append-only: visible here, never editable."""

    model = IncidentEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "actor_agency", "message", "data")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "category", "severity", "status", "classification", "area", "occurred_at")
    list_filter = ("status", "severity", "classification", "source", "category")
    search_fields = ("reference", "title")
    list_select_related = ("category", "area")
    autocomplete_fields = (
        "area",
        "reporting_agency",
        "lead_agency",
        "involved_agencies",
        "camera",
        "vital_object",
        "duplicate_of",
    )
    readonly_fields = ("reference", "area_path", "reported_at", "updated_at", "created_by")
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    inlines = [IncidentEventInline]

    def has_add_permission(self, request) -> bool:
        # Incidents are logged through the dashboard or the API, which number them and start
        # their timeline (incident_create); the admin corrects, it does not create.
        return False

    def save_model(self, request, obj, form, change) -> None:
        obj.area_path = obj.area.path
        super().save_model(request, obj, form, change)


@admin.register(IncidentEvent)
class IncidentEventAdmin(admin.ModelAdmin):
    list_display = ("incident", "at", "kind", "actor", "actor_agency")
    list_filter = ("kind",)
    search_fields = ("incident__reference", "message")
    list_select_related = ("incident", "actor", "actor_agency")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CitizenReportPhotoInline(admin.TabularInline):
    model = CitizenReportPhoto
    extra = 0
    fields = ("token", "content_type", "size", "width", "height")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CitizenReportUpdateInline(admin.TabularInline):
    model = CitizenReportUpdate
    extra = 0
    fields = ("at", "status", "message")
    readonly_fields = ("at",)
    verbose_name = _("public update")
    verbose_name_plural = _("public updates")


@admin.register(CitizenReport)
class CitizenReportAdmin(admin.ModelAdmin):
    list_display = ("tracking_code", "category", "status", "area", "created_at")
    list_filter = ("status", "category")
    search_fields = ("tracking_code", "description")
    list_select_related = ("category", "area")
    autocomplete_fields = ("area", "incident")
    readonly_fields = ("tracking_code", "area_path", "created_at", "moderated_by", "moderated_at")
    inlines = [CitizenReportPhotoInline, CitizenReportUpdateInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False  # reports come from citizens (citizen_report_submit), with a tracking code

    def save_model(self, request, obj, form, change) -> None:
        obj.area_path = obj.area.path if obj.area else ""
        super().save_model(request, obj, form, change)


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(admin.ModelAdmin):
    list_display = ("area", "hazard", "likelihood", "impact", "score", "assessing_agency", "review_due")
    list_filter = ("hazard", "classification")
    search_fields = ("area__name", "hazard__code")
    list_select_related = ("area", "hazard", "assessing_agency")
    autocomplete_fields = ("area", "assessing_agency")
    readonly_fields = ("score", "area_path")

    def save_model(self, request, obj, form, change) -> None:
        obj.area_path = obj.area.path
        super().save_model(request, obj, form, change)


@admin.register(CapSender)
class CapSenderAdmin(admin.ModelAdmin):
    """The CAP senders an agency trusts for signed relays (staff; agencies use the API)."""

    list_display = ("sender", "agency", "is_active", "registered_by", "registered_at")
    list_filter = ("is_active", "agency")
    search_fields = ("sender", "agency__name", "agency__code")
    autocomplete_fields = ("agency",)
    readonly_fields = ("registered_by", "registered_at")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change and obj.registered_by_id is None:
            obj.registered_by = request.user
        super().save_model(request, obj, form, change)


class CapFetchInline(admin.TabularInline):
    model = CapFetch
    extra = 0
    can_delete = False
    fields = ("fetched_at", "url", "identifier", "outcome", "error", "threat", "attempts")
    readonly_fields = fields
    ordering = ("-fetched_at",)
    show_change_link = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CapSource)
class CapSourceAdmin(admin.ModelAdmin):
    """The CAP feeds the portal polls (staff; also the dashboard's "CAP sources" pages and
    /api/v1/cap-sources/). The poll state is read only: only a poll writes it."""

    list_display = ("name", "authority", "agency", "is_active", "last_success_at", "failing_since", "next_poll_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("is_active", "kind", "agency")
    search_fields = ("name", "authority", "url")
    autocomplete_fields = ("agency",)
    readonly_fields = (
        "etag",
        "last_modified",
        "last_polled_at",
        "last_success_at",
        "last_error",
        "last_error_at",
        "failing_since",
        "consecutive_failures",
        "next_poll_at",
        "polling_since",
        "created_by",
        "created_at",
    )
    inlines = [CapFetchInline]
