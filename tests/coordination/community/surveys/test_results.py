"""Results are aggregates: a constant number of queries, the right counts and index."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination.community.surveys import selectors, services
from coordination.models import Survey

from .helpers import K, make_custom, make_skm, q, skm_answers

pytestmark = pytest.mark.django_db


def _answer_custom(survey, n):
    for i in range(n):
        services.survey_answer_submit(
            survey=survey,
            answers={
                q(survey, K.LIKERT).pk: [str(1 + i % 5)],
                q(survey, K.SINGLE).pk: [str(1 + i % 2)],
                q(survey, K.MULTIPLE).pk: ["1", "2"] if i % 2 else ["3"],
                q(survey, K.NUMBER).pk: [str(10 + i)],
                q(survey, K.YES_NO).pk: [str(i % 2)],
                q(survey, K.LONG_TEXT).pk: [f"saran {i}"],
            },
            device_token=f"d{i}",
        )


def _queries(survey):
    with CaptureQueriesContext(connection) as ctx:
        results = selectors.survey_results(survey=survey)
    return len(ctx), results


def test_the_number_of_queries_does_not_grow_with_the_answers(world):
    small, big = make_custom(world, title="kecil"), make_custom(world, title="besar")
    _answer_custom(small, 2)
    _answer_custom(big, 12)
    n_small, _ = _queries(small)
    n_big, results = _queries(big)
    assert n_small == n_big <= 9
    assert results.respondents == 12


def test_distributions_counts_and_means(world):
    survey = make_custom(world)
    _answer_custom(survey, 4)
    results = selectors.survey_results(survey=survey)
    by_kind = {r.question.kind: r for r in results.questions}
    likert = by_kind[K.LIKERT]
    assert [(b.value, b.count) for b in likert.bars] == [(1, 1), (2, 1), (3, 1), (4, 1), (5, 0)]
    assert likert.mean == 2.5  # (1 + 2 + 3 + 4) / 4
    multiple = by_kind[K.MULTIPLE]
    assert multiple.answered == 4  # respondents, not rows (6 rows)
    assert [(b.label, b.count, b.percent) for b in multiple.bars] == [
        ("Narkoba", 2, 50.0),
        ("Lalu lintas", 2, 50.0),
        ("Siber", 2, 50.0),
    ]
    number = by_kind[K.NUMBER]
    assert (number.mean, number.low, number.high) == (11.5, 10, 13)
    assert [(b.label, b.count) for b in by_kind[K.YES_NO].bars] == [("Ya", 2), ("Tidak", 2)]
    assert by_kind[K.LONG_TEXT].texts == 4 and not by_kind[K.LONG_TEXT].bars
    assert [(n, score) for _m, n, score in results.trend] == [(4, 2.5)]


def test_the_skm_index_per_element_per_area_and_per_agency(world):
    survey = make_skm(world, service=Survey.Service.OTHER, area=world.areas.bontang)
    for i, value in enumerate((4, 4, 3, 2)):
        services.survey_answer_submit(survey=survey, answers=skm_answers(survey, value), device_token=str(i))
    results = selectors.survey_results(survey=survey)
    # NRR per element (4 + 4 + 3 + 2) / 4 = 3.25 -> x 25 = 81.25: B
    assert results.index.ikm == Decimal("81.25") and results.index.grade == "B"
    assert results.by_area == [("Kota Bontang", 36, Decimal("81.25"))]
    rows = selectors.skm_index_by(user=world.alice, by="agency")
    assert [(label, index.ikm) for _k, label, index in rows] == [("Polres Bontang", Decimal("81.25"))]
    assert selectors.skm_index_by(user=world.bob, by="agency") == []  # B reads none of A's surveys
    months = selectors.skm_index_by(user=world.admin, by="period")
    assert len(months) == 1 and months[0][2].ikm == Decimal("81.25")
