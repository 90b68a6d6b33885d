"""A programme of the conftest world: organised by A (alice, liaison; carol, commander), B a partner."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coordination.community.programmes import services


def make_programme(world, *, hours=24, partners=None, approve=False, **fields):
    start = (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    programme = services.programme_create(
        actor=fields.pop("actor", world.alice),
        kind=fields.pop("kind", "law_literacy"),
        title=fields.pop("title", "Penyuluhan hukum narkoba di SMA 1"),
        area=fields.pop("area", world.areas.bontang),
        venue=fields.pop("venue", "SMA Negeri 1 Bontang"),
        sessions=fields.pop("sessions", [(start, start + timedelta(hours=2))]),
        target_groups=fields.pop(
            "target_groups",
            [
                {"group": "students", "age_band": "13-17", "sex": "female", "planned": 60},
                {"group": "students", "age_band": "13-17", "sex": "male", "planned": 40},
            ],
        ),
        goods=fields.pop("goods", [{"item": "Brosur bahaya narkoba", "quantity": 100}]),
        partners=[world.b] if partners is None else partners,
        **fields,
    )
    if approve:
        services.programme_approve(actor=world.carol, programme=programme)
    return programme
