import pytest
from django.core.exceptions import PermissionDenied

from incidents.models import CitizenReport
from incidents.reports import services
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


# --- The nearest-area guess (a grid of centroids) ---------------------------------------------


@pytest.fixture
def centroids(db):
    """Districts with centroids on both sides of grid lines, and one far away."""
    from decimal import Decimal

    from tests.factories import AreaFactory

    province = AreaFactory()
    regency = AreaFactory(parent=province, centroid_lat=Decimal("0.2"), centroid_lon=Decimal("117.2"))
    west = AreaFactory(parent=regency, centroid_lat=Decimal("0.49"), centroid_lon=Decimal("117.49"))
    east = AreaFactory(parent=regency, centroid_lat=Decimal("0.51"), centroid_lon=Decimal("117.55"))
    far = AreaFactory(parent=regency, centroid_lat=Decimal("-3.0"), centroid_lon=Decimal("104.7"))
    services.centroid_cache_clear()
    yield {"regency": regency, "west": west, "east": east, "far": far}
    services.centroid_cache_clear()


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        (("0.505", "117.545"), "east"),  # its own cell
        (("0.501", "117.501"), "west"),  # the nearest is across both grid lines
        (("0.499", "117.499"), "west"),
        (("0.21", "117.21"), "regency"),
        (("-3.2", "104.8"), "far"),
        (("0.5", "117.9"), "east"),  # 39 km east of it
    ],
)
def test_a_report_gets_the_nearest_centroid_whatever_its_grid_cell(centroids, point, expected):
    from decimal import Decimal

    area = centroids[expected]
    assert services._nearest_area(Decimal(point[0]), Decimal(point[1])) == (area.pk, area.path)


def test_no_area_is_guessed_beyond_40_km(centroids):
    from decimal import Decimal

    assert services._nearest_area(Decimal("0.5"), Decimal("117.95")) == (None, "")  # 45 km
    assert services._nearest_area(Decimal("5.0"), Decimal("95.3")) == (None, "")


@pytest.mark.dates  # created_at comes from the application's clock, which --clock moves
def test_the_stored_report_is_what_the_orm_reads_back(centroids):
    """The intake writes its row with one hand-written INSERT: every column must round-trip."""
    import datetime
    from decimal import Decimal

    from tests.factories import category

    occurred = datetime.datetime(2026, 3, 1, 7, 15, 30, 123456, tzinfo=datetime.UTC)
    before = datetime.datetime.now(datetime.UTC)
    report = services.citizen_report_submit(
        category=category("fire"),
        description="  Api di gudang  ",
        latitude=Decimal("0.505123"),
        longitude=Decimal("117.545001"),
        occurred_at=occurred,
        contact=" 0812 ",
    )
    stored = CitizenReport.objects.get(pk=report.pk)
    assert stored.tracking_code == report.tracking_code
    assert (stored.category.code, stored.description, stored.contact) == ("fire", "  Api di gudang  ", "0812")
    assert (stored.latitude, stored.longitude) == (Decimal("0.505123"), Decimal("117.545001"))
    assert stored.occurred_at == occurred
    assert (stored.area, stored.area_path) == (centroids["east"], centroids["east"].path)
    assert (stored.status, stored.moderation_reason, stored.moderated_by, stored.incident) == ("new", "", None, None)
    assert before - datetime.timedelta(seconds=5) <= stored.created_at <= datetime.datetime.now(datetime.UTC)
    # The instance returned is a saved one, its database stamp loaded when asked for.
    assert not report._state.adding
    assert report.created_at == stored.created_at


def test_the_service_itself_refuses_what_its_callers_should_have(db):
    """The API and the form check these first; the service holds the line for every caller."""
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from tests.factories import category

    with pytest.raises(ValidationError) as refused:
        services.citizen_report_submit(
            category=category("fire"),
            description="   ",
            latitude=Decimal("51.5"),
            longitude=Decimal("-0.12"),
            contact="x" * 201,
        )

    assert set(refused.value.message_dict) == {"description", "latitude", "longitude", "contact"}
    assert not CitizenReport.objects.exists()
