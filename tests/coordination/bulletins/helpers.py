"""Building bulletins for the tests: through the service, as a liaison of agency A (alice)."""

from datetime import timedelta

from django.utils import timezone

from agencies.models import Classification
from coordination.bulletins import services


def issue(world, *, classification=Classification.RESTRICTED, actor=None, **kwargs):
    kwargs.setdefault("distribution", {"agencies": [world.b.pk, world.c.pk]})
    return services.bulletin_create(
        actor=actor or world.alice,
        title=kwargs.pop("title", "Waspada peredaran narkoba di pelabuhan"),
        body=kwargs.pop("body", "Teks **lengkap** buletin RAHASIA-PENUH."),
        classification=classification,
        **kwargs,
    )


def with_ack(world, hours=2, **kwargs):
    return issue(world, ack_required=True, ack_deadline=timezone.now() + timedelta(hours=hours), **kwargs)
