import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import AuditLog
from incidents import selectors, services
from incidents.models import Incident, IncidentEvent
from tests.factories import CameraFactory, category


@pytest.fixture
def incident(world):
    return services.incident_create(
        actor=world.alice,
        title="Pencurian motor di Guntung",
        category=category("crime-theft"),
        area=world.areas.guntung,
        latitude=Decimal("0.176"),
        longitude=Decimal("117.471"),
    )


class TestCreate:
    @pytest.mark.dates
    def test_it_numbers_incidents_per_city_and_year(self, world, incident):
        second = services.incident_create(
            actor=world.alice, title="Second", category=category("fire"), area=world.areas.bontang_utara
        )
        year = timezone.now().year
        assert incident.reference == f"BON-{year}-000001"
        assert second.reference == f"BON-{year}-000002"

    def test_another_city_has_its_own_sequence(self, world, incident):
        other = services.incident_create(
            actor=world.charlie, title="Balikpapan", category=category("fire"), area=world.areas.balikpapan_kota
        )
        assert other.reference.startswith("BPP-") and other.reference.endswith("-000001")

    def test_a_refused_incident_uses_no_number(self, world, incident):
        with pytest.raises(ValidationError):
            services.incident_create(
                actor=world.alice,
                title="Paris",
                category=category("fire"),
                area=world.areas.guntung,
                latitude=Decimal("48.85"),
                longitude=Decimal("2.35"),
            )
        nxt = services.incident_create(
            actor=world.alice, title="Next", category=category("fire"), area=world.areas.guntung
        )
        assert nxt.reference.endswith("-000002")

    def test_it_starts_the_timeline(self, world, incident):
        event = incident.events.get()
        assert (event.kind, event.actor, event.actor_agency) == ("created", world.alice, world.a)

    def test_a_viewer_cannot_log_an_incident(self, world):
        with pytest.raises(PermissionDenied):
            services.incident_create(actor=world.vera, title="X", category=category("fire"), area=world.areas.guntung)
        assert not Incident.objects.exists()

    @pytest.mark.dates
    def test_it_refuses_a_future_time(self, world):
        with pytest.raises(ValidationError) as exc:
            services.incident_create(
                actor=world.alice,
                title="X",
                category=category("fire"),
                area=world.areas.guntung,
                occurred_at=timezone.now() + datetime.timedelta(days=1),
            )
        assert "occurred_at" in exc.value.message_dict

    def test_it_needs_both_coordinates_or_none(self, world):
        with pytest.raises(ValidationError):
            services.incident_create(
                actor=world.alice,
                title="X",
                category=category("fire"),
                area=world.areas.guntung,
                latitude=Decimal("0.1"),
            )


class TestWorkflow:
    def test_verify_then_respond_then_resolve(self, world, incident):
        services.incident_verify(actor=world.alice, incident=incident)
        services.incident_change_status(
            actor=world.carol, incident=incident, status="responding", note="Unit dispatched"
        )
        services.incident_change_status(actor=world.carol, incident=incident, status="resolved")
        incident.refresh_from_db()
        assert incident.status == "resolved" and incident.resolved_at is not None
        assert list(incident.events.values_list("kind", flat=True)) == ["created", "verified", "status", "status"]

    def test_an_illegal_move_names_the_allowed_ones(self, world, incident):
        with pytest.raises(ValidationError) as exc:
            services.incident_change_status(actor=world.alice, incident=incident, status="closed")
        message = exc.value.message_dict["status"][0]
        # In the default language, Bahasa Indonesia: Verified, Rejected, Duplicate.
        assert "Terverifikasi" in message and "Ditolak" in message and "Duplikat" in message
        incident.refresh_from_db()
        assert incident.status == "reported"

    def test_a_closed_incident_moves_nowhere(self, world, incident):
        for status in ("verified", "resolved", "closed"):
            services.incident_change_status(actor=world.alice, incident=incident, status=status)
        with pytest.raises(ValidationError) as exc:
            services.incident_change_status(actor=world.alice, incident=incident, status="responding")
        assert "tidak ada" in exc.value.message_dict["status"][0]  # "none"

    def test_an_uninvolved_agency_cannot_change_the_status(self, world, incident):
        with pytest.raises(PermissionDenied):
            services.incident_change_status(actor=world.charlie, incident=incident, status="verified")
        incident.refresh_from_db()
        assert incident.status == "reported"

    def test_an_involved_agency_may_change_the_status(self, world, incident):
        services.incident_assign(actor=world.alice, incident=incident, involved_agencies=[world.b])
        services.incident_change_status(actor=world.bob, incident=incident, status="verified")
        incident.refresh_from_db()
        assert incident.status == "verified"

    def test_a_viewer_of_the_reporting_agency_cannot_change_the_status(self, world, incident):
        with pytest.raises(PermissionDenied):
            services.incident_change_status(actor=world.vera, incident=incident, status="verified")

    def test_assign_records_lead_and_involved_agencies(self, world, incident):
        services.incident_assign(actor=world.carol, incident=incident, lead_agency=world.b, involved_agencies=[world.c])
        incident.refresh_from_db()
        assert incident.lead_agency == world.b
        assert list(incident.involved_agencies.all()) == [world.c]
        event = incident.events.get(kind="assigned")
        assert event.data["lead_agency"] == [None, world.b.pk]

    def test_update_records_old_and_new_values(self, world, incident):
        services.incident_update(actor=world.alice, incident=incident, severity=4, title="Perampokan")
        event = incident.events.get(kind="updated")
        assert event.data["changes"]["severity"] == [2, 4]
        assert event.data["changes"]["title"] == ["Pencurian motor di Guntung", "Perampokan"]

    def test_notes_need_text(self, world, incident):
        with pytest.raises(ValidationError):
            services.incident_add_note(actor=world.alice, incident=incident, message="   ")
        services.incident_add_note(actor=world.bob, incident=incident, message="Kami siaga")
        assert incident.events.filter(kind="note", actor_agency=world.b).count() == 1

    def test_link_a_camera(self, world, incident):
        cam = CameraFactory(operator=world.a, area=world.areas.guntung)
        services.incident_link(actor=world.alice, incident=incident, camera=cam)
        incident.refresh_from_db()
        assert incident.camera == cam
        assert incident.events.get(kind="linked").data == {"camera": cam.code}

    def test_merge_marks_the_duplicate_and_adds_no_agency(self, world, incident):
        services.incident_assign(actor=world.alice, incident=incident, involved_agencies=[world.b])
        dup = services.incident_create(
            actor=world.bob, title="Same theft", category=category("crime-theft"), area=world.areas.guntung
        )
        services.incident_merge(actor=world.bob, duplicate=dup, into=incident)
        dup.refresh_from_db()
        assert (dup.status, dup.duplicate_of) == ("duplicate", incident)
        assert list(incident.involved_agencies.all()) == [world.b]
        assert incident.events.filter(kind="merged").count() == 1

    def test_an_incident_cannot_be_merged_into_itself(self, world, incident):
        with pytest.raises(ValidationError):
            services.incident_merge(actor=world.alice, duplicate=incident, into=incident)


class TestVisibility:
    @pytest.fixture
    def incidents(self, world):
        made = {}
        for level in ("public", "restricted", "confidential", "secret"):
            made[level] = services.incident_create(
                actor=world.alice,
                title=level,
                category=category("crime"),
                area=world.areas.guntung,
                classification=level,
            )
        return made

    def _titles(self, user):
        return set(selectors.incident_list(user=user).values_list("title", flat=True))

    def test_the_reporting_agency_sees_everything_it_reported(self, world, incidents):
        assert self._titles(world.alice) == {"public", "restricted", "confidential", "secret"}

    def test_an_information_sharing_partner_sees_confidential_but_not_secret(self, world, incidents):
        assert self._titles(world.bob) == {"public", "restricted", "confidential"}

    def test_an_outsider_agency_sees_public_and_restricted(self, world, incidents):
        assert self._titles(world.charlie) == {"public", "restricted"}

    def test_a_user_of_no_agency_sees_public_only(self, world, incidents):
        assert self._titles(world.nobody) == {"public"}

    def test_an_involved_agency_sees_the_secret_one(self, world, incidents):
        services.incident_assign(actor=world.alice, incident=incidents["secret"], involved_agencies=[world.c])
        assert "secret" in self._titles(world.charlie)

    def test_staff_see_everything(self, world, incidents):
        assert len(self._titles(world.admin)) == 4

    def test_reading_a_secret_incident_is_audited(self, world, incidents):
        selectors.incident_get(user=world.admin, pk=incidents["secret"].pk)
        selectors.incident_get(user=world.alice, pk=incidents["restricted"].pk)
        log = AuditLog.objects.get()
        assert (log.user, log.object_id, log.classification) == (world.admin, str(incidents["secret"].pk), "secret")

    def test_the_timeline_is_append_only(self, world, incident):
        services.incident_add_note(actor=world.alice, incident=incident, message="one")
        first = list(IncidentEvent.objects.filter(incident=incident).values_list("id", "message"))
        services.incident_add_note(actor=world.alice, incident=incident, message="two")
        assert list(IncidentEvent.objects.filter(incident=incident).values_list("id", "message"))[:2] == first
