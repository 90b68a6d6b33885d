"""The moderators hear in the one inbox when a reporter answers their question: the asking
agency's moderators only, the report named while they may read it, never the tracking code."""

import pytest
from django.urls import reverse

from coordination.models import InboxItem
from incidents.models import CitizenReport
from incidents.reports import services
from tests.factories import category

pytestmark = pytest.mark.django_db


def _answered(world, capture):
    report = services.citizen_report_submit(
        category=category("crime-theft"),
        description="Motor dicuri di depan masjid",
        latitude="0.160000",
        longitude="117.480000",
        area=world.areas.guntung,
    )
    question = services.report_question_ask(actor=world.alice, report=report, text="Jam berapa kejadiannya?")
    with capture(execute=True):
        services.report_question_answer(report=report, question_id=question.pk, text="Sekitar jam 9 malam")
    return report


def test_the_asking_agencys_moderators_are_told_and_its_viewer_is_not(world, django_capture_on_commit_callbacks):
    report = _answered(world, django_capture_on_commit_callbacks)
    told = set(InboxItem.objects.filter(kind="report.answered", report=report).values_list("user__username", flat=True))
    assert "alice" in told
    assert "vera" not in told  # A's viewer may not moderate
    assert "bob" not in told  # B reads the queue but did not ask


def test_the_inbox_names_the_report_and_links_the_moderation_page(client, world, django_capture_on_commit_callbacks):
    report = _answered(world, django_capture_on_commit_callbacks)
    client.force_login(world.alice)
    html = client.get(reverse("inbox") + "?kind=report").content.decode()
    assert f"#{report.pk}" in html and reverse("report-detail", args=[report.pk]) in html
    assert report.tracking_code not in html  # the reporter's key is never shown
    # Moved out of the agency's jurisdiction: the entry stays, the report is no longer named.
    balikpapan = world.areas.balikpapan
    CitizenReport.objects.filter(pk=report.pk).update(area=balikpapan, area_path=balikpapan.path)
    html = client.get(reverse("inbox") + "?kind=report").content.decode()
    assert reverse("report-detail", args=[report.pk]) not in html
