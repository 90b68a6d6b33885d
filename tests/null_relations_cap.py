"""The CAP records tests/test_null_relations.py adds to the demo world, with every nullable
relation filled: a registered CAP sender, and a CAP source whose fetch imported the demo's
threat."""

from __future__ import annotations


def follow_a_cap_source(agency, user, now) -> None:
    from incidents.models import CapFetch, CapSource, Threat

    threat = Threat.objects.order_by("pk").first()
    source = CapSource.objects.create(
        name="BMKG Kalimantan Timur",
        authority="BMKG",
        url="https://signature.bmkg.go.id/alerts/cap/id/kaltim.xml",
        agency=agency,
        created_by=user,
    )
    Threat.objects.filter(pk=threat.pk).update(cap_source=source)
    CapFetch.objects.create(
        source=source,
        entry_key="urn:oid:2.49.0.1.360.0.2026.12.5",
        url="https://signature.bmkg.go.id/alerts/cap/id/1.xml",
        identifier="urn:oid:2.49.0.1.360.0.2026.12.5",
        sender="info@bmkg.go.id",
        sent_at=now,
        outcome=CapFetch.Outcome.IMPORTED,
        threat=threat,
    )


def register_a_cap_sender(agency, user) -> None:
    from incidents.models import CapSender
    from tests.incidents.threats.cap.helpers import keypair

    _key, certificate = keypair("bmkg.go.id")
    CapSender.objects.create(agency=agency, sender="info@bmkg.go.id", certificate=certificate, registered_by=user)
