import pytest
from django.core.exceptions import PermissionDenied

from incidents import services
from incidents.models import CitizenReport
from tests.factories import CitizenReportFactory, MembershipFactory


def test_a_viewer_of_the_covering_agency_cannot_moderate_with_a_role_held_elsewhere(world):
    """Vera is a viewer at Polres Bontang; being a liaison at Balikpapan must not let her moderate Bontang."""
    MembershipFactory(user=world.vera, agency=world.c, role="liaison")
    report = CitizenReportFactory(area=world.areas.guntung)
    with pytest.raises(PermissionDenied):
        services.citizen_report_reject(actor=world.vera, report=report, reason="no")
    with pytest.raises(PermissionDenied):
        services.citizen_report_mark_spam(actor=world.vera, report=report)
    report.refresh_from_db()
    assert report.status == CitizenReport.Status.NEW


def test_a_liaison_of_the_covering_agency_moderates(world):
    report = CitizenReportFactory(area=world.areas.guntung)
    services.citizen_report_reject(actor=world.alice, report=report, reason="Lokasi tidak jelas")
    report.refresh_from_db()
    assert (report.status, report.moderated_by) == ("rejected", world.alice)


def test_an_agency_outside_the_jurisdiction_cannot_moderate(world):
    report = CitizenReportFactory(area=world.areas.guntung)
    with pytest.raises(PermissionDenied):
        services.citizen_report_mark_spam(actor=world.charlie, report=report)
    report.refresh_from_db()
    assert report.status == CitizenReport.Status.NEW
