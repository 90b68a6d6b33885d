"""A meeting of the conftest world: organised by A (alice, liaison), B invited with bob by name."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from coordination.meetings import services


def make_meeting(world, *, hours=24, agencies=None, persons=None, **fields):
    start = timezone.now() + timedelta(hours=hours)
    return services.meeting_create(
        actor=world.alice,
        title=fields.pop("title", "Rapat koordinasi pengamanan Natal"),
        area=world.areas.bontang,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place=fields.pop("place", "Aula Polres Bontang"),
        invited_agencies=[world.b] if agencies is None else agencies,
        invited_persons=[world.bob] if persons is None else persons,
        agenda=fields.pop("agenda", "1. Pembukaan\n2. Rencana pengamanan"),
        **fields,
    )
