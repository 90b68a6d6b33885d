"""Reference numbers stay unique and gap-free when many incidents are created at once (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from incidents import services
from incidents.models import Incident
from tests.factories import AgencyFactory, AreaFactory, MembershipFactory, category

pytestmark = pytest.mark.integration

THREADS = 8
PER_THREAD = 10


def test_concurrent_creation_hands_out_every_number_once(transactional_db):
    assert connection.vendor == "postgresql"
    province = AreaFactory(name="Kalimantan Timur")
    city = AreaFactory(name="Kota Bontang", parent=province, code="BON")
    agency = AgencyFactory(jurisdiction=[city])
    users = [MembershipFactory(agency=agency, role="liaison").user for _ in range(THREADS)]
    theft = category("crime-theft")
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def create(user):
        try:
            barrier.wait(timeout=10)
            for n in range(PER_THREAD):
                services.incident_create(actor=user, title=f"{user.username} {n}", category=theft, area=city)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors, errors
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in Incident.objects.values_list("reference", flat=True))
    assert numbers == list(range(1, THREADS * PER_THREAD + 1))


def test_a_rolled_back_creation_gives_its_number_back(transactional_db):
    from django.core.exceptions import ValidationError
    from django.db import transaction

    city = AreaFactory(name="Kota Bontang", parent=AreaFactory(), code="BON")
    user = MembershipFactory(agency=AgencyFactory(), role="liaison").user
    first = services.incident_create(actor=user, title="first", category=category("fire"), area=city)
    with pytest.raises(ValidationError), transaction.atomic():
        services.incident_create(actor=user, title="rolled back", category=category("fire"), area=city)
        raise ValidationError("abort after the number was taken")
    third = services.incident_create(actor=user, title="next", category=category("fire"), area=city)
    assert [first.reference[-6:], third.reference[-6:]] == ["000001", "000002"]
