"""Scenarios of issue 11, class 2 ("takeover by merge"): who changes who works on an incident.

Merging writes to both incidents, so it needs the right to change both; it never adds agencies
to the original; only the lead agency (the reporting one while there is no lead), or staff,
changes the lead and involved agencies, through the API, the pages or at creation alike. Every
refused attempt leaves the database as it was.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from agencies.models import Classification, Membership
from incidents import services
from incidents.models import Incident, IncidentEvent
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, category
from tests.incidents.incident_api.helpers import act, detail


def _log(world, actor, title, **extra):
    area = extra.pop("area", world.areas.guntung)
    return services.incident_create(actor=actor, title=title, category=category("crime-theft"), area=area, **extra)


def state(*incidents):
    """Everything a refused merge or assignment must leave as it was."""
    rows = []
    for incident in incidents:
        incident.refresh_from_db()
        rows.append(
            (
                incident.title,
                incident.status,
                incident.classification,
                incident.duplicate_of_id,
                incident.lead_agency_id,
                sorted(incident.involved_agencies.values_list("pk", flat=True)),
            )
        )
    return rows, IncidentEvent.objects.count()


@pytest.fixture
def third(world):
    """An agency with no partnership with anyone, and its liaison."""
    agency = AgencyFactory(name="Satpol PP Bontang", code="satpol-bontang", jurisdiction=[world.areas.bontang])
    user = MembershipFactory(user=UserFactory(username="tina"), agency=agency, role=Membership.Role.LIAISON).user
    return agency, user


class TestOutsiderMerge:
    """charlie (agency C, no partnership with A) reads A's restricted incident."""

    def test_merging_its_own_incident_into_another_agencys_is_refused_and_changes_nothing(self, api_as, world):
        theirs = _log(world, world.alice, "Pencurian di Guntung")
        own = _log(world, world.charlie, "Pencurian (salinan)", area=world.areas.balikpapan_kota)
        before = state(theirs, own)

        response = api_as(world.charlie).post(act(own.pk, "merge"), {"into": theirs.reference}, format="json")

        assert response.status_code == 403, response.content
        assert state(theirs, own) == before
        # Not involved: the takeover's next steps stay refused.
        client = api_as(world.charlie)
        assert client.patch(detail(theirs.pk), {"title": "Diambil alih"}, format="json").status_code == 403
        assert client.post(act(theirs.pk, "status"), {"status": "verified"}, format="json").status_code == 403
        assert state(theirs, own) == before

    def test_the_service_refuses_it_too(self, world):
        theirs = _log(world, world.alice, "Pencurian di Guntung")
        own = _log(world, world.charlie, "Pencurian (salinan)", area=world.areas.balikpapan_kota)
        before = state(theirs, own)

        with pytest.raises(PermissionDenied):
            services.incident_merge(actor=world.charlie, duplicate=own, into=theirs)

        assert state(theirs, own) == before

    def test_merging_another_agencys_incident_into_its_own_is_refused(self, api_as, world):
        theirs = _log(world, world.alice, "Pencurian di Guntung")
        own = _log(world, world.charlie, "Pencurian (asli)", area=world.areas.balikpapan_kota)
        before = state(theirs, own)

        response = api_as(world.charlie).post(act(theirs.pk, "merge"), {"into": own.reference}, format="json")

        assert response.status_code == 403
        assert state(theirs, own) == before


class TestPartnerCannotPullAThirdAgencyIn:
    """bob (agency B, information-sharing partner of A) works on A's confidential incident."""

    @pytest.fixture
    def confidential(self, world):
        incident = _log(world, world.alice, "Jaringan narkoba", classification=Classification.CONFIDENTIAL)
        services.incident_assign(actor=world.alice, incident=incident, involved_agencies=[world.b])
        return incident

    def test_an_involved_partner_cannot_assign_a_third_agency(self, api_as, world, confidential, third):
        agency, tina = third
        before = state(confidential)

        response = api_as(world.bob).post(
            act(confidential.pk, "assign"), {"involved_agencies": [world.b.pk, agency.pk]}, format="json"
        )

        assert response.status_code == 403
        assert state(confidential) == before
        assert api_as(tina).get(detail(confidential.pk)).status_code == 404

    def test_nor_make_itself_the_lead(self, api_as, world, confidential):
        before = state(confidential)

        response = api_as(world.bob).post(act(confidential.pk, "assign"), {"lead_agency": world.b.pk}, format="json")

        assert response.status_code == 403
        assert state(confidential) == before

    def test_nor_through_the_page(self, client, world, confidential, third):
        agency, _tina = third
        before = state(confidential)
        client.force_login(world.bob)

        page = client.get(reverse("incident-detail", args=[confidential.pk]))
        response = client.post(
            reverse("incident-assign", args=[confidential.pk]), {"involved_agencies": [world.b.pk, agency.pk]}
        )

        assert page.status_code == 200 and "assign_form" not in page.context
        assert response.status_code == 403
        assert state(confidential) == before

    def test_a_merge_of_its_own_incident_brings_no_agency_along(self, api_as, world, confidential, third):
        agency, tina = third
        own = _log(world, world.bob, "Kurir narkoba")
        services.incident_assign(actor=world.bob, incident=own, involved_agencies=[agency])

        response = api_as(world.bob).post(act(own.pk, "merge"), {"into": confidential.reference}, format="json")

        assert response.status_code == 200, response.content
        confidential.refresh_from_db()
        assert list(confidential.involved_agencies.all()) == [world.b]
        assert api_as(tina).get(detail(confidential.pk)).status_code == 404

    def test_a_partner_merging_into_a_confidential_incident_it_does_not_work_on_is_refused(self, api_as, world):
        confidential = _log(world, world.alice, "Jaringan narkoba", classification=Classification.CONFIDENTIAL)
        own = _log(world, world.bob, "Kurir narkoba")
        before = state(confidential, own)

        response = api_as(world.bob).post(act(own.pk, "merge"), {"into": confidential.reference}, format="json")

        assert response.status_code == 403
        assert state(confidential, own) == before


class TestTheLeadDecides:
    def test_the_reporting_agency_without_a_lead_assigns(self, api_as, world, third):
        agency, tina = third
        incident = _log(world, world.alice, "Jaringan narkoba", classification=Classification.CONFIDENTIAL)

        response = api_as(world.alice).post(
            act(incident.pk, "assign"), {"involved_agencies": [agency.pk]}, format="json"
        )

        assert response.status_code == 200, response.content
        assert api_as(tina).get(detail(incident.pk)).status_code == 200

    def test_once_a_lead_is_set_the_lead_decides_and_the_reporter_no_longer_does(self, api_as, world, third):
        agency, _tina = third
        incident = _log(world, world.alice, "Banjir", classification=Classification.CONFIDENTIAL)
        services.incident_assign(actor=world.alice, incident=incident, lead_agency=world.b)

        refused = api_as(world.alice).post(
            act(incident.pk, "assign"), {"involved_agencies": [agency.pk]}, format="json"
        )
        allowed = api_as(world.bob).post(act(incident.pk, "assign"), {"involved_agencies": [agency.pk]}, format="json")

        assert refused.status_code == 403
        assert allowed.status_code == 200, allowed.content
        assert list(Incident.objects.get(pk=incident.pk).involved_agencies.all()) == [agency]

    def test_staff_assign_and_merge_anything(self, api_as, world):
        theirs = _log(world, world.alice, "Pencurian di Guntung")
        own = _log(world, world.charlie, "Pencurian (salinan)", area=world.areas.balikpapan_kota)
        client = api_as(world.admin)

        assert (
            client.post(act(theirs.pk, "assign"), {"involved_agencies": [world.c.pk]}, format="json").status_code == 200
        )
        assert client.post(act(own.pk, "merge"), {"into": theirs.reference}, format="json").status_code == 200

    def test_a_manager_of_both_merges(self, api_as, world):
        original = _log(world, world.alice, "Pencurian di Guntung")
        dup = _log(world, world.alice, "Pencurian (salinan)")

        response = api_as(world.alice).post(act(dup.pk, "merge"), {"into": original.reference}, format="json")

        assert response.status_code == 200 and response.json()["status"] == "duplicate"

    def test_naming_agencies_at_creation_is_assigning_them(self, world, third):
        agency, _tina = third
        analyst = MembershipFactory(agency=world.a, role=Membership.Role.ANALYST).user

        with pytest.raises(PermissionDenied):
            _log(world, analyst, "Pencurian", involved_agencies=[agency])
        assert not Incident.objects.filter(title="Pencurian").exists()
        assert _log(world, analyst, "Pencurian tanpa mitra").reporting_agency == world.a
        assert list(
            _log(world, world.alice, "Pencurian bersama", involved_agencies=[agency]).involved_agencies.all()
        ) == [agency]
