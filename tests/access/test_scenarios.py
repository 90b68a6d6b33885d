"""The multi-step escalations, as scenarios on the matrix's world: consent (a partnership
grants nothing until every party accepted it, nor once ended, nor outside its dates)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Partnership

from .world import CONFIDENTIAL

pytestmark = pytest.mark.django_db


def _reads_confidential(world, username: str) -> list[int]:
    client = APIClient()
    client.force_authenticate(world.users[username])
    incident = world.record("incident", CONFIDENTIAL)
    threat = world.record("threat", CONFIDENTIAL)
    return [
        client.get(f"/api/v1/incidents/{incident.pk}/").status_code,
        client.get(f"/api/v1/threats/{threat.pk}/").status_code,
    ]


def test_the_information_sharing_partner_reads_confidential_while_the_partnership_is_in_force(matrix):
    assert _reads_confidential(matrix, "isp-viewer") == [200, 200]


@pytest.mark.parametrize(
    "change",
    [
        {"status": Partnership.Status.PROPOSED},
        {"status": Partnership.Status.DECLINED},
        {"status": Partnership.Status.ENDED},
        {"valid_from": timezone.localdate() + datetime.timedelta(days=1)},
        {"valid_until": timezone.localdate() - datetime.timedelta(days=1)},
    ],
    ids=["proposed", "declined", "ended", "not-yet-valid", "expired"],
)
def test_a_partnership_not_in_force_grants_nothing(matrix, change):
    Partnership.objects.filter(pk=matrix.record("partnership").pk).update(**change)
    assert _reads_confidential(matrix, "isp-viewer") == [404, 404]


def test_a_one_sided_proposal_with_the_outsider_grants_it_nothing(matrix):
    client = APIClient()
    client.force_authenticate(matrix.users["outsider-commander"])
    response = client.post(
        "/api/v1/partnerships/",
        {
            "title": "MoU sepihak",
            "agencies": [matrix.agencies.outsider.pk, matrix.agencies.owner.pk],
            "scopes": ["information_sharing"],
            "valid_from": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert _reads_confidential(matrix, "outsider-viewer") == [404, 404]
