"""The desk's bulletins block: unread bulletins and those waiting for my agency's
acknowledgement, with the one-click acknowledge only where the service would accept it; the
list-read audit of what the desk shows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import AuditLog, Classification
from coordination.bulletins import services as bulletin_services
from coordination.bulletins.selectors import bulletins_for
from coordination.desk import selectors as desk_selectors
from tests.coordination.bulletins.helpers import issue

pytestmark = pytest.mark.django_db


def from_bob(world, ack=False, **kwargs):
    kwargs.setdefault("distribution", {"agencies": [world.a.pk]})
    if ack:
        kwargs.update(ack_required=True, ack_deadline=timezone.now() + datetime.timedelta(hours=3))
    return issue(world, actor=world.bob, **kwargs)


def block(user, agency_id=None):
    scope = desk_selectors.desk_scope(user=user, agency_id=agency_id)
    return desk_selectors.bulletins_waiting(user=user, scope=scope)


def test_unread_and_waiting_bulletins_are_on_the_receiving_agencys_desk(world):
    waiting = from_bob(world, ack=True, title="Siaga banjir")
    plain = from_bob(world, title="Info jalur evakuasi")
    mine = block(world.alice)
    assert [b.pk for b in mine.rows] == [waiting.pk, plain.pk]  # the waiting one first
    assert (mine.count, mine.extra["unread"], mine.extra["waiting"]) == (2, 2, 1)
    bulletin_services.bulletin_mark_read(user=world.alice, bulletin=plain)
    mine = block(world.alice)
    assert [b.pk for b in mine.rows] == [waiting.pk]
    assert block(world.charlie).count == 0  # C received nothing
    assert block(world.bob).count == 0  # the issuer's own are not "to read"


def test_a_read_bulletin_stays_while_it_waits_and_leaves_when_acknowledged(client, world):
    bulletin = from_bob(world, ack=True)
    bulletin_services.bulletin_mark_read(user=world.alice, bulletin=bulletin)
    (row,) = block(world.alice).rows
    assert row.is_waiting and not row.is_unread
    client.force_login(world.alice)
    response = client.post(reverse("bulletin-acknowledge", args=[bulletin.pk]), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert block(world.alice).count == 0


@pytest.mark.parametrize("persona", ["alice", "carol", "vera", "admin"])
def test_the_button_is_offered_exactly_when_the_service_would_accept(world, persona):
    user = getattr(world, persona)
    from_bob(world, ack=True, title="Tunggu")
    from_bob(world, title="Tanpa tanda terima")
    for row in block(user).rows:
        bulletin = bulletins_for(user=user).get(pk=row.pk)
        assert row.can_acknowledge == bulletin_services.can_acknowledge(actor=user, bulletin=bulletin), row.title


def test_the_desk_page_shows_the_block_and_audits_what_it_shows(client, world):
    secret = from_bob(world, ack=True, title="Kapal mencurigakan", classification=Classification.SECRET)
    client.force_login(world.alice)
    body = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="block-bulletins"' in body and "Kapal mencurigakan" in body
    assert 'data-testid="desk-bulletin-ack"' in body
    (row,) = AuditLog.objects.filter(object_type="bulletin", action="list", user=world.alice)
    assert row.object_ids == [str(secret.pk)]


def test_the_desk_writes_one_audit_row_per_kind_for_classified_incidents(client, world):
    from tests.factories import IncidentFactory

    incidents = [
        IncidentFactory(
            area=world.areas.guntung,
            reporting_agency=world.a,
            lead_agency=world.a,
            classification=Classification.CONFIDENTIAL,
            latitude=0.1,
            longitude=117.5,
        )
        for _ in range(2)
    ]
    IncidentFactory(area=world.areas.guntung, reporting_agency=world.a, lead_agency=world.a)
    client.force_login(world.alice)
    client.get(reverse("dashboard"))
    (row,) = AuditLog.objects.filter(object_type="incident", action="list", user=world.alice)
    assert sorted(row.object_ids) == sorted(str(i.pk) for i in incidents)
