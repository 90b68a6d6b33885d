"""An evaluation of the conftest world: A (alice, liaison; carol, commander; vera, viewer) owns
it, B is A's partner, C an outsider."""

from __future__ import annotations

import datetime

from coordination.evaluations import services

# A day inside the period the tests evaluate (Q3 2026), well before the pinned clock.
DAY = datetime.date(2026, 8, 15)


def make_evaluation(world, **fields):
    return services.evaluation_create(
        actor=fields.pop("actor", world.alice),
        period_kind=fields.pop("period_kind", "quarter"),
        period_start=fields.pop("period_start", DAY),
        scope_kind=fields.pop("scope_kind", "agency"),
        scope_agency=fields.pop("scope_agency", world.a),
        **fields,
    )


def published(world, **fields):
    evaluation = make_evaluation(world, **fields)
    services.evaluation_review(actor=world.carol, evaluation=evaluation)
    return services.evaluation_publish(actor=world.carol, evaluation=evaluation, shared_with=[world.b])
