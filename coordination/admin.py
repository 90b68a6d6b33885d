"""Django admin of the coordination models: plain lists for platform admins. The dashboard
and the services carry the workflow; the admin is for looking and for repairs."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agencies.selectors import mask_secret

from .models import (
    ActionItem,
    AgencyCapacity,
    CalendarFeed,
    CheckIn,
    Checkpoint,
    ConflictOverride,
    Exercise,
    InboxItem,
    JointOperation,
    Meeting,
    MeetingDecision,
    MeetingInvitee,
    OperationEvent,
    Participation,
    PatrolShift,
    Programme,
    ProgrammeSession,
    RosterEntry,
    ShiftContribution,
    SitRep,
    TargetGroup,
)


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ("agency", "liaison")


@admin.register(JointOperation)
class JointOperationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "status", "classification", "lead_agency", "starts_at", "ends_at")
    list_filter = ("kind", "status", "classification")
    list_select_related = ("lead_agency",)
    search_fields = ("name", "objectives", "lead_agency__name")
    autocomplete_fields = ("lead_agency", "areas", "incidents")
    raw_id_fields = ("threats", "approved_by", "created_by")
    date_hierarchy = "starts_at"
    inlines = [ParticipationInline]


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ("operation", "agency", "role", "personnel", "vehicles")
    list_select_related = ("operation", "agency")
    search_fields = ("operation__name", "agency__name")
    autocomplete_fields = ("operation", "agency", "liaison")


@admin.register(OperationEvent)
class OperationEventAdmin(admin.ModelAdmin):
    list_display = ("operation", "at", "kind", "actor", "actor_agency")
    list_filter = ("kind",)
    list_select_related = ("operation", "actor", "actor_agency")
    search_fields = ("operation__name", "message")
    raw_id_fields = ("operation", "actor", "actor_agency")


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "kind", "operation", "subject_agency", "created_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("user", "agency", "operation", "subject_agency")
    search_fields = ("user__username",)
    raw_id_fields = ("user", "agency", "operation", "subject_agency")


@admin.register(SitRep)
class SitRepAdmin(admin.ModelAdmin):
    list_display = ("operation", "agency", "period_start", "period_end", "author")
    list_select_related = ("operation", "agency", "author")
    search_fields = ("operation__name", "summary")
    autocomplete_fields = ("operation", "agency")
    raw_id_fields = ("author",)


@admin.register(AgencyCapacity)
class AgencyCapacityAdmin(admin.ModelAdmin):
    list_display = ("agency", "personnel", "vehicles")
    list_select_related = ("agency",)
    search_fields = ("agency__name",)
    autocomplete_fields = ("agency",)


class CheckpointInline(admin.TabularInline):
    model = Checkpoint
    extra = 0


class ShiftContributionInline(admin.TabularInline):
    model = ShiftContribution
    extra = 0
    autocomplete_fields = ("agency",)


@admin.register(PatrolShift)
class PatrolShiftAdmin(admin.ModelAdmin):
    list_display = ("__str__", "operation", "kind", "starts_at", "ends_at", "series")
    list_filter = ("kind",)
    list_select_related = ("operation",)
    search_fields = ("title", "operation__name", "series")
    autocomplete_fields = ("operation", "areas")
    raw_id_fields = ("created_by",)
    date_hierarchy = "starts_at"
    inlines = [CheckpointInline, ShiftContributionInline]


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ("shift", "order", "name", "latitude", "longitude", "planned_at")
    list_select_related = ("shift",)
    search_fields = ("name",)
    raw_id_fields = ("shift",)


@admin.register(ShiftContribution)
class ShiftContributionAdmin(admin.ModelAdmin):
    list_display = ("shift", "agency", "unit_name", "headcount", "vehicles")
    list_select_related = ("shift", "agency")
    search_fields = ("unit_name", "agency__name")
    autocomplete_fields = ("agency",)
    raw_id_fields = ("shift",)


@admin.register(RosterEntry)
class RosterEntryAdmin(admin.ModelAdmin):
    list_display = ("shift", "name", "phone")
    list_select_related = ("shift",)
    search_fields = ("name", "phone")
    raw_id_fields = ("shift",)


@admin.register(ConflictOverride)
class ConflictOverrideAdmin(admin.ModelAdmin):
    list_display = ("shift", "user", "at")
    list_select_related = ("shift", "user")
    raw_id_fields = ("shift", "user")


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ("shift", "checkpoint", "agency", "user", "at")
    list_select_related = ("shift", "checkpoint", "agency", "user")
    raw_id_fields = ("shift", "checkpoint", "user")
    autocomplete_fields = ("agency",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("agency", "created_at")
    list_select_related = ("agency",)
    autocomplete_fields = ("agency",)
    # The token is the feed's secret: masked here like every secret (its members read the feed
    # URL on the patrol calendar page; delete the row, or rotate there, to replace it).
    exclude = ("token",)
    readonly_fields = ("token_masked", "created_at")

    @admin.display(description=_("token"))
    def token_masked(self, obj: CalendarFeed) -> str:
        return mask_secret(obj.token) if obj else ""


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    autocomplete_fields = ("owner_agency",)
    raw_id_fields = ("owner_person",)
    exclude = ("meeting", "programme")


class MeetingActionItemInline(ActionItemInline):
    exclude = ("exercise", "programme")


class ProgrammeActionItemInline(ActionItemInline):
    exclude = ("exercise", "meeting")


class MeetingInviteeInline(admin.TabularInline):
    model = MeetingInvitee
    extra = 0
    autocomplete_fields = ("agency",)
    raw_id_fields = ("user", "rsvp_by")


class MeetingDecisionInline(admin.TabularInline):
    model = MeetingDecision
    extra = 0
    raw_id_fields = ("created_by",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "organiser", "starts_at", "status")
    list_filter = ("status",)
    list_select_related = ("organiser",)
    search_fields = ("title", "organiser__name")
    autocomplete_fields = ("organiser", "area")
    raw_id_fields = ("created_by",)
    inlines = [MeetingInviteeInline, MeetingDecisionInline, MeetingActionItemInline]


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "lead_agency", "starts_at", "classification", "reviewed_at")
    list_filter = ("kind", "classification")
    list_select_related = ("lead_agency",)
    search_fields = ("name", "scenario", "lead_agency__name")
    autocomplete_fields = ("lead_agency", "participants", "areas")
    raw_id_fields = ("created_by",)
    inlines = [ActionItemInline]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("__str__", "exercise", "meeting", "owner_agency", "due_date", "status")
    list_filter = ("status",)
    list_select_related = ("exercise", "meeting", "owner_agency")
    search_fields = ("description", "owner_agency__name", "exercise__name", "meeting__title")
    autocomplete_fields = ("exercise", "meeting", "owner_agency")
    raw_id_fields = ("owner_person",)


class ProgrammeSessionInline(admin.TabularInline):
    model = ProgrammeSession
    extra = 0


class TargetGroupInline(admin.TabularInline):
    model = TargetGroup
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "organiser", "starts_at", "status", "is_public")
    list_filter = ("status", "kind", "is_public")
    list_select_related = ("organiser",)
    search_fields = ("title", "venue", "organiser__name")
    autocomplete_fields = ("organiser", "partners", "area")
    raw_id_fields = ("created_by", "approved_by")
    inlines = [ProgrammeSessionInline, TargetGroupInline, ProgrammeActionItemInline]
