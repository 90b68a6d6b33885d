"""Reads of citizen reports, scoped to the user.

The public follows a report by its tracking code only (`citizen_report_public_get`); the
moderators read the reports of the areas under their agencies' jurisdiction (the queue,
`citizen_report_list`); `citizen_report_get` reads one of them (404 outside the queue) and
`citizen_report_get_for_change` also requires a role that may moderate it (403).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.roles import roles_for
from agencies.selectors import user_agency_ids, user_is_staff, user_roles_in
from common.selectors import get_or_404
from common.types import User
from incidents.models import CitizenReport, CitizenReportPhoto, Incident, ReportQuestion
from incidents.selectors import incident_list, moderation_area_paths


def questions_prefetch() -> Prefetch:
    """A report's questions with the asking agency's name: what `report_thread` reads."""
    return Prefetch("questions", queryset=ReportQuestion.objects.select_related("agency").order_by("asked_at", "id"))


def citizen_report_public_get(*, tracking_code: str) -> CitizenReport:
    """A report as its reporter follows it: only the status, public updates and the questions
    (`report_thread`) are used."""
    try:
        return (
            CitizenReport.objects.select_related("category")
            # The incident's status only: the reporter follows its progress, nothing else of it.
            .select_related("incident")
            .prefetch_related("updates", questions_prefetch())
            .get(tracking_code=tracking_code.strip().upper())
        )
    except CitizenReport.DoesNotExist:
        raise Http404 from None


# Blocks that later layers add to the reporter's tracking page, registered in their app's
# ready() (incidents never imports them): a function of the report returning
# {"template": ..., **context} or None. coordination's satisfaction surveys add "how was your
# report handled?" once the report is closed (coordination/apps.py).
TRACKING_HOOKS: list[Callable[[CitizenReport], dict[str, Any] | None]] = []
# What the reporter reads as the end of their report (`CitizenReport.public_progress`).
CLOSED_PROGRESS = frozenset({"handled", "not_followed_up"})


def citizen_report_is_closed(report: CitizenReport) -> bool:
    """Closed as the reporter sees it: rejected (spam reads rejected), or its incident handled
    or not followed up. A report still new, or whose incident is being handled, is open."""
    if report.status in (CitizenReport.Status.REJECTED, CitizenReport.Status.SPAM):
        return True
    return report.public_progress in CLOSED_PROGRESS


def tracking_page_blocks(report: CitizenReport) -> list[dict[str, Any]]:
    """The hooked blocks of the tracking page, in registration order."""
    return [block for hook in TRACKING_HOOKS if (block := hook(report)) is not None]


def citizen_report_list(*, user: User, status: str | None = None) -> QuerySet[CitizenReport]:
    """Reports from the areas under the user's agencies' jurisdiction (the moderation queue)."""
    # The photo count as a correlated subquery, not Count("photos"): a GROUP BY over every
    # report of the area would come before the ORDER BY ... LIMIT of a page.
    photos = (
        CitizenReportPhoto.objects.filter(report_id=OuterRef("pk"))
        .order_by()
        .values("report_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = CitizenReport.objects.select_related("category", "area", "incident").annotate(
        photo_count=Coalesce(Subquery(photos, output_field=IntegerField()), 0)
    )
    paths = moderation_area_paths(user=user)
    if paths is not None:
        if not paths:
            return qs.none()
        q = Q()
        for path in paths:
            q |= Q(area_path__startswith=path)
        qs = qs.filter(q)
    if status:
        qs = qs.filter(status=status)
    return qs


def citizen_report_get(*, user: User, pk: int | str) -> CitizenReport:
    """A report of the user's moderation queue, with its photos and updates; else 404."""
    return get_or_404(citizen_report_list(user=user).prefetch_related("photos", "updates", questions_prefetch()), pk=pk)


def citizen_report_get_for_change(*, user: User, pk: int | str) -> CitizenReport:
    """A report the user may moderate: 404 outside their queue (`citizen_report_get`),
    PermissionDenied when their role where it lies may not moderate (`moderating_agency`)."""
    report = citizen_report_get(user=user, pk=pk)
    moderating_agency(user=user, report=report)
    return report


def moderating_agency(*, user: User, report: CitizenReport) -> Agency | None:
    """The user's agency that moderates the report: one whose jurisdiction covers the report's
    area and in which the user holds an acting role (a viewer there cannot moderate, whatever
    role they hold elsewhere). Staff without an agency moderate as the platform (None).
    PermissionDenied when the user may see the report but not moderate it."""
    own = user_agency_ids(user=user)
    if user_is_staff(user) and not own:
        return None
    moderating = roles_for("report.moderate")
    acting = [aid for aid, role in user_roles_in(user=user, agency_ids=own).items() if role in moderating]
    candidates = Agency.objects.filter(pk__in=acting)
    if report.area is not None:
        candidates = candidates.filter(jurisdiction__path__in=report.area.ancestor_paths)
    agency = candidates.distinct().order_by("name").first()
    if agency is None:
        if user_is_staff(user):
            return None
        if (
            report.area is not None
            and not Agency.objects.filter(pk__in=own, jurisdiction__path__in=report.area.ancestor_paths).exists()
        ):
            raise PermissionDenied(_("This report is outside your agencies' jurisdiction."))
        raise PermissionDenied(_("Viewers cannot moderate reports."))
    return agency


def citizen_report_can_see_contact(*, user: User, report: CitizenReport) -> bool:
    """The reporter's contact (personal data) is for those who may moderate this report: the
    rule of `citizen_report_get_for_change` (`moderating_agency`), asked of a report the user
    already reads. Viewers, and members of an agency whose role there may not moderate, read
    the report without it. The API serializer and the detail page both ask this."""
    try:
        moderating_agency(user=user, report=report)
    except PermissionDenied:
        return False
    return True


def incident_citizen_reports(*, user: User, incident: Incident) -> list[CitizenReport]:
    """The citizens' reports behind an incident the caller already read through `incident_get`
    (the one verified into it, those marked its duplicates), with their photos: whoever may
    read the incident sees them. `can_open` tells whether the user may also open the report
    itself (its moderators: the reporter's contact is on it)."""
    reports = list(
        CitizenReport.objects.filter(incident=incident)
        .select_related("category")
        .prefetch_related("photos", questions_prefetch())
        .order_by("created_at", "id")
    )
    if reports:
        openable = set(citizen_report_list(user=user).filter(incident=incident).values_list("pk", flat=True))
        has_agency = user_is_staff(user) or bool(user_agency_ids(user=user))
        for report in reports:
            report.can_open = report.pk in openable  # type: ignore[attr-defined]
            # The same rule as citizen_report_photo_get, which serves them.
            report.shown_photos = list(report.photos.all()) if has_agency or report.can_open else []  # type: ignore[attr-defined]
            # The two-way thread, to the same readers as the photos (the reporter's words).
            report.thread = report_thread(report=report) if has_agency or report.can_open else []  # type: ignore[attr-defined]
    return reports


def citizen_report_photo_get(*, user: User, token: str) -> CitizenReportPhoto:
    """A report's photo for a user who may read its report (a moderator) or, as a member of an
    agency, the incident the report was verified into or marked a duplicate of; else 404."""
    photo = CitizenReportPhoto.objects.filter(token=token).select_related("report").first()
    if photo is None:
        raise Http404
    if citizen_report_list(user=user).filter(pk=photo.report_id).exists():
        return photo
    # Personal data: a signed-in user without an agency reads public incidents, not their photos.
    has_agency = user_is_staff(user) or bool(user_agency_ids(user=user))
    if (
        has_agency
        and photo.report.incident_id
        and incident_list(user=user).filter(pk=photo.report.incident_id).exists()
    ):
        return photo
    raise Http404


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a report's two-way thread as anyone reads it: who (the asking agency,
    "Moderator" or "Reporter"; never a person, never the reporter's contact), when, what."""

    kind: str  # "question" or "answer"
    at: datetime.datetime
    author: str
    text: str
    question_id: int
    waiting: bool = False  # a question not answered yet


def report_thread(*, report: CitizenReport) -> list[ThreadMessage]:
    """The questions and answers of a report the caller already read (by its tracking code,
    `citizen_report_get` or `incident_citizen_reports`, which prefetch them), in time order. No
    query when prefetched."""
    messages: list[ThreadMessage] = []
    for question in report.questions.all():
        waiting = question.answered_at is None
        messages.append(
            ThreadMessage("question", question.asked_at, question.asker_label, question.text, question.pk, waiting)
        )
        if question.answered_at is not None:
            messages.append(
                ThreadMessage("answer", question.answered_at, str(_("Reporter")), question.answer, question.pk)
            )
    return sorted(messages, key=lambda m: (m.at, m.question_id, m.kind == "answer"))


def report_open_questions(*, report: CitizenReport) -> list[ReportQuestion]:
    """The report's questions that wait for the reporter's answer, oldest first (prefetched)."""
    return [question for question in report.questions.all() if question.answered_at is None]
