"""Joint operations: the workflow, participations and their notifications, sitreps, and who
may read and change what, tried by the personas of tests/conftest.py on the API and the pages."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import AuditLog, Classification
from coordination.models import InboxItem, JointOperation, OperationEvent, Participation, SitRep
from coordination.operations import services
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

S = JointOperation.Status


def make_operation(world, *, classification=Classification.RESTRICTED, status=None, participants=(), **fields):
    op = services.operation_create(
        actor=world.alice,
        name=fields.pop("name", "Operasi Pekat"),
        kind=JointOperation.Kind.ENFORCEMENT,
        classification=classification,
        areas=[world.areas.bontang],
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=2),
        **fields,
    )
    for agency in participants:
        services.participation_add(actor=world.alice, operation=op, agency=agency, personnel=10)
    if status:
        op.status = status
        op.save(update_fields=["status"])
    return op


def english(client):
    """Messages in English: the portal's default language is Bahasa Indonesia."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def url(op=None, suffix=""):
    return f"/api/v1/operations/{op.pk}/{suffix}" if op else "/api/v1/operations/"


def payload(world, **extra):
    start = timezone.now() + timedelta(days=1)
    return {
        "name": "Patroli gabungan Ramadhan",
        "kind": "joint_patrol",
        "classification": "restricted",
        "areas": [world.areas.bontang_utara.pk],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=6)).isoformat(),
        "command_post": "Mako Polres",
        "command_post_lat": "0.1333",
        "command_post_lon": "117.5",
        **extra,
    }


# --- Create ------------------------------------------------------------------------------


def test_anonymous_gets_401_everywhere(api_as, world):
    op = make_operation(world)
    client = api_as(None)
    assert client.get(url()).status_code == 401
    assert client.post(url(), payload(world), format="json").status_code == 401
    assert client.get(url(op)).status_code == 401
    assert client.post(url(op, "status/"), {"status": "approved"}, format="json").status_code == 401
    assert client.get("/api/v1/notifications/").status_code == 401
    assert JointOperation.objects.count() == 1


def test_a_liaison_creates_an_operation_led_by_her_agency(api_as, world):
    r = api_as(world.alice).post(url(), payload(world), format="json")
    assert r.status_code == 201, r.json()
    op = JointOperation.objects.get()
    assert op.lead_agency == world.a
    assert op.status == S.PLANNED
    assert r.json()["lead_agency"]["id"] == world.a.pk
    assert list(op.events.values_list("kind", flat=True)) == ["created"]


def test_a_viewer_may_not_create(api_as, world):
    r = api_as(world.vera).post(url(), payload(world), format="json")
    assert r.status_code == 403
    assert JointOperation.objects.count() == 0


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"ends_at": "2020-01-01T00:00:00+08:00", "starts_at": "2020-01-02T00:00:00+08:00"}, "ends_at"),
        ({"command_post_lat": "48.0"}, "command_post_lat"),
        ({"command_post_lon": "10.0"}, "command_post_lon"),
        ({"kind": "picnic"}, "kind"),
        ({"areas": [999999]}, "areas"),
    ],
)
def test_bad_input_answers_400(api_as, world, extra, field):
    r = api_as(world.alice).post(url(), payload(world, **extra), format="json")
    assert r.status_code == 400
    assert field in r.json()
    assert JointOperation.objects.count() == 0


# --- Visibility --------------------------------------------------------------------------


def test_charlie_gets_404_on_a_confidential_operation_of_a(api_as, world):
    op = make_operation(world, classification=Classification.CONFIDENTIAL)
    client = api_as(world.charlie)
    assert client.get(url(op)).status_code == 404
    assert client.get(url(op, "sitreps/")).status_code == 404
    assert client.post(url(op, "status/"), {"status": "cancelled"}, format="json").status_code == 404
    assert op.pk not in [o["id"] for o in client.get(url()).json()["results"]]
    op.refresh_from_db()
    assert op.status == S.PLANNED


def test_charlie_reads_a_confidential_operation_his_agency_takes_part_in(api_as, world):
    op = make_operation(world, classification=Classification.CONFIDENTIAL, participants=[world.c])
    r = api_as(world.charlie).get(url(op))
    assert r.status_code == 200
    assert [p["agency"]["id"] for p in r.json()["participations"]] == [world.c.pk]
    assert AuditLog.objects.filter(user=world.charlie, object_type="operation", object_id=str(op.pk)).count() == 1


def test_bob_reads_confidential_as_information_sharing_partner_of_the_lead(api_as, world):
    op = make_operation(world, classification=Classification.CONFIDENTIAL)
    assert api_as(world.bob).get(url(op)).status_code == 200


def test_secret_is_for_lead_and_participants_only(api_as, world):
    op = make_operation(world, classification=Classification.SECRET)
    assert api_as(world.bob).get(url(op)).status_code == 404
    assert api_as(world.charlie).get(url(op)).status_code == 404
    assert api_as(world.vera).get(url(op)).status_code == 200
    assert api_as(world.admin).get(url(op)).status_code == 200
    services.participation_add(actor=world.alice, operation=op, agency=world.b)
    assert api_as(world.bob).get(url(op)).status_code == 200


def test_restricted_for_members_public_for_anyone_signed_in(api_as, world):
    restricted = make_operation(world)
    public = make_operation(world, name="Open day", classification=Classification.PUBLIC)
    assert api_as(world.charlie).get(url(restricted)).status_code == 200
    assert api_as(world.nobody).get(url(restricted)).status_code == 404
    assert api_as(world.nobody).get(url(public)).status_code == 200


# --- Workflow ----------------------------------------------------------------------------


def test_only_a_commander_of_the_lead_approves(api_as, world):
    op = make_operation(world)
    r = api_as(world.alice).post(url(op, "status/"), {"status": "approved"}, format="json")
    assert r.status_code == 403
    op.refresh_from_db()
    assert op.status == S.PLANNED and op.approved_by is None
    r = api_as(world.carol).post(url(op, "status/"), {"status": "approved"}, format="json")
    assert r.status_code == 200, r.json()
    op.refresh_from_db()
    assert op.status == S.APPROVED
    assert op.approved_by == world.carol and op.approved_at is not None
    assert r.json()["approved_by"]["id"] == world.carol.pk


def test_a_commander_of_another_agency_cannot_approve(api_as, world):
    op = make_operation(world, participants=[world.c])
    r = api_as(world.dave).post(url(op, "status/"), {"status": "approved"}, format="json")
    assert r.status_code == 403
    op.refresh_from_db()
    assert op.status == S.PLANNED


def test_an_illegal_move_answers_400_listing_the_allowed_ones(api_as, world):
    op = make_operation(world)
    r = english(api_as(world.carol)).post(url(op, "status/"), {"status": "completed"}, format="json")
    assert r.status_code == 400
    assert r.json()["status"] == ["An operation cannot move from Planned to Completed. Allowed: Approved, Cancelled."]
    op.refresh_from_db()
    assert op.status == S.PLANNED


def test_the_whole_workflow_lands_on_the_timeline(api_as, world):
    op = make_operation(world)
    client = api_as(world.carol)
    for status in ("approved", "active", "completed", "reviewed"):
        assert client.post(url(op, "status/"), {"status": status}, format="json").status_code == 200
    moves = [e.data["to"] for e in op.events.filter(kind="status").order_by("at", "id")]
    assert moves == ["approved", "active", "completed", "reviewed"]
    r = client.post(url(op, "status/"), {"status": "cancelled"}, format="json")
    assert r.status_code == 400


@pytest.mark.parametrize("start", [S.PLANNED, S.APPROVED, S.ACTIVE])
def test_planned_approved_active_may_be_cancelled(api_as, world, start):
    op = make_operation(world, status=start)
    r = api_as(world.alice).post(url(op, "status/"), {"status": "cancelled"}, format="json")
    assert r.status_code == 200
    op.refresh_from_db()
    assert op.status == S.CANCELLED


def test_a_viewer_may_not_move_or_change_anything(api_as, world):
    op = make_operation(world)
    client = api_as(world.vera)
    assert client.post(url(op, "status/"), {"status": "cancelled"}, format="json").status_code == 403
    assert client.patch(url(op), {"name": "X"}, format="json").status_code == 403
    assert client.post(url(op, "participations/"), {"agency": world.b.pk}, format="json").status_code == 403
    op.refresh_from_db()
    assert op.status == S.PLANNED and op.name == "Operasi Pekat"
    assert op.participations.count() == 0
    assert InboxItem.objects.count() == 0


def test_starting_notifies_the_participants(api_as, world):
    op = make_operation(world, status=S.APPROVED, participants=[world.b, world.c])
    InboxItem.objects.all().delete()
    assert api_as(world.carol).post(url(op, "status/"), {"status": "active"}, format="json").status_code == 200
    assert set(InboxItem.objects.filter(kind="operation.started").values_list("user__username", flat=True)) == {
        "bob",
        "charlie",
        "dave",
    }


# --- Participations and notifications ----------------------------------------------------


def test_adding_agency_c_notifies_its_members(api_as, world):
    op = make_operation(world)
    r = api_as(world.alice).post(
        url(op, "participations/"),
        {"agency": world.c.pk, "role": "fire", "personnel": 12, "vehicles": 2},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert sorted(InboxItem.objects.values_list("user__username", flat=True)) == ["charlie", "dave"]
    assert set(InboxItem.objects.values_list("agency_id", flat=True)) == {world.c.pk}
    assert op.events.filter(kind="participant_added").count() == 1


def test_an_unknown_agency_answers_400(api_as, world):
    op = make_operation(world)
    r = api_as(world.alice).post(url(op, "participations/"), {"agency": 999999}, format="json")
    assert r.status_code == 400
    assert "agency" in r.json()
    assert op.participations.count() == 0


def test_adding_the_same_agency_twice_answers_400(api_as, world):
    op = make_operation(world, participants=[world.b])
    r = api_as(world.alice).post(url(op, "participations/"), {"agency": world.b.pk}, format="json")
    assert r.status_code == 400
    assert op.participations.count() == 1


def test_a_plan_change_notifies_all_participants(api_as, world):
    op = make_operation(world, participants=[world.b, world.c])
    InboxItem.objects.all().delete()
    r = api_as(world.alice).patch(url(op), {"objectives": "Sweep the port"}, format="json")
    assert r.status_code == 200
    assert set(InboxItem.objects.values_list("user__username", flat=True)) == {"bob", "charlie", "dave"}
    event = op.events.get(kind="updated")
    assert event.data["changes"]["objectives"] == ["", "Sweep the port"]


def test_participation_patch_and_delete(api_as, world):
    op = make_operation(world, participants=[world.b])
    part = op.participations.get()
    client = api_as(world.alice)
    r = client.patch(url(op, f"participations/{part.pk}/"), {"personnel": 40}, format="json")
    assert r.status_code == 200 and r.json()["personnel"] == 40
    assert api_as(world.bob).delete(url(op, f"participations/{part.pk}/")).status_code == 403
    assert Participation.objects.filter(pk=part.pk).exists()
    assert client.delete(url(op, f"participations/{part.pk}/")).status_code == 204
    assert not Participation.objects.filter(pk=part.pk).exists()
    assert client.delete(url(op, "participations/999999/")).status_code == 404


# --- Sitreps and links -------------------------------------------------------------------


def sitrep(hours_from, hours_to, summary):
    now = timezone.now()
    return {
        "period_start": (now + timedelta(hours=hours_from)).isoformat(),
        "period_end": (now + timedelta(hours=hours_to)).isoformat(),
        "summary": summary,
    }


def test_sitreps_are_listed_in_period_order(api_as, world):
    op = make_operation(world, participants=[world.b])
    assert api_as(world.bob).post(url(op, "sitreps/"), sitrep(6, 12, "second"), format="json").status_code == 201
    assert api_as(world.alice).post(url(op, "sitreps/"), sitrep(0, 6, "first"), format="json").status_code == 201
    r = api_as(world.carol).get(url(op, "sitreps/"))
    assert [s["summary"] for s in r.json()["results"]] == ["first", "second"]
    assert SitRep.objects.get(summary="second").agency == world.b


def test_a_sitrep_ending_before_it_starts_answers_400(api_as, world):
    op = make_operation(world)
    r = api_as(world.alice).post(url(op, "sitreps/"), sitrep(6, 1, "bad"), format="json")
    assert r.status_code == 400
    assert "period_end" in r.json()
    assert SitRep.objects.count() == 0


def test_non_participants_and_viewers_may_not_file_sitreps(api_as, world):
    op = make_operation(world)
    assert api_as(world.charlie).post(url(op, "sitreps/"), sitrep(0, 1, "x"), format="json").status_code == 403
    assert api_as(world.vera).post(url(op, "sitreps/"), sitrep(0, 1, "x"), format="json").status_code == 403
    assert SitRep.objects.count() == 0


def test_who_may_not_file_a_sitrep_hears_403_before_anything_about_the_body(api_as, client, world):
    """The refusal comes first: a viewer's malformed report is 403, not a 400 on its fields,
    in the API and on the page."""
    op = make_operation(world)
    assert api_as(world.vera).post(url(op, "sitreps/"), {"summary": ""}, format="json").status_code == 403
    client.force_login(world.vera)
    assert client.post(reverse("operation-sitrep", args=[op.pk]), {"summary": ""}).status_code == 403
    assert SitRep.objects.count() == 0


def test_linking_an_incident_the_actor_cannot_see_is_refused(api_as, world):
    op = make_operation(world)
    hidden = IncidentFactory(
        classification=Classification.SECRET, reporting_agency=world.c, area=world.areas.balikpapan
    )
    visible = IncidentFactory(reporting_agency=world.a, area=world.areas.bontang)
    client = api_as(world.alice)
    r = client.post(url(op, "link/"), {"incidents": [hidden.pk]}, format="json")
    assert r.status_code == 400
    r = client.post(url(op, "link/"), {"incidents": [visible.pk]}, format="json")
    assert r.status_code == 200
    assert [i["id"] for i in r.json()["incidents"]] == [visible.pk]


# --- Lists, filters, notifications -------------------------------------------------------


def test_filters_by_agency_status_and_area(api_as, world):
    a_op = make_operation(world, participants=[world.c])
    other = make_operation(world, name="Other")
    other.areas.set([world.areas.balikpapan])
    client = api_as(world.admin)
    ids = lambda r: {o["id"] for o in r.json()["results"]}  # noqa: E731
    assert ids(client.get(url(), {"agency": world.c.pk})) == {a_op.pk}
    assert ids(client.get(url(), {"area": world.areas.province.pk})) == {a_op.pk, other.pk}
    assert ids(client.get(url(), {"area": world.areas.bontang.pk})) == {a_op.pk}
    assert ids(client.get(url(), {"status": "approved"})) == set()
    assert client.get(url(), {"agency": 999999}).status_code == 400
    r = client.get(url(), {"starts_after": "2026-02-01T00:00:00Z", "starts_before": "2026-01-01T00:00:00Z"})
    assert r.status_code == 400


def test_the_list_runs_a_bounded_number_of_queries(api_as, world, django_assert_max_num_queries):
    for i in range(12):
        make_operation(world, name=f"Op {i}", participants=[world.b, world.c])
    client = api_as(world.bob)
    with django_assert_max_num_queries(10):
        r = client.get(url())
    assert len(r.json()["results"]) == 12


def test_notifications_are_the_users_own_and_can_be_marked_read(api_as, world):
    make_operation(world, participants=[world.b, world.c])
    bob = api_as(world.bob)
    r = bob.get("/api/v1/notifications/")
    assert [n["agency"]["id"] for n in r.json()["results"]] == [world.b.pk]
    assert api_as(world.carol).get("/api/v1/notifications/").json()["results"] == []
    r = bob.post("/api/v1/notifications/read/", {}, format="json")
    assert r.json() == {"marked": 1}
    assert InboxItem.objects.filter(user=world.charlie, read_at__isnull=True).count() == 1


# --- Pages -------------------------------------------------------------------------------


def test_pages_send_anonymous_visitors_to_login(client, world):
    op = make_operation(world)
    for path in (
        reverse("operation-list"),
        reverse("operation-create"),
        reverse("operation-detail", args=[op.pk]),
        reverse("operation-edit", args=[op.pk]),
        reverse("notification-list"),
    ):
        r = client.get(path)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_the_list_page_and_its_htmx_partial(client, world, django_assert_max_num_queries):
    for i in range(5):
        make_operation(world, name=f"Op {i}", participants=[world.b])
    client.force_login(world.alice)
    # 16: the agency filter offers the agencies the user works beside (their jurisdiction).
    with django_assert_max_num_queries(16):
        r = client.get(reverse("operation-list"))
    assert r.status_code == 200
    assert r.content.decode().count('data-testid="operation-row"') == 5
    r = client.get(reverse("operation-list"), {"status": "approved"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert b"<html" not in r.content and b"operation-row" not in r.content


def test_detail_page_404_for_charlie_on_confidential(client, world):
    op = make_operation(world, classification=Classification.CONFIDENTIAL)
    client.force_login(world.charlie)
    assert client.get(reverse("operation-detail", args=[op.pk])).status_code == 404
    assert client.post(reverse("operation-status", args=[op.pk]), {"status": "cancelled"}).status_code == 404


def test_detail_offers_approve_only_to_the_commander(client, world):
    op = make_operation(world)
    client.force_login(world.alice)
    page = client.get(reverse("operation-detail", args=[op.pk])).content.decode()
    assert 'data-testid="move-approved"' not in page and 'data-testid="move-cancelled"' in page
    client.force_login(world.carol)
    page = client.get(reverse("operation-detail", args=[op.pk])).content.decode()
    assert 'data-testid="move-approved"' in page


def test_pages_create_approve_and_add_an_agency(client, world):
    client.force_login(world.carol)
    r = client.post(
        reverse("operation-create"),
        {
            "name": "Operasi Lilin",
            "kind": "event_security",
            "classification": "restricted",
            "areas": [world.areas.bontang.pk],
            "starts_at": "2026-12-24T18:00",
            "ends_at": "2026-12-26T06:00",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    op = JointOperation.objects.get()
    # Typed in Bontang's local time (WITA, UTC+8).
    assert op.starts_at.astimezone(datetime.UTC).hour == 10
    r = client.post(
        reverse("operation-participation-add", args=[op.pk]), {"agency": world.b.pk, "personnel": 5, "vehicles": 1}
    )
    assert r.status_code == 302
    assert InboxItem.objects.filter(user=world.bob, operation=op).count() == 1
    r = client.post(reverse("operation-status", args=[op.pk]), {"status": "approved"})
    assert r.status_code == 302
    op.refresh_from_db()
    assert op.status == S.APPROVED
    r = client.post(reverse("operation-status", args=[op.pk]), {"status": "reviewed"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert "Allowed: Active, Cancelled." in r.content.decode()


def test_page_create_refuses_end_before_start_and_a_viewer(client, world):
    client.force_login(world.carol)
    r = client.post(
        reverse("operation-create"),
        {
            "name": "X",
            "kind": "enforcement",
            "classification": "restricted",
            "starts_at": "2026-12-24T18:00",
            "ends_at": "2026-12-24T06:00",
        },
    )
    assert r.status_code == 400 and JointOperation.objects.count() == 0
    client.force_login(world.vera)
    assert client.get(reverse("operation-create")).status_code == 403
    r = client.post(reverse("operation-create"), {"name": "X", "kind": "enforcement", "classification": "restricted"})
    assert r.status_code == 403 and JointOperation.objects.count() == 0


def test_viewer_gets_403_on_page_writes(client, world):
    op = make_operation(world)
    client.force_login(world.vera)
    assert client.get(reverse("operation-edit", args=[op.pk])).status_code == 403
    assert client.post(reverse("operation-status", args=[op.pk]), {"status": "cancelled"}).status_code == 403
    assert client.post(reverse("operation-participation-add", args=[op.pk]), {"agency": world.b.pk}).status_code == 403
    op.refresh_from_db()
    assert op.status == S.PLANNED and op.participations.count() == 0


def test_sitrep_page_form_and_edit_page(client, world):
    op = make_operation(world)
    client.force_login(world.alice)
    r = client.post(
        reverse("operation-sitrep", args=[op.pk]),
        {
            "period_start": "2026-05-01T08:00",
            "period_end": "2026-05-01T12:00",
            "summary": "Aman terkendali",
            "casualties_dead": 0,
            "casualties_injured": 1,
            "casualties_missing": 0,
        },
    )
    assert r.status_code == 302
    assert client.get(reverse("operation-detail", args=[op.pk])).content.decode().count('data-testid="sitrep"') == 1
    assert client.get(reverse("operation-edit", args=[op.pk])).status_code == 200
    r = client.post(
        reverse("operation-edit", args=[op.pk]),
        {
            "name": "Operasi Pekat II",
            "kind": "enforcement",
            "classification": "restricted",
            "areas": [world.areas.bontang.pk],
        },
    )
    assert r.status_code == 302
    op.refresh_from_db()
    assert op.name == "Operasi Pekat II"
    assert OperationEvent.objects.filter(operation=op, kind="updated").exists()


def test_notification_page_shows_only_the_users_own(client, world):
    make_operation(world, participants=[world.c])
    client.force_login(world.dave)
    page = client.get(reverse("inbox")).content.decode()
    assert page.count('data-testid="inbox-entry"') == 1
    client.force_login(world.bob)
    assert client.get(reverse("inbox")).content.decode().count('data-testid="inbox-entry"') == 0
